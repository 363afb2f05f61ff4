// The plugin's own HTTP endpoints, served through the host's HTTP hook:
//   GET  /sso/login     start an SP-initiated login for a visitor
//   POST /sso/acs       Assertion Consumer Service (HTTP-POST binding)
//   GET  /sso/metadata  SP metadata
// Threading: any thread.
#pragma once

#include "hooks/runtime.hpp"
#include "visitor_sso/sdk/types.hpp"

namespace vsso::hooks {

/// Builds the AuthnRequest, stores it with a fresh single-use RelayState bound
/// to the visitor, and answers 302 to the IdP (Bindings 3.4).
visitor_sso::sdk::HttpResponse HandleLogin(const Runtime& runtime,
                                           const visitor_sso::sdk::HttpRequest& request);

/// Takes the RelayState's pending request (single use), validates the
/// response, opens the visitor's SSO session, answers 303 to the chat, or a
/// 4xx page with the visitor-safe message and the error code.
visitor_sso::sdk::HttpResponse HandleAcs(const Runtime& runtime,
                                         const visitor_sso::sdk::HttpRequest& request);

visitor_sso::sdk::HttpResponse HandleMetadata(const Runtime& runtime);

/// "/sso/login?visitor=<id>&return=<url>" for a visitor, relative to the host.
std::string SignInUrl(const std::string& visitor_id, const std::string& return_url);

}  // namespace vsso::hooks
