// The sample host's HTTP transport (sample-host/src/http_server.*), run
// in-process on a free loopback port and spoken to over real sockets: slow
// and idle clients, long polls, the connection cap, running out of file
// descriptors, and the responses the transport must refuse to send.
// Waits are bounded with generous deadlines; nothing asserts speed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio.hpp>

#include "http_server.hpp"

namespace sample_host {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

// Polls `done` every 10 ms until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

HttpResponse Text(http::status status, std::string body) {
  HttpResponse response(status, 11);
  response.set(http::field::content_type, "text/plain");
  response.body() = std::move(body);
  return response;
}

// Answers at once with the request target, so a reply names its request.
void Echo(HttpRequest&& request, const ClientInfo&, const Respond& respond) {
  respond(Text(http::status::ok, "hello " + std::string(request.target())));
}

// The real HttpServer on 127.0.0.1:0, run on its own thread until destroyed.
class RunningServer {
 public:
  RunningServer(Handler handler, HttpLimits limits) : server_(std::move(handler), limits) {
    std::promise<unsigned short> listening;
    auto port = listening.get_future();
    thread_ = std::thread([this, listening = std::move(listening)]() mutable {
      bool told = false;
      failure_ = server_.Run("127.0.0.1:0", [&](const asio::ip::tcp::endpoint& endpoint) {
        told = true;
        listening.set_value(endpoint.port());
      });
      if (!told) listening.set_value(0);
    });
    if (port.wait_for(20s) == std::future_status::ready) port_ = port.get();
  }
  ~RunningServer() { Stop(); }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  /// Stops the server and waits for Run() to return.
  void Stop() {
    server_.Stop();
    if (thread_.joinable()) thread_.join();
  }

  unsigned short port() const { return port_; }
  std::size_t open() const { return server_.open_connections(); }

 private:
  HttpServer server_;
  std::thread thread_;
  std::optional<Failure> failure_;
  unsigned short port_ = 0;
};

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
};

// A raw TCP client: what it sends is exactly what the server reads, and every
// read has a deadline, so a misbehaving server fails a test instead of hanging it.
class Client {
 public:
  explicit Client(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      error_ = errno;
      return;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      error_ = errno;
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Client() { Close(); }
  Client(Client&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), error_(other.error_), pending_(other.pending_) {}
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  int error() const { return error_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// The next response, or nothing when the connection closed or `timeout` passed.
  std::optional<Reply> Read(std::chrono::milliseconds timeout = 20s) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      if (auto reply = TakeReply()) return reply;
      if (!Receive(deadline)) return std::nullopt;
    }
  }

  /// What arrived until the server closed the connection (EOF or reset), or
  /// nothing when it was still open after `timeout`.
  std::optional<std::string> ReadUntilClosed(std::chrono::milliseconds timeout = 20s) {
    const auto deadline = Clock::now() + timeout;
    while (Receive(deadline)) {
    }
    if (!closed_) return std::nullopt;
    return std::exchange(pending_, {});
  }

  /// True when nothing (data, EOF or reset) is waiting on the socket.
  bool Quiet() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
  }

 private:
  // Reads once; false on close or deadline.
  bool Receive(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    pending_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  // Cuts one whole response (the server always sends Content-Length) off pending_.
  std::optional<Reply> TakeReply() {
    const std::size_t end = pending_.find("\r\n\r\n");
    if (end == std::string::npos || pending_.size() < 12) return std::nullopt;
    Reply reply;
    reply.head = pending_.substr(0, end + 2);
    reply.status = std::atoi(pending_.substr(9, 3).c_str());
    std::string lower = reply.head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::size_t at = lower.find("\r\ncontent-length:");
    const std::size_t length =
        at == std::string::npos ? 0 : std::strtoul(lower.c_str() + at + 17, nullptr, 10);
    if (pending_.size() < end + 4 + length) return std::nullopt;
    reply.body = pending_.substr(end + 4, length);
    pending_.erase(0, end + 4 + length);
    return reply;
  }

  int fd_ = -1;
  int error_ = 0;
  bool closed_ = false;
  std::string pending_;
};

std::string Get(std::string_view target, std::string_view extra = {}) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra) +
         "\r\n";
}

int ThreadsOfThisProcess() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return -1;
}

// Answers later from a thread of its own, as a long poll does.
class Delayer {
 public:
  Delayer() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~Delayer() {
    work_.reset();
    thread_.join();
  }
  void After(std::chrono::milliseconds delay, std::function<void()> action) {
    auto timer = std::make_shared<asio::steady_timer>(io_, delay);
    timer->async_wait(
        [timer, action = std::move(action)](const boost::system::error_code&) { action(); });
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

// Keeps each Respond for the test to call (or drop) when it likes.
struct HeldResponds {
  std::mutex mutex;
  std::vector<Respond> held;
  Handler handler() {
    return [this](HttpRequest&&, const ClientInfo&, Respond respond) {
      std::lock_guard lock(mutex);
      held.push_back(std::move(respond));
    };
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return held.size();
  }
};

constexpr int kSlowClients = 300;
constexpr const char* kHalfHead = "GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

TEST(SlowClients, HeldHalfRequestsDoNotStopAFreshRequest) {
  HttpLimits limits;
  limits.header_timeout = 120s;  // the slow ones stay for the whole test
  RunningServer server(Echo, limits);
  ASSERT_NE(server.port(), 0);
  const int threads_before = ThreadsOfThisProcess();

  std::vector<Client> slow;
  for (int i = 0; i < kSlowClients; ++i) {
    slow.emplace_back(server.port());
    ASSERT_TRUE(slow.back().connected())
        << "client " << i << ": " << std::strerror(slow.back().error());
    ASSERT_TRUE(slow.back().Send(kHalfHead));
  }
  ASSERT_TRUE(WaitUntil([&] { return server.open() == kSlowClients; }));

  Client fresh(server.port());
  ASSERT_TRUE(fresh.Send(Get("/fresh")));
  const auto reply = fresh.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hello /fresh");

  // Held, not dropped, and no thread per connection.
  EXPECT_GE(server.open(), static_cast<std::size_t>(kSlowClients));
  for (const Client& c : slow) EXPECT_TRUE(c.Quiet());
  EXPECT_LT(ThreadsOfThisProcess(), threads_before + 10);
}

TEST(SlowClients, ClosedAfterTheHeaderTimeout) {
  HttpLimits limits;
  limits.header_timeout = 1s;
  RunningServer server(Echo, limits);
  ASSERT_NE(server.port(), 0);

  const auto start = Clock::now();
  std::vector<Client> slow;
  for (int i = 0; i < kSlowClients; ++i) {
    slow.emplace_back(server.port());
    ASSERT_TRUE(slow.back().connected());
    ASSERT_TRUE(slow.back().Send(kHalfHead));
  }
  for (Client& c : slow) ASSERT_TRUE(c.ReadUntilClosed(30s)) << "a slow client was never closed";
  // The timer starts when the server accepts, after `start`.
  EXPECT_GE(Clock::now() - start, 1s);
  EXPECT_TRUE(WaitUntil([&] { return server.open() == 0; }));

  Client fresh(server.port());
  ASSERT_TRUE(fresh.Send(Get("/after")));
  const auto reply = fresh.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "hello /after");
}

TEST(Timeouts, IdleKeepAliveConnectionCloses) {
  HttpLimits limits;
  limits.idle_timeout = 1s;
  RunningServer server(Echo, limits);
  Client client(server.port());
  // Two requests on one connection, the second two pipelined: keep-alive works.
  ASSERT_TRUE(client.Send(Get("/one")));
  auto reply = client.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "hello /one");
  // The idle timer starts once the last response is written, after this.
  const auto idle_since = Clock::now();
  ASSERT_TRUE(client.Send(Get("/two") + Get("/three")));
  reply = client.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "hello /two");
  reply = client.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "hello /three");

  const auto rest = client.ReadUntilClosed(30s);
  ASSERT_TRUE(rest) << "the idle connection stayed open";
  EXPECT_EQ(*rest, "");
  EXPECT_GE(Clock::now() - idle_since, 1s);
  EXPECT_TRUE(WaitUntil([&] { return server.open() == 0; }));
}

TEST(Timeouts, LongPollOutlivesTheHeaderTimeout) {
  HttpLimits limits;
  limits.header_timeout = 1s;
  limits.idle_timeout = 1s;
  Delayer delayer;
  RunningServer server(
      [&](HttpRequest&&, const ClientInfo&, Respond respond) {
        delayer.After(3s, [respond] { respond(Text(http::status::ok, "late news")); });
      },
      limits);
  Client client(server.port());
  const auto start = Clock::now();
  ASSERT_TRUE(client.Send(Get("/poll")));
  const auto reply = client.Read(30s);
  ASSERT_TRUE(reply) << "the long poll was cut off";
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "late news");
  EXPECT_GE(Clock::now() - start, 3s);
}

TEST(Timeouts, ClientLeavingALongPollClosesItsConnection) {
  HeldResponds responds;
  RunningServer server(responds.handler(), HttpLimits{});
  {
    Client client(server.port());
    ASSERT_TRUE(client.Send(Get("/poll")));
    ASSERT_TRUE(WaitUntil([&] { return responds.size() == 1; }));
    EXPECT_EQ(server.open(), 1u);
  }
  ASSERT_TRUE(WaitUntil([&] { return server.open() == 0; })) << "pending connection leaked";
  // The answer for a connection that is gone is dropped.
  responds.held[0](Text(http::status::ok, "nobody listens"));

  // A second call of one Respond is ignored; the first one counts.
  Client again(server.port());
  ASSERT_TRUE(again.Send(Get("/poll")));
  ASSERT_TRUE(WaitUntil([&] { return responds.size() == 2; }));
  responds.held[1](Text(http::status::ok, "first"));
  responds.held[1](Text(http::status::ok, "second"));
  const auto reply = again.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "first");
}

TEST(Lifetime, RespondAfterStopIsIgnored) {
  HeldResponds responds;
  {
    RunningServer server(responds.handler(), HttpLimits{});
    Client client(server.port());
    ASSERT_TRUE(client.Send(Get("/poll")));
    ASSERT_TRUE(WaitUntil([&] { return responds.size() == 1; }));
    server.Stop();  // Run() returns with a response still pending
    EXPECT_TRUE(client.ReadUntilClosed(20s));
  }
  // The server object is gone; its Respond still works, and does nothing.
  responds.held[0](Text(http::status::ok, "too late"));
  responds.held.clear();
}

TEST(Lifetime, ThrowingOrForgettingHandlerAnswers500) {
  RunningServer server(
      [](HttpRequest&& request, const ClientInfo&, Respond) {
        if (request.target() == "/throw") throw std::runtime_error("boom");
        // "/forget": the Respond is dropped without a call.
      },
      HttpLimits{});
  for (const char* target : {"/throw", "/forget"}) {
    Client client(server.port());
    ASSERT_TRUE(client.Send(Get(target)));
    const auto reply = client.Read();
    ASSERT_TRUE(reply) << target;
    EXPECT_EQ(reply->status, 500) << target;
  }
}

// Under a low open-files limit the accept loop fails with EMFILE, logs, backs
// off and, once descriptors are free again, accepts. Runs in a child process
// so the limit and the exhaustion stay there.
TEST(Recovery, AcceptsAgainAfterRunningOutOfFileDescriptors) {
#ifdef __SANITIZE_ADDRESS__
  // UBSan's vptr check opens a pipe to test memory the first time it meets a
  // type; with no descriptor left it reports a false "invalid vptr" and aborts.
  GTEST_SKIP() << "needs a build without sanitizers (UBSan needs free descriptors)";
#endif
  char log_path[] = "/tmp/vsso-http-emfile-XXXXXX";
  const int log_fd = ::mkstemp(log_path);
  ASSERT_GE(log_fd, 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child writes its reasons to the log (its stderr) and exits with a code.
    ::dup2(log_fd, STDERR_FILENO);
    auto fail = [](const char* why) {
      std::fprintf(stderr, "child: %s\n", why);
      std::fflush(stderr);
      ::_exit(10);
    };
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = 64;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) fail("setrlimit failed");
    HttpLimits limits;
    limits.header_timeout = 60s;
    {
      RunningServer server(Echo, limits);
      if (server.port() == 0) fail("server did not listen");
      {
        Client warm(server.port());
        if (!warm.Send(Get("/warm")) || !warm.Read()) fail("no answer before the exhaustion");
      }
      std::vector<Client> clients;
      for (int i = 0; i < 200; ++i) {
        Client c(server.port());
        if (!c.connected()) {
          if (c.error() != EMFILE) fail("connect failed other than with EMFILE");
          break;
        }
        clients.push_back(std::move(c));
      }
      if (clients.size() >= 200) fail("never ran out of file descriptors");
      // The server's stderr is this file: wait for its accept loop to hit EMFILE.
      auto logged = [&] {
        char text[4096] = {};
        const ssize_t n = ::pread(STDERR_FILENO, text, sizeof text - 1, 0);
        return n > 0 && std::string(text).find("Too many open files") != std::string::npos;
      };
      if (!WaitUntil(logged, 20s)) fail("accept never failed with EMFILE");
      clients.clear();
      Client fresh(server.port());
      if (!fresh.connected()) fail("could not connect after freeing descriptors");
      if (!fresh.Send(Get("/recovered"))) fail("send failed");
      const auto reply = fresh.Read(30s);
      if (!reply || reply->body != "hello /recovered") fail("no answer after recovery");
    }
    ::_exit(0);
  }
  int status = 0;
  const bool exited = WaitUntil([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, 120s);
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  std::string log(4096, '\0');
  log.resize(
      static_cast<std::size_t>(std::max<ssize_t>(0, ::pread(log_fd, log.data(), log.size(), 0))));
  ::close(log_fd);
  ::unlink(log_path);
  ASSERT_TRUE(exited) << log;
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 0) << log;
  EXPECT_NE(log.find("cannot accept a connection: Too many open files"), std::string::npos) << log;
  EXPECT_NE(log.find("[host.accept]"), std::string::npos) << log;
}

TEST(Limits, ConnectionCapClosesTheExtraConnectionAndRecovers) {
  HttpLimits limits;
  limits.max_connections = 5;
  limits.header_timeout = 120s;
  RunningServer server(Echo, limits);
  std::vector<Client> held;
  for (int i = 0; i < 5; ++i) held.emplace_back(server.port());
  ASSERT_TRUE(WaitUntil([&] { return server.open() == 5; }));

  Client extra(server.port());
  const auto refused = extra.ReadUntilClosed(20s);
  ASSERT_TRUE(refused) << "the connection over the cap stayed open";
  EXPECT_EQ(refused->rfind("HTTP/1.1 503 ", 0), 0u) << *refused;
  EXPECT_EQ(server.open(), 5u);
  for (Client& c : held) EXPECT_TRUE(c.Quiet());

  held[0].Close();
  held[1].Close();
  ASSERT_TRUE(WaitUntil([&] { return server.open() == 3; }));
  Client fresh(server.port());
  ASSERT_TRUE(fresh.Send(Get("/room")));
  const auto reply = fresh.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "hello /room");
}

TEST(Limits, OversizeBodyGets413AndOversizeHeadGets431) {
  HttpLimits limits;
  limits.max_body_bytes = 1024;
  std::atomic<int> handled{0};
  RunningServer server(
      [&](HttpRequest&& request, const ClientInfo& client, Respond respond) {
        ++handled;
        Echo(std::move(request), client, respond);
      },
      limits);

  Client body(server.port());
  ASSERT_TRUE(body.Send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n" +
                        std::string(5000, 'a')));
  auto reply = body.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
  EXPECT_TRUE(body.ReadUntilClosed(20s));

  Client head(server.port());
  ASSERT_TRUE(head.Send(Get("/big", "X-Big: " + std::string(40 * 1024, 'b') + "\r\n")));
  reply = head.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 431);
  EXPECT_TRUE(head.ReadUntilClosed(20s));

  // Just under the limit is fine.
  Client fits(server.port());
  ASSERT_TRUE(fits.Send("POST /fits HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1024\r\n\r\n" +
                        std::string(1024, 'a')));
  reply = fits.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(handled, 1);
}

TEST(Hygiene, GarbageGets400AndCloses) {
  std::atomic<int> handled{0};
  RunningServer server(
      [&](HttpRequest&&, const ClientInfo&, Respond respond) {
        ++handled;
        respond(Text(http::status::ok, "?"));
      },
      HttpLimits{});
  Client client(server.port());
  ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
  const auto reply = client.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_TRUE(client.ReadUntilClosed(20s));
  EXPECT_EQ(handled, 0);
}

TEST(Hygiene, HeaderWithControlCharacterBecomes500AndIsNeverSent) {
  RunningServer server(
      [](HttpRequest&& request, const ClientInfo&, Respond respond) {
        HttpResponse response = Text(http::status::ok, "fine");
        if (request.target() == "/crlf") response.set("X-Evil", "a\r\nSet-Cookie: injected=1");
        if (request.target() == "/nul") response.set("X-Nul", std::string("a\0b", 3));
        if (request.target() == "/lf") response.set("X-Lf", "a\ninjected: 1");
        respond(std::move(response));
      },
      HttpLimits{});
  for (const std::string name : {"X-Evil", "X-Nul", "X-Lf"}) {
    const std::string target = name == "X-Evil" ? "/crlf" : name == "X-Nul" ? "/nul" : "/lf";
    testing::internal::CaptureStderr();
    Client client(server.port());
    ASSERT_TRUE(client.Send(Get(target)));
    const auto reply = client.Read();
    // The log line comes from an io thread, before the response is written.
    const std::string log = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(reply) << target;
    EXPECT_EQ(reply->status, 500) << target;
    EXPECT_EQ(reply->body, "internal error: a header value contained a control character\n");
    EXPECT_EQ(reply->head.find("injected"), std::string::npos) << reply->head;
    EXPECT_EQ(reply->head.find(name), std::string::npos) << reply->head;
    EXPECT_NE(log.find("header " + name + " contains CR, LF or NUL"), std::string::npos) << log;
    EXPECT_EQ(log.find("injected"), std::string::npos) << log;
    // The log is rate-limited to a line a second: let the next case log too.
    std::this_thread::sleep_for(1100ms);
  }
}

TEST(Hygiene, KeepAliveFollowsTheRequestAndLengthIsSet) {
  RunningServer server(Echo, HttpLimits{});
  Client close(server.port());
  ASSERT_TRUE(close.Send(Get("/bye", "Connection: close\r\n")));
  auto reply = close.Read();
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->head.find("Connection: close"), std::string::npos) << reply->head;
  EXPECT_NE(reply->head.find("Content-Length: 10"), std::string::npos) << reply->head;
  EXPECT_TRUE(close.ReadUntilClosed(20s));

  Client old(server.port());
  ASSERT_TRUE(old.Send("GET /old HTTP/1.0\r\n\r\n"));
  reply = old.Read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->head.rfind("HTTP/1.0 200", 0), 0u) << reply->head;
  EXPECT_TRUE(old.ReadUntilClosed(20s));
}

TEST(Lifetime, RunReportsWhyItCannotListen) {
  HttpServer bad_address(Echo, HttpLimits{});
  auto failure = bad_address.Run("localhost:80", nullptr);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->error.code, "host.usage");

  RunningServer taken(Echo, HttpLimits{});
  HttpServer second(Echo, HttpLimits{});
  failure = second.Run("127.0.0.1:" + std::to_string(taken.port()), nullptr);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->error.code, "host.listen");
  EXPECT_EQ(failure->exit_code, 1);
}

}  // namespace
}  // namespace sample_host
