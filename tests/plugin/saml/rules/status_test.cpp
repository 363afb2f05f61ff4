#include "saml/rules/status.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using StatusTest = RuleTest;

TEST_F(StatusTest, AcceptsSuccess) {
  EXPECT_TRUE(Passes(CheckStatus(Load(Unsigned().BuildUnsigned()), context_)));
}

TEST_F(StatusTest, ReportsTheIdpStatusCodesAndMessage) {
  std::string xml = Unsigned()
                        .Status("urn:oasis:names:tc:SAML:2.0:status:Responder", "LDAP down",
                                "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed")
                        .BuildUnsigned();
  Status s = CheckStatus(Load(xml), context_);
  ASSERT_TRUE(FailsWith(s, "saml.status.not_success"));
  EXPECT_NE(s.error().message.find("status:Responder"), std::string::npos);
  EXPECT_NE(s.error().message.find("status:AuthnFailed"), std::string::npos);
  EXPECT_NE(s.error().message.find("LDAP down"), std::string::npos);
}

TEST_F(StatusTest, RefusesAMissingStatus) {
  std::string xml = testing::RemoveElement(Unsigned().BuildUnsigned(), "samlp:Status");
  EXPECT_TRUE(FailsWith(CheckStatus(Load(xml), context_), "saml.status.missing"));
}

}  // namespace
}  // namespace vsso::saml::rules
