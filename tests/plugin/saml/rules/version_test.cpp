#include "saml/rules/version.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

using VersionTest = RuleTest;

TEST_F(VersionTest, AcceptsSaml20AndRecordsIds) {
  testing::ResponseBuilder builder = Unsigned();
  Message& m = Load(builder.BuildUnsigned());
  ASSERT_TRUE(Passes(CheckVersion(m, context_)));
  EXPECT_EQ(m.identity.response_id, builder.response_id());
  EXPECT_EQ(m.identity.assertion_id, builder.assertion_id());
  EXPECT_EQ(m.identity.issue_instant, testing::kTestNow);
}

TEST_F(VersionTest, RefusesOtherVersions) {
  testing::ResponseBuilder builder = Unsigned();
  std::string xml = builder.BuildUnsigned();
  // The second Version attribute is the assertion's.
  auto at = xml.find("Version=\"2.0\"", xml.find("Version=\"2.0\"") + 1);
  xml.replace(at, 13, "Version=\"1.1\"");
  EXPECT_TRUE(FailsWith(CheckVersion(Load(xml), context_), "saml.version.unsupported"));
}

}  // namespace
}  // namespace vsso::saml::rules
