#include "common/encoding.hpp"

#include <openssl/evp.h>

namespace vsso::encoding {

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') continue;
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == '=';
    if (!ok) return MakeError("encoding.bad_base64", "not base64: unexpected character");
    compact.push_back(c);
  }
  if (compact.size() % 4 != 0) {
    return MakeError("encoding.bad_base64", "not base64: length is not a multiple of 4");
  }
  const auto first_pad = compact.find('=');
  if (first_pad != std::string::npos &&
      (compact.size() - first_pad > 2 ||
       compact.find_first_not_of('=', first_pad) != std::string::npos)) {
    return MakeError("encoding.bad_base64", "not base64: padding in the middle");
  }
  std::string out(3 * (compact.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(compact.data()),
                                static_cast<int>(compact.size()));
  if (n < 0) return MakeError("encoding.bad_base64", "not base64");
  // EVP_DecodeBlock counts padding bytes as zeros; drop them.
  std::size_t pad = 0;
  if (!compact.empty() && compact.back() == '=') ++pad;
  if (compact.size() > 1 && compact[compact.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
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
