#include "saml/rules/destination.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using DestinationTest = RuleTest;

TEST_F(DestinationTest, AcceptsTheAcsUrl) {
  EXPECT_TRUE(Passes(CheckDestination(Load(Unsigned().BuildUnsigned()), context_)));
}

TEST_F(DestinationTest, RefusesAnotherOrMissingDestination) {
  EXPECT_TRUE(FailsWith(
      CheckDestination(Load(Unsigned().Destination("https://other.example/acs").BuildUnsigned()),
                       context_),
      "saml.destination.mismatch"));
  EXPECT_TRUE(FailsWith(
      CheckDestination(Load(Unsigned().Destination(std::nullopt).BuildUnsigned()), context_),
      "saml.destination.missing"));
}

}  // namespace
}  // namespace vsso::saml::rules
