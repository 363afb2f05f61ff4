#include "serve/origin.hpp"

#include <algorithm>
#include <cctype>

#include "wire.hpp"

namespace sample_host::serve {

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

unsigned DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

// "host[:port]" into its parts; false when the port is not a number in
// 1..65535 or the host holds characters no host name or address has.
bool SplitAuthority(std::string_view authority, std::string& host, std::optional<unsigned>& port) {
  std::string_view host_part = authority;
  std::string_view port_part;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host_part = authority.substr(0, close + 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return false;
      port_part = rest.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host_part = authority.substr(0, colon);
      port_part = authority.substr(colon + 1);
    }
  }
  if (host_part.empty()) return false;
  for (char c : host_part) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '.' && c != '-' && c != '[' && c != ']' && c != ':') return false;
  }
  host = Lower(host_part);
  if (authority.find(':') != std::string_view::npos && !authority.starts_with('[') &&
      port_part.empty()) {
    return false;  // "host:" with nothing after the colon
  }
  if (!port_part.empty()) {
    const auto number = ParseInt(port_part, 1, 65535);
    if (!number) return false;
    port = static_cast<unsigned>(*number);
  }
  return true;
}

}  // namespace

std::string Origin::Serialize() const {
  std::string out = scheme + "://" + host;
  if (port != DefaultPort(scheme)) out += ":" + std::to_string(port);
  return out;
}

bool Origin::MatchesHost(std::string_view host_header) const {
  std::string other_host;
  std::optional<unsigned> other_port;
  if (!SplitAuthority(host_header, other_host, other_port)) return false;
  return other_host == host && other_port.value_or(DefaultPort(scheme)) == port;
}

bool Origin::IsTrustworthy() const {
  return scheme == "https" || host == "localhost" || host.ends_with(".localhost") ||
         host.starts_with("127.") || host == "[::1]";
}

std::optional<Origin> ParseOrigin(std::string_view text) {
  if (text.ends_with('/')) text.remove_suffix(1);
  const std::size_t separator = text.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  Origin origin;
  origin.scheme = Lower(text.substr(0, separator));
  if (origin.scheme != "http" && origin.scheme != "https") return std::nullopt;
  const std::string_view authority = text.substr(separator + 3);
  if (authority.find_first_of("/?#@\\ ") != std::string_view::npos) return std::nullopt;
  std::optional<unsigned> port;
  if (!SplitAuthority(authority, origin.host, port)) return std::nullopt;
  origin.port = port.value_or(DefaultPort(origin.scheme));
  return origin;
}

std::optional<Origin> OriginOfUrl(std::string_view url) {
  const std::size_t separator = url.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  const std::size_t end = url.find_first_of("/?#", separator + 3);
  return ParseOrigin(url.substr(0, end));
}

}  // namespace sample_host::serve
