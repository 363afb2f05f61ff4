// Sign-out and single logout attacks, end to end: the real `sample-host
// serve` with the real plugin .so over a test deployment, HTTP clients that
// act as separate browsers (own cookie jars), and the test IdP's logout
// messages (support/test_idp_logout.hpp). Outcomes are read from the
// plugin's own store.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "saml/authn_request.hpp"
#include "store/database.hpp"
#include "support/browser_client.hpp"
#include "support/deployment.hpp"
#include "support/serve_process.hpp"
#include "support/test_idp.hpp"
#include "support/test_idp_logout.hpp"

namespace vsso::testing {
namespace {

constexpr const char* kServeNow = "2027-01-15T08:00:00Z";  // kTestNow
constexpr char kIdpSlo[] = "https://idp.example.org/saml2/idp/SingleLogoutService.php";
constexpr char kSpSlo[] = "https://chat.example.com/sso/slo";
constexpr char kOrigin[] = "https://chat.example.com";

// The real server on a free loopback port, over `config`. The host's public
// origin is the deployment's (acs_url's), so the host's own same-origin check
// of /sso/logout and the plugin's agree on what "this site" is.
class Serve {
 public:
  explicit Serve(const std::filesystem::path& config)
      : process_({VSSO_SAMPLE_HOST, "--plugin", VSSO_PLUGIN, "--config", config.string(), "serve",
                  "--listen", "127.0.0.1:0", "--now", kServeNow, "--public-origin", kOrigin},
                 config.parent_path() / "serve-stderr.txt") {}
  unsigned short port() const { return process_.port(); }

 private:
  ServeProcess process_;
};

// A browser (support/browser_client.hpp) reaching `serve` by the public
// origin's host.
class Browser : public BrowserClient {
 public:
  Browser(const Serve& serve, std::string address = "127.0.0.1")
      : BrowserClient(serve.port(), "chat.example.com", std::move(address)) {}
};

std::string AttrOf(const std::string& xml, const std::string& name) {
  const auto at = xml.find(" " + name + "=\"");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 3;
  return xml.substr(start, xml.find('"', start) - start);
}

class SloAttack : public ::testing::Test {
 protected:
  void Start() {
    DeploymentOptions options;
    options.extra_sso = std::string("idp_logout_url = ") + kIdpSlo + "\n";
    deployment_ = std::make_unique<Deployment>(options);
    serve_ = std::make_unique<Serve>(deployment_->config());
  }

  // A complete sign-in of `browser` (its chat opened first) as `name_id`.
  void SignIn(Browser& browser, const std::string& name_id, const std::string& session_index) {
    browser.OpenChat();
    const Reply login = browser.Get("/sso/login?return=%2Fchat");
    ASSERT_EQ(login.status, 302) << login.body;
    const std::string query = QueryOfUrl(login.Header("Location"));
    auto xml = saml::DecodeRedirectRequest(*QueryValue(query, "SAMLRequest"));
    ASSERT_TRUE(xml);
    const std::string request_id = AttrOf(*xml, "ID");
    ResponseBuilder b;
    b.AssertionId(RandomId())
        .InResponseTo(request_id)
        .SubjectInResponseTo(request_id)
        .NameId(name_id)
        .SessionIndex(session_index);
    const Reply acs = browser.PostForm(
        "/sso/acs", "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(b.Build())) +
                        "&RelayState=" + url::EncodeQueryValue(*QueryValue(query, "RelayState")));
    ASSERT_EQ(acs.status, 303) << acs.body;
  }

  std::int64_t Sessions() {
    auto db = store::Database::Open(deployment_->database().string());
    EXPECT_TRUE(db);
    auto n = (*db)->Read([&](store::Connection& c) -> Result<std::int64_t> {
      auto q = c.Prepare("SELECT COUNT(*) FROM sso_sessions");
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

  std::unique_ptr<Deployment> deployment_;
  std::unique_ptr<Serve> serve_;
};

TEST_F(SloAttack, CrossSiteSignOutFormIsRefused) {
  Start();
  Browser victim(*serve_);
  SignIn(victim, "gold@example.org", "_s1");
  // A page of another site auto-submits a sign-out form in the victim's
  // browser (logout CSRF): the browser sends that site's Origin.
  const Reply forged = victim.PostForm("/sso/logout", "return=%2Fchat", "https://evil.example");
  EXPECT_EQ(forged.status, 403) << forged.body;
  // The sample host checks Origin itself before forwarding (host.cross_site);
  // the plugin's own check (sso.logout.cross_origin) is what a host without
  // one relies on (tests/plugin/hooks/logout_flow_test.cpp). Either refuses.
  EXPECT_TRUE(forged.Code() == "sso.logout.cross_origin" ||
              forged.body.find("\"host.cross_site\"") != std::string::npos)
      << forged.Code() << " " << forged.body;
  EXPECT_EQ(Sessions(), 1);
  const Reply real = victim.PostForm("/sso/logout", "return=%2Fchat", kOrigin);
  EXPECT_EQ(real.status, 302) << real.body;
  EXPECT_TRUE(real.Header("Location").starts_with(std::string(kIdpSlo) + "?SAMLRequest="));
  EXPECT_EQ(Sessions(), 0);
}

TEST_F(SloAttack, LogoutResponseOpenedInAnotherBrowserIsRefused) {
  Start();
  Browser visitor(*serve_);
  SignIn(visitor, "gold@example.org", "_s1");
  const Reply out = visitor.PostForm("/sso/logout", "return=%2Fchat", kOrigin);
  ASSERT_EQ(out.status, 302) << out.body;
  const std::string query = QueryOfUrl(out.Header("Location"));
  IdpLogoutResponseSpec spec;
  spec.destination = kSpSlo;
  spec.in_response_to = AttrOf(InflateRedirectValue(*QueryValue(query, "SAMLRequest")), "ID");
  const std::string answer =
      RedirectQuery("SAMLResponse", IdpLogoutResponseXml(spec), *QueryValue(query, "RelayState"));
  Browser other(*serve_);
  other.OpenChat();
  const Reply stolen = other.Get("/sso/slo?" + answer);
  EXPECT_EQ(stolen.status, 403) << stolen.body;
  EXPECT_EQ(stolen.Code(), "sso.slo.browser_mismatch");
  // Taken once: the refused attempt used it up, so the real browser gets
  // the plain "unknown" page, never the attacker's choice of page.
  const Reply late = visitor.Get("/sso/slo?" + answer);
  EXPECT_EQ(late.Code(), "sso.slo.unknown_relay_state");
}

TEST_F(SloAttack, IdpLogoutEndsTheSessionAndIsAnsweredWithAVerifiableResponse) {
  Start();
  Browser visitor(*serve_);
  SignIn(visitor, "gold@example.org", "_s1");
  Browser other(*serve_);
  SignIn(other, "silver@example.org", "_s2");
  IdpLogoutRequestSpec spec;
  spec.destination = kSpSlo;
  spec.session_indexes = {"_s1"};
  spec.not_on_or_after = kTestNow + 300;
  const std::string request = RedirectQuery("SAMLRequest", IdpLogoutRequestXml(spec), "rs");
  const Reply r = visitor.Get("/sso/slo?" + request);
  ASSERT_EQ(r.status, 302) << r.body;
  const std::string answer = QueryOfUrl(r.Header("Location"));
  EXPECT_TRUE(RedirectSignatureValid(answer, SpKey()));
  EXPECT_EQ(AttrOf(InflateRedirectValue(*QueryValue(answer, "SAMLResponse")), "InResponseTo"),
            spec.id);
  EXPECT_EQ(Sessions(), 1);
  // A replay of the captured request ends nothing more.
  SignIn(visitor, "gold@example.org", "_s1");
  EXPECT_EQ(other.Get("/sso/slo?" + request).Code(), "saml.logout.replayed");
  EXPECT_EQ(Sessions(), 2);
}

}  // namespace
}  // namespace vsso::testing
