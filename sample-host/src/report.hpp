// How sample-host tells its user that something failed: exactly one line on
// stderr, `sample-host: <what>: <message> [<code>]`, so scripts can match the
// code and admins read the message.
#pragma once

#include <string>
#include <string_view>

#include "visitor_sso/sdk/expected.hpp"

namespace sample_host {

/// A failure of a command, with the exit code it ends the program with.
struct Failure {
  int exit_code = 0;
  /// Short phrase naming the step that failed ("cannot load plugin").
  std::string what;
  visitor_sso::sdk::Error error;
};

/// Writes the failure's single line to stderr. Line breaks inside the message
/// become spaces so the one-line promise holds whatever the plugin says.
void Report(const Failure& failure);

/// Failure of the command line itself (exit code kExitUsage, code "host.usage").
Failure UsageFailure(std::string message);

}  // namespace sample_host
