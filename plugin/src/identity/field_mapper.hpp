// Verified identity -> chat fields, as the admin's [mapping] says.
// Pure functions; any thread.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "config/settings.hpp"
#include "saml/response_validator.hpp"

namespace vsso::identity {

enum class FieldKind { kSystem, kPrechat, kVariable };

struct MappedField {
  std::string key;    ///< config key: "email", "prechat:Account Number", "variable:level"
  std::string label;  ///< "Email", "Account Number", "level"
  FieldKind kind = FieldKind::kSystem;
  std::vector<std::string> values;  ///< every value, IdP order; empty when missing
  std::string source_attribute;     ///< the attribute that supplied it
  std::string Display() const;      ///< values joined with ", "
};

struct MappingOutcome {
  /// One entry per mapping line, in config order (missing ones have no values).
  std::vector<MappedField> fields;
  /// Keys of fields for which none of the named attributes was present.
  std::vector<std::string> missing;
};

FieldKind KindOf(const std::string& key);
std::string LabelOf(const std::string& key);

/// The first named attribute present wins, matched by Name or FriendlyName.
MappingOutcome MapAttributes(const std::vector<config::Mapping>& mappings,
                             const std::vector<saml::Attribute>& attributes);

/// The NameID, or the first value of `customer_id_attribute` when set.
/// Error "identity.customer_id_missing" when that attribute is absent or empty.
Result<std::string> CustomerId(const saml::Identity& identity,
                               const std::string& customer_id_attribute);

}  // namespace vsso::identity
