#include "serve/chat_api.hpp"

#include <optional>

#include "admin_overview.hpp"
#include "wire.hpp"

namespace sample_host::serve {

namespace sdk = visitor_sso::sdk;
namespace json = boost::json;

namespace {

// ---- request members --------------------------------------------------------

std::string StringOf(const json::object& body, std::string_view key) {
  const json::value* v = body.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

ApiResult<std::string> ChatIdOf(const json::object& body) {
  std::string chat = StringOf(body, "chat");
  if (chat.empty()) return ApiError::BadInput("host.bad_chat", "chat must name a chat");
  return chat;
}

ApiResult<std::int64_t> AfterOf(const Target& target, std::int64_t min) {
  const std::string text = target.Param("after");
  if (text.empty()) return min < 0 ? std::int64_t{-1} : std::int64_t{0};
  auto value = ParseInt(text, min, 1'000'000'000);
  if (!value) {
    return ApiError::BadInput("host.bad_after", "after must be a whole number from " +
                                                    std::to_string(min) + ", got \"" + text + "\"");
  }
  return *value;
}

ApiError UnknownChat() {
  // The same answer for "no such chat" and "not yours": IDs are not probed.
  return ApiError::NotFound("host.unknown_chat", "no such chat");
}

// An active chat is not asked about again (ChatWillStart ran when it
// started); it counts as signed in while the customer it started with is
// still its customer (EndOnSignOut ends or clears that).
json::object ChatStage(const Chat& chat) {
  return {{"ok", true},
          {"chat", chat.id},
          {"stage", "chat"},
          {"team", OptionalJson(chat.team)},
          {"signed_in", !chat.customer_id.empty()}};
}

json::object MessagesJson(const MessagesView& view) {
  json::array messages;
  for (const auto& m : view.messages) {
    messages.emplace_back(json::object{{"n", m.n}, {"from", AuthorName(m.from)}, {"text", m.text}});
  }
  return {{"ok", true}, {"status", ChatStatusName(view.status)}, {"messages", std::move(messages)}};
}

// The site as the plugin takes it: empty for the default site (SDK 2.1), so
// a single-site plugin sees exactly what an SDK 2.0 host sent.
std::string PluginSite(const std::string& site) {
  return site == kDefaultSite ? std::string() : site;
}

ApiError Busy() {
  return ApiError::Unavailable("host.busy",
                               "too many requests are waiting for news; try again shortly");
}

}  // namespace

std::string ChatApi::BasePath(const std::string& site) {
  return site.empty() || site == kDefaultSite ? std::string() : "/s/" + site;
}

ChatApi::ChatApi(const sdk::LoadedPlugin& loaded, ChatStore& store)
    : loaded_(loaded), plugin_(*loaded.plugin), store_(store) {}

sdk::Chat ChatApi::ForPlugin(const Chat& chat) const {
  sdk::Chat out;
  out.id = chat.id;
  out.site_id = PluginSite(chat.site_id);
  out.visitor.id = chat.visitor_id;
  out.visitor.page_url = BasePath(chat.site_id) + "/";
  // No visitor in it: the plugin's cookie and the host's visitor cookie say
  // who comes back.
  out.return_url = BasePath(chat.site_id) + kChatPath;
  out.prechat_answers = chat.prechat_answers;
  return out;
}

ApiResult<Chat> ChatApi::OwnChat(const std::string& site, const std::string& visitor,
                                 const json::object& body) {
  auto chat_id = ChatIdOf(body);
  if (auto* error = std::get_if<ApiError>(&chat_id)) return *error;
  auto chat = store_.Find(std::get<std::string>(chat_id));
  // Another site's chat window never reaches this chat, even the same visitor's.
  if (!chat || chat->visitor_id != visitor || chat->site_id != site) return UnknownChat();
  return *chat;
}

// ---- visitor -------------------------------------------------------------------

JsonResult ChatApi::StartChat(const std::string& site, const std::string& visitor) {
  const Chat chat = store_.OpenChatFor(site, visitor);
  if (chat.status == ChatStatus::kActive) return ChatStage(chat);
  auto started = plugin_.ChatWillStart(ForPlugin(chat));
  if (!started) return ApiError::FromPlugin(started.error());
  if (started->signed_in) {
    store_.Update(chat.id, [&](Chat& c) { c.customer_id = started->customer_id; });
  }
  json::object out = ChatStartJson(*started);
  out["ok"] = true;
  out["chat"] = chat.id;
  out["site"] = chat.site_id;
  switch (started->decision) {
    case sdk::ChatStartDecision::kProceed: {
      auto next = ShowPrechat(chat.id);
      if (auto* error = std::get_if<ApiError>(&next)) return *error;
      for (auto& [key, value] : std::get<json::object>(next)) out[key] = value;
      break;
    }
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

JsonResult ChatApi::ChooseGuest(const std::string& site, const std::string& visitor,
                                const json::object& body) {
  auto chat = OwnChat(site, visitor, body);
  if (auto* error = std::get_if<ApiError>(&chat)) return *error;
  const Chat& own = std::get<Chat>(chat);
  if (own.status != ChatStatus::kStarting) {
    return ApiError::BadInput("host.not_starting", "that chat is past its start");
  }
  // Asked again, not remembered: a guest is allowed only where the plugin
  // offers sign-in (optional) or lets the chat proceed, never where it is
  // required or the chat is refused.
  auto started = plugin_.ChatWillStart(ForPlugin(own));
  if (!started) return ApiError::FromPlugin(started.error());
  if (started->decision != sdk::ChatStartDecision::kOfferSignIn &&
      started->decision != sdk::ChatStartDecision::kProceed) {
    return ApiError::Forbidden("host.sign_in_required",
                               std::string("this chat needs a signed-in visitor (") +
                                   ChatStartDecisionName(started->decision) + ")");
  }
  return ShowPrechat(own.id);
}

JsonResult ChatApi::ShowPrechat(const std::string& chat_id) {
  auto chat = store_.Find(chat_id);
  if (!chat) return UnknownChat();
  auto shown = plugin_.PrechatSurveyWillShow(ForPlugin(*chat));
  if (!shown) return ApiError::FromPlugin(shown.error());
  if (shown->decision == sdk::PrechatDecision::kSkip) return Activate(chat_id);
  store_.Update(chat_id, [](Chat& c) { c.status = ChatStatus::kPrechat; });
  return json::object{{"ok", true},
                      {"chat", chat_id},
                      {"stage", "prechat"},
                      {"prefill", FieldsJson(shown->prefill)}};
}

JsonResult ChatApi::SubmitPrechat(const std::string& site, const std::string& visitor,
                                  const json::object& body) {
  auto chat = OwnChat(site, visitor, body);
  if (auto* error = std::get_if<ApiError>(&chat)) return *error;
  const Chat& own = std::get<Chat>(chat);
  if (own.status != ChatStatus::kPrechat) {
    return ApiError::BadInput("host.no_survey", "that chat is not waiting for a pre-chat survey");
  }
  std::vector<sdk::FieldValue> answers;
  if (const json::value* fields = body.if_contains("fields"); fields && fields->is_object()) {
    for (const auto& [key, value] : fields->as_object()) {
      if (!value.is_string() || value.as_string().empty()) continue;
      answers.push_back(PrechatAnswer(std::string(key), {std::string(value.as_string())}));
    }
  }
  store_.Update(own.id, [&](Chat& c) { c.prechat_answers = std::move(answers); });
  return Activate(own.id);
}

JsonResult ChatApi::Activate(const std::string& chat_id) {
  auto chat = store_.Find(chat_id);
  if (!chat) return UnknownChat();
  auto routed = plugin_.ChatWillBeRouted(ForPlugin(*chat));
  std::string note;
  const bool found = store_.Update(chat_id, [&](Chat& c) {
    c.status = ChatStatus::kActive;
    if (routed && routed->decision == sdk::RoutingDecision::kRoute) {
      c.team = routed->team;
      c.rule = routed->rule;
      c.rule_text = routed->rule_text;
      note = "Routed to " + routed->team + " (" + routed->rule + ")";
    } else {
      // No opinion (or a failing hook): this host has no routing of its own.
      c.team.clear();
      note = routed ? "Waiting for any agent" : "Routing failed: " + routed.error().code;
    }
  });
  if (!found) return UnknownChat();
  store_.Post(chat_id, Author::kSystem, note);
  auto now = store_.Find(chat_id);
  if (!now) return UnknownChat();
  return ChatStage(*now);
}

JsonResult ChatApi::PostVisitorMessage(const std::string& site, const std::string& visitor,
                                       const json::object& body) {
  auto chat = OwnChat(site, visitor, body);
  if (auto* error = std::get_if<ApiError>(&chat)) return *error;
  return Post(std::get<Chat>(chat).id, Author::kVisitor, body);
}

JsonResult ChatApi::Post(const std::string& chat_id, Author from, const json::object& body) {
  const std::string text = StringOf(body, "text");
  if (text.empty() || text.size() > kMaxMessageBytes) {
    return ApiError::BadInput("host.bad_message", "a message needs a text of 1 to " +
                                                      std::to_string(kMaxMessageBytes) + " bytes");
  }
  int n = 0;
  switch (store_.Post(chat_id, from, text, &n)) {
    case ChatStore::PostResult::kPosted:
      return json::object{{"ok", true}, {"n", n}};
    case ChatStore::PostResult::kNoChat:
      return UnknownChat();
    case ChatStore::PostResult::kNotActive:
      return ApiError::BadInput("host.chat_not_active", "that chat is not active");
    case ChatStore::PostResult::kFull:
      return ApiError::BadInput("host.chat_full", "that chat has reached its message limit");
  }
  return UnknownChat();
}

void ChatApi::VisitorMessages(const std::string& site, const std::string& visitor,
                              const Target& target, JsonDone done) {
  const std::string chat_id = target.Param("chat");
  auto chat = store_.Find(chat_id);
  if (!chat || chat->visitor_id != visitor || chat->site_id != site) return done(UnknownChat());
  Messages(chat_id, target, std::move(done));
}

void ChatApi::Messages(const std::string& chat_id, const Target& target, JsonDone done) {
  auto after = AfterOf(target, 0);
  if (auto* error = std::get_if<ApiError>(&after)) return done(*error);
  auto shared = std::make_shared<JsonDone>(std::move(done));
  const bool waiting = store_.WaitForMessages(
      chat_id, static_cast<int>(std::get<std::int64_t>(after)), [shared](MessagesView view) {
        if (!view.found) return (*shared)(UnknownChat());
        (*shared)(MessagesJson(view));
      });
  if (!waiting) (*shared)(Busy());
}

void ChatApi::SignInState(const std::string& site, const std::string& visitor, const Target& target,
                          JsonDone done) {
  auto after = AfterOf(target, -1);
  if (auto* error = std::get_if<ApiError>(&after)) return done(*error);
  auto shared = std::make_shared<JsonDone>(std::move(done));
  const bool waiting = store_.WaitForSignIn(
      site, visitor, std::get<std::int64_t>(after), [shared](std::int64_t version) {
        (*shared)(json::object{{"ok", true}, {"version", version}});
      });
  if (!waiting) (*shared)(Busy());
}

ApiResult<std::string> ChatApi::PopupSignInUrl(const std::string& site, const std::string& visitor,
                                               const std::string& return_path) {
  sdk::Chat chat;
  chat.id = "sign-in-popup";
  chat.site_id = PluginSite(site);
  chat.visitor.id = visitor;
  chat.visitor.page_url = BasePath(site) + "/";
  chat.return_url = return_path;
  auto started = plugin_.ChatWillStart(chat);
  if (!started) return ApiError::FromPlugin(started.error());
  return started->sign_in_url;
}

// ---- agent ------------------------------------------------------------------

JsonResult ChatApi::AgentChats(const std::string& site) {
  json::array list;
  for (const Chat& c : store_.List(500, site)) {
    list.emplace_back(json::object{{"chat", c.id},
                                   {"site", c.site_id},
                                   {"visitor", c.visitor_id},
                                   {"customer_id", OptionalJson(c.customer_id)},
                                   {"status", ChatStatusName(c.status)},
                                   {"team", OptionalJson(c.team)}});
  }
  return json::object{{"ok", true}, {"chats", std::move(list)}};
}

JsonResult ChatApi::AgentChat(const Target& target) {
  auto chat = store_.Find(target.Param("chat"));
  if (!chat) return UnknownChat();
  json::object out{{"ok", true},
                   {"chat", chat->id},
                   {"site", chat->site_id},
                   {"visitor", chat->visitor_id},
                   {"status", ChatStatusName(chat->status)},
                   {"team", OptionalJson(chat->team)},
                   {"rule", OptionalJson(chat->rule)},
                   {"rule_text", OptionalJson(chat->rule_text)},
                   {"transcript_id", OptionalJson(chat->transcript_id)}};
  auto info = plugin_.VisitorInfoWillRender(ForPlugin(*chat));
  if (!info) {
    out["info_error"] = info.error().code;
    return out;
  }
  out["prechat_section"] = FieldsJson(info->prechat_section);
  out["custom_variables"] = FieldsJson(info->custom_variables);
  out["info"] = InfoTabJson(info->info);
  return out;
}

void ChatApi::AgentMessages(const Target& target, JsonDone done) {
  Messages(target.Param("chat"), target, std::move(done));
}

JsonResult ChatApi::PostAgentMessage(const json::object& body) {
  auto chat_id = ChatIdOf(body);
  if (auto* error = std::get_if<ApiError>(&chat_id)) return *error;
  return Post(std::get<std::string>(chat_id), Author::kAgent, body);
}

JsonResult ChatApi::EndChat(const json::object& body) {
  auto chat_id = ChatIdOf(body);
  if (auto* error = std::get_if<ApiError>(&chat_id)) return *error;
  auto chat = store_.Find(std::get<std::string>(chat_id));
  if (!chat) return UnknownChat();
  return SaveAndEnd(*chat);
}

std::optional<ApiError> ChatApi::EndOnSignOut(const std::string& site, const std::string& visitor) {
  auto chat = store_.OpenChatOf(site, visitor);
  if (!chat || chat->customer_id.empty()) return std::nullopt;
  store_.Post(chat->id, Author::kSystem, "The visitor signed out");
  auto ended = SaveAndEnd(*chat);
  if (auto* error = std::get_if<ApiError>(&ended)) {
    store_.Update(chat->id, [](Chat& c) { c.customer_id.clear(); });
    return *error;
  }
  return std::nullopt;
}

JsonResult ChatApi::SaveAndEnd(const Chat& chat) {
  if (chat.status == ChatStatus::kEnded) {
    return ApiError::BadInput("host.chat_not_active", "that chat has ended already");
  }
  const std::string transcript_id = "t-" + chat.id;
  auto tags = plugin_.TranscriptWillBeSaved(ForPlugin(chat), transcript_id, chat.team);
  // The transcript is not stored without its tags; the chat stays open.
  if (!tags) return ApiError::FromPlugin(tags.error());
  if (!store_.End(chat.id, transcript_id, tags->tags)) {
    return ApiError::BadInput("host.chat_not_active", "that chat has ended already");
  }
  return json::object{{"ok", true},
                      {"transcript_id", transcript_id},
                      {"customer_id", OptionalJson(tags->customer_id)},
                      {"tags", TagsJson(tags->tags)}};
}

JsonResult ChatApi::History(const std::string& site, const Target& target) {
  sdk::HistoryQuery query;
  query.site_id = PluginSite(site);
  query.customer_id = target.Param("customer_id");
  query.team = target.Param("team");
  query.cursor = target.Param("cursor");
  // A day (the page's date inputs, whole UTC days) or an RFC 3339 instant.
  const auto instant = [&](const char* name, bool end_of_day) -> std::optional<sdk::UnixSeconds> {
    const std::string text = target.Param(name);
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
    return ApiError::BadInput("host.bad_time",
                              "from and until must be dates (2026-11-24) or RFC 3339 times "
                              "(2026-11-24T12:00:00Z)");
  }
  query.from = *from;
  query.until = *until;
  if (const std::string limit = target.Param("limit"); !limit.empty()) {
    auto value = ParseInt(limit, 1, 1000);
    if (!value) {
      return ApiError::BadInput(
          "host.bad_limit", "limit must be a whole number from 1 to 1000, got \"" + limit + "\"");
    }
    query.limit = static_cast<int>(*value);
  }
  auto page = plugin_.SearchHistory(query);
  if (!page) return ApiError::FromPlugin(page.error());
  json::object out = HistoryPageJson(*page);
  out["ok"] = true;
  out["site"] = site;
  return out;
}

JsonResult ChatApi::Admin(const std::string& site) {
  json::object out = AdminOverviewJson(loaded_, 20, site);
  out["ok"] = true;
  return out;
}

JsonResult ChatApi::Diagnostics(std::size_t agent_sessions) {
  const StoreCounts counts = store_.Counts();
  const StoreLimits& limits = store_.limits();
  return json::object{{"ok", true},
                      {"chats", counts.chats},
                      {"open_chats", counts.open_chats},
                      {"ended_chats", counts.ended_chats},
                      {"visitors", counts.visitors},
                      {"long_polls", counts.long_polls},
                      {"agent_sessions", agent_sessions},
                      {"chats_created", counts.chats_created},
                      {"chats_evicted", counts.chats_evicted},
                      {"visitors_evicted", counts.visitors_evicted},
                      {"limits", json::object{{"max_chats", limits.max_chats},
                                              {"max_ended", limits.max_ended},
                                              {"ended_grace_seconds", limits.ended_grace.count()},
                                              {"max_visitors", limits.max_visitors},
                                              {"max_messages", limits.max_messages},
                                              {"max_long_polls", limits.max_long_polls},
                                              {"long_poll_ms", limits.long_poll.count()}}}};
}

}  // namespace sample_host::serve
