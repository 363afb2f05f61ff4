#include "scenario_runner.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include <boost/json.hpp>

#include "admin_overview.hpp"
#include "wire.hpp"

namespace sample_host {

namespace sdk = visitor_sso::sdk;
namespace json = boost::json;

namespace {

constexpr const char* kBadEvent = "scenario.bad_event";

void Fail(json::object& result, const std::string& code, const std::string& message) {
  result["ok"] = false;
  result["code"] = code;
  result["message"] = message;
}

void FailWith(json::object& result, const sdk::Error& error) {
  Fail(result, error.code, error.message);
}

std::string Where(int line_number) { return "line " + std::to_string(line_number) + ": "; }

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string HeaderOf(const sdk::HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (IEquals(key, name)) return value;
  }
  return {};
}

// The plugin's failure pages carry their code in X-Visitor-SSO-Error.
std::string ErrorCodeOf(const sdk::HttpResponse& response) {
  std::string code = HeaderOf(response, "X-Visitor-SSO-Error");
  return code.empty() ? "http." + std::to_string(response.status) : code;
}

std::string QueryParam(const std::string& url, const std::string& name) {
  const std::size_t question = url.find('?');
  if (question == std::string::npos) return {};
  auto params = ParseQuery(std::string_view(url).substr(question + 1));
  if (!params) return {};
  for (const auto& [key, value] : *params) {
    if (key == name) return value;
  }
  return {};
}

// The ID attribute of the AuthnRequest root element; enough for a driver to
// answer it with InResponseTo. Not a parser: the host trusts its own plugin.
std::string AuthnRequestId(const std::string& xml) {
  const std::size_t root = xml.find("AuthnRequest");
  if (root == std::string::npos) return {};
  const std::size_t end = xml.find('>', root);
  const std::size_t id = xml.find(" ID=\"", root);
  if (id == std::string::npos || id > end) return {};
  const std::size_t start = id + 5;
  const std::size_t close = xml.find('"', start);
  return close == std::string::npos ? std::string() : xml.substr(start, close - start);
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A host never sends such a header: it would split the response (RFC 9110
// 5.5). The plugin promises not to produce one; the host checks anyway.
bool HasLineBreakOrNul(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// RFC 6265 5.1.4: the directory of the request path ("/sso/login" -> "/sso").
std::string DefaultCookiePath(const std::string& request_path) {
  const std::size_t slash = request_path.rfind('/');
  if (request_path.empty() || request_path[0] != '/' || slash == 0 || slash == std::string::npos) {
    return "/";
  }
  return request_path.substr(0, slash);
}

// RFC 6265 5.1.4 path-match: "/sso/" matches "/sso/acs" but not "/ssox".
bool PathMatches(const std::string& request_path, const std::string& cookie_path) {
  if (!request_path.starts_with(cookie_path)) return false;
  return request_path.size() == cookie_path.size() || cookie_path.back() == '/' ||
         request_path[cookie_path.size()] == '/';
}

// RFC 6265 5.2 and 5.3, for one host: name=value, Path, and Max-Age <= 0 as
// deletion. Domain, Secure and SameSite need no action here: the runner's
// browser talks to one host over a channel it treats as secure, and the
// plugin's cookie is SameSite=None so the IdP's cross-site POST carries it.
void StoreCookie(std::vector<BrowserCookie>& jar, std::string_view header,
                 const std::string& request_path) {
  const std::size_t semi = header.find(';');
  const std::string_view pair = header.substr(0, semi);
  const std::size_t equals = pair.find('=');
  if (equals == std::string_view::npos) return;
  BrowserCookie cookie{std::string(Trim(pair.substr(0, equals))),
                       std::string(Trim(pair.substr(equals + 1))), DefaultCookiePath(request_path)};
  if (cookie.name.empty()) return;
  bool expired = false;
  std::string_view attributes = semi == std::string_view::npos ? "" : header.substr(semi + 1);
  while (!attributes.empty()) {
    const std::size_t next = attributes.find(';');
    const std::string_view attribute = attributes.substr(0, next);
    attributes = next == std::string_view::npos ? "" : attributes.substr(next + 1);
    const std::size_t eq = attribute.find('=');
    const std::string_view key = Trim(attribute.substr(0, eq));
    const std::string_view value =
        eq == std::string_view::npos ? "" : Trim(attribute.substr(eq + 1));
    if (IEquals(key, "path") && value.starts_with('/')) cookie.path = std::string(value);
    if (IEquals(key, "max-age")) {
      // 5.2.2: a malformed Max-Age is ignored, not read as 0.
      auto seconds = ParseInt(value, INT64_MIN, INT64_MAX);
      if (seconds && *seconds <= 0) expired = true;
    }
  }
  std::erase_if(
      jar, [&](const BrowserCookie& c) { return c.name == cookie.name && c.path == cookie.path; });
  if (!expired) jar.push_back(std::move(cookie));
}

// RFC 6265 5.4: the matching cookies, longer paths first, as one header.
std::string CookieHeader(std::vector<BrowserCookie> jar, const std::string& request_path) {
  std::erase_if(jar, [&](const BrowserCookie& c) { return !PathMatches(request_path, c.path); });
  std::stable_sort(jar.begin(), jar.end(), [](const BrowserCookie& a, const BrowserCookie& b) {
    return a.path.size() > b.path.size();
  });
  std::string header;
  for (const auto& c : jar) header += (header.empty() ? "" : "; ") + c.name + "=" + c.value;
  return header;
}

// The value of attribute `name` in one start tag, double-quoted as the
// plugin writes it; nullopt when absent. Not an HTML parser: the runner
// reads the plugin's own confirmation page.
std::optional<std::string> AttributeOf(std::string_view tag, std::string_view name) {
  const std::string needle = " " + std::string(name) + "=\"";
  const std::size_t at = tag.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t start = at + needle.size();
  const std::size_t close = tag.find('"', start);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view raw = tag.substr(start, close - start);
  // The five escapes the plugin's HtmlEscape writes.
  std::string out;
  while (!raw.empty()) {
    bool replaced = false;
    for (const auto& [entity, c] :
         {std::pair{"&amp;", '&'}, std::pair{"&lt;", '<'}, std::pair{"&gt;", '>'},
          std::pair{"&quot;", '"'}, std::pair{"&#39;", '\''}}) {
      if (raw.starts_with(entity)) {
        out.push_back(c);
        raw.remove_prefix(std::string_view(entity).size());
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out.push_back(raw.front());
      raw.remove_prefix(1);
    }
  }
  return out;
}

struct ConfirmForm {
  std::string action;
  std::string token;
};

// The confirmation page of an IdP-initiated sign-in: a POST form holding a
// hidden input name=token (the plugin's HTTP contract).
std::optional<ConfirmForm> FindConfirmForm(std::string_view html) {
  for (std::size_t at = html.find("<input"); at != std::string_view::npos;
       at = html.find("<input", at + 1)) {
    const std::string_view input = html.substr(at, html.find('>', at) - at);
    if (AttributeOf(input, "name") != "token") continue;
    auto token = AttributeOf(input, "value");
    const std::size_t form_at = html.rfind("<form", at);
    if (!token || token->empty() || form_at == std::string_view::npos) return std::nullopt;
    const std::string_view form = html.substr(form_at, html.find('>', form_at) - form_at);
    auto method = AttributeOf(form, "method");
    auto action = AttributeOf(form, "action");
    if (!method || !IEquals(*method, "post") || !action) return std::nullopt;
    return ConfirmForm{std::move(*action), std::move(*token)};
  }
  return std::nullopt;
}

// Reads a required non-empty string member; empty string when absent/wrong.
std::string StringMember(const json::object& event, std::string_view key) {
  const json::value* v = event.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

ScenarioRunner::ScenarioRunner(const sdk::LoadedPlugin& loaded, std::filesystem::path base_dir)
    : loaded_(loaded), plugin_(*loaded.plugin), base_dir_(std::move(base_dir)) {}

ScenarioRunner::SiteChatState& ScenarioRunner::StateOf(const std::string& visitor,
                                                       const std::string& site) {
  return visitors_[visitor].sites[site];
}

sdk::Chat ScenarioRunner::ChatFor(const std::string& visitor, const std::string& site,
                                  const std::string& chat_id) const {
  sdk::Chat chat;
  chat.id = chat_id;
  chat.visitor.id = visitor;
  chat.site_id = site;
  // The site's website and chat window, laid out as serve lays them out.
  const std::string base = site.empty() ? std::string() : "/s/" + site;
  chat.visitor.page_url = base + "/";
  // Where the chat window lives: the visitor lands there after signing in.
  chat.return_url = base + "/chat?visitor=" + PercentEncode(visitor);
  if (auto it = visitors_.find(visitor); it != visitors_.end()) {
    if (auto state = it->second.sites.find(site); state != it->second.sites.end()) {
      chat.prechat_answers = state->second.prechat_answers;
    }
  }
  return chat;
}

json::object ScenarioRunner::RunLine(const std::string& line, int line_number) {
  json::object result;
  boost::system::error_code ec;
  json::value parsed = json::parse(line, ec);
  if (ec || !parsed.is_object()) {
    result["event"] = nullptr;
    Fail(result, kBadEvent,
         Where(line_number) + (ec ? "not JSON (" + ec.message() + ")" : "not a JSON object"));
    return result;
  }
  const json::object& event = parsed.as_object();
  const json::value* name_value = event.if_contains("event");
  result["event"] = name_value != nullptr ? *name_value : json::value(nullptr);
  if (name_value == nullptr || !name_value->is_string()) {
    Fail(result, kBadEvent, Where(line_number) + "\"event\" must be a string");
    return result;
  }
  const std::string name(name_value->as_string());
  const std::string visitor = StringMember(event, "visitor");
  const std::string chat_id = StringMember(event, "chat");
  if (event.contains("visitor")) result["visitor"] = event.at("visitor");
  if (event.contains("chat")) result["chat"] = event.at("chat");
  result["ok"] = true;
  // The website the event happens on (SDK 2.1 Chat::site_id and the queries'
  // site_id); absent means the default site, which "default" also names.
  std::string site;
  if (const json::value* given = event.if_contains("site")) {
    result["site"] = *given;
    if (!given->is_string() || !IsValidSiteId(given->as_string())) {
      Fail(result, kBadEvent,
           Where(line_number) +
               "\"site\" must be a site ID: a lower-case letter or digit, then up to 62 "
               "lower-case letters, digits or '-'");
      return result;
    }
    site = std::string(given->as_string());
    if (site == kDefaultSite) site.clear();
  }

  const bool known = name == "chat_start" || name == "saml_post" || name == "prechat" ||
                     name == "visitor_info" || name == "route" || name == "chat_end" ||
                     name == "history" || name == "admin_overview";
  if (!known) {
    Fail(result, kBadEvent,
         Where(line_number) + "unknown event \"" + name +
             "\" (expected chat_start, saml_post, prechat, visitor_info, route, chat_end, "
             "history or admin_overview)");
    return result;
  }
  const bool about_a_visitor = name != "history" && name != "admin_overview";
  if (about_a_visitor && visitor.empty()) {
    Fail(result, kBadEvent, Where(line_number) + name + " needs \"visitor\" (a non-empty string)");
    return result;
  }
  if (name == "chat_start") {
    ChatStart(visitor, site, result);
  } else if (name == "saml_post") {
    SamlPostOptions options;
    options.file = StringMember(event, "file");
    const json::value* other = event.if_contains("relay_state_of");
    const json::value* confirm = event.if_contains("confirm");
    if (options.file.empty()) {
      Fail(result, kBadEvent, Where(line_number) + "saml_post needs \"file\" (a path)");
    } else if (other != nullptr && (!other->is_string() || other->as_string().empty())) {
      Fail(result, kBadEvent,
           Where(line_number) +
               "saml_post \"relay_state_of\" must be a visitor (a non-empty string)");
    } else if (confirm != nullptr && !confirm->is_bool()) {
      Fail(result, kBadEvent, Where(line_number) + "saml_post \"confirm\" must be true or false");
    } else {
      if (other != nullptr) options.relay_state_of = std::string(other->as_string());
      if (confirm != nullptr) options.confirm = confirm->as_bool();
      SamlPost(visitor, site, options, line_number, result);
    }
  } else if (name == "prechat") {
    const json::value* fields = event.if_contains("fields");
    if (fields != nullptr && !fields->is_object()) {
      Fail(result, kBadEvent, Where(line_number) + "prechat \"fields\" must be an object");
    } else {
      Prechat(visitor, site, fields != nullptr ? fields->as_object() : json::object(), line_number,
              result);
    }
  } else if (name == "visitor_info") {
    VisitorInfoEvent(visitor, site, result);
  } else if (name == "route") {
    Route(visitor, site, result);
  } else if (name == "chat_end") {
    if (chat_id.empty()) {
      Fail(result, kBadEvent, Where(line_number) + "chat_end needs \"chat\" (a non-empty string)");
    } else {
      ChatEnd(visitor, site, chat_id, result);
    }
  } else if (name == "history") {
    History(event, site, line_number, result);
  } else {
    AdminOverview(event, site, line_number, result);
  }
  return result;
}

void ScenarioRunner::ChatStart(const std::string& visitor, const std::string& site,
                               json::object& result) {
  auto started = plugin_.ChatWillStart(ChatFor(visitor, site, {}));
  if (!started) return FailWith(result, started.error());
  for (auto& [key, value] : ChatStartJson(*started)) result[key] = std::move(value);
  if (started->decision == sdk::ChatStartDecision::kRequireSignIn) {
    Fail(result, "chat.sign_in_required",
         "the visitor must sign in before chatting: " + started->sign_in_url);
  } else if (started->decision == sdk::ChatStartDecision::kRefuse) {
    Fail(result, started->reason_code.empty() ? "chat.refused" : started->reason_code,
         started->reason.empty() ? "the plugin refused the chat" : started->reason);
  }
  // The plugin's URL names the site (/sso/<site>/login?return=...): the
  // browser follows it as given.
  if (!started->sign_in_url.empty()) FollowSignIn(visitor, site, started->sign_in_url, result);
}

bool ScenarioRunner::Browse(const std::string& visitor, sdk::HttpRequest request,
                            sdk::HttpResponse& response, json::object& result) {
  VisitorState& state = visitors_[visitor];
  const std::string cookies = CookieHeader(state.cookies, request.path);
  if (!cookies.empty()) request.headers.emplace_back("Cookie", cookies);
  // The host knows the visitor from its own session with this browser, never
  // from the URL or the body (the plugin's HTTP contract).
  request.visitor_id = visitor;
  request.remote_address = "127.0.0.1";
  auto answered = plugin_.HandleHttp(request);
  if (!answered) {
    FailWith(result, answered.error());
    return false;
  }
  for (const auto& [name, value] : answered->headers) {
    if (HasLineBreakOrNul(name) || HasLineBreakOrNul(value)) {
      Fail(result, "host.bad_header",
           request.method + " " + request.path + ": a header from the plugin (" + name +
               ") contains CR, LF or NUL; the host refuses to send it and answers 500");
      return false;
    }
  }
  for (const auto& [name, value] : answered->headers) {
    if (IEquals(name, "Set-Cookie")) StoreCookie(state.cookies, value, request.path);
  }
  response = std::move(*answered);
  return true;
}

void ScenarioRunner::FollowSignIn(const std::string& visitor, const std::string& site,
                                  const std::string& sign_in_url, json::object& result) {
  // The visitor clicks "Sign in": the host forwards GET /sso/[<site>/]login
  // to the plugin, which answers with the redirect to the IdP (HTTP-Redirect
  // binding) and gives the browser its cookie.
  sdk::HttpRequest request;
  request.method = "GET";
  const std::size_t question = sign_in_url.find('?');
  request.path = sign_in_url.substr(0, question);
  if (question != std::string::npos) request.query = sign_in_url.substr(question + 1);
  const std::string path = request.path;
  sdk::HttpResponse answered;
  if (!Browse(visitor, std::move(request), answered, result)) return;
  const std::string location = HeaderOf(answered, "Location");
  if (answered.status != 302 || location.empty()) {
    return Fail(result, ErrorCodeOf(answered),
                "following the sign-in URL: " + path + " answered " +
                    std::to_string(answered.status) + " instead of a redirect to the IdP");
  }
  result["idp_redirect"] = location;
  StateOf(visitor, site).pending_relay_state = QueryParam(location, "RelayState");
  auto authn_request = InflateRedirectMessage(QueryParam(location, "SAMLRequest"));
  result["authn_request_id"] =
      authn_request ? OptionalJson(AuthnRequestId(*authn_request)) : json::value(nullptr);
}

void ScenarioRunner::SamlPost(const std::string& visitor, const std::string& site,
                              const SamlPostOptions& options, int line_number,
                              json::object& result) {
  const std::filesystem::path path = base_dir_ / options.file;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in) {
    return Fail(result, kBadEvent, Where(line_number) + "cannot read \"" + path.string() + "\"");
  }
  std::string text = content.str();
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  std::string encoded;
  if (first != std::string::npos && text[first] == '<') {
    // Raw XML: encode it the way the IdP's auto-submitting form does (Bindings 3.5.4).
    encoded = Base64Encode(text);
  } else {
    for (char c : text) {
      if (!std::isspace(static_cast<unsigned char>(c))) encoded.push_back(c);
    }
  }
  SiteChatState& state = StateOf(visitor, site);
  std::string relay_state;
  if (!options.relay_state_of.empty()) {
    // Login CSRF: another visitor's RelayState (e.g. an attacker's own
    // sign-in) posted from this visitor's browser by a page of another site.
    result["relay_state_of"] = options.relay_state_of;
    const SiteChatState& other = StateOf(options.relay_state_of, site);
    if (other.pending_relay_state.empty()) {
      return Fail(result, kBadEvent,
                  Where(line_number) + "relay_state_of names \"" + options.relay_state_of +
                      "\", who has no sign-in in progress on this site (a chat_start that "
                      "followed a sign-in URL)");
    }
    // A copy: the other visitor's browser still holds it.
    relay_state = other.pending_relay_state;
  } else {
    // The browser posts it once; whatever the outcome, that sign-in is used up.
    relay_state = std::move(state.pending_relay_state);
    state.pending_relay_state.clear();
  }
  std::string body = "SAMLResponse=" + PercentEncode(encoded);
  if (!relay_state.empty()) body += "&RelayState=" + PercentEncode(relay_state);

  sdk::HttpRequest request;
  request.method = "POST";
  request.path = SsoPath(site, "acs");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = std::move(body);
  sdk::HttpResponse answered;
  if (!Browse(visitor, std::move(request), answered, result)) return;
  result["acs_status"] = answered.status;
  result["confirmation"] = nullptr;
  // 200 is the confirmation page of an IdP-initiated sign-in: nobody is
  // signed in until this browser confirms it.
  if (answered.status == 200) {
    if (!options.confirm) {
      result["confirmation"] = "declined";
      Finish(visitor, answered, "the ACS", result);
      return Fail(result, "run.not_confirmed",
                  "the ACS asked the visitor to confirm an IdP-initiated sign-in and the "
                  "scenario says \"confirm\": false, so nobody is signed in");
    }
    return Confirm(visitor, answered, result);
  }
  Finish(visitor, answered, "the ACS", result);
}

void ScenarioRunner::Confirm(const std::string& visitor, const sdk::HttpResponse& page,
                             json::object& result) {
  auto form = FindConfirmForm(page.body);
  if (!form) {
    result["status"] = page.status;
    result["location"] = nullptr;
    return Fail(result, "run.confirm_page",
                "the ACS answered 200 but not with a confirmation page (a POST form with an "
                "input name=token)");
  }
  // The host forwards only /sso/ to the plugin; anything else is no
  // confirmation it could pass on.
  if (!form->action.starts_with("/sso/")) {
    result["status"] = page.status;
    result["location"] = nullptr;
    return Fail(result, "run.confirm_page",
                "the confirmation form posts to \"" + form->action + "\", outside /sso/");
  }
  result["confirmation"] = "confirmed";
  sdk::HttpRequest request;
  request.method = "POST";
  const std::size_t question = form->action.find('?');
  request.path = form->action.substr(0, question);
  if (question != std::string::npos) request.query = form->action.substr(question + 1);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = "token=" + PercentEncode(form->token);
  const std::string endpoint = request.path;
  sdk::HttpResponse answered;
  if (!Browse(visitor, std::move(request), answered, result)) return;
  Finish(visitor, answered, endpoint, result);
}

void ScenarioRunner::Finish(const std::string& visitor, const sdk::HttpResponse& final_response,
                            const std::string& who, json::object& result) {
  result["status"] = final_response.status;
  result["location"] = OptionalJson(HeaderOf(final_response, "Location"));
  const std::string& signed_in = final_response.signed_in_visitor_id;
  if (!signed_in.empty()) result["signed_in_visitor"] = signed_in;
  // Only a sign-in of this very visitor counts (issue 9: ok only when the
  // visitor ends up signed in).
  if (signed_in == visitor) return;
  const std::string error = HeaderOf(final_response, "X-Visitor-SSO-Error");
  if (!error.empty() || final_response.status >= 400) {
    const std::string code = ErrorCodeOf(final_response);
    return Fail(
        result, code,
        who + " refused the response: " + std::to_string(final_response.status) + " " + code);
  }
  Fail(result, "run.not_signed_in",
       who + " answered " + std::to_string(final_response.status) + " and signed in " +
           (signed_in.empty() ? std::string("nobody") : "visitor \"" + signed_in + "\"") +
           " instead of \"" + visitor + "\"");
}

void ScenarioRunner::Prechat(const std::string& visitor, const std::string& site,
                             const json::object& fields, int line_number, json::object& result) {
  std::vector<sdk::FieldValue> answers;
  for (const auto& [key, value] : fields) {
    std::vector<std::string> values;
    if (value.is_string()) {
      values.emplace_back(value.as_string());
    } else if (value.is_array()) {
      for (const auto& item : value.as_array()) {
        if (!item.is_string()) {
          return Fail(result, kBadEvent,
                      Where(line_number) + "prechat field \"" + std::string(key) +
                          "\" must be a string or an array of strings");
        }
        values.emplace_back(item.as_string());
      }
    } else {
      return Fail(result, kBadEvent,
                  Where(line_number) + "prechat field \"" + std::string(key) +
                      "\" must be a string or an array of strings");
    }
    answers.push_back(PrechatAnswer(std::string(key), std::move(values)));
  }
  StateOf(visitor, site).prechat_answers = std::move(answers);
  auto shown = plugin_.PrechatSurveyWillShow(ChatFor(visitor, site, {}));
  if (!shown) return FailWith(result, shown.error());
  result["decision"] = shown->decision == sdk::PrechatDecision::kSkip ? "skip" : "show";
  result["prefill"] = FieldsJson(shown->prefill);
}

void ScenarioRunner::VisitorInfoEvent(const std::string& visitor, const std::string& site,
                                      json::object& result) {
  auto info = plugin_.VisitorInfoWillRender(ChatFor(visitor, site, {}));
  if (!info) return FailWith(result, info.error());
  result["prechat_section"] = FieldsJson(info->prechat_section);
  result["custom_variables"] = FieldsJson(info->custom_variables);
  result["info"] = InfoTabJson(info->info);
}

void ScenarioRunner::Route(const std::string& visitor, const std::string& site,
                           json::object& result) {
  auto routed = plugin_.ChatWillBeRouted(ChatFor(visitor, site, {}));
  if (!routed) return FailWith(result, routed.error());
  const bool route = routed->decision == sdk::RoutingDecision::kRoute;
  for (auto& [key, value] : RoutingJson(*routed)) result[key] = std::move(value);
  // With no opinion the host routes as usual; this host then has no team.
  StateOf(visitor, site).team = route ? routed->team : std::string();
}

void ScenarioRunner::ChatEnd(const std::string& visitor, const std::string& site,
                             const std::string& chat_id, json::object& result) {
  const std::string team = StateOf(visitor, site).team;
  auto tags = plugin_.TranscriptWillBeSaved(ChatFor(visitor, site, chat_id), chat_id, team);
  if (!tags) return FailWith(result, tags.error());
  result["tags"] = TagsJson(tags->tags);
  result["customer_id"] = OptionalJson(tags->customer_id);
}

void ScenarioRunner::History(const json::object& event, const std::string& site, int line_number,
                             json::object& result) {
  sdk::HistoryQuery query;
  query.site_id = site;
  query.customer_id = StringMember(event, "customer_id");
  query.team = StringMember(event, "team");
  query.cursor = StringMember(event, "cursor");
  if (const json::value* limit = event.if_contains("limit")) {
    if (!limit->is_int64() || limit->as_int64() < 1 || limit->as_int64() > 1000) {
      return Fail(result, kBadEvent,
                  Where(line_number) + "history \"limit\" must be an integer from 1 to 1000");
    }
    query.limit = static_cast<int>(limit->as_int64());
  }
  if (!query.customer_id.empty()) result["customer_id"] = query.customer_id;
  auto page = plugin_.SearchHistory(query);
  if (!page) return FailWith(result, page.error());
  for (auto& [key, value] : HistoryPageJson(*page)) result[key] = std::move(value);
}

void ScenarioRunner::AdminOverview(const json::object& event, const std::string& site,
                                   int line_number, json::object& result) {
  std::uint32_t limit = 20;
  if (const json::value* given = event.if_contains("failure_limit")) {
    if (!given->is_int64() || given->as_int64() < 1 || given->as_int64() > 1000) {
      return Fail(result, kBadEvent,
                  Where(line_number) +
                      "admin_overview \"failure_limit\" must be an integer from 1 to 1000");
    }
    limit = static_cast<std::uint32_t>(given->as_int64());
  }
  json::object overview = AdminOverviewJson(loaded_, limit, site);
  if (const json::value* error = overview.if_contains("overview_error")) {
    const json::object& e = error->as_object();
    return Fail(result, std::string(e.at("code").as_string()),
                std::string(e.at("message").as_string()));
  }
  for (auto& [key, value] : overview) result[key] = std::move(value);
}

}  // namespace sample_host
