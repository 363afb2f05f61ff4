#include "saml/rules/structure.hpp"

namespace vsso::saml::rules {

Status CheckStructure(Message& message, const ValidationContext&) {
  xmlNodePtr root = xmlDocGetRootElement(message.doc.get());
  if (!IsElement(root, ns::kProtocol, "Response")) {
    std::string ns_uri = root->ns != nullptr ? reinterpret_cast<const char*>(root->ns->href) : "";
    return MakeError("saml.structure.not_response",
                     "the document element is " + Quote(DisplayName(root)) + " in namespace " +
                         Quote(ns_uri) + "; expected Response in " + ns::kProtocol);
  }
  message.response = root;
  if (message.assertion_elements.size() != 1) {
    return MakeError("saml.structure.assertion_count",
                     "the response contains " + std::to_string(message.assertion_elements.size()) +
                         " Assertion/EncryptedAssertion elements; exactly one is required");
  }
  xmlNodePtr only = message.assertion_elements.front();
  if (only->parent != root) {
    return MakeError("saml.structure.nested_assertion",
                     "the only assertion is inside " + Quote(DisplayName(only->parent)) +
                         " (line " + std::to_string(xmlGetLineNo(only)) +
                         "), not a direct child of Response");
  }
  if (IsElement(only, ns::kAssertion, "Assertion")) {
    message.assertion = only;
  } else {
    message.encrypted_assertion = only;
  }
  return Ok();
}

}  // namespace vsso::saml::rules
