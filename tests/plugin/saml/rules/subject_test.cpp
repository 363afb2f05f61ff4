#include "saml/rules/subject.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using SubjectTest = RuleTest;

TEST_F(SubjectTest, ReadsTheNameIdAndFormat) {
  Message& m = Load(Unsigned().NameId("bob@example.org").BuildUnsigned());
  ASSERT_TRUE(Passes(CheckSubject(m, context_)));
  EXPECT_EQ(m.identity.name_id, "bob@example.org");
  EXPECT_EQ(m.identity.name_id_format, testing::kNameIdEmail);
}

TEST_F(SubjectTest, ReadsTheFullTextAcrossCommentsAndCdata) {
  std::string xml = testing::ReplaceFirst(Unsigned().NameId("x").BuildUnsigned(), ">x<",
                                          ">alice@evil.org<!---->.example.com<![CDATA[.au]]><");
  Message& m = Load(xml);
  ASSERT_TRUE(Passes(CheckSubject(m, context_)));
  EXPECT_EQ(m.identity.name_id, "alice@evil.org.example.com.au");
}

TEST_F(SubjectTest, RefusesMissingOrEmptyNameId) {
  std::string xml = Unsigned().BuildUnsigned();
  EXPECT_TRUE(FailsWith(CheckSubject(Load(testing::RemoveElement(xml, "saml:NameID")), context_),
                        "saml.subject.name_id_missing"));
  EXPECT_TRUE(FailsWith(CheckSubject(Load(Unsigned().NameId("  ").BuildUnsigned()), context_),
                        "saml.subject.name_id_empty"));
  EXPECT_TRUE(FailsWith(CheckSubject(Load(testing::RemoveElement(xml, "saml:Subject")), context_),
                        "saml.subject.missing"));
}

}  // namespace
}  // namespace vsso::saml::rules
