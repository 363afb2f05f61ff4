#include "common/entity_id.hpp"

#include <cstdint>
#include <cstdio>

namespace vsso::entity_id {
namespace {

// One UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF); nullopt if malformed. Advances `i` past it.
std::optional<std::uint32_t> NextCodePoint(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  std::size_t length = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    length = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (i + length > s.size()) return std::nullopt;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += length;
  return cp;
}

// Unicode White_Space (besides the C0/C1 controls, caught as controls).
bool IsSpace(std::uint32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
         cp == 0xFEFF;  // zero-width no-break space (a byte order mark): invisible too
}

bool IsControl(std::uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

std::string CodePointName(std::uint32_t cp) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(cp));
  return buffer;
}

}  // namespace

std::optional<std::string> Problem(std::string_view value) {
  if (value.empty()) return "is empty";
  std::size_t characters = 0;
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t at = i;
    auto cp = NextCodePoint(value, i);
    ++characters;
    const std::string where = " at character " + std::to_string(characters);
    if (!cp) return "is not valid UTF-8 (byte " + std::to_string(at + 1) + ")";
    if (*cp == '\t' || *cp == '\n' || *cp == '\r') {
      return "contains white space (" + CodePointName(*cp) + ")" + where;
    }
    if (IsControl(*cp)) {
      return "contains a control character (" + CodePointName(*cp) + ")" + where;
    }
    if (IsSpace(*cp)) {
      return "contains white space (" + CodePointName(*cp) + ")" + where;
    }
  }
  if (characters > kMaxCharacters) {
    return "is " + std::to_string(characters) + " characters long; SAML allows at most " +
           std::to_string(kMaxCharacters) + " (SAML Core 8.3.6)";
  }
  return std::nullopt;
}

}  // namespace vsso::entity_id
