// Runs a program the way a user would from a shell, but without a shell:
// black-box tests of the real binaries (sample-host, visitor-sso-admin) see
// exactly what a user sees: stdout, stderr and the exit status.
//
// Threading: RunProcess may be called from several threads at once (it uses
// only its own pipes). It blocks until the child has exited.
#pragma once

#include <string>
#include <vector>

namespace vsso::testing {

struct ProcessResult {
  /// The child's exit status, or -1 when a signal killed it.
  int exit_code = -1;
  /// The killing signal, or 0 when the child exited normally.
  int term_signal = 0;
  std::string out;
  std::string err;
};

/// Starts argv[0] (a path, not looked up in PATH) with argv as its arguments,
/// the test's environment and stdin from /dev/null; waits for it and returns
/// everything it wrote. Throws std::runtime_error when the child cannot be
/// started at all (the test then fails with that message).
ProcessResult RunProcess(const std::vector<std::string>& argv);

/// Splits text into lines without their '\n' (a last unterminated line counts).
std::vector<std::string> SplitLines(const std::string& text);

}  // namespace vsso::testing
