#include "saml/rules/issuer.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using IssuerTest = RuleTest;

TEST_F(IssuerTest, AcceptsTheConfiguredIdp) {
  Message& m = Load(Unsigned().BuildUnsigned());
  ASSERT_TRUE(Passes(CheckIssuer(m, context_)));
  EXPECT_EQ(m.identity.issuer, testing::kIdpEntityId);
  EXPECT_TRUE(
      Passes(CheckIssuer(Load(Unsigned().ResponseIssuer(std::nullopt).BuildUnsigned()), context_)));
}

TEST_F(IssuerTest, RefusesAnotherIssuer) {
  Status s = CheckIssuer(Load(Unsigned().AssertionIssuer("https://evil.example").BuildUnsigned()),
                         context_);
  ASSERT_TRUE(FailsWith(s, "saml.issuer.mismatch"));
  EXPECT_NE(s.error().message.find("https://evil.example"), std::string::npos);
  EXPECT_TRUE(
      FailsWith(CheckIssuer(Load(Unsigned().ResponseIssuer("https://evil.example").BuildUnsigned()),
                            context_),
                "saml.issuer.mismatch"));
}

TEST_F(IssuerTest, RefusesAMissingAssertionIssuerOrWrongFormat) {
  std::string xml = Unsigned().BuildUnsigned();
  std::string without = testing::RemoveElement(xml, "saml:Issuer", 1);
  EXPECT_TRUE(FailsWith(CheckIssuer(Load(without), context_), "saml.issuer.missing"));
  std::string formatted = testing::ReplaceFirst(
      xml, "<saml:Issuer>",
      "<saml:Issuer Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">");
  EXPECT_TRUE(FailsWith(CheckIssuer(Load(formatted), context_), "saml.issuer.format"));
}

}  // namespace
}  // namespace vsso::saml::rules
