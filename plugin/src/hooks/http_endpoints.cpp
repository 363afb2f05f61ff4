#include "hooks/http_endpoints.hpp"

#include <boost/json.hpp>

#include "common/url.hpp"
#include "config/platform.hpp"
#include "hooks/browser_binding.hpp"
#include "hooks/housekeeping.hpp"
#include "hooks/logout_endpoints.hpp"
#include "hooks/return_path.hpp"
#include "hooks/sign_in_service.hpp"
#include "hooks/sso_pages.hpp"
#include "saml/authn_request.hpp"
#include "saml/metadata.hpp"
#include "store/handoff_store.hpp"
#include "store/request_store.hpp"
#include "store/session_repository.hpp"

namespace vsso::hooks {
namespace sdk = visitor_sso::sdk;
namespace json = boost::json;
namespace {

// Outstanding AuthnRequests expire after 10 minutes; the visitor starts again
// after that.
constexpr UnixSeconds kRequestLifetime = 600;
// An IdP-initiated sign-in waits this long for the visitor's confirmation.
constexpr UnixSeconds kConfirmLifetime = 300;
// A popup's hand-off code is redeemed by its opener at once, or never.
constexpr UnixSeconds kCodeLifetime = 60;

constexpr const char* kFailedTitle = "Sign-in failed";
constexpr const char* kVisitorMessage =
    "We could not confirm your sign-in. Please try again, or contact the site if it keeps "
    "happening.";
constexpr const char* kUnavailable = "Sign-in is unavailable. Please try again later.";

std::string Param(const url::QueryParams& params, const std::string& key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return {};
}

bool IsToken(const std::string& v) {
  return v.size() == 32 && v.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string SessionToJson(const store::SsoSession& s) {
  return json::serialize(json::object{{"customer_id", s.customer_id},
                                      {"name_id", s.name_id},
                                      {"name_id_format", s.name_id_format},
                                      {"name_qualifier", s.name_qualifier},
                                      {"sp_name_qualifier", s.sp_name_qualifier},
                                      {"session_index", s.session_index},
                                      {"idp_entity_id", s.idp_entity_id},
                                      {"signed_in_at", s.signed_in_at},
                                      {"expires_at", s.expires_at},
                                      {"fields_json", s.fields_json},
                                      {"attributes_json", s.attributes_json}});
}

// The payload is our own (written by SessionToJson); anything else is a
// corrupt row and refused.
Result<store::SsoSession> SessionFromJson(const std::string& text) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const auto corrupt = MakeError("sso.confirm.corrupt", "a stored sign-in could not be read");
  if (ec || !v.is_object()) return corrupt;
  const json::object& o = v.as_object();
  const auto str = [&](const char* key, std::string& out) {
    const json::value* f = o.if_contains(key);
    if (f == nullptr || !f->is_string()) return false;
    out = std::string(f->as_string());
    return true;
  };
  const auto num = [&](const char* key, UnixSeconds& out) {
    const json::value* f = o.if_contains(key);
    if (f == nullptr || !f->is_int64()) return false;
    out = f->as_int64();
    return true;
  };
  store::SsoSession s;
  if (!str("customer_id", s.customer_id) || !str("name_id", s.name_id) ||
      !str("name_id_format", s.name_id_format) || !str("session_index", s.session_index) ||
      !str("idp_entity_id", s.idp_entity_id) || !num("signed_in_at", s.signed_in_at) ||
      !num("expires_at", s.expires_at) || !str("fields_json", s.fields_json) ||
      !str("attributes_json", s.attributes_json) || !str("name_qualifier", s.name_qualifier) ||
      !str("sp_name_qualifier", s.sp_name_qualifier)) {
    return corrupt;
  }
  return s;
}

// The name a visitor recognises: the mapped "name" field, else the customer ID.
std::string DisplayName(const SignIn& sign_in) {
  for (const auto& f : sign_in.mapping.fields) {
    if (f.key == "name" && !f.values.empty() && !f.values.front().empty()) return f.values.front();
  }
  return sign_in.customer_id;
}

sdk::HttpResponse Redirect(int status, const std::string& location) {
  sdk::HttpResponse r;
  r.status = status;
  r.headers = {{"Location", location}, {"Cache-Control", "no-store"}};
  return r;
}

sdk::HttpResponse JsonOk(json::object body) {
  body["ok"] = true;
  sdk::HttpResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/json"},
               {"Cache-Control", "no-store"},
               {"X-Content-Type-Options", "nosniff"}};
  r.body = json::serialize(body);
  return r;
}

sdk::HttpResponse HandleLogin(const Runtime& rt, const sdk::HttpRequest& request) {
  constexpr const char* kTitle = "Sign-in could not start";
  // The visitor is the host's, for this browser: a link carries no visitor,
  // so whoever opens it signs in only their own chat.
  const std::string& visitor = request.visitor_id;
  const auto refuse = [&](int status, const std::string& text, const Error& error) {
    RecordRejectedSignIn(rt, error, visitor, request.remote_address);
    return Page(status, kTitle, text, error.code);
  };
  if (visitor.empty()) {
    return refuse(400, "Open the chat first, then sign in.",
                  MakeError("sso.login.no_visitor",
                            "the host knows no visitor for this browser (open the chat window "
                            "first; a sign-in link never names a visitor)"));
  }
  auto params = url::ParseQuery(request.query);
  if (!params) return refuse(400, "The sign-in link is malformed.", params.error());
  std::string return_url = Param(*params, "return");
  if (return_url.empty()) return_url = "/";
  auto checked = CheckReturnPath(return_url);
  if (!checked) {
    return refuse(400, "The sign-in link has an invalid return address.", checked.error());
  }
  auto binding = BindBrowser(request);
  if (!binding) return refuse(500, "Please try again.", binding.error());
  auto relay_state = RandomToken();
  if (!relay_state) return refuse(500, "Please try again.", relay_state.error());
  saml::AuthnRequestParams p;
  p.sp_entity_id = rt.settings.sp_entity_id;
  p.acs_url = rt.settings.acs_url;
  p.idp_sso_url = rt.settings.idp_sign_in_url;
  p.relay_state = *relay_state;
  p.now = rt.Now();
  p.sign = rt.settings.sign_authn_requests;
  p.key = rt.sp_private_key;
  auto built = saml::BuildRedirectAuthnRequest(p);
  if (!built) return refuse(500, "Please try again later.", built.error());
  store::PendingRequest pending;
  pending.request_id = built->id;
  pending.relay_state = *relay_state;
  pending.visitor_id = visitor;
  pending.return_url = return_url;
  pending.browser_hash = binding->Hash();
  pending.created_at = rt.Now();
  pending.expires_at = rt.Now() + kRequestLifetime;
  if (auto st = store::RequestStore(rt.db, rt.settings.site_id)
                    .Save(pending, rt.Now(), rt.settings.max_pending_sign_ins);
      !st) {
    const Error error = st.error().code == "store.too_many_pending"
                            ? MakeError("sso.login.too_many_pending", st.error().message)
                            : st.error();
    return refuse(503, kUnavailable, error);
  }
  sdk::HttpResponse r = Redirect(302, built->redirect_url);
  if (binding->minted) r.headers.emplace_back("Set-Cookie", BrowserCookieHeader(binding->cookie));
  return r;
}

// An IdP-initiated sign-in (SAML Profiles 4.1.5) proves who the IdP saw, not
// whose browser posted it: anyone can make a browser post a response they
// hold. It waits for this browser's explicit confirmation instead.
sdk::HttpResponse AskConfirmation(const Runtime& rt, const sdk::HttpRequest& request,
                                  const SignIn& sign_in, const std::string& target) {
  auto binding = BindBrowser(request);
  auto token = RandomToken();
  if (!binding || !token) {
    const Error e = !binding ? binding.error() : token.error();
    RecordRejectedSignIn(rt, e, request.visitor_id, request.remote_address);
    return Page(500, kFailedTitle, "Please try again.", e.code);
  }
  store::Handoff h;
  h.token_hash = Sha256Hex(*token);
  h.kind = store::HandoffKind::kConfirm;
  h.browser_hash = binding->Hash();
  h.payload = SessionToJson(SessionOf(rt, sign_in));
  h.return_url = target;
  h.created_at = rt.Now();
  h.expires_at = rt.Now() + kConfirmLifetime;
  if (auto st = store::HandoffStore(rt.db, rt.settings.site_id).Save(h, rt.Now()); !st) {
    RecordRejectedSignIn(rt, st.error(), request.visitor_id, request.remote_address);
    return Page(503, kFailedTitle, kUnavailable, st.error().code);
  }
  sdk::HttpResponse r = ConfirmPage(DisplayName(sign_in), sign_in.identity.issuer, *token,
                                    rt.EndpointPath("confirm"));
  if (binding->minted) r.headers.emplace_back("Set-Cookie", BrowserCookieHeader(binding->cookie));
  return r;
}

sdk::HttpResponse HandleAcs(const Runtime& rt, const sdk::HttpRequest& request) {
  if (request.method != "POST") {
    return Page(405, kFailedTitle, "The sign-in response must be posted.", "sso.acs.method");
  }
  std::string visitor = request.visitor_id;
  std::string back_url;  // known once the RelayState names this browser's sign-in
  // Every refusal before validation is audited here; ConsumeResponse audits
  // its own. The visitor sees a plain message, the admin the precise reason.
  const auto refuse = [&](int status, const std::string& text, const Error& error) {
    RecordRejectedSignIn(rt, error, visitor, request.remote_address);
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

  std::optional<store::PendingRequest> pending;
  if (!relay_state.empty()) {
    // Single use: the pending request is taken before validation, so a second
    // post of the same login finds nothing (SAML Profiles 4.1.4.5).
    auto taken = store::RequestStore(rt.db, rt.settings.site_id).Take(relay_state, rt.Now());
    if (taken) {
      // The browser that posts must be the one that started the sign-in
      // (RFC 6749 10.12): otherwise a RelayState captured in one browser
      // signs another browser's chat in (login CSRF).
      const auto cookie = BrowserCookieOf(request);
      if (!cookie || taken->browser_hash.empty() || Sha256Hex(*cookie) != taken->browser_hash) {
        return refuse(403, kVisitorMessage,
                      MakeError("sso.acs.browser_mismatch",
                                std::string("the browser that posted the response did not start "
                                            "this sign-in: its vsso_browser cookie is ") +
                                    (cookie ? "different" : "missing") +
                                    " (a RelayState posted from another browser, e.g. a forged "
                                    "cross-site form)"));
      }
      if (!visitor.empty() && visitor != taken->visitor_id) {
        return refuse(403, kVisitorMessage,
                      MakeError("sso.acs.browser_mismatch",
                                "the host knows another visitor for the posting browser than "
                                "the one who started this sign-in"));
      }
      visitor = taken->visitor_id;
      back_url = taken->return_url;
      pending = std::move(*taken);
    } else if (taken.error().code == "store.request_expired") {
      return refuse(400, "The sign-in took too long. Please start it again.",
                    MakeError("sso.acs.request_expired", taken.error().message));
    } else if (taken.error().code != "store.request_unknown") {
      return refuse(503, kUnavailable, taken.error());
    } else if (!rt.settings.allow_idp_initiated) {
      return refuse(400, kVisitorMessage,
                    MakeError("sso.acs.unknown_relay_state",
                              "the RelayState matches no pending sign-in (already used, expired, "
                              "or not started here) and allow_idp_initiated is false"));
    }
  }
  auto xml = saml::DecodePostedResponse(saml_response);
  if (!xml) return refuse(400, kVisitorMessage, xml.error());
  auto sign_in = ConsumeResponse(
      rt, SignInAttempt{*xml, pending ? std::optional(pending->request_id) : std::nullopt, visitor,
                        request.remote_address});
  if (!sign_in) return Page(403, kFailedTitle, kVisitorMessage, sign_in.error().code, back_url);

  if (!pending || sign_in->identity.in_response_to != pending->request_id) {
    // Unsolicited. An IdP-initiated RelayState may name the target resource
    // (Profiles 4.1.5); it is used only when it is a safe path.
    std::string target = pending ? pending->return_url : "/";
    if (!pending && !relay_state.empty() && CheckReturnPath(relay_state)) target = relay_state;
    return AskConfirmation(rt, request, *sign_in, target);
  }
  store::SsoSession session = SessionOf(rt, *sign_in);
  session.visitor_id = visitor;
  if (auto st = store::SessionRepository(rt.db, rt.settings.site_id).Upsert(session); !st) {
    return refuse(503, kUnavailable, st.error());
  }
  sdk::HttpResponse r = Redirect(303, pending->return_url);
  r.signed_in_visitor_id = visitor;
  return r;
}

sdk::HttpResponse HandleConfirm(const Runtime& rt, const sdk::HttpRequest& request) {
  const std::string& visitor = request.visitor_id;
  const auto refuse = [&](int status, const std::string& text, const Error& error) {
    RecordRejectedSignIn(rt, error, visitor, request.remote_address);
    return Page(status, kFailedTitle, text, error.code);
  };
  if (request.method != "POST") {
    return refuse(405, kVisitorMessage,
                  MakeError("sso.confirm.method", "the confirmation must be posted"));
  }
  auto form = url::ParseForm(request.body);
  if (!form) return refuse(400, kVisitorMessage, form.error());
  const std::string token = Param(*form, "token");
  if (!IsToken(token)) {
    return refuse(400, kVisitorMessage,
                  MakeError("sso.confirm.unknown_token",
                            "the confirmation has no well-formed token (32 hex digits)"));
  }
  // Checked before the token is taken, so the visitor can open the chat and
  // confirm again.
  if (visitor.empty()) {
    return refuse(400, "Open the chat first, then confirm the sign-in.",
                  MakeError("sso.confirm.no_visitor",
                            "the host knows no visitor for the browser that confirmed"));
  }
  auto taken = store::HandoffStore(rt.db, rt.settings.site_id)
                   .Take(Sha256Hex(token), store::HandoffKind::kConfirm, rt.Now());
  if (!taken) {
    const std::string& code = taken.error().code;
    if (code == "store.handoff_unknown") {
      return refuse(400, kVisitorMessage,
                    MakeError("sso.confirm.unknown_token", taken.error().message));
    }
    if (code == "store.handoff_expired") {
      return refuse(400, "The sign-in took too long. Please start it again.",
                    MakeError("sso.confirm.expired", taken.error().message));
    }
    return refuse(503, kUnavailable, taken.error());
  }
  const auto cookie = BrowserCookieOf(request);
  if (!cookie || Sha256Hex(*cookie) != taken->browser_hash) {
    return refuse(403, kVisitorMessage,
                  MakeError("sso.confirm.browser_mismatch",
                            "the confirmation came from another browser than the one that "
                            "received the IdP-initiated response"));
  }
  auto session = SessionFromJson(taken->payload);
  if (!session) return refuse(500, kVisitorMessage, session.error());
  session->visitor_id = visitor;
  if (auto st = store::SessionRepository(rt.db, rt.settings.site_id).Upsert(*session); !st) {
    return refuse(503, kUnavailable, st.error());
  }
  RecordSignInEvent(rt, "sign_in_confirmed",
                    "customer " + session->customer_id + " confirmed an IdP-initiated sign-in",
                    session->idp_entity_id, visitor, request.remote_address);
  sdk::HttpResponse r = Redirect(303, taken->return_url);
  r.signed_in_visitor_id = visitor;
  return r;
}

sdk::HttpResponse HandleHandoff(const Runtime& rt, const sdk::HttpRequest& request) {
  if (request.method != "POST") {
    return JsonError(405, "sso.handoff.method",
                     "POST a JSON body to " + rt.EndpointPath("handoff"));
  }
  if (auto st =
          CheckSameOriginJson(request, OriginOf(rt.settings.acs_url), "sso.handoff.cross_origin");
      !st) {
    return JsonError(403, st.error().code, st.error().message);
  }
  std::optional<store::SsoSession> live;
  if (!request.visitor_id.empty()) {
    auto found =
        store::SessionRepository(rt.db, rt.settings.site_id).FindLive(request.visitor_id, rt.Now());
    if (!found) return JsonError(503, found.error().code, found.error().message);
    live = std::move(*found);
  }
  if (!live) {
    return JsonError(404, "sso.handoff.not_signed_in",
                     "this browser's visitor has no live sign-in to hand over");
  }
  auto code = RandomToken();
  if (!code) return JsonError(500, code.error().code, code.error().message);
  store::Handoff h;
  h.token_hash = Sha256Hex(*code);
  h.kind = store::HandoffKind::kCode;
  h.payload = request.visitor_id;
  h.created_at = rt.Now();
  h.expires_at = rt.Now() + kCodeLifetime;
  if (auto st = store::HandoffStore(rt.db, rt.settings.site_id).Save(h, rt.Now()); !st) {
    return JsonError(503, st.error().code, st.error().message);
  }
  return JsonOk({{"code", *code}, {"expires_in", kCodeLifetime}});
}

sdk::HttpResponse HandleRedeem(const Runtime& rt, const sdk::HttpRequest& request) {
  const std::string& visitor = request.visitor_id;
  const auto refuse = [&](int status, const Error& error) {
    RecordRejectedSignIn(rt, error, visitor, request.remote_address);
    return JsonError(status, error.code, error.message);
  };
  if (request.method != "POST") {
    return JsonError(405, "sso.redeem.method", "POST a JSON body to " + rt.EndpointPath("redeem"));
  }
  if (auto st =
          CheckSameOriginJson(request, OriginOf(rt.settings.acs_url), "sso.redeem.cross_origin");
      !st) {
    return refuse(403, st.error());
  }
  if (visitor.empty()) {
    return refuse(400, MakeError("sso.redeem.no_visitor",
                                 "the host knows no visitor for the chat window redeeming the "
                                 "code"));
  }
  boost::system::error_code ec;
  const json::value body = json::parse(request.body, ec);
  const json::value* code =
      !ec && body.is_object() ? body.as_object().if_contains("code") : nullptr;
  if (code == nullptr || !code->is_string() || !IsToken(std::string(code->as_string()))) {
    return refuse(400, MakeError("sso.redeem.unknown_code",
                                 "the body must be {\"code\": \"<32 hex digits>\"}"));
  }
  auto taken =
      store::HandoffStore(rt.db, rt.settings.site_id)
          .Take(Sha256Hex(std::string(code->as_string())), store::HandoffKind::kCode, rt.Now());
  if (!taken) {
    if (taken.error().code == "store.handoff_unknown") {
      return refuse(400, MakeError("sso.redeem.unknown_code", taken.error().message));
    }
    if (taken.error().code == "store.handoff_expired") {
      return refuse(400, MakeError("sso.redeem.expired", taken.error().message));
    }
    return refuse(503, taken.error());
  }
  store::SessionRepository sessions(rt.db, rt.settings.site_id);
  auto live = sessions.FindLive(taken->payload, rt.Now());
  if (!live) return refuse(503, live.error());
  if (!*live) {
    return refuse(400, MakeError("sso.redeem.session_ended",
                                 "the popup's sign-in ended before its code was redeemed"));
  }
  store::SsoSession session = std::move(**live);
  session.visitor_id = visitor;
  if (auto st = sessions.Upsert(session); !st) return refuse(503, st.error());
  RecordSignInEvent(rt, "sign_in_handed_off",
                    "customer " + session.customer_id + " handed from a sign-in popup to its chat",
                    session.idp_entity_id, visitor, request.remote_address);
  sdk::HttpResponse r = JsonOk({{"customer_id", session.customer_id}});
  r.signed_in_visitor_id = visitor;
  return r;
}

sdk::HttpResponse HandleMetadata(const Runtime& rt) {
  saml::SpMetadataParams p;
  p.sp_entity_id = rt.settings.sp_entity_id;
  p.acs_url = rt.settings.acs_url;
  p.certificate = rt.sp_certificate;
  p.authn_requests_signed = rt.settings.sign_authn_requests;
  p.slo_url = SloUrl(rt);
  sdk::HttpResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/samlmetadata+xml"}};
  r.body = saml::BuildSpMetadata(p);
  return r;
}

sdk::HttpResponse Route(const Runtime& rt, std::string_view endpoint,
                        const sdk::HttpRequest& request) {
  if (endpoint == "metadata") return HandleMetadata(rt);
  using Handler = sdk::HttpResponse (*)(const Runtime&, const sdk::HttpRequest&);
  Handler handler = endpoint == "login"     ? HandleLogin
                    : endpoint == "acs"     ? HandleAcs
                    : endpoint == "confirm" ? HandleConfirm
                    : endpoint == "handoff" ? HandleHandoff
                    : endpoint == "redeem"  ? HandleRedeem
                    : endpoint == "logout"  ? HandleLogout
                    : endpoint == "slo"     ? HandleSlo
                                            : nullptr;
  if (handler == nullptr) return NotFound();
  if (!rt.settings.enabled) {
    // [sso] enabled = false: chats start without sign-in and no sign-in is
    // started, accepted or handed over.
    sdk::HttpResponse r;
    r.status = 503;
    r.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                 {"X-Visitor-SSO-Error", "sso.disabled"}};
    r.body = "Sign-in is turned off for this site.\n";
    return r;
  }
  MaybeRunHousekeeping(rt);
  return handler(rt, request);
}

bool HasLineBreakOrNul(const std::string& s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
}

}  // namespace

std::optional<SsoPath> ParseSsoPath(std::string_view path) {
  constexpr std::string_view kPrefix = "/sso/";
  if (!path.starts_with(kPrefix)) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  SsoPath out;
  const std::size_t slash = path.find('/');
  if (slash == std::string_view::npos) {
    out.site_id = config::kDefaultSiteId;
    out.endpoint = path;
  } else {
    out.site_id = path.substr(0, slash);
    out.endpoint = path.substr(slash + 1);
    if (!config::IsValidSiteId(out.site_id)) return std::nullopt;
  }
  constexpr std::string_view kEndpoints[] = {"login",  "acs",      "confirm", "handoff",
                                             "redeem", "metadata", "logout",  "slo"};
  for (std::string_view known : kEndpoints) {
    if (out.endpoint == known) return out;
  }
  return std::nullopt;
}

sdk::HttpResponse NotFound() {
  sdk::HttpResponse r;
  r.status = 404;
  r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  r.body = "Not found.\n";
  return r;
}

sdk::HttpResponse Unavailable(const std::string& code) {
  sdk::HttpResponse r;
  r.status = 503;
  r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  if (!HasLineBreakOrNul(code)) r.headers.emplace_back("X-Visitor-SSO-Error", code);
  r.body = "Sign-in is not configured for this site.\n";
  return r;
}

std::string SignInUrl(const Runtime& rt, const std::string& return_url) {
  const std::string login = rt.EndpointPath("login");
  auto url = url::AppendQuery(login, {{"return", return_url}});
  // The login path is a valid relative reference, so only a failure to
  // allocate could end here; the bare endpoint then returns to "/".
  return url ? *url : login;
}

sdk::HttpResponse HandleSsoRequest(const Runtime& rt, std::string_view endpoint,
                                   const sdk::HttpRequest& request) {
  sdk::HttpResponse r = Route(rt, endpoint, request);
  for (const auto& [name, value] : r.headers) {
    if (HasLineBreakOrNul(name) || HasLineBreakOrNul(value)) {
      return Page(500, "Sign-in failed", "Please try again later.", "sso.bad_header");
    }
  }
  return r;
}

}  // namespace vsso::hooks
