#include "saml/rules/audience.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using AudienceTest = RuleTest;

TEST_F(AudienceTest, AcceptsWhenEveryRestrictionNamesTheSp) {
  EXPECT_TRUE(
      Passes(CheckAudience(Load(Unsigned()
                                    .AudienceRestriction({"urn:other", testing::kSpEntityId})
                                    .AudienceRestriction({testing::kSpEntityId})
                                    .BuildUnsigned()),
                           context_)));
}

TEST_F(AudienceTest, RefusesWhenOneRestrictionOmitsTheSp) {
  Status s = CheckAudience(Load(Unsigned()
                                    .AudienceRestriction({testing::kSpEntityId})
                                    .AudienceRestriction({"urn:other"})
                                    .BuildUnsigned()),
                           context_);
  ASSERT_TRUE(FailsWith(s, "saml.audience.mismatch"));
  EXPECT_NE(s.error().message.find("urn:other"), std::string::npos);
}

TEST_F(AudienceTest, RefusesWithoutRestriction) {
  std::string xml = testing::RemoveElement(Unsigned().BuildUnsigned(), "saml:AudienceRestriction");
  EXPECT_TRUE(FailsWith(CheckAudience(Load(xml), context_), "saml.audience.missing"));
}

}  // namespace
}  // namespace vsso::saml::rules
