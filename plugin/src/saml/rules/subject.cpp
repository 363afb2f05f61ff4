#include "saml/rules/subject.hpp"

#include <libxml/parser.h>

#include <climits>
#include <memory>

#include "saml/rules/decryption.hpp"
#include "saml/xml_prescan.hpp"

namespace vsso::saml::rules {
namespace {

using NodePtr = std::unique_ptr<xmlNode, XmlNodeFree>;

Error NotNameId() {
  return MakeError("saml.decrypt.not_name_id",
                   "the saml:EncryptedID decrypts to something other than one saml:NameID with "
                   "text content (a BaseID or other identifier is not supported)");
}

// The plaintext of an EncryptedID, parsed in the scope of the EncryptedID
// (XML-Enc 4.5), as one detached saml:NameID. A NameID is a string with
// attributes (Core 2.2.3), so any child element is refused: nothing in the
// plaintext can reach the rules that look for elements.
Result<NodePtr> DecryptNameId(xmlNodePtr encrypted_id, const ValidationContext& context) {
  auto plaintext = DecryptElement(encrypted_id, context);
  if (!plaintext) return plaintext.error();
  if (plaintext->size() > static_cast<std::size_t>(INT_MAX)) return NotNameId();
  if (auto counts = CheckAttributeCounts(*plaintext, "the decrypted NameID"); !counts) {
    return counts.error();
  }
  xmlNodePtr list = nullptr;
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  const xmlParserErrors rc = xmlParseInNodeContext(
      encrypted_id, plaintext->data(), static_cast<int>(plaintext->size()), options, &list);
  if (rc != XML_ERR_OK) {
    xmlFreeNodeList(list);
    // As for an EncryptedAssertion: garbage after a successful AES decrypt
    // is reported like a wrong key (no oracle on the plaintext).
    return DecryptionFailed(DisplayName(encrypted_id));
  }
  NodePtr name_id;
  bool extra = false;
  for (xmlNodePtr node = list; node != nullptr;) {
    xmlNodePtr next = node->next;
    xmlUnlinkNode(node);
    const bool blank = node->type == XML_TEXT_NODE && xmlIsBlankNode(node);
    if (node->type == XML_ELEMENT_NODE && !name_id) {
      name_id.reset(node);
    } else {
      extra = extra || !blank;
      xmlFreeNode(node);
    }
    node = next;
  }
  if (!name_id || extra || !IsElement(name_id.get(), ns::kAssertion, "NameID")) return NotNameId();
  for (xmlNodePtr child = name_id->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) return NotNameId();
  }
  return name_id;
}

}  // namespace

Status CheckSubject(Message& message, const ValidationContext& context) {
  xmlNodePtr subject = FirstChild(message.assertion, ns::kAssertion, "Subject");
  if (subject == nullptr) {
    return MakeError("saml.subject.missing", "the assertion has no saml:Subject");
  }
  // Core 2.4.1: at most one of BaseID, NameID, EncryptedID. With two, which
  // one names the visitor would be the SP's guess.
  const std::size_t identifiers = CountChildren(subject, ns::kAssertion, "BaseID") +
                                  CountChildren(subject, ns::kAssertion, "NameID") +
                                  CountChildren(subject, ns::kAssertion, "EncryptedID");
  if (identifiers > 1) {
    return MakeError("saml.subject.identifier_count",
                     "the Subject has " + std::to_string(identifiers) +
                         " identifiers (BaseID, NameID, EncryptedID); SAML Core 2.4.1 allows one");
  }
  xmlNodePtr name_id = FirstChild(subject, ns::kAssertion, "NameID");
  NodePtr decrypted;
  if (name_id == nullptr) {
    xmlNodePtr encrypted_id = FirstChild(subject, ns::kAssertion, "EncryptedID");
    if (encrypted_id == nullptr) {
      return MakeError("saml.subject.name_id_missing",
                       "the Subject has no saml:NameID or saml:EncryptedID");
    }
    auto plain = DecryptNameId(encrypted_id, context);
    if (!plain) return plain.error();
    decrypted = std::move(*plain);
    name_id = decrypted.get();
  }
  std::string value = TrimXmlSpace(TextContent(name_id));
  if (value.empty()) return MakeError("saml.subject.name_id_empty", "the NameID is empty");
  std::string scratch;
  auto sp_name_qualifier = AttrView(name_id, "SPNameQualifier", scratch);
  if (sp_name_qualifier && *sp_name_qualifier != context.sp_entity_id) {
    return MakeError("saml.subject.sp_name_qualifier",
                     "the NameID was issued to SP " + Quote(*sp_name_qualifier) +
                         " (SPNameQualifier, SAML Core 2.2.2); sp_entity_id is " +
                         Quote(context.sp_entity_id));
  }
  message.identity.name_id = std::move(value);
  message.identity.name_id_format = GetAttr(name_id, "Format").value_or("");
  message.identity.name_qualifier = GetAttr(name_id, "NameQualifier").value_or("");
  message.identity.sp_name_qualifier = sp_name_qualifier.value_or(std::string_view());
  message.identity.name_id_was_encrypted = decrypted != nullptr;
  return Ok();
}

}  // namespace vsso::saml::rules
