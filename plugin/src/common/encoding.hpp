// Base64 (RFC 4648) through OpenSSL's EVP codec; no hand-written decoding
// tables (Base64Decode only classifies the characters before OpenSSL decodes).
#pragma once

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

}  // namespace vsso::encoding
