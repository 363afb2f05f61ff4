#include "saml/rules/conditions_window.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using ConditionsWindowTest = RuleTest;

TEST_F(ConditionsWindowTest, AcceptsNowWithinTheWindowAndSkew) {
  context_.clock_skew_seconds = 120;
  Message& m = Load(Unsigned()
                        .NotBefore(testing::kTestNow + 100)
                        .NotOnOrAfter(testing::kTestNow + 500)
                        .BuildUnsigned());
  m.identity.assertion_not_on_or_after = testing::kTestNow + 600;
  ASSERT_TRUE(Passes(CheckConditionsWindow(m, context_)));
  EXPECT_EQ(m.identity.assertion_not_on_or_after, testing::kTestNow + 500);
}

TEST_F(ConditionsWindowTest, RefusesExpiredWithPreciseMessage) {
  context_.clock_skew_seconds = 120;
  Status s = CheckConditionsWindow(
      Load(Unsigned().NotOnOrAfter(testing::kTestNow - 307).BuildUnsigned()), context_);
  ASSERT_TRUE(FailsWith(s, "saml.conditions.expired"));
  EXPECT_EQ(s.error().message,
            "assertion expired at 2027-01-15T07:54:53Z, now 2027-01-15T08:00:00Z, skew 120 s");
}

TEST_F(ConditionsWindowTest, RefusesNotYetValid) {
  context_.clock_skew_seconds = 120;
  EXPECT_TRUE(
      FailsWith(CheckConditionsWindow(
                    Load(Unsigned().NotBefore(testing::kTestNow + 121).BuildUnsigned()), context_),
                "saml.conditions.not_yet_valid"));
}

TEST_F(ConditionsWindowTest, RefusesUnknownConditionsAndBadTimes) {
  std::string xml = Unsigned().BuildUnsigned();
  std::string unknown =
      testing::InsertBefore(xml, "</saml:Conditions>", "<saml:Condition xsi:type=\"x:Custom\"/>");
  EXPECT_TRUE(FailsWith(CheckConditionsWindow(Load(unknown), context_), "saml.conditions.unknown"));
  std::string bad = testing::ReplaceFirst(xml, "NotBefore=\"2027", "NotBefore=\"27");
  EXPECT_TRUE(FailsWith(CheckConditionsWindow(Load(bad), context_), "saml.time.invalid"));
  std::string none = testing::RemoveElement(xml, "saml:Conditions");
  EXPECT_TRUE(FailsWith(CheckConditionsWindow(Load(none), context_), "saml.conditions.missing"));
}

}  // namespace
}  // namespace vsso::saml::rules
