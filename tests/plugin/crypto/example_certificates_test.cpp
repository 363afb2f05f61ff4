// The fingerprints of the example certificates in config/certs/ are written
// into the plugin's code; this recomputes them from the files, so the list
// cannot drift from what is shipped.
#include "crypto/example_certificates.hpp"

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace vsso::crypto {
namespace {

namespace fs = std::filesystem;

std::string Source(std::string_view relative) {
  return (fs::path(VSSO_SOURCE_DIR) / relative).string();
}

TEST(ShippedExamples, ListMatchesTheFilesInConfigCerts) {
  std::set<std::string> listed;
  for (const ShippedExample& example : ShippedExamples()) {
    SCOPED_TRACE(std::string(example.certificate_file));
    auto certs = LoadCertificatesFile(Source(example.certificate_file));
    ASSERT_TRUE(certs) << certs.error().message;
    ASSERT_EQ(certs->size(), 1u);
    EXPECT_EQ(certs->front().sha256_fingerprint, example.certificate_sha256);
    EXPECT_EQ(PublicKeySha256(certs->front().public_key.get()), example.public_key_sha256);
    EXPECT_EQ(FindShippedExample(certs->front()), &example);

    auto key = LoadPrivateKeyFile(Source(example.key_file));
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(PublicKeySha256(key->key.get()), example.public_key_sha256);
    EXPECT_EQ(FindShippedExample(*key), &example);
    listed.insert(std::string(example.certificate_file));
    listed.insert(std::string(example.key_file));
  }
  // Every certificate or key file shipped there is on the list.
  for (const auto& entry : fs::directory_iterator(Source("config/certs"))) {
    const std::string extension = entry.path().extension().string();
    if (extension != ".pem" && extension != ".key" && extension != ".crt") continue;
    EXPECT_TRUE(listed.contains("config/certs/" + entry.path().filename().string()))
        << entry.path() << " is shipped but not in ShippedExamples()";
  }
}

TEST(ShippedExamples, AFreshKeyIsNotAnExample) {
  EVP_PKEY* fresh = EVP_RSA_gen(2048);
  ASSERT_NE(fresh, nullptr);
  PrivateKey key{EvpPkeyPtr(fresh, EVP_PKEY_free), "RSA-2048"};
  EXPECT_EQ(FindShippedExample(key), nullptr);
  EXPECT_EQ(PublicKeySha256(fresh).size(), 64u);
}

// A certificate re-issued around an example key is still that example.
TEST(ShippedExamples, FoundByPublicKeyWhateverTheCertificate) {
  auto original = LoadCertificatesFile(Source("config/certs/idp.pem"));
  ASSERT_TRUE(original);
  Certificate reissued = original->front();
  reissued.sha256_fingerprint = std::string(64, '0');
  const ShippedExample* example = FindShippedExample(reissued);
  ASSERT_NE(example, nullptr);
  EXPECT_EQ(example->certificate_file, "config/certs/idp.pem");
  const std::string message =
      ShippedExampleMessage("[sso] idp_certificates /etc/idp.pem", *example, true);
  EXPECT_NE(message.find("/etc/idp.pem is the example config/certs/idp.pem"), std::string::npos)
      << message;
  EXPECT_NE(message.find("private key is public"), std::string::npos);
  EXPECT_NE(ShippedExampleMessage("x", *example, false).find("Generate a real key pair"),
            std::string::npos);
}

}  // namespace
}  // namespace vsso::crypto
