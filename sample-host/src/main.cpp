// sample-host: a stand-in for a chat platform. It loads the visitor-sso plugin
// through the host SDK loader only, the way a real platform would, and drives
// it from the command line. See docs/sample-host.md for the contract.
//
// main.cpp parses the options before the command and dispatches; every
// command lives in its own file (commands.hpp).
#include <exception>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "report.hpp"

namespace sample_host {
namespace {

struct Command {
  std::string_view name;
  CommandFn run;
};

// To add a command: one line here, one <name>_command.cpp, one usage line.
constexpr Command kCommands[] = {
    {"info", RunInfoCommand},
    {"run", RunScenarioCommand},
    {"serve", RunServeCommand},
};

constexpr std::string_view kUsage =
    "Usage: sample-host --plugin PATH --config PATH COMMAND [ARGS...]\n"
    "\n"
    "A stand-in chat platform: loads the visitor-sso plugin through the host SDK\n"
    "(ABI handshake included), configures it and drives it.\n"
    "\n"
    "Options (before the command, in any order; --name=VALUE also accepted):\n"
    "  --plugin PATH   the plugin shared object (libvisitor-sso.so)\n"
    "  --config PATH   the plugin's configuration file (.ini or .json)\n"
    "  -h, --help      print this help and exit\n"
    "\n"
    "Commands:\n"
    "  info            print the plugin's name, SDK version, sign-in policy and counts\n"
    "  run SCENARIO [--now RFC3339]\n"
    "                  play a JSON-lines scenario (- reads stdin), one JSON result per\n"
    "                  event on stdout; --now pins the plugin's clock\n"
    "  serve [--listen HOST:PORT] [--now RFC3339] [--agent-password-file FILE]\n"
    "        [--cookie-secret-file FILE] [--public-origin ORIGIN]\n"
    "        [--website-origin ORIGIN]... [--site ID]... [--header-timeout S]\n"
    "        [--idle-timeout S] [--max-connections N]\n"
    "                  serve the demo chat (visitor website, chat window, /agent,\n"
    "                  /agent/history and /admin for the signed-in agent, the\n"
    "                  plugin's /sso/*) on 127.0.0.1:8080 by default; without\n"
    "                  --agent-password-file it prints \"agent password: ...\";\n"
    "                  each --site ID is a website at /s/ID/ (default: the site\n"
    "                  \"default\" only, at /)\n"
    "\n"
    "Exit codes: 0 success (run: every event ran, even if the plugin said no),\n"
    "            1 internal error or unreadable scenario, 2 usage error,\n"
    "            3 plugin not loaded (load or ABI handshake refused),\n"
    "            4 configuration rejected by the plugin.\n"
    "Errors: one line on stderr, \"sample-host: <what>: <message> [<code>]\".\n";

struct CommandLine {
  bool help = false;
  GlobalOptions options;
  std::string command;
  std::vector<std::string> args;
};

bool IsHelp(std::string_view word) { return word == "--help" || word == "-h"; }

std::variant<CommandLine, Failure> Parse(const std::vector<std::string>& words) {
  CommandLine line;
  for (const std::string& word : words) {
    if (IsHelp(word)) {
      line.help = true;
      return line;
    }
  }
  std::size_t i = 0;
  for (; i < words.size() && words[i].starts_with("-"); ++i) {
    const std::string& word = words[i];
    const std::size_t equals = word.find('=');
    const std::string name = word.substr(0, equals);
    std::string* target = name == "--plugin"   ? &line.options.plugin_path
                          : name == "--config" ? &line.options.config_path
                                               : nullptr;
    if (target == nullptr) {
      return UsageFailure("unknown option \"" + name + "\"");
    }
    std::string value;
    if (equals != std::string::npos) {
      value = word.substr(equals + 1);
    } else if (i + 1 < words.size() && !words[i + 1].starts_with("-")) {
      value = words[++i];
    }
    if (value.empty()) {
      return UsageFailure(name + " needs a PATH value");
    }
    if (!target->empty()) {
      return UsageFailure(name + " given more than once");
    }
    *target = std::move(value);
  }
  if (i == words.size()) {
    return UsageFailure("no command given");
  }
  line.command = words[i];
  line.args.assign(words.begin() + static_cast<std::ptrdiff_t>(i) + 1, words.end());
  if (line.options.plugin_path.empty()) {
    return UsageFailure("--plugin PATH is required");
  }
  if (line.options.config_path.empty()) {
    return UsageFailure("--config PATH is required");
  }
  return line;
}

int Main(std::span<char*> argv) {
  std::vector<std::string> words;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    words.emplace_back(argv[i]);
  }
  auto parsed = Parse(words);
  if (auto* failure = std::get_if<Failure>(&parsed)) {
    Report(*failure);
    return failure->exit_code;
  }
  const CommandLine& line = std::get<CommandLine>(parsed);
  if (line.help) {
    std::cout << kUsage;
    std::cout.flush();
    return std::cout ? kExitOk : kExitInternal;
  }
  for (const Command& command : kCommands) {
    if (command.name == line.command) {
      return command.run(line.options, line.args);
    }
  }
  Report(UsageFailure("unknown command \"" + line.command + "\""));
  return kExitUsage;
}

}  // namespace
}  // namespace sample_host

int main(int argc, char** argv) {
  using sample_host::Failure;
  // Nothing may escape main: a host reports and exits, it never aborts.
  try {
    return sample_host::Main(std::span<char*>(argv, argc > 0 ? static_cast<std::size_t>(argc) : 0));
  } catch (const std::exception& e) {
    sample_host::Report(Failure{sample_host::kExitInternal, "internal error",
                                visitor_sso::sdk::MakeError("host.internal", e.what())});
  } catch (...) {
    sample_host::Report(Failure{sample_host::kExitInternal, "internal error",
                                visitor_sso::sdk::MakeError("host.internal", "unknown exception")});
  }
  return sample_host::kExitInternal;
}
