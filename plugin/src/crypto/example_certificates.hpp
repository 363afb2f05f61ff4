// The example certificates shipped in config/certs/ (see its README). Their
// private keys are published with visitor-sso, so anyone can sign
// assertions with the example IdP keys or decrypt what is encrypted to the
// example SP certificate. A configuration that trusts or uses one of them
// still loads (the shipped examples, demos and scenarios rely on that), but
// `visitor-sso-admin check-config` fails and the admin overview warns.
//
// Recognised by SHA-256: of the certificate's DER, and of the DER
// SubjectPublicKeyInfo of its public key, so that a private key file or a
// new certificate made around an example key is recognised too. A test
// recomputes both from the files in config/certs/, so the list cannot drift.
//
// Threading: pure functions over constant data.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "crypto/certificate.hpp"

namespace vsso::crypto {

struct ShippedExample {
  std::string_view certificate_file;  ///< "config/certs/idp.pem"
  std::string_view key_file;          ///< "config/certs/idp.key"
  std::string_view certificate_sha256;
  std::string_view public_key_sha256;
};

std::span<const ShippedExample> ShippedExamples();

/// Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo; empty on failure.
std::string PublicKeySha256(EVP_PKEY* key);

/// The example this certificate is (by DER or by public key), or nullptr.
const ShippedExample* FindShippedExample(const Certificate& certificate);
/// The example whose key pair this private key belongs to, or nullptr.
const ShippedExample* FindShippedExample(const PrivateKey& key);

/// The admin-facing sentence for `what` (e.g. "[sso] sp_private_key
/// /etc/vsso/sp.key") being `example`: names both files, says the private
/// key is public and what to do. `idp`: a trusted IdP certificate (the fix
/// is the IdP's real certificate); otherwise the SP's own key pair.
std::string ShippedExampleMessage(std::string_view what, const ShippedExample& example, bool idp);

}  // namespace vsso::crypto
