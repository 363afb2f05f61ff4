#include "saml/rules/in_response_to.hpp"

#include "saml/rules/bearer_confirmation.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using InResponseToTest = RuleTest;

TEST_F(InResponseToTest, AcceptsTheOutstandingRequest) {
  Message& m = Load(Unsigned().BuildUnsigned());
  ASSERT_TRUE(Passes(CheckInResponseTo(m, context_)));
  EXPECT_EQ(m.identity.in_response_to, testing::kRequestId);
}

TEST_F(InResponseToTest, RefusesAnotherOrMissingRequest) {
  EXPECT_TRUE(FailsWith(
      CheckInResponseTo(Load(Unsigned().InResponseTo("_other").BuildUnsigned()), context_),
      "saml.in_response_to.mismatch"));
  EXPECT_TRUE(FailsWith(
      CheckInResponseTo(Load(Unsigned().InResponseTo(std::nullopt).BuildUnsigned()), context_),
      "saml.in_response_to.missing"));
}

TEST_F(InResponseToTest, UnsolicitedOnlyWhenAllowed) {
  context_.expected_request_id.reset();
  std::string unsolicited = Unsigned().InResponseTo(std::nullopt).BuildUnsigned();
  EXPECT_TRUE(
      FailsWith(CheckInResponseTo(Load(unsolicited), context_), "saml.in_response_to.unsolicited"));
  context_.allow_unsolicited = true;
  EXPECT_TRUE(Passes(CheckInResponseTo(Load(unsolicited), context_)));
  // A response to some request when none is outstanding belongs elsewhere.
  EXPECT_TRUE(FailsWith(CheckInResponseTo(Load(Unsigned().BuildUnsigned()), context_),
                        "saml.in_response_to.unknown_request"));
}

TEST_F(InResponseToTest, UnsolicitedWhileARequestIsOutstandingOnlyWhenAllowed) {
  // The visitor started a sign-in, but the IdP sent an IdP-initiated response.
  std::string unsolicited =
      Unsigned().InResponseTo(std::nullopt).SubjectInResponseTo(std::nullopt).BuildUnsigned();
  EXPECT_TRUE(
      FailsWith(CheckInResponseTo(Load(unsolicited), context_), "saml.in_response_to.missing"));
  context_.allow_unsolicited = true;
  EXPECT_TRUE(Passes(CheckInResponseTo(Load(unsolicited), context_)));
  EXPECT_TRUE(Passes(CheckBearerConfirmation(Load(unsolicited), context_)));
  // Still no answer to some other request.
  EXPECT_TRUE(FailsWith(
      CheckInResponseTo(Load(Unsigned().InResponseTo("_other").BuildUnsigned()), context_),
      "saml.in_response_to.mismatch"));
}

}  // namespace
}  // namespace vsso::saml::rules
