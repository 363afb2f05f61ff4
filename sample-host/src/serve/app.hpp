// serve's application: everything between the HTTP transport and the
// plugin. It owns the chat store, agent sign-in and visitor identity, the
// route table and its guards (routes.hpp), the pages, and forwards /sso/* to
// Plugin::HandleHttp with the visitor of the request's cookie.
// It serves the websites (sites) it is given: each its visitor pages and
// chat API under /s/<site>/ (the default site also at /), every chat tied to
// the site it was opened on; the agent console, History and admin pages pick
// a site.
//
// Threading: Handle() may be called on any number of threads at once; it
// never blocks on other requests (long polls and delayed login failures
// answer later through Respond, from a timer thread the App owns).
// Shutdown() answers every waiting request; the destructor stops the timer
// thread. No hook runs after the transport and Shutdown() have returned.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "serve/chat_store.hpp"
#include "serve/http_basics.hpp"
#include "serve/origin.hpp"
#include "visitor_sso/sdk/loader.hpp"

namespace sample_host::serve {

struct AppConfig {
  /// The chat host's own origin: Host headers, Origin checks, cookies.
  Origin public_origin;
  /// Origins that serve the demo website (/ and /?embed=1) only.
  std::vector<Origin> website_origins;
  /// The websites served, each a valid site ID, no duplicates, at least one
  /// (serve's --site; default: "default" only).
  std::vector<std::string> sites{"default"};
  std::string agent_password;
  /// MAC key of visitor cookies and CSRF tokens (at least 32 bytes).
  std::string cookie_secret;
  StoreLimits limits;
};

class App {
 public:
  /// `loaded` must outlive the App.
  App(const visitor_sso::sdk::LoadedPlugin& loaded, AppConfig config);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  void Handle(Request&& request, const Client& client, Respond respond);
  /// Answers every waiting long poll now; later ones answer at once.
  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sample_host::serve
