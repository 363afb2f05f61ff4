#include "http_server.hpp"

#include <atomic>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "exit_codes.hpp"

namespace sample_host {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// How long the accept loop waits after an error (EMFILE and friends) before
// it tries again: long enough not to spin, short enough to recover at once.
constexpr auto kAcceptBackoff = 100ms;
// After a response that closes the connection the server shuts down its
// sending side and reads what the client still sends for up to this long
// before it closes: closing with unread data makes the kernel send a reset
// that can destroy the response on its way (RFC 9112 §9.6, "lingering close").
constexpr auto kLingerTime = 1s;
constexpr std::size_t kLingerBytes = 1 << 20;
// Reads outside the parser (waiting for the first byte of the next request,
// watching a connection while its response is pending) take this much.
constexpr std::size_t kReadChunk = 4096;

/// One stderr line per second at most, with a count of the lines held back,
/// so a storm of accept errors cannot flood the log.
class RateLimitedLog {
 public:
  void Write(const std::string& line) {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (written_ && now - last_ < 1s) {
      ++held_back_;
      return;
    }
    std::cerr << "sample-host: " << line;
    if (held_back_ > 0) std::cerr << " (" << held_back_ << " more since the last such line)";
    std::cerr << std::endl;
    written_ = true;
    last_ = now;
    held_back_ = 0;
  }

 private:
  std::mutex mutex_;
  bool written_ = false;
  std::chrono::steady_clock::time_point last_;
  std::size_t held_back_ = 0;
};

bool HasControlCharacter(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// A header name fit for one log line even when the name itself is the culprit.
std::string Printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

/// The name of the first header (or the reason phrase) that must not be sent.
std::optional<std::string> ForbiddenHeader(const HttpResponse& response) {
  for (const auto& field : response) {
    if (HasControlCharacter(field.name_string()) || HasControlCharacter(field.value())) {
      return Printable(field.name_string());
    }
  }
  if (HasControlCharacter(response.reason())) return std::string("(reason phrase)");
  return std::nullopt;
}

HttpResponse TextResponse(http::status status, std::string text) {
  HttpResponse response(status, 11);
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::move(text);
  return response;
}

bool IsHttpParseError(const beast::error_code& ec) {
  return &ec.category() == &beast::error_code(http::error::bad_method).category();
}

}  // namespace

struct HttpServer::Impl {
  class Session;
  struct PendingResponse;

  Impl(Handler h, HttpLimits l) : handler(std::move(h)), limits(l) {}

  void Accept();
  void OnAccept(const beast::error_code& ec, tcp::socket socket);
  void Refuse(tcp::socket socket);
  bool Register(const std::shared_ptr<Session>& session);
  void Forget(Session* session);
  void Stop();
  /// Waits for the next signal: SIGHUP runs on_hangup, the others Stop().
  void WaitForSignal();

  const Handler handler;
  const HttpLimits limits;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  RateLimitedLog accept_log;
  RateLimitedLog cap_log;
  RateLimitedLog response_log;
  // Every live connection, so Stop() can close them. Declared before `io`:
  // destroying `io` destroys the handlers that keep sessions alive, and a
  // session leaves this map in its destructor.
  std::mutex mutex;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  // Keeps the Impl (and so `io`) alive for late Respond calls.
  std::weak_ptr<Impl> self;

  asio::io_context io;
  // The acceptor, its back-off timer and the signal set live on one strand.
  asio::strand<asio::io_context::executor_type> accept_strand{asio::make_strand(io)};
  tcp::acceptor acceptor{accept_strand};
  asio::steady_timer backoff{accept_strand};
  std::optional<asio::signal_set> signals;
  std::function<void()> on_hangup;
};

// One connection. Every member is touched only on the connection's strand
// (the executor of its stream).
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, tcp::socket socket, std::string remote_address)
      : server_(server), stream_(std::move(socket)) {
    client_.remote_address = std::move(remote_address);
  }
  ~Session() { server_.Forget(this); }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
  }

  /// From any thread.
  void CloseSoon() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

  /// From any thread: the handler's answer to request number `seq`.
  void PostResponse(std::uint64_t seq, HttpResponse response) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), seq, response = std::move(response)]() mutable {
                 self->OnResponse(seq, std::move(response));
               });
  }

 private:
  // Between requests of a kept-alive connection: the idle timeout runs until
  // the first byte of the next request, then the header timeout.
  void WaitForRequest() {
    if (closed_) return;
    if (buffer_.size() > 0) return ReadRequest();  // pipelined request already here
    stream_.expires_after(server_.limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              if (ec || self->closed_) return self->Close();
                              self->ReadRequest();
                            });
  }

  void ReadRequest() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits.max_header_bytes));
    parser_->body_limit(server_.limits.max_body_bytes);
    stream_.expires_after(server_.limits.header_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRequest(ec); });
  }

  void OnRequest(const beast::error_code& ec);

  void Watch() {
    watching_ = true;
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->OnWatch(ec, n); });
  }

  void OnWatch(const beast::error_code& ec, std::size_t n) {
    watching_ = false;
    buffer_.commit(n);
    if (closed_) return;
    if (ec && ec != asio::error::operation_aborted) {
      // The client went away (EOF or reset). A pending answer is dropped; a
      // response being written may still finish, then the connection closes.
      keep_alive_ = false;
      if (awaiting_ || !writing_) Close();
      return;
    }
    if (awaiting_) {
      // A client that pipelines more than a whole request ahead is abusing us.
      if (buffer_.size() > server_.limits.max_header_bytes + server_.limits.max_body_bytes) {
        return Close();
      }
      return Watch();
    }
    if (read_after_watch_) {
      read_after_watch_ = false;
      NextRead();
    }
  }

  void OnResponse(std::uint64_t seq, HttpResponse response) {
    if (closed_ || !awaiting_ || seq != seq_) return;
    awaiting_ = false;
    if (watching_) {
      beast::error_code ignored;
      stream_.socket().cancel(ignored);  // OnWatch then carries on after the write
    }
    Send(std::move(response));
  }

  // 400, 413, 431: answered by the transport, then the connection closes.
  void Refuse(http::status status, std::string text) {
    version_ = 11;
    keep_alive_ = false;
    head_ = false;
    Send(TextResponse(status, std::move(text)));
  }

  void Send(HttpResponse response) {
    if (const auto name = ForbiddenHeader(response)) {
      server_.response_log.Write("refused to send a response: header " + *name +
                                 " contains CR, LF or NUL; sent 500 instead [host.bad_header]");
      response = TextResponse(http::status::internal_server_error,
                              "internal error: a header value contained a control character\n");
    }
    response.version(version_);
    keep_alive_ = keep_alive_ && response.keep_alive() && !server_.stopping;
    response.keep_alive(keep_alive_);
    response.prepare_payload();
    if (head_) response.body().clear();  // Content-Length stays that of GET
    out_ = std::move(response);
    writing_ = true;
    // A watch read may still be pending: this sets the write timer only.
    stream_.expires_after(server_.limits.idle_timeout);
    http::async_write(
        stream_, *out_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnWrite(ec); });
  }

  void OnWrite(const beast::error_code& ec) {
    writing_ = false;
    out_.reset();
    if (closed_) return;
    if (ec) return Close();
    if (!keep_alive_) {
      lingering_ = true;
      linger_deadline_ = std::chrono::steady_clock::now() + kLingerTime;
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    // One read at a time: a cancelled watch read must complete first.
    if (watching_) {
      read_after_watch_ = true;
      return;
    }
    NextRead();
  }

  void NextRead() { lingering_ ? Drain() : WaitForRequest(); }

  void Drain() {
    if (closed_) return;
    stream_.expires_at(linger_deadline_);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerBytes) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    awaiting_ = false;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<HttpResponse> out_;
  ClientInfo client_;
  std::uint64_t seq_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool awaiting_ = false;  // the handler has not answered yet
  bool watching_ = false;  // a watch read is pending
  bool writing_ = false;
  bool read_after_watch_ = false;
  bool lingering_ = false;
  bool closed_ = false;
  std::chrono::steady_clock::time_point linger_deadline_;
  std::size_t drained_ = 0;
};

// Shared by the copies of one Respond. It holds the server's Impl, so the
// io_context a late call posts to outlives every Respond, and only a weak
// reference to the connection, which may be gone.
struct HttpServer::Impl::PendingResponse {
  PendingResponse(std::shared_ptr<Impl> s, std::weak_ptr<Session> c, std::uint64_t n)
      : server(std::move(s)), session(std::move(c)), seq(n) {}
  PendingResponse(const PendingResponse&) = delete;
  PendingResponse& operator=(const PendingResponse&) = delete;

  ~PendingResponse() {
    if (done) return;
    server->response_log.Write(
        "a request handler dropped a request without a response; sent 500 [host.internal]");
    Deliver(TextResponse(http::status::internal_server_error,
                         "internal error: the request got no response\n"));
  }

  void Deliver(HttpResponse response) {
    if (done.exchange(true)) return;
    if (server->stopping) return;
    if (const auto connection = session.lock()) connection->PostResponse(seq, std::move(response));
  }

  const std::shared_ptr<Impl> server;
  const std::weak_ptr<Session> session;
  const std::uint64_t seq;
  std::atomic<bool> done{false};
};

void HttpServer::Impl::Session::OnRequest(const beast::error_code& ec) {
  if (closed_) return;
  if (ec == http::error::body_limit) {
    return Refuse(http::status::payload_too_large, "request body too large\n");
  }
  if (ec == http::error::header_limit) {
    return Refuse(http::status::request_header_fields_too_large, "request head too large\n");
  }
  // end_of_stream and partial_message are the client leaving, not bad HTTP.
  if (IsHttpParseError(ec) && ec != http::error::end_of_stream &&
      ec != http::error::partial_message) {
    return Refuse(http::status::bad_request, "malformed HTTP request\n");
  }
  if (ec) return Close();  // timeout, end of stream, reset

  HttpRequest request = parser_->release();
  parser_.reset();
  version_ = request.version();
  keep_alive_ = request.keep_alive();
  head_ = request.method() == http::verb::head;
  awaiting_ = true;
  const std::uint64_t seq = ++seq_;
  // No timer while the handler decides (a long poll may take 25 s), but a
  // read stays posted so a client that leaves closes the connection.
  stream_.expires_never();
  Watch();

  auto pending = std::make_shared<PendingResponse>(server_.self.lock(), weak_from_this(), seq);
  try {
    server_.handler(std::move(request), client_,
                    [pending](HttpResponse response) { pending->Deliver(std::move(response)); });
  } catch (const std::exception& e) {
    server_.response_log.Write(std::string("request handler failed: ") + e.what() +
                               " [host.internal]");
    pending->Deliver(
        TextResponse(http::status::internal_server_error, "internal error: handler failed\n"));
  }
}

void HttpServer::Impl::Accept() {
  if (stopping) return;
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(const beast::error_code& ec, tcp::socket socket) {
  if (stopping || !acceptor.is_open()) return;
  if (ec) {
    // EMFILE, ENFILE, ENOBUFS, ECONNABORTED ...: all pass. Never give up.
    accept_log.Write("cannot accept a connection: " + ec.message() + "; retrying every " +
                     std::to_string(kAcceptBackoff.count()) + " ms [host.accept]");
    backoff.expires_after(kAcceptBackoff);
    backoff.async_wait([this](const beast::error_code& wait_error) {
      if (!wait_error) Accept();
    });
    return;
  }
  if (connections >= limits.max_connections) {
    Refuse(std::move(socket));
  } else {
    beast::error_code remote_error;
    const auto remote = socket.remote_endpoint(remote_error);
    auto session = std::make_shared<Session>(
        *this, std::move(socket), remote_error ? std::string() : remote.address().to_string());
    if (Register(session)) session->Start();
  }
  Accept();
}

// At the cap the connection is accepted and closed rather than left in the
// backlog: the client learns at once, and the backlog keeps room for the
// moment connections free up.
void HttpServer::Impl::Refuse(tcp::socket socket) {
  cap_log.Write("refused a connection: " + std::to_string(limits.max_connections) +
                " connections are open (the cap) [host.connection_cap]");
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Length: 17\r\nConnection: close\r\n\r\nserver too busy\r\n";
  beast::error_code ignored;
  // Best effort and never blocking: a fresh socket's send buffer is empty.
  socket.non_blocking(true, ignored);
  socket.write_some(asio::buffer(kBusy), ignored);
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

bool HttpServer::Impl::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex);
  if (stopping) return false;
  sessions.emplace(session.get(), session);
  ++connections;
  return true;
}

void HttpServer::Impl::Forget(Session* session) {
  std::lock_guard lock(mutex);
  if (sessions.erase(session) > 0) --connections;
}

void HttpServer::Impl::Stop() {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(mutex);
    if (stopping.exchange(true)) return;
    for (const auto& [raw, weak] : sessions) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  asio::post(accept_strand, [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    backoff.cancel();
    if (signals) signals->cancel(ignored);
  });
  for (const auto& session : open) session->CloseSoon();
}

void HttpServer::Impl::WaitForSignal() {
  signals->async_wait([this](const beast::error_code& error, int number) {
    if (error) return;
    if (number == SIGHUP && on_hangup) {
      // Off the accept strand: a reload may take a while, accepting must not.
      asio::post(io, on_hangup);
      WaitForSignal();
      return;
    }
    Stop();
  });
}

HttpServer::HttpServer(Handler handler, HttpLimits limits)
    : impl_(std::make_shared<Impl>(std::move(handler), limits)) {
  impl_->self = impl_;
}

HttpServer::~HttpServer() { impl_->Stop(); }

void HttpServer::Stop() { impl_->Stop(); }

std::size_t HttpServer::open_connections() const { return impl_->connections; }

std::optional<Failure> HttpServer::Run(
    const std::string& listen,
    std::function<void(const boost::asio::ip::tcp::endpoint&)> on_listening,
    std::function<void()> on_hangup) {
  const std::size_t colon = listen.rfind(':');
  beast::error_code ec;
  asio::ip::address address;
  unsigned long port = 0;
  if (colon != std::string::npos) {
    address = asio::ip::make_address(listen.substr(0, colon), ec);
    try {
      port = std::stoul(listen.substr(colon + 1));
    } catch (const std::exception&) {
      port = 70000;
    }
  }
  if (colon == std::string::npos || ec || port > 65535) {
    return UsageFailure("--listen needs HOST:PORT with a numeric IP address, got \"" + listen +
                        "\"");
  }
  Impl& impl = *impl_;
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  tcp::endpoint bound;
  if (!ec) bound = impl.acceptor.local_endpoint(ec);
  if (ec) {
    return Failure{
        kExitInternal, "cannot listen",
        visitor_sso::sdk::MakeError("host.listen", "on " + listen + ": " + ec.message())};
  }
  impl.signals.emplace(impl.accept_strand, SIGINT, SIGTERM);
  impl.on_hangup = std::move(on_hangup);
  if (impl.on_hangup) impl.signals->add(SIGHUP);
  impl.WaitForSignal();
  if (on_listening) on_listening(bound);
  // A Stop() before this point posted its closing work to `io`; it runs now.
  asio::post(impl.accept_strand, [&impl] { impl.Accept(); });
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < impl.limits.threads; ++i)
    threads.emplace_back([&impl] { impl.io.run(); });
  impl.io.run();
  for (auto& thread : threads) thread.join();
  // Gives SIGINT, SIGTERM (and SIGHUP) back to their default actions.
  impl.signals.reset();
  return std::nullopt;
}

}  // namespace sample_host
