// The sample-host commands. main.cpp parses the options that come before the
// command and dispatches; each command lives in its own <name>_command.cpp and
// parses its own arguments (those after the command name).
#pragma once

#include <span>
#include <string>

namespace sample_host {

/// Options every command gets (given before the command name).
struct GlobalOptions {
  std::string plugin_path;
  std::string config_path;
};

/// A command: returns the process exit code (exit_codes.hpp) after reporting
/// any failure itself. Must not throw for expected failures.
using CommandFn = int (*)(const GlobalOptions& options, std::span<const std::string> args);

/// `info`: load, configure, print the plugin's description. Takes no arguments.
int RunInfoCommand(const GlobalOptions& options, std::span<const std::string> args);

/// `run SCENARIO [--now RFC3339]`: plays a JSON-lines scenario ("-": stdin)
/// and prints one JSON result per event (docs/sample-host.md).
int RunScenarioCommand(const GlobalOptions& options, std::span<const std::string> args);

/// `serve [--listen HOST:PORT] [--now RFC3339]`: a web chat platform around
/// the plugin until SIGINT/SIGTERM (web_server.hpp).
int RunServeCommand(const GlobalOptions& options, std::span<const std::string> args);

}  // namespace sample_host
