// Rule 1: bytes -> libxml2 document, with the limits an untrusted post needs.
// Size is checked before parsing; any DOCTYPE stops the parser (a DTD can
// declare entities and default attributes, including xmlns, that change what
// is read); no network, no entity substitution, no DTD loading.
#pragma once

#include <cstddef>

#include "saml/message.hpp"

namespace vsso::saml::rules {

inline constexpr int kMaxDepth = 64;
inline constexpr std::size_t kMaxNodes = 20000;

/// Errors: saml.xml.empty, saml.xml.too_large, saml.xml.encoding,
/// saml.xml.too_many_attributes (xml_prescan.hpp, before parsing),
/// saml.xml.doctype, saml.xml.malformed, saml.xml.too_deep,
/// saml.xml.too_many_nodes.
Status ParseHardened(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
