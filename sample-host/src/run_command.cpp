// `sample-host ... run SCENARIO.jsonl [--now RFC3339]`: plays a scenario, one
// JSON event per line, and prints one JSON result per event, in order
// (docs/sample-host.md). "-" reads standard input line by line and flushes
// each result, so a driver can answer what the plugin asked (e.g. build a
// response to the reported authn_request_id) before sending the next event.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <boost/json/serialize.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "plugin_session.hpp"
#include "report.hpp"
#include "scenario_runner.hpp"
#include "wire.hpp"

namespace sample_host {

namespace sdk = visitor_sso::sdk;

namespace {

struct RunArguments {
  std::string scenario;
  sdk::UnixSeconds now = 0;
};

std::optional<Failure> ParseRunArguments(std::span<const std::string> args, RunArguments& out) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--now" || word.starts_with("--now=")) {
      std::string value;
      if (word != "--now") {
        value = word.substr(6);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      }
      auto now = ParseRfc3339(value);
      if (!now) {
        return UsageFailure("--now needs an RFC 3339 time such as 2026-11-24T12:01:00Z, got \"" +
                            value + "\"");
      }
      if (out.now != 0) return UsageFailure("--now given more than once");
      out.now = *now;
    } else if (word != "-" && word.starts_with("-")) {
      return UsageFailure("unknown run option \"" + word + "\"");
    } else if (!out.scenario.empty()) {
      return UsageFailure("run takes one scenario file, got a second one \"" + word + "\"");
    } else {
      out.scenario = word;
    }
  }
  if (out.scenario.empty()) {
    return UsageFailure("run needs a scenario file (or - for standard input)");
  }
  return std::nullopt;
}

bool IsSkipped(const std::string& line) {
  const std::size_t first = line.find_first_not_of(" \t");
  return first == std::string::npos || line[first] == '#';
}

}  // namespace

int RunScenarioCommand(const GlobalOptions& options, std::span<const std::string> args) {
  RunArguments run;
  if (auto failure = ParseRunArguments(args, run)) {
    Report(*failure);
    return failure->exit_code;
  }
  const bool from_stdin = run.scenario == "-";
  std::ifstream file;
  std::filesystem::path base_dir = ".";
  if (!from_stdin) {
    file.open(run.scenario);
    if (!file) {
      Report(Failure{kExitInternal, "cannot read scenario",
                     sdk::MakeError("scenario.unreadable",
                                    "cannot open \"" + run.scenario + "\" for reading")});
      return kExitInternal;
    }
    const std::filesystem::path parent = std::filesystem::path(run.scenario).parent_path();
    if (!parent.empty()) base_dir = parent;
  }

  PluginSession session;
  sdk::ConfigureRequest request;
  request.config_path = options.config_path;
  request.fixed_now = run.now;
  if (auto failure = session.Open(options.plugin_path, request)) {
    Report(*failure);
    return failure->exit_code;
  }
  ScenarioRunner runner(session.loaded(), base_dir);
  std::istream& in = from_stdin ? std::cin : file;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (IsSkipped(line)) continue;
    std::cout << boost::json::serialize(runner.RunLine(line, line_number)) << '\n';
    // Flushed per result: an interactive driver waits for each one.
    std::cout.flush();
    if (!std::cout) {
      Report(Failure{kExitInternal, "cannot write output",
                     sdk::MakeError("host.output", "writing to standard output failed")});
      return kExitInternal;
    }
  }
  if (in.bad()) {
    Report(Failure{kExitInternal, "cannot read scenario",
                   sdk::MakeError("scenario.unreadable", "reading \"" + run.scenario +
                                                             "\" failed after line " +
                                                             std::to_string(line_number))});
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace sample_host
