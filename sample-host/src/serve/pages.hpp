// serve's pages: the HTML files of sample-host/web (embedded, web_assets.hpp)
// with their {{name}} placeholders filled in, the headers each kind of page
// needs (Content-Security-Policy, framing), and the CSS/JS files under /web/.
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serve/http_basics.hpp"

namespace sample_host::serve {

/// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

/// web/<name> with each {{key}} replaced by the HTML-escaped value. Throws
/// std::logic_error for an unknown page or a placeholder left unfilled (a
/// build mistake, caught by the tests).
std::string RenderPage(std::string_view name,
                       const std::vector<std::pair<std::string, std::string>>& values);

/// Who may frame a page (CSP frame-ancestors, RFC 7034 X-Frame-Options).
enum class Framing {
  kNobody,        ///< agent pages, login, the sign-in popup: no clickjacking
  kChatEmbedders  ///< the chat window: this origin and the website origins
};

/// Where a page's forms may send the browser (CSP form-action).
enum class FormAction {
  kSelf,  ///< this origin only
  /// Also any http(s) URL: the chat window's sign-out form posts to the
  /// plugin, which redirects to the IdP's SingleLogoutService, whose origin
  /// the host does not know; Chromium applies form-action to the redirects
  /// after a form post as well.
  kSelfThenAnywhere,
};

/// A page with a CSP that allows scripts and styles from this origin only
/// (no inline script), frames from `frame_src` (the website's chat iframe;
/// empty: none), framing by `frame_ancestors` when kChatEmbedders and form
/// posts as `form_action` says.
Response PageResponse(const Request& request, http::status status, std::string html,
                      Framing framing, std::string_view frame_ancestors = {},
                      std::string_view frame_src = {}, FormAction form_action = FormAction::kSelf);

/// GET /web/<file> for the embedded CSS and JavaScript; 404 for anything else.
Response AssetResponse(const Request& request, std::string_view file);

}  // namespace sample_host::serve
