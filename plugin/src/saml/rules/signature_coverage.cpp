#include "saml/rules/signature_coverage.hpp"

namespace vsso::saml::rules {
namespace {

bool IsIgnorable(const xmlNode* node) {
  return node->type == XML_TEXT_NODE || node->type == XML_COMMENT_NODE || node->type == XML_PI_NODE;
}

Status CheckOne(Message& message, xmlNodePtr signature) {
  xmlNodePtr parent = signature->parent;
  const bool on_response = parent == message.response;
  const bool on_assertion = message.assertion != nullptr && parent == message.assertion;
  if (!on_response && !on_assertion) {
    return MakeError("saml.signature.placement",
                     "a ds:Signature at line " + std::to_string(xmlGetLineNo(signature)) +
                         " is inside " + Quote(DisplayName(parent)) +
                         "; signatures are accepted only as direct children of the Response "
                         "or of the assertion being consumed");
  }
  for (const SignatureSite& site : message.signatures) {
    if (site.signed_element == parent) {
      return MakeError("saml.signature.duplicate",
                       DisplayName(parent) + " carries more than one ds:Signature");
    }
  }
  // XML-DSig 4.1: SignedInfo, SignatureValue, KeyInfo?, Object*. SAML never
  // needs Object (it can hold Manifests), so it is refused.
  xmlNodePtr signed_info = nullptr;
  for (xmlNodePtr child = signature->children; child != nullptr; child = child->next) {
    if (IsIgnorable(child)) continue;
    if (IsElement(child, ns::kDsig, "SignedInfo") && signed_info == nullptr) {
      signed_info = child;
    } else if (!IsElement(child, ns::kDsig, "SignatureValue") &&
               !IsElement(child, ns::kDsig, "KeyInfo")) {
      return MakeError("saml.signature.malformed", "ds:Signature of " + DisplayName(parent) +
                                                       " contains unexpected " +
                                                       Quote(DisplayName(child)));
    }
  }
  if (signed_info == nullptr) {
    return MakeError("saml.signature.malformed",
                     "ds:Signature of " + DisplayName(parent) + " has no ds:SignedInfo");
  }
  xmlNodePtr reference = FirstChild(signed_info, ns::kDsig, "Reference");
  if (reference == nullptr || NextSibling(reference, ns::kDsig, "Reference") != nullptr) {
    return MakeError("saml.signature.reference_count",
                     "ds:Signature of " + DisplayName(parent) + " has " +
                         std::to_string(CountChildren(signed_info, ns::kDsig, "Reference")) +
                         " ds:Reference elements; exactly one is required (SAML Core 5.4.2)");
  }
  std::string id = GetAttr(parent, "ID").value_or("");
  std::string scratch;
  const auto uri = AttrView(reference, "URI", scratch);
  if (id.empty() || !uri || !uri->starts_with('#') || uri->substr(1) != id) {
    return MakeError("saml.signature.reference_uri",
                     "ds:Reference URI of the signature in " + DisplayName(parent) + " is " +
                         (uri ? Quote(*uri) : std::string("absent")) + "; expected " +
                         Quote("#" + id) + " (the ID of its parent, SAML Core 5.4.2)");
  }
  message.signatures.push_back(SignatureSite{signature, parent, std::move(id)});
  return Ok();
}

}  // namespace

Status CheckSignaturePlacement(Message& message, const ValidationContext&) {
  for (std::size_t i = message.signatures.size(); i < message.signature_elements.size(); ++i) {
    if (auto s = CheckOne(message, message.signature_elements[i]); !s) return s;
  }
  return Ok();
}

Status CheckSignatureCoverage(Message& message, const ValidationContext&) {
  if (message.response_signed || message.assertion_signed) return Ok();
  return MakeError("saml.signature.missing",
                   "neither the assertion nor the Response is signed; the IdP must sign the "
                   "assertion or the response (SAML Profiles 4.1.3.5)");
}

}  // namespace vsso::saml::rules
