#include "saml/rules/id_registration.hpp"

#include <libxml/valid.h>

#include <forward_list>
#include <string_view>
#include <unordered_map>

namespace vsso::saml::rules {

namespace {

// The value of an ID attribute: a view of its one text node, else a copy
// kept in `owned` (a list: its strings never move, and it allocates only
// for such a value).
std::string_view IdValue(const xmlAttr* attr, std::forward_list<std::string>& owned) {
  const xmlNode* text = attr->children;
  if (text == nullptr) return {};
  if (text->next == nullptr && text->content != nullptr) {
    return reinterpret_cast<const char*>(text->content);
  }
  std::string& value = owned.emplace_front();
  for (; text != nullptr; text = text->next) {
    if (text->content != nullptr) value += reinterpret_cast<const char*>(text->content);
  }
  return value;
}

Error Duplicate(std::string_view value, const xmlAttr* first, const xmlAttr* again) {
  return MakeError("saml.id.duplicate", "the ID value " + Quote(value) + " appears on both " +
                                            Quote(DisplayName(first->parent)) + " (line " +
                                            std::to_string(xmlGetLineNo(first->parent)) + ") and " +
                                            Quote(DisplayName(again->parent)) + " (line " +
                                            std::to_string(xmlGetLineNo(again->parent)) +
                                            "); IDs must be unique (XML Schema xs:ID)");
}

// Up to this many IDs (a SAML response has two or three) are compared
// pairwise, without a hash table; more go through one.
constexpr std::size_t kLinearIds = 16;

}  // namespace

Status CheckUniqueIds(const Message& message) {
  // Either way the first attribute (document order) whose value an earlier
  // one has is reported, with the earliest such one.
  const std::size_t n = message.id_attributes.size();
  std::forward_list<std::string> owned;
  if (n <= kLinearIds) {
    std::string_view values[kLinearIds];
    for (std::size_t i = 0; i < n; ++i) {
      const xmlAttr* attr = message.id_attributes[i];
      values[i] = IdValue(attr, owned);
      for (std::size_t j = 0; j < i; ++j) {
        if (values[j] == values[i]) return Duplicate(values[i], message.id_attributes[j], attr);
      }
    }
    return Ok();
  }
  std::unordered_map<std::string_view, const xmlAttr*> seen;
  seen.reserve(n);
  for (const xmlAttr* attr : message.id_attributes) {
    const std::string_view value = IdValue(attr, owned);
    auto [it, inserted] = seen.emplace(value, attr);
    if (!inserted) return Duplicate(value, it->second, attr);
  }
  return Ok();
}

Status RegisterElementId(Message& message, xmlNodePtr element) {
  xmlAttrPtr attr = xmlHasNsProp(element, reinterpret_cast<const xmlChar*>("ID"), nullptr);
  std::string scratch;
  auto value = AttrView(element, "ID", scratch);
  if (attr == nullptr || !value || value->empty()) {
    return MakeError("saml.id.missing", DisplayName(element) +
                                            " has no ID attribute; SAML Core 2.3.3/3.2.2 "
                                            "require one");
  }
  // value->data() is NUL-terminated (AttrView).
  if (xmlAddID(nullptr, message.doc.get(), reinterpret_cast<const xmlChar*>(value->data()), attr) ==
      nullptr) {
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
