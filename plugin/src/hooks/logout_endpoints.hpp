// Sign-out and single logout (SAML Profiles 4.4, Bindings 3.4), served
// through the host's HTTP hook for each site:
//   POST /sso/logout  the host's visitor signs out of the chat: the session
//                     ends at once; when the IdP offers single logout, a
//                     signed LogoutRequest (Redirect binding) goes there too
//   GET  /sso/slo     the IdP's LogoutResponse to that request, or the IdP's
//                     own LogoutRequest (a sign-out started elsewhere), which
//                     ends every session of the NameID and is answered
// Every visitor whose session ends is named in
// HttpResponse::signed_out_visitor_ids, so the host updates open chat
// windows. The return leg is bound to the browser that started the sign-out
// (browser_binding.hpp), as a sign-in is.
//
// Threading: any thread.
#pragma once

#include <string>

#include "hooks/runtime.hpp"
#include "visitor_sso/sdk/types.hpp"

namespace vsso::hooks {

/// POST /sso/<site>/logout with form field `return` (a same-site path).
visitor_sso::sdk::HttpResponse HandleLogout(const Runtime& runtime,
                                            const visitor_sso::sdk::HttpRequest& request);

/// GET /sso/<site>/slo?SAMLResponse=... or ?SAMLRequest=...
visitor_sso::sdk::HttpResponse HandleSlo(const Runtime& runtime,
                                         const visitor_sso::sdk::HttpRequest& request);

/// This site's single logout URL, the Destination every logout message to us
/// must carry and what SP metadata lists: acs_url with its last path segment
/// "acs" replaced by "slo"; for an acs_url not ending in "/acs", the origin
/// of acs_url followed by the site's /sso/.../slo path.
std::string SloUrl(const Runtime& runtime);

}  // namespace vsso::hooks
