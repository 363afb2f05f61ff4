#include "identity/field_mapper.hpp"

#include <gtest/gtest.h>

#include "config/attribute_aliases.hpp"

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

// `@email` as the loader expands it, against each vendor's shape: names
// match exactly (case-sensitive) on Name, then FriendlyName.
TEST(FieldMapper, AnExpandedAliasMatchesEachVendorsNames) {
  auto names = config::ExpandAttributeAliases({"@email"});
  ASSERT_TRUE(names.has_value());
  std::vector<config::Mapping> mappings{{"email", *names, "@email"}};
  const std::vector<std::pair<saml::Attribute, std::string>> shapes = {
      {Attr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", {"entra@x"}),
       "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"},
      // SimpleSAMLphp/Shibboleth with the uri NameFormat: OID Name, FriendlyName.
      {Attr("urn:oid:0.9.2342.19200300.100.1.3", {"ldap@x"}, "mail"),
       "urn:oid:0.9.2342.19200300.100.1.3"},
      {Attr("mail", {"basic@x"}), "mail"},
      {Attr("email", {"okta@x"}), "email"},
  };
  for (const auto& [attribute, source] : shapes) {
    auto out = MapAttributes(mappings, {Attr("other", {"z"}), attribute});
    EXPECT_EQ(out.fields[0].Display(), attribute.values.front()) << source;
    EXPECT_EQ(out.fields[0].source_attribute, source);
  }
  // An attribute named under an unknown FriendlyName only, or spelled in
  // another case, is not one of @email's names.
  auto out = MapAttributes(mappings,
                           {Attr("urn:x:custom", {"x@x"}, "EMail"),
                            Attr("http://schemas.xmlsoap.org/claims/EmailAddress", {"adfs1@x"})});
  EXPECT_TRUE(out.fields[0].values.empty());
  EXPECT_EQ(out.missing, (std::vector<std::string>{"email"}));
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
