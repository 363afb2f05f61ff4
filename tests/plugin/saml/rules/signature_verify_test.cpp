#include "saml/rules/signature_verify.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"
#include "saml/rules/algorithm_policy.hpp"
#include "saml/rules/signature_coverage.hpp"

namespace vsso::saml::rules {
namespace {

class SignatureVerifyTest : public RuleTest {
 protected:
  Status Run(const std::string& xml) {
    Message& m = Load(xml);
    EXPECT_TRUE(Passes(CheckSignaturePlacement(m, context_)));
    EXPECT_TRUE(Passes(CheckAlgorithmPolicy(m, context_)));
    return VerifySignatures(m, context_);
  }
};

TEST_F(SignatureVerifyTest, VerifiesWithThePinnedCertificate) {
  ASSERT_TRUE(Passes(Run(testing::ResponseBuilder().Build())));
  EXPECT_TRUE(message_->assertion_signed);
  EXPECT_FALSE(message_->response_signed);
}

TEST_F(SignatureVerifyTest, VerifiesResponseSignature) {
  ASSERT_TRUE(Passes(Run(testing::ResponseBuilder()
                             .SignAssertion(std::nullopt)
                             .SignResponse(testing::SignOptions{})
                             .Build())));
  EXPECT_TRUE(message_->response_signed);
}

TEST_F(SignatureVerifyTest, AcceptsAnyConfiguredCertificateAndEcdsa) {
  context_.idp_certificates = {testing::IdpRolloverKey().Certificate(),
                               testing::IdpEcKey().Certificate()};
  testing::SignOptions options;
  options.key = &testing::IdpEcKey();
  EXPECT_TRUE(Passes(Run(testing::ResponseBuilder().SignAssertion(options).Build())));
}

// The pinned key's manager drops xmlsec's "is it a public key" check (a
// certificate's key is); the algorithm check stays: an EC certificate does
// not verify an RSA signature, and the refusal says why.
TEST_F(SignatureVerifyTest, RefusesAKeyOfAnotherAlgorithmThanTheSignatureMethod) {
  context_.idp_certificates = {testing::IdpEcKey().Certificate()};
  Status s = Run(testing::ResponseBuilder().Build());
  ASSERT_TRUE(FailsWith(s, "saml.signature.invalid"));
  EXPECT_NE(s.error().message.find("xmlsec could not use this"), std::string::npos)
      << s.error().message;
}

TEST_F(SignatureVerifyTest, RefusesAnUntrustedKeyEvenWithKeyInfo) {
  testing::SignOptions options;
  options.key = &testing::AttackerKey();
  options.key_info = testing::KeyInfoMode::kKeyValue;
  Status s = Run(testing::ResponseBuilder().SignAssertion(options).Build());
  ASSERT_TRUE(FailsWith(s, "saml.signature.invalid"));
  EXPECT_NE(s.error().message.find(context_.idp_certificates[0].sha256_fingerprint),
            std::string::npos)
      << s.error().message;
}

TEST_F(SignatureVerifyTest, RefusesModifiedSignedContent) {
  std::string xml = testing::ReplaceFirst(testing::ResponseBuilder().Build(), "alice@example.org",
                                          "mallory@example.org");
  Status s = Run(xml);
  ASSERT_TRUE(FailsWith(s, "saml.signature.invalid"));
  EXPECT_NE(s.error().message.find("DigestValue"), std::string::npos) << s.error().message;
}

TEST_F(SignatureVerifyTest, RefusesWithoutCertificates) {
  context_.idp_certificates.clear();
  EXPECT_TRUE(FailsWith(Run(testing::ResponseBuilder().Build()), "saml.signature.no_certificate"));
}

}  // namespace
}  // namespace vsso::saml::rules
