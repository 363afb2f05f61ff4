// `sample-host ... serve [--listen HOST:PORT] [--now RFC3339]`: a web chat
// platform around the plugin (web_server.hpp) for trying sign-in end to end
// in a browser. Loopback by default: it is a test bench, not a product.
#include <iostream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "plugin_session.hpp"
#include "report.hpp"
#include "web_server.hpp"
#include "wire.hpp"

namespace sample_host {

namespace sdk = visitor_sso::sdk;

namespace {

struct ServeArguments {
  std::string listen = "127.0.0.1:8080";
  sdk::UnixSeconds now = 0;
};

// Accepts "--name VALUE" and "--name=VALUE"; advances i past the value.
std::optional<std::string> ValueOf(std::span<const std::string> args, std::size_t& i,
                                   std::string_view name) {
  const std::string& word = args[i];
  if (word == name) {
    if (i + 1 >= args.size()) return std::string();
    return args[++i];
  }
  if (word.size() > name.size() && word.starts_with(name) && word[name.size()] == '=') {
    return word.substr(name.size() + 1);
  }
  return std::nullopt;
}

std::optional<Failure> ParseServeArguments(std::span<const std::string> args, ServeArguments& out) {
  bool listen_seen = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (auto listen = ValueOf(args, i, "--listen")) {
      if (listen->empty()) return UsageFailure("--listen needs HOST:PORT");
      if (listen_seen) return UsageFailure("--listen given more than once");
      listen_seen = true;
      out.listen = *listen;
    } else if (auto value = ValueOf(args, i, "--now")) {
      auto now = ParseRfc3339(*value);
      if (!now) {
        return UsageFailure("--now needs an RFC 3339 time such as 2026-11-24T12:01:00Z, got \"" +
                            *value + "\"");
      }
      if (out.now != 0) return UsageFailure("--now given more than once");
      out.now = *now;
    } else {
      return UsageFailure("unknown serve argument \"" + args[i] + "\"");
    }
  }
  return std::nullopt;
}

}  // namespace

int RunServeCommand(const GlobalOptions& options, std::span<const std::string> args) {
  ServeArguments serve;
  if (auto failure = ParseServeArguments(args, serve)) {
    Report(*failure);
    return failure->exit_code;
  }
  PluginSession session;
  sdk::ConfigureRequest request;
  request.config_path = options.config_path;
  request.fixed_now = serve.now;
  if (auto failure = session.Open(options.plugin_path, request)) {
    Report(*failure);
    return failure->exit_code;
  }
  WebServer server(session.loaded());
  if (auto failure = server.Run(serve.listen)) {
    Report(*failure);
    return failure->exit_code;
  }
  return kExitOk;
}

}  // namespace sample_host
