#include "saml/rules/version.hpp"

namespace vsso::saml::rules {
namespace {

Status Require20(const xmlNode* element) {
  std::string scratch;
  auto version = AttrView(element, "Version", scratch);
  if (version && *version == "2.0") return Ok();
  return MakeError("saml.version.unsupported",
                   DisplayName(element) + " has Version " +
                       (version ? Quote(*version) : std::string("absent")) + "; expected '2.0'");
}

}  // namespace

Status CheckVersion(Message& message, const ValidationContext&) {
  if (auto s = Require20(message.response); !s) return s;
  if (auto s = Require20(message.assertion); !s) return s;
  auto issued = InstantAttribute(message.assertion, "IssueInstant");
  if (!issued) return issued.error();
  message.identity.response_id = GetAttr(message.response, "ID").value_or("");
  message.identity.assertion_id = GetAttr(message.assertion, "ID").value_or("");
  message.identity.issue_instant = issued->value_or(0);
  return Ok();
}

}  // namespace vsso::saml::rules
