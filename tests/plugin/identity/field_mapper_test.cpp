#include "identity/field_mapper.hpp"

#include <gtest/gtest.h>

namespace vsso::identity {
namespace {

saml::Attribute Attr(std::string name, std::vector<std::string> values, std::string friendly = {}) {
  return saml::Attribute{std::move(name), std::move(friendly), {}, std::move(values)};
}

TEST(FieldMapper, FirstPresentAlternativeWins) {
  std::vector<config::Mapping> mappings{{"email", {"mail", "urn:oid:0.9.2342.19200300.100.1.3"}}};
  auto out = MapAttributes(
      mappings, {Attr("urn:oid:0.9.2342.19200300.100.1.3", {"a@x.org"}), Attr("other", {"z"})});
  ASSERT_EQ(out.fields.size(), 1u);
  EXPECT_EQ(out.fields[0].Display(), "a@x.org");
  EXPECT_EQ(out.fields[0].source_attribute, "urn:oid:0.9.2342.19200300.100.1.3");
  EXPECT_TRUE(out.missing.empty());

  out = MapAttributes(
      mappings, {Attr("urn:oid:0.9.2342.19200300.100.1.3", {"second"}), Attr("mail", {"first"})});
  EXPECT_EQ(out.fields[0].Display(), "first");
}

TEST(FieldMapper, MatchesFriendlyNameAndKeepsAllValuesInOrder) {
  std::vector<config::Mapping> mappings{{"variable:groups", {"memberOf"}}};
  auto out = MapAttributes(mappings,
                           {Attr("urn:oid:1.2.840.113556.1.2.102", {"b", "a", "c"}, "memberOf")});
  ASSERT_EQ(out.fields[0].values, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(out.fields[0].Display(), "b, a, c");
  EXPECT_EQ(out.fields[0].kind, FieldKind::kVariable);
  EXPECT_EQ(out.fields[0].label, "groups");
}

TEST(FieldMapper, MissingAttributeLeavesFieldEmptyAndIsReported) {
  std::vector<config::Mapping> mappings{{"name", {"displayName"}},
                                        {"prechat:Account Number", {"accountNumber"}}};
  auto out = MapAttributes(mappings, {Attr("displayName", {"Zoë"})});
  ASSERT_EQ(out.fields.size(), 2u);
  EXPECT_EQ(out.fields[1].label, "Account Number");
  EXPECT_TRUE(out.fields[1].values.empty());
  EXPECT_EQ(out.missing, (std::vector<std::string>{"prechat:Account Number"}));
}

TEST(FieldMapper, CustomerIdIsNameIdOrConfiguredAttribute) {
  saml::Identity id;
  id.name_id = "user-42";
  id.issuer = "https://idp";
  id.attributes = {Attr("employeeNumber", {"E-7", "E-8"})};
  EXPECT_EQ(*CustomerId(id, ""), "user-42");
  EXPECT_EQ(*CustomerId(id, "employeeNumber"), "E-7");
  auto missing = CustomerId(id, "uid");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "identity.customer_id_missing");
  EXPECT_NE(missing.error().message.find("uid"), std::string::npos);
}

}  // namespace
}  // namespace vsso::identity
