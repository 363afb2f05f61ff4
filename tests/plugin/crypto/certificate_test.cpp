#include "crypto/certificate.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "common/encoding.hpp"
#include "plugin/crypto/cert_factory.hpp"

namespace vsso::crypto {
namespace {

namespace certs = vsso::testing::certs;

constexpr UnixSeconds kJan2020 = 1577836800;  // 2020-01-01T00:00:00Z
constexpr UnixSeconds kJan2030 = 1893456000;  // 2030-01-01T00:00:00Z

class CertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vsso-crypto-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  std::filesystem::path dir_;
};

std::string Sha256Hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  return encoding::HexLower(std::string_view(reinterpret_cast<const char*>(md), len));
}

TEST_F(CertificateTest, ParsesRsaCertificateFields) {
  auto key = certs::Rsa(2048);
  const std::string pem = certs::SelfSignedPem(key.get(), "idp.example.org", kJan2020, kJan2030);
  auto parsed = ParseCertificatesPem(pem, "idp.crt");
  ASSERT_TRUE(parsed) << parsed.error().code << ": " << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const Certificate& c = parsed->front();
  EXPECT_EQ(c.subject, "CN=idp.example.org,O=Example IdP");
  EXPECT_EQ(c.issuer, c.subject);
  EXPECT_EQ(c.not_before, kJan2020);
  EXPECT_EQ(c.not_after, kJan2030);
  EXPECT_EQ(c.key_type, "RSA-2048");
  EXPECT_EQ(c.pem, pem);
  ASSERT_EQ(c.sha256_fingerprint.size(), 64u);
  EXPECT_EQ(c.sha256_fingerprint, Sha256Hex(c.der));
  for (char ch : c.sha256_fingerprint) EXPECT_TRUE(std::isxdigit(ch) && !std::isupper(ch));
  ASSERT_TRUE(c.public_key);
  EXPECT_EQ(EVP_PKEY_eq(c.public_key.get(), key.get()), 1);
}

TEST_F(CertificateTest, ExpiredAndNotYetValidCertificatesParseWithTheirDates) {
  // Validity is the SAML validator's decision at use time; parsing only
  // reports the window precisely.
  auto key = certs::Ec();
  auto expired = ParseCertificatesPem(
      certs::SelfSignedPem(key.get(), "old", kJan2020 - 86400, kJan2020), "old.crt");
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->front().not_after, kJan2020);
  auto future = ParseCertificatesPem(
      certs::SelfSignedPem(key.get(), "new", kJan2030, kJan2030 + 86400), "new.crt");
  ASSERT_TRUE(future);
  EXPECT_EQ(future->front().not_before, kJan2030);
}

TEST_F(CertificateTest, EcKeyTypesUseNistNames) {
  auto p256 = certs::Ec("P-256");
  EXPECT_EQ(certs::Parse(certs::SelfSignedPem(p256.get(), "ec", kJan2020, kJan2030)).key_type,
            "EC-P256");
  auto p384 = certs::Ec("P-384");
  EXPECT_EQ(certs::Parse(certs::SelfSignedPem(p384.get(), "ec", kJan2020, kJan2030)).key_type,
            "EC-P384");
}

TEST_F(CertificateTest, MultiCertificatePemKeepsOrderAndIgnoresTextBetweenBlocks) {
  auto a = certs::Ec();
  auto b = certs::Ec();
  const std::string pem =
      "current signing key\n" + certs::SelfSignedPem(a.get(), "current", kJan2020, kJan2030) +
      "\nnext signing key\n" + certs::SelfSignedPem(b.get(), "next", kJan2020, kJan2030);
  auto parsed = ParseCertificatesPem(pem, "rollover.crt");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].subject, "CN=current,O=Example IdP");
  EXPECT_EQ((*parsed)[1].subject, "CN=next,O=Example IdP");
  EXPECT_NE((*parsed)[0].sha256_fingerprint, (*parsed)[1].sha256_fingerprint);
}

TEST_F(CertificateTest, GarbageIsNotACertificate) {
  auto parsed = ParseCertificatesPem("this is not PEM at all\n", "idp.crt");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "crypto.not_a_certificate");
  EXPECT_NE(parsed.error().message.find("idp.crt"), std::string::npos);

  auto empty = ParseCertificatesPem("", "empty.crt");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, "crypto.not_a_certificate");
}

TEST_F(CertificateTest, CorruptBodyInsideCertificateBlockIsRefused) {
  auto parsed = ParseCertificatesPem(
      "-----BEGIN CERTIFICATE-----\nAAAABBBBCCCC\n-----END CERTIFICATE-----\n", "bad.crt");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "crypto.not_a_certificate");
}

TEST_F(CertificateTest, PrivateKeyInsteadOfCertificateIsRefusedNamingTheType) {
  auto key = certs::Ec();
  auto parsed = ParseCertificatesPem(certs::PrivateKeyPem(key.get()), "idp.crt");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "crypto.not_a_certificate");
  EXPECT_NE(parsed.error().message.find("\"PRIVATE KEY\""), std::string::npos)
      << parsed.error().message;
  // Never echo key material.
  EXPECT_EQ(parsed.error().message.find("MI"), std::string::npos);
}

TEST_F(CertificateTest, CertificateFollowedByAnotherBlockTypeIsRefused) {
  auto key = certs::Ec();
  auto parsed = ParseCertificatesPem(
      certs::SelfSignedPem(key.get(), "x", kJan2020, kJan2030) + certs::PrivateKeyPem(key.get()),
      "bundle.pem");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "crypto.not_a_certificate");
  EXPECT_NE(parsed.error().message.find("block 2"), std::string::npos);
}

TEST_F(CertificateTest, Base64DerAsInMetadata) {
  auto key = certs::Rsa(2048);
  const Certificate pem_cert =
      certs::Parse(certs::SelfSignedPem(key.get(), "meta", kJan2020, kJan2030));
  std::string b64 = encoding::Base64Encode(pem_cert.der);
  b64.insert(64, "\n   ");  // metadata bodies are often wrapped and indented
  auto parsed = ParseCertificateBase64Der(b64, "metadata.xml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->sha256_fingerprint, pem_cert.sha256_fingerprint);
  EXPECT_EQ(parsed->pem, pem_cert.pem);
  EXPECT_EQ(parsed->key_type, "RSA-2048");
}

TEST_F(CertificateTest, Base64DerErrors) {
  auto not_b64 = ParseCertificateBase64Der("@@@@", "metadata.xml");
  ASSERT_FALSE(not_b64);
  EXPECT_EQ(not_b64.error().code, "crypto.not_a_certificate");

  auto not_der = ParseCertificateBase64Der(encoding::Base64Encode("hello world"), "metadata.xml");
  ASSERT_FALSE(not_der);
  EXPECT_EQ(not_der.error().code, "crypto.not_a_certificate");

  auto key = certs::Ec();
  const Certificate c = certs::Parse(certs::SelfSignedPem(key.get(), "t", kJan2020, kJan2030));
  auto trailing = ParseCertificateBase64Der(encoding::Base64Encode(c.der + "XYZ"), "metadata.xml");
  ASSERT_FALSE(trailing);
  EXPECT_NE(trailing.error().message.find("3 unexpected bytes"), std::string::npos);
}

TEST_F(CertificateTest, LoadCertificatesFile) {
  auto key = certs::Ec();
  const std::string path =
      Write("idp.crt", certs::SelfSignedPem(key.get(), "file", kJan2020, kJan2030));
  auto loaded = LoadCertificatesFile(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->front().subject, "CN=file,O=Example IdP");

  auto missing = LoadCertificatesFile((dir_ / "missing.crt").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "crypto.file_unreadable");
  EXPECT_NE(missing.error().message.find("missing.crt"), std::string::npos);
}

TEST_F(CertificateTest, LoadPrivateKeyFileRsaAndEc) {
  auto rsa = certs::Rsa(2048);
  auto loaded = LoadPrivateKeyFile(Write("sp.key", certs::PrivateKeyPem(rsa.get())));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->key_type, "RSA-2048");
  EXPECT_EQ(EVP_PKEY_eq(loaded->key.get(), rsa.get()), 1);

  auto ec = certs::Ec();
  auto loaded_ec = LoadPrivateKeyFile(Write("ec.key", certs::PrivateKeyPem(ec.get())));
  ASSERT_TRUE(loaded_ec) << loaded_ec.error().message;
  EXPECT_EQ(loaded_ec->key_type, "EC-P256");
}

TEST_F(CertificateTest, LoadPrivateKeyFileErrors) {
  auto key = certs::Ec();
  auto cert_only =
      LoadPrivateKeyFile(Write("c.pem", certs::SelfSignedPem(key.get(), "c", kJan2020, kJan2030)));
  ASSERT_FALSE(cert_only);
  EXPECT_EQ(cert_only.error().code, "crypto.not_a_private_key");

  auto garbage = LoadPrivateKeyFile(Write("g.key", "garbage"));
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, "crypto.not_a_private_key");

  auto missing = LoadPrivateKeyFile((dir_ / "none.key").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "crypto.file_unreadable");
}

TEST_F(CertificateTest, EncryptedPrivateKeyIsRefusedWithoutPrompting) {
  auto key = certs::Ec();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  static const char kPass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), kPass,
                                          sizeof(kPass) - 1, nullptr, nullptr),
            1);
  auto loaded = LoadPrivateKeyFile(Write("enc.key", certs::ReadBio(bio.get())));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, "crypto.not_a_private_key");
  EXPECT_NE(loaded.error().message.find("encrypted"), std::string::npos);
}

}  // namespace
}  // namespace vsso::crypto
