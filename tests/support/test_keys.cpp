#include "support/test_keys.hpp"

#include <stdlib.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "common/encoding.hpp"

namespace vsso::testing {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error("test key generation: " + what + " failed (OpenSSL error " +
                           std::to_string(ERR_get_error()) + ")");
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

}  // namespace

TestKey TestKey::Generate(KeyKind kind, const std::string& common_name) {
  TestKey out;
  out.kind_ = kind;
  EVP_PKEY* raw = kind == KeyKind::kRsa2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  if (raw == nullptr) Fail("key generation");
  out.pkey_.reset(raw, EVP_PKEY_free);

  X509Ptr cert(X509_new());
  if (!cert) Fail("X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) Fail("RAND_bytes");
  serial_bytes[0] &= 0x7f;  // positive serial (RFC 5280 4.1.2.2)
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  if (serial == nullptr || BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) == nullptr)
    Fail("serial");
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 20L * 365 * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("visitor-sso tests"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_set_pubkey(cert.get(), raw) != 1) Fail("X509_set_pubkey");
  if (X509_sign(cert.get(), raw, EVP_sha256()) == 0) Fail("X509_sign");

  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) Fail("PEM_write_bio_X509");
  out.certificate_pem_ = BioContents(cert_bio.get());

  unsigned char* der = nullptr;
  int der_len = i2d_X509(cert.get(), &der);
  if (der_len <= 0) Fail("i2d_X509");
  out.certificate_der_.assign(reinterpret_cast<const char*>(der),
                              static_cast<std::size_t>(der_len));
  OPENSSL_free(der);

  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!key_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), raw, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    Fail("PEM_write_bio_PrivateKey");
  out.private_key_pem_ = BioContents(key_bio.get());
  return out;
}

std::string TestKey::CertificateBase64() const { return encoding::Base64Encode(certificate_der_); }

crypto::Certificate TestKey::Certificate() const {
  auto parsed = crypto::ParseCertificatesPem(certificate_pem_, "test key");
  if (!parsed) {
    throw std::runtime_error("ParseCertificatesPem refused a test certificate: " +
                             parsed.error().code + ": " + parsed.error().message);
  }
  if (parsed->size() != 1) throw std::runtime_error("expected exactly one test certificate");
  return parsed->front();
}

crypto::PrivateKey TestKey::PrivateKey() const {
  return crypto::PrivateKey{pkey_, kind_ == KeyKind::kRsa2048 ? "RSA-2048" : "EC-P256"};
}

TestKey::Files TestKey::WriteTo(const std::filesystem::path& dir, const std::string& stem) const {
  Files files{dir / (stem + ".crt"), dir / (stem + ".key")};
  std::ofstream(files.certificate, std::ios::binary) << certificate_pem_;
  std::ofstream(files.private_key, std::ios::binary) << private_key_pem_;
  std::filesystem::permissions(
      files.private_key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return files;
}

const TestKey& IdpRsaKey() {
  static const TestKey key = TestKey::Generate(KeyKind::kRsa2048, "idp.example.org signing");
  return key;
}
const TestKey& IdpRolloverKey() {
  static const TestKey key = TestKey::Generate(KeyKind::kRsa2048, "idp.example.org signing 2");
  return key;
}
const TestKey& IdpEcKey() {
  static const TestKey key = TestKey::Generate(KeyKind::kEcP256, "idp.example.org ecdsa");
  return key;
}
const TestKey& SpKey() {
  static const TestKey key = TestKey::Generate(KeyKind::kRsa2048, "chat.example.com encryption");
  return key;
}
const TestKey& AttackerKey() {
  static const TestKey key = TestKey::Generate(KeyKind::kRsa2048, "idp.example.org signing");
  return key;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "vsso-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp");
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace vsso::testing
