#include "common/encoding.hpp"

#include <openssl/evp.h>

#include <array>

namespace vsso::encoding {

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

namespace {

// Bits of what a byte is to Base64Decode (the decoding itself is OpenSSL's);
// 0 for the 64 data characters.
constexpr unsigned char kInvalid = 1;
constexpr unsigned char kPad = 2;
constexpr unsigned char kSpace = 4;
constexpr std::array<unsigned char, 256> kClasses = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
        c == '/') {
      t[c] = 0;
    } else if (c == '=') {
      t[c] = kPad;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      t[c] = kSpace;
    } else {
      t[c] = kInvalid;
    }
  }
  return t;
}();

Error Bad(const char* why) {
  return MakeError("encoding.bad_base64", std::string("not base64: ") + why);
}

}  // namespace

Result<std::string> Base64Decode(std::string_view text) {
  // What kinds of bytes occur, in one branch-free pass (a posted
  // SAMLResponse is 8 to 60 KB): usually only data and final padding, and
  // then the text goes to the decoder as it is.
  unsigned char seen = 0;
  for (const char ch : text) seen |= kClasses[static_cast<unsigned char>(ch)];
  if ((seen & kInvalid) != 0) return Bad("unexpected character");
  std::string compact;
  std::string_view input = text;
  if ((seen & kSpace) != 0) {
    compact.reserve(text.size());
    for (const char ch : text) {
      if (kClasses[static_cast<unsigned char>(ch)] != kSpace) compact.push_back(ch);
    }
    input = compact;
  }
  if (input.size() % 4 != 0) return Bad("length is not a multiple of 4");
  std::size_t pads = 0;
  if ((seen & kPad) != 0) {
    const std::size_t first_pad = input.find('=');
    pads = input.size() - first_pad;
    if (pads > 2 || input.find_first_not_of('=', first_pad) != std::string_view::npos) {
      return Bad("padding in the middle");
    }
  }
  std::string out(3 * (input.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(input.data()),
                                static_cast<int>(input.size()));
  if (n < 0) return MakeError("encoding.bad_base64", "not base64");
  // EVP_DecodeBlock counts padding bytes as zeros; drop them.
  out.resize(static_cast<std::size_t>(n) - pads);
  return out;
}

std::string HexLower(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::size_t Utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned char min2 = 0x80;
  unsigned char max2 = 0xBF;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min2 = 0xA0;  // overlong
    if (lead == 0xED) max2 = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min2 = 0x90;  // overlong
    if (lead == 0xF4) max2 = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < min2 || byte(i + 1) > max2) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

}  // namespace vsso::encoding
