// Base64 (RFC 4648) through OpenSSL's EVP codec; no hand-written decoding
// tables (Base64Decode only classifies the characters before OpenSSL decodes).
// Hex, and the UTF-8 sequence check the audit log and the routing fields
// reader share.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vsso::encoding {

std::string Base64Encode(std::string_view bytes);
/// Accepts line breaks and other ASCII whitespace between characters (IdPs
/// and form posts wrap lines); anything else that is not base64 is an error
/// "encoding.bad_base64".
Result<std::string> Base64Decode(std::string_view text);

std::string HexLower(std::string_view bytes);

/// The length of the well-formed UTF-8 sequence that starts at text[i]: 1
/// for ASCII, 2 to 4 for a multi-byte sequence, 0 when it is not one
/// (Unicode 15 table 3-7, RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF, no sequence cut short by the end of `text`).
/// `i` < text.size().
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i);

}  // namespace vsso::encoding
