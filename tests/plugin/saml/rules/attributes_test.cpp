#include "saml/rules/attributes.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using AttributesTest = RuleTest;

TEST_F(AttributesTest, ReadsEveryAttributeAndValueInOrder) {
  Message& m = Load(Unsigned()
                        .Attribute({"urn:oid:2.5.4.42", {"Alice"}, "givenName"})
                        .Attribute({"groups", {"gold", "staff", ""}, ""})
                        .BuildUnsigned());
  ASSERT_TRUE(Passes(ReadAttributes(m, context_)));
  const auto& attributes = m.identity.attributes;
  ASSERT_EQ(attributes.size(), 2u);
  EXPECT_EQ(attributes[0].name, "urn:oid:2.5.4.42");
  EXPECT_EQ(attributes[0].friendly_name, "givenName");
  EXPECT_EQ(attributes[0].values, std::vector<std::string>{"Alice"});
  EXPECT_EQ(attributes[1].values, (std::vector<std::string>{"gold", "staff", ""}));
}

TEST_F(AttributesTest, ReadsValuesAcrossComments) {
  std::string xml = testing::ReplaceFirst(
      Unsigned().Attribute({"level", {"gold"}, ""}).BuildUnsigned(), ">gold<", ">go<!-- x -->ld<");
  Message& m = Load(xml);
  ASSERT_TRUE(Passes(ReadAttributes(m, context_)));
  EXPECT_EQ(m.identity.attributes.at(0).values.at(0), "gold");
}

TEST_F(AttributesTest, RefusesEncryptedOrNamelessAttributes) {
  std::string xml = Unsigned().Attribute({"level", {"gold"}, ""}).BuildUnsigned();
  std::string nameless = testing::ReplaceFirst(xml, "Name=\"level\"", "");
  EXPECT_TRUE(FailsWith(ReadAttributes(Load(nameless), context_), "saml.attributes.malformed"));
  std::string encrypted =
      testing::InsertBefore(xml, "</saml:AttributeStatement>", "<saml:EncryptedAttribute/>");
  EXPECT_TRUE(FailsWith(ReadAttributes(Load(encrypted), context_), "saml.attributes.encrypted"));
}

}  // namespace
}  // namespace vsso::saml::rules
