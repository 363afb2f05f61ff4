#include "saml/message.hpp"

#include <cstring>

#include "common/time.hpp"
#include "saml/rules/xml_hardening.hpp"

namespace vsso::saml {
namespace {

const char* NsUri(const xmlNode* node) {
  return node->ns != nullptr ? reinterpret_cast<const char*>(node->ns->href) : nullptr;
}

bool Eq(const xmlChar* a, const char* b) {
  return a != nullptr && b != nullptr && std::strcmp(reinterpret_cast<const char*>(a), b) == 0;
}

bool IsIdAttribute(const xmlAttr* attr) {
  if (attr->ns == nullptr) {
    return Eq(attr->name, "ID") || Eq(attr->name, "Id") || Eq(attr->name, "AssertionID");
  }
  return Eq(attr->name, "id") && Eq(attr->ns->href, "http://www.w3.org/XML/1998/namespace");
}

}  // namespace

Status IndexSubtree(Message& message, xmlNodePtr root, int depth) {
  // Iterative pre-order walk: no recursion on attacker-controlled depth.
  xmlNodePtr node = root;
  while (node != nullptr) {
    if (++message.node_count > rules::kMaxNodes) {
      return MakeError("saml.xml.too_many_nodes",
                       "the response has more than " + std::to_string(rules::kMaxNodes) +
                           " XML nodes; a SAML response needs far fewer");
    }
    if (node->type == XML_ELEMENT_NODE) {
      if (depth > rules::kMaxDepth) {
        return MakeError("saml.xml.too_deep",
                         "XML elements are nested more than " + std::to_string(rules::kMaxDepth) +
                             " levels deep (at line " + std::to_string(xmlGetLineNo(node)) + ")");
      }
      if (IsElement(node, ns::kAssertion, "Assertion") ||
          IsElement(node, ns::kAssertion, "EncryptedAssertion")) {
        message.assertion_elements.push_back(node);
      } else if (IsElement(node, ns::kDsig, "Signature")) {
        message.signature_elements.push_back(node);
      }
      for (xmlAttrPtr attr = node->properties; attr != nullptr; attr = attr->next) {
        if (++message.node_count > rules::kMaxNodes) {
          return MakeError("saml.xml.too_many_nodes",
                           "the response has more than " + std::to_string(rules::kMaxNodes) +
                               " XML nodes; a SAML response needs far fewer");
        }
        if (IsIdAttribute(attr)) message.id_attributes.push_back(attr);
      }
      if (node->children != nullptr) {
        node = node->children;
        ++depth;
        continue;
      }
    }
    // Next sibling, or climb until one exists (stopping at root).
    while (node != root && node->next == nullptr) {
      node = node->parent;
      --depth;
    }
    if (node == root) break;
    node = node->next;
  }
  return Ok();
}

bool IsElement(const xmlNode* node, const char* ns_uri, const char* local_name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && Eq(node->name, local_name) &&
         NsUri(node) != nullptr && std::strcmp(NsUri(node), ns_uri) == 0;
}

xmlNodePtr FirstChild(const xmlNode* parent, const char* ns_uri, const char* local_name) {
  for (xmlNodePtr child = parent->children; child != nullptr; child = child->next) {
    if (IsElement(child, ns_uri, local_name)) return child;
  }
  return nullptr;
}

std::vector<xmlNodePtr> Children(const xmlNode* parent, const char* ns_uri,
                                 const char* local_name) {
  std::vector<xmlNodePtr> found;
  for (xmlNodePtr child = parent->children; child != nullptr; child = child->next) {
    if (IsElement(child, ns_uri, local_name)) found.push_back(child);
  }
  return found;
}

std::optional<std::string> GetAttr(const xmlNode* node, const char* name) {
  xmlAttrPtr attr = xmlHasNsProp(node, reinterpret_cast<const xmlChar*>(name), nullptr);
  if (attr == nullptr) return std::nullopt;
  std::string value;
  for (xmlNodePtr child = attr->children; child != nullptr; child = child->next) {
    if (child->content != nullptr) value += reinterpret_cast<const char*>(child->content);
  }
  return value;
}

std::optional<std::string_view> AttrView(const xmlNode* node, const char* name,
                                         std::string& scratch) {
  xmlAttrPtr attr = xmlHasNsProp(node, reinterpret_cast<const xmlChar*>(name), nullptr);
  if (attr == nullptr) return std::nullopt;
  const xmlNode* text = attr->children;
  if (text == nullptr) return std::string_view();
  if (text->next == nullptr && text->content != nullptr) {
    return std::string_view(reinterpret_cast<const char*>(text->content));
  }
  scratch.clear();
  for (; text != nullptr; text = text->next) {
    if (text->content != nullptr) scratch += reinterpret_cast<const char*>(text->content);
  }
  return std::string_view(scratch);
}

std::size_t CountChildren(const xmlNode* parent, const char* ns_uri, const char* local_name) {
  std::size_t count = 0;
  for (xmlNodePtr child = parent->children; child != nullptr; child = child->next) {
    count += IsElement(child, ns_uri, local_name) ? 1 : 0;
  }
  return count;
}

xmlNodePtr NextSibling(const xmlNode* node, const char* ns_uri, const char* local_name) {
  for (xmlNodePtr next = node->next; next != nullptr; next = next->next) {
    if (IsElement(next, ns_uri, local_name)) return next;
  }
  return nullptr;
}

std::string TextContent(const xmlNode* node) {
  std::string text;
  const xmlNode* current = node->children;
  while (current != nullptr) {
    if ((current->type == XML_TEXT_NODE || current->type == XML_CDATA_SECTION_NODE) &&
        current->content != nullptr) {
      text += reinterpret_cast<const char*>(current->content);
    }
    if (current->type == XML_ELEMENT_NODE && current->children != nullptr) {
      current = current->children;
      continue;
    }
    while (current != node && current->next == nullptr) current = current->parent;
    if (current == node) break;
    current = current->next;
  }
  return text;
}

std::string TrimXmlSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(kSpace);
  return std::string(text.substr(begin, end - begin + 1));
}

std::string Quote(std::string_view text) {
  constexpr std::size_t kMax = 120;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  if (text.size() > kMax) out += "...";
  out += "'";
  return out;
}

std::string DisplayName(const xmlNode* node) {
  std::string name;
  if (node->ns != nullptr && node->ns->prefix != nullptr) {
    name = reinterpret_cast<const char*>(node->ns->prefix);
    name += ':';
  }
  name += reinterpret_cast<const char*>(node->name);
  return name;
}

Result<std::optional<UnixSeconds>> InstantAttribute(const xmlNode* node, const char* name) {
  std::string scratch;
  auto text = AttrView(node, name, scratch);
  if (!text) return std::optional<UnixSeconds>{};
  auto instant = time::ParseXsDateTime(*text);
  if (!instant) {
    return MakeError("saml.time.invalid",
                     DisplayName(node) + " " + name + ": " + instant.error().message);
  }
  return std::optional<UnixSeconds>{*instant};
}

}  // namespace vsso::saml
