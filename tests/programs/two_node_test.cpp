// Issue 13, item 6 and its acceptance check: several nodes over one
// PostgreSQL. Two real `sample-host serve` processes (the real plugin .so)
// with the same --public-origin and --cookie-secret-file, as nodes behind
// one load balancer, share a fresh database; one cookie jar is one browser
// whose requests go to either node. Then two real `visitor-sso-admin verify`
// processes are given the same 300 signed responses in opposite orders.
// The outage test kills and restarts a cluster of its own (scripts/postgres
// start/kill), never the shared one other tests may be using at that moment.
// Every test needs VSSO_TEST_POSTGRES_URI (scripts/test, scripts/postgres run)
// and is skipped without it.
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <latch>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "saml/authn_request.hpp"
#include "support/deployment.hpp"
#include "support/postgres_uri.hpp"
#include "support/process.hpp"
#include "support/serve_process.hpp"
#include "support/test_idp.hpp"

namespace vsso::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

constexpr const char* kServeNow = "2027-01-15T08:00:00Z";  // kTestNow of the test IdP
// The load balancer's name: every request carries it as Host (and as Origin
// where a page of the chat host posts), whichever node answers.
constexpr const char* kPublicOrigin = "http://chat.localhost";
constexpr const char* kPublicHost = "chat.localhost";
constexpr const char* kIdpOrigin = "https://idp.example.org";
constexpr const char* kPassword = "correct horse battery staple";
constexpr const char* kCookieSecret = "0123456789abcdef0123456789abcdef-two-nodes";

std::string ServerUri() {
  const char* uri = std::getenv("VSSO_TEST_POSTGRES_URI");
  return uri != nullptr ? uri : "";
}

#define VSSO_NEED_POSTGRES()                                                            \
  if (ServerUri().empty())                                                              \
  GTEST_SKIP() << "VSSO_TEST_POSTGRES_URI is not set (scripts/test starts a throwaway " \
                  "PostgreSQL and sets it); the two-node tests need one"

// Runs one statement outside a transaction (CREATE DATABASE needs that).
void PgExec(const std::string& uri, const std::string& sql) {
  PGconn* raw = PQconnectdb(uri.c_str());
  if (PQstatus(raw) != CONNECTION_OK) {
    const std::string error = PQerrorMessage(raw);
    PQfinish(raw);
    throw std::runtime_error("cannot connect to " + uri + ": " + error);
  }
  PGresult* r = PQexec(raw, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  const std::string error = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(raw);
  if (!ok) throw std::runtime_error(sql + ": " + error);
}

// A database of its own on `server`, dropped when the object goes.
class FreshDatabase {
 public:
  explicit FreshDatabase(std::string server) : server_(std::move(server)) {
    std::random_device random;
    name_ =
        "vsso_two_node_" + std::to_string(::getpid()) + "_" + std::to_string(random() % 1000000);
    PgExec(server_, "CREATE DATABASE " + name_);
  }
  ~FreshDatabase() {
    try {
      PgExec(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The server may be gone (a test that failed while it was down).
    }
  }
  FreshDatabase(const FreshDatabase&) = delete;
  FreshDatabase& operator=(const FreshDatabase&) = delete;
  std::string uri() const { return WithDatabase(server_, name_); }

 private:
  std::string server_;
  std::string name_;
};

// A single-site deployment (test IdP, SP keys) whose [sso] database is `uri`.
std::unique_ptr<Deployment> SiteOn(const std::string& uri, const std::string& sign_in) {
  DeploymentOptions options;
  options.sign_in = sign_in;
  options.allow_idp_initiated = true;  // the replay tests post unsolicited responses
  auto deployment = std::make_unique<Deployment>(options);
  std::ifstream in(deployment->config());
  std::ostringstream text;
  text << in.rdbuf();
  std::string ini = text.str();
  const std::string sqlite = "database = visitor-sso.db\n";
  const auto at = ini.find(sqlite);
  if (at == std::string::npos) throw std::runtime_error("no database line in " + ini);
  ini.replace(at, sqlite.size(), "database = " + uri + "\n");
  std::ofstream(deployment->config()) << ini;
  return deployment;
}

// One node: `sample-host serve` over `deployment`, named by kPublicOrigin and
// keyed by kCookieSecret like every other node.
class Node {
 public:
  explicit Node(const Deployment& deployment, const std::string& name) {
    const fs::path dir = deployment.dir();
    std::ofstream(dir / "secret") << kCookieSecret << "\n";
    std::ofstream(dir / "password") << kPassword << "\n";
    process_ = std::make_unique<ServeProcess>(
        std::vector<std::string>{VSSO_SAMPLE_HOST, "--plugin", VSSO_PLUGIN, "--config",
                                 deployment.config().string(), "serve", "--listen", "127.0.0.1:0",
                                 "--now", kServeNow, "--public-origin", kPublicOrigin,
                                 "--cookie-secret-file", (dir / "secret").string(),
                                 "--agent-password-file", (dir / "password").string()},
        dir / (name + "-stderr.txt"));
  }
  unsigned short port() const { return process_->port(); }
  int Terminate() { return process_->Terminate(); }

 private:
  std::unique_ptr<ServeProcess> process_;
};

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  // The plugin's pages carry their code in X-Visitor-SSO-Error, the host's
  // JSON errors in "code".
  std::string Code() const {
    const std::string header = Header("x-visitor-sso-error");
    if (!header.empty()) return header;
    const json::object o = Json();
    const json::value* v = o.if_contains("code");
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  }
  json::object Json() const {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return !ec && v.is_object() ? v.as_object() : json::object();
  }
  std::string Str(const char* key) const {
    const json::object o = Json();
    const json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  }
};

// A browser behind the load balancer: one cookie jar (Path=/sso/ cookies go
// to /sso/ only), every request to the node the test names. Copies share
// nothing: a copy is the same browser's second tab.
class Browser {
 public:
  Reply Get(unsigned short node, const std::string& target) {
    return Send(node, http::verb::get, target, {}, {}, {});
  }
  Reply PostForm(unsigned short node, const std::string& target, const std::string& body,
                 const std::string& origin = kPublicOrigin) {
    return Send(node, http::verb::post, target, body, "application/x-www-form-urlencoded", origin);
  }
  Reply PostJson(unsigned short node, const std::string& target, const json::object& body = {}) {
    return Send(node, http::verb::post, target, json::serialize(body), "application/json",
                kPublicOrigin);
  }

 private:
  struct Cookie {
    std::string value;
    bool sso_only = false;
  };

  Reply Send(unsigned short node, http::verb method, const std::string& target,
             const std::string& body, const std::string& type, const std::string& origin) {
    asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.expires_after(60s);
    stream.connect({asio::ip::make_address("127.0.0.1"), node});
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, kPublicHost);
    if (!type.empty()) request.set(http::field::content_type, type);
    if (!origin.empty()) request.set(http::field::origin, origin);
    std::string cookies;
    for (const auto& [name, cookie] : jar_) {
      if (cookie.sso_only && !target.starts_with("/sso/")) continue;
      cookies += (cookies.empty() ? "" : "; ") + name + "=" + cookie.value;
    }
    if (!cookies.empty()) request.set(http::field::cookie, cookies);
    request.body() = body;
    request.prepare_payload();
    request.keep_alive(false);
    http::write(stream, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    Reply reply;
    reply.status = static_cast<int>(response.result_int());
    reply.body = response.body();
    for (const auto& field : response) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      reply.headers[name] = std::string(field.value());
      if (field.name() == http::field::set_cookie) Keep(std::string(field.value()));
    }
    return reply;
  }

  void Keep(const std::string& set_cookie) {
    const std::size_t eq = set_cookie.find('=');
    const std::size_t semi = set_cookie.find(';');
    if (eq == std::string::npos || eq > semi) return;
    const std::string name = set_cookie.substr(0, eq);
    Cookie c;
    c.value = set_cookie.substr(eq + 1, semi - eq - 1);
    c.sso_only = set_cookie.find("Path=/sso/") != std::string::npos;
    if (c.value.empty() || set_cookie.find("Max-Age=0") != std::string::npos) {
      jar_.erase(name);
    } else {
      jar_[name] = c;
    }
  }

  std::map<std::string, Cookie> jar_;
};

std::string Capture(const std::string& text, const std::string& pattern) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(pattern))) return {};
  return match[1];
}

std::string QueryValue(const std::string& url_text, const std::string& key) {
  auto params = url::ParseQuery(url_text.substr(url_text.find('?') + 1));
  if (!params) return {};
  for (const auto& [k, v] : *params) {
    if (k == key) return v;
  }
  return {};
}

struct Started {
  std::string relay_state;
  std::string request_id;
};

// /sso/login on `node`, followed to the IdP's door: RelayState and request ID.
Started StartSignIn(Browser& browser, unsigned short node) {
  const Reply r = browser.Get(node, "/sso/login?return=%2Fchat");
  EXPECT_EQ(r.status, 302) << r.body;
  const std::string location = r.Header("location");
  Started s;
  s.relay_state = QueryValue(location, "RelayState");
  auto xml = saml::DecodeRedirectRequest(QueryValue(location, "SAMLRequest"));
  EXPECT_TRUE(xml) << location;
  if (xml) {
    const auto at = xml->find("ID=\"");
    s.request_id = xml->substr(at + 4, xml->find('"', at + 4) - at - 4);
  }
  return s;
}

// A response of the test IdP for `customer`: answering `request_id`, or
// unsolicited (IdP-initiated) without one.
std::string SignedResponse(const std::optional<std::string>& request_id,
                           const std::string& customer, const std::string& assertion_id) {
  return ResponseBuilder()
      .ResponseId("_r" + assertion_id)
      .AssertionId(assertion_id)
      .InResponseTo(request_id)
      .SubjectInResponseTo(request_id)
      .NameId(customer)
      .Attribute({"displayName", {customer + " Name"}})
      .Build();
}

std::string AcsBody(const std::string& xml, const std::string& relay_state = {}) {
  return "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(xml)) +
         (relay_state.empty() ? "" : "&RelayState=" + url::EncodeQueryValue(relay_state));
}

// The IdP's post of `xml` to `node`'s ACS, as the browser makes it.
Reply PostToAcs(Browser& browser, unsigned short node, const std::string& xml,
                const std::string& relay_state = {}) {
  return browser.PostForm(node, "/sso/acs", AcsBody(xml, relay_state), kIdpOrigin);
}

// The confirmation token of the page an unsolicited response is answered with.
std::string ConfirmToken(const Reply& acs) {
  return Capture(acs.body, "name=\"token\" value=\"([^\"]+)\"");
}

// Signs the agent in on `node` (agent sessions are each node's own).
void SignInAgent(Browser& agent, unsigned short node) {
  const Reply form = agent.Get(node, "/agent/login");
  ASSERT_EQ(form.status, 200) << form.body;
  const std::string csrf = Capture(form.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  ASSERT_FALSE(csrf.empty()) << form.body;
  const Reply login = agent.PostForm(node, "/agent/login",
                                     "username=agent&password=" + url::EncodeQueryValue(kPassword) +
                                         "&csrf=" + csrf + "&next=%2Fagent");
  ASSERT_EQ(login.status, 303) << login.body;
}

// Two nodes over one fresh database, sign-in required.
class TwoNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VSSO_NEED_POSTGRES();
    database_ = std::make_unique<FreshDatabase>(ServerUri());
    site_ = SiteOn(database_->uri(), "required");
    node1_ = std::make_unique<Node>(*site_, "node1");
    node2_ = std::make_unique<Node>(*site_, "node2");
    a_ = node1_->port();
    b_ = node2_->port();
    ASSERT_NE(a_, b_);
  }
  void TearDown() override {
    // Nodes first: they hold connections to the database being dropped.
    node1_.reset();
    node2_.reset();
    database_.reset();
  }

  std::unique_ptr<FreshDatabase> database_;
  std::unique_ptr<Deployment> site_;
  std::unique_ptr<Node> node1_;
  std::unique_ptr<Node> node2_;
  unsigned short a_ = 0;
  unsigned short b_ = 0;
};

TEST_F(TwoNodeTest, AResponseAcceptedByOneNodeIsAReplayOnTheOther) {
  Browser browser;
  ASSERT_EQ(browser.Get(a_, "/chat").status, 200);
  const std::string xml = SignedResponse(std::nullopt, "cust-replay", "_a-replay-1");
  const Reply first = PostToAcs(browser, a_, xml);
  ASSERT_EQ(first.status, 200) << first.Code() << " " << first.body;
  const std::string token = ConfirmToken(first);
  ASSERT_FALSE(token.empty()) << first.body;
  // SAML Profiles 4.1.4.5: the assertion is used once, whichever node sees it.
  const Reply again = PostToAcs(browser, b_, xml);
  EXPECT_EQ(again.Code(), "saml.replay.detected") << again.status << " " << again.body;
  EXPECT_GE(again.status, 400);
  // The confirmation node 1 asked for is in the shared store: node 2 takes it.
  const Reply confirmed =
      browser.PostForm(b_, "/sso/confirm", "token=" + url::EncodeQueryValue(token));
  EXPECT_EQ(confirmed.status, 303) << confirmed.Code() << " " << confirmed.body;
  const Reply started = browser.PostJson(a_, "/api/chat/start");
  EXPECT_EQ(started.Str("stage"), "chat") << started.body;
  EXPECT_EQ(started.Str("customer_id"), "cust-replay") << started.body;
}

TEST_F(TwoNodeTest, SignInStartedOnOneNodeCompletesOnTheOtherAndHistoryIsShared) {
  Browser visitor;
  ASSERT_EQ(visitor.Get(a_, "/chat").status, 200);
  const Reply before = visitor.PostJson(b_, "/api/chat/start");
  EXPECT_EQ(before.Str("stage"), "sign_in") << before.body;

  // The pending request and the browser binding, made by node 1, are found by
  // node 2 when the IdP's post lands there.
  const Started s = StartSignIn(visitor, a_);
  ASSERT_FALSE(s.request_id.empty());
  const Reply acs =
      PostToAcs(visitor, b_, SignedResponse(s.request_id, "cust-ann", "_a-ann-1"), s.relay_state);
  ASSERT_EQ(acs.status, 303) << acs.Code() << " " << acs.body;
  EXPECT_EQ(acs.Header("location"), "/chat");
  // Taken once: the same request answered again on node 1 is refused.
  const Reply second =
      PostToAcs(visitor, a_, SignedResponse(s.request_id, "cust-ann", "_a-ann-2"), s.relay_state);
  EXPECT_GE(second.status, 400) << second.body;
  EXPECT_FALSE(second.Code().empty()) << second.body;

  // The session is seen by both nodes; the chat lives on node 1.
  const Reply on_b = visitor.PostJson(b_, "/api/chat/start");
  EXPECT_EQ(on_b.Str("stage"), "chat") << on_b.body;
  const Reply on_a = visitor.PostJson(a_, "/api/chat/start");
  ASSERT_EQ(on_a.Str("stage"), "chat") << on_a.body;
  EXPECT_EQ(on_a.Str("customer_id"), "cust-ann");
  const std::string chat = on_a.Str("chat");
  ASSERT_EQ(visitor.PostJson(a_, "/api/chat/messages", {{"chat", chat}, {"text", "hello"}}).status,
            200);

  Browser agent1;
  SignInAgent(agent1, a_);
  const Reply ended = agent1.PostJson(a_, "/api/agent/end", {{"chat", chat}});
  ASSERT_EQ(ended.status, 200) << ended.body;
  ASSERT_FALSE(ended.Str("transcript_id").empty()) << ended.body;

  // History on node 2 lists the chat that ended on node 1.
  Browser agent2;
  SignInAgent(agent2, b_);
  const Reply history = agent2.Get(b_, "/api/history?customer_id=cust-ann");
  ASSERT_EQ(history.status, 200) << history.body;
  const json::object page = history.Json();
  ASSERT_TRUE(page.contains("transcripts")) << history.body;
  const json::array& rows = page.at("transcripts").as_array();
  ASSERT_EQ(rows.size(), 1u) << history.body;
  EXPECT_EQ(rows[0].as_object().at("chat_id").as_string(), chat);
  EXPECT_EQ(rows[0].as_object().at("transcript_id").as_string(), ended.Str("transcript_id"));
}

TEST_F(TwoNodeTest, TheSameResponseAtBothNodesAtOnceIsAcceptedOnce) {
  Browser browser;
  ASSERT_EQ(browser.Get(a_, "/chat").status, 200);
  constexpr int kRounds = 50;
  int accepted_by_a = 0;
  int accepted_by_b = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string xml =
        SignedResponse(std::nullopt, "cust-race", "_a-race-" + std::to_string(round));
    Reply replies[2];
    std::latch go(2);
    std::vector<std::thread> posts;
    for (int i = 0; i < 2; ++i) {
      posts.emplace_back([&, i] {
        Browser tab = browser;  // the same browser, its own connection
        go.arrive_and_wait();
        replies[i] = PostToAcs(tab, i == 0 ? a_ : b_, xml);
      });
    }
    for (auto& t : posts) t.join();
    const bool a_took = replies[0].status == 200 && !ConfirmToken(replies[0]).empty();
    const bool b_took = replies[1].status == 200 && !ConfirmToken(replies[1]).empty();
    ASSERT_NE(a_took, b_took) << "round " << round << ": node 1 " << replies[0].status << " "
                              << replies[0].Code() << ", node 2 " << replies[1].status << " "
                              << replies[1].Code();
    // The other one is refused as a replay, not for any other reason.
    EXPECT_EQ(replies[a_took ? 1 : 0].Code(), "saml.replay.detected") << "round " << round;
    (a_took ? accepted_by_a : accepted_by_b) += 1;
  }
  EXPECT_EQ(accepted_by_a + accepted_by_b, kRounds);
  std::cout << "accepted by node 1: " << accepted_by_a << ", by node 2: " << accepted_by_b
            << std::endl;
}

// A PostgreSQL cluster of this test's own (scripts/postgres start), so that
// killing it does not pull the server from under tests running beside it.
class PrivateCluster {
 public:
  PrivateCluster() {
    std::random_device random;
    dir_ = fs::temp_directory_path() /
           ("vsso-two-node-pg-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    const ProcessResult started = Script("start");
    const auto lines = SplitLines(started.out);
    if (started.exit_code != 0 || lines.empty()) {
      throw std::runtime_error("scripts/postgres start failed: " + started.err);
    }
    uri_ = lines.back();
  }
  ~PrivateCluster() { Script("stop"); }
  PrivateCluster(const PrivateCluster&) = delete;
  PrivateCluster& operator=(const PrivateCluster&) = delete;

  const std::string& uri() const { return uri_; }
  /// `kill` (immediate, as a crash) or `start` (same port, same data).
  ProcessResult Script(const std::string& command) const {
    return RunProcess({std::string(VSSO_SOURCE_DIR) + "/scripts/postgres", command, dir_.string()});
  }

 private:
  fs::path dir_;
  std::string uri_;
};

// Signs `visitor` in: /sso/login on `start`, the IdP's post to `finish`.
void SignInAcross(Browser& visitor, unsigned short start, unsigned short finish,
                  const std::string& customer, const std::string& assertion_id) {
  const Started s = StartSignIn(visitor, start);
  ASSERT_FALSE(s.request_id.empty());
  const Reply acs = PostToAcs(visitor, finish, SignedResponse(s.request_id, customer, assertion_id),
                              s.relay_state);
  ASSERT_EQ(acs.status, 303) << acs.Code() << " " << acs.body;
}

TEST(TwoNodeOutageTest, PostgresKilledAndRestartedGivesCodedErrorsThenWorksAgain) {
  VSSO_NEED_POSTGRES();
  PrivateCluster cluster;
  const auto required = SiteOn(cluster.uri(), "required");
  const auto optional = SiteOn(cluster.uri(), "optional");
  Node node1(*required, "node1");
  Node node2(*required, "node2");
  Node guest_node(*optional, "node3");
  const unsigned short a = node1.port();
  const unsigned short b = node2.port();
  const unsigned short c = guest_node.port();

  Browser ann;
  ASSERT_EQ(ann.Get(a, "/chat").status, 200);
  // Signed in before the crash; no chat started yet (a host does not ask the
  // plugin again about a chat already under way).
  SignInAcross(ann, a, b, "cust-ann", "_a-outage-1");
  // A chat ended before the crash: its transcript tag was committed, so
  // History finds it after the restart.
  Browser tia;
  ASSERT_EQ(tia.Get(a, "/chat").status, 200);
  SignInAcross(tia, a, b, "cust-tia", "_a-outage-tia");
  const Reply tia_chat = tia.PostJson(a, "/api/chat/start");
  ASSERT_EQ(tia_chat.Str("stage"), "chat") << tia_chat.body;
  ASSERT_EQ(tia.PostJson(a, "/api/chat/messages", {{"chat", tia_chat.Str("chat")}, {"text", "hi"}})
                .status,
            200);
  Browser agent_a;
  SignInAgent(agent_a, a);
  const Reply ended = agent_a.PostJson(a, "/api/agent/end", {{"chat", tia_chat.Str("chat")}});
  ASSERT_EQ(ended.status, 200) << ended.body;
  ASSERT_FALSE(ended.Str("transcript_id").empty()) << ended.body;

  ASSERT_EQ(cluster.Script("kill").exit_code, 0);
  const auto t0 = std::chrono::steady_clock::now();
  // Required: fail closed, with the store's code, even for a signed-in visitor.
  for (unsigned short node : {a, b}) {
    const Reply refused = ann.PostJson(node, "/api/chat/start");
    EXPECT_EQ(refused.Str("stage"), "refused") << refused.body;
    EXPECT_EQ(refused.Str("reason_code"), "store.unavailable") << refused.body;
  }
  // Optional: the chat proceeds as a guest's (reason store.unavailable), to
  // the pre-chat survey.
  Browser gus;
  ASSERT_EQ(gus.Get(c, "/chat").status, 200);
  const Reply as_guest = gus.PostJson(c, "/api/chat/start");
  EXPECT_EQ(as_guest.status, 200) << as_guest.body;
  EXPECT_EQ(as_guest.Str("stage"), "prechat") << as_guest.body;
  // The sign-in endpoints answer with codes too.
  Browser bob;
  ASSERT_EQ(bob.Get(b, "/chat").status, 200);
  const Reply login = bob.Get(b, "/sso/login?return=%2Fchat");
  EXPECT_EQ(login.status, 503) << login.body;
  EXPECT_EQ(login.Code(), "store.unavailable") << login.body;
  // The replay cache cannot be asked: the response is refused (fail closed).
  const Reply acs = PostToAcs(bob, a, SignedResponse(std::nullopt, "cust-bob", "_a-outage-2"));
  EXPECT_EQ(acs.status, 403) << acs.body;
  EXPECT_EQ(acs.Code(), "saml.replay.store_failed") << acs.body;
  // Bounded: a stopped server is refused at once, well within the 5 s deadline.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 20s);

  ASSERT_EQ(cluster.Script("start").exit_code, 0);
  // The same nodes, not restarted: the pools reconnect by themselves, and
  // what was committed before the crash is there.
  for (unsigned short node : {b, a}) {
    const Reply back = ann.PostJson(node, "/api/chat/start");
    EXPECT_EQ(back.Str("stage"), "chat") << back.body;
    EXPECT_EQ(back.Str("customer_id"), "cust-ann") << back.body;
  }
  EXPECT_EQ(gus.PostJson(c, "/api/chat/start").Str("stage"), "offer");
  Browser agent_b;
  SignInAgent(agent_b, b);
  const Reply history = agent_b.Get(b, "/api/history?customer_id=cust-tia");
  ASSERT_EQ(history.status, 200) << history.body;
  const json::object page = history.Json();
  ASSERT_TRUE(page.contains("transcripts")) << history.body;
  const json::array& rows = page.at("transcripts").as_array();
  ASSERT_EQ(rows.size(), 1u) << history.body;
  EXPECT_EQ(rows[0].as_object().at("transcript_id").as_string(), ended.Str("transcript_id"));
  SignInAcross(bob, b, a, "cust-bob", "_a-outage-3");
  EXPECT_EQ(bob.PostJson(b, "/api/chat/start").Str("customer_id"), "cust-bob");
  // The response refused while the store was down was never recorded: it is
  // accepted now (unsolicited, so a confirmation is asked).
  const Reply later = PostToAcs(bob, b, SignedResponse(std::nullopt, "cust-bob", "_a-outage-2"));
  EXPECT_EQ(later.status, 200) << later.Code() << " " << later.body;
}

// The acceptance check as a new user would run it: two `visitor-sso-admin
// verify` processes, one PostgreSQL, the same 300 unique signed responses in
// opposite orders; each assertion is accepted exactly once overall.
TEST(TwoNodeAdminTest, TwoVerifyProcessesAcceptEachOf300ResponsesOnce) {
  VSSO_NEED_POSTGRES();
  FreshDatabase database(ServerUri());
  const auto site = SiteOn(database.uri(), "required");
  constexpr int kResponses = 300;
  std::vector<std::string> files;
  for (int i = 0; i < kResponses; ++i) {
    const fs::path file = site->dir() / ("response-" + std::to_string(i) + ".xml");
    std::ofstream(file) << SignedResponse(std::nullopt, "cust-" + std::to_string(i),
                                          "_a-verify-" + std::to_string(i));
    files.push_back(file.string());
  }
  std::vector<std::string> forward{VSSO_ADMIN, "verify", "--config", site->config().string(),
                                   "--now",    kServeNow};
  std::vector<std::string> backward = forward;
  forward.insert(forward.end(), files.begin(), files.end());
  backward.insert(backward.end(), files.rbegin(), files.rend());
  ProcessResult results[2];
  std::latch go(2);
  std::thread first([&] {
    go.arrive_and_wait();
    results[0] = RunProcess(forward);
  });
  std::thread second([&] {
    go.arrive_and_wait();
    results[1] = RunProcess(backward);
  });
  first.join();
  second.join();

  std::map<std::string, int> accepted;
  int lines_seen = 0;
  for (const ProcessResult& r : results) {
    // 1: some response was refused (here: the other process had it first).
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.err;
    for (const std::string& line : SplitLines(r.out)) {
      ++lines_seen;
      boost::system::error_code ec;
      const json::value v = json::parse(line, ec);
      ASSERT_FALSE(ec) << line;
      const json::object& o = v.as_object();
      const std::string file(o.at("file").as_string());
      if (o.at("accepted").as_bool()) {
        ++accepted[file];
      } else {
        EXPECT_EQ(o.at("code").as_string(), "saml.replay.detected") << line;
        accepted.try_emplace(file, 0);
      }
    }
  }
  EXPECT_EQ(lines_seen, 2 * kResponses);
  ASSERT_EQ(accepted.size(), static_cast<std::size_t>(kResponses));
  int by_first = 0;
  for (const std::string& line : SplitLines(results[0].out)) {
    if (line.find("\"accepted\":true") != std::string::npos) ++by_first;
  }
  for (const auto& [file, times] : accepted) EXPECT_EQ(times, 1) << file;
  std::cout << "accepted by the forward process: " << by_first
            << ", by the backward one: " << kResponses - by_first << std::endl;
}

}  // namespace
}  // namespace vsso::testing
