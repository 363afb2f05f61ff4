#include "saml/rules/signature_coverage.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using SignatureCoverageTest = RuleTest;

TEST_F(SignatureCoverageTest, AcceptsAnEnvelopedAssertionSignature) {
  Message& m = Load(testing::ResponseBuilder().Build());
  ASSERT_TRUE(Passes(CheckSignaturePlacement(m, context_)));
  ASSERT_EQ(m.signatures.size(), 1u);
  EXPECT_EQ(m.signatures[0].signed_element, m.assertion);
}

TEST_F(SignatureCoverageTest, AcceptsResponseAndAssertionSignatures) {
  Message& m = Load(testing::ResponseBuilder().SignResponse(testing::SignOptions{}).Build());
  ASSERT_TRUE(Passes(CheckSignaturePlacement(m, context_)));
  EXPECT_EQ(m.signatures.size(), 2u);
}

TEST_F(SignatureCoverageTest, RefusesASignatureElsewhere) {
  std::string xml = testing::ResponseBuilder().Build();
  std::string signature = testing::ExtractElement(xml, "ds:Signature");
  testing::ResponseBuilder other = Unsigned();
  other.ExtensionsXml(signature);
  Message& m = Load(other.BuildUnsigned());
  EXPECT_TRUE(FailsWith(CheckSignaturePlacement(m, context_), "saml.signature.placement"));
}

TEST_F(SignatureCoverageTest, RefusesAReferenceToAnotherElement) {
  testing::ResponseBuilder builder;
  testing::SignOptions options;
  options.reference_uri = "#" + builder.response_id();
  Message& m = Load(builder.SignAssertion(options).Build());
  EXPECT_TRUE(FailsWith(CheckSignaturePlacement(m, context_), "saml.signature.reference_uri"));
}

TEST_F(SignatureCoverageTest, RefusesAnEmptyReferenceUri) {
  testing::SignOptions options;
  options.reference_uri = "";
  Message& m = Load(testing::ResponseBuilder().SignAssertion(options).Build());
  EXPECT_TRUE(FailsWith(CheckSignaturePlacement(m, context_), "saml.signature.reference_uri"));
}

TEST_F(SignatureCoverageTest, RefusesTwoReferences) {
  std::string xml = testing::ResponseBuilder().Build();
  std::string reference = testing::ExtractElement(xml, "ds:Reference");
  xml = testing::InsertBefore(xml, "</ds:SignedInfo>", reference);
  EXPECT_TRUE(
      FailsWith(CheckSignaturePlacement(Load(xml), context_), "saml.signature.reference_count"));
}

TEST_F(SignatureCoverageTest, RefusesTwoSignaturesOnOneElement) {
  std::string xml = testing::ResponseBuilder().Build();
  std::string signature = testing::ExtractElement(xml, "ds:Signature");
  xml = testing::InsertBefore(xml, "</saml:Assertion>", signature);
  EXPECT_TRUE(FailsWith(CheckSignaturePlacement(Load(xml), context_), "saml.signature.duplicate"));
}

TEST_F(SignatureCoverageTest, CoverageNeedsAVerifiedSignature) {
  Message& m = Load(Unsigned().BuildUnsigned());
  ASSERT_TRUE(Passes(CheckSignaturePlacement(m, context_)));
  EXPECT_TRUE(FailsWith(CheckSignatureCoverage(m, context_), "saml.signature.missing"));
  m.assertion_signed = true;
  EXPECT_TRUE(Passes(CheckSignatureCoverage(m, context_)));
}

}  // namespace
}  // namespace vsso::saml::rules
