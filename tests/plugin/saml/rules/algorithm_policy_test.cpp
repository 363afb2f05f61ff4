#include "saml/rules/algorithm_policy.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"
#include "saml/rules/signature_coverage.hpp"

namespace vsso::saml::rules {
namespace {

class AlgorithmPolicyTest : public RuleTest {
 protected:
  Status Run(const testing::SignOptions& options) {
    Message& m = Load(testing::ResponseBuilder().SignAssertion(options).Build());
    EXPECT_TRUE(Passes(CheckSignaturePlacement(m, context_)));
    return CheckAlgorithmPolicy(m, context_);
  }
};

TEST_F(AlgorithmPolicyTest, AcceptsSha256AndInclusiveC14n) {
  EXPECT_TRUE(Passes(Run({})));
  testing::SignOptions options;
  options.c14n_method = testing::kInclC14n;
  options.signature_method = testing::kRsaSha512;
  options.digest_method = testing::kSha384;
  EXPECT_TRUE(Passes(Run(options)));
}

TEST_F(AlgorithmPolicyTest, Sha1OnlyWhenAllowed) {
  testing::SignOptions options;
  options.signature_method = testing::kRsaSha1;
  Status s = Run(options);
  ASSERT_TRUE(FailsWith(s, "saml.signature.algorithm"));
  EXPECT_NE(s.error().message.find("allow_sha1"), std::string::npos);
  options.signature_method = testing::kRsaSha256;
  options.digest_method = testing::kSha1;
  EXPECT_TRUE(FailsWith(Run(options), "saml.signature.algorithm"));
  context_.allow_sha1 = true;
  options.signature_method = testing::kRsaSha1;
  EXPECT_TRUE(Passes(Run(options)));
}

TEST_F(AlgorithmPolicyTest, RefusesHmacEvenWithSha1Allowed) {
  context_.allow_sha1 = true;
  testing::SignOptions options;
  options.hmac_key = "shared secret";
  options.signature_method = testing::kHmacSha256;
  EXPECT_TRUE(FailsWith(Run(options), "saml.signature.algorithm"));
}

TEST_F(AlgorithmPolicyTest, RefusesXPathAndXsltTransforms) {
  testing::SignOptions options;
  options.extra_transform = testing::ExtraTransform::kXPath;
  EXPECT_TRUE(FailsWith(Run(options), "saml.signature.transform"));
  options.extra_transform = testing::ExtraTransform::kXslt;
  EXPECT_TRUE(FailsWith(Run(options), "saml.signature.transform"));
}

TEST_F(AlgorithmPolicyTest, RefusesAnUnknownCanonicalization) {
  std::string xml = testing::ReplaceFirst(
      testing::ResponseBuilder().Build(),
      "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"",
      "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"");
  Message& m = Load(xml);
  ASSERT_TRUE(Passes(CheckSignaturePlacement(m, context_)));
  EXPECT_TRUE(FailsWith(CheckAlgorithmPolicy(m, context_), "saml.signature.transform"));
}

}  // namespace
}  // namespace vsso::saml::rules
