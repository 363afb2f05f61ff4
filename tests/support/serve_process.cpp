#include "support/serve_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace vsso::testing {

ServeProcess::ServeProcess(const std::vector<std::string>& args,
                           const std::filesystem::path& stderr_path, rlim_t max_files) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  const std::string err = stderr_path.string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    const int log = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (log >= 0) ::dup2(log, STDERR_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    if (max_files != 0) {
      const rlimit limit{max_files, max_files};
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  // The first line says where it listens (it comes once it accepts); the
  // start-up output ends with the admin URL.
  std::string line;
  char c = 0;
  while (::read(out[0], &c, 1) == 1) {
    if (c != '\n') {
      line.push_back(c);
      continue;
    }
    lines_.push_back(line);
    if (line.starts_with("admin: ")) break;
    line.clear();
  }
  ::close(out[0]);
  const std::string prefix = "listening on http://127.0.0.1:";
  if (lines_.empty() || !lines_[0].starts_with(prefix)) {
    throw std::runtime_error("unexpected start-up output: " +
                             (lines_.empty() ? std::string("(none)") : lines_[0]));
  }
  port_ = static_cast<unsigned short>(std::stoi(lines_[0].substr(prefix.size())));
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

int ServeProcess::Terminate() {
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace vsso::testing
