#include "saml/rules/authn_statement.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using AuthnStatementTest = RuleTest;

TEST_F(AuthnStatementTest, ReadsTheSession) {
  Message& m = Load(
      Unsigned().SessionIndex("_s1").SessionNotOnOrAfter(testing::kTestNow + 3600).BuildUnsigned());
  ASSERT_TRUE(Passes(CheckAuthnStatement(m, context_)));
  EXPECT_EQ(m.identity.session_index, "_s1");
  EXPECT_EQ(m.identity.session_not_on_or_after, testing::kTestNow + 3600);
  EXPECT_EQ(m.identity.authn_instant, testing::kTestNow - 5);
}

TEST_F(AuthnStatementTest, RefusesAnEndedSession) {
  EXPECT_TRUE(FailsWith(
      CheckAuthnStatement(
          Load(Unsigned().SessionNotOnOrAfter(testing::kTestNow - 3600).BuildUnsigned()), context_),
      "saml.authn_statement.session_expired"));
}

TEST_F(AuthnStatementTest, RefusesAnAssertionWithoutAuthnStatement) {
  std::string xml = testing::RemoveElement(Unsigned().BuildUnsigned(), "saml:AuthnStatement");
  EXPECT_TRUE(FailsWith(CheckAuthnStatement(Load(xml), context_), "saml.authn_statement.missing"));
}

}  // namespace
}  // namespace vsso::saml::rules
