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

enum CharClass : unsigned char { kInvalid, kData, kPad, kSpace };

// What each byte is to Base64Decode (the decoding itself is OpenSSL's).
constexpr std::array<unsigned char, 256> kClasses = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
        c == '/') {
      t[c] = kData;
    } else if (c == '=') {
      t[c] = kPad;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      t[c] = kSpace;
    }
  }
  return t;
}();

}  // namespace

Result<std::string> Base64Decode(std::string_view text) {
  // One pass over the characters; a posted SAMLResponse (about 8 KB) goes to
  // the decoder as it is unless whitespace must be dropped first.
  std::size_t spaces = 0;
  std::size_t pads = 0;
  bool data_after_pad = false;
  for (const char ch : text) {
    switch (kClasses[static_cast<unsigned char>(ch)]) {
      case kData:
        data_after_pad = data_after_pad || pads != 0;
        break;
      case kPad:
        ++pads;
        break;
      case kSpace:
        ++spaces;
        break;
      default:
        return MakeError("encoding.bad_base64", "not base64: unexpected character");
    }
  }
  const std::size_t length = text.size() - spaces;
  if (length % 4 != 0) {
    return MakeError("encoding.bad_base64", "not base64: length is not a multiple of 4");
  }
  if (data_after_pad || pads > 2) {
    return MakeError("encoding.bad_base64", "not base64: padding in the middle");
  }
  std::string compact;
  std::string_view input = text;
  if (spaces != 0) {
    compact.reserve(length);
    for (const char ch : text) {
      if (kClasses[static_cast<unsigned char>(ch)] != kSpace) compact.push_back(ch);
    }
    input = compact;
  }
  std::string out(3 * (length / 4), '\0');
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

}  // namespace vsso::encoding
