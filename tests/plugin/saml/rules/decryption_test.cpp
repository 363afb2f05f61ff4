#include "saml/rules/decryption.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

class DecryptionTest : public RuleTest {
 protected:
  Status Run(const testing::EncryptOptions& options) {
    Message& m = Load(Unsigned().Encrypt(options).Build());
    return DecryptAssertion(m, context_);
  }
};

TEST_F(DecryptionTest, ReplacesTheEncryptedAssertion) {
  ASSERT_TRUE(Passes(Run({})));
  ASSERT_NE(message_->assertion, nullptr);
  EXPECT_EQ(message_->encrypted_assertion, nullptr);
  EXPECT_EQ(message_->assertion->parent, message_->response);
  EXPECT_TRUE(IsElement(message_->assertion, ns::kAssertion, "Assertion"));
  EXPECT_NE(FirstChild(message_->assertion, ns::kAssertion, "Subject"), nullptr);
  EXPECT_TRUE(message_->identity.was_encrypted);
}

TEST_F(DecryptionTest, SupportsGcmAndAes128) {
  testing::EncryptOptions options;
  options.data_algorithm = testing::kAes128Gcm;
  EXPECT_TRUE(Passes(Run(options)));
  options.data_algorithm = testing::kAes128Cbc;
  EXPECT_TRUE(Passes(Run(options)));
}

TEST_F(DecryptionTest, SupportsXmlenc11RsaOaep) {
  testing::EncryptOptions options;
  options.key_transport = testing::kRsaOaep11;
  EXPECT_TRUE(Passes(Run(options)));
}

TEST_F(DecryptionTest, RefusesAnAssertionNestedInTheDecryptedOne) {
  testing::ResponseBuilder builder = Unsigned();
  builder.BeforeSigning([](std::string& xml) {
    xml = testing::InsertBefore(xml, "<saml:AuthnStatement",
                                "<saml:Advice><saml:Assertion ID=\"_nested\" Version=\"2.0\" "
                                "IssueInstant=\"2027-01-15T08:00:00Z\"/></saml:Advice>");
  });
  Message& m = Load(builder.Encrypt(testing::EncryptOptions{}).Build());
  EXPECT_TRUE(FailsWith(DecryptAssertion(m, context_), "saml.structure.nested_assertion"));
}

TEST_F(DecryptionTest, LeavesAPlainAssertionAlone) {
  Message& m = Load(Unsigned().BuildUnsigned());
  xmlNodePtr before = m.assertion;
  EXPECT_TRUE(Passes(DecryptAssertion(m, context_)));
  EXPECT_EQ(m.assertion, before);
}

TEST_F(DecryptionTest, RefusesRsa15KeyTransport) {
  testing::EncryptOptions options;
  options.key_transport = testing::kRsa15;
  EXPECT_TRUE(FailsWith(Run(options), "saml.decrypt.key_transport"));
}

TEST_F(DecryptionTest, RefusesWithoutAnSpKey) {
  context_.sp_private_key.reset();
  EXPECT_TRUE(FailsWith(Run({}), "saml.decrypt.no_key"));
}

TEST_F(DecryptionTest, FailsUniformlyWithTheWrongKey) {
  testing::EncryptOptions options;
  options.recipient = &testing::AttackerKey();
  EXPECT_TRUE(FailsWith(Run(options), "saml.decrypt.failed"));
}

TEST_F(DecryptionTest, RefusesAnUnknownDataAlgorithm) {
  std::string xml =
      testing::ReplaceFirst(Unsigned().Encrypt(testing::EncryptOptions{}).Build(),
                            testing::kAes256Cbc, "http://www.w3.org/2001/04/xmlenc#tripledes-cbc");
  EXPECT_TRUE(FailsWith(DecryptAssertion(Load(xml), context_), "saml.decrypt.algorithm"));
}

}  // namespace
}  // namespace vsso::saml::rules
