// `serve`: a small chat platform around the plugin for trying sign-in end to
// end in a browser. This file wires the parts together: the HTTP transport
// (http_server.hpp: async Boost.Beast, timeouts, connection caps), the
// application (serve/app.hpp: routes, guards, chat store, agent sign-in,
// visitor cookies, /sso/* forwarding) and the start-up output.
//
// Threading: Run() blocks until SIGINT/SIGTERM, then answers every waiting
// long poll and closes every connection before it returns, so no hook runs
// after Run() (the SDK asks that Shutdown comes last).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "report.hpp"
#include "visitor_sso/sdk/loader.hpp"

namespace sample_host {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  /// The chat host's origin; empty: http://<listen address>:<bound port>.
  std::string public_origin;
  /// Further origins that answer the demo website pages only.
  std::vector<std::string> website_origins;
  /// The websites (site IDs) served, in the order given; empty: "default".
  std::vector<std::string> sites;
  /// The agent account's password file; empty: a generated password, printed.
  std::string agent_password_file;
  /// The visitor-cookie MAC key file; empty: a key generated at start.
  std::string cookie_secret_file;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds idle_timeout{30};
  std::size_t max_connections = 1024;
};

class WebServer {
 public:
  /// `loaded` (from PluginSession) must outlive the server.
  WebServer(const visitor_sso::sdk::LoadedPlugin& loaded, ServeOptions options);

  /// Checks the options, listens, prints "listening on http://HOST:PORT"
  /// first, then (when generated) "agent password: <password>" and the URLs,
  /// and serves until SIGINT or SIGTERM. Returns a failure (usage, unreadable
  /// secret file, cannot listen) without serving.
  std::optional<Failure> Run();

 private:
  const visitor_sso::sdk::LoadedPlugin& loaded_;
  ServeOptions options_;
};

}  // namespace sample_host
