#include "saml/rules/status.hpp"

namespace vsso::saml::rules {
namespace {
constexpr char kSuccess[] = "urn:oasis:names:tc:SAML:2.0:status:Success";
}

Status CheckStatus(Message& message, const ValidationContext&) {
  xmlNodePtr status = FirstChild(message.response, ns::kProtocol, "Status");
  xmlNodePtr code = status != nullptr ? FirstChild(status, ns::kProtocol, "StatusCode") : nullptr;
  std::string scratch;
  auto value = code != nullptr ? AttrView(code, "Value", scratch) : std::nullopt;
  if (!value) {
    return MakeError("saml.status.missing",
                     "the response has no samlp:Status/samlp:StatusCode Value (SAML Core 3.2.2)");
  }
  if (*value == kSuccess) return Ok();
  std::string codes = Quote(*value);
  for (xmlNodePtr sub = FirstChild(code, ns::kProtocol, "StatusCode"); sub != nullptr;
       sub = FirstChild(sub, ns::kProtocol, "StatusCode")) {
    codes += " / " + Quote(GetAttr(sub, "Value").value_or(""));
  }
  std::string text = "the IdP reports status " + codes;
  if (xmlNodePtr msg = FirstChild(status, ns::kProtocol, "StatusMessage"); msg != nullptr) {
    text += ", message " + Quote(TrimXmlSpace(TextContent(msg)));
  }
  return MakeError("saml.status.not_success", text);
}

}  // namespace vsso::saml::rules
