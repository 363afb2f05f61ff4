// The one parsed SAML Response that the rules (rules/*.hpp) inspect in order:
// the libxml2 document, the elements located so far, the signatures found and
// verified, and the Identity filled in by the rules that read it. Rules find
// elements by namespace URI and local name, never by prefix.
//
// Threading: a Message belongs to one ValidateResponse call.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "saml/response_validator.hpp"
#include "saml/xml_util.hpp"

namespace vsso::saml {

namespace ns {
inline constexpr char kProtocol[] = "urn:oasis:names:tc:SAML:2.0:protocol";
inline constexpr char kAssertion[] = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr char kDsig[] = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr char kXenc[] = "http://www.w3.org/2001/04/xmlenc#";
inline constexpr char kXenc11[] = "http://www.w3.org/2009/xmlenc11#";
}  // namespace ns

/// A ds:Signature and the element it must sign (its parent).
struct SignatureSite {
  xmlNodePtr signature = nullptr;
  xmlNodePtr signed_element = nullptr;
  std::string signed_id;  ///< ID of signed_element; the Reference URI is "#" + this
  bool policy_checked = false;
  bool verified = false;
};

struct Message {
  explicit Message(std::string_view bytes) : xml(bytes) {}

  std::string_view xml;
  XmlDocPtr doc;
  xmlNodePtr response = nullptr;
  /// The EncryptedAssertion while it is still encrypted, then nullptr.
  xmlNodePtr encrypted_assertion = nullptr;
  /// The consumed (plaintext) Assertion, once known; the identity is read
  /// from this node only.
  xmlNodePtr assertion = nullptr;
  /// The EncryptedAssertion after decryption replaced it; kept alive (and
  /// freed before `doc`) because the index lists may still point into it.
  std::unique_ptr<xmlNode, XmlNodeFree> replaced_encrypted_assertion;

  // Filled by IndexSubtree (one walk per parsed or decrypted tree).
  std::size_t node_count = 0;
  std::vector<xmlNodePtr> assertion_elements;  ///< saml:Assertion and EncryptedAssertion
  std::vector<xmlNodePtr> signature_elements;  ///< ds:Signature
  std::vector<xmlAttrPtr> id_attributes;       ///< ID, Id, AssertionID, xml:id

  std::vector<SignatureSite> signatures;
  bool response_signed = false;
  bool assertion_signed = false;

  Identity identity;
};

/// Walks `root` once: counts nodes, enforces the depth and node limits of
/// rules/xml_hardening.hpp ("saml.xml.too_deep", "saml.xml.too_many_nodes"),
/// and appends what later rules look for to the Message's lists.
/// `depth` is the depth of `root` in the document (the document element is 1).
Status IndexSubtree(Message& message, xmlNodePtr root, int depth);

bool IsElement(const xmlNode* node, const char* ns_uri, const char* local_name);
/// First child element with that name, or nullptr.
xmlNodePtr FirstChild(const xmlNode* parent, const char* ns_uri, const char* local_name);
std::vector<xmlNodePtr> Children(const xmlNode* parent, const char* ns_uri, const char* local_name);
/// Value of an attribute without namespace; nullopt if absent.
std::optional<std::string> GetAttr(const xmlNode* node, const char* name);
/// The same without a copy: a view of the tree's own text when libxml2 holds
/// the value as one text node (as the parser does for every attribute it
/// reads), else of `scratch`, which then holds the concatenation. Valid as
/// long as the node and `scratch` are; data() is NUL-terminated either way.
std::optional<std::string_view> AttrView(const xmlNode* node, const char* name,
                                         std::string& scratch);
/// How many child elements with that name.
std::size_t CountChildren(const xmlNode* parent, const char* ns_uri, const char* local_name);
/// The next sibling element after `node` with that name, or nullptr (with
/// FirstChild: the Children of a parent without building a vector).
xmlNodePtr NextSibling(const xmlNode* node, const char* ns_uri, const char* local_name);
/// Every text and CDATA descendant, concatenated in document order; comments
/// and processing instructions do not cut it short (XML-DSig 4.3.3.3 removes
/// comments before digesting, so they are not signed).
std::string TextContent(const xmlNode* node);
/// Without leading and trailing XML white space (XML 1.0 production S).
std::string TrimXmlSpace(std::string_view text);
/// Attacker-supplied text made safe for an admin message: at most 120
/// characters, control characters replaced, in quotes.
std::string Quote(std::string_view text);
/// "samlp:Response" style name for messages (prefix as written, if any).
std::string DisplayName(const xmlNode* node);
/// An instant attribute parsed as xs:dateTime; "saml.time.invalid" names the
/// element and attribute. nullopt when absent.
Result<std::optional<UnixSeconds>> InstantAttribute(const xmlNode* node, const char* name);

}  // namespace vsso::saml
