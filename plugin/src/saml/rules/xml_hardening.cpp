#include "saml/rules/xml_hardening.hpp"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <climits>

#include "saml/xml_prescan.hpp"
#include "saml/xml_util.hpp"

namespace vsso::saml::rules {
namespace {

// SAX hook called as soon as "<!DOCTYPE name" is read: nothing of the
// internal subset (entities, default attributes) is processed.
void StopAtDoctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  *static_cast<bool*>(ctxt->_private) = true;
  xmlStopParser(ctxt);
}

}  // namespace

Status ParseHardened(Message& message, const ValidationContext& context) {
  if (message.xml.empty()) return MakeError("saml.xml.empty", "the SAMLResponse is empty");
  if (message.xml.size() > context.max_response_bytes || message.xml.size() > INT_MAX) {
    return MakeError("saml.xml.too_large", "the response is " + std::to_string(message.xml.size()) +
                                               " bytes; max_response_bytes is " +
                                               std::to_string(context.max_response_bytes));
  }
  // Before libxml2 sees the bytes: its duplicate-attribute check is
  // quadratic, and the node limits below only apply after parsing.
  if (auto encoding = CheckEncoding(message.xml); !encoding) return encoding;
  if (auto attributes = CheckAttributeCounts(message.xml, "the response"); !attributes) {
    return attributes;
  }
  std::unique_ptr<xmlParserCtxt, XmlParserCtxtFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) return MakeError("saml.internal", "libxml2 could not allocate a parser");
  bool saw_doctype = false;
  ctxt->_private = &saw_doctype;
  ctxt->sax->internalSubset = StopAtDoctype;
  // No XML_PARSE_NOENT / DTDLOAD / DTDATTR / NOBLANKS: whitespace in
  // SignedInfo is signed, so the tree must keep every byte's meaning.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  message.doc.reset(xmlCtxtReadMemory(ctxt.get(), message.xml.data(),
                                      static_cast<int>(message.xml.size()), nullptr, nullptr,
                                      options));
  if (saw_doctype) {
    message.doc.reset();
    return MakeError("saml.xml.doctype",
                     "the response contains a DOCTYPE declaration; SAML messages must not "
                     "(SAML Bindings 3.5.5.1 / XML hardening)");
  }
  if (!message.doc || ctxt->wellFormed == 0) {
    std::string detail = "not well-formed XML";
    if (const xmlError* error = xmlCtxtGetLastError(ctxt.get());
        error != nullptr && error->message != nullptr) {
      detail = TrimXmlSpace(error->message) + " at line " + std::to_string(error->line) +
               ", column " + std::to_string(error->int2);
    }
    message.doc.reset();
    return MakeError("saml.xml.malformed", "the response is not well-formed XML: " + detail);
  }
  if (message.doc->intSubset != nullptr || message.doc->extSubset != nullptr) {
    return MakeError("saml.xml.doctype", "the response carries a DTD; SAML messages must not");
  }
  xmlNodePtr root = xmlDocGetRootElement(message.doc.get());
  if (root == nullptr) return MakeError("saml.xml.malformed", "the response has no root element");
  return IndexSubtree(message, root, 1);
}

}  // namespace vsso::saml::rules
