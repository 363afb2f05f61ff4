// The whole SP-initiated flow through the hook interface, in process:
// /sso/login -> AuthnRequest + RelayState in SQLite -> IdP response posted to
// /sso/acs -> SSO session -> chat hooks -> transcript tag.
#include <gtest/gtest.h>

#include <fstream>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "hooks/plugin_impl.hpp"
#include "saml/authn_request.hpp"
#include "store/transcript_repository.hpp"
#include "support/deployment.hpp"
#include "support/test_idp.hpp"

namespace vsso::testing {
namespace {

namespace sdk = visitor_sso::sdk;

std::string Header(const sdk::HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

std::string QueryValue(const std::string& url_text, const std::string& key) {
  auto q = url_text.find('?');
  auto params = url::ParseQuery(url_text.substr(q + 1));
  EXPECT_TRUE(params);
  for (const auto& [k, v] : *params) {
    if (k == key) return v;
  }
  return {};
}

struct Login {
  std::string relay_state;
  std::string request_id;
};

class SignInFlow : public ::testing::Test {
 protected:
  void Start(const DeploymentOptions& options = {}) {
    deployment_ = std::make_unique<Deployment>(options);
    ASSERT_TRUE(plugin_.Configure({deployment_->config().string(), kTestNow}));
  }

  Login BeginLogin(const std::string& visitor) {
    sdk::Chat chat;
    chat.visitor.id = visitor;
    chat.return_url = "/chat?visitor=" + visitor;
    auto start = plugin_.ChatWillStart(chat);
    EXPECT_TRUE(start);
    const std::string sign_in_url = start->sign_in_url;
    EXPECT_EQ(sign_in_url.rfind("/sso/login?", 0), 0u) << sign_in_url;
    sdk::HttpRequest req;
    req.method = "GET";
    req.path = "/sso/login";
    req.query = sign_in_url.substr(sign_in_url.find('?') + 1);
    auto resp = plugin_.HandleHttp(req);
    EXPECT_TRUE(resp);
    EXPECT_EQ(resp->status, 302);
    const std::string location = Header(*resp, "Location");
    EXPECT_EQ(location.rfind("https://idp.example.org/saml2/idp/SSOService.php?", 0), 0u);
    Login login;
    login.relay_state = QueryValue(location, "RelayState");
    auto xml = saml::DecodeRedirectRequest(QueryValue(location, "SAMLRequest"));
    EXPECT_TRUE(xml);
    const auto id_at = xml->find("ID=\"");
    login.request_id = xml->substr(id_at + 4, xml->find('"', id_at + 4) - id_at - 4);
    return login;
  }

  sdk::HttpResponse PostResponse(const std::string& xml, const std::string& relay_state) {
    sdk::HttpRequest req;
    req.method = "POST";
    req.path = "/sso/acs";
    req.body = "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(xml)) +
               "&RelayState=" + url::EncodeQueryValue(relay_state);
    auto resp = plugin_.HandleHttp(req);
    EXPECT_TRUE(resp);
    return *resp;
  }

  std::unique_ptr<Deployment> deployment_;
  hooks::PluginImpl plugin_;
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
  store::TranscriptRepository transcripts(*store::Database::Open(deployment_->database().string()));
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
  login.query = "visitor=v1";
  EXPECT_EQ(plugin_.HandleHttp(login)->status, 503);
  EXPECT_EQ(PostResponse(ResponseBuilder().Build(), "").status, 503);
}

TEST_F(SignInFlow, LoginRefusesOpenRedirects) {
  Start();
  sdk::HttpRequest req;
  req.method = "GET";
  req.path = "/sso/login";
  req.query = "visitor=v1&return=https%3A%2F%2Fevil.example.net%2F";
  EXPECT_EQ(plugin_.HandleHttp(req)->status, 400);
  req.query = "visitor=v1&return=%2F%2Fevil.example.net%2F";
  EXPECT_EQ(plugin_.HandleHttp(req)->status, 400);
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

}  // namespace
}  // namespace vsso::testing
