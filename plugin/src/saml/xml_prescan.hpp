// Cheap linear checks of unauthenticated XML bytes before libxml2 parses
// them (the posted response, and again a decrypted assertion).
//
// Why: libxml2 2.9 checks every attribute of a start tag against all earlier
// ones for duplicates, which is quadratic in the number of attributes: one
// element with 20,000 attributes costs over a second of CPU per post, and
// the node limit of rules/xml_hardening.hpp only applies after parsing.
//
// The attribute count of a start tag is the number of '=' outside quoted
// values between "<name" and the closing '>'; namespace declarations count
// (xmlns:p="..." is an attribute to the parser too). Comments, CDATA
// sections and processing instructions are skipped whole, so quotes, '<',
// '>' and '=' inside them, or '>' and '=' inside quoted values, never count.
// For a well-formed document the count is exact; for garbage it may be too
// high (e.g. "a==b"), never lower than what libxml2 would parse: a '<' inside
// a quoted value (never legal) ends the tag and scanning restarts there,
// where libxml2's recovery would also look for a new tag.
//
// The count is only exact if every byte below 0x80 is the ASCII character
// it looks like. That holds for UTF-8, US-ASCII and ISO-8859-n, and not for
// UTF-16, UCS-4, EBCDIC, Shift_JIS or ISO-2022, in which an attacker could
// hide attributes from a byte scanner. CheckEncoding therefore refuses every
// other encoding before parsing; no IdP sends SAML in them, and libxml2 then
// never runs iconv on unauthenticated input either.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace vsso::saml {

/// Most attributes (namespace declarations included) one start tag may
/// have. SAML elements carry a handful; a signed Response with many
/// namespace declarations has a few dozen at most.
inline constexpr std::size_t kMaxAttributesPerElement = 256;

/// The document is UTF-8 (with or without byte order mark), US-ASCII or
/// ISO-8859-n, by libxml2's own detection of the first bytes and by the
/// XML declaration's encoding. Error "saml.xml.encoding".
Status CheckEncoding(std::string_view xml);

/// Every start tag has at most kMaxAttributesPerElement attributes. `what`
/// names the document in the message ("the response"). Error
/// "saml.xml.too_many_attributes", naming the limit, the count found, the
/// element and its line.
Status CheckAttributeCounts(std::string_view xml, std::string_view what);

/// The count CheckAttributeCounts finds for each start tag, in document
/// order (for tests and diagnostics).
std::vector<std::size_t> StartTagAttributeCounts(std::string_view xml);

}  // namespace vsso::saml
