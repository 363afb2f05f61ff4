#include "hooks/sso_pages.hpp"

#include <boost/json.hpp>

namespace vsso::hooks {
namespace sdk = visitor_sso::sdk;
namespace {

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> PageHeaders() {
  return {{"Content-Type", "text/html; charset=utf-8"},
          {"Cache-Control", "no-store"},
          {"X-Content-Type-Options", "nosniff"},
          {"Content-Security-Policy",
           "default-src 'none'; style-src 'unsafe-inline'; "
           "form-action 'self'; frame-ancestors 'none'"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "no-referrer"}};
}

std::string Document(const std::string& title, const std::string& main) {
  return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
         "content=\"width=device-width, initial-scale=1\"><title>" +
         HtmlEscape(title) + "</title></head><body><main>" + main + "</main></body></html>";
}

}  // namespace

sdk::HttpResponse Page(int status, const std::string& title, const std::string& text,
                       const std::string& code, const std::string& back_url) {
  sdk::HttpResponse r;
  r.status = status;
  r.headers = PageHeaders();
  // The code, machine-readable for hosts (the page shows it to the visitor).
  if (!code.empty()) r.headers.emplace_back("X-Visitor-SSO-Error", code);
  r.body = Document(
      title, "<h1>" + HtmlEscape(title) + "</h1><p data-testid=\"sso-message\">" +
                 HtmlEscape(text) + "</p>" +
                 (code.empty() ? std::string()
                               : "<p>Error code: <code data-testid=\"sso-error-code\">" +
                                     HtmlEscape(code) + "</code></p>") +
                 (back_url.empty() ? std::string()
                                   : "<p><a data-testid=\"sso-return\" href=\"" +
                                         HtmlEscape(back_url) + "\">Back to the chat</a></p>"));
  return r;
}

sdk::HttpResponse ConfirmPage(const std::string& name, const std::string& idp,
                              const std::string& token, const std::string& confirm_path) {
  sdk::HttpResponse r;
  r.status = 200;
  r.headers = PageHeaders();
  const std::string title = "Continue as " + name + "?";
  r.body = Document(
      title, "<h1 data-testid=\"sso-confirm\">" + HtmlEscape(title) +
                 "</h1><p>Your identity provider (" + HtmlEscape(idp) +
                 ") sent a sign-in for this name. Continue only if you just signed in there "
                 "yourself.</p><form method=\"post\" action=\"" +
                 HtmlEscape(confirm_path) +
                 "\"><input "
                 "type=\"hidden\" name=\"token\" value=\"" +
                 HtmlEscape(token) +
                 "\"><button type=\"submit\" data-testid=\"sso-confirm-continue\">Continue as " +
                 HtmlEscape(name) +
                 "</button></form><p><a data-testid=\"sso-confirm-cancel\" href=\"/\">No, do not "
                 "sign me in</a></p>");
  return r;
}

sdk::HttpResponse JsonError(int status, const std::string& code, const std::string& message) {
  sdk::HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"},
               {"Cache-Control", "no-store"},
               {"X-Content-Type-Options", "nosniff"},
               {"X-Visitor-SSO-Error", code}};
  r.body = boost::json::serialize(
      boost::json::object{{"ok", false}, {"code", code}, {"message", message}});
  return r;
}

}  // namespace vsso::hooks
