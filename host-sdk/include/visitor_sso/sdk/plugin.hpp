// The hook interface a C++ chat platform calls. One method per hook, named by
// tense (Mattermost style): "...Will..." hooks may change or veto what happens
// next; "...HasBeen..." hooks only notify.
//
// The plugin itself is reached through the C ABI of visitor_sso/abi.h: the
// loader (loader.hpp) returns an AbiPlugin (abi_plugin.hpp) that implements
// this interface over the exported vsso_* functions. Each method maps to one
// entry point (Configure -> vsso_plugin_configure, ChatWillStart ->
// vsso_on_chat_will_start, ...); abi.h documents the contract.
//
// Threading: after Configure has returned, every hook may be called from many
// threads at once; the plugin synchronises internally. Configure, Reload and
// Shutdown must not run concurrently with each other; hooks running during
// Reload see either the old or the new configuration, never a mix.
//
// Exceptions: none ever crosses this boundary. Every method is noexcept and
// reports failure as an sdk::Error inside Expected.
//
// Ownership: arguments are borrowed for the duration of the call only; results
// are owned by the caller. The host obtains a Plugin through the loader
// (loader.hpp), whose shared_ptr keeps the plugin's library loaded for as long
// as the object lives.
//
// Optional entry points a plugin library does not export answer "not
// handled" (abi_plugin.hpp lists what each method then returns).
#pragma once

#include <memory>

#include "visitor_sso/sdk/expected.hpp"
#include "visitor_sso/sdk/types.hpp"

namespace visitor_sso::sdk {

class Plugin {
 public:
  virtual ~Plugin() = default;

  // ---- Lifecycle ----------------------------------------------------------

  /// Called once, before any hook. Reads and validates the configuration,
  /// opens the store, syncs certificates and mappings. On error the plugin
  /// stays unconfigured; hooks then answer with "plugin.not_configured"
  /// decisions (required mode refuses chats, other modes proceed as guest).
  virtual Status Configure(const ConfigureRequest& request) noexcept = 0;

  /// Re-reads the configuration file given to Configure. On error the previous
  /// configuration stays in force and the error is returned.
  virtual Status Reload() noexcept = 0;

  /// Called once before the host drops the plugin; no hook runs after it.
  virtual void Shutdown() noexcept = 0;

  /// Name, versions, policy and counts. Cheap; any thread.
  virtual PluginDescription Describe() const noexcept = 0;

  // ---- Chat hooks ---------------------------------------------------------

  /// Host calls it when a visitor opens the chat window, before any agent is
  /// involved. The host follows the decision: proceed; offer sign-in or guest;
  /// show the sign-in URL and wait; or refuse with the reason.
  virtual Expected<ChatStartResult> ChatWillStart(const Chat& chat) noexcept = 0;

  /// Host calls it before showing the pre-chat survey. kSkip: the host does not
  /// show it; prefill values may be shown read-only or used as answers.
  virtual Expected<PrechatResult> PrechatSurveyWillShow(const Chat& chat) noexcept = 0;

  /// Host calls it when an agent opens the visitor's details. The host renders
  /// the three sections as given.
  virtual Expected<VisitorInfo> VisitorInfoWillRender(const Chat& chat) noexcept = 0;

  /// Host calls it before assigning the chat. kRoute: the host sends the chat
  /// to `team`; kNoOpinion: the host routes as it would without the plugin.
  virtual Expected<RoutingResult> ChatWillBeRouted(const Chat& chat) noexcept = 0;

  /// Host calls it when a chat ends, before it stores the transcript. The
  /// plugin has durably recorded the tags (customer ID among them) against
  /// `transcript_id` before it returns; the host stores the returned tags with
  /// the transcript.
  virtual Expected<TranscriptTags> TranscriptWillBeSaved(const Chat& chat,
                                                         const std::string& transcript_id,
                                                         const std::string& team) noexcept = 0;

  /// Host calls it for its History view (filter transcripts by customer ID,
  /// team or time). Read-only; any thread.
  virtual Expected<HistoryPage> SearchHistory(const HistoryQuery& query) noexcept = 0;

  // ---- HTTP ---------------------------------------------------------------

  /// Host forwards every request whose path starts with "/sso/" (ACS,
  /// metadata, login start). The host sends the response as is. An Error means
  /// the plugin could not produce any response (host answers 500).
  virtual Expected<HttpResponse> HandleHttp(const HttpRequest& request) noexcept = 0;

  // ---- Administration -------------------------------------------------------

  /// Host calls it for its admin view: active IdP certificates with their
  /// validity, mappings, routing rules and the most recent refused sign-ins.
  /// Read-only; any thread. While Configure has not succeeded the error is the
  /// configuration's own (e.g. "config.file_missing" naming file and key);
  /// store failures come back as "store.*".
  virtual Expected<AdminOverview> GetAdminOverview(
      const AdminOverviewQuery& query) const noexcept = 0;
};

}  // namespace visitor_sso::sdk
