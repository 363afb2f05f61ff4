#include "saml/rules/xml_hardening.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

class XmlHardeningTest : public RuleTest {
 protected:
  Status Parse(const std::string& xml) {
    xml_ = xml;
    message_ = std::make_unique<Message>(xml_);
    return ParseHardened(*message_, context_);
  }
};

TEST_F(XmlHardeningTest, ParsesAResponseAndIndexesIt) {
  ASSERT_TRUE(Passes(Parse(Unsigned().BuildUnsigned())));
  EXPECT_EQ(message_->assertion_elements.size(), 1u);
  EXPECT_GE(message_->id_attributes.size(), 2u);
}

TEST_F(XmlHardeningTest, RefusesEmptyInput) { EXPECT_TRUE(FailsWith(Parse(""), "saml.xml.empty")); }

TEST_F(XmlHardeningTest, RefusesOversizeBeforeParsing) {
  context_.max_response_bytes = 100;
  EXPECT_TRUE(FailsWith(Parse(Unsigned().BuildUnsigned()), "saml.xml.too_large"));
}

TEST_F(XmlHardeningTest, RefusesAnyDoctype) {
  EXPECT_TRUE(
      FailsWith(Parse("<!DOCTYPE r [<!ENTITY a \"aaaa\">]><r>&a;</r>"), "saml.xml.doctype"));
  EXPECT_TRUE(FailsWith(Parse("<!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><r/>"),
                        "saml.xml.doctype"));
}

TEST_F(XmlHardeningTest, RefusesMalformedXmlWithPosition) {
  Status s = Parse("<a><b></a>");
  ASSERT_TRUE(FailsWith(s, "saml.xml.malformed"));
  EXPECT_NE(s.error().message.find("line 1"), std::string::npos) << s.error().message;
}

TEST_F(XmlHardeningTest, RefusesDeepNesting) {
  std::string deep;
  for (int i = 0; i < kMaxDepth + 1; ++i) deep += "<a>";
  for (int i = 0; i < kMaxDepth + 1; ++i) deep += "</a>";
  EXPECT_TRUE(FailsWith(Parse(deep), "saml.xml.too_deep"));
  std::string ok;
  for (int i = 0; i < kMaxDepth; ++i) ok += "<a>";
  for (int i = 0; i < kMaxDepth; ++i) ok += "</a>";
  EXPECT_TRUE(Passes(Parse(ok)));
}

TEST_F(XmlHardeningTest, RefusesTooManyNodes) {
  std::string wide = "<r>";
  for (std::size_t i = 0; i < kMaxNodes; ++i) wide += "<a/>";
  wide += "</r>";
  EXPECT_TRUE(FailsWith(Parse(wide), "saml.xml.too_many_nodes"));
}

}  // namespace
}  // namespace vsso::saml::rules
