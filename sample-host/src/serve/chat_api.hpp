// The JSON API behind the chat window (/api/chat/*) and the agent console
// (/api/agent/*, /api/history, /api/admin), calling the plugin's hooks at the
// moments a real platform would: ChatWillStart when the chat window opens,
// PrechatSurveyWillShow before the survey, ChatWillBeRouted when the chat
// starts, VisitorInfoWillRender when an agent opens a chat,
// TranscriptWillBeSaved when it ends and SearchHistory for History.
//
// Callers are already authenticated (app.cpp): visitor methods get the
// visitor from its cookie and only ever touch that visitor's chat on the
// site of the chat window's URL; agent methods run for a signed-in agent.
// Every hook gets the site the chat was opened on (Chat::site_id), never a
// site from a later request. The author of a message is the role
// of the endpoint, never a member of the body.
// Thread-safe; no lock is held while a hook runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "serve/api_error.hpp"
#include "serve/chat_store.hpp"
#include "serve/http_basics.hpp"
#include "visitor_sso/sdk/loader.hpp"

namespace sample_host::serve {

using JsonResult = ApiResult<boost::json::object>;
using JsonDone = std::function<void(JsonResult)>;

class ChatApi {
 public:
  /// Where the plugin sends a visitor back after signing in (Chat::return_url),
  /// under the site's base path.
  static constexpr const char* kChatPath = "/chat";
  /// Where a site's website, chat window and chat API live: "" for the
  /// default site, "/s/<site>" for the others.
  static std::string BasePath(const std::string& site);
  static constexpr std::size_t kMaxMessageBytes = 4000;

  ChatApi(const visitor_sso::sdk::LoadedPlugin& loaded, ChatStore& store);

  // ---- visitor (the visitor ID comes from the cookie, the site from the URL) ----
  JsonResult StartChat(const std::string& site, const std::string& visitor);
  JsonResult ChooseGuest(const std::string& site, const std::string& visitor,
                         const boost::json::object& body);
  JsonResult SubmitPrechat(const std::string& site, const std::string& visitor,
                           const boost::json::object& body);
  JsonResult PostVisitorMessage(const std::string& site, const std::string& visitor,
                                const boost::json::object& body);
  void VisitorMessages(const std::string& site, const std::string& visitor, const Target& target,
                       JsonDone done);
  void SignInState(const std::string& site, const std::string& visitor, const Target& target,
                   JsonDone done);

  // ---- agent (a site given here was checked to be served) ----
  /// The chats of `site`, or of every site when empty.
  JsonResult AgentChats(const std::string& site);
  JsonResult AgentChat(const Target& target);
  void AgentMessages(const Target& target, JsonDone done);
  JsonResult PostAgentMessage(const boost::json::object& body);
  JsonResult EndChat(const boost::json::object& body);
  JsonResult History(const std::string& site, const Target& target);
  JsonResult Admin(const std::string& site);
  JsonResult Diagnostics(std::size_t agent_sessions);

  /// The sign-in URL for a visitor's sign-in popup on `site`, which must end
  /// on `return_path`; "" when the visitor is signed in already (or sign-in
  /// is not offered). From ChatWillStart, so the plugin owns the URL's form
  /// (/sso/<site>/login?return=...).
  ApiResult<std::string> PopupSignInUrl(const std::string& site, const std::string& visitor,
                                        const std::string& return_path);

  /// The visitor signed out on `site` (its own sign-out, or a logout the IdP
  /// started): its open chat there that was started signed in ends, with
  /// TranscriptWillBeSaved as when an agent ends it. On a shared computer
  /// the next person must neither read nor continue it, and the agent must
  /// not take them for the customer. When the hook fails the chat stays
  /// open but no longer counts as signed in; the error is returned.
  std::optional<ApiError> EndOnSignOut(const std::string& site, const std::string& visitor);

 private:
  visitor_sso::sdk::Chat ForPlugin(const Chat& chat) const;
  ApiResult<Chat> OwnChat(const std::string& site, const std::string& visitor,
                          const boost::json::object& body);
  JsonResult ShowPrechat(const std::string& chat_id);
  JsonResult Activate(const std::string& chat_id);
  void Messages(const std::string& chat_id, const Target& target, JsonDone done);
  JsonResult Post(const std::string& chat_id, Author from, const boost::json::object& body);
  /// TranscriptWillBeSaved, then the chat ends (ChatStore::End).
  JsonResult SaveAndEnd(const Chat& chat);

  const visitor_sso::sdk::LoadedPlugin& loaded_;
  visitor_sso::sdk::Plugin& plugin_;
  ChatStore& store_;
};

}  // namespace sample_host::serve
