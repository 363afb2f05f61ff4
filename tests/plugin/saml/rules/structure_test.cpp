#include "saml/rules/structure.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

class StructureTest : public RuleTest {
 protected:
  Status Run(const std::string& xml) {
    xml_ = xml;
    message_ = std::make_unique<Message>(xml_);
    EXPECT_TRUE(Passes(ParseHardened(*message_, context_)));
    return CheckStructure(*message_, context_);
  }
};

TEST_F(StructureTest, FindsResponseAndItsAssertion) {
  ASSERT_TRUE(Passes(Run(Unsigned().BuildUnsigned())));
  EXPECT_NE(message_->response, nullptr);
  EXPECT_NE(message_->assertion, nullptr);
  EXPECT_EQ(message_->encrypted_assertion, nullptr);
}

TEST_F(StructureTest, FindsAnEncryptedAssertion) {
  ASSERT_TRUE(Passes(Run(Unsigned().Encrypt(testing::EncryptOptions{}).Build())));
  EXPECT_EQ(message_->assertion, nullptr);
  EXPECT_NE(message_->encrypted_assertion, nullptr);
}

TEST_F(StructureTest, WorksWithAnyPrefix) {
  EXPECT_TRUE(Passes(Run(Unsigned().Prefixes("", "a2").BuildUnsigned())));
}

TEST_F(StructureTest, RefusesAnotherRootElement) {
  std::string xml = Unsigned().BuildUnsigned();
  EXPECT_TRUE(FailsWith(Run(testing::ExtractElement(xml, "saml:Assertion")),
                        "saml.structure.not_response"));
  // Same local name, wrong namespace.
  EXPECT_TRUE(FailsWith(Run(testing::ReplaceFirst(xml, testing::kProtocolNs, "urn:evil")),
                        "saml.structure.not_response"));
}

TEST_F(StructureTest, RefusesTwoAssertions) {
  std::string xml = Unsigned().BuildUnsigned();
  std::string assertion = testing::ExtractElement(xml, "saml:Assertion");
  std::string twice = testing::InsertBefore(xml, "</samlp:Response>",
                                            testing::ReplaceFirst(assertion, "ID=\"", "ID=\"x"));
  EXPECT_TRUE(FailsWith(Run(twice), "saml.structure.assertion_count"));
}

TEST_F(StructureTest, RefusesAnAssertionHiddenInExtensions) {
  std::string xml = Unsigned().BuildUnsigned();
  std::string assertion = testing::ExtractElement(xml, "saml:Assertion");
  std::string moved = testing::RemoveElement(
      testing::ReplaceFirst(xml, "<samlp:Status>",
                            "<samlp:Extensions>" + assertion + "</samlp:Extensions><samlp:Status>"),
      "saml:Assertion", 1);
  EXPECT_TRUE(FailsWith(Run(moved), "saml.structure.nested_assertion"));
}

TEST_F(StructureTest, RefusesNoAssertion) {
  std::string xml = testing::RemoveElement(Unsigned().BuildUnsigned(), "saml:Assertion");
  EXPECT_TRUE(FailsWith(Run(xml), "saml.structure.assertion_count"));
}

}  // namespace
}  // namespace vsso::saml::rules
