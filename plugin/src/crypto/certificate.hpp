// X.509 certificates and private keys as the rest of the plugin sees them:
// parsed once with OpenSSL, public key kept as a shared EVP_PKEY so signature
// verification can adopt it without re-decoding (see docs/xmlsec notes).
//
// Error codes: "crypto.not_a_certificate" (no CERTIFICATE block, another PEM
// type such as a private key, malformed PEM/base64/DER, trailing bytes),
// "crypto.file_unreadable", "crypto.not_a_private_key".
// Threading: free functions without shared state; a Certificate is an
// immutable value once returned (EVP_PKEY is reference-counted and safe to
// use for verification from several threads).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "common/result.hpp"

namespace vsso::crypto {

using EvpPkeyPtr = std::shared_ptr<EVP_PKEY>;

struct Certificate {
  std::string pem;                 ///< Normalised PEM ("-----BEGIN CERTIFICATE-----...").
  std::string der;                 ///< DER bytes.
  std::string sha256_fingerprint;  ///< Lower-case hex of SHA-256(DER), no separators.
  std::string subject;             ///< RFC 2253 one-line form.
  std::string issuer;
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
  std::string key_type;  ///< "RSA-2048", "EC-P256", ...
  EvpPkeyPtr public_key;
};

/// Parses every CERTIFICATE block in `pem_text` (at least one, else
/// "crypto.not_a_certificate"); any other PEM block type is refused, text
/// outside blocks is ignored. `origin` names the file for messages.
Result<std::vector<Certificate>> ParseCertificatesPem(std::string_view pem_text,
                                                      const std::string& origin);
/// Reads the file and parses it ("crypto.file_unreadable" if it cannot).
Result<std::vector<Certificate>> LoadCertificatesFile(const std::string& path);
/// A base64 DER body as found in metadata <ds:X509Certificate>.
Result<Certificate> ParseCertificateBase64Der(std::string_view base64, const std::string& origin);

struct PrivateKey {
  EvpPkeyPtr key;
  std::string key_type;
};

/// Reads an unencrypted PEM private key (PKCS#8 or traditional).
/// Errors: "crypto.file_unreadable", "crypto.not_a_private_key".
Result<PrivateKey> LoadPrivateKeyFile(const std::string& path);

}  // namespace vsso::crypto
