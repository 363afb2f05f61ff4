// The plugin's own HTTP endpoints, served through the host's HTTP hook, for
// each site at /sso/<site>/<endpoint> (the default site also at
// /sso/<endpoint>):
//   GET  /sso/login     start an SP-initiated sign-in for the host's visitor
//   POST /sso/acs       Assertion Consumer Service (HTTP-POST binding)
//   POST /sso/confirm   confirm an IdP-initiated sign-in in this browser
//   POST /sso/handoff   a signed-in popup asks a one-time code for its opener
//   POST /sso/redeem    the chat window redeems that code for its visitor
//   GET  /sso/metadata  SP metadata
//   POST /sso/logout    sign-out, GET /sso/slo single logout (logout_endpoints.hpp)
// Every sign-in is bound to the browser that started it (browser_binding.hpp)
// and to the visitor the host knows for it (HttpRequest::visitor_id); no
// query parameter or form field ever names a visitor.
// Threading: any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hooks/runtime.hpp"
#include "visitor_sso/sdk/types.hpp"

namespace vsso::hooks {

/// A path under /sso/ split into its site and endpoint: "/sso/acs" is the
/// default site's, "/sso/acme/acs" site acme's.
struct SsoPath {
  std::string site_id;
  std::string endpoint;  ///< "login", "acs", "confirm", "handoff", "redeem", "metadata",
                         ///< "logout", "slo"
};
/// nullopt for anything else (unknown endpoint, invalid site ID, more segments).
std::optional<SsoPath> ParseSsoPath(std::string_view path);

/// Runs `endpoint` of the site `runtime` serves and checks, in this one
/// place, that no header value of the answer contains CR, LF or NUL (500
/// "sso.bad_header" instead: a header the plugin built from input must never
/// split).
visitor_sso::sdk::HttpResponse HandleSsoRequest(const Runtime& runtime, std::string_view endpoint,
                                                const visitor_sso::sdk::HttpRequest& request);

/// 404 for a path that is no endpoint of a known site.
visitor_sso::sdk::HttpResponse NotFound();
/// 503 for a site that has no configuration to serve; `code` (the site's
/// configuration error) goes in X-Visitor-SSO-Error.
visitor_sso::sdk::HttpResponse Unavailable(const std::string& code);

/// The site's "/sso/<site>/login?return=<path>": carries nothing that names
/// a visitor or a browser, so a link sent to someone else signs in only
/// their own chat.
std::string SignInUrl(const Runtime& runtime, const std::string& return_url);

}  // namespace vsso::hooks
