// visitor_sso_acs_load: the load test of issue 15 ("What to build" 4). A
// loopback client that drives the real `sample-host serve` with the real
// plugin .so over a test deployment (a real SQLite file):
//   1. N sign-ins are started the way a browser starts them, each with its
//      own cookie jar: GET /chat (the host's visitor cookie), then
//      GET /sso/login (the plugin's browser cookie, a 302 to the IdP whose
//      query carries the RelayState and the AuthnRequest with its ID);
//   2. the test IdP signs one response per request ID (5.7 KB, the bench's
//      typical shape);
//   3. C keep-alive connections post them to /sso/acs at once; R of the
//      responses are also posted K times in all, from K different
//      connections at the same moment (replays: the copies sit at the same
//      position of K connections' queues);
//   4. a single-thread consume loop (hooks::ConsumeResponse on a fresh
//      deployment, in this process) measures the rate the HTTP throughput is
//      compared with, in the same run.
// Checks (exit status 1 when one fails): no errors (every post answered,
// 303 for an acceptance; a replay copy refused with sso.acs.unknown_relay_state
// or saml.replay.detected and counted apart), exactly one acceptance per
// assertion ID as the client saw it, and in the plugin's own store after the
// server stopped: one sign_in_accepted audit row per assertion ID, N sessions.
// Timings are printed, never checked (ctest bench.load_smoke checks counts).
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "../bench_support.hpp"
#include "common/encoding.hpp"
#include "common/url.hpp"
#include "hooks/http_endpoints.hpp"
#include "hooks/runtime.hpp"
#include "hooks/sign_in_service.hpp"
#include "saml/authn_request.hpp"
#include "saml/response_validator.hpp"
#include "store/database.hpp"
#include "support/deployment.hpp"
#include "support/serve_process.hpp"
#include "support/test_idp.hpp"

namespace vsso::load {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

constexpr const char* kServeNow = "2027-01-15T08:00:00Z";  // testing::kTestNow

struct Options {
  int sign_ins = 2000;
  int connections = 8;
  int replayed = -1;  ///< sign-ins whose response is posted `copies` times; -1: sign_ins / 10
  int copies = 3;
  int consume = 1000;  ///< responses of the single-thread consume loop
  std::string sample_host = VSSO_SAMPLE_HOST;
  std::string plugin = VSSO_PLUGIN;
};

[[noreturn]] void Usage(const std::string& what) {
  std::cerr << "visitor_sso_acs_load: " << what
            << "\nusage: visitor_sso_acs_load [--sign-ins=N] [--connections=C] [--replayed=R] "
               "[--copies=K] [--consume=M] [--sample-host=PATH] [--plugin=PATH]\n";
  std::exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    if (eq == std::string::npos) Usage("unknown argument " + arg);
    const std::string name = arg.substr(0, eq);
    const std::string value = arg.substr(eq + 1);
    auto number = [&](int min) {
      const int n = std::atoi(value.c_str());
      if (n < min) Usage(name + " needs a number >= " + std::to_string(min));
      return n;
    };
    if (name == "--sign-ins") {
      o.sign_ins = number(1);
    } else if (name == "--connections") {
      o.connections = number(1);
    } else if (name == "--replayed") {
      o.replayed = number(0);
    } else if (name == "--copies") {
      o.copies = number(2);
    } else if (name == "--consume") {
      o.consume = number(1);
    } else if (name == "--sample-host") {
      o.sample_host = value;
    } else if (name == "--plugin") {
      o.plugin = value;
    } else {
      Usage("unknown argument " + arg);
    }
  }
  if (o.replayed < 0) o.replayed = o.sign_ins / 10;
  o.replayed = std::min(o.replayed, o.sign_ins);
  // The copies of one response go to different connections.
  if (o.replayed > 0 && o.copies > o.connections) Usage("--copies must be <= --connections");
  return o;
}

struct Reply {
  int status = 0;
  std::string location;
  std::string code;  ///< X-Visitor-SSO-Error
  std::vector<std::string> set_cookies;
  bool keep_alive = false;
};

// One HTTP/1.1 connection to the server, kept alive; reopened when the
// server closes it after a response.
class Connection {
 public:
  explicit Connection(unsigned short port) : port_(port), socket_(io_) {}

  Reply Send(http::verb method, const std::string& target, const std::string& cookies,
             const std::string& body = {}) {
    if (!socket_.is_open()) {
      socket_.connect({asio::ip::make_address("127.0.0.1"), port_});
      socket_.set_option(asio::ip::tcp::no_delay(true));
    }
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
    if (!cookies.empty()) request.set(http::field::cookie, cookies);
    if (method == http::verb::post) {
      request.set(http::field::content_type, "application/x-www-form-urlencoded");
    }
    request.body() = body;
    request.keep_alive(true);
    request.prepare_payload();
    http::write(socket_, request);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    http::read(socket_, buffer_, parser);
    const auto& response = parser.get();
    Reply reply;
    reply.status = static_cast<int>(response.result_int());
    reply.keep_alive = response.keep_alive();
    for (const auto& field : response) {
      if (field.name() == http::field::location) reply.location = field.value();
      if (field.name() == http::field::set_cookie) reply.set_cookies.emplace_back(field.value());
      if (beast::iequals(field.name_string(), "X-Visitor-SSO-Error")) reply.code = field.value();
    }
    if (!reply.keep_alive) Close();
    return reply;
  }

  void Close() {
    beast::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    buffer_.clear();
  }

 private:
  unsigned short port_;
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// A browser's cookies (name -> value); every request here goes to /sso/ or
// /chat, so Path attributes need no checking.
class CookieJar {
 public:
  void Keep(const Reply& reply) {
    for (const auto& c : reply.set_cookies) {
      const auto eq = c.find('=');
      const auto semi = c.find(';');
      if (eq == std::string::npos || eq > semi) continue;
      jar_[c.substr(0, eq)] = c.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
    }
  }
  std::string Header() const {
    std::string out;
    for (const auto& [name, value] : jar_) out += (out.empty() ? "" : "; ") + name + "=" + value;
    return out;
  }
  std::size_t size() const { return jar_.size(); }

 private:
  std::map<std::string, std::string> jar_;
};

std::string QueryValue(const std::string& url_text, const std::string& key) {
  const auto q = url_text.find('?');
  if (q == std::string::npos) return {};
  auto params = url::ParseQuery(url_text.substr(q + 1));
  if (!params) return {};
  for (const auto& [k, v] : *params) {
    if (k == key) return v;
  }
  return {};
}

struct SignIn {
  CookieJar jar;
  std::string cookies;  ///< the Cookie header of its ACS post
  std::string relay_state;
  std::string request_id;
  std::string assertion_id;
  std::string body;  ///< SAMLResponse=...&RelayState=...
};

// Step 1 for the sign-ins i = first, first + step, ...: their own
// connection, in parallel with the others (untimed preparation).
void StartSignIns(unsigned short port, std::vector<SignIn>& sign_ins, std::size_t first,
                  std::size_t step, std::string& failure) {
  try {
    Connection c(port);
    for (std::size_t i = first; i < sign_ins.size(); i += step) {
      SignIn& s = sign_ins[i];
      const Reply chat = c.Send(http::verb::get, "/chat", {});
      if (chat.status != 200) throw std::runtime_error("GET /chat: " + std::to_string(chat.status));
      s.jar.Keep(chat);
      const Reply login = c.Send(http::verb::get, "/sso/login?return=%2Fchat", s.jar.Header());
      if (login.status != 302) {
        throw std::runtime_error("GET /sso/login: " + std::to_string(login.status) + " " +
                                 login.code);
      }
      s.jar.Keep(login);
      s.cookies = s.jar.Header();
      s.relay_state = QueryValue(login.location, "RelayState");
      auto xml = saml::DecodeRedirectRequest(QueryValue(login.location, "SAMLRequest"));
      if (!xml || s.relay_state.empty()) {
        throw std::runtime_error("/sso/login redirect without RelayState or AuthnRequest: " +
                                 login.location);
      }
      const auto at = xml->find(" ID=\"");
      if (at == std::string::npos) throw std::runtime_error("AuthnRequest without an ID");
      s.request_id = xml->substr(at + 5, xml->find('"', at + 5) - at - 5);
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
}

// One post of the concurrent phase and what came of it.
struct Post {
  std::size_t sign_in = 0;
  bool replay_copy = false;  ///< one of `copies` posts of the same response
  int status = 0;
  std::string code;
  std::string error;  ///< transport failure
  std::int64_t latency_ns = 0;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

double Percentile(std::vector<std::int64_t> ns, double q) {
  if (ns.empty()) return 0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1));
  std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(k), ns.end());
  return static_cast<double>(ns[k]) / 1000.0;
}

std::int64_t Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

// Step 4: hooks::ConsumeResponse (parse, verify, every rule, the replay
// insert, the audit record, mapping) in one thread on a fresh deployment,
// as bench/consume_bench.cpp's store/typical_5k does. Responses per second.
double SingleThreadConsumeRate(int count) {
  testing::Deployment deployment;
  auto built = hooks::Runtime::Build(deployment.config().string(), testing::kTestNow);
  if (!built) throw std::runtime_error(built.error().code + ": " + built.error().message);
  const auto& rt = **built;
  std::vector<bench::SignedResponse> responses;
  responses.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    responses.push_back(bench::MakeResponse(bench::Shape::kTypical, testing::kRequestId));
  }
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    const auto& r = responses[static_cast<std::size_t>(i)];
    std::string decoded;
    auto xml = hooks::DecodeResponseInput(r.base64, decoded);
    if (!xml) throw std::runtime_error(xml.error().code);
    auto sign_in = hooks::ConsumeResponse(
        rt, hooks::SignInAttempt{*xml, std::string(testing::kRequestId),
                                 "visitor-" + std::to_string(i), "192.0.2.1"});
    if (!sign_in) throw std::runtime_error(sign_in.error().code + ": " + sign_in.error().message);
  }
  return count / (static_cast<double>(Since(start)) * 1e-9);
}

// sign_in_accepted audit rows per assertion ID, read from the plugin's store.
std::map<std::string, std::int64_t> AcceptedInStore(const std::string& database,
                                                    std::int64_t& sessions) {
  auto db = store::Database::Open(database);
  if (!db) throw std::runtime_error("cannot open " + database + ": " + db.error().message);
  std::map<std::string, std::int64_t> out;
  auto st = (*db)->Read([&](store::Connection& c) -> Result<bool> {
    auto q = c.Prepare(
        "SELECT assertion_id, COUNT(*) FROM audit_log WHERE kind = 'sign_in_accepted' "
        "GROUP BY assertion_id");
    if (!q) return std::move(q).error();
    for (;;) {
      auto row = q->Step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      out[q->Text(0)] = q->Int(1);
    }
    auto n = c.Prepare("SELECT COUNT(*) FROM sso_sessions");
    if (!n) return std::move(n).error();
    auto row = n->Step();
    if (!row) return std::move(row).error();
    sessions = n->Int(0);
    (void)n->Run();
    return true;
  });
  if (!st) throw std::runtime_error("reading the store: " + st.error().message);
  return out;
}

int Run(const Options& o) {
  saml::InitializeXmlLibraries();
  // The copies of a replayed response each need a pending sign-in slot only
  // once; the limit must not refuse the N sign-ins started first.
  testing::DeploymentOptions deployment_options;
  deployment_options.extra_sso =
      "max_pending_sign_ins = " + std::to_string(std::max(10'000, 2 * o.sign_ins)) + "\n";
  testing::Deployment deployment(deployment_options);
  std::cout << "visitor_sso_acs_load: " << o.sign_ins << " sign-ins over " << o.connections
            << " connections; " << o.replayed << " of the responses posted " << o.copies
            << " times at once; single-thread consume loop over " << o.consume << " responses\n";

  auto serve = std::make_unique<testing::ServeProcess>(
      std::vector<std::string>{o.sample_host, "--plugin", o.plugin, "--config",
                               deployment.config().string(), "serve", "--listen", "127.0.0.1:0",
                               "--now", kServeNow, "--max-connections", "4096"},
      deployment.dir() / "serve-stderr.txt");
  const unsigned short port = serve->port();

  // 1. Sign-ins started through /sso/login, each with its own cookie jar.
  std::vector<SignIn> sign_ins(static_cast<std::size_t>(o.sign_ins));
  auto start = Clock::now();
  {
    const std::size_t n = static_cast<std::size_t>(o.connections);
    std::vector<std::string> failures(n);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < n; ++t) {
      threads.emplace_back(StartSignIns, port, std::ref(sign_ins), t, n, std::ref(failures[t]));
    }
    for (auto& t : threads) t.join();
    for (const auto& f : failures) {
      if (!f.empty()) throw std::runtime_error("starting the sign-ins: " + f);
    }
  }
  const double start_s = static_cast<double>(Since(start)) * 1e-9;

  // 2. One response per request ID, signed by the test IdP.
  start = Clock::now();
  for (auto& s : sign_ins) {
    const bench::SignedResponse r = bench::MakeResponse(bench::Shape::kTypical, s.request_id);
    s.assertion_id = r.assertion_id;
    s.body = "SAMLResponse=" + url::EncodeQueryValue(r.base64) +
             "&RelayState=" + url::EncodeQueryValue(s.relay_state);
  }
  const double sign_s = static_cast<double>(Since(start)) * 1e-9;

  // 3. The posts, dealt round robin to the connections' queues: the K copies
  // of a replayed response are consecutive, so K different connections hold
  // them at the same position of their queues and post them together.
  std::vector<Post> posts;
  for (std::size_t i = 0; i < sign_ins.size(); ++i) {
    const bool replayed = static_cast<int>(i) < o.replayed;
    for (int k = 0; k < (replayed ? o.copies : 1); ++k) {
      Post post;
      post.sign_in = i;
      post.replay_copy = replayed;
      posts.push_back(std::move(post));
    }
  }
  const std::size_t c = static_cast<std::size_t>(o.connections);
  std::latch ready(static_cast<std::ptrdiff_t>(c) + 1);
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < c; ++w) {
    workers.emplace_back([&, w] {
      Connection conn(port);
      ready.arrive_and_wait();
      for (std::size_t p = w; p < posts.size(); p += c) {
        Post& post = posts[p];
        const SignIn& s = sign_ins[post.sign_in];
        const auto t0 = Clock::now();
        try {
          const Reply r = conn.Send(http::verb::post, "/sso/acs", s.cookies, s.body);
          post.status = r.status;
          post.code = r.status == 303 ? r.location : r.code;
        } catch (const std::exception& e) {
          post.error = e.what();
          conn.Close();
        }
        post.latency_ns = Since(t0);
      }
    });
  }
  ready.arrive_and_wait();
  start = Clock::now();
  for (auto& t : workers) t.join();
  const double post_s = static_cast<double>(Since(start)) * 1e-9;

  // The plugin's audit batch is written when the server closes its store.
  const int serve_status = serve->Terminate();
  serve.reset();
  std::vector<std::string> errors;
  if (serve_status != 0) {
    errors.push_back("sample-host serve exited with " + std::to_string(serve_status) +
                     " on SIGTERM; its stderr:\n" +
                     ReadFile(deployment.dir() / "serve-stderr.txt"));
  }

  // 4. The single-thread consume rate of the same run.
  const double consume_rate = SingleThreadConsumeRate(o.consume);

  // Checks.
  std::map<std::string, int> refusals;  // code -> count, replay copies only
  std::vector<int> accepted(sign_ins.size(), 0);
  std::vector<std::int64_t> latencies;
  latencies.reserve(posts.size());
  for (const Post& p : posts) {
    latencies.push_back(p.latency_ns);
    const std::string what = "post of sign-in " + std::to_string(p.sign_in) + ": ";
    if (!p.error.empty()) {
      errors.push_back(what + p.error);
    } else if (p.status == 303) {
      ++accepted[p.sign_in];
      if (!p.code.starts_with("/chat")) errors.push_back(what + "303 to " + p.code + ", not /chat");
    } else if (p.replay_copy && ((p.status == 400 && p.code == "sso.acs.unknown_relay_state") ||
                                 (p.status == 403 && p.code == "saml.replay.detected"))) {
      ++refusals[p.code];
    } else {
      errors.push_back(what + std::to_string(p.status) + " " + p.code);
    }
  }
  for (std::size_t i = 0; i < sign_ins.size(); ++i) {
    if (accepted[i] != 1) {
      errors.push_back("assertion " + sign_ins[i].assertion_id + " accepted " +
                       std::to_string(accepted[i]) + " times by the client's count");
    }
  }
  std::int64_t sessions = 0;
  auto in_store = AcceptedInStore(deployment.database().string(), sessions);
  for (const auto& s : sign_ins) {
    const auto it = in_store.find(s.assertion_id);
    const std::int64_t n = it == in_store.end() ? 0 : it->second;
    if (n != 1) {
      errors.push_back("assertion " + s.assertion_id + ": " + std::to_string(n) +
                       " sign_in_accepted audit rows");
    }
  }
  if (in_store.size() != sign_ins.size()) {
    errors.push_back(std::to_string(in_store.size()) + " assertion IDs accepted in the store, " +
                     std::to_string(sign_ins.size()) + " signed");
  }
  if (sessions != static_cast<std::int64_t>(sign_ins.size())) {
    errors.push_back(std::to_string(sessions) + " sessions in the store, expected " +
                     std::to_string(sign_ins.size()));
  }

  const std::size_t acceptances = sign_ins.size();
  int refused = 0;
  for (const auto& [code, n] : refusals) refused += n;
  const double throughput = static_cast<double>(posts.size()) / post_s;
  const double acceptance_rate = static_cast<double>(acceptances) / post_s;
  std::printf(
      "prepare: %zu sign-ins started in %.2f s (GET /chat + GET /sso/login each), "
      "%zu responses signed in %.2f s\n",
      sign_ins.size(), start_s, sign_ins.size(), sign_s);
  std::printf("ACS: %zu posts over %d connections in %.3f s: %.0f posts/s, %.0f acceptances/s\n",
              posts.size(), o.connections, post_s, throughput, acceptance_rate);
  std::printf("latency per post (ms): p50 %.2f, p99 %.2f, max %.2f\n",
              Percentile(latencies, 0.50) / 1000, Percentile(latencies, 0.99) / 1000,
              Percentile(latencies, 1.0) / 1000);
  std::printf("accepted %zu (one per assertion ID: %s); replay copies refused %d", acceptances,
              errors.empty() ? "yes" : "no", refused);
  for (const auto& [code, n] : refusals) std::printf(", %s %d", code.c_str(), n);
  std::printf("; errors %zu\n", errors.size());
  std::printf("single-thread consume (hooks::ConsumeResponse, in process): %.0f responses/s\n",
              consume_rate);
  std::printf("HTTP acceptances/s over single-thread consume rate: %.2f\n",
              acceptance_rate / consume_rate);
  for (std::size_t i = 0; i < std::min<std::size_t>(errors.size(), 20); ++i) {
    std::printf("error: %s\n", errors[i].c_str());
  }
  return errors.empty() ? 0 : 1;
}

}  // namespace
}  // namespace vsso::load

int main(int argc, char** argv) {
  // A post to a server that went away must fail the post, not kill us.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    return vsso::load::Run(vsso::load::ParseOptions(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "visitor_sso_acs_load: " << e.what() << "\n";
    return 1;
  }
}
