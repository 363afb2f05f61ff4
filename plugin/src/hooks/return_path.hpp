// Where a browser may be sent after signing in: a path on the chat host
// itself, checked over the octets as given. Nothing is normalised or
// decoded first: Boost.URL's normalize() turns "/chat/..//evil.example" into
// "//evil.example", and decoding "%0d%0a" yields a raw CR LF for a Location
// header. A pure function; any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vsso::hooks {

/// Longest return path accepted, in bytes.
inline constexpr std::size_t kMaxReturnPathBytes = 2048;

/// `path` itself when it is a safe same-site return path (RFC 3986
/// path-absolute with optional query and fragment); otherwise
/// "sso.login.bad_return_url" naming the first problem: empty or longer than
/// 2,048 bytes; not starting with "/", or starting with "//" or "/\"; a
/// backslash; an encoded "/", "\", control character (%00-%1F, %7F) or a
/// broken "%" escape; a raw control character, space or non-ASCII byte; a
/// character URIs never contain (" < > ^ ` { | }); a "." or ".." path
/// segment, also spelled with "%2e" (browsers resolve those too, URL
/// Standard 4.4 "single-dot / double-dot URL path segment").
Result<std::string> CheckReturnPath(std::string_view path);

}  // namespace vsso::hooks
