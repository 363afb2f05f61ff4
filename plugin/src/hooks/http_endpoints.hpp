// The plugin's own HTTP endpoints, served through the host's HTTP hook:
//   GET  /sso/login     start an SP-initiated sign-in for the host's visitor
//   POST /sso/acs       Assertion Consumer Service (HTTP-POST binding)
//   POST /sso/confirm   confirm an IdP-initiated sign-in in this browser
//   POST /sso/handoff   a signed-in popup asks a one-time code for its opener
//   POST /sso/redeem    the chat window redeems that code for its visitor
//   GET  /sso/metadata  SP metadata
// Every sign-in is bound to the browser that started it (browser_binding.hpp)
// and to the visitor the host knows for it (HttpRequest::visitor_id); no
// query parameter or form field ever names a visitor.
// Threading: any thread.
#pragma once

#include "hooks/runtime.hpp"
#include "visitor_sso/sdk/types.hpp"

namespace vsso::hooks {

/// Routes `request` to its endpoint and checks, in this one place, that no
/// header value of the answer contains CR, LF or NUL (500 "sso.bad_header"
/// instead: a header the plugin built from input must never split).
visitor_sso::sdk::HttpResponse HandleSsoRequest(const Runtime& runtime,
                                                const visitor_sso::sdk::HttpRequest& request);

/// "/sso/login?return=<path>": carries nothing that names a visitor or a
/// browser, so a link sent to someone else signs in only their own chat.
std::string SignInUrl(const std::string& return_url);

}  // namespace vsso::hooks
