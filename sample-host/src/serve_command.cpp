// `sample-host ... serve [options]`: a web chat platform around the plugin
// (web_server.hpp) for trying sign-in end to end in a browser. Loopback by
// default: it is a test bench, not a product (docs/sample-host.md says what
// a real platform must add).
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
  ServeOptions options;
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
  ServeOptions& o = out.options;
  std::vector<std::string> seen;
  // Each option at most once, except --website-origin and --site.
  const auto once = [&](std::string_view name) -> std::optional<Failure> {
    for (const auto& s : seen) {
      if (s == name) return UsageFailure(std::string(name) + " given more than once");
    }
    seen.emplace_back(name);
    return std::nullopt;
  };
  const auto seconds = [&](std::string_view name, const std::string& value,
                           std::chrono::seconds& target) -> std::optional<Failure> {
    auto n = ParseInt(value, 1, 3600);
    if (!n)
      return UsageFailure(std::string(name) + " needs whole seconds from 1 to 3600, got \"" +
                          value + "\"");
    target = std::chrono::seconds(*n);
    return once(name);
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::optional<Failure> failure;
    if (auto v = ValueOf(args, i, "--listen")) {
      if (v->empty()) return UsageFailure("--listen needs HOST:PORT");
      o.listen = *v;
      failure = once("--listen");
    } else if (auto v = ValueOf(args, i, "--now")) {
      auto now = ParseRfc3339(*v);
      if (!now) {
        return UsageFailure("--now needs an RFC 3339 time such as 2026-11-24T12:01:00Z, got \"" +
                            *v + "\"");
      }
      out.now = *now;
      failure = once("--now");
    } else if (auto v = ValueOf(args, i, "--agent-password-file")) {
      if (v->empty()) return UsageFailure("--agent-password-file needs a FILE");
      o.agent_password_file = *v;
      failure = once("--agent-password-file");
    } else if (auto v = ValueOf(args, i, "--cookie-secret-file")) {
      if (v->empty()) return UsageFailure("--cookie-secret-file needs a FILE");
      o.cookie_secret_file = *v;
      failure = once("--cookie-secret-file");
    } else if (auto v = ValueOf(args, i, "--public-origin")) {
      if (v->empty()) return UsageFailure("--public-origin needs an ORIGIN");
      o.public_origin = *v;
      failure = once("--public-origin");
    } else if (auto v = ValueOf(args, i, "--website-origin")) {
      if (v->empty()) return UsageFailure("--website-origin needs an ORIGIN");
      o.website_origins.push_back(*v);
    } else if (auto v = ValueOf(args, i, "--site")) {
      // Checked (ID syntax, repeats) with the other options in WebServer::Run.
      if (v->empty()) return UsageFailure("--site needs a site ID");
      o.sites.push_back(*v);
    } else if (auto v = ValueOf(args, i, "--header-timeout")) {
      failure = seconds("--header-timeout", *v, o.header_timeout);
    } else if (auto v = ValueOf(args, i, "--idle-timeout")) {
      failure = seconds("--idle-timeout", *v, o.idle_timeout);
    } else if (auto v = ValueOf(args, i, "--max-connections")) {
      auto n = ParseInt(*v, 1, 1'000'000);
      if (!n)
        return UsageFailure("--max-connections needs a whole number from 1, got \"" + *v + "\"");
      o.max_connections = static_cast<std::size_t>(*n);
      failure = once("--max-connections");
    } else {
      return UsageFailure("unknown serve argument \"" + args[i] + "\"");
    }
    if (failure) return failure;
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
  WebServer server(session.loaded(), std::move(serve.options));
  if (auto failure = server.Run()) {
    Report(*failure);
    return failure->exit_code;
  }
  return kExitOk;
}

}  // namespace sample_host
