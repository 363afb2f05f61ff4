#include "serve/app.hpp"

#include <algorithm>
#include <iostream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>

#include "serve/agent_auth.hpp"
#include "serve/chat_api.hpp"
#include "serve/pages.hpp"
#include "serve/routes.hpp"
#include "serve/visitor_identity.hpp"
#include "wire.hpp"

namespace sample_host::serve {

namespace sdk = visitor_sso::sdk;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr const char* kPopupSignIn = "/chat/sign-in";
constexpr const char* kPopupSignedIn = "/chat/signed-in";
constexpr const char* kPopupSignedOut = "/chat/signed-out";

void Log(const std::string& line) { std::cerr << "sample-host: serve: " << line << std::endl; }

Response TextResponse(const Request& request, http::status status, std::string text) {
  return MakeResponse(request, status, "text/plain; charset=utf-8", std::move(text) + "\n");
}

Response Redirect(const Request& request, http::status status, const std::string& location) {
  Response response = MakeResponse(request, status, "text/plain; charset=utf-8", "");
  response.set(http::field::location, location);
  return response;
}

// An application/x-www-form-urlencoded body: '+' is a space there
// (HTML "application/x-www-form-urlencoded parser"), unlike in ParseQuery.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string body) {
  for (char& c : body) {
    if (c == '+') c = ' ';
  }
  return ParseQuery(body);
}

// Where the login form may send an agent afterwards: the pages it guards,
// with their query (e.g. ?site=acme) when it holds only URL-safe characters;
// never another path or origin (no open redirect, no header injection).
std::string SafeNext(const std::string& next) {
  const std::size_t question = next.find('?');
  const std::string path = next.substr(0, question);
  if (path != "/agent/history" && path != "/admin" && path != "/agent") return "/agent";
  if (question == std::string::npos) return path;
  const std::string query = next.substr(question + 1);
  const bool safe =
      query.size() <= 512 && query.find_first_not_of(
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                 "-._~%=&+") == std::string::npos;
  return safe && !query.empty() ? path + "?" + query : path;
}

// "/sso/<site>/<endpoint>" names a site; "/sso/<endpoint>" is the default site.
std::string SiteOfSsoPath(std::string_view path) {
  std::string_view rest = path.substr(5);  // after "/sso/"
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::string(kDefaultSite);
  const std::string_view segment = rest.substr(0, slash);
  return IsValidSiteId(segment) ? std::string(segment) : std::string(kDefaultSite);
}

// "/sso/<site>/logout" or "/sso/logout": the visitor's sign-out.
bool IsSignOutPath(std::string_view path) {
  const std::string_view rest = path.substr(5);  // after "/sso/"
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return rest == "logout";
  return rest.substr(slash + 1) == "logout" && IsValidSiteId(rest.substr(0, slash));
}

bool IsHex32(const std::string& text) {
  return text.size() == 32 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

struct App::Impl {
  Impl(const sdk::LoadedPlugin& loaded, AppConfig c)
      : config(std::move(c)),
        plugin(*loaded.plugin),
        work(asio::make_work_guard(timers)),
        store(timers.get_executor(), config.limits),
        api(loaded, store),
        agents(config.agent_password, config.cookie_secret, config.public_origin.IsTrustworthy()),
        visitors(config.cookie_secret, config.public_origin.IsTrustworthy()),
        public_origin(config.public_origin.Serialize()),
        timer_thread([this] { timers.run(); }) {
    for (const Origin& origin : config.website_origins) {
      if (!website_origins.empty()) website_origins += ' ';
      website_origins += origin.Serialize();
    }
    for (const std::string& site : config.sites) {
      if (!site_list.empty()) site_list += ' ';
      site_list += site;
    }
    AddRoutes();
  }

  ~Impl() {
    store.Shutdown();
    work.reset();
    timers.stop();
    timer_thread.join();
  }

  const AppConfig config;
  sdk::Plugin& plugin;
  asio::io_context timers;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  ChatStore store;
  ChatApi api;
  AgentAuth agents;
  VisitorIdentity visitors;
  const std::string public_origin;
  std::string website_origins;  // space-separated, for CSP frame-ancestors
  std::string site_list;        // space-separated, for the pages' site selectors
  RouteTable routes;
  std::thread timer_thread;

  // ---- sites --------------------------------------------------------------------

  bool Serves(std::string_view site) const {
    return std::find(config.sites.begin(), config.sites.end(), site) != config.sites.end();
  }

  ApiError UnknownSite(std::string_view site) const {
    return ApiError::NotFound(
        "host.unknown_site",
        "this host serves no site \"" + std::string(site) + "\" (it serves: " + site_list + ")");
  }

  // The `site` query parameter of an agent page's API call: a served site,
  // "default" when absent, or (with `all`) "" for every site.
  ApiResult<std::string> SiteParam(const Call& call, bool all) const {
    std::string site = call.target.Param("site");
    if (site.empty()) {
      if (all) return site;
      site = kDefaultSite;
    }
    if (!Serves(site)) return UnknownSite(site);
    return site;
  }

  // ---- guards -----------------------------------------------------------------

  // Whether the request comes from a page of the public origin: its Origin
  // header, or without one its Referer (OWASP CSRF cheat sheet, "Verifying
  // origin with standard headers"). Neither: refused, as browsers send
  // Origin with every cross-origin and same-origin POST (Fetch standard).
  bool FromOwnOrigin(const Request& request) const {
    if (auto origin = request.find(http::field::origin); origin != request.end()) {
      const auto parsed = ParseOrigin(origin->value());
      return parsed && *parsed == config.public_origin;
    }
    if (auto referer = request.find(http::field::referer); referer != request.end()) {
      const auto parsed = OriginOfUrl(referer->value());
      return parsed && *parsed == config.public_origin;
    }
    return false;
  }

  // A form may come without Origin from old browsers; a foreign one is refused.
  bool NoForeignOrigin(const Request& request) const {
    const auto origin = request.find(http::field::origin);
    if (origin == request.end()) return true;
    const auto parsed = ParseOrigin(origin->value());
    return parsed && *parsed == config.public_origin;
  }

  std::optional<ApiError> GuardBody(const Route& route, Call& call) {
    const Request& request = call.request;
    if (route.body == Body::kJson) {
      if (MediaType(request) != "application/json") {
        return ApiError::Forbidden("host.cross_site",
                                   "state-changing requests must be application/json");
      }
      if (!FromOwnOrigin(request)) {
        return ApiError::Forbidden("host.cross_site",
                                   "the request's Origin (or Referer) is not " + public_origin);
      }
      boost::system::error_code ec;
      json::value parsed = json::parse(request.body(), ec);
      if (ec || !parsed.is_object()) {
        return ApiError::BadInput("host.bad_json", "the request body must be a JSON object");
      }
      call.json = std::move(parsed.as_object());
    } else if (route.body == Body::kForm) {
      if (MediaType(request) != "application/x-www-form-urlencoded" || !NoForeignOrigin(request)) {
        return ApiError::Forbidden("host.cross_site",
                                   "this form accepts posts from " + public_origin + " only");
      }
      auto form = ParseForm(request.body());
      if (!form) return ApiError::BadInput("host.bad_form", "the form body is malformed");
      call.form = std::move(*form);
    }
    return std::nullopt;
  }

  // ---- dispatch ------------------------------------------------------------------

  void Handle(Request&& request, const Client& client, Respond respond) {
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    call->client = client;
    call->target = SplitTarget(call->request.target());
    const Request& req = call->request;
    const std::string& path = call->target.path;

    // DNS rebinding and misrouted requests: only the origins we were told.
    const std::string host(req[http::field::host]);
    call->on_chat_host = config.public_origin.MatchesHost(host);
    bool on_website = false;
    for (const Origin& origin : config.website_origins) {
      on_website = on_website || origin.MatchesHost(host);
    }
    if (!call->on_chat_host && !on_website) {
      return respond(ErrorResponse(
          req,
          ApiError::Misdirected("host.misdirected", "this server answers for " + public_origin +
                                                        " (and its website origins) only")));
    }
    if (path.starts_with("/sso/")) {
      if (!call->on_chat_host) return respond(MisdirectedToWebsite(req));
      return respond(ForwardToPlugin(*call));
    }
    if (path.starts_with("/web/") && req.method() == http::verb::get) {
      return respond(AssetResponse(req, std::string_view(path).substr(5)));
    }
    if (!call->target.query_ok) {
      return respond(ErrorResponse(
          req, ApiError::BadInput("host.bad_query", "the query has a malformed % escape")));
    }
    // A website's pages and chat API under /s/<site>/: the rest of the path
    // is looked up among the kSite routes, for that site.
    std::string_view route_path = path;
    if (route_path.starts_with("/s/")) {
      const std::string_view rest = route_path.substr(3);
      const std::size_t slash = rest.find('/');
      const std::string_view site = rest.substr(0, slash);
      if (!Serves(site)) return respond(ErrorResponse(req, UnknownSite(site)));
      if (slash == std::string_view::npos) {
        // "/s/acme" is the website "/s/acme/", as a directory would be.
        std::string location = path + "/";
        if (!call->target.raw_query.empty()) location += "?" + call->target.raw_query;
        return respond(Redirect(req, http::status::moved_permanently, location));
      }
      call->site = std::string(site);
      call->site_prefixed = true;
      route_path = rest.substr(slash);
    }
    const RouteTable::Match match = routes.Find(req.method(), route_path, call->site_prefixed);
    if (match.route == nullptr) {
      if (match.path_known) {
        Response response =
            TextResponse(req, http::status::method_not_allowed, "Method not allowed");
        response.set(http::field::allow, match.allow);
        return respond(std::move(response));
      }
      return respond(TextResponse(req, http::status::not_found, "Not found"));
    }
    const Route& route = *match.route;
    if (route.site == Site::kChatHost && !call->on_chat_host) {
      return respond(MisdirectedToWebsite(req));
    }
    if (route.scope == Scope::kSite && !Serves(call->site)) {
      // Without a default site, "/" lists the websites there are.
      if (route_path == "/" && route.method == http::verb::get) {
        return respond(PageResponse(req, http::status::ok,
                                    RenderPage("sites.html", {{"sites", site_list}}),
                                    Framing::kNobody));
      }
      return respond(ErrorResponse(req, UnknownSite(call->site)));
    }
    if (auto refused = GuardBody(route, *call)) return respond(ErrorResponse(req, *refused));
    if (route.access == Access::kVisitor) {
      auto visitor = visitors.FromRequest(req);
      if (!visitor) {
        return respond(ErrorResponse(
            req, ApiError::Unauthenticated("host.no_visitor",
                                           "no valid visitor cookie: open the chat window first")));
      }
      call->visitor = *visitor;
    } else if (route.access == Access::kAgent) {
      auto session = agents.SessionOf(req);
      if (!session) {
        if (path.starts_with("/api/")) {
          return respond(ErrorResponse(
              req, ApiError::Unauthenticated("host.not_signed_in", "sign in as an agent first")));
        }
        const std::string asked =
            call->target.raw_query.empty() ? path : path + "?" + call->target.raw_query;
        return respond(LoginPage(req, http::status::unauthorized, asked, ""));
      }
      call->agent_session = *session;
    }
    route.handler(call, std::move(respond));
  }

  Response MisdirectedToWebsite(const Request& request) const {
    return ErrorResponse(
        request, ApiError::Misdirected(
                     "host.misdirected",
                     "a website origin serves the website only; the chat is on " + public_origin));
  }

  // ---- /sso/* ---------------------------------------------------------------------

  Response ForwardToPlugin(const Call& call) {
    const Request& request = call.request;
    sdk::HttpRequest forwarded;
    forwarded.method = std::string(request.method_string());
    forwarded.path = call.target.path;
    forwarded.query = call.target.raw_query;
    for (const auto& field : request) {
      forwarded.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    forwarded.body = request.body();
    // The host's own, authenticated knowledge of this browser's visitor.
    forwarded.visitor_id = visitors.FromRequest(request).value_or("");
    forwarded.remote_address = call.client.address;
    const std::string site = SiteOfSsoPath(call.target.path);
    if (request.method() == http::verb::post && IsSignOutPath(call.target.path)) {
      // The sign-out form is a write of the chat window: the host's own rule
      // for writes applies before the plugin's (OWASP CSRF cheat sheet,
      // "Verifying origin with standard headers"). A logout forced by another
      // site would end a chat and the visitor's IdP session.
      if (!FromOwnOrigin(request)) {
        return ErrorResponse(
            request, ApiError::Forbidden("host.cross_site", "sign-out is accepted from pages of " +
                                                                public_origin + " only"));
      }
      // Its chat ends while the plugin still knows the sign-in, so the
      // transcript is saved with the customer ID (TranscriptWillBeSaved
      // reads the live session, which the plugin ends at once).
      if (!forwarded.visitor_id.empty()) EndChatOnSignOut(site, forwarded.visitor_id);
    }
    auto answered = plugin.HandleHttp(forwarded);
    if (!answered) {
      Log("HandleHttp " + call.target.path + " failed: " + answered.error().code + ": " +
          answered.error().message);
      return TextResponse(request, http::status::internal_server_error,
                          "The sign-in service failed [" + answered.error().code + "]");
    }
    for (const auto& [name, value] : answered->headers) {
      if (HasForbiddenHeaderChars(name) || HasForbiddenHeaderChars(value)) {
        // RFC 9110 5.5: never sent; a plugin bug, so the admin hears of it.
        Log("refused a header from the plugin with CR, LF or NUL in it: " +
            std::string(HasForbiddenHeaderChars(name) ? "(its name)" : name) + " on " +
            call.target.path);
        return TextResponse(request, http::status::internal_server_error,
                            "The sign-in service produced an invalid response");
      }
    }
    if (!answered->signed_in_visitor_id.empty()) {
      // Only the chat windows of the site signed in on hear of it.
      store.MarkSignInChanged(site, answered->signed_in_visitor_id);
    }
    // SDK 2.2: a sign-out, or a logout the IdP started (then possibly
    // several visitors, in whichever browser it arrived): their chats on
    // this site end and their chat windows wake to the signed-out state.
    for (const std::string& visitor : answered->signed_out_visitor_ids) {
      EndChatOnSignOut(site, visitor);
      store.MarkSignInChanged(site, visitor);
    }
    Response response{http::status::ok, request.version()};
    response.result(static_cast<unsigned>(answered->status));
    for (const auto& [name, value] : answered->headers) response.insert(name, value);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(answered->body);
    response.prepare_payload();
    return response;
  }

  void EndChatOnSignOut(const std::string& site, const std::string& visitor) {
    if (auto failed = api.EndOnSignOut(site, visitor)) {
      Log("the chat of visitor " + visitor + " on site " + site +
          " stays open after sign-out (no longer signed in): " + failed->code + ": " +
          failed->message);
    }
  }

  // ---- pages ------------------------------------------------------------------------

  // The visitor of this browser, or a new one with the cookie to set.
  std::string VisitorFor(const Request& request, std::string& set_cookie) const {
    if (auto visitor = visitors.FromRequest(request)) return *visitor;
    std::string visitor = VisitorIdentity::NewPublicId();
    set_cookie = visitors.SetCookie(visitor);
    return visitor;
  }

  void Website(const std::shared_ptr<Call>& call, Respond respond) {
    const bool embed = call->target.Param("embed") == "1";
    // On a website origin the chat comes from the chat host: a third-party
    // iframe or window, as on a real customer site.
    const std::string chat_url = (call->on_chat_host ? std::string() : public_origin) +
                                 ChatApi::BasePath(call->site) + ChatApi::kChatPath;
    std::string html = RenderPage(embed ? "website_embed.html" : "website.html",
                                  {{"chat_url", chat_url}, {"site", call->site}});
    respond(PageResponse(call->request, http::status::ok, std::move(html), Framing::kNobody, {},
                         embed ? public_origin : std::string()));
  }

  void ChatWindow(const std::shared_ptr<Call>& call, Respond respond) {
    std::string set_cookie;
    const std::string visitor = VisitorFor(call->request, set_cookie);
    const std::string base = ChatApi::BasePath(call->site);
    Response response =
        PageResponse(call->request, http::status::ok,
                     RenderPage("chat.html", {{"visitor", visitor},
                                              {"site", call->site},
                                              {"base", base},
                                              {"redeem", SsoPath(call->site, "redeem")},
                                              {"logout", SsoPath(call->site, "logout")}}),
                     Framing::kChatEmbedders, website_origins, {}, FormAction::kSelfThenAnywhere);
    if (!set_cookie.empty()) response.set(http::field::set_cookie, set_cookie);
    respond(std::move(response));
  }

  // The sign-in popup of an embedded chat: a first-party window of the chat
  // host, so it has a visitor of its own (made here if need be); it goes to
  // the IdP and comes back to /chat/signed-in (signed_in.js).
  void PopupSignIn(const std::shared_ptr<Call>& call, Respond respond) {
    std::string set_cookie;
    const std::string visitor = VisitorFor(call->request, set_cookie);
    const std::string signed_in = ChatApi::BasePath(call->site) + kPopupSignedIn;
    auto url = api.PopupSignInUrl(call->site, visitor, signed_in);
    if (auto* error = std::get_if<ApiError>(&url)) {
      return respond(
          TextResponse(call->request, static_cast<http::status>(error->status),
                       "Sign-in is not available: " + error->message + " [" + error->code + "]"));
    }
    // Already signed in (or sign-in not offered): straight to the hand-off.
    const std::string& target = std::get<std::string>(url);
    Response response =
        Redirect(call->request, http::status::found, target.empty() ? signed_in : target);
    if (!set_cookie.empty()) response.set(http::field::set_cookie, set_cookie);
    respond(std::move(response));
  }

  void PopupSignedIn(const std::shared_ptr<Call>& call, Respond respond) {
    respond(
        PageResponse(call->request, http::status::ok,
                     RenderPage("signed_in.html", {{"handoff", SsoPath(call->site, "handoff")}}),
                     Framing::kNobody));
  }

  // Where the embedded chat's sign-out popup ends (the sign-out's return
  // path): signed_out.js tells the opener how it went and closes.
  void PopupSignedOut(const std::shared_ptr<Call>& call, Respond respond) {
    respond(PageResponse(call->request, http::status::ok, RenderPage("signed_out.html", {}),
                         Framing::kNobody));
  }

  void AgentPage(const char* page, const std::shared_ptr<Call>& call, Respond respond) {
    respond(PageResponse(call->request, http::status::ok,
                         RenderPage(page, {{"csrf", agents.SignOutToken(call->agent_session)},
                                           {"sites", site_list}}),
                         Framing::kNobody));
  }

  // ---- agent sign-in --------------------------------------------------------------------

  Response LoginPage(const Request& request, http::status status, const std::string& next,
                     const std::string& error) {
    std::string login_cookie = CookieValue(request, AgentAuth::kLoginCookie);
    std::string set_cookie;
    if (!IsHex32(login_cookie)) {
      login_cookie = agents.NewLoginCookieValue();
      set_cookie = agents.LoginCookie(login_cookie);
    }
    Response response =
        PageResponse(request, status,
                     RenderPage("login.html", {{"csrf", agents.LoginToken(login_cookie)},
                                               {"next", SafeNext(next)},
                                               {"error", error}}),
                     Framing::kNobody);
    if (!set_cookie.empty()) response.set(http::field::set_cookie, set_cookie);
    return response;
  }

  void LoginForm(const std::shared_ptr<Call>& call, Respond respond) {
    if (agents.SessionOf(call->request)) {
      return respond(Redirect(call->request, http::status::see_other, "/agent"));
    }
    respond(LoginPage(call->request, http::status::ok, "/agent", ""));
  }

  void Login(const std::shared_ptr<Call>& call, Respond respond) {
    const Request& request = call->request;
    const std::string next = SafeNext(call->FormValue("next"));
    const std::string& address = call->client.address;
    if (const auto wait = agents.LockedFor(address); wait.count() > 0) {
      const auto seconds = (wait.count() + 999) / 1000;
      return respond(LoginPage(
          request, http::status::too_many_requests, next,
          "Too many failed sign-ins. Wait " + std::to_string(seconds) + " s, then try again."));
    }
    const std::string login_cookie = CookieValue(request, AgentAuth::kLoginCookie);
    if (!IsHex32(login_cookie) ||
        !agents.CheckToken(agents.LoginToken(login_cookie), call->FormValue("csrf"))) {
      return respond(LoginPage(request, http::status::forbidden, next,
                               "This sign-in form has expired. Please try again."));
    }
    if (agents.CheckCredentials(call->FormValue("username"), call->FormValue("password"))) {
      agents.RecordSuccess(address);
      Response response = Redirect(request, http::status::see_other, next);
      response.set(http::field::set_cookie, agents.SessionCookie(agents.StartSession()));
      return respond(std::move(response));
    }
    // Answered from a timer: the failure costs the client time, not a thread.
    const auto delay = agents.RecordFailure(address);
    Log("failed agent sign-in from " + address);
    auto timer = std::make_shared<asio::steady_timer>(timers, delay);
    timer->async_wait(
        [this, call, respond = std::move(respond), timer, next](const boost::system::error_code&) {
          respond(LoginPage(call->request, http::status::unauthorized, next,
                            "Wrong user name or password."));
        });
  }

  void Logout(const std::shared_ptr<Call>& call, Respond respond) {
    if (!agents.CheckToken(agents.SignOutToken(call->agent_session), call->FormValue("csrf"))) {
      return respond(ErrorResponse(
          call->request, ApiError::Forbidden("host.bad_csrf", "the sign-out form has expired")));
    }
    agents.EndSession(call->agent_session);
    Response response = Redirect(call->request, http::status::see_other, "/agent/login");
    response.set(http::field::set_cookie, agents.ClearSessionCookie());
    respond(std::move(response));
  }

  // ---- routes -------------------------------------------------------------------------

  // A handler that answers now with a JSON result.
  Handler Json(std::function<JsonResult(Call&)> fn) {
    return [fn = std::move(fn)](const std::shared_ptr<Call>& call, Respond respond) {
      respond(ToResponse(call->request, fn(*call)));
    };
  }

  // A handler whose JSON result may come later (long polls).
  Handler Later(std::function<void(Call&, JsonDone)> fn) {
    return [fn = std::move(fn)](const std::shared_ptr<Call>& call, Respond respond) {
      fn(*call, [call, respond = std::move(respond)](JsonResult result) {
        respond(ToResponse(call->request, result));
      });
    };
  }

  static Response ToResponse(const Request& request, const JsonResult& result) {
    if (const auto* error = std::get_if<ApiError>(&result)) return ErrorResponse(request, *error);
    return JsonResponse(request, std::get<json::object>(result));
  }

  void AddRoutes() {
    using V = http::verb;
    const auto page = [this](auto member) {
      return [this, member](const std::shared_ptr<Call>& call, Respond respond) {
        (this->*member)(call, std::move(respond));
      };
    };
    const auto agent_page = [this](const char* file) {
      return [this, file](const std::shared_ptr<Call>& call, Respond respond) {
        AgentPage(file, call, std::move(respond));
      };
    };
    // A website's visitor pages and its chat window's API: the visitor comes
    // from the cookie only, the site from the path (Call::site).
    const Scope per_site = Scope::kSite;
    routes.Add({V::get, "/", Access::kAnyone, Body::kNone, Site::kAnySite, page(&Impl::Website),
                per_site});
    routes.Add({V::get, "/chat", Access::kAnyone, Body::kNone, Site::kChatHost,
                page(&Impl::ChatWindow), per_site});
    routes.Add({V::get, kPopupSignIn, Access::kAnyone, Body::kNone, Site::kChatHost,
                page(&Impl::PopupSignIn), per_site});
    routes.Add({V::get, kPopupSignedIn, Access::kAnyone, Body::kNone, Site::kChatHost,
                page(&Impl::PopupSignedIn), per_site});
    routes.Add({V::get, kPopupSignedOut, Access::kAnyone, Body::kNone, Site::kChatHost,
                page(&Impl::PopupSignedOut), per_site});
    routes.Add({V::post, "/api/chat/start", Access::kVisitor, Body::kJson, Site::kChatHost,
                Json([this](Call& c) { return api.StartChat(c.site, c.visitor); }), per_site});
    routes.Add({V::post, "/api/chat/guest", Access::kVisitor, Body::kJson, Site::kChatHost,
                Json([this](Call& c) { return api.ChooseGuest(c.site, c.visitor, c.json); }),
                per_site});
    routes.Add({V::post, "/api/chat/prechat", Access::kVisitor, Body::kJson, Site::kChatHost,
                Json([this](Call& c) { return api.SubmitPrechat(c.site, c.visitor, c.json); }),
                per_site});
    routes.Add({V::post, "/api/chat/messages", Access::kVisitor, Body::kJson, Site::kChatHost,
                Json([this](Call& c) { return api.PostVisitorMessage(c.site, c.visitor, c.json); }),
                per_site});
    routes.Add({V::get, "/api/chat/messages", Access::kVisitor, Body::kNone, Site::kChatHost,
                Later([this](Call& c, JsonDone done) {
                  api.VisitorMessages(c.site, c.visitor, c.target, std::move(done));
                }),
                per_site});
    routes.Add({V::get, "/api/chat/state", Access::kVisitor, Body::kNone, Site::kChatHost,
                Later([this](Call& c, JsonDone done) {
                  api.SignInState(c.site, c.visitor, c.target, std::move(done));
                }),
                per_site});
    // Agent sign-in and pages: one console for every site (each page picks a
    // site; the `site` query parameter of its API calls).
    routes.Add({V::get, "/agent/login", Access::kAnyone, Body::kNone, Site::kChatHost,
                page(&Impl::LoginForm)});
    routes.Add({V::post, "/agent/login", Access::kAnyone, Body::kForm, Site::kChatHost,
                page(&Impl::Login)});
    routes.Add({V::post, "/agent/logout", Access::kAgent, Body::kForm, Site::kChatHost,
                page(&Impl::Logout)});
    routes.Add(
        {V::get, "/agent", Access::kAgent, Body::kNone, Site::kChatHost, agent_page("agent.html")});
    routes.Add({V::get, "/agent/history", Access::kAgent, Body::kNone, Site::kChatHost,
                agent_page("history.html")});
    routes.Add(
        {V::get, "/admin", Access::kAgent, Body::kNone, Site::kChatHost, agent_page("admin.html")});
    // The agent console's API. A chat's site is the one it was opened on.
    routes.Add({V::get, "/api/agent/chats", Access::kAgent, Body::kNone, Site::kChatHost,
                Json([this](Call& c) -> JsonResult {
                  auto site = SiteParam(c, true);
                  if (auto* error = std::get_if<ApiError>(&site)) return *error;
                  return api.AgentChats(std::get<std::string>(site));
                })});
    routes.Add({V::get, "/api/agent/chat", Access::kAgent, Body::kNone, Site::kChatHost,
                Json([this](Call& c) { return api.AgentChat(c.target); })});
    routes.Add(
        {V::get, "/api/agent/messages", Access::kAgent, Body::kNone, Site::kChatHost,
         Later([this](Call& c, JsonDone done) { api.AgentMessages(c.target, std::move(done)); })});
    routes.Add({V::post, "/api/agent/messages", Access::kAgent, Body::kJson, Site::kChatHost,
                Json([this](Call& c) { return api.PostAgentMessage(c.json); })});
    routes.Add({V::post, "/api/agent/end", Access::kAgent, Body::kJson, Site::kChatHost,
                Json([this](Call& c) { return api.EndChat(c.json); })});
    routes.Add({V::get, "/api/agent/diagnostics", Access::kAgent, Body::kNone, Site::kChatHost,
                Json([this](Call&) { return api.Diagnostics(agents.SessionCount()); })});
    routes.Add({V::get, "/api/history", Access::kAgent, Body::kNone, Site::kChatHost,
                Json([this](Call& c) -> JsonResult {
                  auto site = SiteParam(c, false);
                  if (auto* error = std::get_if<ApiError>(&site)) return *error;
                  return api.History(std::get<std::string>(site), c.target);
                })});
    routes.Add({V::get, "/api/admin", Access::kAgent, Body::kNone, Site::kChatHost,
                Json([this](Call& c) -> JsonResult {
                  auto site = SiteParam(c, false);
                  if (auto* error = std::get_if<ApiError>(&site)) return *error;
                  return api.Admin(std::get<std::string>(site));
                })});
  }
};

App::App(const sdk::LoadedPlugin& loaded, AppConfig config)
    : impl_(std::make_unique<Impl>(loaded, std::move(config))) {}

App::~App() = default;

void App::Handle(Request&& request, const Client& client, Respond respond) {
  impl_->Handle(std::move(request), client, std::move(respond));
}

void App::Shutdown() { impl_->store.Shutdown(); }

}  // namespace sample_host::serve
