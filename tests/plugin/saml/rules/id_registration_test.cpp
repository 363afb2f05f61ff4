#include "saml/rules/id_registration.hpp"

#include <libxml/valid.h>

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

class IdRegistrationTest : public RuleTest {
 protected:
  Status Run(const std::string& xml) {
    xml_ = xml;
    message_ = std::make_unique<Message>(xml_);
    EXPECT_TRUE(Passes(ParseHardened(*message_, context_)));
    EXPECT_TRUE(Passes(CheckStructure(*message_, context_)));
    return RegisterIds(*message_, context_);
  }
};

TEST_F(IdRegistrationTest, RegistersResponseAndAssertionIds) {
  testing::ResponseBuilder builder = Unsigned();
  ASSERT_TRUE(Passes(Run(builder.BuildUnsigned())));
  auto resolves_to = [&](const std::string& id) {
    xmlAttrPtr attr = xmlGetID(message_->doc.get(), reinterpret_cast<const xmlChar*>(id.c_str()));
    return attr != nullptr ? attr->parent : nullptr;
  };
  EXPECT_EQ(resolves_to(builder.response_id()), message_->response);
  EXPECT_EQ(resolves_to(builder.assertion_id()), message_->assertion);
}

TEST_F(IdRegistrationTest, RefusesADuplicateIdAnywhere) {
  testing::ResponseBuilder builder = Unsigned();
  builder.ExtensionsXml("<x:Thing xmlns:x=\"urn:x\" ID=\"" + builder.assertion_id() + "\"/>");
  Status s = Run(builder.BuildUnsigned());
  ASSERT_TRUE(FailsWith(s, "saml.id.duplicate"));
  EXPECT_NE(s.error().message.find(builder.assertion_id()), std::string::npos);
}

TEST_F(IdRegistrationTest, RefusesADuplicateXmlId) {
  testing::ResponseBuilder builder = Unsigned();
  builder.ExtensionsXml("<x:Thing xmlns:x=\"urn:x\" xml:id=\"" + builder.response_id() + "\"/>");
  EXPECT_TRUE(FailsWith(Run(builder.BuildUnsigned()), "saml.id.duplicate"));
}

TEST_F(IdRegistrationTest, RefusesAMissingId) {
  testing::ResponseBuilder builder = Unsigned();
  std::string xml =
      testing::ReplaceFirst(builder.BuildUnsigned(), "ID=\"" + builder.assertion_id() + "\"", "");
  EXPECT_TRUE(FailsWith(Run(xml), "saml.id.missing"));
}

}  // namespace
}  // namespace vsso::saml::rules
