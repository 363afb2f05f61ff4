#include "hooks/return_path.hpp"

#include <cctype>

namespace vsso::hooks {
namespace {

Error Refused(const std::string& why) {
  return MakeError("sso.login.bad_return_url", "the return address " + why);
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return (std::tolower(static_cast<unsigned char>(c)) - 'a') + 10;
}

// "." or "..", with any dot possibly written "%2e" / "%2E".
bool IsDotSegment(std::string_view segment) {
  int dots = 0;
  for (std::size_t i = 0; i < segment.size();) {
    if (segment[i] == '.') {
      ++dots;
      ++i;
    } else if (segment.size() - i >= 3 && segment[i] == '%' && segment[i + 1] == '2' &&
               (segment[i + 2] == 'e' || segment[i + 2] == 'E')) {
      ++dots;
      i += 3;
    } else {
      return false;
    }
  }
  return dots == 1 || dots == 2;
}

}  // namespace

Result<std::string> CheckReturnPath(std::string_view path) {
  if (path.empty()) return Refused("is empty");
  if (path.size() > kMaxReturnPathBytes) {
    return Refused("is " + std::to_string(path.size()) + " bytes long; at most " +
                   std::to_string(kMaxReturnPathBytes) + " are accepted");
  }
  if (path[0] != '/') return Refused("must be a path on this site starting with \"/\"");
  if (path.size() > 1 && (path[1] == '/' || path[1] == '\\')) {
    return Refused("starts with \"//\" or \"/\\\", which browsers read as another host");
  }
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto c = static_cast<unsigned char>(path[i]);
    if (c < 0x20 || c == 0x7f) {
      return Refused("contains a control character at byte " + std::to_string(i));
    }
    if (c == ' ') return Refused("contains a space at byte " + std::to_string(i));
    if (c >= 0x80) {
      return Refused("contains a non-ASCII byte at byte " + std::to_string(i) +
                     " (percent-encode it)");
    }
    if (c == '\\') return Refused("contains a backslash at byte " + std::to_string(i));
    if (c == '"' || c == '<' || c == '>' || c == '^' || c == '`' || c == '{' || c == '|' ||
        c == '}') {
      return Refused(std::string("contains the character '") + static_cast<char>(c) +
                     "', which URLs never contain unencoded");
    }
    if (c == '%') {
      if (i + 2 >= path.size() || !IsHex(path[i + 1]) || !IsHex(path[i + 2])) {
        return Refused("has a broken percent escape at byte " + std::to_string(i));
      }
      const int octet = HexValue(path[i + 1]) * 16 + HexValue(path[i + 2]);
      if (octet < 0x20 || octet == 0x7f || octet == '/' || octet == '\\') {
        return Refused("contains an encoded \"/\", \"\\\" or control character (" +
                       std::string(path.substr(i, 3)) + ") at byte " + std::to_string(i));
      }
    }
  }
  // Dot segments in the path part only (the query and fragment are opaque).
  const std::string_view path_part = path.substr(0, path.find_first_of("?#"));
  std::size_t start = 1;
  while (start <= path_part.size()) {
    const std::size_t slash = path_part.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path_part.size() : slash;
    if (IsDotSegment(path_part.substr(start, end - start))) {
      return Refused("contains a \".\" or \"..\" path segment");
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return std::string(path);
}

}  // namespace vsso::hooks
