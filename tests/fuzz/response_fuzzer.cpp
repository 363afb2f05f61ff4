// Feeds arbitrary bytes through the whole response path: base64 decoding,
// hardened parsing, every rule, signature verification against a pinned key.
// Crashes found become regression tests in tests/plugin/saml/.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/certificate.hpp"
#include "saml/response_validator.hpp"

namespace {

class MemoryReplayGuard final : public vsso::saml::ReplayGuard {
 public:
  vsso::Result<bool> FirstUse(const std::string& id, const std::string&, vsso::UnixSeconds,
                              vsso::UnixSeconds) override {
    std::lock_guard lock(mutex_);
    if (seen_.size() > 10000) seen_.clear();
    return seen_.insert(id).second;
  }

 private:
  std::mutex mutex_;
  std::set<std::string> seen_;
};

// A throwaway self-signed RSA certificate: the fuzzer explores the rules, it
// cannot forge a signature anyway.
std::string MakeCertificatePem() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("fuzz-idp"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_sign(x, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  X509_free(x);
  EVP_PKEY_free(key);
  return pem;
}

struct Fixture {
  MemoryReplayGuard replay;
  vsso::saml::ValidationContext context;
  Fixture() {
    vsso::saml::InitializeXmlLibraries();
    auto certs = vsso::crypto::ParseCertificatesPem(MakeCertificatePem(), "fuzz");
    if (certs) context.idp_certificates = *certs;
    context.now = 1790000000;
    context.idp_entity_id = "https://idp.example.com/saml";
    context.sp_entity_id = "https://chat.example.com/sso/metadata";
    context.acs_url = "https://chat.example.com/sso/acs";
    context.allow_unsolicited = true;
    context.replay = &replay;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)vsso::saml::ValidateResponse(input, fixture.context);
  (void)vsso::saml::DecodePostedResponse(input);
  return 0;
}
