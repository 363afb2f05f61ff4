// `sample-host ... serve` as a child process for black-box tests: started
// with the given arguments (listening on 127.0.0.1:0), its start-up output
// read up to the admin URL, its stderr kept in a file, and killed when the
// object goes. Not thread-safe; one test thread owns it.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace vsso::testing {

class ServeProcess {
 public:
  /// Starts argv[0] with `args`, stdout read here, stderr written to
  /// `stderr_path`, RLIMIT_NOFILE set to `max_files` when non-zero. Throws
  /// std::runtime_error when it cannot start or does not say where it
  /// listens (the test then fails with that message).
  ServeProcess(const std::vector<std::string>& args, const std::filesystem::path& stderr_path,
               rlim_t max_files = 0);
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  /// What it printed at start-up, one line each ("listening on ..." first).
  const std::vector<std::string>& output() const { return lines_; }
  /// Sends SIGTERM and returns the exit status (-1 when a signal killed it).
  int Terminate();

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::vector<std::string> lines_;
};

}  // namespace vsso::testing
