// The whole rule list through the public API (response_validator.hpp).
#include "saml/response_validator.hpp"

#include <gtest/gtest.h>

#include "common/encoding.hpp"
#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using PipelineTest = RuleTest;

TEST_F(PipelineTest, AcceptsASignedAssertion) {
  testing::ResponseBuilder builder;
  builder.NameId("alice@example.org").Attribute({"level", {"gold"}, ""});
  auto identity = ValidateResponse(builder.Build(), context_);
  ASSERT_TRUE(identity) << identity.error().code << ": " << identity.error().message;
  EXPECT_EQ(identity->name_id, "alice@example.org");
  EXPECT_EQ(identity->assertion_id, builder.assertion_id());
  EXPECT_EQ(identity->response_id, builder.response_id());
  EXPECT_EQ(identity->issuer, testing::kIdpEntityId);
  EXPECT_EQ(identity->in_response_to, testing::kRequestId);
  EXPECT_EQ(identity->assertion_not_on_or_after, testing::kTestNow + 300);
  EXPECT_FALSE(identity->was_encrypted);
  ASSERT_EQ(identity->attributes.size(), 1u);
}

TEST_F(PipelineTest, AcceptsASignedResponseWithAnEncryptedAssertion) {
  testing::ResponseBuilder builder;
  builder.SignAssertion(std::nullopt)
      .Encrypt(testing::EncryptOptions{})
      .SignResponse(testing::SignOptions{});
  auto identity = ValidateResponse(builder.Build(), context_);
  ASSERT_TRUE(identity) << identity.error().code << ": " << identity.error().message;
  EXPECT_TRUE(identity->was_encrypted);
  EXPECT_EQ(identity->name_id, "alice@example.org");
}

TEST_F(PipelineTest, AcceptsAnEncryptedSignedAssertion) {
  testing::ResponseBuilder builder;
  builder.Encrypt(testing::EncryptOptions{});
  auto identity = ValidateResponse(builder.Build(), context_);
  ASSERT_TRUE(identity) << identity.error().code << ": " << identity.error().message;
  EXPECT_TRUE(identity->was_encrypted);
}

TEST_F(PipelineTest, RefusesAnUnsignedEncryptedAssertion) {
  auto identity = ValidateResponse(Unsigned().Encrypt(testing::EncryptOptions{}).Build(), context_);
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code, "saml.signature.missing");
}

TEST_F(PipelineTest, VerifiesTheSignatureInsideADecryptedAssertion) {
  testing::SignOptions attacker;
  attacker.key = &testing::AttackerKey();
  auto identity = ValidateResponse(
      testing::ResponseBuilder().SignAssertion(attacker).Encrypt(testing::EncryptOptions{}).Build(),
      context_);
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code, "saml.signature.invalid");
}

TEST_F(PipelineTest, FillsTheSummaryOnRejection) {
  testing::ResponseBuilder builder;
  builder.AssertionIssuer("https://evil.example");
  ResponseSummary summary;
  auto identity = ValidateResponse(builder.Build(), context_, &summary);
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code, "saml.issuer.mismatch");
  EXPECT_EQ(summary.response_id, builder.response_id());
  EXPECT_EQ(summary.assertion_id, builder.assertion_id());
  EXPECT_EQ(summary.issuer, "https://evil.example");
}

TEST_F(PipelineTest, ReportsTheFirstFailureOnly) {
  // Expired and for another audience: the audience rule runs after the
  // conditions window, so expiry is what the admin sees.
  auto identity = ValidateResponse(testing::ResponseBuilder()
                                       .NotOnOrAfter(testing::kTestNow - 600)
                                       .AudienceRestriction({"urn:other"})
                                       .Build(),
                                   context_);
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code, "saml.conditions.expired");
}

TEST(DecodePostedResponseTest, DecodesWrappedBase64AndRefusesGarbage) {
  std::string encoded = encoding::Base64Encode("<samlp:Response/>");
  encoded.insert(8, "\r\n");
  EXPECT_EQ(DecodePostedResponse(encoded).value(), "<samlp:Response/>");
  auto bad = DecodePostedResponse("not base64 !");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "saml.binding.bad_base64");
  EXPECT_FALSE(DecodePostedResponse(""));
}

}  // namespace
}  // namespace vsso::saml::rules
