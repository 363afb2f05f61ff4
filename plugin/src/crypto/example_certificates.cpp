#include "crypto/example_certificates.hpp"

#include <openssl/x509.h>

#include <memory>

#include "common/encoding.hpp"

namespace vsso::crypto {
namespace {

// openssl x509 -in F.pem -outform DER | sha256sum
// openssl x509 -in F.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum
constexpr ShippedExample kExamples[] = {
    {"config/certs/idp.pem", "config/certs/idp.key",
     "0e9a59c25e9d3d17c2a0ecd43fdb9eb6d2a98743b37dba4033fe3249d105cc42",
     "3b36b38d5a132073202a869b7918433787101129b2552cfa19384993eac7b55d"},
    {"config/certs/idp-next.pem", "config/certs/idp-next.key",
     "35077a89306f709d7b913b8b68a6b3069c5895f8900285fea9e5798145d84f4a",
     "516ece8140d4e03c92b1d5cc0d659ae97bc8c926b8cf8b01eabd4d56758beb40"},
    {"config/certs/sp.pem", "config/certs/sp.key",
     "a11bc0c44ab75be1d4f796a0621083adab8bbf77d4a9fe64c5b8e2054daacec1",
     "1a6fb4a263292f407671ab959d141813c8f321bd2119e7953d19d0fe90a82694"},
};

const ShippedExample* ByPublicKey(EVP_PKEY* key) {
  if (key == nullptr) return nullptr;
  const std::string fingerprint = PublicKeySha256(key);
  for (const auto& example : kExamples) {
    if (example.public_key_sha256 == fingerprint) return &example;
  }
  return nullptr;
}

}  // namespace

std::span<const ShippedExample> ShippedExamples() { return kExamples; }

std::string PublicKeySha256(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) return {};
  std::unique_ptr<unsigned char, void (*)(void*)> owner(der, [](void* p) { OPENSSL_free(p); });
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (EVP_Digest(der, static_cast<std::size_t>(length), digest, &digest_length, EVP_sha256(),
                 nullptr) != 1) {
    return {};
  }
  return encoding::HexLower(std::string_view(reinterpret_cast<const char*>(digest), digest_length));
}

const ShippedExample* FindShippedExample(const Certificate& certificate) {
  for (const auto& example : kExamples) {
    if (example.certificate_sha256 == certificate.sha256_fingerprint) return &example;
  }
  return ByPublicKey(certificate.public_key.get());
}

const ShippedExample* FindShippedExample(const PrivateKey& key) {
  return ByPublicKey(key.key.get());
}

std::string ShippedExampleMessage(std::string_view what, const ShippedExample& example, bool idp) {
  std::string message =
      std::string(what) + " is the example " + std::string(example.certificate_file) + " (key " +
      std::string(example.key_file) + ") shipped with visitor-sso; its private key is public, so ";
  if (idp) {
    message +=
        "anyone can sign a sign-in for any customer. Trust your IdP's real signing "
        "certificate instead (from its metadata), and have the IdP generate a real key if it "
        "uses this one";
  } else {
    message +=
        "anyone can decrypt the assertions sent to this site and sign its AuthnRequests. "
        "Generate a real key pair (config/certs/README.md) and give its certificate to the IdP";
  }
  return message;
}

}  // namespace vsso::crypto
