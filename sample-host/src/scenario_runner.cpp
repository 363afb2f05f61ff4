#include "scenario_runner.hpp"

#include <cctype>
#include <fstream>
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

std::string HeaderOf(const sdk::HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
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

// Reads a required non-empty string member; empty string when absent/wrong.
std::string StringMember(const json::object& event, std::string_view key) {
  const json::value* v = event.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

ScenarioRunner::ScenarioRunner(const sdk::LoadedPlugin& loaded, std::filesystem::path base_dir)
    : loaded_(loaded), plugin_(*loaded.plugin), base_dir_(std::move(base_dir)) {}

sdk::Chat ScenarioRunner::ChatFor(const std::string& visitor, const std::string& chat_id) const {
  sdk::Chat chat;
  chat.id = chat_id;
  chat.visitor.id = visitor;
  chat.visitor.page_url = "/";
  // Where the chat window lives: the visitor lands there after signing in.
  chat.return_url = "/chat?visitor=" + PercentEncode(visitor);
  if (auto it = visitors_.find(visitor); it != visitors_.end()) {
    chat.prechat_answers = it->second.prechat_answers;
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
    ChatStart(visitor, result);
  } else if (name == "saml_post") {
    const std::string file = StringMember(event, "file");
    if (file.empty()) {
      Fail(result, kBadEvent, Where(line_number) + "saml_post needs \"file\" (a path)");
    } else {
      SamlPost(visitor, file, line_number, result);
    }
  } else if (name == "prechat") {
    const json::value* fields = event.if_contains("fields");
    if (fields != nullptr && !fields->is_object()) {
      Fail(result, kBadEvent, Where(line_number) + "prechat \"fields\" must be an object");
    } else {
      Prechat(visitor, fields != nullptr ? fields->as_object() : json::object(), line_number,
              result);
    }
  } else if (name == "visitor_info") {
    VisitorInfoEvent(visitor, result);
  } else if (name == "route") {
    Route(visitor, result);
  } else if (name == "chat_end") {
    if (chat_id.empty()) {
      Fail(result, kBadEvent, Where(line_number) + "chat_end needs \"chat\" (a non-empty string)");
    } else {
      ChatEnd(visitor, chat_id, result);
    }
  } else if (name == "history") {
    History(event, line_number, result);
  } else {
    AdminOverview(event, line_number, result);
  }
  return result;
}

void ScenarioRunner::ChatStart(const std::string& visitor, json::object& result) {
  auto started = plugin_.ChatWillStart(ChatFor(visitor, {}));
  if (!started) return FailWith(result, started.error());
  for (auto& [key, value] : ChatStartJson(*started)) result[key] = std::move(value);
  if (started->decision == sdk::ChatStartDecision::kRequireSignIn) {
    Fail(result, "chat.sign_in_required",
         "the visitor must sign in before chatting: " + started->sign_in_url);
  } else if (started->decision == sdk::ChatStartDecision::kRefuse) {
    Fail(result, started->reason_code.empty() ? "chat.refused" : started->reason_code,
         started->reason.empty() ? "the plugin refused the chat" : started->reason);
  }
  if (!started->sign_in_url.empty()) FollowSignIn(visitor, started->sign_in_url, result);
}

void ScenarioRunner::FollowSignIn(const std::string& visitor, const std::string& sign_in_url,
                                  json::object& result) {
  // The visitor clicks "Sign in": the host forwards GET /sso/login to the
  // plugin, which answers with the redirect to the IdP (HTTP-Redirect binding).
  sdk::HttpRequest request;
  request.method = "GET";
  const std::size_t question = sign_in_url.find('?');
  request.path = sign_in_url.substr(0, question);
  if (question != std::string::npos) request.query = sign_in_url.substr(question + 1);
  request.visitor_id = visitor;
  request.remote_address = "127.0.0.1";
  auto answered = plugin_.HandleHttp(request);
  if (!answered) return FailWith(result, answered.error());
  const std::string location = HeaderOf(*answered, "Location");
  if (answered->status != 302 || location.empty()) {
    return Fail(result, ErrorCodeOf(*answered),
                "following the sign-in URL: /sso/login answered " +
                    std::to_string(answered->status) + " instead of a redirect to the IdP");
  }
  result["idp_redirect"] = location;
  visitors_[visitor].pending_relay_state = QueryParam(location, "RelayState");
  auto authn_request = InflateRedirectMessage(QueryParam(location, "SAMLRequest"));
  result["authn_request_id"] =
      authn_request ? OptionalJson(AuthnRequestId(*authn_request)) : json::value(nullptr);
}

void ScenarioRunner::SamlPost(const std::string& visitor, const std::string& file, int line_number,
                              json::object& result) {
  const std::filesystem::path path = base_dir_ / file;
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
  VisitorState& state = visitors_[visitor];
  std::string body = "SAMLResponse=" + PercentEncode(encoded);
  if (!state.pending_relay_state.empty()) {
    body += "&RelayState=" + PercentEncode(state.pending_relay_state);
  }
  // The browser posts it once; whatever the outcome, that sign-in is used up.
  state.pending_relay_state.clear();

  sdk::HttpRequest request;
  request.method = "POST";
  request.path = "/sso/acs";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = std::move(body);
  request.visitor_id = visitor;
  request.remote_address = "127.0.0.1";
  auto answered = plugin_.HandleHttp(request);
  if (!answered) return FailWith(result, answered.error());
  result["status"] = answered->status;
  result["location"] = OptionalJson(HeaderOf(*answered, "Location"));
  if (!answered->signed_in_visitor_id.empty()) {
    result["signed_in_visitor"] = answered->signed_in_visitor_id;
  }
  if (answered->status != 303) {
    const std::string code = ErrorCodeOf(*answered);
    Fail(result, code,
         "the ACS refused the response: " + std::to_string(answered->status) + " " + code);
  }
}

void ScenarioRunner::Prechat(const std::string& visitor, const json::object& fields,
                             int line_number, json::object& result) {
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
  visitors_[visitor].prechat_answers = std::move(answers);
  auto shown = plugin_.PrechatSurveyWillShow(ChatFor(visitor, {}));
  if (!shown) return FailWith(result, shown.error());
  result["decision"] = shown->decision == sdk::PrechatDecision::kSkip ? "skip" : "show";
  result["prefill"] = FieldsJson(shown->prefill);
}

void ScenarioRunner::VisitorInfoEvent(const std::string& visitor, json::object& result) {
  auto info = plugin_.VisitorInfoWillRender(ChatFor(visitor, {}));
  if (!info) return FailWith(result, info.error());
  result["prechat_section"] = FieldsJson(info->prechat_section);
  result["custom_variables"] = FieldsJson(info->custom_variables);
  result["info"] = InfoTabJson(info->info);
}

void ScenarioRunner::Route(const std::string& visitor, json::object& result) {
  auto routed = plugin_.ChatWillBeRouted(ChatFor(visitor, {}));
  if (!routed) return FailWith(result, routed.error());
  const bool route = routed->decision == sdk::RoutingDecision::kRoute;
  for (auto& [key, value] : RoutingJson(*routed)) result[key] = std::move(value);
  // With no opinion the host routes as usual; this host then has no team.
  visitors_[visitor].team = route ? routed->team : std::string();
}

void ScenarioRunner::ChatEnd(const std::string& visitor, const std::string& chat_id,
                             json::object& result) {
  const std::string team = visitors_[visitor].team;
  auto tags = plugin_.TranscriptWillBeSaved(ChatFor(visitor, chat_id), chat_id, team);
  if (!tags) return FailWith(result, tags.error());
  result["tags"] = TagsJson(tags->tags);
  result["customer_id"] = OptionalJson(tags->customer_id);
}

void ScenarioRunner::History(const json::object& event, int line_number, json::object& result) {
  sdk::HistoryQuery query;
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

void ScenarioRunner::AdminOverview(const json::object& event, int line_number,
                                   json::object& result) {
  std::uint32_t limit = 20;
  if (const json::value* given = event.if_contains("failure_limit")) {
    if (!given->is_int64() || given->as_int64() < 1 || given->as_int64() > 1000) {
      return Fail(result, kBadEvent,
                  Where(line_number) +
                      "admin_overview \"failure_limit\" must be an integer from 1 to 1000");
    }
    limit = static_cast<std::uint32_t>(given->as_int64());
  }
  json::object overview = AdminOverviewJson(loaded_, limit);
  if (const json::value* error = overview.if_contains("overview_error")) {
    const json::object& e = error->as_object();
    return Fail(result, std::string(e.at("code").as_string()),
                std::string(e.at("message").as_string()));
  }
  for (auto& [key, value] : overview) result[key] = std::move(value);
}

}  // namespace sample_host
