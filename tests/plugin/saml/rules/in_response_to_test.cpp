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

// SAML Core 3.2.2: the Response's InResponseTo is optional; ADFS, among
// others, writes it on the bearer SubjectConfirmationData only (Profiles
// 4.1.4.2). Such a response answers the request; it is not unsolicited.
TEST_F(InResponseToTest, SolicitedWithInResponseToOnlyOnTheBearerConfirmation) {
  const std::string xml =
      Unsigned().InResponseTo(std::nullopt).SubjectInResponseTo(testing::kRequestId).Build();
  for (bool allow_unsolicited : {false, true}) {
    context_.allow_unsolicited = allow_unsolicited;
    Message& m = Load(xml);
    ASSERT_TRUE(Passes(CheckInResponseTo(m, context_)));
    EXPECT_EQ(m.identity.in_response_to, testing::kRequestId)
        << "judged solicited with allow_unsolicited " << allow_unsolicited;
    EXPECT_TRUE(Passes(CheckBearerConfirmation(m, context_)));
  }
}

TEST_F(InResponseToTest, BearerInResponseToNamingAnotherRequestIsAMismatch) {
  const std::string xml =
      Unsigned().InResponseTo(std::nullopt).SubjectInResponseTo("_other").Build();
  for (bool allow_unsolicited : {false, true}) {
    context_.allow_unsolicited = allow_unsolicited;
    const Status s = CheckInResponseTo(Load(xml), context_);
    ASSERT_TRUE(FailsWith(s, "saml.in_response_to.mismatch"));
    EXPECT_NE(s.error().message.find("SubjectConfirmationData"), std::string::npos)
        << s.error().message;
  }
}

TEST_F(InResponseToTest, BearerInResponseToWithNothingOutstandingIsUnknown) {
  context_.expected_request_id.reset();
  context_.allow_unsolicited = true;
  const std::string xml =
      Unsigned().InResponseTo(std::nullopt).SubjectInResponseTo(testing::kRequestId).Build();
  EXPECT_TRUE(
      FailsWith(CheckInResponseTo(Load(xml), context_), "saml.in_response_to.unknown_request"));
}

TEST_F(InResponseToTest, BothPresentMustBothMatch) {
  // The Response's matches, the signed bearer's does not.
  std::string xml = Unsigned().SubjectInResponseTo("_other").Build();
  Message& m = Load(xml);
  EXPECT_TRUE(Passes(CheckInResponseTo(m, context_)));
  EXPECT_TRUE(
      FailsWith(CheckBearerConfirmation(m, context_), "saml.subject_confirmation.in_response_to"));
  // The bearer's matches, the Response's does not.
  xml = Unsigned().InResponseTo("_other").SubjectInResponseTo(testing::kRequestId).Build();
  EXPECT_TRUE(FailsWith(CheckInResponseTo(Load(xml), context_), "saml.in_response_to.mismatch"));
}

TEST_F(InResponseToTest, ResponseInResponseToAloneIsNotEnough) {
  // Only the bearer's InResponseTo is inside the signed assertion; an
  // assertion-signed response could have had the Response's added.
  context_.allow_unsolicited = true;
  Message& m = Load(Unsigned().SubjectInResponseTo(std::nullopt).Build());
  EXPECT_TRUE(Passes(CheckInResponseTo(m, context_)));
  EXPECT_TRUE(
      FailsWith(CheckBearerConfirmation(m, context_), "saml.subject_confirmation.in_response_to"));
}

}  // namespace
}  // namespace vsso::saml::rules
