#include "saml/rules/bearer_confirmation.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using BearerConfirmationTest = RuleTest;

TEST_F(BearerConfirmationTest, AcceptsAValidBearerConfirmation) {
  Message& m = Load(Unsigned().SubjectNotOnOrAfter(testing::kTestNow + 60).BuildUnsigned());
  ASSERT_TRUE(Passes(CheckBearerConfirmation(m, context_)));
  EXPECT_EQ(m.identity.assertion_not_on_or_after, testing::kTestNow + 60);
}

TEST_F(BearerConfirmationTest, RefusesAnotherRecipient) {
  EXPECT_TRUE(
      FailsWith(CheckBearerConfirmation(
                    Load(Unsigned().Recipient("https://x.example/acs").BuildUnsigned()), context_),
                "saml.subject_confirmation.recipient"));
}

TEST_F(BearerConfirmationTest, RefusesExpiryBeyondSkew) {
  context_.clock_skew_seconds = 120;
  auto built = [&](UnixSeconds t) { return Unsigned().SubjectNotOnOrAfter(t).BuildUnsigned(); };
  EXPECT_TRUE(Passes(CheckBearerConfirmation(Load(built(testing::kTestNow - 119)), context_)));
  Status s = CheckBearerConfirmation(Load(built(testing::kTestNow - 120)), context_);
  ASSERT_TRUE(FailsWith(s, "saml.subject_confirmation.expired"));
  EXPECT_NE(s.error().message.find("skew 120 s"), std::string::npos) << s.error().message;
}

TEST_F(BearerConfirmationTest, RefusesNotBeforeAndWrongInResponseTo) {
  std::string xml =
      testing::ReplaceFirst(Unsigned().BuildUnsigned(), "<saml:SubjectConfirmationData",
                            "<saml:SubjectConfirmationData NotBefore=\"2027-01-15T07:59:00Z\"");
  EXPECT_TRUE(FailsWith(CheckBearerConfirmation(Load(xml), context_),
                        "saml.subject_confirmation.not_before"));
  EXPECT_TRUE(FailsWith(
      CheckBearerConfirmation(Load(Unsigned().SubjectInResponseTo("_x").BuildUnsigned()), context_),
      "saml.subject_confirmation.in_response_to"));
  EXPECT_TRUE(
      FailsWith(CheckBearerConfirmation(
                    Load(Unsigned().SubjectInResponseTo(std::nullopt).BuildUnsigned()), context_),
                "saml.subject_confirmation.in_response_to"));
}

TEST_F(BearerConfirmationTest, RefusesWithoutBearerMethod) {
  std::string xml =
      testing::ReplaceFirst(Unsigned().BuildUnsigned(), "cm:bearer", "cm:holder-of-key");
  EXPECT_TRUE(
      FailsWith(CheckBearerConfirmation(Load(xml), context_), "saml.subject_confirmation.missing"));
}

}  // namespace
}  // namespace vsso::saml::rules
