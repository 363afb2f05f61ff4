#include "saml/rules/id_registration.hpp"

#include <libxml/valid.h>

#include <string_view>
#include <unordered_map>

namespace vsso::saml::rules {

Status CheckUniqueIds(const Message& message) {
  std::unordered_map<std::string, const xmlAttr*> seen;
  seen.reserve(message.id_attributes.size());
  for (const xmlAttr* attr : message.id_attributes) {
    std::string value;
    for (const xmlNode* text = attr->children; text != nullptr; text = text->next) {
      if (text->content != nullptr) value += reinterpret_cast<const char*>(text->content);
    }
    auto [it, inserted] = seen.emplace(value, attr);
    if (!inserted) {
      return MakeError("saml.id.duplicate", "the ID value " + Quote(value) + " appears on both " +
                                                Quote(DisplayName(it->second->parent)) + " (line " +
                                                std::to_string(xmlGetLineNo(it->second->parent)) +
                                                ") and " + Quote(DisplayName(attr->parent)) +
                                                " (line " +
                                                std::to_string(xmlGetLineNo(attr->parent)) +
                                                "); IDs must be unique (XML Schema xs:ID)");
    }
  }
  return Ok();
}

Status RegisterElementId(Message& message, xmlNodePtr element) {
  xmlAttrPtr attr = xmlHasNsProp(element, reinterpret_cast<const xmlChar*>("ID"), nullptr);
  auto value = GetAttr(element, "ID");
  if (attr == nullptr || !value || value->empty()) {
    return MakeError("saml.id.missing", DisplayName(element) +
                                            " has no ID attribute; SAML Core 2.3.3/3.2.2 "
                                            "require one");
  }
  if (xmlAddID(nullptr, message.doc.get(), reinterpret_cast<const xmlChar*>(value->c_str()),
               attr) == nullptr) {
    return MakeError("saml.id.duplicate", "the ID " + Quote(*value) + " of " +
                                              DisplayName(element) +
                                              " is already registered in this document");
  }
  return Ok();
}

Status RegisterIds(Message& message, const ValidationContext&) {
  if (auto unique = CheckUniqueIds(message); !unique) return unique;
  if (auto r = RegisterElementId(message, message.response); !r) return r;
  if (message.assertion != nullptr) return RegisterElementId(message, message.assertion);
  return Ok();
}

}  // namespace vsso::saml::rules
