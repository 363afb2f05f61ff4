#include "saml/rules/subject.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <functional>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using SubjectTest = RuleTest;

TEST_F(SubjectTest, ReadsTheNameIdAndFormat) {
  Message& m = Load(Unsigned().NameId("bob@example.org").BuildUnsigned());
  ASSERT_TRUE(Passes(CheckSubject(m, context_)));
  EXPECT_EQ(m.identity.name_id, "bob@example.org");
  EXPECT_EQ(m.identity.name_id_format, testing::kNameIdEmail);
}

TEST_F(SubjectTest, ReadsTheFullTextAcrossCommentsAndCdata) {
  std::string xml = testing::ReplaceFirst(Unsigned().NameId("x").BuildUnsigned(), ">x<",
                                          ">alice@evil.org<!---->.example.com<![CDATA[.au]]><");
  Message& m = Load(xml);
  ASSERT_TRUE(Passes(CheckSubject(m, context_)));
  EXPECT_EQ(m.identity.name_id, "alice@evil.org.example.com.au");
}

TEST_F(SubjectTest, RefusesMissingOrEmptyNameId) {
  std::string xml = Unsigned().BuildUnsigned();
  EXPECT_TRUE(FailsWith(CheckSubject(Load(testing::RemoveElement(xml, "saml:NameID")), context_),
                        "saml.subject.name_id_missing"));
  EXPECT_TRUE(FailsWith(CheckSubject(Load(Unsigned().NameId("  ").BuildUnsigned()), context_),
                        "saml.subject.name_id_empty"));
  EXPECT_TRUE(FailsWith(CheckSubject(Load(testing::RemoveElement(xml, "saml:Subject")), context_),
                        "saml.subject.missing"));
}

TEST_F(SubjectTest, ReadsTheQualifiers) {
  Message& m =
      Load(Unsigned().NameIdQualifiers("https://idp.example.org/ns", testing::kSpEntityId).Build());
  ASSERT_TRUE(Passes(CheckSubject(m, context_)));
  EXPECT_EQ(m.identity.name_qualifier, "https://idp.example.org/ns");
  EXPECT_EQ(m.identity.sp_name_qualifier, testing::kSpEntityId);
  EXPECT_FALSE(m.identity.name_id_was_encrypted);
}

// SAML Core 2.2.2: a NameID issued to another SP (e.g. a persistent ID for a
// sibling site at the same IdP) does not identify the visitor here.
TEST_F(SubjectTest, RefusesAnSpNameQualifierNamingAnotherSp) {
  Message& m =
      Load(Unsigned().NameIdQualifiers(std::nullopt, "https://other-sp.example.net").Build());
  const Status s = CheckSubject(m, context_);
  ASSERT_TRUE(FailsWith(s, "saml.subject.sp_name_qualifier"));
  EXPECT_NE(s.error().message.find("'https://other-sp.example.net'"), std::string::npos)
      << s.error().message;
  EXPECT_NE(s.error().message.find(std::string("'") + testing::kSpEntityId + "'"),
            std::string::npos)
      << s.error().message;
  EXPECT_TRUE(m.identity.name_id.empty()) << "nothing is read from a refused NameID";
}

TEST_F(SubjectTest, AcceptsANameIdWithoutSpNameQualifier) {
  Message& m = Load(Unsigned().NameIdQualifiers(std::nullopt, std::nullopt).Build());
  ASSERT_TRUE(Passes(CheckSubject(m, context_)));
  EXPECT_EQ(m.identity.sp_name_qualifier, "");
}

TEST_F(SubjectTest, SpNameQualifierIsComparedExactly) {
  // Entity IDs are compared as strings (SAML Core 8.3.6): a trailing slash
  // is another entity.
  Message& m = Load(
      Unsigned().NameIdQualifiers(std::nullopt, std::string(testing::kSpEntityId) + "/").Build());
  EXPECT_TRUE(FailsWith(CheckSubject(m, context_), "saml.subject.sp_name_qualifier"));
}

TEST_F(SubjectTest, RefusesTwoIdentifiers) {
  // SAML Core 2.4.1: BaseID, NameID or EncryptedID, one of them.
  std::string xml = Unsigned().BuildUnsigned();
  const std::string name_id = testing::ExtractElement(xml, "saml:NameID");
  xml = testing::InsertBefore(xml, "<saml:NameID",
                              testing::ReplaceFirst(name_id, "alice@", "mallory@"));
  EXPECT_TRUE(FailsWith(CheckSubject(Load(xml), context_), "saml.subject.identifier_count"));
}

// ---- EncryptedID (SAML Core 2.2.4) -------------------------------------------

class EncryptedIdTest : public RuleTest {
 protected:
  Status Run(const testing::EncryptOptions& options,
             const std::function<void(std::string&)>& after = {}) {
    std::string xml = Unsigned().NameId("carol@example.org").EncryptNameId(options).Build();
    if (after) after(xml);
    return CheckSubject(Load(xml), context_);
  }
};

TEST_F(EncryptedIdTest, IsDecryptedAndReadLikeAPlainNameId) {
  std::string xml = Unsigned()
                        .NameId("carol@example.org")
                        .NameIdQualifiers("https://idp.example.org/ns", testing::kSpEntityId)
                        .EncryptNameId(testing::EncryptOptions{})
                        .Build();
  ASSERT_EQ(xml.find("carol@"), std::string::npos) << "the NameID travels encrypted";
  ASSERT_NE(xml.find("saml:EncryptedID"), std::string::npos);
  Message& m = Load(xml);
  ASSERT_TRUE(Passes(CheckSubject(m, context_)));
  EXPECT_EQ(m.identity.name_id, "carol@example.org");
  EXPECT_EQ(m.identity.name_id_format, testing::kNameIdEmail);
  EXPECT_EQ(m.identity.name_qualifier, "https://idp.example.org/ns");
  EXPECT_EQ(m.identity.sp_name_qualifier, testing::kSpEntityId);
  EXPECT_TRUE(m.identity.name_id_was_encrypted);
  EXPECT_FALSE(m.identity.was_encrypted) << "the assertion itself was not encrypted";
}

TEST_F(EncryptedIdTest, SupportsTheSameAlgorithmsAsEncryptedAssertion) {
  testing::EncryptOptions options;
  options.WithAlgorithms(testing::kRsaOaep11, testing::kAes128Gcm);
  EXPECT_TRUE(Passes(Run(options)));
  options.WithAlgorithms(testing::kRsaOaepMgf1p, testing::kAes256Gcm);
  EXPECT_TRUE(Passes(Run(options)));
  options.WithAlgorithms(testing::kRsaOaepMgf1p, testing::kAes128Cbc);
  EXPECT_TRUE(Passes(Run(options)));
}

TEST_F(EncryptedIdTest, RefusesWithoutAnSpKey) {
  context_.sp_private_key.reset();
  const Status s = Run({});
  ASSERT_TRUE(FailsWith(s, "saml.decrypt.no_key"));
  EXPECT_NE(s.error().message.find("EncryptedID"), std::string::npos) << s.error().message;
}

TEST_F(EncryptedIdTest, FailsUniformlyWithTheWrongKey) {
  testing::EncryptOptions options;
  options.recipient = &testing::AttackerKey();
  const Status s = Run(options);
  ASSERT_TRUE(FailsWith(s, "saml.decrypt.failed"));
  EXPECT_NE(s.error().message.find("saml:EncryptedID"), std::string::npos) << s.error().message;
}

TEST_F(EncryptedIdTest, RefusesRsa15AndUnknownDataAlgorithms) {
  testing::EncryptOptions options;
  options.key_transport = testing::kRsa15;
  EXPECT_TRUE(FailsWith(Run(options), "saml.decrypt.key_transport"));
  EXPECT_TRUE(FailsWith(Run({},
                            [](std::string& xml) {
                              xml = testing::ReplaceFirst(
                                  xml, testing::kAes256Cbc,
                                  "http://www.w3.org/2001/04/xmlenc#tripledes-cbc");
                            }),
                        "saml.decrypt.algorithm"));
}

TEST_F(EncryptedIdTest, GarbageIsRefused) {
  // Ciphertext replaced by other bytes of the same length: AES decrypts it to
  // noise (or fails its padding), reported as the one decrypt failure.
  EXPECT_TRUE(FailsWith(Run({},
                            [](std::string& xml) {
                              const std::string data =
                                  testing::ExtractElement(xml, "EncryptedData");
                              const auto value = data.rfind("<CipherValue>");
                              ASSERT_NE(value, std::string::npos);
                              const auto begin = value + 13;
                              std::string garbage = data;
                              for (auto i = begin + 24; garbage[i] != '<'; ++i) {
                                if (std::isalnum(static_cast<unsigned char>(garbage[i]))) {
                                  garbage[i] = garbage[i] == 'A' ? 'B' : 'A';
                                }
                              }
                              xml = testing::ReplaceFirst(xml, data, garbage);
                            }),
                        "saml.decrypt.failed"));
  EXPECT_TRUE(FailsWith(Run({},
                            [](std::string& xml) {
                              xml = testing::ReplaceFirst(xml, "<CipherValue>",
                                                          "<CipherValue>!!not base64!!");
                            }),
                        "saml.decrypt.malformed"));
  EXPECT_TRUE(FailsWith(
      Run({}, [](std::string& xml) { xml = testing::RemoveElement(xml, "EncryptedKey"); }),
      "saml.decrypt.malformed"));
}

TEST_F(EncryptedIdTest, RefusesPlaintextThatIsNotANameId) {
  // The IdP (or whoever holds a valid ciphertext) put markup inside the
  // NameID: an identifier is text only (Core 2.2.3).
  testing::ResponseBuilder builder = Unsigned();
  builder.BeforeSigning([](std::string& xml) {
    xml = testing::ReplaceFirst(xml, "alice@example.org</saml:NameID>",
                                "alice@example.org<saml:Assertion ID=\"_in\"/></saml:NameID>");
  });
  Message& m = Load(builder.EncryptNameId(testing::EncryptOptions{}).Build());
  EXPECT_TRUE(FailsWith(CheckSubject(m, context_), "saml.decrypt.not_name_id"));
}

TEST_F(EncryptedIdTest, RefusesAnSpNameQualifierNamingAnotherSp) {
  Message& m = Load(Unsigned()
                        .NameIdQualifiers(std::nullopt, "urn:example:other-sp")
                        .EncryptNameId(testing::EncryptOptions{})
                        .Build());
  EXPECT_TRUE(FailsWith(CheckSubject(m, context_), "saml.subject.sp_name_qualifier"));
}

TEST_F(EncryptedIdTest, InsideAnEncryptedAssertion) {
  std::string xml = Unsigned()
                        .NameId("dave@example.org")
                        .EncryptNameId(testing::EncryptOptions{})
                        .Encrypt(testing::EncryptOptions{})
                        .Build();
  Message& m = Load(xml, /*decrypt=*/true);
  ASSERT_TRUE(Passes(CheckSubject(m, context_)));
  EXPECT_EQ(m.identity.name_id, "dave@example.org");
  EXPECT_TRUE(m.identity.name_id_was_encrypted);
}

}  // namespace
}  // namespace vsso::saml::rules
