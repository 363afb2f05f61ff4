// Certificates for the crypto and store tests, made with the OpenSSL 3 API at
// run time: any validity window, RSA or EC keys. Throws std::runtime_error
// when OpenSSL fails (a broken test machine, not a test outcome).
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "crypto/certificate.hpp"

namespace vsso::testing::certs {

inline crypto::EvpPkeyPtr Rsa(unsigned bits = 2048) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
  if (key == nullptr) throw std::runtime_error("RSA key generation failed");
  return crypto::EvpPkeyPtr(key, EVP_PKEY_free);
}

inline crypto::EvpPkeyPtr Ec(const char* curve = "P-256") {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
  if (key == nullptr) throw std::runtime_error("EC key generation failed");
  return crypto::EvpPkeyPtr(key, EVP_PKEY_free);
}

inline std::string ReadBio(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

/// Self-signed certificate for `key` with subject CN=<cn>,O=<org>.
inline std::string SelfSignedPem(EVP_PKEY* key, const std::string& cn, UnixSeconds not_before,
                                 UnixSeconds not_after, long serial = 1,
                                 const std::string& org = "Example IdP") {
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  if (!x) throw std::runtime_error("X509_new failed");
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(not_before));
  ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(not_after));
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509_set_pubkey(x.get(), key);
  if (X509_sign(x.get(), key, EVP_sha256()) <= 0) throw std::runtime_error("X509_sign failed");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), x.get());
  return ReadBio(bio.get());
}

inline std::string PrivateKeyPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw std::runtime_error("PEM_write_bio_PrivateKey failed");
  }
  return ReadBio(bio.get());
}

/// Parses `pem` (one certificate) through the plugin's own parser.
inline crypto::Certificate Parse(const std::string& pem) {
  auto certs = crypto::ParseCertificatesPem(pem, "test");
  if (!certs || certs->size() != 1) throw std::runtime_error("test certificate did not parse");
  return certs->front();
}

}  // namespace vsso::testing::certs
