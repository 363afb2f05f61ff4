// The sample host's HTTP/1.1 transport: sockets, timeouts and limits, and
// nothing about routes or chats. Boost.Beast's asynchronous model on a small
// io_context thread pool, one strand per connection, so a slow or idle client
// costs a socket and a few hundred bytes, never a thread.
//
// What it guarantees (issue 10 §4):
// - a request (head and body) must arrive within `header_timeout` of the
//   connection opening or of its first byte on a kept-alive connection; a
//   kept-alive connection with no new request closes after `idle_timeout`;
// - while the handler has not answered (long polls), no timer runs, but the
//   connection closes as soon as the client goes away (EOF or reset);
// - at most `max_connections` connections: beyond, a connection is accepted,
//   told 503 in one non-blocking write, and closed at once, so the kernel's
//   backlog keeps draining instead of filling with clients that hang;
// - accept errors (EMFILE, ENFILE, ENOBUFS, ECONNABORTED ...) are logged at
//   most once a second, and accepting resumes after a 100 ms back-off; only
//   Stop() ends the accept loop;
// - every response gets keep-alive from its request and a Content-Length
//   (prepare_payload); a response whose header name or value, or reason
//   phrase, holds CR, LF or NUL is never sent: a 500 goes out instead and
//   the header's name is logged (issue 10 §3: the one place that checks
//   headers, plugin headers included; RFC 9110 §5.5 forbids them);
// - a head over `max_header_bytes` gets 431 (RFC 6585 §5), a body over
//   `max_body_bytes` 413 (RFC 9110 §15.5.14), anything unparsable 400; each
//   then closes.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "report.hpp"

namespace sample_host {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

struct HttpLimits {
  /// The whole request head (and body) must arrive within this.
  std::chrono::seconds header_timeout{10};
  /// A keep-alive connection with no new request closes after this; it also
  /// bounds how long writing one response may take.
  std::chrono::seconds idle_timeout{30};
  /// Beyond this, a new connection gets 503 and is closed at once.
  std::size_t max_connections = 1024;
  /// A larger request body gets 413 and the connection closes.
  std::size_t max_body_bytes = 1 << 20;
  /// io_context threads, the calling thread of Run() included.
  unsigned threads = 2;
  /// A larger request head (request line and fields) gets 431 and closes.
  std::size_t max_header_bytes = 16 * 1024;
};

struct ClientInfo {
  std::string remote_address;
};

/// Sends the response of one request. Call it exactly once, from any thread,
/// now or later. Later calls are ignored; so are calls after the client went
/// away or the server stopped. Dropping every copy without calling it
/// answers 500, so a forgotten request never hangs its connection.
using Respond = std::function<void(HttpResponse)>;
/// Called on an io thread, one request at a time per connection. Must not
/// block: a long poll keeps `respond` and calls it later. The ClientInfo is
/// valid during the call only. An exception becomes a 500.
using Handler = std::function<void(HttpRequest&&, const ClientInfo&, Respond)>;

class HttpServer {
 public:
  HttpServer(Handler handler, HttpLimits limits);
  /// Stops; call it only once Run() has returned (or was never called).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds `listen` ("HOST:PORT", numeric IP, port 0 = any free port), calls
  /// `on_listening` with the bound endpoint once it accepts, then serves on
  /// `limits.threads` threads until Stop() or SIGINT/SIGTERM. Each SIGHUP
  /// runs `on_hangup` (if given) on one of those threads, the way daemons
  /// re-read their configuration. Returns when every connection is closed; a
  /// failure (host.usage, host.listen) when it cannot listen. Call it once
  /// per server.
  std::optional<Failure> Run(
      const std::string& listen,
      std::function<void(const boost::asio::ip::tcp::endpoint&)> on_listening,
      std::function<void()> on_hangup = {});

  /// Stops accepting and closes every connection; Run() then returns.
  /// Thread-safe, idempotent, and safe before Run().
  void Stop();

  /// Connections accepted and not yet closed (for tests and diagnostics).
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sample_host
