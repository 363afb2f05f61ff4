// Attribute presets for [mapping] (issue 14, item 4): `email = @email` names
// the attributes that Entra ID, AD FS, Okta, Google Workspace and
// LDAP/eduPerson IdPs send for the same thing. One table drives the loader's
// expansion, docs/configuration.md and its doc check
// (tests/plugin/config/attribute_aliases_test.cpp).
//
// It lives in config, not identity, because the loader expands aliases and
// identity already depends on config (dependencies run one way).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace vsso::config {

/// One attribute name an alias expands to and who sends it.
struct AliasName {
  std::string_view name;    ///< exact SAML Attribute Name (or FriendlyName)
  std::string_view source;  ///< key of AliasSources(), e.g. "Entra ID"
};

struct AttributeAlias {
  std::string_view alias;            ///< "@email"
  std::string_view description;      ///< one line, starts the docs' meaning cell
  std::span<const AliasName> names;  ///< preference order
};

/// Where the names of a source are documented.
struct AliasSource {
  std::string_view key;        ///< "Entra ID"
  std::string_view reference;  ///< the vendor documentation it was taken from
};

/// Every alias, in docs order.
std::span<const AttributeAlias> AttributeAliases();
/// Every source named by AttributeAliases(), in docs order.
std::span<const AliasSource> AliasSources();

/// The alias spelled `alias` ("@email"), or nullptr.
const AttributeAlias* FindAttributeAlias(std::string_view alias);

/// `items` (attribute names and `@alias`es, as the admin wrote them) with
/// each alias replaced in place by its names, in preference order; a name
/// already listed earlier is dropped. An item starting with '@' that is no
/// alias is error config.unknown_attribute_alias, whose message names it, a
/// did-you-mean suggestion when there is one, and the known aliases (the
/// caller prefixes file and key).
Result<std::vector<std::string>> ExpandAttributeAliases(const std::vector<std::string>& items);

}  // namespace vsso::config
