// The few HTML pages the plugin itself shows a visitor under /sso/: a
// refusal with its error code, and the confirmation of an IdP-initiated
// sign-in. Every value is HTML-escaped. Pure functions; any thread.
#pragma once

#include <string>

#include "visitor_sso/sdk/types.hpp"

namespace vsso::hooks {

/// A page with `text` for the visitor and, when non-empty, the error code
/// (also in the X-Visitor-SSO-Error header for hosts) and a link back to
/// `back_url` (a checked same-site path).
visitor_sso::sdk::HttpResponse Page(int status, const std::string& title, const std::string& text,
                                    const std::string& code, const std::string& back_url = {});

/// "Continue as <name>?" for an IdP-initiated sign-in: a form posting
/// `token` to `confirm_path` (the site's /sso/.../confirm). Never framed (frame-ancestors 'none'
/// and X-Frame-Options DENY): a page of another site cannot trick the click.
visitor_sso::sdk::HttpResponse ConfirmPage(const std::string& name, const std::string& idp,
                                           const std::string& token,
                                           const std::string& confirm_path);

/// JSON body {"ok":false,"code":...,"message":...} with `status`, for the
/// endpoints that the chat window calls with fetch.
visitor_sso::sdk::HttpResponse JsonError(int status, const std::string& code,
                                         const std::string& message);

}  // namespace vsso::hooks
