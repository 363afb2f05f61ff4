#include "saml/rules/subject.hpp"

namespace vsso::saml::rules {

Status CheckSubject(Message& message, const ValidationContext&) {
  xmlNodePtr subject = FirstChild(message.assertion, ns::kAssertion, "Subject");
  if (subject == nullptr) {
    return MakeError("saml.subject.missing", "the assertion has no saml:Subject");
  }
  xmlNodePtr name_id = FirstChild(subject, ns::kAssertion, "NameID");
  if (name_id == nullptr) {
    if (FirstChild(subject, ns::kAssertion, "EncryptedID") != nullptr) {
      return MakeError("saml.subject.encrypted_id",
                       "the Subject uses EncryptedID, which is not supported; encrypt the whole "
                       "assertion instead");
    }
    return MakeError("saml.subject.name_id_missing", "the Subject has no saml:NameID");
  }
  std::string value = TrimXmlSpace(TextContent(name_id));
  if (value.empty()) return MakeError("saml.subject.name_id_empty", "the NameID is empty");
  message.identity.name_id = std::move(value);
  message.identity.name_id_format = GetAttr(name_id, "Format").value_or("");
  return Ok();
}

}  // namespace vsso::saml::rules
