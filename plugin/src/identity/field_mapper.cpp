#include "identity/field_mapper.hpp"

namespace vsso::identity {
namespace {

const saml::Attribute* FindAttribute(const std::vector<saml::Attribute>& attributes,
                                     const std::string& name) {
  for (const auto& a : attributes) {
    if (a.name == name) return &a;
  }
  for (const auto& a : attributes) {
    if (!a.friendly_name.empty() && a.friendly_name == name) return &a;
  }
  return nullptr;
}

}  // namespace

std::string MappedField::Display() const {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

FieldKind KindOf(const std::string& key) {
  if (key.rfind("prechat:", 0) == 0) return FieldKind::kPrechat;
  if (key.rfind("variable:", 0) == 0) return FieldKind::kVariable;
  return FieldKind::kSystem;
}

std::string LabelOf(const std::string& key) {
  if (key == "name") return "Name";
  if (key == "email") return "Email";
  if (key == "company") return "Company";
  if (key == "phone") return "Phone";
  if (key == "department") return "Department";
  if (key == "product_service") return "Product/Service";
  const auto colon = key.find(':');
  return colon == std::string::npos ? key : key.substr(colon + 1);
}

MappingOutcome MapAttributes(const std::vector<config::Mapping>& mappings,
                             const std::vector<saml::Attribute>& attributes) {
  MappingOutcome out;
  for (const auto& m : mappings) {
    MappedField field{m.field, LabelOf(m.field), KindOf(m.field), {}, {}};
    for (const auto& name : m.attributes) {
      const saml::Attribute* a = FindAttribute(attributes, name);
      if (a != nullptr && !a->values.empty()) {
        field.values = a->values;
        field.source_attribute = a->name;
        break;
      }
    }
    if (field.values.empty()) out.missing.push_back(m.field);
    out.fields.push_back(std::move(field));
  }
  return out;
}

Result<std::string> CustomerId(const saml::Identity& identity,
                               const std::string& customer_id_attribute) {
  if (customer_id_attribute.empty()) {
    if (identity.name_id.empty()) {
      return MakeError("identity.customer_id_missing", "the assertion's NameID is empty");
    }
    return identity.name_id;
  }
  const saml::Attribute* a = FindAttribute(identity.attributes, customer_id_attribute);
  if (a == nullptr || a->values.empty() || a->values.front().empty()) {
    return MakeError("identity.customer_id_missing",
                     "customer_id_attribute \"" + customer_id_attribute +
                         "\" is not in the assertion from " + identity.issuer);
  }
  return a->values.front();
}

}  // namespace vsso::identity
