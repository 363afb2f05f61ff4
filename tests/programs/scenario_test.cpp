// Black-box tests of `sample-host run`: the shipped scenarios of
// sample-host/scenarios/ played by the real binary against the real plugin,
// checked event by event on the JSON result lines (docs/sample-host.md), and
// `run -` driven line by line with responses the test IdP signs for the
// AuthnRequest the plugin just made.
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "support/deployment.hpp"
#include "support/process.hpp"
#include "support/test_idp.hpp"
#include "support/test_keys.hpp"

namespace vsso::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kNow = "2026-11-24T12:01:00Z";

// The scenarios and the example certificates they point at
// (../../../config/certs from scenarios/config), copied with the same layout so
// that the stores are created in the temp dir, never in the source tree.
class ScenarioDir {
 public:
  ScenarioDir() {
    const fs::path source(VSSO_SOURCE_DIR);
    fs::create_directories(dir().parent_path());
    fs::copy(source / "sample-host" / "scenarios", dir(), fs::copy_options::recursive);
    fs::create_directories(temp_.path() / "config");
    fs::copy(source / "config" / "certs", temp_.path() / "config" / "certs",
             fs::copy_options::recursive);
  }
  fs::path dir() const { return temp_.path() / "sample-host" / "scenarios"; }

 private:
  TempDir temp_;
};

struct ScenarioRun {
  ProcessResult process;
  std::vector<json::object> results;
};

ScenarioRun RunScenario(const ScenarioDir& scenarios, const std::string& config,
                        const std::string& scenario,
                        std::vector<std::string> extra = {"--now", kNow}) {
  std::vector<std::string> argv = {VSSO_SAMPLE_HOST,
                                   "--plugin",
                                   VSSO_PLUGIN,
                                   "--config",
                                   (scenarios.dir() / "config" / config).string(),
                                   "run",
                                   (scenarios.dir() / scenario).string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ScenarioRun run{RunProcess(argv), {}};
  for (const std::string& line : SplitLines(run.process.out)) {
    json::value value = json::parse(line);  // throws (and fails the test) on a bad line
    run.results.push_back(value.as_object());
  }
  return run;
}

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool Ok(const json::object& o) { return o.at("ok").as_bool(); }

// What an agent sees under the field `key` in a section, or "" when absent.
std::string FieldValue(const json::object& o, const char* section, const std::string& key) {
  for (const auto& f : o.at(section).as_array()) {
    if (Str(f.as_object(), "key") == key) return Str(f.as_object(), "value");
  }
  return {};
}

TEST(ScenarioTest, RequiredGoldMemberSignsInChatsAndIsFoundInHistory) {
  ScenarioDir scenarios;
  ScenarioRun run = RunScenario(scenarios, "required.ini", "required_gold.jsonl");
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err;
  EXPECT_EQ(run.process.err, "");
  ASSERT_EQ(run.results.size(), 8u) << run.process.out;
  const auto& r = run.results;

  EXPECT_EQ(Str(r[0], "event"), "chat_start");
  EXPECT_EQ(Str(r[0], "visitor"), "v1");
  EXPECT_EQ(Str(r[0], "decision"), "require_sign_in");
  EXPECT_FALSE(Ok(r[0]));
  EXPECT_EQ(Str(r[0], "code"), "chat.sign_in_required");
  EXPECT_NE(Str(r[0], "message").find(Str(r[0], "sign_in_url")), std::string::npos);
  EXPECT_TRUE(
      Str(r[0], "idp_redirect").starts_with("https://idp.example.com/saml/sso?SAMLRequest="))
      << Str(r[0], "idp_redirect");
  EXPECT_TRUE(Str(r[0], "authn_request_id").starts_with("_")) << json::serialize(r[0]);

  // The shipped responses carry no InResponseTo: the ACS takes the pending
  // sign-in (only with the browser cookie /sso/login set, so the runner's
  // cookie jar is what lets this pass), then asks this browser to confirm.
  EXPECT_EQ(Str(r[1], "event"), "saml_post");
  EXPECT_TRUE(Ok(r[1])) << json::serialize(r[1]);
  EXPECT_EQ(r[1].at("acs_status").as_int64(), 200);
  EXPECT_EQ(Str(r[1], "confirmation"), "confirmed");
  EXPECT_EQ(r[1].at("status").as_int64(), 303);
  EXPECT_EQ(Str(r[1], "location"), "/chat?visitor=v1");
  EXPECT_EQ(Str(r[1], "signed_in_visitor"), "v1");

  EXPECT_EQ(Str(r[2], "decision"), "proceed");
  EXPECT_TRUE(Ok(r[2]));
  EXPECT_TRUE(r[2].at("signed_in").as_bool());
  EXPECT_EQ(Str(r[2], "customer_id"), "cust-gold-001");

  EXPECT_EQ(Str(r[3], "event"), "prechat");
  EXPECT_EQ(Str(r[3], "decision"), "skip");
  EXPECT_EQ(FieldValue(r[3], "prefill", "email"), "zoe@acme.example");

  const json::object& info = r[4].at("info").as_object();
  EXPECT_EQ(Str(info, "customer_id"), "cust-gold-001");
  EXPECT_EQ(Str(info, "name"), "Zoë Gold");
  EXPECT_TRUE(info.at("verified").as_bool());
  EXPECT_EQ(Str(info, "signed_in_at"), kNow);
  EXPECT_EQ(FieldValue(r[4], "prechat_section", "prechat:Account Number"), "A-1001");
  EXPECT_EQ(FieldValue(r[4], "custom_variables", "variable:membership_level"), "gold");

  EXPECT_EQ(Str(r[5], "decision"), "route");
  EXPECT_EQ(Str(r[5], "team"), "Gold Team");
  EXPECT_EQ(Str(r[5], "rule"), "rule.1");

  EXPECT_EQ(Str(r[6], "chat"), "c1");
  EXPECT_EQ(Str(r[6], "customer_id"), "cust-gold-001");
  EXPECT_EQ(Str(r[6].at("tags").as_object(), "team"), "Gold Team");

  EXPECT_EQ(Str(r[7], "event"), "history");
  const json::array& transcripts = r[7].at("transcripts").as_array();
  ASSERT_EQ(transcripts.size(), 1u) << json::serialize(r[7]);
  EXPECT_EQ(Str(transcripts[0].as_object(), "transcript_id"), "c1");
  EXPECT_EQ(Str(transcripts[0].as_object(), "visitor_id"), "v1");
  EXPECT_EQ(Str(transcripts[0].as_object(), "team"), "Gold Team");
  EXPECT_EQ(Str(transcripts[0].as_object(), "saved_at"), kNow);
}

TEST(ScenarioTest, RequiredWithoutResponseIsRefusedWithTheSignInUrl) {
  ScenarioDir scenarios;
  ScenarioRun run = RunScenario(scenarios, "required.ini", "required_no_response.jsonl");
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err;
  ASSERT_EQ(run.results.size(), 3u) << run.process.out;
  for (int i : {0, 1}) {
    const auto& r = run.results[static_cast<std::size_t>(i)];
    EXPECT_FALSE(Ok(r));
    EXPECT_EQ(Str(r, "decision"), "require_sign_in");
    EXPECT_EQ(Str(r, "code"), "chat.sign_in_required");
    // The link names no visitor (issue 9, "victim link"): whoever opens it
    // signs in only the visitor their own host session names.
    EXPECT_EQ(Str(r, "sign_in_url"), "/sso/login?return=%2Fchat%3Fvisitor%3Dv2");
  }
  const json::object& info = run.results[2].at("info").as_object();
  EXPECT_FALSE(info.at("verified").as_bool());
  EXPECT_TRUE(info.at("customer_id").is_null());
}

TEST(ScenarioTest, OptionalGuestIsRoutedOnWhatTheyTypedAndMemberSkipsTheSurvey) {
  ScenarioDir scenarios;
  ScenarioRun run = RunScenario(scenarios, "optional.ini", "optional_guest.jsonl");
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err;
  ASSERT_EQ(run.results.size(), 13u) << run.process.out;
  const auto& r = run.results;

  EXPECT_EQ(Str(r[0], "decision"), "offer_sign_in");
  EXPECT_TRUE(Ok(r[0]));
  EXPECT_FALSE(Str(r[0], "sign_in_url").empty());

  EXPECT_EQ(Str(r[1], "decision"), "show");
  EXPECT_TRUE(r[1].at("prefill").as_array().empty());

  const json::object& guest = r[2].at("info").as_object();
  EXPECT_FALSE(guest.at("verified").as_bool());
  EXPECT_EQ(Str(guest, "name"), "Gus Guest");
  EXPECT_TRUE(guest.at("customer_id").is_null());
  EXPECT_EQ(FieldValue(r[2], "prechat_section", "prechat:Account Number"), "G-77");

  // Typed company Globex, department Support: rule.2.
  EXPECT_EQ(Str(r[3], "team"), "Key Accounts");
  EXPECT_EQ(Str(r[3], "rule"), "rule.2");

  EXPECT_EQ(Str(r[4].at("tags").as_object(), "signed_in"), "false");
  EXPECT_TRUE(r[4].at("customer_id").is_null());

  EXPECT_EQ(Str(r[5], "visitor"), "v4");
  EXPECT_EQ(Str(r[5], "decision"), "offer_sign_in");
  EXPECT_TRUE(Ok(r[6])) << json::serialize(r[6]);
  EXPECT_EQ(r[6].at("status").as_int64(), 303) << json::serialize(r[6]);
  EXPECT_EQ(Str(r[7], "decision"), "proceed");
  EXPECT_EQ(Str(r[7], "customer_id"), "cust-silver-002");
  EXPECT_EQ(Str(r[8], "decision"), "skip");
  EXPECT_EQ(Str(r[9].at("info").as_object(), "customer_id"), "cust-silver-002");
  EXPECT_EQ(Str(r[12], "event"), "history");
  ASSERT_EQ(r[12].at("transcripts").as_array().size(), 1u) << json::serialize(r[12]);
  EXPECT_EQ(Str(r[12].at("transcripts").as_array()[0].as_object(), "chat_id"), "c4");
}

TEST(ScenarioTest, ResponsesOutsideTheirValidityWindowAreRefusedByTheAcs) {
  ScenarioDir scenarios;
  // An hour later the static response has expired: the ACS says why.
  ScenarioRun run = RunScenario(scenarios, "required.ini", "required_gold.jsonl",
                                {"--now=2026-11-24T14:01:00+01:00"});
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err;
  ASSERT_GE(run.results.size(), 3u);
  EXPECT_FALSE(Ok(run.results[1]));
  EXPECT_EQ(run.results[1].at("status").as_int64(), 403);
  EXPECT_TRUE(Str(run.results[1], "code").starts_with("saml.")) << json::serialize(run.results[1]);
  EXPECT_EQ(Str(run.results[2], "decision"), "require_sign_in");
}

TEST(ScenarioTest, IdpInitiatedResponseSignsInOnlyAfterTheVisitorConfirms) {
  ScenarioDir scenarios;
  ScenarioRun run = RunScenario(scenarios, "required.ini", "idp_initiated.jsonl");
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err;
  ASSERT_EQ(run.results.size(), 4u) << run.process.out;
  const auto& r = run.results;

  EXPECT_TRUE(Ok(r[0])) << json::serialize(r[0]);
  EXPECT_EQ(r[0].at("acs_status").as_int64(), 200);
  EXPECT_EQ(Str(r[0], "confirmation"), "confirmed");
  EXPECT_EQ(r[0].at("status").as_int64(), 303);
  EXPECT_EQ(Str(r[0], "location"), "/");  // no pending sign-in, no RelayState
  EXPECT_EQ(Str(r[0], "signed_in_visitor"), "v5");
  EXPECT_EQ(Str(r[1], "decision"), "proceed");
  EXPECT_EQ(Str(r[1], "customer_id"), "cust-gold-001");

  // Posted but never confirmed: the response is used up, nobody signed in.
  EXPECT_FALSE(Ok(r[2]));
  EXPECT_EQ(Str(r[2], "code"), "run.not_confirmed");
  EXPECT_EQ(Str(r[2], "confirmation"), "declined");
  EXPECT_EQ(r[2].at("status").as_int64(), 200);
  EXPECT_FALSE(r[2].contains("signed_in_visitor"));
  EXPECT_EQ(Str(r[3], "decision"), "require_sign_in");
  EXPECT_FALSE(r[3].at("signed_in").as_bool());
}

TEST(ScenarioTest, RelayStateOfAnotherBrowserIsRefusedAsBrowserMismatch) {
  ScenarioDir scenarios;
  ScenarioRun run = RunScenario(scenarios, "required.ini", "relay_state_of_another_browser.jsonl");
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err;
  ASSERT_EQ(run.results.size(), 7u) << run.process.out;
  const auto& r = run.results;

  EXPECT_EQ(Str(r[2], "relay_state_of"), "mallory");
  EXPECT_FALSE(Ok(r[2]));
  EXPECT_EQ(r[2].at("status").as_int64(), 403);
  EXPECT_EQ(Str(r[2], "code"), "sso.acs.browser_mismatch") << json::serialize(r[2]);
  EXPECT_TRUE(r[2].at("confirmation").is_null());
  EXPECT_FALSE(r[2].contains("signed_in_visitor"));
  // Neither the victim nor the attacker got a session out of it.
  for (std::size_t i : {3u, 4u}) {
    EXPECT_EQ(Str(r[i], "decision"), "require_sign_in") << i;
    EXPECT_FALSE(r[i].at("signed_in").as_bool()) << i;
  }
  // The refusal came before validation: the victim's own sign-in still works.
  EXPECT_TRUE(Ok(r[5])) << json::serialize(r[5]);
  EXPECT_EQ(Str(r[5], "signed_in_visitor"), "v7");
  EXPECT_EQ(Str(r[6], "customer_id"), "cust-gold-001");
}

TEST(ScenarioTest, SamlPostOptionsAreChecked) {
  ScenarioDir scenarios;
  {
    std::ofstream out(scenarios.dir() / "options.jsonl");
    out << "{\"event\":\"saml_post\",\"visitor\":\"v1\",\"file\":\"responses/gold.xml\","
           "\"relay_state_of\":\"nobody\"}\n"
           "{\"event\":\"saml_post\",\"visitor\":\"v1\",\"file\":\"responses/gold.xml\","
           "\"relay_state_of\":7}\n"
           "{\"event\":\"saml_post\",\"visitor\":\"v1\",\"file\":\"responses/gold.xml\","
           "\"confirm\":\"no\"}\n";
  }
  ScenarioRun run = RunScenario(scenarios, "required.ini", "options.jsonl");
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err;
  ASSERT_EQ(run.results.size(), 3u) << run.process.out;
  for (const auto& r : run.results) {
    EXPECT_FALSE(Ok(r));
    EXPECT_EQ(Str(r, "code"), "scenario.bad_event") << json::serialize(r);
  }
  EXPECT_NE(Str(run.results[0], "message").find("no sign-in in progress"), std::string::npos);
}

// `run -` with the child's stdin and stdout on one socket pair, so the test
// answers each result before it writes the next event, as a driver would.
class InteractiveRun {
 public:
  InteractiveRun(const std::vector<std::string>& argv, const fs::path& stderr_file) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) throw std::runtime_error("socketpair");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::close(fds[0]);
      ::dup2(fds[1], STDIN_FILENO);
      ::dup2(fds[1], STDOUT_FILENO);
      std::FILE* err = std::fopen(stderr_file.c_str(), "w");
      if (err != nullptr) ::dup2(::fileno(err), STDERR_FILENO);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    fd_ = fds[0];
  }
  ~InteractiveRun() { Finish(); }

  // Sends one event line and returns its result line, parsed.
  json::object Send(const std::string& line) {
    const std::string data = line + "\n";
    if (::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(data.size())) {
      throw std::runtime_error("sample-host run - stopped reading");
    }
    std::string out;
    while (true) {
      const std::size_t newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        out = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        break;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 30'000) != 1) throw std::runtime_error("no result within 30 s");
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) throw std::runtime_error("sample-host run - ended early");
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    return json::parse(out).as_object();
  }

  // Ends the input and returns the exit code.
  int Finish() {
    if (pid_ <= 0) return exit_code_;
    ::shutdown(fd_, SHUT_WR);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(fd_);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  int exit_code_ = -1;
  std::string buffer_;
};

// A response the test IdP signs for the AuthnRequest the plugin just made.
fs::path SolicitedResponse(const Deployment& d, const std::string& request_id,
                           const std::string& customer) {
  const fs::path file = d.dir() / (customer + ".xml");
  std::ofstream(file) << ResponseBuilder()
                             .ResponseId("_r-" + customer)
                             .AssertionId("_a-" + customer)
                             .InResponseTo(request_id)
                             .NameId(customer)
                             .Attribute({"displayName", {customer + " Name"}})
                             .Build();
  return file;
}

TEST(ScenarioTest, SolicitedResponseIsAcceptedOnlyInTheBrowserThatStartedIt) {
  // IdP-initiated sign-in off: only answers to this plugin's AuthnRequests.
  Deployment d;
  const fs::path err = d.dir() / "stderr.txt";
  InteractiveRun run({VSSO_SAMPLE_HOST, "--plugin", VSSO_PLUGIN, "--config", d.config().string(),
                      "run", "-", "--now", FormatInstant(kTestNow)},
                     err);

  // The visitor's own sign-in: the ACS answers 303 at once, no confirmation.
  json::object started = run.Send(R"({"event":"chat_start","visitor":"v1"})");
  ASSERT_EQ(Str(started, "decision"), "require_sign_in") << json::serialize(started);
  const std::string v1_request = Str(started, "authn_request_id");
  ASSERT_FALSE(v1_request.empty());
  json::object posted =
      run.Send(R"({"event":"saml_post","visitor":"v1","file":")" +
               SolicitedResponse(d, v1_request, "alice@example.org").string() + "\"}");
  EXPECT_TRUE(Ok(posted)) << json::serialize(posted);
  EXPECT_EQ(posted.at("status").as_int64(), 303);
  EXPECT_EQ(posted.at("acs_status").as_int64(), 303);
  EXPECT_TRUE(posted.at("confirmation").is_null());
  EXPECT_EQ(Str(posted, "location"), "/chat?visitor=v1");
  EXPECT_EQ(Str(posted, "signed_in_visitor"), "v1");
  EXPECT_EQ(Str(run.Send(R"({"event":"chat_start","visitor":"v1"})"), "customer_id"),
            "alice@example.org");

  // Login CSRF with a genuine answer to mallory's own request, posted from
  // v2's browser: refused, and neither of them is signed in by it.
  const std::string mallory_request =
      Str(run.Send(R"({"event":"chat_start","visitor":"mallory"})"), "authn_request_id");
  ASSERT_FALSE(mallory_request.empty());
  json::object forged =
      run.Send(R"({"event":"saml_post","visitor":"v2","relay_state_of":"mallory","file":")" +
               SolicitedResponse(d, mallory_request, "mallory@example.org").string() + "\"}");
  EXPECT_FALSE(Ok(forged));
  EXPECT_EQ(Str(forged, "code"), "sso.acs.browser_mismatch") << json::serialize(forged);
  EXPECT_EQ(forged.at("status").as_int64(), 403);
  for (const char* visitor : {"v2", "mallory"}) {
    json::object after =
        run.Send(std::string(R"({"event":"chat_start","visitor":")") + visitor + "\"}");
    EXPECT_FALSE(after.at("signed_in").as_bool()) << visitor;
  }

  // Without a pending sign-in of its own the response is unsolicited, which
  // this deployment refuses (no confirmation page, nobody signed in).
  json::object unsolicited =
      run.Send(R"({"event":"saml_post","visitor":"v3","file":")" +
               SolicitedResponse(d, "_never-requested", "eve@example.org").string() + "\"}");
  EXPECT_FALSE(Ok(unsolicited));
  EXPECT_EQ(unsolicited.at("status").as_int64(), 403);
  EXPECT_TRUE(unsolicited.at("confirmation").is_null());
  EXPECT_TRUE(Str(unsolicited, "code").starts_with("saml.")) << json::serialize(unsolicited);

  EXPECT_EQ(run.Finish(), 0);
}

// ---- two websites of one platform (issue 12) ----------------------------------

// One website of the platform below: its SP, its IdP and the IdP's key.
struct TestSite {
  std::string id;
  std::string sign_in;
  std::string idp;
  const TestKey* idp_key;
  std::string team;
  std::string SpEntityId() const { return "https://chat.example.com/sso/" + id + "/metadata"; }
  std::string AcsUrl() const { return "https://chat.example.com/sso/" + id + "/acs"; }
};

// A platform file with two sites, each trusting its own IdP (its own key):
// acme requires sign-in, globex offers it.
class TwoSitePlatform {
 public:
  TwoSitePlatform() {
    fs::create_directories(dir() / "sites");
    std::ofstream(config()) << "[platform]\ndatabase = platform.db\nsites = sites\n";
    for (const TestSite& site : {acme, globex}) {
      site.idp_key->WriteTo(dir(), site.id + "-idp");
      std::ofstream(dir() / "sites" / (site.id + ".ini"))
          << "[sso]\nsign_in = " << site.sign_in << "\nsp_entity_id = " << site.SpEntityId()
          << "\nacs_url = " << site.AcsUrl() << "\nidp_entity_id = " << site.idp
          << "\nidp_sign_in_url = " << site.idp << "/sso\nidp_certificates = ../" << site.id
          << "-idp.crt\n\n[mapping]\nname = displayName\n\n[routing]\ndefault = " << site.team
          << "\n";
    }
  }
  fs::path dir() const { return temp_.path(); }
  fs::path config() const { return dir() / "platform.ini"; }

  // A response `issuer_site`'s IdP signs for `to_site`'s SP, answering `request_id`.
  fs::path Response(const TestSite& issuer_site, const TestSite& to_site,
                    const std::string& request_id, const std::string& customer) const {
    const fs::path file = dir() / (issuer_site.id + "-to-" + to_site.id + "-" + customer + ".xml");
    std::ofstream(file) << ResponseBuilder()
                               .ResponseIssuer(issuer_site.idp)
                               .AssertionIssuer(issuer_site.idp)
                               .Destination(to_site.AcsUrl())
                               .Recipient(to_site.AcsUrl())
                               .AudienceRestriction({to_site.SpEntityId()})
                               .InResponseTo(request_id)
                               .NameId(customer)
                               .Attribute({"displayName", {customer + " Name"}})
                               .SignAssertion(SignOptions().WithKey(*issuer_site.idp_key))
                               .Build();
    return file;
  }

  const TestSite acme{"acme", "required", "https://idp.acme.example/saml", &IdpRsaKey(),
                      "Acme Team"};
  const TestSite globex{"globex", "optional", "https://idp.globex.example/saml", &IdpRolloverKey(),
                        "Globex Team"};

 private:
  TempDir temp_;
};

TEST(ScenarioTest, TwoSitesSignInRouteAndKeepHistoryApart) {
  TwoSitePlatform platform;
  const TestSite& acme = platform.acme;
  const TestSite& globex = platform.globex;
  InteractiveRun run({VSSO_SAMPLE_HOST, "--plugin", VSSO_PLUGIN, "--config",
                      platform.config().string(), "run", "-", "--now", FormatInstant(kTestNow)},
                     platform.dir() / "stderr.txt");
  const auto event = [](const std::string& name, const std::string& site,
                        const std::string& more = "") {
    return R"({"event":")" + name + R"(","site":")" + site + "\"" + more + "}";
  };

  // acme requires sign-in: the plugin's sign-in URL names the site, and the
  // browser following it is sent to acme's IdP.
  json::object acme_start = run.Send(event("chat_start", "acme", R"(,"visitor":"v1")"));
  EXPECT_EQ(Str(acme_start, "site"), "acme");
  EXPECT_EQ(Str(acme_start, "decision"), "require_sign_in") << json::serialize(acme_start);
  EXPECT_TRUE(Str(acme_start, "sign_in_url").starts_with("/sso/acme/login?return="))
      << Str(acme_start, "sign_in_url");
  EXPECT_TRUE(Str(acme_start, "idp_redirect").starts_with(acme.idp + "/sso?"))
      << Str(acme_start, "idp_redirect");
  const std::string acme_request = Str(acme_start, "authn_request_id");
  ASSERT_FALSE(acme_request.empty()) << json::serialize(acme_start);

  // globex offers sign-in to the same browser, at its own IdP.
  json::object globex_start = run.Send(event("chat_start", "globex", R"(,"visitor":"v1")"));
  EXPECT_TRUE(Ok(globex_start)) << json::serialize(globex_start);
  EXPECT_EQ(Str(globex_start, "decision"), "offer_sign_in");
  EXPECT_TRUE(Str(globex_start, "sign_in_url").starts_with("/sso/globex/login?return="))
      << Str(globex_start, "sign_in_url");
  EXPECT_TRUE(Str(globex_start, "idp_redirect").starts_with(globex.idp + "/sso?"));
  const std::string globex_request = Str(globex_start, "authn_request_id");
  ASSERT_FALSE(globex_request.empty());

  // acme's IdP cannot sign anyone in on globex, even with a response made
  // out to globex's SP for globex's own request.
  json::object crossed = run.Send(event(
      "saml_post", "globex",
      R"(,"visitor":"v1","file":")" +
          platform.Response(acme, globex, globex_request, "ann@acme.example").string() + "\""));
  EXPECT_FALSE(Ok(crossed)) << json::serialize(crossed);
  EXPECT_EQ(crossed.at("acs_status").as_int64(), 403) << json::serialize(crossed);
  EXPECT_FALSE(crossed.contains("signed_in_visitor"));

  // acme's own response, posted to acme's ACS, signs v1 in on acme.
  json::object signed_in = run.Send(
      event("saml_post", "acme",
            R"(,"visitor":"v1","file":")" +
                platform.Response(acme, acme, acme_request, "ann@acme.example").string() + "\""));
  EXPECT_TRUE(Ok(signed_in)) << json::serialize(signed_in);
  EXPECT_EQ(Str(signed_in, "signed_in_visitor"), "v1");
  EXPECT_EQ(Str(signed_in, "location"), "/s/acme/chat?visitor=v1");

  // Signed in on acme only: globex still offers sign-in to the same browser.
  json::object acme_again = run.Send(event("chat_start", "acme", R"(,"visitor":"v1")"));
  EXPECT_TRUE(Ok(acme_again)) << json::serialize(acme_again);
  EXPECT_EQ(Str(acme_again, "decision"), "proceed");
  EXPECT_EQ(Str(acme_again, "customer_id"), "ann@acme.example");
  json::object globex_again = run.Send(event("chat_start", "globex", R"(,"visitor":"v1")"));
  EXPECT_EQ(Str(globex_again, "decision"), "offer_sign_in") << json::serialize(globex_again);
  EXPECT_FALSE(globex_again.at("signed_in").as_bool());

  // Each site routes by its own rules and tags its own transcripts.
  EXPECT_EQ(Str(run.Send(event("route", "acme", R"(,"visitor":"v1")")), "team"), "Acme Team");
  EXPECT_EQ(Str(run.Send(event("route", "globex", R"(,"visitor":"v1")")), "team"), "Globex Team");
  json::object acme_end = run.Send(event("chat_end", "acme", R"(,"visitor":"v1","chat":"a1")"));
  EXPECT_EQ(Str(acme_end, "customer_id"), "ann@acme.example") << json::serialize(acme_end);
  json::object globex_end = run.Send(event("chat_end", "globex", R"(,"visitor":"v1","chat":"g1")"));
  EXPECT_TRUE(Ok(globex_end)) << json::serialize(globex_end);
  EXPECT_TRUE(globex_end.at("customer_id").is_null()) << json::serialize(globex_end);

  // Each site's History holds its own transcripts only.
  const auto transcripts = [&](const std::string& site, const std::string& query) {
    json::object page = run.Send(event("history", site, query));
    EXPECT_TRUE(Ok(page)) << site << query << ": " << json::serialize(page);
    std::vector<std::string> chats;
    if (!page.contains("transcripts")) return chats;
    for (const auto& t : page.at("transcripts").as_array()) {
      chats.push_back(Str(t.as_object(), "chat_id"));
    }
    return chats;
  };
  EXPECT_EQ(transcripts("acme", R"(,"customer_id":"ann@acme.example")"),
            std::vector<std::string>{"a1"});
  EXPECT_TRUE(transcripts("globex", R"(,"customer_id":"ann@acme.example")").empty());
  EXPECT_EQ(transcripts("globex", R"(,"team":"Globex Team")"), std::vector<std::string>{"g1"});
  EXPECT_TRUE(transcripts("acme", R"(,"team":"Globex Team")").empty());

  // Each site's admin overview describes that site.
  json::object acme_admin = run.Send(event("admin_overview", "acme"));
  ASSERT_TRUE(Ok(acme_admin)) << json::serialize(acme_admin);
  EXPECT_EQ(Str(acme_admin, "site"), "acme");
  EXPECT_EQ(Str(acme_admin, "sign_in_policy"), "required");
  EXPECT_EQ(Str(acme_admin, "sp_entity_id"), acme.SpEntityId());
  EXPECT_EQ(acme_admin.at("site_count").as_int64(), 2);
  json::object globex_admin = run.Send(event("admin_overview", "globex"));
  ASSERT_TRUE(Ok(globex_admin)) << json::serialize(globex_admin);
  EXPECT_EQ(Str(globex_admin, "sign_in_policy"), "optional");
  EXPECT_EQ(Str(globex_admin, "idp_entity_id"), globex.idp);
  // The refused cross-site response is globex's failure, not acme's.
  EXPECT_EQ(globex_admin.at("failures").as_array().size(), 1u) << json::serialize(globex_admin);
  EXPECT_EQ(acme_admin.at("failures").as_array().size(), 0u) << json::serialize(acme_admin);

  // A site the plugin does not know is refused, not served as another.
  json::object unknown = run.Send(event("chat_start", "initech", R"(,"visitor":"v1")"));
  EXPECT_FALSE(Ok(unknown));
  EXPECT_EQ(Str(unknown, "code"), "site.unknown") << json::serialize(unknown);
  // No "default" site in this platform: an event without a site is unknown too.
  json::object no_site = run.Send(R"({"event":"history","customer_id":"ann@acme.example"})");
  EXPECT_EQ(Str(no_site, "code"), "site.unknown") << json::serialize(no_site);
  // Not a site ID at all: the scenario is wrong, the plugin is not asked.
  for (const char* bad : {R"("Acme")", R"("acme_eu")", R"("")", "7"}) {
    json::object r =
        run.Send(std::string(R"({"event":"chat_start","visitor":"v1","site":)") + bad + "}");
    EXPECT_EQ(Str(r, "code"), "scenario.bad_event") << bad << json::serialize(r);
  }
  EXPECT_EQ(run.Finish(), 0);
}

TEST(ScenarioTest, AdminOverviewShowsTrustRulesAndTheRefusedSignIn) {
  ScenarioDir scenarios;
  {
    std::ofstream out(scenarios.dir() / "admin.jsonl");
    out << "{\"event\":\"chat_start\",\"visitor\":\"v1\"}\n"
           "{\"event\":\"saml_post\",\"visitor\":\"v1\",\"file\":\"responses/gold.xml\"}\n"
           "{\"event\":\"admin_overview\",\"failure_limit\":5}\n"
           "{\"event\":\"admin_overview\",\"failure_limit\":0}\n";
  }
  // An hour after the response's window: the ACS refuses it.
  ScenarioRun run =
      RunScenario(scenarios, "required.ini", "admin.jsonl", {"--now=2026-11-24T13:01:00Z"});
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err;
  ASSERT_EQ(run.results.size(), 4u) << run.process.out;
  const json::object& overview = run.results[2];
  ASSERT_TRUE(Ok(overview)) << json::serialize(overview);
  EXPECT_EQ(Str(overview, "sign_in_policy"), "required");
  EXPECT_EQ(Str(overview, "sp_metadata_url"), "/sso/metadata");
  const json::array& certificates = overview.at("certificates").as_array();
  ASSERT_EQ(certificates.size(), 1u);
  EXPECT_EQ(certificates[0].as_object().at("days_left").as_int64(), 3650);
  EXPECT_EQ(overview.at("routing").as_object().at("rules").as_array().size(), 2u);
  EXPECT_EQ(overview.at("mappings").as_array().size(), 6u);
  // SDK 2.2: the value as written beside the (alias-expanded) names.
  const json::object& name_mapping = overview.at("mappings").as_array()[0].as_object();
  EXPECT_EQ(Str(name_mapping, "configured"), "displayName");
  EXPECT_EQ(name_mapping.at("attributes").as_array().size(), 1u);
  const json::array& failures = overview.at("failures").as_array();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_TRUE(Str(failures[0].as_object(), "code").starts_with("saml."))
      << json::serialize(failures[0]);
  EXPECT_EQ(Str(failures[0].as_object(), "visitor_id"), "v1");
  // SDK 1.2: identical refusals are folded; this one happened once.
  EXPECT_EQ(failures[0].as_object().at("count").as_int64(), 1);
  EXPECT_EQ(Str(failures[0].as_object(), "last_at"), Str(failures[0].as_object(), "at"));
  EXPECT_EQ(Str(failures[0].as_object(), "remote_address"), "127.0.0.1");
  // The scenario trusts the example IdP certificate, whose key is public.
  const json::array& warnings = overview.at("warnings").as_array();
  ASSERT_EQ(warnings.size(), 1u) << json::serialize(warnings);
  EXPECT_NE(std::string(warnings[0].as_string()).find("is the example config/certs/idp.pem"),
            std::string::npos)
      << json::serialize(warnings);
  EXPECT_FALSE(Ok(run.results[3]));
  EXPECT_EQ(Str(run.results[3], "code"), "scenario.bad_event");
}

TEST(ScenarioTest, BadLinesAreReportedAndTheRunGoesOn) {
  ScenarioDir scenarios;
  {
    std::ofstream out(scenarios.dir() / "bad.jsonl");
    out << "# comment\n\n{not json\n{\"event\":\"dance\",\"visitor\":\"v1\"}\n"
           "{\"event\":\"chat_end\",\"visitor\":\"v1\"}\n"
           "{\"event\":\"saml_post\",\"visitor\":\"v1\",\"file\":\"missing.xml\"}\n"
           "{\"event\":\"chat_start\",\"visitor\":\"v1\"}\n";
  }
  ScenarioRun run = RunScenario(scenarios, "optional.ini", "bad.jsonl");
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err;
  ASSERT_EQ(run.results.size(), 5u) << run.process.out;
  EXPECT_TRUE(run.results[0].at("event").is_null());
  EXPECT_EQ(Str(run.results[0], "message").substr(0, 7), "line 3:");
  EXPECT_EQ(Str(run.results[1], "event"), "dance");
  EXPECT_EQ(Str(run.results[1], "message").substr(0, 7), "line 4:");
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_FALSE(Ok(run.results[i]));
    EXPECT_EQ(Str(run.results[i], "code"), "scenario.bad_event") << i;
  }
  EXPECT_EQ(Str(run.results[4], "decision"), "offer_sign_in");
}

TEST(ScenarioTest, UnreadableScenarioAndBadNowAreRefused) {
  ScenarioDir scenarios;
  ScenarioRun missing = RunScenario(scenarios, "optional.ini", "no-such.jsonl");
  EXPECT_EQ(missing.process.exit_code, 1);
  EXPECT_EQ(missing.process.out, "");
  EXPECT_NE(missing.process.err.find("[scenario.unreadable]"), std::string::npos)
      << missing.process.err;

  ScenarioRun bad_now =
      RunScenario(scenarios, "optional.ini", "optional_guest.jsonl", {"--now", "2026-11-24 12:01"});
  EXPECT_EQ(bad_now.process.exit_code, 2);
  EXPECT_NE(bad_now.process.err.find("[host.usage]"), std::string::npos) << bad_now.process.err;
}

}  // namespace
}  // namespace vsso::testing
