// The whole SP-initiated flow through the hook interface, in process:
// /sso/login -> AuthnRequest + RelayState in SQLite -> IdP response posted to
// /sso/acs -> SSO session -> chat hooks -> transcript tag.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <optional>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "hooks/browser_binding.hpp"
#include "hooks/plugin_impl.hpp"
#include "saml/authn_request.hpp"
#include "store/request_store.hpp"
#include "store/transcript_repository.hpp"
#include "support/deployment.hpp"
#include "support/plugin_http.hpp"
#include "support/test_idp.hpp"

namespace vsso::testing {
namespace {

namespace sdk = visitor_sso::sdk;

struct Login {
  std::string relay_state;
  std::string request_id;
};

// Each test visitor has a browser of its own: the plugin's vsso_browser
// cookie is kept per visitor, as a browser's cookie jar would.
class SignInFlow : public ::testing::Test {
 protected:
  void Start(const DeploymentOptions& options = {}) {
    deployment_ = std::make_unique<Deployment>(options);
    ASSERT_TRUE(plugin_.Configure({deployment_->config().string(), kTestNow}));
  }

  // What `browser` sends and keeps: its plugin cookie and, when it has one,
  // the visitor the host knows for it (the browser's name, in these tests).
  sdk::HttpResponse Send(sdk::HttpRequest req, const std::string& browser) {
    req.visitor_id = browser;
    req.remote_address = "192.0.2.1";
    if (auto jar = cookies_.find(browser); jar != cookies_.end()) {
      req.headers.emplace_back("Cookie", "other=1; vsso_browser=" + jar->second);
    }
    auto resp = plugin_.HandleHttp(req);
    EXPECT_TRUE(resp);
    const std::string set = Header(*resp, "Set-Cookie");
    if (!set.empty()) cookies_[browser] = set.substr(13, 32);
    return *resp;
  }

  Login BeginLogin(const std::string& visitor) {
    sdk::Chat chat;
    chat.visitor.id = visitor;
    chat.return_url = "/chat?visitor=" + visitor;
    auto start = plugin_.ChatWillStart(chat);
    EXPECT_TRUE(start);
    const std::string sign_in_url = start->sign_in_url;
    EXPECT_EQ(sign_in_url.rfind("/sso/login?", 0), 0u) << sign_in_url;
    EXPECT_EQ(sign_in_url.find(visitor + "&"), std::string::npos)
        << "a sign-in URL names no visitor: " << sign_in_url;
    sdk::HttpRequest req;
    req.method = "GET";
    req.path = "/sso/login";
    req.query = sign_in_url.substr(sign_in_url.find('?') + 1);
    auto resp = Send(req, visitor);
    EXPECT_EQ(resp.status, 302) << resp.body;
    const std::string location = Header(resp, "Location");
    EXPECT_EQ(location.rfind("https://idp.example.org/saml2/idp/SSOService.php?", 0), 0u);
    Login login;
    login.relay_state = UrlQueryValue(location, "RelayState");
    auto xml = saml::DecodeRedirectRequest(UrlQueryValue(location, "SAMLRequest"));
    EXPECT_TRUE(xml);
    const auto id_at = xml->find("ID=\"");
    login.request_id = xml->substr(id_at + 4, xml->find('"', id_at + 4) - id_at - 4);
    started_by_[login.relay_state] = visitor;
    return login;
  }

  // Posted from the browser that started the sign-in (or, with no
  // RelayState, from browser "v1"), unless `browser` names another.
  sdk::HttpResponse PostResponse(const std::string& xml, const std::string& relay_state,
                                 std::optional<std::string> browser = std::nullopt) {
    sdk::HttpRequest req;
    req.method = "POST";
    req.path = "/sso/acs";
    req.body = "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(xml)) +
               "&RelayState=" + url::EncodeQueryValue(relay_state);
    if (!browser) browser = started_by_.count(relay_state) ? started_by_[relay_state] : "v1";
    return Send(req, *browser);
  }

  std::unique_ptr<Deployment> deployment_;
  hooks::PluginImpl plugin_;
  std::map<std::string, std::string> cookies_;     // browser -> vsso_browser
  std::map<std::string, std::string> started_by_;  // RelayState -> browser
};

TEST_F(SignInFlow, RequiredModeSignInSkipsSurveyAndTagsTranscript) {
  Start();
  sdk::Chat chat;
  chat.id = "c1";
  chat.visitor.id = "v1";
  auto before = plugin_.ChatWillStart(chat);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->decision, sdk::ChatStartDecision::kRequireSignIn);

  Login login = BeginLogin("v1");
  ResponseBuilder b;
  b.InResponseTo(login.request_id)
      .SubjectInResponseTo(login.request_id)
      .NameId("cust-1001")
      .Attribute({"displayName", {"Zoë Gold"}})
      .Attribute({"membership_level", {"gold"}})
      .Attribute({"accountNumber", {"A-77"}});
  auto acs = PostResponse(b.Build(), login.relay_state);
  ASSERT_EQ(acs.status, 303) << acs.body;
  EXPECT_EQ(Header(acs, "Location"), "/chat?visitor=v1");
  EXPECT_EQ(acs.signed_in_visitor_id, "v1");

  auto after = plugin_.ChatWillStart(chat);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->decision, sdk::ChatStartDecision::kProceed);
  EXPECT_TRUE(after->signed_in);
  EXPECT_EQ(after->customer_id, "cust-1001");

  auto prechat = plugin_.PrechatSurveyWillShow(chat);
  ASSERT_TRUE(prechat);
  EXPECT_EQ(prechat->decision, sdk::PrechatDecision::kSkip);

  auto info = plugin_.VisitorInfoWillRender(chat);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->info.name, "Zoë Gold");
  EXPECT_EQ(info->info.customer_id, "cust-1001");
  EXPECT_TRUE(info->info.verified);
  EXPECT_EQ(info->info.idp_entity_id, kIdpEntityId);
  ASSERT_EQ(info->prechat_section.size(), 4u);  // config order, missing ones empty
  EXPECT_EQ(info->prechat_section[3].label, "Account Number");
  EXPECT_EQ(info->prechat_section[3].value, "A-77");
  ASSERT_EQ(info->custom_variables.size(), 1u);
  EXPECT_EQ(info->custom_variables[0].value, "gold");

  auto route = plugin_.ChatWillBeRouted(chat);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->decision, sdk::RoutingDecision::kRoute);
  EXPECT_EQ(route->team, "Gold Team");
  EXPECT_EQ(route->rule, "rule.1");
  EXPECT_EQ(route->rule_text, "variable:membership_level == gold -> Gold Team");

  auto tags = plugin_.TranscriptWillBeSaved(chat, "t-1", "Gold Team");
  ASSERT_TRUE(tags);
  EXPECT_EQ(tags->customer_id, "cust-1001");
  store::TranscriptRepository transcripts(*store::Database::Open(deployment_->database().string()),
                                          "default");
  auto page = transcripts.FindByCustomerId("cust-1001", 10, "");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].team, "Gold Team");
}

TEST_F(SignInFlow, RelayStateIsSingleUse) {
  Start();
  Login login = BeginLogin("v1");
  ResponseBuilder b;
  b.InResponseTo(login.request_id).SubjectInResponseTo(login.request_id);
  const std::string xml = b.Build();
  ASSERT_EQ(PostResponse(xml, login.relay_state).status, 303);
  auto second = PostResponse(xml, login.relay_state);
  EXPECT_EQ(second.status, 400);
  EXPECT_NE(second.body.find("sso.acs.unknown_relay_state"), std::string::npos) << second.body;
}

TEST_F(SignInFlow, RejectedResponseShowsCodeAndIsAudited) {
  Start();
  Login login = BeginLogin("v1");
  ResponseBuilder b;
  b.InResponseTo(login.request_id)
      .SubjectInResponseTo(login.request_id)
      .Destination(std::string("https://evil.example.net/acs"));
  auto resp = PostResponse(b.Build(), login.relay_state);
  EXPECT_EQ(resp.status, 403);
  EXPECT_NE(resp.body.find("saml.destination"), std::string::npos) << resp.body;
  EXPECT_EQ(resp.body.find("evil.example.net"), std::string::npos)
      << "the visitor sees the code, not the admin details";
  sdk::Chat chat;
  chat.visitor.id = "v1";
  EXPECT_EQ(plugin_.ChatWillStart(chat)->decision, sdk::ChatStartDecision::kRequireSignIn);
}

TEST_F(SignInFlow, ResponseForAnotherRequestIsRefused) {
  Start();
  Login first = BeginLogin("v1");
  Login second = BeginLogin("v2");
  ResponseBuilder b;
  b.InResponseTo(second.request_id).SubjectInResponseTo(second.request_id);
  auto resp = PostResponse(b.Build(), first.relay_state);
  EXPECT_EQ(resp.status, 403);
  EXPECT_NE(resp.body.find("saml.in_response_to"), std::string::npos) << resp.body;
}

TEST_F(SignInFlow, OptionalModeOffersSignInAndNoneProceeds) {
  DeploymentOptions optional;
  optional.sign_in = "optional";
  Start(optional);
  sdk::Chat chat;
  chat.visitor.id = "guest";
  auto start = plugin_.ChatWillStart(chat);
  ASSERT_TRUE(start);
  EXPECT_EQ(start->decision, sdk::ChatStartDecision::kOfferSignIn);
  EXPECT_FALSE(start->sign_in_url.empty());
  EXPECT_EQ(plugin_.PrechatSurveyWillShow(chat)->decision, sdk::PrechatDecision::kShow);

  // A guest is routed on what they typed, with the same rules.
  chat.prechat_answers = {{"company", "Company", "globex", {"globex"}},
                          {"department", "Department", "Support", {"Support"}}};
  auto route = plugin_.ChatWillBeRouted(chat);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->team, "Key Accounts");
  EXPECT_EQ(route->rule, "rule.2");
  auto info = plugin_.VisitorInfoWillRender(chat);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->info.verified);
  EXPECT_TRUE(info->info.customer_id.empty());
  chat.prechat_answers = {};
  EXPECT_EQ(plugin_.ChatWillBeRouted(chat)->rule, "default");

  hooks::PluginImpl none;
  DeploymentOptions none_options;
  none_options.sign_in = "none";
  Deployment d(none_options);
  ASSERT_TRUE(none.Configure({d.config().string(), kTestNow}));
  EXPECT_EQ(none.ChatWillStart(chat)->decision, sdk::ChatStartDecision::kProceed);
}

TEST_F(SignInFlow, UnconfiguredPluginRefusesWithReason) {
  sdk::Chat chat;
  chat.visitor.id = "v";
  auto bad = plugin_.Configure({"/nonexistent/visitor-sso.ini", kTestNow});
  ASSERT_FALSE(bad);
  auto start = plugin_.ChatWillStart(chat);
  ASSERT_TRUE(start);
  EXPECT_EQ(start->decision, sdk::ChatStartDecision::kRefuse);
  EXPECT_EQ(start->reason_code, bad.error().code);
}

TEST_F(SignInFlow, RoutingRuleNamingAnUnknownFieldIsAConfigError) {
  DeploymentOptions bad;
  bad.routing = "rule.1 = compnay == Acme -> Key Accounts\n";
  Deployment d(bad);
  auto st = plugin_.Configure({d.config().string(), kTestNow});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("rule.1"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("compnay"), std::string::npos) << st.error().message;
}

TEST_F(SignInFlow, BrokenConfigFailsClosedOnlyWhereSignInIsRequired) {
  for (const std::string policy : {"required", "optional", "none"}) {
    DeploymentOptions options;
    options.sign_in = policy;
    options.extra_sso = "alow_sha1 = true\n";  // a typo: the config is refused
    Deployment d(options);
    hooks::PluginImpl plugin;
    ASSERT_FALSE(plugin.Configure({d.config().string(), kTestNow}));
    sdk::Chat chat;
    chat.visitor.id = "v";
    auto start = plugin.ChatWillStart(chat);
    ASSERT_TRUE(start);
    EXPECT_EQ(start->decision, policy == "required" ? sdk::ChatStartDecision::kRefuse
                                                    : sdk::ChatStartDecision::kProceed)
        << policy;
    EXPECT_FALSE(start->signed_in);
    EXPECT_EQ(start->reason_code, "config.unknown_key") << policy;
    EXPECT_NE(start->reason.find("alow_sha1"), std::string::npos) << start->reason;
  }
}

TEST_F(SignInFlow, SessionEndsAtTheIdpSessionBound) {
  Start();
  Login login = BeginLogin("v1");
  ResponseBuilder b;
  b.InResponseTo(login.request_id)
      .SubjectInResponseTo(login.request_id)
      .SessionNotOnOrAfter(kTestNow + 3600);  // shorter than session_lifetime_seconds
  ASSERT_EQ(PostResponse(b.Build(), login.relay_state).status, 303);
  sdk::Chat chat;
  chat.visitor.id = "v1";
  EXPECT_TRUE(plugin_.ChatWillStart(chat)->signed_in);
  // The host's clock moves on past the IdP's session bound.
  ASSERT_TRUE(plugin_.Configure({deployment_->config().string(), kTestNow + 3600}));
  auto later = plugin_.ChatWillStart(chat);
  ASSERT_TRUE(later);
  EXPECT_FALSE(later->signed_in);
  EXPECT_EQ(later->decision, sdk::ChatStartDecision::kRequireSignIn);
}

// The database file is destroyed under the running plugin (disk failure, an
// admin's mistake): the store is unavailable.
void DestroyStore(const std::filesystem::path& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::ofstream(db.string() + suffix, std::ios::binary | std::ios::trunc)
        << std::string(4096, 'x');
  }
}

TEST_F(SignInFlow, UnavailableStoreRefusesRequiredAndLetsOptionalGuestsIn) {
  for (const std::string policy : {"required", "optional"}) {
    DeploymentOptions options;
    options.sign_in = policy;
    Deployment d(options);
    hooks::PluginImpl plugin;
    ASSERT_TRUE(plugin.Configure({d.config().string(), kTestNow}));
    DestroyStore(d.database());
    sdk::Chat chat;
    chat.visitor.id = "v";
    auto start = plugin.ChatWillStart(chat);
    ASSERT_TRUE(start);
    EXPECT_EQ(start->decision, policy == "required" ? sdk::ChatStartDecision::kRefuse
                                                    : sdk::ChatStartDecision::kProceed)
        << policy;
    EXPECT_FALSE(start->signed_in);
    EXPECT_EQ(start->reason_code.rfind("store.", 0), 0u) << start->reason_code;
    EXPECT_FALSE(start->reason.empty());
  }
}

TEST_F(SignInFlow, DisabledPluginNeitherStartsNorAcceptsSignIn) {
  DeploymentOptions off;
  off.enabled = false;
  Start(off);
  sdk::Chat chat;
  chat.visitor.id = "v1";
  auto start = plugin_.ChatWillStart(chat);
  ASSERT_TRUE(start);
  EXPECT_EQ(start->decision, sdk::ChatStartDecision::kProceed);
  EXPECT_TRUE(start->sign_in_url.empty());
  sdk::HttpRequest login;
  login.method = "GET";
  login.path = "/sso/login";
  EXPECT_EQ(Send(login, "v1").status, 503);
  EXPECT_EQ(PostResponse(ResponseBuilder().Build(), "").status, 503);
}

TEST_F(SignInFlow, LoginRefusesOpenRedirects) {
  Start();
  sdk::HttpRequest req;
  req.method = "GET";
  req.path = "/sso/login";
  req.query = "return=https%3A%2F%2Fevil.example.net%2F";
  auto absolute = Send(req, "v1");
  EXPECT_EQ(absolute.status, 400);
  EXPECT_EQ(Header(absolute, "X-Visitor-SSO-Error"), "sso.login.bad_return_url");
  req.query = "return=%2F%2Fevil.example.net%2F";
  EXPECT_EQ(Send(req, "v1").status, 400);
  // Nothing was stored for a refused sign-in.
  auto db = store::Database::Open(deployment_->database().string());
  ASSERT_TRUE(db);
  EXPECT_EQ(*store::RequestStore(*db, "default").CountLive(kTestNow), 0);
}

TEST_F(SignInFlow, MetadataNamesEntityAndAcs) {
  Start();
  sdk::HttpRequest req;
  req.method = "GET";
  req.path = "/sso/metadata";
  auto resp = plugin_.HandleHttp(req);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 200);
  EXPECT_NE(resp->body.find(kSpEntityId), std::string::npos);
  EXPECT_NE(resp->body.find(kAcsUrl), std::string::npos);
}

TEST_F(SignInFlow, FailurePageLinksBackToTheChatWhenTheSignInIsKnown) {
  Start();
  Login login = BeginLogin("v1");
  ResponseBuilder b;
  b.InResponseTo(login.request_id)
      .SubjectInResponseTo(login.request_id)
      .AudienceRestriction({"https://someone-else.example.net/"});
  auto refused = PostResponse(b.Build(), login.relay_state);
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("data-testid=\"sso-return\" href=\"/chat?visitor=v1\""),
            std::string::npos)
      << refused.body;
  // The RelayState is spent: the second post names no sign-in, so no link.
  auto unknown = PostResponse(b.Build(), login.relay_state);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body.find("sso-return"), std::string::npos) << unknown.body;
}

TEST_F(SignInFlow, AdminOverviewShowsTrustMappingsRulesAndEveryRefusedSignIn) {
  Start();
  auto empty = plugin_.GetAdminOverview({});
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->now, kTestNow);
  EXPECT_EQ(empty->description.sign_in_policy, "required");
  EXPECT_EQ(empty->sp_metadata_path, "/sso/metadata");
  ASSERT_EQ(empty->certificates.size(), 1u);
  const auto idp = IdpRsaKey().Certificate();
  EXPECT_EQ(empty->certificates[0].fingerprint_sha256, idp.sha256_fingerprint);
  EXPECT_EQ(empty->certificates[0].subject, idp.subject);
  EXPECT_EQ(empty->certificates[0].not_after, idp.not_after);
  EXPECT_EQ(empty->certificates[0].source, "config");
  ASSERT_EQ(empty->mappings.size(), 5u);
  EXPECT_EQ(empty->mappings[0].field, "name");
  EXPECT_EQ(empty->mappings[0].attributes,
            (std::vector<std::string>{"displayName", "urn:oid:2.16.840.1.113730.3.1.241"}));
  EXPECT_EQ(empty->mappings[3].label, "Account Number");
  ASSERT_EQ(empty->routing_rules.size(), 3u);
  EXPECT_EQ(empty->routing_rules[1].name, "rule.2");
  EXPECT_EQ(empty->routing_rules[1].team, "Key Accounts");
  EXPECT_EQ(empty->routing_rules[1].text,
            "company in (Acme, Globex) and department != Sales -> Key Accounts");
  EXPECT_EQ(empty->routing_default_team, "General");
  EXPECT_TRUE(empty->recent_failures.empty());

  // Refused by a SAML rule, then by the ACS before any rule could run.
  Login login = BeginLogin("v1");
  ResponseBuilder b;
  b.InResponseTo(login.request_id)
      .SubjectInResponseTo(login.request_id)
      .Destination(std::string("https://evil.example.net/acs"));
  ASSERT_EQ(PostResponse(b.Build(), login.relay_state).status, 403);
  ASSERT_EQ(PostResponse(b.Build(), login.relay_state).status, 400);
  sdk::HttpRequest no_response;
  no_response.method = "POST";
  no_response.path = "/sso/acs";
  no_response.body = "RelayState=x";
  no_response.visitor_id = "v2";
  ASSERT_EQ(plugin_.HandleHttp(no_response)->status, 400);

  auto overview = plugin_.GetAdminOverview({});
  ASSERT_TRUE(overview) << overview.error().message;
  const auto& failures = overview->recent_failures;
  ASSERT_EQ(failures.size(), 3u);
  EXPECT_EQ(failures[0].code, "sso.acs.no_saml_response");
  EXPECT_EQ(failures[0].visitor_id, "v2");
  EXPECT_EQ(failures[1].code, "sso.acs.unknown_relay_state");
  EXPECT_NE(failures[1].message.find("allow_idp_initiated"), std::string::npos)
      << failures[1].message;
  EXPECT_EQ(failures[2].code, "saml.destination.mismatch");
  EXPECT_NE(failures[2].message.find("evil.example.net"), std::string::npos)
      << "the admin sees the precise reason: " << failures[2].message;
  EXPECT_EQ(failures[2].issuer, kIdpEntityId);
  EXPECT_EQ(failures[2].visitor_id, "v1");
  EXPECT_EQ(failures[2].at, kTestNow);

  sdk::AdminOverviewQuery one;
  one.failure_limit = 1;
  ASSERT_EQ(plugin_.GetAdminOverview(one)->recent_failures.size(), 1u);
  one.failure_limit = 0;
  auto bad = plugin_.GetAdminOverview(one);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "plugin.bad_query");
}

TEST_F(SignInFlow, AdminOverviewOfARefusedConfigurationGivesItsPreciseError) {
  auto bad = plugin_.Configure({"/nonexistent/visitor-sso.ini", kTestNow});
  ASSERT_FALSE(bad);
  auto overview = plugin_.GetAdminOverview({});
  ASSERT_FALSE(overview);
  EXPECT_EQ(overview.error().code, bad.error().code);
  EXPECT_EQ(overview.error().message, bad.error().message);
}

// ---- The sign-in belongs to the browser that started it (issue 9) ----------

ResponseBuilder Answering(const Login& login, const std::string& name_id) {
  ResponseBuilder b;
  b.InResponseTo(login.request_id)
      .SubjectInResponseTo(login.request_id)
      .NameId(name_id)
      .Attribute({"displayName", {name_id + " Name"}});
  return b;
}

TEST_F(SignInFlow, LoginSetsTheBrowserCookieOnceAndKeepsIt) {
  Start();
  sdk::HttpRequest req;
  req.method = "GET";
  req.path = "/sso/login";
  auto first = Send(req, "v1");
  ASSERT_EQ(first.status, 302);
  const std::string set = Header(first, "Set-Cookie");
  EXPECT_EQ(set.rfind("vsso_browser=", 0), 0u) << set;
  EXPECT_NE(set.find("; Path=/sso/; HttpOnly; Secure; SameSite=None"), std::string::npos) << set;
  // A browser that has the cookie keeps it (two tabs do not overwrite each other).
  auto second = Send(req, "v1");
  ASSERT_EQ(second.status, 302);
  EXPECT_EQ(Header(second, "Set-Cookie"), "");
  // Only the cookie's hash is stored.
  auto db = store::Database::Open(deployment_->database().string());
  ASSERT_TRUE(db);
  const std::string cookie = cookies_["v1"];
  auto found = (*db)->Read([&](store::Connection& c) -> Result<int> {
    auto q = c.Prepare(
        "SELECT COUNT(*) FROM authn_requests WHERE browser_hash = ?1 OR browser_hash = ?2 OR "
        "relay_state = ?2");
    if (!q) return std::move(q).error();
    q->BindText(1, hooks::Sha256Hex(cookie)).BindText(2, cookie);
    auto row = q->Step();
    const int n = static_cast<int>(q->Int(0));
    (void)q->Run();
    return n;
  });
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, 2);
}

TEST_F(SignInFlow, VictimLinkSignsInOnlyTheVictimsOwnChat) {
  Start();
  // The attacker copies the sign-in link of their chat, adding their visitor
  // ID for good measure, and sends it to the victim.
  sdk::Chat attacker_chat;
  attacker_chat.visitor.id = "attacker";
  const std::string link = plugin_.ChatWillStart(attacker_chat)->sign_in_url;
  sdk::HttpRequest req;
  req.method = "GET";
  req.path = "/sso/login";
  req.query = link.substr(link.find('?') + 1) + "&visitor=attacker";
  auto resp = Send(req, "victim");  // the victim's browser, the victim's visitor
  ASSERT_EQ(resp.status, 302);
  Login login;
  const std::string location = Header(resp, "Location");
  login.relay_state = UrlQueryValue(location, "RelayState");
  auto xml = saml::DecodeRedirectRequest(UrlQueryValue(location, "SAMLRequest"));
  ASSERT_TRUE(xml);
  const auto id_at = xml->find("ID=\"");
  login.request_id = xml->substr(id_at + 4, xml->find('"', id_at + 4) - id_at - 4);
  auto acs = PostResponse(Answering(login, "cust-victim").Build(), login.relay_state, "victim");
  ASSERT_EQ(acs.status, 303) << acs.body;
  EXPECT_EQ(acs.signed_in_visitor_id, "victim");
  EXPECT_FALSE(plugin_.ChatWillStart(attacker_chat)->signed_in);
  sdk::Chat victim_chat;
  victim_chat.visitor.id = "victim";
  EXPECT_EQ(plugin_.ChatWillStart(victim_chat)->customer_id, "cust-victim");
}

TEST_F(SignInFlow, RelayStatePostedFromAnotherBrowserIsRefused) {
  Start();
  // Login CSRF: the attacker's own sign-in, posted by the victim's browser.
  Login login = BeginLogin("attacker");
  const std::string xml = Answering(login, "cust-attacker").Build();
  auto from_victim = PostResponse(xml, login.relay_state, "victim");
  EXPECT_EQ(from_victim.status, 403);
  EXPECT_EQ(Header(from_victim, "X-Visitor-SSO-Error"), "sso.acs.browser_mismatch");
  EXPECT_TRUE(from_victim.signed_in_visitor_id.empty());
  sdk::Chat victim;
  victim.visitor.id = "victim";
  EXPECT_FALSE(plugin_.ChatWillStart(victim)->signed_in);
  // A browser with no plugin cookie at all, and no visitor, fares no better.
  Login second = BeginLogin("attacker");
  sdk::HttpRequest bare;
  bare.method = "POST";
  bare.path = "/sso/acs";
  bare.body =
      "SAMLResponse=" +
      url::EncodeQueryValue(encoding::Base64Encode(Answering(second, "cust-attacker").Build())) +
      "&RelayState=" + second.relay_state;
  auto cookieless = plugin_.HandleHttp(bare);
  EXPECT_EQ(cookieless->status, 403);
  EXPECT_EQ(Header(*cookieless, "X-Visitor-SSO-Error"), "sso.acs.browser_mismatch");
  auto overview = plugin_.GetAdminOverview({});
  ASSERT_TRUE(overview);
  ASSERT_FALSE(overview->recent_failures.empty());
  EXPECT_EQ(overview->recent_failures[0].code, "sso.acs.browser_mismatch");
}

TEST_F(SignInFlow, TheHostsVisitorMustBeTheOneWhoStarted) {
  Start();
  Login login = BeginLogin("v1");
  // Same browser cookie, but the host now knows another visitor for it.
  cookies_["v2"] = cookies_["v1"];
  auto resp = PostResponse(Answering(login, "cust-1").Build(), login.relay_state, "v2");
  EXPECT_EQ(resp.status, 403);
  EXPECT_EQ(Header(resp, "X-Visitor-SSO-Error"), "sso.acs.browser_mismatch");
}

TEST_F(SignInFlow, LoginNeedsTheHostsVisitor) {
  Start();
  sdk::HttpRequest req;
  req.method = "GET";
  req.path = "/sso/login";
  req.query = "visitor=v1&return=%2Fchat";
  auto resp = plugin_.HandleHttp(req);  // no visitor_id: the parameter is not enough
  EXPECT_EQ(resp->status, 400);
  EXPECT_EQ(Header(*resp, "X-Visitor-SSO-Error"), "sso.login.no_visitor");
}

TEST_F(SignInFlow, ReturnAddressTricksAreRefusedAtLogin) {
  Start();
  for (const std::string& bad : std::vector<std::string>{
           "%2F%0d%0aSet-Cookie:%20x=1", "%2F%09%2Fevil.example%2F", "%2F%5Cevil.example",
           "%2F%2Fevil.example", "%2F%252F%252Fevil.example", "%2Fchat%2F..%2F%2Fevil.example",
           "https%3A%2F%2Fevil.example%2F", "%2F" + std::string(2100, 'a')}) {
    sdk::HttpRequest req;
    req.method = "GET";
    req.path = "/sso/login";
    req.query = "return=" + bad;
    auto resp = Send(req, "v1");
    EXPECT_EQ(resp.status, 400) << bad;
    EXPECT_EQ(Header(resp, "X-Visitor-SSO-Error"), "sso.login.bad_return_url") << bad;
    EXPECT_EQ(Header(resp, "Location"), "") << bad;
  }
}

TEST_F(SignInFlow, UnsolicitedResponseWaitsForThisBrowsersConfirmation) {
  DeploymentOptions options;
  options.allow_idp_initiated = true;
  Start(options);
  ResponseBuilder b;
  b.InResponseTo(std::nullopt)
      .SubjectInResponseTo(std::nullopt)
      .NameId("cust-7")
      .Attribute({"displayName", {"Zoë <Seven>"}});
  auto page = PostResponse(b.Build(), "", "v1");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(page.signed_in_visitor_id.empty());
  EXPECT_NE(page.body.find("Continue as Zoë &lt;Seven&gt;?"), std::string::npos) << page.body;
  EXPECT_NE(Header(page, "Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(Header(page, "X-Frame-Options"), "DENY");
  sdk::Chat chat;
  chat.visitor.id = "v1";
  EXPECT_FALSE(plugin_.ChatWillStart(chat)->signed_in) << "not before the confirmation";
  const auto at = page.body.find("name=\"token\" value=\"");
  ASSERT_NE(at, std::string::npos);
  const std::string token = page.body.substr(at + 20, 32);

  sdk::HttpRequest confirm;
  confirm.method = "POST";
  confirm.path = "/sso/confirm";
  confirm.body = "token=" + token;
  // Another browser (a forged form with a leaked token) gets nothing, and
  // the token is spent.
  auto other = Send(confirm, "v2");
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(Header(other, "X-Visitor-SSO-Error"), "sso.confirm.browser_mismatch");
  EXPECT_EQ(Send(confirm, "v1").status, 400);

  // A fresh unsolicited response, confirmed by the browser that received it.
  b.ResponseId("_r2").AssertionId("_a2");
  auto page2 = PostResponse(b.Build(), "", "v1");
  ASSERT_EQ(page2.status, 200);
  const auto at2 = page2.body.find("name=\"token\" value=\"");
  confirm.body = "token=" + page2.body.substr(at2 + 20, 32);
  auto ok = Send(confirm, "v1");
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(Header(ok, "Location"), "/");
  EXPECT_EQ(ok.signed_in_visitor_id, "v1");
  EXPECT_EQ(plugin_.ChatWillStart(chat)->customer_id, "cust-7");
}

TEST_F(SignInFlow, PopupHandsItsSignInToTheChatWindowOnceAndSameOriginOnly) {
  Start();
  Login login = BeginLogin("popup");
  ASSERT_EQ(PostResponse(Answering(login, "cust-9").Build(), login.relay_state).status, 303);
  const auto json_request = [](const std::string& path, const std::string& origin,
                               const std::string& body) {
    sdk::HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.headers = {{"Content-Type", "application/json"}, {"Origin", origin}};
    r.body = body;
    return r;
  };
  const std::string own = "https://chat.example.com";
  // Cross-site: a form post (no JSON) or another Origin.
  auto form = json_request("/sso/handoff", own, "{}");
  form.headers[0].second = "application/x-www-form-urlencoded";
  EXPECT_EQ(Send(form, "popup").status, 403);
  EXPECT_EQ(Send(json_request("/sso/handoff", "https://evil.example", "{}"), "popup").status, 403);
  EXPECT_EQ(Send(json_request("/sso/handoff", own, "{}"), "stranger").status, 404);

  auto minted = Send(json_request("/sso/handoff", own, "{}"), "popup");
  ASSERT_EQ(minted.status, 200) << minted.body;
  const auto code_at = minted.body.find("\"code\":\"");
  ASSERT_NE(code_at, std::string::npos) << minted.body;
  const std::string code = minted.body.substr(code_at + 8, 32);
  const std::string body = "{\"code\":\"" + code + "\"}";
  EXPECT_EQ(Send(json_request("/sso/redeem", "https://evil.example", body), "frame").status, 403);
  auto redeemed = Send(json_request("/sso/redeem", own, body), "frame");
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  EXPECT_EQ(redeemed.signed_in_visitor_id, "frame");
  sdk::Chat frame;
  frame.visitor.id = "frame";
  EXPECT_EQ(plugin_.ChatWillStart(frame)->customer_id, "cust-9");
  auto again = Send(json_request("/sso/redeem", own, body), "other-frame");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(Header(again, "X-Visitor-SSO-Error"), "sso.redeem.unknown_code");
}

// Attribute presets (issue 14, item 4): `email = @email` takes the email from
// an Entra ID-style response, whose attributes are named by claim URIs, and
// the admin overview shows the value as written beside its expansion.
TEST_F(SignInFlow, AliasMappingTakesEntraClaimUris) {
  DeploymentOptions options;
  options.mapping = "name = @name\nemail = @email | customMail\n";
  options.routing = "default = General\n";
  Start(options);
  auto overview = plugin_.GetAdminOverview({});
  ASSERT_TRUE(overview) << overview.error().message;
  ASSERT_EQ(overview->mappings.size(), 2u);
  EXPECT_EQ(overview->mappings[1].configured, "@email | customMail");
  EXPECT_EQ(overview->mappings[1].attributes,
            (std::vector<std::string>{
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                "urn:oid:0.9.2342.19200300.100.1.3", "mail", "email", "customMail"}));

  Login login = BeginLogin("v1");
  ResponseBuilder b;
  b.InResponseTo(login.request_id)
      .SubjectInResponseTo(login.request_id)
      .NameId("jo@contoso.example")
      // As Entra ID names them: claim URIs, no FriendlyName. The name claim
      // holds the UPN, which @name leaves alone.
      .Attribute(
          {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", {"jo@contoso.example"}})
      .Attribute({"http://schemas.microsoft.com/identity/claims/displayname", {"Jo Smith"}})
      .Attribute({"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                  {"jo.smith@contoso.example"}});
  auto acs = PostResponse(b.Build(), login.relay_state);
  ASSERT_EQ(acs.status, 303) << acs.body;

  sdk::Chat chat;
  chat.id = "c1";
  chat.visitor.id = "v1";
  auto info = plugin_.VisitorInfoWillRender(chat);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->info.name, "Jo Smith");
  ASSERT_EQ(info->prechat_section.size(), 2u);
  EXPECT_EQ(info->prechat_section[1].key, "email");
  EXPECT_EQ(info->prechat_section[1].value, "jo.smith@contoso.example");
}

}  // namespace
}  // namespace vsso::testing
