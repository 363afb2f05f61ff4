#include "hooks/logout_endpoints.hpp"

#include <algorithm>
#include <optional>

#include "common/url.hpp"
#include "hooks/browser_binding.hpp"
#include "hooks/return_path.hpp"
#include "hooks/sso_pages.hpp"
#include "saml/logout.hpp"
#include "saml/redirect_binding.hpp"
#include "store/audit_log.hpp"
#include "store/logout_store.hpp"
#include "store/replay_cache.hpp"
#include "store/session_repository.hpp"

namespace vsso::hooks {
namespace sdk = visitor_sso::sdk;
namespace {

// The IdP answers a LogoutRequest at once (it may first sign the visitor out
// of other SPs, which takes seconds); after this the visitor starts again.
constexpr UnixSeconds kLogoutLifetime = 300;

constexpr const char* kTitle = "Sign-out";
constexpr const char* kFailed =
    "We could not complete the sign-out. Your chat sign-in has ended; close the browser to end "
    "your session at the sign-in service.";
constexpr const char* kRefusedIdp =
    "The sign-out request could not be verified, so nothing was changed.";

std::string Param(const url::QueryParams& params, const std::string& key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return {};
}

sdk::HttpResponse Redirect(int status, const std::string& location) {
  sdk::HttpResponse r;
  r.status = status;
  r.headers = {{"Location", location}, {"Cache-Control", "no-store"}};
  return r;
}

// The return path (already checked) with sso_signed_out=<outcome>, which the
// host turns into a status line.
sdk::HttpResponse BackTo(const std::string& return_url, const std::string& outcome) {
  auto location = url::AppendQuery(return_url, {{"sso_signed_out", outcome}});
  return Redirect(303, location ? *location : return_url);
}

// Audit rows. Refusals go under the kind the audit log folds
// ("sign_in_rejected"): /sso/slo takes unauthenticated input, and a flood
// of junk must fold into one row per code and address, not grow the log.
void Audit(const Runtime& rt, const std::string& kind, const std::string& code,
           const std::string& message, const std::string& issuer, const std::string& id,
           const std::string& visitor, const std::string& remote_address) {
  store::AuditEvent e;
  e.at = rt.Now();
  e.kind = kind;
  e.code = code;
  e.message = message;
  e.issuer = issuer;
  e.assertion_id = id;
  e.visitor_id = visitor;
  e.remote_address = remote_address;
  // The verdict stands even if auditing fails.
  (void)store::AuditLog(rt.db, rt.settings.site_id).Record(e);
}

void AuditRefusal(const Runtime& rt, const Error& error, const std::string& visitor,
                  const std::string& remote_address) {
  Audit(rt, "sign_in_rejected", error.code, error.message, {}, {}, visitor, remote_address);
}

// Logout CSRF: a page of another site could post a form here and sign the
// visitor out. Browsers send Origin with every cross-origin POST (and
// same-origin ones in Chromium and Firefox); Referer is the fallback for an
// older browser. Neither: refused, fail closed.
Status CheckSameOriginForm(const sdk::HttpRequest& request, const std::string& own_origin) {
  const std::string origin = HeaderOf(request, "origin");
  std::string seen;
  if (!origin.empty() && origin != "null") {
    seen = origin;
  } else {
    seen = OriginOf(HeaderOf(request, "referer"));
  }
  if (!own_origin.empty() && seen == own_origin) return Ok();
  return MakeError("sso.logout.cross_origin",
                   (seen.empty() ? std::string("the sign-out form carries no Origin or Referer")
                                 : "the sign-out form came from " + seen.substr(0, 128)) +
                       ", not this chat host (" + own_origin +
                       ", the origin of acs_url); a page of another site cannot sign visitors out");
}

saml::LogoutExpectations ExpectationsOf(const Runtime& rt) {
  saml::LogoutExpectations e;
  e.now = rt.Now();
  e.clock_skew_seconds = rt.settings.clock_skew_seconds;
  e.idp_entity_id = rt.settings.idp_entity_id;
  e.slo_url = SloUrl(rt);
  return e;
}

const crypto::PrivateKey* SigningKey(const Runtime& rt) {
  return rt.sp_private_key ? &*rt.sp_private_key : nullptr;
}

// ---- POST /sso/logout -------------------------------------------------------

sdk::HttpResponse SignOut(const Runtime& rt, const sdk::HttpRequest& request,
                          const store::SsoSession& session, const std::string& return_url) {
  const std::string& visitor = request.visitor_id;
  // Single logout needs the IdP's endpoint and the NameID it gave us.
  if (rt.settings.idp_logout_url.empty() || session.name_id.empty()) {
    Audit(rt, "sign_out", "ok",
          "customer " + session.customer_id + " signed out of the chat (local only: " +
              (rt.settings.idp_logout_url.empty()
                   ? "the IdP has no single logout endpoint)"
                   : "the session has no NameID to name in a LogoutRequest)"),
          session.idp_entity_id, {}, visitor, request.remote_address);
    sdk::HttpResponse r = BackTo(return_url, "local");
    r.signed_out_visitor_ids = {visitor};
    return r;
  }
  // From here the chat session is gone whatever happens; a failure only
  // costs the IdP leg, and the page says so.
  const auto fail = [&](int status, const Error& error) {
    AuditRefusal(rt, error, visitor, request.remote_address);
    sdk::HttpResponse r = Page(status, kTitle, kFailed, error.code, return_url);
    r.signed_out_visitor_ids = {visitor};
    return r;
  };
  auto binding = BindBrowser(request);
  if (!binding) return fail(500, binding.error());
  auto relay_state = RandomToken();
  if (!relay_state) return fail(500, relay_state.error());
  saml::LogoutRequestParams p;
  p.sp_entity_id = rt.settings.sp_entity_id;
  p.destination = rt.settings.idp_logout_url;
  // The principal exactly as the IdP named it (Core 3.7.1: the NameID of
  // the assertion, with its qualifiers).
  p.name_id.value = session.name_id;
  p.name_id.format = session.name_id_format;
  p.name_id.name_qualifier = session.name_qualifier;
  p.name_id.sp_name_qualifier = session.sp_name_qualifier;
  p.session_index = session.session_index;
  p.now = rt.Now();
  p.lifetime = kLogoutLifetime;
  auto built = saml::BuildLogoutRequest(p);
  if (!built) return fail(500, built.error());
  auto url = saml::EncodeRedirect(rt.settings.idp_logout_url, saml::RedirectKind::kRequest,
                                  built->xml, *relay_state, SigningKey(rt));
  if (!url) return fail(500, url.error());
  store::PendingLogout pending;
  pending.relay_state = *relay_state;
  pending.request_id = built->id;
  pending.visitor_id = visitor;
  pending.return_url = return_url;
  pending.browser_hash = binding->Hash();
  pending.created_at = rt.Now();
  pending.expires_at = rt.Now() + kLogoutLifetime;
  if (auto st = store::LogoutStore(rt.db, rt.settings.site_id)
                    .Save(pending, rt.Now(), rt.settings.max_pending_sign_ins);
      !st) {
    return fail(503, st.error());
  }
  Audit(rt, "sign_out", "ok",
        "customer " + session.customer_id + " signed out of the chat; LogoutRequest sent to " +
            rt.settings.idp_logout_url,
        session.idp_entity_id, built->id, visitor, request.remote_address);
  sdk::HttpResponse r = Redirect(302, *url);
  if (binding->minted) r.headers.emplace_back("Set-Cookie", BrowserCookieHeader(binding->cookie));
  r.signed_out_visitor_ids = {visitor};
  return r;
}

// ---- GET /sso/slo: the IdP's LogoutResponse ---------------------------------

sdk::HttpResponse FinishSignOut(const Runtime& rt, const sdk::HttpRequest& request,
                                const saml::RedirectMessage& message) {
  std::string visitor = request.visitor_id;
  std::string back_url;
  const auto refuse = [&](int status, const Error& error) {
    AuditRefusal(rt, error, visitor, request.remote_address);
    return Page(status, kTitle, kFailed, error.code, back_url);
  };
  // Unsigned answers are refused: otherwise anyone could end the pending
  // logout with a forged "Success" (Profiles 4.4.4.2, Bindings 3.4.4.1).
  if (auto st = saml::VerifyRedirectMessage(message, rt.idp_certificates, rt.settings.allow_sha1);
      !st) {
    return refuse(403, st.error());
  }
  if (message.relay_state.empty()) {
    return refuse(400, MakeError("sso.slo.unknown_relay_state",
                                 "the LogoutResponse carries no RelayState, so it answers no "
                                 "sign-out started here"));
  }
  auto taken = store::LogoutStore(rt.db, rt.settings.site_id).Take(message.relay_state, rt.Now());
  if (!taken) {
    const std::string& code = taken.error().code;
    if (code == "store.logout_unknown") {
      return refuse(400, MakeError("sso.slo.unknown_relay_state", taken.error().message));
    }
    if (code == "store.logout_expired") {
      return refuse(400, MakeError("sso.slo.expired", taken.error().message));
    }
    return refuse(503, taken.error());
  }
  back_url = taken->return_url;
  visitor = taken->visitor_id;
  // The answer must come back in the browser that signed out: a LogoutResponse
  // captured in one browser must not drive another browser's page.
  const auto cookie = BrowserCookieOf(request);
  if (!cookie || Sha256Hex(*cookie) != taken->browser_hash) {
    return refuse(403, MakeError("sso.slo.browser_mismatch",
                                 std::string("the LogoutResponse arrived in another browser than "
                                             "the one that signed out: its vsso_browser cookie "
                                             "is ") +
                                     (cookie ? "different" : "missing")));
  }
  auto response = saml::ParseLogoutResponse(message.xml, ExpectationsOf(rt), taken->request_id);
  if (!response) return refuse(403, response.error());
  if (!response->success()) {
    Audit(rt, "sign_out", "saml.logout.partial",
          "the IdP answered the LogoutRequest with " + response->status_code +
              (response->sub_status.empty() ? "" : " / " + response->sub_status) +
              "; the chat session had ended already",
          response->issuer, response->id, visitor, request.remote_address);
    return BackTo(back_url, "partial");
  }
  Audit(rt, "sign_out_idp", "ok", "the IdP confirmed the sign-out (LogoutResponse Success)",
        response->issuer, response->id, visitor, request.remote_address);
  return BackTo(back_url, "idp");
}

// ---- GET /sso/slo: the IdP's LogoutRequest ----------------------------------

sdk::HttpResponse IdpLogout(const Runtime& rt, const sdk::HttpRequest& request,
                            const saml::RedirectMessage& message) {
  const auto refuse = [&](int status, const Error& error) {
    AuditRefusal(rt, error, request.visitor_id, request.remote_address);
    return Page(status, kTitle, kRefusedIdp, error.code);
  };
  // Profiles 4.4.3.1 / 4.4.4.1: the request must be authenticated; with the
  // Redirect binding, that is the query signature.
  if (auto st = saml::VerifyRedirectMessage(message, rt.idp_certificates, rt.settings.allow_sha1);
      !st) {
    return refuse(403, st.error());
  }
  auto req = saml::ParseLogoutRequest(message.xml, ExpectationsOf(rt));
  if (!req) return refuse(403, req.error());
  // A captured LogoutRequest replayed within its lifetime would end a later
  // session of the same NameID and SessionIndex; each ID counts once.
  const UnixSeconds keep_until =
      (req->not_on_or_after != 0 ? req->not_on_or_after
                                 : req->issue_instant + saml::kMaxLogoutMessageAge) +
      rt.settings.clock_skew_seconds;
  auto first = store::ReplayCache(rt.db, rt.settings.site_id)
                   .FirstUse(req->id, req->issuer, keep_until, rt.Now());
  if (!first) return refuse(503, first.error());
  if (!*first) {
    return refuse(
        403, MakeError("saml.logout.replayed",
                       "LogoutRequest " + req->id + " was already processed (a replayed request)"));
  }
  auto ended = store::SessionRepository(rt.db, rt.settings.site_id)
                   .EndByNameId(req->issuer, req->name_id.value, req->session_indexes);
  if (!ended) return refuse(503, ended.error());
  Audit(rt, "idp_logout", "ok",
        "the IdP ended the sign-in of " + req->name_id.value + ": " +
            std::to_string(ended->size()) + " chat session(s)",
        req->issuer, req->id, {}, request.remote_address);

  const std::string& to = rt.settings.idp_logout_response_url;
  if (to.empty()) {
    // Nowhere to answer (no SingleLogoutService known): the sessions are
    // ended all the same.
    sdk::HttpResponse r = Page(200, kTitle, "You have been signed out of the chat.", "");
    r.signed_out_visitor_ids = std::move(*ended);
    return r;
  }
  saml::LogoutResponseParams p;
  p.sp_entity_id = rt.settings.sp_entity_id;
  p.destination = to;
  p.in_response_to = req->id;
  p.now = rt.Now();
  auto built = saml::BuildLogoutResponse(p);
  // Bindings 3.4.3: RelayState is echoed as received (the IdP's, at most
  // 80 bytes; a longer one is not ours to repeat).
  const std::string relay =
      message.relay_state.size() <= saml::kMaxRedirectRelayState ? message.relay_state : "";
  Result<std::string> url = built ? saml::EncodeRedirect(to, saml::RedirectKind::kResponse,
                                                         built->xml, relay, SigningKey(rt))
                                  : Result<std::string>(built.error());
  if (!url) {
    AuditRefusal(rt, url.error(), {}, request.remote_address);
    sdk::HttpResponse r =
        Page(500, kTitle, "You have been signed out of the chat.", url.error().code);
    r.signed_out_visitor_ids = std::move(*ended);
    return r;
  }
  sdk::HttpResponse r = Redirect(302, *url);
  r.signed_out_visitor_ids = std::move(*ended);
  return r;
}

}  // namespace

std::string SloUrl(const Runtime& rt) {
  const std::string& acs = rt.settings.acs_url;
  const std::size_t end = std::min(acs.find('?'), acs.find('#'));
  const std::string path_end = acs.substr(0, end);
  if (path_end.ends_with("/acs")) return path_end.substr(0, path_end.size() - 3) + "slo";
  return OriginOf(acs) + rt.EndpointPath("slo");
}

sdk::HttpResponse HandleLogout(const Runtime& rt, const sdk::HttpRequest& request) {
  const std::string& visitor = request.visitor_id;
  const auto refuse = [&](int status, const std::string& text, const Error& error) {
    AuditRefusal(rt, error, visitor, request.remote_address);
    return Page(status, kTitle, text, error.code);
  };
  if (request.method != "POST") {
    return refuse(405, "Sign out with the chat's sign-out button.",
                  MakeError("sso.logout.method",
                            "sign-out must be posted (a link or an image "
                            "must not sign a visitor out)"));
  }
  if (auto st = CheckSameOriginForm(request, OriginOf(rt.settings.acs_url)); !st) {
    return refuse(403, "Sign out with the chat's sign-out button.", st.error());
  }
  auto form = url::ParseForm(request.body);
  if (!form) return refuse(400, "The sign-out form is malformed.", form.error());
  std::string return_url = Param(*form, "return");
  if (return_url.empty()) return_url = "/";
  if (auto checked = CheckReturnPath(return_url); !checked) {
    return refuse(400, "The sign-out form has an invalid return address.",
                  MakeError("sso.logout.bad_return_url", checked.error().message));
  }
  // The visitor is the host's, for this browser: the form names nobody.
  if (visitor.empty()) return BackTo(return_url, "none");
  store::SessionRepository sessions(rt.db, rt.settings.site_id);
  auto live = sessions.FindLive(visitor, rt.Now());
  if (!live) return refuse(503, "Sign-out is unavailable. Please try again later.", live.error());
  // An expired row is removed too; it signs nobody in any more.
  auto deleted = sessions.Delete(visitor);
  if (!deleted) {
    return refuse(503, "Sign-out is unavailable. Please try again later.", deleted.error());
  }
  if (!*live) {
    sdk::HttpResponse r = BackTo(return_url, "none");
    if (*deleted) r.signed_out_visitor_ids = {visitor};
    return r;
  }
  return SignOut(rt, request, **live, return_url);
}

sdk::HttpResponse HandleSlo(const Runtime& rt, const sdk::HttpRequest& request) {
  if (request.method != "GET") {
    AuditRefusal(rt,
                 MakeError("sso.slo.method", "single logout uses the HTTP-Redirect binding (GET)"),
                 request.visitor_id, request.remote_address);
    return Page(405, kTitle, kRefusedIdp, "sso.slo.method");
  }
  auto message = saml::ParseRedirectQuery(request.query);
  if (!message) {
    AuditRefusal(rt, message.error(), request.visitor_id, request.remote_address);
    return Page(400, kTitle, kRefusedIdp, message.error().code);
  }
  return message->kind == saml::RedirectKind::kResponse ? FinishSignOut(rt, request, *message)
                                                        : IdpLogout(rt, request, *message);
}

}  // namespace vsso::hooks
