// visitor_sso_bare_verify: the bare xmlsec1 loop that `scripts/bench --verify`
// runs beside `visitor-sso-admin verify` (issue 15's independent measurement).
// One process; for each file: read it, parse it, register the signed
// elements' IDs and verify each signature with the pinned IdP key (the
// benchmark's BareVerify, bench/bench_support.cpp), nothing else.
//   visitor_sso_bare_verify --cert IDP.pem [--both-signed] FILE...
// Prints "verified V of N"; exit 0 when every file verified, 1 when one did
// not, 2 on a usage error.
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "../bench_support.hpp"
#include "saml/response_validator.hpp"

namespace {

EVP_PKEY* ReadPublicKey(const std::string& pem_file) {
  FILE* f = std::fopen(pem_file.c_str(), "rb");
  if (f == nullptr) return nullptr;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) return nullptr;
  EVP_PKEY* key = X509_get_pubkey(cert);
  X509_free(cert);
  return key;
}

// The whole file into `out`, its capacity kept from file to file: the least
// a loop over files can do.
bool ReadWholeFile(const std::string& path, std::string& out) {
  out.clear();
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const bool ok = std::ferror(f) == 0;
  std::fclose(f);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cert;
  bool both_signed = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--cert" && i + 1 < argc) {
      cert = argv[++i];
    } else if (arg == "--both-signed") {
      both_signed = true;
    } else if (!arg.empty() && arg[0] == '-') {
      std::cerr << "unknown option " << arg << "\n";
      return 2;
    } else {
      files.push_back(arg);
    }
  }
  if (cert.empty() || files.empty()) {
    std::cerr << "usage: visitor_sso_bare_verify --cert IDP.pem [--both-signed] FILE...\n";
    return 2;
  }
  vsso::saml::InitializeXmlLibraries();
  EVP_PKEY* key = ReadPublicKey(cert);
  if (key == nullptr) {
    std::cerr << "cannot read a certificate from " << cert << "\n";
    return 2;
  }
  std::size_t verified = 0;
  std::string xml;
  for (const auto& file : files) {
    if (ReadWholeFile(file, xml) && vsso::bench::BareVerify(xml, both_signed, key)) {
      ++verified;
    } else {
      std::cerr << "not verified: " << file << "\n";
    }
  }
  EVP_PKEY_free(key);
  std::cout << "verified " << verified << " of " << files.size() << "\n";
  return verified == files.size() ? 0 : 1;
}
