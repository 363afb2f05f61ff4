// `serve`: a small HTTP chat platform around the plugin (Boost.Beast,
// synchronous, one thread per connection). It forwards /sso/* to
// Plugin::HandleHttp and calls the chat hooks at the moments a real platform
// would: ChatWillStart when the chat window opens, PrechatSurveyWillShow
// before the survey, ChatWillBeRouted when the chat starts,
// VisitorInfoWillRender when an agent opens a chat, TranscriptWillBeSaved when
// it ends and SearchHistory for the History page.
//
// Threading: Run() blocks on the calling thread until SIGINT/SIGTERM, then
// wakes long polls, closes every connection and joins its threads before it
// returns, so no hook runs after Run() (the SDK asks that Shutdown comes
// last). The chat state is in memory, guarded by one mutex that is never held
// while a hook runs.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "report.hpp"
#include "visitor_sso/sdk/loader.hpp"

namespace sample_host {

class WebServer {
 public:
  /// `loaded` (from PluginSession) must outlive the server.
  explicit WebServer(const visitor_sso::sdk::LoadedPlugin& loaded);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  /// Listens on `listen` ("HOST:PORT"; port 0 picks a free one), prints
  /// "listening on http://HOST:PORT" on stdout and serves until SIGINT or
  /// SIGTERM. Returns a failure when it cannot listen.
  std::optional<Failure> Run(const std::string& listen);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sample_host
