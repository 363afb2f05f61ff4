// Key material for tests, generated at runtime with the OpenSSL 3 API: an RSA
// or EC P-256 key pair and a self-signed X.509 certificate for it. Nothing is
// read from disk and nothing is checked in, so no test depends on a fixture
// key that could leak into a configuration.
//
// Only OpenSSL is used here (no libxml2/xmlsec), so any test suite can link it.
// Threading: a TestKey is immutable after Generate(); the shared keys returned
// by the accessors below are created once (thread-safe static init).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <openssl/evp.h>

#include "crypto/certificate.hpp"

namespace vsso::testing {

enum class KeyKind { kRsa2048, kEcP256 };

class TestKey {
 public:
  /// Generates a key pair and a self-signed certificate with CN=common_name,
  /// valid from one day before the current time for twenty years.
  /// Throws std::runtime_error if OpenSSL fails (a broken test machine).
  static TestKey Generate(KeyKind kind, const std::string& common_name);

  KeyKind kind() const { return kind_; }
  EVP_PKEY* pkey() const { return pkey_.get(); }
  const std::shared_ptr<EVP_PKEY>& shared_pkey() const { return pkey_; }
  const std::string& certificate_pem() const { return certificate_pem_; }
  const std::string& certificate_der() const { return certificate_der_; }
  /// Base64 of the DER certificate without line breaks (ds:X509Certificate body).
  std::string CertificateBase64() const;
  /// Unencrypted PKCS#8 PEM.
  const std::string& private_key_pem() const { return private_key_pem_; }

  /// The certificate as the plugin sees it, through crypto::ParseCertificatesPem.
  /// Throws std::runtime_error if the parser refuses it.
  crypto::Certificate Certificate() const;
  /// The private key as the plugin sees it (shares the EVP_PKEY).
  crypto::PrivateKey PrivateKey() const;

  /// Writes <dir>/<stem>.crt and <dir>/<stem>.key (PEM); returns the paths.
  struct Files {
    std::filesystem::path certificate;
    std::filesystem::path private_key;
  };
  Files WriteTo(const std::filesystem::path& dir, const std::string& stem) const;

 private:
  KeyKind kind_ = KeyKind::kRsa2048;
  std::shared_ptr<EVP_PKEY> pkey_;
  std::string certificate_pem_;
  std::string certificate_der_;
  std::string private_key_pem_;
};

/// Keys shared by all tests of a process (RSA generation costs ~100 ms each).
const TestKey& IdpRsaKey();       ///< the IdP's signing key (RSA-2048)
const TestKey& IdpRolloverKey();  ///< the IdP's next signing key (RSA-2048)
const TestKey& IdpEcKey();        ///< an IdP signing with ECDSA P-256
const TestKey& SpKey();           ///< the SP's decryption key (RSA-2048)
/// A key nobody trusts (RSA-2048); its certificate carries the same subject
/// name as IdpRsaKey()'s, as a forger's would.
const TestKey& AttackerKey();

/// A fresh directory under the system temp dir, removed with its contents on
/// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace vsso::testing
