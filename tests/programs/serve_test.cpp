// Black-box tests of `sample-host serve`: the real binary against the real
// plugin on a copy of sample-host/scenarios, spoken to over HTTP on loopback
// the way a browser would (cookies, Origin, Host), then stopped with SIGTERM
// like a service manager would. Each finding of issue 10 is a named test:
// anonymous access, fixation through a link, visitor spoofing in a body,
// agent impersonation through `from`, cross-site posts, foreign Host
// headers, slow connections, running out of file descriptors, and memory
// after 10,000 chats.
#include <sys/resource.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
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

#include "support/deployment.hpp"
#include "support/process.hpp"
#include "support/serve_process.hpp"
#include "support/test_idp.hpp"
#include "support/test_keys.hpp"

namespace vsso::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

// The scenario responses are valid 12:00-12:05 on that day.
constexpr const char* kNow = "2026-11-24T12:01:00Z";
constexpr const char* kPassword = "correct horse battery staple";
// Given to serve with --cookie-secret-file, so tests can make cookies that
// any node with the same secret accepts (and forge ones that it refuses).
constexpr const char* kCookieSecret = "0123456789abcdef0123456789abcdef-test-secret";

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

// The visitor cookie serve makes for `id` under kCookieSecret.
std::string VisitorCookieFor(const std::string& id) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const std::string message = "visitor-cookie\n" + id;
  HMAC(EVP_sha256(), kCookieSecret, static_cast<int>(std::strlen(kCookieSecret)),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = id + ".";
  for (unsigned i = 0; i < size; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Resident memory of a process in KiB (/proc/PID/status VmRSS).
long RssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return -1;
}

struct ServerOptions {
  std::string config = "required.ini";
  /// An absolute configuration path instead of a scenario config.
  std::string config_path;
  std::string now = kNow;
  bool password_file = true;  // else serve generates and prints one
  std::vector<std::string> extra;
  rlim_t max_files = 0;  // RLIMIT_NOFILE of the server; 0: inherited
};

ServerOptions OptionalPolicy() {
  ServerOptions options;
  options.config = "optional.ini";
  return options;
}

// The real server on a free loopback port, over a copy of the scenarios (the
// plugin's store is created next to the configuration).
class Server {
 public:
  explicit Server(ServerOptions options = {}) {
    const fs::path source(VSSO_SOURCE_DIR);
    fs::create_directories(scenarios().parent_path());
    fs::copy(source / "sample-host" / "scenarios", scenarios(), fs::copy_options::recursive);
    fs::create_directories(temp_.path() / "config");
    fs::copy(source / "config" / "certs", temp_.path() / "config" / "certs",
             fs::copy_options::recursive);
    std::ofstream(temp_.path() / "secret") << kCookieSecret << "\n";
    std::vector<std::string> args{VSSO_SAMPLE_HOST,
                                  "--plugin",
                                  VSSO_PLUGIN,
                                  "--config",
                                  options.config_path.empty()
                                      ? (scenarios() / "config" / options.config).string()
                                      : options.config_path,
                                  "serve",
                                  "--listen",
                                  "127.0.0.1:0",
                                  "--now",
                                  options.now,
                                  "--cookie-secret-file",
                                  (temp_.path() / "secret").string()};
    if (options.password_file) {
      // A trailing newline, as editors write it, is not part of the password.
      std::ofstream(temp_.path() / "password") << kPassword << "\n";
      args.push_back("--agent-password-file");
      args.push_back((temp_.path() / "password").string());
      password_ = kPassword;
    }
    args.insert(args.end(), options.extra.begin(), options.extra.end());
    process_ = std::make_unique<ServeProcess>(args, temp_.path() / "stderr.txt", options.max_files);
  }

  fs::path scenarios() const { return temp_.path() / "sample-host" / "scenarios"; }
  unsigned short port() const { return process_->port(); }
  pid_t pid() const { return process_->pid(); }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port()); }
  const std::string& password() const { return password_; }
  const std::vector<std::string>& output() const { return process_->output(); }
  std::string log() const { return ReadFile(temp_.path() / "stderr.txt"); }

  /// Sends SIGTERM and returns the exit status (-1 when a signal killed it).
  int Terminate() { return process_->Terminate(); }

 private:
  TempDir temp_;
  std::string password_;
  // Declared after temp_: the process goes (SIGKILL) before its files do.
  std::unique_ptr<ServeProcess> process_;
};

struct HttpResult {
  int status = 0;
  std::string body;
  std::string location;
  std::string content_type;
  std::vector<std::string> set_cookies;
  http::response<http::string_body> raw;

  json::object Json() const {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) throw std::runtime_error("not a JSON object: " + body);
    return v.as_object();
  }
  bool HasTestId(const std::string& id) const {
    return body.find("data-testid=\"" + id + "\"") != std::string::npos;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request on a connection of its own.
HttpResult Send(unsigned short port, http::verb method, const std::string& target,
                const Headers& headers, const std::string& body = {}) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(60s);
  stream.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> request{method, target, 11};
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = body;
  request.prepare_payload();
  request.keep_alive(false);
  http::write(stream, request);
  beast::flat_buffer buffer;
  HttpResult result;
  http::read(stream, buffer, result.raw);
  result.status = static_cast<int>(result.raw.result_int());
  result.body = result.raw.body();
  result.location = std::string(result.raw[http::field::location]);
  result.content_type = std::string(result.raw[http::field::content_type]);
  for (const auto& field : result.raw) {
    if (field.name() == http::field::set_cookie) result.set_cookies.emplace_back(field.value());
  }
  return result;
}

// A browser: a cookie jar, a Host header, and the Origin a page of `origin`
// sends with its POSTs (fetch and forms do).
class Browser {
 public:
  explicit Browser(const Server& server)
      : port_(server.port()),
        host_("127.0.0.1:" + std::to_string(server.port())),
        origin_(server.origin()) {}
  /// A browser of a server started with --public-origin `public_origin`:
  /// its Host header and the Origin its pages send name that origin.
  Browser(const Server& server, const std::string& public_origin)
      : port_(server.port()),
        host_(public_origin.substr(public_origin.find("://") + 3)),
        origin_(public_origin) {}

  std::map<std::string, std::string> cookies;

  HttpResult Get(const std::string& target, Headers headers = {}) {
    return Do(http::verb::get, target, {}, std::move(headers));
  }
  /// A fetch() from a page of the chat host: JSON and its Origin.
  HttpResult PostJson(const std::string& target, const json::object& body,
                      std::optional<std::string> origin = std::nullopt) {
    return Do(http::verb::post, target, json::serialize(body),
              {{"Content-Type", "application/json"}, {"Origin", origin.value_or(origin_)}});
  }
  HttpResult PostForm(const std::string& target, const std::string& body,
                      std::optional<std::string> origin = std::nullopt) {
    return Do(http::verb::post, target, body,
              {{"Content-Type", "application/x-www-form-urlencoded"},
               {"Origin", origin.value_or(origin_)}});
  }
  HttpResult Do(http::verb method, const std::string& target, const std::string& body,
                Headers headers) {
    headers.emplace_back("Host", host_);
    std::string cookie;
    for (const auto& [name, value] : cookies) {
      cookie += (cookie.empty() ? "" : "; ") + name + "=" + value;
    }
    if (!cookie.empty()) headers.emplace_back("Cookie", cookie);
    HttpResult result = Send(port_, method, target, headers, body);
    for (const std::string& set : result.set_cookies) {
      const std::size_t equals = set.find('=');
      const std::size_t semi = set.find(';');
      const std::string name = set.substr(0, equals);
      const std::string value = set.substr(equals + 1, semi - equals - 1);
      if (value.empty() || set.find("Max-Age=0") != std::string::npos) {
        cookies.erase(name);
      } else {
        cookies[name] = value;
      }
    }
    return result;
  }

  /// The public ID in this browser's visitor cookie ("" without one).
  std::string Visitor() const {
    auto it = cookies.find("vsso_visitor");
    return it == cookies.end() ? std::string() : it->second.substr(0, it->second.find('.'));
  }

 private:
  unsigned short port_;
  std::string host_;
  std::string origin_;
};

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::int64_t Int(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64()    ? v->as_int64()
         : v != nullptr && v->is_uint64() ? static_cast<std::int64_t>(v->as_uint64())
                                          : -1;
}

std::string Capture(const std::string& text, const std::string& pattern) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(pattern))) return {};
  return match[1];
}

// Opens the chat window (which hands out the visitor cookie).
std::string OpenChatWindow(Browser& visitor) {
  const HttpResult page = visitor.Get("/chat");
  EXPECT_EQ(page.status, 200);
  return visitor.Visitor();
}

// Signs the agent in through the login form, as a browser would.
void SignInAgent(Browser& agent, const std::string& password) {
  const HttpResult form = agent.Get("/agent/login");
  ASSERT_EQ(form.status, 200);
  const std::string csrf = Capture(form.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  ASSERT_FALSE(csrf.empty()) << form.body;
  const HttpResult login =
      agent.PostForm("/agent/login", "username=agent&password=" + PercentEncode(password) +
                                         "&csrf=" + csrf + "&next=%2Fagent");
  ASSERT_EQ(login.status, 303) << login.body;
  ASSERT_EQ(login.location, "/agent");
  ASSERT_TRUE(agent.cookies.contains("vsso_agent"));
}

// Posts a scenario response to the ACS from this browser. They are
// unsolicited (IdP-initiated): the plugin asks this browser to confirm, and
// only the confirmation signs its visitor in (issue 9).
HttpResult SignInVisitor(Browser& visitor, const Server& server, const std::string& response) {
  const std::string xml = ReadFile(server.scenarios() / "responses" / response);
  const HttpResult acs = visitor.PostForm("/sso/acs", "SAMLResponse=" + PercentEncode(Base64(xml)),
                                          "https://idp.example.com");
  if (acs.status != 200) return acs;
  const std::string token = Capture(acs.body, "name=\"token\" value=\"([^\"]+)\"");
  if (token.empty()) return acs;
  return visitor.PostForm("/sso/confirm", "token=" + PercentEncode(token));
}

json::object Diagnostics(Browser& agent) {
  const HttpResult r = agent.Get("/api/agent/diagnostics");
  EXPECT_EQ(r.status, 200) << r.body;
  return r.Json();
}

// ---- pages and sign-in ---------------------------------------------------------

TEST(ServeTest, VisitorPagesAreOpenAndTheChatWindowMakesTheVisitor) {
  Server server;
  Browser browser(server);
  const HttpResult website = browser.Get("/");
  EXPECT_EQ(website.status, 200);
  EXPECT_TRUE(website.HasTestId("chat-button"));
  EXPECT_NE(website.body.find("href=\"/chat\""), std::string::npos);
  const HttpResult embedding = browser.Get("/?embed=1");
  EXPECT_NE(embedding.body.find("data-src=\"/chat\""), std::string::npos);
  // No inline script: the pages' CSP allows scripts from the host only.
  EXPECT_EQ(website.body.find("<script>"), std::string::npos);
  EXPECT_NE(std::string(website.raw["Content-Security-Policy"]).find("script-src 'self';"),
            std::string::npos);

  const HttpResult chat = browser.Get("/chat");
  EXPECT_EQ(chat.status, 200);
  ASSERT_EQ(chat.set_cookies.size(), 1u);
  const std::string& cookie = chat.set_cookies[0];
  EXPECT_TRUE(std::regex_search(cookie, std::regex("^vsso_visitor=[0-9a-f]{32}\\.[0-9a-f]{64};")))
      << cookie;
  for (const char* attribute : {"; HttpOnly", "; Secure", "; SameSite=None", "; Partitioned"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute << " in " << cookie;
  }
  const std::string visitor = browser.Visitor();
  EXPECT_NE(chat.body.find("data-visitor=\"" + visitor + "\""), std::string::npos);
  // The same browser keeps its visitor.
  EXPECT_TRUE(browser.Get("/chat").set_cookies.empty());
  EXPECT_EQ(browser.Visitor(), visitor);
  // Another browser is another visitor.
  Browser other(server);
  EXPECT_NE(OpenChatWindow(other), visitor);

  // No page has an inline script (CSP script-src 'self' would refuse it) or
  // inline style, and every page says so in its CSP.
  for (const char* target : {"/", "/?embed=1", "/chat", "/chat/signed-in", "/agent/login"}) {
    const HttpResult page = browser.Get(target);
    EXPECT_EQ(page.status, 200) << target;
    EXPECT_FALSE(std::regex_search(page.body, std::regex("<script(?![^>]*\\bsrc=)"))) << target;
    EXPECT_FALSE(std::regex_search(page.body, std::regex("<style|\\sstyle=\""))) << target;
    EXPECT_NE(std::string(page.raw["Content-Security-Policy"]).find("script-src 'self';"),
              std::string::npos)
        << target;
  }
  EXPECT_EQ(browser.Get("/web/chat.js").status, 200);
  EXPECT_EQ(browser.Get("/web/chat.html").status, 404) << "templates are not served raw";
  EXPECT_EQ(browser.Get("/nowhere").status, 404);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, AnonymousApiAccessIsRefused) {
  Server server;
  Browser anonymous(server);
  // Agent pages answer with the login page, and hold no data.
  for (const char* page : {"/agent", "/agent/history", "/admin"}) {
    const HttpResult r = anonymous.Get(page);
    EXPECT_EQ(r.status, 401) << page;
    EXPECT_TRUE(r.HasTestId("agent-login-username")) << page;
    EXPECT_TRUE(r.HasTestId("agent-login-password")) << page;
    EXPECT_TRUE(r.HasTestId("agent-login-submit")) << page;
    EXPECT_FALSE(r.HasTestId("visitor-list")) << page;
    EXPECT_FALSE(r.HasTestId("agent-sign-out")) << page;
  }
  // A visitor with a chat, so there is something to leak.
  Browser visitor(server);
  OpenChatWindow(visitor);
  const json::object started = visitor.PostJson("/api/chat/start", {}).Json();
  const std::string chat = Str(started, "chat");
  ASSERT_FALSE(chat.empty());

  // Every agent API, with no cookie and with a visitor's cookie.
  for (Browser* caller : {&anonymous, &visitor}) {
    for (const std::string& target : std::vector<std::string>{
             "/api/agent/chats", "/api/agent/chat?chat=" + chat,
             "/api/agent/messages?chat=" + chat + "&after=0", "/api/history?customer_id=x",
             "/api/admin", "/api/agent/diagnostics"}) {
      const HttpResult r = caller->Get(target);
      EXPECT_EQ(r.status, 401) << target;
      EXPECT_EQ(Str(r.Json(), "code"), "host.not_signed_in") << target;
      EXPECT_EQ(r.body.find(chat), std::string::npos) << target;
      EXPECT_EQ(r.body.find(visitor.Visitor()), std::string::npos) << target;
    }
    for (const char* target : {"/api/agent/messages", "/api/agent/end"}) {
      const HttpResult r = caller->PostJson(target, {{"chat", chat}, {"text", "I am the agent"}});
      EXPECT_EQ(r.status, 401) << target;
    }
  }
  // Visitor APIs without a visitor cookie, or with a forged one.
  Browser forger(server);
  forger.cookies["vsso_visitor"] = visitor.Visitor() + "." + std::string(64, '0');
  for (Browser* caller : {&anonymous, &forger}) {
    const HttpResult start = caller->PostJson("/api/chat/start", {});
    EXPECT_EQ(start.status, 401);
    EXPECT_EQ(Str(start.Json(), "code"), "host.no_visitor");
    EXPECT_EQ(caller->Get("/api/chat/messages?chat=" + chat + "&after=0").status, 401);
    EXPECT_EQ(caller->PostJson("/api/chat/messages", {{"chat", chat}, {"text", "x"}}).status, 401);
  }
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, AgentSignsInWithThePasswordFileAndOut) {
  Server server;
  Browser agent(server);
  const HttpResult form = agent.Get("/agent/login");
  EXPECT_EQ(form.status, 200);
  EXPECT_EQ(std::string(form.raw["X-Frame-Options"]), "DENY");
  const std::string csrf = Capture(form.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  ASSERT_FALSE(csrf.empty());

  // A wrong password: refused, and slowly; while that answer is held back,
  // the client's next attempt is refused without a look at the password.
  HttpResult wrong;
  std::chrono::steady_clock::duration took{};
  std::thread guess([&] {
    Browser guesser = agent;
    const auto before = std::chrono::steady_clock::now();
    wrong = guesser.PostForm("/agent/login",
                             "username=agent&password=guess&csrf=" + csrf + "&next=%2Fagent");
    took = std::chrono::steady_clock::now() - before;
  });
  std::this_thread::sleep_for(150ms);
  const HttpResult hurried = agent.PostForm(
      "/agent/login", "username=agent&password=" + PercentEncode(kPassword) + "&csrf=" + csrf);
  guess.join();
  EXPECT_EQ(wrong.status, 401);
  EXPECT_GE(took, 400ms);
  EXPECT_NE(wrong.body.find("Wrong user name or password."), std::string::npos);
  EXPECT_EQ(hurried.status, 429);
  EXPECT_FALSE(agent.cookies.contains("vsso_agent"));
  std::this_thread::sleep_for(600ms);
  // Without the form's token (login CSRF): refused.
  const HttpResult no_token =
      agent.PostForm("/agent/login", "username=agent&password=" + PercentEncode(kPassword));
  EXPECT_EQ(no_token.status, 403);
  EXPECT_FALSE(agent.cookies.contains("vsso_agent"));

  SignInAgent(agent, kPassword);
  const std::string& session = agent.cookies["vsso_agent"];
  EXPECT_TRUE(std::regex_match(session, std::regex("[0-9a-f]{32}"))) << session;
  const HttpResult console = agent.Get("/agent");
  EXPECT_EQ(console.status, 200);
  EXPECT_TRUE(console.HasTestId("visitor-list"));
  EXPECT_TRUE(console.HasTestId("agent-sign-out"));
  EXPECT_EQ(agent.Get("/api/agent/chats").status, 200);
  EXPECT_EQ(agent.Get("/api/admin").status, 200);

  // Sign-out needs the page's token; then the session is gone for good.
  EXPECT_EQ(agent.PostForm("/agent/logout", "csrf=0").status, 403);
  const std::string sign_out = Capture(console.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  Browser stolen(server);
  stolen.cookies["vsso_agent"] = session;
  const HttpResult out = agent.PostForm("/agent/logout", "csrf=" + sign_out);
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(out.location, "/agent/login");
  EXPECT_FALSE(agent.cookies.contains("vsso_agent"));
  EXPECT_EQ(stolen.Get("/api/agent/chats").status, 401);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, GeneratedAgentPasswordIsPrintedAndWorks) {
  ServerOptions options;
  options.password_file = false;
  Server server(options);
  std::string password;
  for (const std::string& line : server.output()) {
    if (line.starts_with("agent password: ")) password = line.substr(16);
  }
  ASSERT_GE(password.size(), 16u) << "no agent password line";
  Browser agent(server);
  SignInAgent(agent, password);
  EXPECT_EQ(agent.Get("/api/agent/chats").status, 200);
  EXPECT_EQ(server.Terminate(), 0);
}

// ---- visitor identity --------------------------------------------------------------

TEST(ServeTest, FixationThroughALinkIsIgnored) {
  Server server;
  // A victim opens an attacker's link naming the attacker's visitor.
  Browser attacker(server);
  const std::string planted = OpenChatWindow(attacker);
  for (const std::string& link : std::vector<std::string>{
           "/?visitor=" + planted, "/chat?visitor=" + planted, "/?embed=1&visitor=" + planted}) {
    Browser victim(server);
    const HttpResult page = victim.Get(link);
    EXPECT_EQ(page.status, 200) << link;
    EXPECT_EQ(page.body.find(planted), std::string::npos) << link;
    for (const std::string& cookie : page.set_cookies) {
      EXPECT_EQ(cookie.find(planted), std::string::npos) << link;
    }
    OpenChatWindow(victim);
    EXPECT_NE(victim.Visitor(), planted) << link;
  }
  // A browser with a visitor keeps it whatever the link says.
  Browser visitor(server);
  const std::string own = OpenChatWindow(visitor);
  visitor.Get("/chat?visitor=" + planted);
  EXPECT_EQ(visitor.Visitor(), own);
  EXPECT_EQ(visitor.Get("/api/chat/state?visitor=" + planted + "&after=-1").status, 200);
  // The plugin's sign-in link names no visitor either.
  const json::object started = visitor.PostJson("/api/chat/start", {}).Json();
  EXPECT_EQ(Str(started, "sign_in_url"), "/sso/login?return=%2Fchat") << json::serialize(started);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, VisitorSpoofingInABodyIsIgnored) {
  Server server(OptionalPolicy());
  Browser victim(server);
  const std::string victim_id = OpenChatWindow(victim);
  const std::string victim_chat = Str(victim.PostJson("/api/chat/start", {}).Json(), "chat");
  ASSERT_EQ(Str(victim.PostJson("/api/chat/guest", {{"chat", victim_chat}}).Json(), "stage"),
            "prechat");
  ASSERT_EQ(Str(victim
                    .PostJson("/api/chat/prechat",
                              {{"chat", victim_chat}, {"fields", json::object{{"name", "Vic"}}}})
                    .Json(),
                "stage"),
            "chat");
  ASSERT_EQ(
      victim.PostJson("/api/chat/messages", {{"chat", victim_chat}, {"text", "my secret"}}).status,
      200);

  Browser attacker(server);
  OpenChatWindow(attacker);
  // Naming the victim in the body starts the attacker's own chat.
  const json::object started =
      attacker.PostJson("/api/chat/start", {{"visitor", victim_id}}).Json();
  EXPECT_NE(Str(started, "chat"), victim_chat);
  // The victim's chat is not the attacker's to read, write or steer.
  const HttpResult read = attacker.Get("/api/chat/messages?chat=" + victim_chat + "&after=0");
  EXPECT_EQ(read.status, 404);
  EXPECT_EQ(read.body.find("my secret"), std::string::npos);
  for (const char* target : {"/api/chat/messages", "/api/chat/guest", "/api/chat/prechat"}) {
    const HttpResult r = attacker.PostJson(
        target, {{"chat", victim_chat}, {"visitor", victim_id}, {"text", "hijack"}});
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(Str(r.Json(), "code"), "host.unknown_chat") << target;
  }
  Browser agent(server);
  SignInAgent(agent, kPassword);
  const json::object messages =
      agent.Get("/api/agent/messages?chat=" + victim_chat + "&after=0").Json();
  EXPECT_EQ(json::serialize(messages).find("hijack"), std::string::npos);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, AgentImpersonationThroughFromIsIgnored) {
  Server server(OptionalPolicy());
  Browser visitor(server);
  OpenChatWindow(visitor);
  const std::string chat = Str(visitor.PostJson("/api/chat/start", {}).Json(), "chat");
  visitor.PostJson("/api/chat/guest", {{"chat", chat}});
  visitor.PostJson("/api/chat/prechat", {{"chat", chat}, {"fields", json::object{}}});
  const HttpResult posted =
      visitor.PostJson("/api/chat/messages",
                       {{"chat", chat}, {"from", "agent"}, {"text", "Your refund is approved"}});
  EXPECT_EQ(posted.status, 200) << posted.body;
  // The agents' endpoint needs an agent.
  EXPECT_EQ(visitor.PostJson("/api/agent/messages", {{"chat", chat}, {"text", "x"}}).status, 401);

  Browser agent(server);
  SignInAgent(agent, kPassword);
  EXPECT_EQ(agent
                .PostJson("/api/agent/messages",
                          {{"chat", chat}, {"from", "visitor"}, {"text", "How can I help?"}})
                .status,
            200);
  const json::object seen = visitor.Get("/api/chat/messages?chat=" + chat + "&after=0").Json();
  std::map<std::string, std::string> from;
  for (const auto& m : seen.at("messages").as_array()) {
    from[Str(m.as_object(), "text")] = Str(m.as_object(), "from");
  }
  EXPECT_EQ(from["Your refund is approved"], "visitor");
  EXPECT_EQ(from["How can I help?"], "agent");
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, RequiredSignInCannotBeSkippedAsAGuest) {
  Server server;
  Browser visitor(server);
  OpenChatWindow(visitor);
  const json::object started = visitor.PostJson("/api/chat/start", {}).Json();
  EXPECT_EQ(Str(started, "stage"), "sign_in");
  const HttpResult guest = visitor.PostJson("/api/chat/guest", {{"chat", Str(started, "chat")}});
  EXPECT_EQ(guest.status, 403);
  EXPECT_EQ(Str(guest.Json(), "code"), "host.sign_in_required");
  EXPECT_EQ(server.Terminate(), 0);
}

// ---- cross-site requests and hosts -----------------------------------------------

TEST(ServeTest, CrossSitePostIsRefused) {
  Server server(OptionalPolicy());
  Browser victim(server);
  OpenChatWindow(victim);
  Browser agent(server);
  SignInAgent(agent, kPassword);
  const auto open_chats = [&] { return Int(Diagnostics(agent), "chats"); };

  // A form on another site posts text/plain (no CORS preflight) with the
  // victim's cookies: refused, nothing created.
  HttpResult r = victim.Do(http::verb::post, "/api/chat/start", "{}",
                           {{"Content-Type", "text/plain"}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Str(r.Json(), "code"), "host.cross_site");
  r = victim.Do(http::verb::post, "/api/chat/start", "{}",
                {{"Content-Type", "text/plain"}, {"Origin", server.origin()}});
  EXPECT_EQ(r.status, 403) << "text/plain is refused from any origin";
  // JSON from another origin, or from nowhere said.
  EXPECT_EQ(victim.PostJson("/api/chat/start", {}, "https://evil.example").status, 403);
  EXPECT_EQ(victim.PostJson("/api/chat/start", {}, "null").status, 403);
  EXPECT_EQ(
      victim.PostJson("/api/chat/start", {}, "http://localhost:" + std::to_string(server.port()))
          .status,
      403)
      << "another site on the same port is another origin";
  EXPECT_EQ(
      victim.Do(http::verb::post, "/api/chat/start", "{}", {{"Content-Type", "application/json"}})
          .status,
      403);
  EXPECT_EQ(open_chats(), 0);
  // The agent's writes too.
  EXPECT_EQ(agent.PostJson("/api/agent/end", {{"chat", "x"}}, "https://evil.example").status, 403);
  EXPECT_EQ(agent.PostForm("/agent/logout", "csrf=x", "https://evil.example").status, 403);
  EXPECT_EQ(agent.Get("/api/agent/chats").status, 200) << "still signed in";
  // A login form posted from another site signs nobody in.
  Browser other(server);
  EXPECT_EQ(other
                .PostForm("/agent/login", "username=agent&password=" + PercentEncode(kPassword),
                          "https://evil.example")
                .status,
            403);
  EXPECT_FALSE(other.cookies.contains("vsso_agent"));

  // The same request from the chat host's own page works; a Referer
  // stands in for a missing Origin.
  EXPECT_EQ(victim.PostJson("/api/chat/start", {}).status, 200);
  EXPECT_EQ(victim
                .Do(http::verb::post, "/api/chat/start", "{}",
                    {{"Content-Type", "application/json; charset=utf-8"},
                     {"Referer", server.origin() + "/chat"}})
                .status,
            200);
  EXPECT_EQ(open_chats(), 1);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, ForeignHostHeaderIsRefused) {
  // The website on another site (localhost) than the chat host (127.0.0.1).
  ServerOptions options;
  options.extra = {"--website-origin", "http://localhost:1"};
  Server server(options);
  Browser browser(server);
  for (const char* target : {"/", "/chat", "/api/admin", "/sso/metadata", "/web/chat.js"}) {
    for (const std::string& host :
         std::vector<std::string>{"evil.example", "evil.example:" + std::to_string(server.port()),
                                  "127.0.0.1:1", std::string("localhost:80")}) {
      const HttpResult r = Send(server.port(), http::verb::get, target, {{"Host", host}});
      EXPECT_EQ(r.status, 421) << target << " Host: " << host;
    }
    // HTTP/1.1 without Host.
    EXPECT_EQ(Send(server.port(), http::verb::get, target, {}).status, 421) << target;
  }
  // The website origin serves the website, embedding the chat from the chat host...
  const Headers website{{"Host", "localhost:1"}};
  HttpResult page = Send(server.port(), http::verb::get, "/?embed=1", website);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("data-src=\"" + server.origin() + "/chat\""), std::string::npos);
  EXPECT_NE(std::string(page.raw["Content-Security-Policy"]).find("frame-src " + server.origin()),
            std::string::npos);
  EXPECT_EQ(Send(server.port(), http::verb::get, "/web/website.js", website).status, 200);
  // ... and nothing else.
  for (const char* target : {"/chat", "/agent", "/api/admin", "/sso/metadata"}) {
    EXPECT_EQ(Send(server.port(), http::verb::get, target, website).status, 421) << target;
  }
  // The chat window may be framed by the website origin, the console by nobody.
  page = browser.Get("/chat");
  EXPECT_NE(std::string(page.raw["Content-Security-Policy"])
                .find("frame-ancestors 'self' http://localhost:1"),
            std::string::npos);
  EXPECT_EQ(server.Terminate(), 0);
}

// ---- sign-in through the host -----------------------------------------------------

// Sign-out (issue 14): the host's write rule applies to the plugin's
// logout endpoint; a sign-out ends the visitor's signed-in chat with its
// transcript saved for the customer and wakes the chat window. The scenario
// IdP has no SingleLogoutService, so the plugin ends the chat sign-in only.
// The public origin is the ACS's (https://chat.example.com), as in
// production: the plugin accepts sign-outs from the ACS's origin only.
TEST(ServeTest, SignOutEndsTheSignedInChatAndWakesItsWindow) {
  const std::string chat_host = "https://chat.example.com";
  ServerOptions options;
  options.extra = {"--public-origin", chat_host};
  Server server(options);
  Browser visitor(server, chat_host);
  OpenChatWindow(visitor);
  json::object started = visitor.PostJson("/api/chat/start", {}).Json();
  ASSERT_EQ(visitor.Get(Str(started, "sign_in_url")).status, 302);
  ASSERT_EQ(SignInVisitor(visitor, server, "gold.xml").status, 303);
  started = visitor.PostJson("/api/chat/start", {}).Json();
  EXPECT_EQ(Str(started, "stage"), "chat") << json::serialize(started);
  EXPECT_TRUE(started.at("signed_in").as_bool());
  const std::string chat = Str(started, "chat");

  // From another site, from nowhere said, or from an opaque origin: refused
  // by the host, and the visitor stays signed in.
  for (const std::string origin : {"https://evil.example", "null"}) {
    const HttpResult r = visitor.PostForm("/sso/logout", "return=%2Fchat", origin);
    EXPECT_EQ(r.status, 403) << origin;
    EXPECT_EQ(Str(r.Json(), "code"), "host.cross_site") << origin;
  }
  EXPECT_EQ(visitor
                .Do(http::verb::post, "/sso/logout", "return=%2Fchat",
                    {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            403);
  started = visitor.PostJson("/api/chat/start", {}).Json();
  EXPECT_TRUE(started.at("signed_in").as_bool());
  EXPECT_EQ(Str(started, "chat"), chat);

  // The chat window's long poll is woken by the sign-out.
  const json::object before = visitor.Get("/api/chat/state?after=-1").Json();
  json::object woken;
  std::thread poll([&] {
    Browser window = visitor;
    woken = window.Get("/api/chat/state?after=" + std::to_string(Int(before, "version"))).Json();
  });
  std::this_thread::sleep_for(200ms);
  const HttpResult out = visitor.PostForm("/sso/logout", "return=%2Fchat");
  poll.join();
  EXPECT_EQ(out.status, 303) << out.body;
  EXPECT_EQ(out.location, "/chat?sso_signed_out=local");
  EXPECT_EQ(Int(woken, "version"), Int(before, "version") + 1);

  // Signed out: a new chat that needs a sign-in; the old one ended, its
  // transcript tagged with the customer it was held with.
  started = visitor.PostJson("/api/chat/start", {}).Json();
  EXPECT_EQ(Str(started, "stage"), "sign_in");
  EXPECT_FALSE(started.at("signed_in").as_bool());
  EXPECT_NE(Str(started, "chat"), chat);
  Browser agent(server, chat_host);
  SignInAgent(agent, kPassword);
  const json::object history = agent.Get("/api/history?customer_id=cust-gold-001").Json();
  ASSERT_EQ(history.at("transcripts").as_array().size(), 1u) << json::serialize(history);
  const json::object& row = history.at("transcripts").as_array()[0].as_object();
  EXPECT_EQ(Str(row, "chat_id"), chat);
  EXPECT_TRUE(row.at("signed_in").as_bool());

  // Signed out already: nothing to end, and the plugin says so.
  EXPECT_EQ(visitor.PostForm("/sso/logout", "return=%2Fchat").location,
            "/chat?sso_signed_out=none");
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, GoldMemberSignsInIsRoutedAndFoundInHistory) {
  Server server;
  Browser visitor(server);
  const std::string visitor_id = OpenChatWindow(visitor);
  json::object started = visitor.PostJson("/api/chat/start", {}).Json();
  EXPECT_EQ(Str(started, "stage"), "sign_in");
  const std::string chat = Str(started, "chat");
  ASSERT_FALSE(chat.empty());
  // Nobody may chat before signing in.
  EXPECT_EQ(visitor.PostJson("/api/chat/messages", {{"chat", chat}, {"text", "hello"}}).status,
            400);
  // The plugin's sign-in: bound to this browser by the plugin's cookie.
  const HttpResult login = visitor.Get(Str(started, "sign_in_url"));
  EXPECT_EQ(login.status, 302) << login.body;
  EXPECT_TRUE(login.location.starts_with("https://idp.example.com/saml/sso?")) << login.location;
  EXPECT_TRUE(visitor.cookies.contains("vsso_browser"));

  const json::object before = visitor.Get("/api/chat/state?after=-1").Json();
  // The chat window's long poll, woken by the sign-in the host sees.
  json::object woken;
  std::thread poll([&] {
    Browser window = visitor;
    woken = window.Get("/api/chat/state?after=" + std::to_string(Int(before, "version"))).Json();
  });
  std::this_thread::sleep_for(200ms);
  const HttpResult signed_in = SignInVisitor(visitor, server, "gold.xml");
  EXPECT_EQ(signed_in.status, 303) << signed_in.body;
  poll.join();
  EXPECT_EQ(Int(woken, "version"), Int(before, "version") + 1);

  started = visitor.PostJson("/api/chat/start", {}).Json();
  EXPECT_EQ(Str(started, "stage"), "chat") << json::serialize(started);
  EXPECT_EQ(Str(started, "customer_id"), "cust-gold-001");
  EXPECT_EQ(Str(started, "chat"), chat);

  Browser agent(server);
  SignInAgent(agent, kPassword);
  const json::object listed = agent.Get("/api/agent/chats").Json();
  ASSERT_EQ(listed.at("chats").as_array().size(), 1u);
  EXPECT_EQ(Str(listed.at("chats").as_array()[0].as_object(), "visitor"), visitor_id);

  // The agent's long poll returns the visitor's message, whether it was
  // already waiting (woken by the post) or arrives after it.
  json::object messages;
  std::thread waiting([&] {
    Browser console = agent;
    messages = console.Get("/api/agent/messages?chat=" + chat + "&after=1").Json();
  });
  EXPECT_EQ(
      visitor.PostJson("/api/chat/messages", {{"chat", chat}, {"text", "hello <agent>"}}).status,
      200);
  waiting.join();
  ASSERT_EQ(messages.at("messages").as_array().size(), 1u) << json::serialize(messages);
  EXPECT_EQ(Str(messages.at("messages").as_array()[0].as_object(), "text"), "hello <agent>");

  const json::object details = agent.Get("/api/agent/chat?chat=" + chat).Json();
  const json::object& info = details.at("info").as_object();
  EXPECT_EQ(Str(info, "customer_id"), "cust-gold-001");
  EXPECT_TRUE(info.at("verified").as_bool());
  EXPECT_EQ(Str(details, "team"), "Gold Team");
  EXPECT_EQ(Str(details, "rule"), "rule.1");

  const json::object ended = agent.PostJson("/api/agent/end", {{"chat", chat}}).Json();
  EXPECT_EQ(Str(ended, "customer_id"), "cust-gold-001") << json::serialize(ended);
  // A chat ends once.
  EXPECT_EQ(agent.PostJson("/api/agent/end", {{"chat", chat}}).status, 400);
  // The visitor's window sees the end.
  EXPECT_EQ(Str(visitor.Get("/api/chat/messages?chat=" + chat + "&after=2").Json(), "status"),
            "ended");

  const json::object history = agent.Get("/api/history?customer_id=cust-gold-001").Json();
  const json::array& rows = history.at("transcripts").as_array();
  ASSERT_EQ(rows.size(), 1u) << json::serialize(history);
  EXPECT_EQ(Str(rows[0].as_object(), "chat_id"), chat);
  EXPECT_EQ(Str(rows[0].as_object(), "visitor_id"), visitor_id);
  EXPECT_EQ(Str(rows[0].as_object(), "team"), "Gold Team");
  EXPECT_EQ(Str(rows[0].as_object(), "transcript_id"), Str(ended, "transcript_id"));

  // Team and time filters; days are whole UTC days, "until" included.
  const auto count = [&](const std::string& query) {
    const HttpResult page = agent.Get("/api/history?" + query);
    EXPECT_EQ(page.status, 200) << query << ": " << page.body;
    return page.Json().at("transcripts").as_array().size();
  };
  EXPECT_EQ(count("team=Gold%20Team"), 1u);
  EXPECT_EQ(count("team=General"), 0u);
  EXPECT_EQ(count("from=2026-11-24&until=2026-11-24"), 1u);
  EXPECT_EQ(count("from=2026-11-25"), 0u);
  EXPECT_EQ(count("until=2026-11-23"), 0u);
  EXPECT_EQ(count("team=Gold%20Team&until=2026-11-24T12:00:59Z"), 0u);
  EXPECT_EQ(count("team=Gold%20Team&until=2026-11-24T12:01:00Z"), 1u);
  // Bad input is the caller's (400), with its code; numbers are strict.
  for (const auto& [query, code] :
       std::vector<std::pair<std::string, std::string>>{{"from=yesterday", "host.bad_time"},
                                                        {"limit=12abc", "host.bad_limit"},
                                                        {"limit=0", "host.bad_limit"},
                                                        {"limit=%2010", "host.bad_limit"}}) {
    const HttpResult bad = agent.Get("/api/history?" + query);
    EXPECT_EQ(bad.status, 400) << query;
    EXPECT_EQ(Str(bad.Json(), "code"), code) << query;
  }
  const HttpResult bad_after = agent.Get("/api/agent/messages?chat=" + chat + "&after=1x");
  EXPECT_EQ(bad_after.status, 400);
  EXPECT_EQ(Str(bad_after.Json(), "code"), "host.bad_after");
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, PopupHandOffSignsInTheEmbeddedChatsVisitor) {
  Server server;
  // The chat in an iframe on another site: its own (partitioned) visitor.
  Browser iframe(server);
  const std::string embedded_visitor = OpenChatWindow(iframe);
  EXPECT_EQ(Str(iframe.PostJson("/api/chat/start", {}).Json(), "stage"), "sign_in");

  // The popup is a first-party window: another cookie jar. /chat/sign-in
  // makes its visitor and sends it to the plugin's sign-in, which returns to
  // the popup's last page.
  Browser popup(server);
  const HttpResult start = popup.Get("/chat/sign-in");
  EXPECT_EQ(start.status, 302);
  EXPECT_EQ(start.location, "/sso/login?return=%2Fchat%2Fsigned-in");
  const std::string popup_visitor = popup.Visitor();
  ASSERT_FALSE(popup_visitor.empty());
  EXPECT_NE(popup_visitor, embedded_visitor);
  EXPECT_EQ(popup.Get(start.location).status, 302);
  ASSERT_EQ(SignInVisitor(popup, server, "gold.xml").status, 303);
  const HttpResult done = popup.Get("/chat/signed-in");
  EXPECT_EQ(done.status, 200);
  EXPECT_NE(done.body.find("/web/signed_in.js"), std::string::npos);
  // Signed in now: the popup's start goes straight to its last page.
  EXPECT_EQ(popup.Get("/chat/sign-in").location, "/chat/signed-in");

  // signed_in.js: a one-time code for the popup's sign-in (the plugin wants
  // the ACS's origin), handed to the iframe, which redeems it.
  const std::string acs_origin = "https://chat.example.com";
  const HttpResult code = popup.PostJson("/sso/handoff", {}, acs_origin);
  ASSERT_EQ(code.status, 200) << code.body;
  const std::string one_time = Str(code.Json(), "code");
  const json::object before = iframe.Get("/api/chat/state?after=-1").Json();
  const HttpResult redeemed = iframe.PostJson("/sso/redeem", {{"code", one_time}}, acs_origin);
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  EXPECT_EQ(Str(redeemed.Json(), "customer_id"), "cust-gold-001");
  // The host saw the sign-in of the iframe's visitor (its long poll wakes).
  EXPECT_EQ(Int(iframe.Get("/api/chat/state?after=-1").Json(), "version"),
            Int(before, "version") + 1);
  const json::object started = iframe.PostJson("/api/chat/start", {}).Json();
  EXPECT_EQ(Str(started, "stage"), "chat") << json::serialize(started);
  EXPECT_EQ(Str(started, "customer_id"), "cust-gold-001");
  // A code works once.
  Browser third(server);
  OpenChatWindow(third);
  EXPECT_EQ(third.PostJson("/sso/redeem", {{"code", one_time}}, acs_origin).status, 400);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, AdminApiShowsTrustMappingsRulesAndTheLastFailedSignIn) {
  Server server;
  Browser forger(server);
  const std::string forger_id = OpenChatWindow(forger);
  std::string tampered = ReadFile(server.scenarios() / "responses" / "gold.xml");
  const std::size_t gold = tampered.find(">gold<");
  ASSERT_NE(gold, std::string::npos);
  tampered.replace(gold, 6, ">platinum<");
  const HttpResult acs =
      forger.PostForm("/sso/acs", "SAMLResponse=" + PercentEncode(Base64(tampered)));
  EXPECT_EQ(acs.status, 403) << acs.body;

  Browser agent(server);
  SignInAgent(agent, kPassword);
  const json::object admin = agent.Get("/api/admin").Json();
  EXPECT_FALSE(admin.contains("overview_error")) << json::serialize(admin);
  EXPECT_EQ(Str(admin, "sign_in_policy"), "required");
  EXPECT_EQ(Str(admin, "sp_metadata_url"), "/sso/metadata");
  const json::array& certificates = admin.at("certificates").as_array();
  ASSERT_EQ(certificates.size(), 1u);
  EXPECT_EQ(Str(certificates[0].as_object(), "not_after"), "2036-11-21T18:23:57Z");
  const json::object& routing = admin.at("routing").as_object();
  EXPECT_EQ(Str(routing, "default_team"), "General");
  const json::array& failures = admin.at("failures").as_array();
  ASSERT_EQ(failures.size(), 1u);
  const json::object& failure = failures[0].as_object();
  EXPECT_TRUE(Str(failure, "code").starts_with("saml.signature")) << json::serialize(failure);
  // The host told the plugin who posted: its visitor (from the cookie) and address.
  EXPECT_EQ(Str(failure, "visitor_id"), forger_id);
  EXPECT_EQ(Str(failure, "at"), kNow);
  const HttpResult metadata = agent.Get("/sso/metadata");
  EXPECT_EQ(metadata.status, 200);
  EXPECT_NE(metadata.body.find("entityID=\"https://chat.example.com/sso/metadata\""),
            std::string::npos);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, GuestFillsThePrechatSurveyWhenSignInIsOptional) {
  Server server(OptionalPolicy());
  Browser visitor(server);
  OpenChatWindow(visitor);
  const json::object started = visitor.PostJson("/api/chat/start", {}).Json();
  EXPECT_EQ(Str(started, "stage"), "offer") << json::serialize(started);
  const std::string chat = Str(started, "chat");
  const json::object guest = visitor.PostJson("/api/chat/guest", {{"chat", chat}}).Json();
  EXPECT_EQ(Str(guest, "stage"), "prechat") << json::serialize(guest);
  const json::object submitted =
      visitor
          .PostJson(
              "/api/chat/prechat",
              {{"chat", chat},
               {"fields",
                json::object{{"name", "Gus Guest"}, {"company", "Acme"}, {"department", "IT"}}}})
          .Json();
  EXPECT_EQ(Str(submitted, "stage"), "chat") << json::serialize(submitted);
  // The survey answers reach the routing rules and the agent.
  EXPECT_EQ(Str(submitted, "team"), "Key Accounts");
  Browser agent(server);
  SignInAgent(agent, kPassword);
  const json::object details = agent.Get("/api/agent/chat?chat=" + chat).Json();
  EXPECT_EQ(Str(details, "rule"), "rule.2");
  EXPECT_EQ(Str(details.at("info").as_object(), "name"), "Gus Guest");
  EXPECT_FALSE(details.at("info").as_object().at("verified").as_bool());
  EXPECT_TRUE(details.at("info").as_object().at("customer_id").is_null());
  EXPECT_EQ(server.Terminate(), 0);
}

// ---- bounded resources ------------------------------------------------------------

// ---- two websites (issue 12) -----------------------------------------------------

// A platform file with the sites acme (sign-in required) and globex
// (optional), each trusting its own IdP key. Responses are IdP-initiated, so
// a browser confirms them as it does the scenario responses.
class TwoSitePlatform {
 public:
  struct Site {
    std::string id;
    std::string idp;
    const TestKey* key;
  };
  TwoSitePlatform() {
    fs::create_directories(temp_.path() / "sites");
    std::ofstream(config()) << "[platform]\ndatabase = platform.db\nsites = sites\n";
    for (const auto& [site, policy] :
         {std::pair{acme, "required"}, std::pair{globex, "optional"}}) {
      site.key->WriteTo(temp_.path(), site.id + "-idp");
      std::ofstream(temp_.path() / "sites" / (site.id + ".ini"))
          << "[sso]\nsign_in = " << policy << "\nsp_entity_id = " << SpEntityId(site)
          << "\nacs_url = " << AcsUrl(site) << "\nidp_entity_id = " << site.idp
          << "\nidp_sign_in_url = " << site.idp << "/sso\nidp_certificates = ../" << site.id
          << "-idp.crt\nallow_idp_initiated = true\n\n[mapping]\nname = displayName\n\n"
          << "[routing]\ndefault = " << site.id << " team\n";
    }
  }
  std::string config() const { return (temp_.path() / "platform.ini").string(); }
  static std::string SpEntityId(const Site& site) {
    return "https://chat.example.com/sso/" + site.id + "/metadata";
  }
  static std::string AcsUrl(const Site& site) {
    return "https://chat.example.com/sso/" + site.id + "/acs";
  }
  // An unsolicited response of `from`'s IdP made out to `to`'s SP.
  static std::string Response(const Site& from, const Site& to, const std::string& customer) {
    return ResponseBuilder()
        .ResponseId("_r-" + from.id + "-" + to.id + "-" + customer)
        .AssertionId("_a-" + from.id + "-" + to.id + "-" + customer)
        .ResponseIssuer(from.idp)
        .AssertionIssuer(from.idp)
        .Destination(AcsUrl(to))
        .Recipient(AcsUrl(to))
        .AudienceRestriction({SpEntityId(to)})
        .InResponseTo(std::nullopt)
        .SubjectInResponseTo(std::nullopt)
        .NameId(customer)
        .Attribute({"displayName", {"Name of " + customer}})
        .SignAssertion(SignOptions().WithKey(*from.key))
        .Build();
  }

  const Site acme{"acme", "https://idp.acme.example/saml", &IdpRsaKey()};
  const Site globex{"globex", "https://idp.globex.example/saml", &IdpRolloverKey()};

 private:
  TempDir temp_;
};

// Posts `xml` to `acs_path` from this browser and confirms it on the page the
// plugin answers with (its form posts to the site's own /sso/ endpoint).
HttpResult SignInAt(Browser& visitor, const std::string& acs_path, const std::string& xml) {
  const HttpResult acs = visitor.PostForm(acs_path, "SAMLResponse=" + PercentEncode(Base64(xml)),
                                          "https://idp.example.com");
  if (acs.status != 200) return acs;
  const std::string token = Capture(acs.body, "name=\"token\" value=\"([^\"]+)\"");
  const std::string action = Capture(acs.body, "action=\"(/sso/[^\"]+)\"");
  if (token.empty() || action.empty()) return acs;
  return visitor.PostForm(action, "token=" + PercentEncode(token));
}

// kill -HUP: serve asks the plugin to reload. A changed site file takes
// effect without a restart; a broken one leaves its site as it was while the
// other sites' changes still apply.
TEST(ServeTest, HangupReloadsSitesAndABrokenSiteKeepsItsSettings) {
  TwoSitePlatform platform;
  ServerOptions options;
  options.config_path = platform.config();
  options.now = FormatInstant(kTestNow);
  options.extra = {"--site", "acme", "--site", "globex"};
  Server server(options);
  Browser visitor(server);
  ASSERT_EQ(visitor.Get("/s/acme/chat").status, 200);  // the host's visitor cookie
  const auto stage = [&](const std::string& site) {
    return Str(visitor.PostJson("/s/" + site + "/api/chat/start", {}).Json(), "stage");
  };
  ASSERT_EQ(stage("globex"), "offer");
  ASSERT_EQ(stage("acme"), "sign_in");
  const fs::path sites = fs::path(platform.config()).parent_path() / "sites";
  const auto edit = [&](const std::string& site, const std::string& from, const std::string& to) {
    std::ifstream in(sites / (site + ".ini"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(sites / (site + ".ini")) << text;
  };
  // Polls: the reload runs asynchronously after the signal.
  const auto eventually = [&](const std::string& site, const std::string& expected) {
    for (int i = 0; i < 100 && stage(site) != expected; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return stage(site);
  };

  edit("globex", "sign_in = optional", "sign_in = required");
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  EXPECT_EQ(eventually("globex", "sign_in"), "sign_in");

  edit("globex", "sign_in = required", "sign_in = sometimes");
  edit("acme", "sign_in = required", "sign_in = optional");
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  EXPECT_EQ(eventually("acme", "offer"), "offer");
  EXPECT_EQ(stage("globex"), "sign_in") << "the broken file left globex as it was";
  // Still serving after both reloads.
  EXPECT_EQ(server.Terminate(), 0);
}

// Without --site, serve offers every site the plugin's configuration
// defines (PluginDescription::site_ids).
TEST(ServeTest, WithoutSiteOptionServesEveryConfiguredSite) {
  TwoSitePlatform platform;
  ServerOptions options;
  options.config_path = platform.config();
  options.now = FormatInstant(kTestNow);
  Server server(options);
  Browser visitor(server);
  const HttpResult home = visitor.Get("/");
  EXPECT_NE(home.body.find("data-sites=\"acme globex\""), std::string::npos) << home.body;
  ASSERT_EQ(visitor.Get("/s/globex/chat").status, 200);
  EXPECT_EQ(Str(visitor.PostJson("/s/globex/api/chat/start", {}).Json(), "stage"), "offer");
  EXPECT_EQ(Str(visitor.PostJson("/s/acme/api/chat/start", {}).Json(), "stage"), "sign_in");
}

TEST(ServeTest, TwoSitesKeepTheirChatsSignInsAndHistoryApart) {
  TwoSitePlatform platform;
  ServerOptions options;
  options.config_path = platform.config();
  options.now = FormatInstant(kTestNow);
  options.extra = {"--site", "acme", "--site", "globex"};
  Server server(options);
  bool lists_sites = false;
  for (const std::string& line : server.output()) {
    lists_sites = lists_sites || line == "visitor website of site globex: " + server.origin() +
                                             "/s/globex/  " + server.origin() +
                                             "/s/globex/?embed=1";
  }
  EXPECT_TRUE(lists_sites) << ::testing::PrintToString(server.output());

  // Each site's website and chat window live under /s/<site>/; there is no
  // default site, so / lists the sites and /chat is no site's.
  Browser visitor(server);
  const HttpResult home = visitor.Get("/");
  EXPECT_EQ(home.status, 200);
  EXPECT_TRUE(home.HasTestId("site-list"));
  EXPECT_NE(home.body.find("data-sites=\"acme globex\""), std::string::npos) << home.body;
  EXPECT_EQ(visitor.Get("/s/acme").location, "/s/acme/");
  EXPECT_TRUE(visitor.Get("/s/acme/").HasTestId("chat-button"));
  EXPECT_NE(visitor.Get("/s/acme/").body.find("href=\"/s/acme/chat\""), std::string::npos);
  EXPECT_EQ(Str(visitor.Get("/s/initech/").Json(), "code"), "host.unknown_site");
  EXPECT_EQ(Str(visitor.Get("/chat").Json(), "code"), "host.unknown_site");
  const HttpResult window = visitor.Get("/s/acme/chat");
  ASSERT_EQ(window.status, 200);
  for (const char* attribute :
       {"data-site=\"acme\"", "data-base=\"/s/acme\"", "data-redeem=\"/sso/acme/redeem\""}) {
    EXPECT_NE(window.body.find(attribute), std::string::npos) << attribute << window.body;
  }
  const std::string visitor_id = visitor.Visitor();

  // One visitor, one chat per site; acme requires sign-in, globex offers it.
  json::object acme = visitor.PostJson("/s/acme/api/chat/start", {}).Json();
  EXPECT_EQ(Str(acme, "stage"), "sign_in") << json::serialize(acme);
  EXPECT_EQ(Str(acme, "site"), "acme");
  EXPECT_TRUE(Str(acme, "sign_in_url").starts_with("/sso/acme/login?return="))
      << Str(acme, "sign_in_url");
  json::object globex = visitor.PostJson("/s/globex/api/chat/start", {}).Json();
  EXPECT_EQ(Str(globex, "stage"), "offer") << json::serialize(globex);
  const std::string acme_chat = Str(acme, "chat");
  const std::string globex_chat = Str(globex, "chat");
  ASSERT_FALSE(acme_chat.empty());
  EXPECT_NE(acme_chat, globex_chat);
  // A chat belongs to its site: another site's chat window cannot reach it.
  EXPECT_EQ(Str(visitor.PostJson("/s/globex/api/chat/guest", {{"chat", acme_chat}}).Json(), "code"),
            "host.unknown_chat");
  EXPECT_EQ(Str(visitor.Get("/s/globex/api/chat/messages?chat=" + acme_chat).Json(), "code"),
            "host.unknown_chat");
  EXPECT_EQ(visitor.PostJson("/api/chat/start", {}).status, 404);

  // acme's IdP signs nobody in on globex; on acme it does, and only acme's
  // chat windows hear of it.
  const HttpResult crossed = SignInAt(
      visitor, "/sso/globex/acs", TwoSitePlatform::Response(platform.acme, platform.globex, "ann"));
  EXPECT_EQ(crossed.status, 403) << crossed.body;
  const std::int64_t acme_version =
      Int(visitor.Get("/s/acme/api/chat/state?after=-1").Json(), "version");
  const std::int64_t globex_version =
      Int(visitor.Get("/s/globex/api/chat/state?after=-1").Json(), "version");
  const HttpResult signed_in = SignInAt(
      visitor, "/sso/acme/acs", TwoSitePlatform::Response(platform.acme, platform.acme, "ann"));
  EXPECT_EQ(signed_in.status, 303) << signed_in.body;
  EXPECT_EQ(Int(visitor.Get("/s/acme/api/chat/state?after=-1").Json(), "version"),
            acme_version + 1);
  EXPECT_EQ(Int(visitor.Get("/s/globex/api/chat/state?after=-1").Json(), "version"),
            globex_version);
  acme = visitor.PostJson("/s/acme/api/chat/start", {}).Json();
  EXPECT_EQ(Str(acme, "stage"), "chat") << json::serialize(acme);
  EXPECT_EQ(Str(acme, "customer_id"), "ann");
  EXPECT_EQ(Str(acme, "chat"), acme_chat);
  // Not signed in on globex: still a guest there.
  globex = visitor.PostJson("/s/globex/api/chat/start", {}).Json();
  EXPECT_EQ(Str(globex, "stage"), "offer") << json::serialize(globex);
  EXPECT_FALSE(globex.at("signed_in").as_bool());
  const json::object guest =
      visitor.PostJson("/s/globex/api/chat/guest", {{"chat", globex_chat}}).Json();
  EXPECT_EQ(Str(guest, "stage"), "prechat") << json::serialize(guest);
  EXPECT_EQ(Str(visitor
                    .PostJson("/s/globex/api/chat/prechat",
                              {{"chat", globex_chat}, {"fields", {{"name", "Walk-in"}}}})
                    .Json(),
                "stage"),
            "chat");

  // The agent sees both, each with its site, and picks one.
  Browser agent(server);
  SignInAgent(agent, kPassword);
  EXPECT_EQ(agent.Get("/api/agent/chats").Json().at("chats").as_array().size(), 2u);
  const json::array only_acme =
      agent.Get("/api/agent/chats?site=acme").Json().at("chats").as_array();
  ASSERT_EQ(only_acme.size(), 1u);
  EXPECT_EQ(Str(only_acme[0].as_object(), "chat"), acme_chat);
  EXPECT_EQ(Str(only_acme[0].as_object(), "site"), "acme");
  EXPECT_EQ(Str(only_acme[0].as_object(), "visitor"), visitor_id);
  EXPECT_EQ(Str(agent.Get("/api/agent/chats?site=initech").Json(), "code"), "host.unknown_site");
  const json::object details = agent.Get("/api/agent/chat?chat=" + acme_chat).Json();
  EXPECT_EQ(Str(details, "site"), "acme");
  EXPECT_EQ(Str(details.at("info").as_object(), "customer_id"), "ann");
  EXPECT_TRUE(details.at("info").as_object().at("verified").as_bool());
  EXPECT_EQ(Str(details, "team"), "acme team");
  const json::object globex_details = agent.Get("/api/agent/chat?chat=" + globex_chat).Json();
  EXPECT_FALSE(globex_details.at("info").as_object().at("verified").as_bool());
  EXPECT_EQ(Str(globex_details, "team"), "globex team");

  // Each site's History holds its own transcripts.
  EXPECT_EQ(Str(agent.PostJson("/api/agent/end", {{"chat", acme_chat}}).Json(), "customer_id"),
            "ann");
  EXPECT_EQ(agent.PostJson("/api/agent/end", {{"chat", globex_chat}}).status, 200);
  const auto history = [&](const std::string& query) {
    const HttpResult page = agent.Get("/api/history?" + query);
    EXPECT_EQ(page.status, 200) << query << ": " << page.body;
    std::vector<std::string> chats;
    if (page.status != 200) return chats;
    const json::object body = page.Json();
    for (const auto& t : body.at("transcripts").as_array()) {
      chats.push_back(Str(t.as_object(), "chat_id"));
    }
    return chats;
  };
  EXPECT_EQ(history("site=acme&customer_id=ann"), std::vector<std::string>{acme_chat});
  EXPECT_TRUE(history("site=globex&customer_id=ann").empty());
  EXPECT_EQ(history("site=globex&team=globex%20team"), std::vector<std::string>{globex_chat});
  EXPECT_TRUE(history("site=acme&team=globex%20team").empty());
  // No default site here: History needs one.
  EXPECT_EQ(Str(agent.Get("/api/history?customer_id=ann").Json(), "code"), "host.unknown_site");

  // The admin overview is per site.
  const json::object acme_admin = agent.Get("/api/admin?site=acme").Json();
  EXPECT_EQ(Str(acme_admin, "site"), "acme");
  EXPECT_EQ(Str(acme_admin, "sign_in_policy"), "required") << json::serialize(acme_admin);
  EXPECT_EQ(Str(acme_admin, "idp_entity_id"), platform.acme.idp);
  const json::object globex_admin = agent.Get("/api/admin?site=globex").Json();
  EXPECT_EQ(Str(globex_admin, "sign_in_policy"), "optional") << json::serialize(globex_admin);
  EXPECT_EQ(globex_admin.at("failures").as_array().size(), 1u) << json::serialize(globex_admin);
  EXPECT_EQ(acme_admin.at("failures").as_array().size(), 0u);

  // Signing in brings an agent back to the page and site asked for, and
  // never anywhere else.
  Browser late(server);
  const HttpResult asked = late.Get("/admin?site=globex");
  EXPECT_EQ(asked.status, 401);
  EXPECT_NE(asked.body.find("name=\"next\" value=\"/admin?site=globex\""), std::string::npos)
      << asked.body;
  const std::string csrf = Capture(asked.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  for (const auto& [next, location] : std::vector<std::pair<std::string, std::string>>{
           {"/admin?site=globex", "/admin?site=globex"},
           {"/agent/history?site=acme&customer_id=ann", "/agent/history?site=acme&customer_id=ann"},
           {"https://evil.example/admin", "/agent"},
           {"//evil.example/agent", "/agent"},
           {"/admin?site=acme\r\nSet-Cookie: x=y", "/admin"}}) {
    const HttpResult login =
        late.PostForm("/agent/login", "username=agent&password=" + PercentEncode(kPassword) +
                                          "&csrf=" + csrf + "&next=" + PercentEncode(next));
    EXPECT_EQ(login.status, 303) << next << ": " << login.body;
    EXPECT_EQ(login.location, location) << next;
  }
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, MemoryStaysBoundedAfter10000Chats) {
  Server server(OptionalPolicy());
  Browser agent(server);
  SignInAgent(agent, kPassword);
  const json::object limits = Diagnostics(agent).at("limits").as_object();
  const std::int64_t max_chats = Int(limits, "max_chats");
  const std::int64_t max_ended = Int(limits, "max_ended");
  ASSERT_GT(max_chats, 0);
  ASSERT_LT(max_chats, 10000) << "the test must go past the cap";

  // One keep-alive connection; each chat is a new visitor (a cookie made
  // with the shared secret, as another node of the platform would).
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  beast::flat_buffer buffer;
  const auto post = [&](const std::string& target, const std::string& visitor,
                        const json::object& body) {
    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(server.port()));
    request.set(http::field::origin, server.origin());
    request.set(http::field::content_type, "application/json");
    request.set(http::field::cookie, "vsso_visitor=" + VisitorCookieFor(visitor));
    request.body() = json::serialize(body);
    request.prepare_payload();
    stream.expires_after(60s);
    http::write(stream, request);
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    EXPECT_EQ(response.result_int(), 200u) << target << ": " << response.body();
    return json::parse(response.body()).as_object();
  };
  const auto visitor_id = [](int i) {
    std::ostringstream id;
    id << std::hex << std::setw(32) << std::setfill('0') << (0xabc000000 + i);
    return id.str();
  };
  long rss_at_1000 = 0;
  constexpr int kChats = 10000;
  // Every tenth chat is a whole guest chat that the agent ends.
  for (int i = 0; i < kChats; ++i) {
    const std::string visitor = visitor_id(i);
    const json::object started = post("/api/chat/start", visitor, {});
    if (i % 10 == 0) {
      const std::string chat = Str(started, "chat");
      post("/api/chat/guest", visitor, {{"chat", chat}});
      post("/api/chat/prechat", visitor, {{"chat", chat}, {"fields", json::object{{"name", "G"}}}});
      post("/api/chat/messages", visitor, {{"chat", chat}, {"text", std::string(1000, 'x')}});
      EXPECT_EQ(agent.PostJson("/api/agent/end", {{"chat", chat}}).status, 200);
    }
    if (i == 999) rss_at_1000 = RssKib(server.pid());
  }
  const json::object counts = Diagnostics(agent);
  EXPECT_EQ(Int(counts, "chats_created"), kChats);
  EXPECT_LE(Int(counts, "chats"), max_chats) << json::serialize(counts);
  EXPECT_LE(Int(counts, "ended_chats"), max_ended) << json::serialize(counts);
  EXPECT_GE(Int(counts, "chats_evicted"), kChats - max_chats - kChats / 10);
  EXPECT_LE(Int(counts, "visitors"), Int(limits, "max_visitors"));
  EXPECT_EQ(Int(counts, "long_polls"), 0);
  // Growth from chat 1,000 to 10,000 stays small (unbounded, 9,000 more
  // chats and visitors would add well over this).
  const long rss_at_end = RssKib(server.pid());
  EXPECT_LT(rss_at_end - rss_at_1000, 24 * 1024) << rss_at_1000 << " KiB -> " << rss_at_end;
  // The agent's list is bounded too.
  EXPECT_LE(agent.Get("/api/agent/chats").Json().at("chats").as_array().size(),
            static_cast<std::size_t>(max_chats));
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, AnswersWhile300SlowConnectionsAreHeld) {
  Server server;
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> slow;
  for (int i = 0; i < 300; ++i) {
    slow.emplace_back(io);
    slow.back().connect({asio::ip::make_address("127.0.0.1"), server.port()});
    // Half a request line, never finished.
    asio::write(slow.back(), asio::buffer(std::string("GET /chat HTTP/1.1\r\nHo")));
  }
  const auto before = std::chrono::steady_clock::now();
  Browser fresh(server);
  EXPECT_EQ(fresh.Get("/").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, RecoversAfterRunningOutOfFileDescriptors) {
  // A low open-files limit: the held connections exhaust it.
  ServerOptions options;
  options.max_files = 64;
  Server server(options);
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> held;
  for (int i = 0; i < 100; ++i) {
    held.emplace_back(io);
    boost::system::error_code ec;
    held.back().connect({asio::ip::make_address("127.0.0.1"), server.port()}, ec);
  }
  std::this_thread::sleep_for(500ms);
  held.clear();
  // Once they are gone, the server accepts again.
  bool answered = false;
  for (int attempt = 0; attempt < 50 && !answered; ++attempt) {
    try {
      answered = Send(server.port(), http::verb::get, "/",
                      {{"Host", "127.0.0.1:" + std::to_string(server.port())}})
                     .status == 200;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(200ms);
    }
  }
  EXPECT_TRUE(answered);
  EXPECT_EQ(server.Terminate(), 0);
}

TEST(ServeTest, UsageErrorsForBadServeOptions) {
  for (const std::vector<std::string>& extra :
       std::vector<std::vector<std::string>>{{"--website-origin", "localhost:8080"},
                                             {"--public-origin", "ftp://example.com"},
                                             {"--listen", "0.0.0.0:0"},
                                             {"--header-timeout", "10s"},
                                             {"--idle-timeout", "0"},
                                             {"--max-connections", "-1"},
                                             {"--agent-password-file", "/nonexistent/password"},
                                             {"--cookie-secret-file", "/dev/null"},
                                             {"--site", "Acme"},
                                             {"--site", "acme_eu"},
                                             {"--site", "-acme"}}) {
    // Configuring the example creates its database: run on a copy.
    TempDir temp;
    vsso::testing::CopyShippedConfig(fs::path(VSSO_SOURCE_DIR) / "config", temp.path() / "config");
    std::vector<std::string> args{VSSO_SAMPLE_HOST,
                                  "--plugin",
                                  VSSO_PLUGIN,
                                  "--config",
                                  (temp.path() / "config" / "visitor-sso.example.ini").string(),
                                  "serve"};
    args.insert(args.end(), extra.begin(), extra.end());
    if (extra[0] != "--listen") args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    const ProcessResult result = RunProcess(args);
    EXPECT_EQ(result.exit_code, 2) << extra[0] << " " << extra[1] << ": " << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
  }
}

TEST(ServeTest, SigtermEndsOpenConnectionsAndWaitingPollsAndExitsZero) {
  Server server;
  Browser visitor(server);
  OpenChatWindow(visitor);
  // A long poll waiting for a sign-in.
  std::thread poll([&] {
    try {
      visitor.Get("/api/chat/state?after=0");
    } catch (const std::exception&) {
      // Closed by the server: what this test wants.
    }
  });
  // A keep-alive connection waiting for its next request.
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  http::request<http::string_body> request{http::verb::get, "/", 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(server.port()));
  request.keep_alive(true);
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  ASSERT_EQ(response.result_int(), 200u);
  ASSERT_TRUE(response.keep_alive());
  std::this_thread::sleep_for(200ms);

  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(server.Terminate(), 0);
  poll.join();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 10s) << "the long poll held the exit";
  boost::system::error_code ec;
  http::read(socket, buffer, response, ec);
  EXPECT_TRUE(ec) << "the server left the connection open";
}

}  // namespace
}  // namespace vsso::testing
