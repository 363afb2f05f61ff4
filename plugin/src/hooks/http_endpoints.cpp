#include "hooks/http_endpoints.hpp"

#include <openssl/rand.h>

#include <boost/json.hpp>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "hooks/sign_in_service.hpp"
#include "saml/authn_request.hpp"
#include "saml/metadata.hpp"
#include "store/request_store.hpp"
#include "store/session_repository.hpp"

namespace vsso::hooks {
namespace sdk = visitor_sso::sdk;
namespace {

// Outstanding AuthnRequests expire after 10 minutes (issue: replay and
// request state); the visitor starts again after that.
constexpr UnixSeconds kRequestLifetime = 600;

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

// `back_url` (a same-site path) adds a link back to where the visitor was.
sdk::HttpResponse Page(int status, const std::string& title, const std::string& text,
                       const std::string& code, const std::string& back_url = {}) {
  sdk::HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"},
               {"Cache-Control", "no-store"},
               {"X-Content-Type-Options", "nosniff"}};
  // The code, machine-readable for hosts (the page shows it to the visitor).
  if (!code.empty()) r.headers.emplace_back("X-Visitor-SSO-Error", code);
  r.body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
           HtmlEscape(title) + "</title></head><body><main><h1>" + HtmlEscape(title) +
           "</h1><p data-testid=\"sso-message\">" + HtmlEscape(text) + "</p>" +
           (code.empty() ? std::string()
                         : "<p>Error code: <code data-testid=\"sso-error-code\">" +
                               HtmlEscape(code) + "</code></p>") +
           (back_url.empty() ? std::string()
                             : "<p><a data-testid=\"sso-return\" href=\"" + HtmlEscape(back_url) +
                                   "\">Back to the chat</a></p>") +
           "</main></body></html>";
  return r;
}

std::string RandomToken() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  return encoding::HexLower(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string Param(const std::vector<std::pair<std::string, std::string>>& params,
                  const std::string& key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return {};
}

// Only same-site return targets: a path on this host ("/chat?x"), never
// "//other" or an absolute URL, so /sso/login cannot be used as an open
// redirect.
bool IsSafeReturnUrl(const std::string& url) {
  return !url.empty() && url[0] == '/' && (url.size() == 1 || (url[1] != '/' && url[1] != '\\'));
}

}  // namespace

std::string SignInUrl(const std::string& visitor_id, const std::string& return_url) {
  auto url = url::AppendQuery("/sso/login", {{"visitor", visitor_id}, {"return", return_url}});
  // "/sso/login" is a valid relative reference, so only a failure to allocate
  // could end here; fall back to the bare endpoint (it then asks the host's
  // visitor ID).
  return url ? *url : std::string("/sso/login");
}

sdk::HttpResponse HandleLogin(const Runtime& rt, const sdk::HttpRequest& request) {
  auto params = url::ParseQuery(request.query);
  if (!params)
    return Page(400, "Sign-in could not start", "The sign-in link is malformed.",
                params.error().code);
  std::string visitor = Param(*params, "visitor");
  if (visitor.empty()) visitor = request.visitor_id;
  std::string return_url = Param(*params, "return");
  if (return_url.empty()) return_url = "/";
  if (visitor.empty()) {
    return Page(400, "Sign-in could not start", "The sign-in link names no visitor.",
                "sso.login.no_visitor");
  }
  if (!IsSafeReturnUrl(return_url)) {
    return Page(400, "Sign-in could not start", "The sign-in link has an invalid return address.",
                "sso.login.bad_return_url");
  }
  const std::string relay_state = RandomToken();
  if (relay_state.empty()) {
    return Page(500, "Sign-in could not start", "Please try again.", "sso.login.random_failed");
  }
  saml::AuthnRequestParams p;
  p.sp_entity_id = rt.settings.sp_entity_id;
  p.acs_url = rt.settings.acs_url;
  p.idp_sso_url = rt.settings.idp_sign_in_url;
  p.relay_state = relay_state;
  p.now = rt.Now();
  p.sign = rt.settings.sign_authn_requests;
  p.key = rt.sp_private_key;
  auto built = saml::BuildRedirectAuthnRequest(p);
  if (!built)
    return Page(500, "Sign-in could not start", "Please try again later.", built.error().code);
  store::RequestStore requests(rt.db);
  store::PendingRequest pending;
  pending.request_id = built->id;
  pending.relay_state = relay_state;
  pending.visitor_id = visitor;
  pending.return_url = return_url;
  pending.created_at = rt.Now();
  pending.expires_at = rt.Now() + kRequestLifetime;
  if (auto st = requests.Save(pending); !st) {
    return Page(503, "Sign-in is unavailable", "Please try again later.", st.error().code);
  }
  sdk::HttpResponse r;
  r.status = 302;
  r.headers = {{"Location", built->redirect_url}, {"Cache-Control", "no-store"}};
  return r;
}

sdk::HttpResponse HandleAcs(const Runtime& rt, const sdk::HttpRequest& request) {
  constexpr const char* kFailedTitle = "Sign-in failed";
  constexpr const char* kVisitorMessage =
      "We could not confirm your sign-in. Please try again, or contact the site if it keeps "
      "happening.";
  if (request.method != "POST") {
    return Page(405, kFailedTitle, "The sign-in response must be posted.", "sso.acs.method");
  }
  std::string visitor = request.visitor_id;
  std::string back_url;  // known once the RelayState names the pending sign-in
  // Every refusal before validation is audited here; ConsumeResponse audits
  // its own. The visitor sees a plain message, the admin the precise reason.
  const auto refuse = [&](int status, const std::string& text, const Error& error) {
    RecordRejectedSignIn(rt, error, visitor);
    return Page(status, kFailedTitle, text, error.code, back_url);
  };
  auto form = url::ParseForm(request.body);
  if (!form) return refuse(400, kVisitorMessage, form.error());
  const std::string saml_response = Param(*form, "SAMLResponse");
  const std::string relay_state = Param(*form, "RelayState");
  if (saml_response.empty()) {
    return refuse(
        400, kVisitorMessage,
        MakeError("sso.acs.no_saml_response", "the POST to the ACS has no SAMLResponse field"));
  }

  std::optional<std::string> expected_request_id;
  std::string return_url = "/";
  if (!relay_state.empty()) {
    // Single use: the pending request is taken before validation, so a second
    // post of the same login finds nothing (SAML Profiles 4.1.4.5).
    store::RequestStore requests(rt.db);
    auto pending = requests.Take(relay_state, rt.Now());
    if (pending) {
      expected_request_id = pending->request_id;
      visitor = pending->visitor_id;
      return_url = pending->return_url;
      back_url = return_url;
    } else if (pending.error().code == "store.request_expired") {
      return refuse(400, "The sign-in took too long. Please start it again.",
                    MakeError("sso.acs.request_expired", pending.error().message));
    } else if (pending.error().code != "store.request_unknown") {
      return refuse(503, "Sign-in is unavailable. Please try again later.", pending.error());
    } else if (!rt.settings.allow_idp_initiated) {
      return refuse(400, kVisitorMessage,
                    MakeError("sso.acs.unknown_relay_state",
                              "the RelayState matches no pending sign-in (already used, or not "
                              "started here) and allow_idp_initiated is false"));
    }
  }
  // Checked before validation so that a response nobody can use is not
  // remembered as consumed.
  if (visitor.empty()) {
    return refuse(400, "Open the chat first, then sign in.",
                  MakeError("sso.acs.no_visitor",
                            "no visitor: the response has no RelayState of a pending sign-in and "
                            "the host knows no visitor for this browser"));
  }
  auto xml = saml::DecodePostedResponse(saml_response);
  if (!xml) return refuse(400, kVisitorMessage, xml.error());
  auto sign_in = ConsumeResponse(rt, SignInAttempt{*xml, expected_request_id, visitor});
  if (!sign_in) return Page(403, kFailedTitle, kVisitorMessage, sign_in.error().code, back_url);

  store::SsoSession session;
  session.visitor_id = visitor;
  session.customer_id = sign_in->customer_id;
  session.name_id = sign_in->identity.name_id;
  session.name_id_format = sign_in->identity.name_id_format;
  session.session_index = sign_in->identity.session_index;
  session.idp_entity_id = sign_in->identity.issuer;
  session.signed_in_at = rt.Now();
  session.expires_at = rt.Now() + rt.settings.session_lifetime_seconds;
  // The chat session ends no later than the IdP's session (Core 2.7.2).
  if (sign_in->identity.session_not_on_or_after != 0 &&
      sign_in->identity.session_not_on_or_after < session.expires_at) {
    session.expires_at = sign_in->identity.session_not_on_or_after;
  }
  boost::json::array fields;
  for (const auto& f : sign_in->mapping.fields) {
    boost::json::array values;
    for (const auto& v : f.values) values.emplace_back(v);
    fields.emplace_back(boost::json::object{{"key", f.key}, {"values", std::move(values)}});
  }
  session.fields_json = boost::json::serialize(fields);
  boost::json::object attributes;
  for (const auto& a : sign_in->identity.attributes) {
    boost::json::array values;
    for (const auto& v : a.values) values.emplace_back(v);
    attributes[a.name] = std::move(values);
  }
  session.attributes_json = boost::json::serialize(attributes);
  store::SessionRepository sessions(rt.db);
  if (auto st = sessions.Upsert(session); !st) {
    return refuse(503, "Sign-in is unavailable. Please try again later.", st.error());
  }
  sdk::HttpResponse r;
  r.status = 303;
  r.headers = {{"Location", return_url}, {"Cache-Control", "no-store"}};
  r.signed_in_visitor_id = visitor;
  return r;
}

sdk::HttpResponse HandleMetadata(const Runtime& rt) {
  saml::SpMetadataParams p;
  p.sp_entity_id = rt.settings.sp_entity_id;
  p.acs_url = rt.settings.acs_url;
  p.certificate = rt.sp_certificate;
  p.authn_requests_signed = rt.settings.sign_authn_requests;
  sdk::HttpResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/samlmetadata+xml"}};
  r.body = saml::BuildSpMetadata(p);
  return r;
}

}  // namespace vsso::hooks
