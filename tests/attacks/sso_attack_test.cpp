// Issue 9's attacks, end to end: the real `sample-host serve` with the real
// plugin .so, a test deployment (keys the test generates, a real SQLite
// file), and HTTP clients that behave like separate browsers, each with its
// own cookie jar and, where it matters, its own client address on loopback.
// What each attack achieved is read back from the plugin's own store and its
// admin CLI, not from the host's pages.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "saml/authn_request.hpp"
#include "store/database.hpp"
#include "support/browser_client.hpp"
#include "support/deployment.hpp"
#include "support/process.hpp"
#include "support/serve_process.hpp"
#include "support/test_idp.hpp"

namespace vsso::testing {
namespace {

constexpr const char* kServeNow = "2027-01-15T08:00:00Z";  // kTestNow

// The real server on a free loopback port, over `config`.
class Serve {
 public:
  explicit Serve(const std::filesystem::path& config)
      : process_({VSSO_SAMPLE_HOST, "--plugin", VSSO_PLUGIN, "--config", config.string(), "serve",
                  "--listen", "127.0.0.1:0", "--now", kServeNow},
                 config.parent_path() / "serve-stderr.txt") {}
  unsigned short port() const { return process_.port(); }

 private:
  ServeProcess process_;
};

// A browser of `serve` (support/browser_client.hpp), reaching it by its
// loopback address.
class Browser : public BrowserClient {
 public:
  Browser(const Serve& serve, std::string address = "127.0.0.1")
      : BrowserClient(serve.port(), "127.0.0.1:" + std::to_string(serve.port()),
                      std::move(address)) {}
};

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

// Follows /sso/login to the IdP's door: the RelayState and the request ID.
Started StartSignIn(Browser& browser, const std::string& query = "return=%2Fchat") {
  const Reply r = browser.Get("/sso/login?" + query);
  EXPECT_EQ(r.status, 302) << r.body;
  const std::string location = r.Header("Location");
  Started s;
  s.relay_state = QueryValue(location, "RelayState");
  auto xml = saml::DecodeRedirectRequest(QueryValue(location, "SAMLRequest"));
  EXPECT_TRUE(xml);
  if (xml) {
    const auto at = xml->find("ID=\"");
    s.request_id = xml->substr(at + 4, xml->find('"', at + 4) - at - 4);
  }
  return s;
}

std::string SignedResponse(const std::optional<std::string>& request_id,
                           const std::string& customer, const std::string& assertion_id) {
  ResponseBuilder b;
  b.ResponseId("_r" + assertion_id)
      .AssertionId(assertion_id)
      .InResponseTo(request_id)
      .SubjectInResponseTo(request_id)
      .NameId(customer)
      .Attribute({"displayName", {customer + " Name"}});
  return b.Build();
}

std::string AcsBody(const std::string& xml, const std::string& relay_state) {
  return "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(xml)) +
         (relay_state.empty() ? "" : "&RelayState=" + url::EncodeQueryValue(relay_state));
}

class SsoAttack : public ::testing::Test {
 protected:
  void Start(DeploymentOptions options = {}) {
    options.extra_sso += "max_pending_sign_ins = 50\n";
    deployment_ = std::make_unique<Deployment>(options);
    serve_ = std::make_unique<Serve>(deployment_->config());
  }

  // Rows of the plugin's own store.
  std::int64_t Count(const std::string& sql) {
    auto db = store::Database::Open(deployment_->database().string());
    EXPECT_TRUE(db);
    auto n = (*db)->Read([&](store::Connection& c) -> Result<std::int64_t> {
      auto q = c.Prepare(sql);
      if (!q) return std::move(q).error();
      auto row = q->Step();
      if (!row) return std::move(row).error();
      const std::int64_t v = q->Int(0);
      (void)q->Run();
      return v;
    });
    EXPECT_TRUE(n);
    return n ? *n : -1;
  }
  std::int64_t Sessions() { return Count("SELECT COUNT(*) FROM sso_sessions"); }

  std::unique_ptr<Deployment> deployment_;
  std::unique_ptr<Serve> serve_;
};

TEST_F(SsoAttack, VictimLinkSignsInOnlyTheVictimsOwnChat) {
  Start();
  Browser attacker(*serve_);
  attacker.OpenChat();
  Browser victim(*serve_);
  victim.OpenChat();
  // The link names the attacker's visitor every way it could.
  const Started s = StartSignIn(victim, "visitor=v-attacker&return=%2Fchat%3Fvisitor%3Dv-attacker");
  const Reply acs = victim.PostForm(
      "/sso/acs", AcsBody(SignedResponse(s.request_id, "cust-victim", "_a1"), s.relay_state));
  ASSERT_EQ(acs.status, 303) << acs.body;
  EXPECT_EQ(Sessions(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sso_sessions WHERE visitor_id = 'v-attacker'"), 0);
  // The attacker's browser is still not signed in: its visitor has no
  // session, so a hand-off code cannot be had there.
  EXPECT_EQ(attacker.PostJson("/sso/handoff", "{}", "https://chat.example.com").status, 404);
  EXPECT_EQ(victim.PostJson("/sso/handoff", "{}", "https://chat.example.com").status, 200);
}

TEST_F(SsoAttack, RelayStateReplayedFromAnotherBrowserIsRefused) {
  Start();
  Browser attacker(*serve_);
  attacker.OpenChat();
  const Started s = StartSignIn(attacker);
  const std::string body =
      AcsBody(SignedResponse(s.request_id, "cust-attacker", "_a1"), s.relay_state);
  // Login CSRF: a page of another site makes the victim's browser post the
  // attacker's SAMLResponse and RelayState.
  Browser victim(*serve_);
  victim.OpenChat();
  const Reply forged = victim.PostForm("/sso/acs", body, "https://evil.example");
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(forged.Code(), "sso.acs.browser_mismatch");
  EXPECT_EQ(forged.Header("Location"), "");
  EXPECT_EQ(Sessions(), 0);
}

TEST_F(SsoAttack, UnsolicitedResponseSignsNobodyInWithoutThisBrowsersConfirmation) {
  DeploymentOptions options;
  options.allow_idp_initiated = true;
  Start(options);
  Browser victim(*serve_);
  victim.OpenChat();
  // The attacker's own IdP-initiated response, posted by the victim's browser.
  const Reply page =
      victim.PostForm("/sso/acs", AcsBody(SignedResponse(std::nullopt, "cust-attacker", "_a1"), ""),
                      "https://evil.example");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("data-testid=\"sso-confirm\""), std::string::npos);
  EXPECT_NE(page.Header("Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(Sessions(), 0) << "nobody is signed in by an unsolicited response";
  // A cross-site form cannot confirm it: it does not know the token, and a
  // token from another browser is refused.
  Browser attacker(*serve_);
  attacker.OpenChat();
  const Reply own = attacker.PostForm(
      "/sso/acs", AcsBody(SignedResponse(std::nullopt, "cust-attacker", "_a2"), ""));
  ASSERT_EQ(own.status, 200);
  const auto at = own.body.find("name=\"token\" value=\"");
  ASSERT_NE(at, std::string::npos);
  const Reply stolen = victim.PostForm("/sso/confirm", "token=" + own.body.substr(at + 20, 32),
                                       "https://evil.example");
  EXPECT_EQ(stolen.status, 403);
  EXPECT_EQ(stolen.Code(), "sso.confirm.browser_mismatch");
  EXPECT_EQ(Sessions(), 0);
  // The browser that received it confirms it: only then a session.
  const auto mine = page.body.find("name=\"token\" value=\"");
  const Reply confirmed =
      victim.PostForm("/sso/confirm", "token=" + page.body.substr(mine + 20, 32));
  EXPECT_EQ(confirmed.status, 303) << confirmed.body;
  EXPECT_EQ(Sessions(), 1);
}

TEST_F(SsoAttack, ReturnAddressTricksNeverLeaveTheSiteNorSplitAHeader) {
  Start();
  Browser visitor(*serve_);
  visitor.OpenChat();
  for (const std::string& trick : std::vector<std::string>{
           "%2F%0d%0aSet-Cookie:%20injected=1", "%2F%09%2Fevil.example%2F", "%2F%5Cevil.example",
           "%2F%2Fevil.example", "%2F%252F%252Fevil.example", "%2Fchat%2F..%2F%2Fevil.example",
           "https%3A%2F%2Fevil.example%2F", "%2F" + std::string(2100, 'a')}) {
    const Reply r = visitor.Get("/sso/login?return=" + trick);
    EXPECT_EQ(r.status, 400) << trick;
    EXPECT_EQ(r.Code(), "sso.login.bad_return_url") << trick;
    EXPECT_EQ(r.Header("Location"), "") << trick;
    for (const auto& [name, value] : r.headers) {
      EXPECT_EQ(value.find("injected"), std::string::npos) << name << ": " << value;
    }
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM authn_requests"), 0);
}

TEST_F(SsoAttack, PendingSignInFloodStaysBounded) {
  Start();
  // One browser: at most five pending sign-ins, whatever it sends.
  Browser flooder(*serve_);
  flooder.OpenChat();
  for (int i = 0; i < 40; ++i) ASSERT_EQ(flooder.Get("/sso/login?return=%2F").status, 302);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM authn_requests"), 5);
  // Fresh browsers each time: the site's cap (50 here) holds, with its code.
  int refused = 0;
  for (int i = 0; i < 60; ++i) {
    Browser fresh(*serve_);
    fresh.OpenChat();
    const Reply r = fresh.Get("/sso/login?return=%2F");
    if (r.status == 503) {
      EXPECT_EQ(r.Code(), "sso.login.too_many_pending");
      ++refused;
    }
  }
  EXPECT_EQ(refused, 15);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM authn_requests"), 50);
  // Without a visitor at the host nothing is stored at all.
  Browser bare(*serve_);
  EXPECT_EQ(bare.Get("/sso/login?return=%2F").Code(), "sso.login.no_visitor");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM authn_requests"), 50);
}

TEST_F(SsoAttack, JunkAcsFloodDoesNotHideARealFailure) {
  Start();
  // A real visitor's sign-in fails (an assertion for another audience).
  Browser visitor(*serve_);
  visitor.OpenChat();
  const Started s = StartSignIn(visitor);
  ResponseBuilder wrong;
  wrong.InResponseTo(s.request_id)
      .SubjectInResponseTo(s.request_id)
      .AudienceRestriction({"https://someone-else.example/"});
  ASSERT_EQ(visitor.PostForm("/sso/acs", AcsBody(wrong.Build(), s.relay_state)).status, 403);
  // Then 2,000 junk posts from one other address, and one with a 120 KB
  // unverified Issuer.
  Browser junk(*serve_, "127.0.0.2");
  const auto junk_with_issuer = [](const std::string& issuer) {
    return AcsBody(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_x\" Version=\"2.0\" "
        "IssueInstant=\"2027-01-15T08:00:00Z\"><saml:Issuer>" +
            issuer + "</saml:Issuer></samlp:Response>",
        "");
  };
  const std::string junk_body = junk_with_issuer("https://junk.example/\x01\x1b[31m");
  for (int i = 0; i < 2000; ++i) ASSERT_NE(junk.PostForm("/sso/acs", junk_body).status, 303);
  ASSERT_NE(junk.PostForm("/sso/acs", junk_with_issuer(std::string(120 * 1024, 'I'))).status, 303);
  EXPECT_LE(Count("SELECT COUNT(*) FROM audit_log WHERE remote_address = '127.0.0.2'"), 3);
  EXPECT_EQ(Count("SELECT MAX(length(CAST(issuer AS BLOB)) + length(CAST(message AS BLOB))) <= "
                  "512 FROM audit_log"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE instr(message, char(27)) > 0 OR "
                  "instr(issuer, char(27)) > 0 OR instr(message, char(1)) > 0"),
            0);
  const ProcessResult failures = RunProcess(
      {VSSO_ADMIN, "failures", "--config", deployment_->config().string(), "--limit", "20"});
  ASSERT_EQ(failures.exit_code, 0) << failures.err;
  EXPECT_NE(failures.out.find("saml.audience"), std::string::npos) << failures.out;
}

TEST_F(SsoAttack, TwentyThousandAttributesAreRefusedWithTheirCode) {
  Start();
  Browser visitor(*serve_);
  std::string element = "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"";
  for (int i = 0; i < 20000; ++i) element += " a" + std::to_string(i) + "=\"x\"";
  element += "/>";
  const Reply r = visitor.PostForm("/sso/acs", AcsBody(element, ""));
  EXPECT_EQ(r.Code(), "saml.xml.too_many_attributes") << r.status;
  EXPECT_EQ(Sessions(), 0);
}

// Secrets on disk, as the real sample host sees them (its `run` command's
// admin_overview event, the JSON behind /admin).
ProcessResult AdminOverviewThroughTheHost(const Deployment& deployment) {
  const auto events = deployment.dir() / "admin.jsonl";
  std::ofstream(events) << "{\"event\":\"admin_overview\"}\n";
  return RunProcess({VSSO_SAMPLE_HOST, "--plugin", VSSO_PLUGIN, "--config",
                     deployment.config().string(), "run", events.string()});
}

TEST(SsoSecrets, KeyReadableByOthersIsAWarningAndWritableByOthersIsRefused) {
  Deployment deployment;
  const auto key = deployment.dir() / "sp.key";
  std::filesystem::permissions(key, std::filesystem::perms(0644));
  const ProcessResult readable = AdminOverviewThroughTheHost(deployment);
  EXPECT_NE(readable.out.find("\"warnings\":[\""), std::string::npos) << readable.out;
  EXPECT_NE(readable.out.find("chmod 600"), std::string::npos) << readable.out;
  const ProcessResult check =
      RunProcess({VSSO_ADMIN, "check-config", deployment.config().string()});
  EXPECT_NE(check.out.find("chmod 600"), std::string::npos) << check.out << check.err;

  std::filesystem::permissions(key, std::filesystem::perms(0646));
  const ProcessResult writable = AdminOverviewThroughTheHost(deployment);
  EXPECT_NE((writable.out + writable.err).find("config.key_permissions"), std::string::npos)
      << writable.out << writable.err;
  const ProcessResult refused =
      RunProcess({VSSO_ADMIN, "check-config", deployment.config().string()});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE((refused.out + refused.err).find("config.key_permissions"), std::string::npos)
      << refused.out << refused.err;
}

TEST(SsoSecrets, ExampleCertificateFailsTheCheckButStillLoadsWithAWarning) {
  Deployment deployment;
  // The IdP certificate shipped in config/certs, whose key is public.
  std::filesystem::copy_file(
      std::filesystem::path(VSSO_SOURCE_DIR) / "config" / "certs" / "idp.pem",
      deployment.dir() / "idp.crt", std::filesystem::copy_options::overwrite_existing);
  const ProcessResult check =
      RunProcess({VSSO_ADMIN, "check-config", deployment.config().string()});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_NE((check.out + check.err).find("idp.crt"), std::string::npos) << check.out << check.err;
  const ProcessResult overview = AdminOverviewThroughTheHost(deployment);
  EXPECT_NE(overview.out.find("\"ok\":true"), std::string::npos) << overview.out;
  EXPECT_NE(overview.out.find("example"), std::string::npos) << overview.out;
}

}  // namespace
}  // namespace vsso::testing
