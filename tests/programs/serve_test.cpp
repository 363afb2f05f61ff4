// Black-box tests of `sample-host serve`: the real binary against the real
// plugin on a copy of sample-host/scenarios, spoken to over HTTP on loopback
// the way a browser would (pages, /sso/* forwarded to the plugin, the JSON
// API behind the chat window and the agent console), then stopped with
// SIGTERM like a service manager would.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
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

#include "support/test_keys.hpp"

namespace vsso::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace asio = boost::asio;
namespace http = boost::beast::http;

// The scenario responses are valid 12:00-12:05 on that day.
constexpr const char* kNow = "2026-11-24T12:01:00Z";

struct HttpResult {
  int status = 0;
  std::string body;
  std::string location;
  std::string set_cookie;
  std::string content_type;
};

std::string PercentEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The real server on a free loopback port, over a copy of the scenarios (the
// plugin's store is created next to the configuration).
class Server {
 public:
  explicit Server(const std::string& config) {
    const fs::path source(VSSO_SOURCE_DIR);
    fs::create_directories(scenarios().parent_path());
    fs::copy(source / "sample-host" / "scenarios", scenarios(), fs::copy_options::recursive);
    fs::create_directories(temp_.path() / "config");
    fs::copy(source / "config" / "certs", temp_.path() / "config" / "certs",
             fs::copy_options::recursive);
    Start({VSSO_SAMPLE_HOST, "--plugin", VSSO_PLUGIN, "--config",
           (scenarios() / "config" / config).string(), "serve", "--listen", "127.0.0.1:0", "--now",
           kNow});
  }
  ~Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  fs::path scenarios() const { return temp_.path() / "sample-host" / "scenarios"; }
  unsigned short port() const { return port_; }

  /// Sends SIGTERM and returns the exit status (-1 when a signal killed it).
  int Terminate() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  void Start(const std::vector<std::string>& args) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    // The first line says where it listens; it comes only once it accepts.
    std::string line;
    char c = 0;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(out[0]);
    const std::string prefix = "listening on http://127.0.0.1:";
    if (!line.starts_with(prefix)) throw std::runtime_error("unexpected first line: " + line);
    port_ = static_cast<unsigned short>(std::stoi(line.substr(prefix.size())));
  }

  TempDir temp_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

HttpResult Fetch(const Server& server, http::verb method, const std::string& target,
                 const std::string& body = {}, const std::string& content_type = {},
                 const std::string& cookie = {}) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  if (!content_type.empty()) request.set(http::field::content_type, content_type);
  if (!cookie.empty()) request.set(http::field::cookie, cookie);
  request.body() = body;
  request.prepare_payload();
  request.keep_alive(false);
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  HttpResult result;
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  result.location = std::string(response[http::field::location]);
  result.set_cookie = std::string(response[http::field::set_cookie]);
  result.content_type = std::string(response[http::field::content_type]);
  return result;
}

json::object Api(const Server& server, http::verb method, const std::string& target,
                 const json::object& body = {}) {
  const HttpResult result =
      Fetch(server, method, target, method == http::verb::post ? json::serialize(body) : "",
            method == http::verb::post ? "application/json" : "");
  return json::parse(result.body).as_object();
}

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

TEST(ServeTest, WebsiteHasChatButtonAndGivesAVisitorCookie) {
  Server server("required.ini");
  const HttpResult page = Fetch(server, http::verb::get, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("data-testid=\"chat-button\""), std::string::npos);
  EXPECT_TRUE(page.set_cookie.starts_with("vsso_visitor=v-")) << page.set_cookie;

  const HttpResult chat = Fetch(server, http::verb::get, "/chat?visitor=v-page");
  EXPECT_NE(chat.body.find("data-testid=\"chat-window\" data-visitor=\"v-page\""),
            std::string::npos);
  EXPECT_TRUE(chat.set_cookie.starts_with("vsso_visitor=v-page;")) << chat.set_cookie;

  for (const auto& [path, testid] : std::vector<std::pair<std::string, std::string>>{
           {"/agent", "visitor-list"},
           {"/agent/history", "history-filter-customer-id"},
           {"/admin", "metadata-link"}}) {
    const HttpResult other = Fetch(server, http::verb::get, path);
    EXPECT_EQ(other.status, 200) << path;
    EXPECT_NE(other.body.find("data-testid=\"" + testid + "\""), std::string::npos) << path;
  }
  EXPECT_EQ(Fetch(server, http::verb::get, "/nowhere").status, 404);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, ForwardsMetadataToThePlugin) {
  Server server("required.ini");
  const HttpResult metadata = Fetch(server, http::verb::get, "/sso/metadata");
  EXPECT_EQ(metadata.status, 200);
  EXPECT_NE(metadata.content_type.find("xml"), std::string::npos) << metadata.content_type;
  EXPECT_NE(metadata.body.find("entityID=\"https://chat.example.com/sso/metadata\""),
            std::string::npos);
  const json::object admin = Api(server, http::verb::get, "/api/admin");
  EXPECT_EQ(Str(admin, "sign_in_policy"), "required");
  EXPECT_EQ(Str(admin, "sp_entity_id"), "https://chat.example.com/sso/metadata");
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, GoldMemberSignsInIsRoutedAndFoundInHistory) {
  Server server("required.ini");
  const std::string visitor = "v-gold";
  json::object started = Api(server, http::verb::post, "/api/chat/start", {{"visitor", visitor}});
  EXPECT_EQ(Str(started, "stage"), "sign_in");
  EXPECT_TRUE(Str(started, "sign_in_url").starts_with("/sso/login?")) << json::serialize(started);
  const std::string chat = Str(started, "chat");
  ASSERT_FALSE(chat.empty());
  // Nobody may chat before signing in.
  EXPECT_FALSE(Api(server, http::verb::post, "/api/messages",
                   {{"chat", chat}, {"from", "visitor"}, {"text", "hello"}})
                   .at("ok")
                   .as_bool());

  std::ifstream in(server.scenarios() / "responses" / "gold.xml", std::ios::binary);
  std::ostringstream xml;
  xml << in.rdbuf();
  const json::object before =
      Api(server, http::verb::get, "/api/state?visitor=" + visitor + "&after=-1");
  const HttpResult acs = Fetch(server, http::verb::post, "/sso/acs",
                               "SAMLResponse=" + PercentEncode(Base64(xml.str())),
                               "application/x-www-form-urlencoded", "vsso_visitor=" + visitor);
  EXPECT_EQ(acs.status, 303) << acs.body;
  // The chat window's poll learns that the ACS signed this visitor in.
  const json::object after = Api(server, http::verb::get,
                                 "/api/state?visitor=" + visitor +
                                     "&after=" + std::to_string(before.at("version").as_int64()));
  EXPECT_EQ(after.at("version").as_int64(), before.at("version").as_int64() + 1);

  started = Api(server, http::verb::post, "/api/chat/start", {{"visitor", visitor}});
  EXPECT_EQ(Str(started, "stage"), "chat") << json::serialize(started);
  EXPECT_EQ(Str(started, "customer_id"), "cust-gold-001");
  EXPECT_EQ(Str(started, "chat"), chat);

  const json::object listed = Api(server, http::verb::get, "/api/agent/chats");
  ASSERT_EQ(listed.at("chats").as_array().size(), 1u);
  EXPECT_EQ(Str(listed.at("chats").as_array()[0].as_object(), "visitor"), visitor);

  // The agent's long poll returns the visitor's message, whether it was already
  // waiting (woken by the post) or arrives after it.
  json::object messages;
  std::thread agent(
      [&] { messages = Api(server, http::verb::get, "/api/messages?chat=" + chat + "&after=1"); });
  EXPECT_TRUE(Api(server, http::verb::post, "/api/messages",
                  {{"chat", chat}, {"from", "visitor"}, {"text", "hello <agent>"}})
                  .at("ok")
                  .as_bool());
  agent.join();
  ASSERT_EQ(messages.at("messages").as_array().size(), 1u);
  EXPECT_EQ(Str(messages.at("messages").as_array()[0].as_object(), "text"), "hello <agent>");

  const json::object details = Api(server, http::verb::get, "/api/agent/chat?chat=" + chat);
  const json::object& info = details.at("info").as_object();
  EXPECT_EQ(Str(info, "customer_id"), "cust-gold-001");
  EXPECT_TRUE(info.at("verified").as_bool());
  EXPECT_EQ(Str(details, "team"), "Gold Team");
  EXPECT_EQ(Str(details, "rule"), "rule.1");

  const json::object ended = Api(server, http::verb::post, "/api/agent/end", {{"chat", chat}});
  EXPECT_EQ(Str(ended, "customer_id"), "cust-gold-001") << json::serialize(ended);
  // A chat ends once.
  EXPECT_FALSE(
      Api(server, http::verb::post, "/api/agent/end", {{"chat", chat}}).at("ok").as_bool());

  const json::object history =
      Api(server, http::verb::get, "/api/history?customer_id=cust-gold-001");
  const json::array& rows = history.at("transcripts").as_array();
  ASSERT_EQ(rows.size(), 1u) << json::serialize(history);
  EXPECT_EQ(Str(rows[0].as_object(), "chat_id"), chat);
  EXPECT_EQ(Str(rows[0].as_object(), "team"), "Gold Team");
  EXPECT_EQ(Str(rows[0].as_object(), "transcript_id"), Str(ended, "transcript_id"));

  // Team and time filters; days are whole UTC days, "until" included.
  const auto count = [&](const std::string& query) {
    const json::object page = Api(server, http::verb::get, "/api/history?" + query);
    EXPECT_TRUE(page.at("ok").as_bool()) << query << ": " << json::serialize(page);
    return page.at("transcripts").as_array().size();
  };
  EXPECT_EQ(count("team=Gold%20Team"), 1u);
  EXPECT_EQ(count("team=General"), 0u);
  EXPECT_EQ(count("from=2026-11-24&until=2026-11-24"), 1u);
  EXPECT_EQ(count("from=2026-11-25"), 0u);
  EXPECT_EQ(count("until=2026-11-23"), 0u);
  EXPECT_EQ(count("team=Gold%20Team&until=2026-11-24T12:00:59Z"), 0u);
  EXPECT_EQ(count("team=Gold%20Team&until=2026-11-24T12:01:00Z"), 1u);
  const json::object bad = Api(server, http::verb::get, "/api/history?from=yesterday");
  EXPECT_EQ(Str(bad, "code"), "host.bad_time");
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, AdminApiShowsTrustMappingsRulesAndTheLastFailedSignIn) {
  Server server("required.ini");
  std::ifstream in(server.scenarios() / "responses" / "gold.xml", std::ios::binary);
  std::ostringstream xml;
  xml << in.rdbuf();
  std::string tampered = xml.str();
  const std::size_t gold = tampered.find(">gold<");
  ASSERT_NE(gold, std::string::npos);
  tampered.replace(gold, 6, ">platinum<");
  const HttpResult acs =
      Fetch(server, http::verb::post, "/sso/acs", "SAMLResponse=" + PercentEncode(Base64(tampered)),
            "application/x-www-form-urlencoded", "vsso_visitor=v-forger");
  EXPECT_EQ(acs.status, 403) << acs.body;

  const json::object admin = Api(server, http::verb::get, "/api/admin");
  EXPECT_FALSE(admin.contains("overview_error")) << json::serialize(admin);
  EXPECT_EQ(Str(admin, "sp_metadata_url"), "/sso/metadata");
  const json::array& certificates = admin.at("certificates").as_array();
  ASSERT_EQ(certificates.size(), 1u);
  const json::object& certificate = certificates[0].as_object();
  EXPECT_NE(Str(certificate, "subject").find("CN="), std::string::npos);
  EXPECT_EQ(Str(certificate, "fingerprint").size(), 64u);
  EXPECT_EQ(Str(certificate, "source"), "config");
  // config/certs/idp.pem, seen from --now.
  EXPECT_EQ(Str(certificate, "not_after"), "2036-11-21T18:23:57Z");
  EXPECT_EQ(certificate.at("days_left").as_int64(), 3650);

  const json::array& mappings = admin.at("mappings").as_array();
  ASSERT_EQ(mappings.size(), 6u);
  EXPECT_EQ(Str(mappings[4].as_object(), "label"), "Account Number");
  EXPECT_EQ(json::serialize(mappings[4].as_object().at("attributes")), "[\"accountNumber\"]");
  const json::object& routing = admin.at("routing").as_object();
  EXPECT_EQ(Str(routing, "default_team"), "General");
  ASSERT_EQ(routing.at("rules").as_array().size(), 2u);
  EXPECT_EQ(Str(routing.at("rules").as_array()[0].as_object(), "team"), "Gold Team");

  const json::array& failures = admin.at("failures").as_array();
  ASSERT_EQ(failures.size(), 1u);
  const json::object& failure = failures[0].as_object();
  EXPECT_TRUE(Str(failure, "code").starts_with("saml.signature")) << json::serialize(failure);
  EXPECT_FALSE(Str(failure, "message").empty());
  EXPECT_EQ(Str(failure, "visitor_id"), "v-forger");
  EXPECT_EQ(Str(failure, "at"), kNow);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, GuestFillsThePrechatSurveyWhenSignInIsOptional) {
  Server server("optional.ini");
  json::object started = Api(server, http::verb::post, "/api/chat/start", {{"visitor", "v-guest"}});
  EXPECT_EQ(Str(started, "stage"), "offer") << json::serialize(started);
  const std::string chat = Str(started, "chat");
  const json::object guest = Api(server, http::verb::post, "/api/chat/guest", {{"chat", chat}});
  EXPECT_EQ(Str(guest, "stage"), "prechat") << json::serialize(guest);
  const json::object submitted = Api(
      server, http::verb::post, "/api/prechat",
      {{"chat", chat},
       {"fields", json::object{{"name", "Gus Guest"}, {"company", "Acme"}, {"department", "IT"}}}});
  EXPECT_EQ(Str(submitted, "stage"), "chat") << json::serialize(submitted);
  // The survey answers reach the routing rules and the agent.
  EXPECT_EQ(Str(submitted, "team"), "Key Accounts");
  const json::object details = Api(server, http::verb::get, "/api/agent/chat?chat=" + chat);
  EXPECT_EQ(Str(details, "rule"), "rule.2");
  EXPECT_EQ(Str(details.at("info").as_object(), "name"), "Gus Guest");
  EXPECT_FALSE(details.at("info").as_object().at("verified").as_bool());
  EXPECT_TRUE(details.at("info").as_object().at("customer_id").is_null());
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, SigtermEndsOpenConnectionsAndExitsZero) {
  Server server("required.ini");
  // A keep-alive connection whose thread is blocked reading the next request.
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  http::request<http::string_body> request{http::verb::get, "/api/admin", 11};
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(true);
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  ASSERT_EQ(response.result_int(), 200u);
  ASSERT_TRUE(response.keep_alive());

  EXPECT_EQ(server.Terminate(), 0);
  boost::system::error_code ec;
  http::read(socket, buffer, response, ec);
  EXPECT_TRUE(ec) << "the server left the connection open";
}

}  // namespace
}  // namespace vsso::testing
