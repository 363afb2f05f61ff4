#include "web_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <list>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "admin_overview.hpp"
#include "exit_codes.hpp"
#include "web_pages.hpp"
#include "wire.hpp"

namespace sample_host {

namespace sdk = visitor_sso::sdk;
namespace json = boost::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// How long a long poll holds the request when nothing happens.
constexpr auto kLongPoll = std::chrono::seconds(25);
constexpr const char* kVisitorCookie = "vsso_visitor";

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Message {
  int n = 0;
  std::string from;  // "visitor", "agent" or "system"
  std::string text;
};

struct ChatState {
  std::string id;
  std::string visitor_id;
  // Set when ChatWillStart reports a signed-in visitor (for the visitor list).
  std::string customer_id;
  // "starting" (decision pending), "prechat", "active", "ended".
  std::string status = "starting";
  std::vector<sdk::FieldValue> prechat_answers;
  std::string team;
  std::string rule;
  std::string rule_text;
  std::vector<Message> messages;
  std::string transcript_id;
  std::vector<std::pair<std::string, std::string>> tags;
};

struct VisitorState {
  std::string current_chat;
  // Bumped when the ACS signs the visitor in: wakes the chat window's poll.
  int sign_in_version = 0;
};

json::value Optional(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::array FieldsToJson(const std::vector<sdk::FieldValue>& fields) {
  json::array out;
  for (const auto& f : fields) {
    out.emplace_back(json::object{{"key", f.key}, {"label", f.label}, {"value", f.value}});
  }
  return out;
}

std::string RandomId() {
  static std::mutex mutex;
  static std::mt19937_64 engine{std::random_device{}()};
  std::lock_guard lock(mutex);
  constexpr const char* kHex = "0123456789abcdef";
  std::string id = "v-";
  for (int i = 0; i < 16; ++i) id.push_back(kHex[engine() % 16]);
  return id;
}

std::string CookieValue(const Request& request, std::string_view name) {
  const auto it = request.find(http::field::cookie);
  if (it == request.end()) return {};
  std::string_view cookies = it->value();
  while (!cookies.empty()) {
    const std::size_t semi = cookies.find(';');
    std::string_view part = cookies.substr(0, semi);
    cookies = semi == std::string_view::npos ? std::string_view() : cookies.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    const std::size_t equals = part.find('=');
    if (equals != std::string_view::npos && part.substr(0, equals) == name) {
      return std::string(part.substr(equals + 1));
    }
  }
  return {};
}

// A visitor ID is host-made (RandomId) or chosen by a test; only harmless
// characters are accepted so it can go into cookies and URLs as is.
bool IsValidVisitorId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

Response MakeResponse(const Request& request, http::status status, std::string content_type,
                      std::string body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response JsonResponse(const Request& request, const json::value& value,
                      http::status status = http::status::ok) {
  return MakeResponse(request, status, "application/json", json::serialize(value));
}

Response JsonError(const Request& request, http::status status, const std::string& code,
                   const std::string& message) {
  return JsonResponse(request, json::object{{"ok", false}, {"code", code}, {"message", message}},
                      status);
}

}  // namespace

struct WebServer::State {
  explicit State(const sdk::LoadedPlugin& l) : loaded(l), plugin(*l.plugin) {}

  const sdk::LoadedPlugin& loaded;
  sdk::Plugin& plugin;
  std::mutex mutex;
  std::condition_variable changed;
  bool stopping = false;
  int next_chat = 0;
  const std::string run_tag = RandomId().substr(2, 6);
  std::map<std::string, VisitorState> visitors;
  std::map<std::string, ChatState> chats;
  std::set<int> open_sockets;

  // ---- request helpers ------------------------------------------------------

  struct Target {
    std::string path;
    std::string raw_query;
    std::vector<std::pair<std::string, std::string>> query;
  };

  static Target Split(const Request& request) {
    Target target;
    const std::string whole(request.target());
    const std::size_t question = whole.find('?');
    target.path = whole.substr(0, question);
    if (question != std::string::npos) {
      target.raw_query = whole.substr(question + 1);
      target.query = ParseQuery(target.raw_query).value_or(decltype(target.query){});
    }
    return target;
  }

  static std::string Param(const Target& target, std::string_view name) {
    for (const auto& [key, value] : target.query) {
      if (key == name) return value;
    }
    return {};
  }

  static std::string VisitorOf(const Request& request, const Target& target) {
    std::string visitor = Param(target, "visitor");
    if (visitor.empty()) visitor = CookieValue(request, kVisitorCookie);
    return IsValidVisitorId(visitor) ? visitor : std::string();
  }

  // The chat as the plugin sees it; call with the mutex held.
  sdk::Chat ChatFor(const ChatState& chat) const {
    sdk::Chat out;
    out.id = chat.id;
    out.visitor.id = chat.visitor_id;
    out.visitor.page_url = "/";
    out.return_url = "/chat?visitor=" + PercentEncode(chat.visitor_id);
    out.prechat_answers = chat.prechat_answers;
    return out;
  }

  void AddMessage(ChatState& chat, std::string from, std::string text) {
    chat.messages.push_back(
        Message{static_cast<int>(chat.messages.size()) + 1, std::move(from), std::move(text)});
    changed.notify_all();
  }

  // ---- /sso/* --------------------------------------------------------------

  Response ForwardToPlugin(const Request& request, const Target& target,
                           const std::string& remote) {
    sdk::HttpRequest forwarded;
    forwarded.method = std::string(request.method_string());
    forwarded.path = target.path;
    forwarded.query = target.raw_query;
    for (const auto& field : request) {
      forwarded.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    forwarded.body = request.body();
    forwarded.visitor_id = VisitorOf(request, target);
    forwarded.remote_address = remote;
    auto answered = plugin.HandleHttp(forwarded);
    if (!answered) {
      return MakeResponse(request, http::status::internal_server_error, "text/plain",
                          "The sign-in service failed: " + answered.error().code + "\n");
    }
    if (!answered->signed_in_visitor_id.empty()) {
      std::lock_guard lock(mutex);
      ++visitors[answered->signed_in_visitor_id].sign_in_version;
      changed.notify_all();
    }
    Response response{static_cast<http::status>(answered->status), request.version()};
    for (const auto& [name, value] : answered->headers) response.insert(name, value);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(answered->body);
    response.prepare_payload();
    return response;
  }

  // ---- visitor side ----------------------------------------------------------

  // Starts (or resumes) the visitor's chat and asks the plugin whether it may
  // start: the moment the chat window opens.
  json::object StartChat(const std::string& visitor) {
    std::string chat_id;
    sdk::Chat chat;
    {
      std::lock_guard lock(mutex);
      VisitorState& state = visitors[visitor];
      auto it = chats.find(state.current_chat);
      if (it != chats.end() && it->second.status == "active") {
        return ChatStage(it->second);
      }
      if (it == chats.end() || it->second.status == "ended") {
        // Zero-padded so the map's order is the start order; the run tag keeps
        // transcript IDs unique across restarts on the same store.
        std::string number = std::to_string(++next_chat);
        chat_id = "chat-" + run_tag + "-" +
                  std::string(6 - std::min<std::size_t>(6, number.size()), '0') + number;
        state.current_chat = chat_id;
        ChatState& created = chats[chat_id];
        created.id = chat_id;
        created.visitor_id = visitor;
      } else {
        chat_id = it->second.id;
      }
      chat = ChatFor(chats[chat_id]);
    }
    auto started = plugin.ChatWillStart(chat);
    if (!started) {
      return {{"ok", false}, {"code", started.error().code}, {"message", started.error().message}};
    }
    if (started->signed_in) {
      std::lock_guard lock(mutex);
      chats[chat_id].customer_id = started->customer_id;
    }
    json::object out{{"ok", true},
                     {"chat", chat_id},
                     {"decision", ChatStartDecisionName(started->decision)},
                     {"signed_in", started->signed_in},
                     {"customer_id", Optional(started->customer_id)},
                     {"sign_in_url", Optional(started->sign_in_url)},
                     {"reason_code", Optional(started->reason_code)},
                     {"reason", Optional(started->reason)}};
    switch (started->decision) {
      case sdk::ChatStartDecision::kProceed:
        for (auto& [key, value] : ShowPrechat(chat_id)) out[key] = value;
        break;
      case sdk::ChatStartDecision::kOfferSignIn:
        out["stage"] = "offer";
        break;
      case sdk::ChatStartDecision::kRequireSignIn:
        out["stage"] = "sign_in";
        break;
      case sdk::ChatStartDecision::kRefuse:
        out["stage"] = "refused";
        break;
    }
    return out;
  }

  // Before the survey: the plugin may skip it (signed-in visitor).
  json::object ShowPrechat(const std::string& chat_id) {
    sdk::Chat chat;
    {
      std::lock_guard lock(mutex);
      auto it = chats.find(chat_id);
      if (it == chats.end()) return {{"ok", false}, {"code", "host.unknown_chat"}};
      chat = ChatFor(it->second);
    }
    auto shown = plugin.PrechatSurveyWillShow(chat);
    if (!shown) {
      return {{"ok", false}, {"code", shown.error().code}, {"message", shown.error().message}};
    }
    if (shown->decision == sdk::PrechatDecision::kSkip) return Activate(chat_id);
    {
      std::lock_guard lock(mutex);
      chats[chat_id].status = "prechat";
    }
    return {{"ok", true},
            {"chat", chat_id},
            {"stage", "prechat"},
            {"prefill", FieldsToJson(shown->prefill)}};
  }

  // The chat starts: the host asks where to route it.
  json::object Activate(const std::string& chat_id) {
    sdk::Chat chat;
    {
      std::lock_guard lock(mutex);
      chat = ChatFor(chats[chat_id]);
    }
    auto routed = plugin.ChatWillBeRouted(chat);
    std::lock_guard lock(mutex);
    ChatState& state = chats[chat_id];
    state.status = "active";
    if (routed && routed->decision == sdk::RoutingDecision::kRoute) {
      state.team = routed->team;
      state.rule = routed->rule;
      state.rule_text = routed->rule_text;
      AddMessage(state, "system", "Routed to " + routed->team + " (" + routed->rule + ")");
    } else {
      // No opinion (or a failing hook): this host has no routing of its own.
      state.team.clear();
      AddMessage(state, "system",
                 routed ? "Waiting for any agent" : "Routing failed: " + routed.error().code);
    }
    changed.notify_all();
    return ChatStage(state);
  }

  static json::object ChatStage(const ChatState& chat) {
    return {{"ok", true}, {"chat", chat.id}, {"stage", "chat"}, {"team", Optional(chat.team)}};
  }

  json::object SubmitPrechat(const json::object& body) {
    const std::string chat_id = StringOf(body, "chat");
    std::vector<sdk::FieldValue> answers;
    if (const json::value* fields = body.if_contains("fields"); fields && fields->is_object()) {
      for (const auto& [key, value] : fields->as_object()) {
        if (!value.is_string() || value.as_string().empty()) continue;
        std::string label(key);
        if (!label.empty()) label[0] = static_cast<char>(std::toupper(label[0]));
        answers.push_back(sdk::FieldValue{std::string(key),
                                          label,
                                          std::string(value.as_string()),
                                          {std::string(value.as_string())}});
      }
    }
    {
      std::lock_guard lock(mutex);
      auto it = chats.find(chat_id);
      if (it == chats.end() || it->second.status != "prechat") {
        return {{"ok", false},
                {"code", "host.no_survey"},
                {"message", "that chat is not waiting for a pre-chat survey"}};
      }
      it->second.prechat_answers = std::move(answers);
    }
    return Activate(chat_id);
  }

  static std::string StringOf(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  }

  // Long poll: returns at once when something is newer than `after`.
  json::object Messages(const std::string& chat_id, int after) {
    std::unique_lock lock(mutex);
    auto ready = [&] {
      auto it = chats.find(chat_id);
      return stopping || it == chats.end() ||
             static_cast<int>(it->second.messages.size()) > after || it->second.status == "ended";
    };
    changed.wait_for(lock, kLongPoll, ready);
    auto it = chats.find(chat_id);
    if (it == chats.end()) return {{"ok", false}, {"code", "host.unknown_chat"}};
    json::array list;
    for (const Message& m : it->second.messages) {
      if (m.n > after)
        list.emplace_back(json::object{{"n", m.n}, {"from", m.from}, {"text", m.text}});
    }
    return {{"ok", true}, {"status", it->second.status}, {"messages", std::move(list)}};
  }

  json::object PostMessage(const json::object& body) {
    const std::string from = StringOf(body, "from");
    const std::string text = StringOf(body, "text");
    if ((from != "visitor" && from != "agent") || text.empty()) {
      return {{"ok", false},
              {"code", "host.bad_message"},
              {"message", "a message needs from (visitor or agent) and a non-empty text"}};
    }
    std::lock_guard lock(mutex);
    auto it = chats.find(StringOf(body, "chat"));
    if (it == chats.end() || it->second.status != "active") {
      return {{"ok", false}, {"code", "host.chat_not_active"}, {"message", "no such active chat"}};
    }
    AddMessage(it->second, from, text);
    return {{"ok", true}, {"n", static_cast<int>(it->second.messages.size())}};
  }

  json::object SignInState(const std::string& visitor, int after) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, kLongPoll,
                     [&] { return stopping || visitors[visitor].sign_in_version > after; });
    return {{"ok", true}, {"version", visitors[visitor].sign_in_version}};
  }

  // ---- agent side ------------------------------------------------------------

  json::object AgentChats() {
    std::lock_guard lock(mutex);
    json::array list;
    // Newest chat first.
    for (auto it = chats.rbegin(); it != chats.rend(); ++it) {
      const ChatState& c = it->second;
      list.emplace_back(json::object{{"chat", c.id},
                                     {"visitor", c.visitor_id},
                                     {"customer_id", Optional(c.customer_id)},
                                     {"status", c.status},
                                     {"team", Optional(c.team)}});
    }
    return {{"ok", true}, {"chats", std::move(list)}};
  }

  json::object AgentChat(const std::string& chat_id) {
    sdk::Chat chat;
    json::object out{{"ok", true}};
    {
      std::lock_guard lock(mutex);
      auto it = chats.find(chat_id);
      if (it == chats.end()) return {{"ok", false}, {"code", "host.unknown_chat"}};
      chat = ChatFor(it->second);
      out["chat"] = it->second.id;
      out["visitor"] = it->second.visitor_id;
      out["status"] = it->second.status;
      out["team"] = Optional(it->second.team);
      out["rule"] = Optional(it->second.rule);
      out["rule_text"] = Optional(it->second.rule_text);
      out["transcript_id"] = Optional(it->second.transcript_id);
    }
    auto info = plugin.VisitorInfoWillRender(chat);
    if (!info) {
      out["info_error"] = info.error().code;
      return out;
    }
    out["prechat_section"] = FieldsToJson(info->prechat_section);
    out["custom_variables"] = FieldsToJson(info->custom_variables);
    out["info"] =
        json::object{{"name", info->info.name},
                     {"customer_id", Optional(info->info.customer_id)},
                     {"verified", info->info.verified},
                     {"idp_entity_id", Optional(info->info.idp_entity_id)},
                     {"signed_in_at", info->info.signed_in_at != 0
                                          ? json::value(FormatRfc3339(info->info.signed_in_at))
                                          : json::value(nullptr)}};
    return out;
  }

  json::object EndChat(const std::string& chat_id) {
    sdk::Chat chat;
    std::string team;
    const std::string transcript_id = "t-" + chat_id;
    {
      std::lock_guard lock(mutex);
      auto it = chats.find(chat_id);
      if (it == chats.end() || it->second.status == "ended") {
        return {{"ok", false}, {"code", "host.chat_not_active"}, {"message", "no such open chat"}};
      }
      chat = ChatFor(it->second);
      team = it->second.team;
    }
    auto tags = plugin.TranscriptWillBeSaved(chat, transcript_id, team);
    if (!tags) {
      // The transcript is not stored without its tags; the chat stays open.
      return {{"ok", false}, {"code", tags.error().code}, {"message", tags.error().message}};
    }
    std::lock_guard lock(mutex);
    ChatState& state = chats[chat_id];
    state.status = "ended";
    state.transcript_id = transcript_id;
    state.tags = tags->tags;
    AddMessage(state, "system", "Chat ended");
    json::object tag_object;
    for (const auto& [key, value] : tags->tags) tag_object[key] = value;
    return {{"ok", true},
            {"transcript_id", transcript_id},
            {"customer_id", Optional(tags->customer_id)},
            {"tags", std::move(tag_object)}};
  }

  json::object History(const Target& target) {
    sdk::HistoryQuery query;
    query.customer_id = Param(target, "customer_id");
    query.team = Param(target, "team");
    query.cursor = Param(target, "cursor");
    // A day (the page's date inputs, whole UTC days) or an RFC 3339 instant.
    const auto instant = [&](const char* name, bool end_of_day) -> std::optional<sdk::UnixSeconds> {
      const std::string text = Param(target, name);
      if (text.empty()) return sdk::UnixSeconds{0};
      if (text.size() == 10) {
        auto day = ParseRfc3339(text + "T00:00:00Z");
        if (day && end_of_day) *day += 86400;
        return day;
      }
      auto at = ParseRfc3339(text);
      if (at && end_of_day) *at += 1;  // "until" is inclusive here, exclusive in the SDK
      return at;
    };
    const auto from = instant("from", false);
    const auto until = instant("until", true);
    if (!from || !until) {
      return {{"ok", false},
              {"code", "host.bad_time"},
              {"message",
               "from and until must be dates (2026-11-24) or RFC 3339 times "
               "(2026-11-24T12:00:00Z)"}};
    }
    query.from = *from;
    query.until = *until;
    const std::string limit = Param(target, "limit");
    if (!limit.empty()) {
      try {
        query.limit = std::stoi(limit);
      } catch (const std::exception&) {
        return {{"ok", false}, {"code", "host.bad_limit"}, {"message", "limit must be a number"}};
      }
    }
    auto page = plugin.SearchHistory(query);
    if (!page) {
      return {{"ok", false}, {"code", page.error().code}, {"message", page.error().message}};
    }
    json::array rows;
    for (const auto& t : page->rows) {
      rows.emplace_back(json::object{{"transcript_id", t.transcript_id},
                                     {"chat_id", t.chat_id},
                                     {"visitor_id", t.visitor_id},
                                     {"customer_id", Optional(t.customer_id)},
                                     {"idp_entity_id", Optional(t.idp_entity_id)},
                                     {"signed_in", t.signed_in},
                                     {"team", Optional(t.team)},
                                     {"saved_at", FormatRfc3339(t.saved_at)}});
    }
    return {{"ok", true},
            {"transcripts", std::move(rows)},
            {"next_cursor", Optional(page->next_cursor)}};
  }

  json::object Admin() const {
    json::object out = AdminOverviewJson(loaded);
    out["ok"] = true;
    return out;
  }

  // ---- dispatch ----------------------------------------------------------------

  Response Page(const Request& request, std::string html) {
    Response response =
        MakeResponse(request, http::status::ok, "text/html; charset=utf-8", std::move(html));
    response.set("Content-Security-Policy",
                 "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                 "style-src 'self' 'unsafe-inline'; frame-ancestors 'self'");
    return response;
  }

  // Pages that know the visitor hand out the cookie that /sso/* then sees.
  // kEmbeddingWebsite: the website shows the chat window in an iframe instead
  // of a window of its own (sign-in then runs in a popup).
  enum class VisitorView { kWebsite, kEmbeddingWebsite, kChatWindow };
  Response VisitorPage(const Request& request, const Target& target, VisitorView view) {
    std::string visitor = VisitorOf(request, target);
    if (visitor.empty()) visitor = RandomId();
    Response response =
        Page(request, view == VisitorView::kChatWindow
                          ? ChatWindowPage(visitor)
                          : WebsitePage(visitor, view == VisitorView::kEmbeddingWebsite));
    response.set(http::field::set_cookie,
                 std::string(kVisitorCookie) + "=" + visitor + "; Path=/; HttpOnly; SameSite=Lax");
    return response;
  }

  Response Handle(const Request& request, const std::string& remote) {
    const Target target = Split(request);
    const std::string& path = target.path;
    const bool get = request.method() == http::verb::get;
    const bool post = request.method() == http::verb::post;
    if (path.starts_with("/sso/")) return ForwardToPlugin(request, target, remote);
    if (get && path == "/") {
      return VisitorPage(
          request, target,
          Param(target, "embed") == "1" ? VisitorView::kEmbeddingWebsite : VisitorView::kWebsite);
    }
    if (get && path == "/chat") return VisitorPage(request, target, VisitorView::kChatWindow);
    if (get && path == "/agent") return Page(request, AgentPage());
    if (get && path == "/agent/history") return Page(request, HistoryPage());
    if (get && path == "/admin") return Page(request, AdminPage());

    json::object body;
    if (post) {
      boost::system::error_code ec;
      json::value parsed = json::parse(request.body(), ec);
      if (ec || !parsed.is_object()) {
        return JsonError(request, http::status::bad_request, "host.bad_json",
                         "the request body must be a JSON object");
      }
      body = std::move(parsed.as_object());
    }
    json::object answer;
    if (post && path == "/api/chat/start") {
      std::string visitor = StringOf(body, "visitor");
      if (visitor.empty()) visitor = CookieValue(request, kVisitorCookie);
      if (!IsValidVisitorId(visitor)) {
        return JsonError(request, http::status::bad_request, "host.bad_visitor",
                         "visitor must be 1-64 letters, digits, '-' or '_'");
      }
      answer = StartChat(visitor);
    } else if (post && path == "/api/chat/guest") {
      answer = ShowPrechat(StringOf(body, "chat"));
    } else if (post && path == "/api/prechat") {
      answer = SubmitPrechat(body);
    } else if (get && path == "/api/state") {
      const std::string visitor = VisitorOf(request, target);
      if (visitor.empty()) {
        return JsonError(request, http::status::bad_request, "host.bad_visitor",
                         "visitor must be 1-64 letters, digits, '-' or '_'");
      }
      answer = SignInState(visitor, std::atoi(Param(target, "after").c_str()));
    } else if (get && path == "/api/messages") {
      answer = Messages(Param(target, "chat"), std::atoi(Param(target, "after").c_str()));
    } else if (post && path == "/api/messages") {
      answer = PostMessage(body);
    } else if (get && path == "/api/agent/chats") {
      answer = AgentChats();
    } else if (get && path == "/api/agent/chat") {
      answer = AgentChat(Param(target, "chat"));
    } else if (post && path == "/api/agent/end") {
      answer = EndChat(StringOf(body, "chat"));
    } else if (get && path == "/api/history") {
      answer = History(target);
    } else if (get && path == "/api/admin") {
      answer = Admin();
    } else {
      return MakeResponse(request, http::status::not_found, "text/plain", "Not found\n");
    }
    const bool ok = answer.contains("ok") && answer.at("ok").as_bool();
    return JsonResponse(request, answer, ok ? http::status::ok : http::status::bad_request);
  }

  // ---- connections ---------------------------------------------------------------

  void Serve(tcp::socket socket) {
    const int fd = socket.native_handle();
    {
      std::lock_guard lock(mutex);
      if (stopping) return;
      open_sockets.insert(fd);
    }
    boost::system::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    const std::string remote = ec ? std::string() : endpoint.address().to_string();
    beast::flat_buffer buffer;
    for (;;) {
      Request request;
      http::read(socket, buffer, request, ec);
      if (ec) break;
      Response response;
      try {
        response = Handle(request, remote);
      } catch (const std::exception& e) {
        response = MakeResponse(request, http::status::internal_server_error, "text/plain",
                                std::string("internal error: ") + e.what() + "\n");
      }
      http::write(socket, response, ec);
      if (ec || !response.keep_alive()) break;
    }
    {
      std::lock_guard lock(mutex);
      open_sockets.erase(fd);
    }
    socket.shutdown(tcp::socket::shutdown_send, ec);
  }

  // Wakes every long poll and ends every connection's blocking read.
  void Stop() {
    std::lock_guard lock(mutex);
    stopping = true;
    changed.notify_all();
    for (int fd : open_sockets) ::shutdown(fd, SHUT_RDWR);
  }
};

WebServer::WebServer(const sdk::LoadedPlugin& loaded) : state_(std::make_unique<State>(loaded)) {}
WebServer::~WebServer() = default;

std::optional<Failure> WebServer::Run(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  boost::system::error_code ec;
  asio::ip::address address;
  unsigned long port = 0;
  if (colon != std::string::npos) {
    address = asio::ip::make_address(listen.substr(0, colon), ec);
    try {
      port = std::stoul(listen.substr(colon + 1));
    } catch (const std::exception&) {
      port = 70000;
    }
  }
  if (colon == std::string::npos || ec || port > 65535) {
    return UsageFailure("--listen needs HOST:PORT with a numeric IP address, got \"" + listen +
                        "\"");
  }
  asio::io_context io;
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Failure{kExitInternal, "cannot listen",
                   sdk::MakeError("host.listen", "on " + listen + ": " + ec.message())};
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    acceptor.close();
    state_->Stop();
    io.stop();
  });

  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Worker> workers;
  std::function<void()> accept = [&] {
    acceptor.async_accept([&](const boost::system::error_code& error, tcp::socket socket) {
      if (error) return;
      // Joins finished connections so the list stays as long as the live ones.
      workers.remove_if([](Worker& w) {
        if (!*w.done) return false;
        w.thread.join();
        return true;
      });
      auto done = std::make_shared<std::atomic<bool>>(false);
      workers.push_back(Worker{std::thread([this, done, s = std::move(socket)]() mutable {
                                 state_->Serve(std::move(s));
                                 *done = true;
                               }),
                               done});
      accept();
    });
  };
  accept();

  const tcp::endpoint bound = acceptor.local_endpoint(ec);
  std::cout << "listening on http://" << bound.address().to_string() << ":" << bound.port()
            << std::endl;
  io.run();
  for (Worker& w : workers) w.thread.join();
  return std::nullopt;
}

}  // namespace sample_host
