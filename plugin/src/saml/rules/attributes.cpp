#include "saml/rules/attributes.hpp"

namespace vsso::saml::rules {

Status ReadAttributes(Message& message, const ValidationContext&) {
  for (xmlNodePtr statement = FirstChild(message.assertion, ns::kAssertion, "AttributeStatement");
       statement != nullptr;
       statement = NextSibling(statement, ns::kAssertion, "AttributeStatement")) {
    for (xmlNodePtr child = statement->children; child != nullptr; child = child->next) {
      if (IsElement(child, ns::kAssertion, "EncryptedAttribute")) {
        return MakeError("saml.attributes.encrypted",
                         "the assertion has an EncryptedAttribute, which is not supported; "
                         "encrypt the whole assertion instead");
      }
      if (!IsElement(child, ns::kAssertion, "Attribute")) continue;
      saml::Attribute attribute;
      auto name = GetAttr(child, "Name");
      if (!name || name->empty()) {
        return MakeError(
            "saml.attributes.malformed",
            "a saml:Attribute has no Name (line " + std::to_string(xmlGetLineNo(child)) + ")");
      }
      attribute.name = std::move(*name);
      attribute.friendly_name = GetAttr(child, "FriendlyName").value_or("");
      attribute.name_format = GetAttr(child, "NameFormat").value_or("");
      for (xmlNodePtr value = FirstChild(child, ns::kAssertion, "AttributeValue"); value != nullptr;
           value = NextSibling(value, ns::kAssertion, "AttributeValue")) {
        attribute.values.push_back(TextContent(value));
      }
      message.identity.attributes.push_back(std::move(attribute));
    }
  }
  return Ok();
}

}  // namespace vsso::saml::rules
