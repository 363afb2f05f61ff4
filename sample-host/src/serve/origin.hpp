// Web origins (RFC 6454) as serve compares them: the public origin the chat
// host answers on, the website origins that embed its chat, and what a
// request's Host, Origin and Referer headers name.
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sample_host::serve {

struct Origin {
  std::string scheme;  ///< "http" or "https", lowercase
  std::string host;    ///< lowercase; an IPv6 address keeps its brackets
  unsigned port = 0;   ///< explicit or the scheme's default

  /// "scheme://host[:port]" with the port left out when it is the default,
  /// as browsers send it in the Origin header.
  std::string Serialize() const;
  /// Whether a Host header value ("host" or "host:port") names this origin.
  bool MatchesHost(std::string_view host_header) const;
  /// https, or a loopback host (localhost, 127.0.0.0/8, [::1]): the browsers'
  /// "potentially trustworthy" origins, where Secure cookies are kept.
  bool IsTrustworthy() const;
  bool operator==(const Origin&) const = default;
};

/// Parses "http://127.0.0.1:8080" (an optional trailing "/" is allowed, no
/// path, query, user info or other scheme); nullopt otherwise.
std::optional<Origin> ParseOrigin(std::string_view text);

/// The origin of an absolute http(s) URL such as a Referer; nullopt when it
/// is not one.
std::optional<Origin> OriginOfUrl(std::string_view url);

}  // namespace sample_host::serve
