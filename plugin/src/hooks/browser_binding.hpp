// Ties a sign-in to the browser that started it, the way OAuth binds `state`
// to the user agent (RFC 6749 10.12) and Shibboleth SP its relay-state
// cookie: the plugin's own cookie holds 128 random bits; the store keeps only
// their SHA-256. A RelayState, confirmation token or hand-off code is then
// worth nothing in another browser.
//
// The cookie is always `HttpOnly; Secure; SameSite=None; Path=/sso/`:
// SameSite=None because the IdP posts to the ACS from another site, Secure
// because browsers require it with None (Chromium also accepts it on
// http://127.0.0.1 and http://localhost).
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "visitor_sso/sdk/types.hpp"

namespace vsso::hooks {

inline constexpr std::string_view kBrowserCookie = "vsso_browser";

/// The request's plugin cookie when present and well formed (32 lower-case
/// hex digits); a malformed one counts as absent.
std::optional<std::string> BrowserCookieOf(const visitor_sso::sdk::HttpRequest& request);

/// 128 bits from OpenSSL's CSPRNG as 32 lower-case hex digits.
/// "sso.random_failed" if the generator fails.
Result<std::string> RandomToken();

/// SHA-256 of `value`, lower-case hex (what the store keeps of a token).
std::string Sha256Hex(std::string_view value);

/// The Set-Cookie header value that gives a browser `cookie`.
std::string BrowserCookieHeader(const std::string& cookie);

/// The request's cookie, or a fresh one; `minted` tells whether the response
/// must set it. A browser that already has one keeps it, so two tabs, a
/// double click or two websites do not overwrite each other's sign-ins.
struct BrowserBinding {
  std::string cookie;
  bool minted = false;
  std::string Hash() const { return Sha256Hex(cookie); }
};
Result<BrowserBinding> BindBrowser(const visitor_sso::sdk::HttpRequest& request);

/// The first value of header `name` (ASCII case-insensitive), or empty.
std::string HeaderOf(const visitor_sso::sdk::HttpRequest& request, std::string_view name);

/// Refuses what a page of another site could send: the request must be
/// JSON (a content type HTML forms cannot produce, so a cross-site fetch
/// needs a CORS preflight that the chat host never grants) and carry an
/// Origin equal to `own_origin` ("https://chat.example.com", the origin of
/// acs_url). Error `code` otherwise, naming what was wrong.
Status CheckSameOriginJson(const visitor_sso::sdk::HttpRequest& request,
                           const std::string& own_origin, const std::string& code);

/// "scheme://host[:port]" of an absolute URL, as browsers send it in Origin
/// (lower-case scheme and host, default port omitted); empty if `url` is not
/// an absolute http(s) URL.
std::string OriginOf(std::string_view url);

}  // namespace vsso::hooks
