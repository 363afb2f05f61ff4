// Many websites in one plugin, through the hook interface: a platform file
// with two sites, each trusting its own IdP, and a third whose file is
// broken. Each site accepts only its own IdP's responses, keeps its own
// sessions and History, and the broken one harms neither of the others.
// Reload adds, changes and removes sites without ending live sessions.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "hooks/plugin_impl.hpp"
#include "saml/authn_request.hpp"
#include "support/plugin_http.hpp"
#include "support/test_idp.hpp"
#include "support/test_keys.hpp"

namespace vsso::testing {
namespace {

namespace fs = std::filesystem;
namespace sdk = visitor_sso::sdk;

// One website: its IdP (entity ID and signing key) and its SP endpoints.
struct SiteSpec {
  std::string id;
  std::string sign_in;
  const TestKey* idp_key;
  std::string idp_entity_id() const { return "https://idp." + id + ".example/saml"; }
  std::string sp_entity_id() const { return "https://chat.example.com/sso/" + id + "/metadata"; }
  std::string acs_url() const { return "https://chat.example.com/sso/" + id + "/acs"; }
};

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  ASSERT_TRUE(out) << path;
}

std::string SiteFile(const SiteSpec& s, const std::string& routing_default) {
  return "[sso]\nenabled = true\nsign_in = " + s.sign_in + "\nsp_entity_id = " + s.sp_entity_id() +
         "\nacs_url = " + s.acs_url() + "\nidp_entity_id = " + s.idp_entity_id() +
         "\nidp_sign_in_url = https://idp." + s.id + ".example/sso\nidp_certificates = ../certs/" +
         s.id +
         ".crt\nclock_skew_seconds = 120\n\n[mapping]\nname = displayName\n\n[routing]\ndefault "
         "= " +
         routing_default + "\n";
}

class Sites : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "sites");
    fs::create_directories(dir_.path() / "certs");
    WriteFile(dir_.path() / "platform.ini",
              "[platform]\ndatabase = visitor-sso.db\nsites = sites\n");
    for (const SiteSpec* s : {&acme_, &globex_}) {
      s->idp_key->WriteTo(dir_.path() / "certs", s->id);
      WriteFile(dir_.path() / "sites" / (s->id + ".ini"), SiteFile(*s, s->id + " Team"));
    }
    // Broken: a required site whose certificate file does not exist.
    WriteFile(dir_.path() / "sites" / "initech.ini",
              "[sso]\nenabled = true\nsign_in = required\nsp_entity_id = "
              "https://chat.example.com/sso/initech/metadata\nacs_url = "
              "https://chat.example.com/sso/initech/acs\nidp_entity_id = "
              "https://idp.initech.example/saml\nidp_sign_in_url = "
              "https://idp.initech.example/sso\nidp_certificates = ../certs/missing.crt\n");
    // Broken too, but optional: its chats go on as guests.
    WriteFile(dir_.path() / "sites" / "hooli.ini",
              "[sso]\nsign_in = optional\nsp_entity_id = not a uri\n");
  }

  std::string platform() const { return (dir_.path() / "platform.ini").string(); }

  sdk::HttpResponse Send(sdk::HttpRequest req, const std::string& browser) {
    req.visitor_id = browser;
    req.remote_address = "192.0.2.1";
    if (auto jar = cookies_.find(browser); jar != cookies_.end()) {
      req.headers.emplace_back("Cookie", "vsso_browser=" + jar->second);
    }
    auto resp = plugin_.HandleHttp(req);
    EXPECT_TRUE(resp);
    const std::string set = Header(*resp, "Set-Cookie");
    if (!set.empty()) cookies_[browser] = set.substr(13, 32);
    return *resp;
  }

  sdk::Chat ChatOf(const std::string& site, const std::string& visitor) {
    sdk::Chat chat;
    chat.id = site + "-" + visitor;
    chat.site_id = site;
    chat.visitor.id = visitor;
    chat.return_url = "/chat";
    return chat;
  }

  // Starts the sign-in of `visitor` on `site` from its chat's sign-in URL;
  // returns {RelayState, AuthnRequest ID}.
  std::pair<std::string, std::string> BeginLogin(const SiteSpec& site, const std::string& visitor) {
    auto start = plugin_.ChatWillStart(ChatOf(site.id, visitor));
    EXPECT_TRUE(start);
    const std::string url = start->sign_in_url;
    EXPECT_EQ(url.rfind("/sso/" + site.id + "/login?", 0), 0u) << url;
    sdk::HttpRequest req;
    req.method = "GET";
    req.path = url.substr(0, url.find('?'));
    req.query = url.substr(url.find('?') + 1);
    auto resp = Send(req, visitor);
    EXPECT_EQ(resp.status, 302) << resp.body;
    const std::string location = Header(resp, "Location");
    EXPECT_EQ(location.rfind("https://idp." + site.id + ".example/sso?", 0), 0u) << location;
    auto xml = saml::DecodeRedirectRequest(UrlQueryValue(location, "SAMLRequest"));
    EXPECT_TRUE(xml);
    const auto at = xml->find("ID=\"");
    return {UrlQueryValue(location, "RelayState"),
            xml->substr(at + 4, xml->find('"', at + 4) - at - 4)};
  }

  // The response `idp` would send for `request_id`, addressed to `to`.
  std::string ResponseFrom(const SiteSpec& idp, const SiteSpec& to, const std::string& request_id,
                           const std::string& name_id) {
    ResponseBuilder b;
    b.InResponseTo(request_id)
        .SubjectInResponseTo(request_id)
        .ResponseIssuer(idp.idp_entity_id())
        .AssertionIssuer(idp.idp_entity_id())
        .Destination(to.acs_url())
        .Recipient(to.acs_url())
        .AudienceRestriction({to.sp_entity_id()})
        .NameId(name_id)
        .Attribute({"displayName", {name_id}})
        .SignAssertion(SignOptions().WithKey(*idp.idp_key));
    return b.Build();
  }

  sdk::HttpResponse Post(const std::string& path, const std::string& xml,
                         const std::string& relay_state, const std::string& browser) {
    sdk::HttpRequest req;
    req.method = "POST";
    req.path = path;
    req.body = "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(xml)) +
               "&RelayState=" + url::EncodeQueryValue(relay_state);
    return Send(req, browser);
  }

  // Signs `visitor` in on `site` through its own IdP.
  void SignIn(const SiteSpec& site, const std::string& visitor, const std::string& customer) {
    auto [relay_state, request_id] = BeginLogin(site, visitor);
    auto acs = Post("/sso/" + site.id + "/acs", ResponseFrom(site, site, request_id, customer),
                    relay_state, visitor);
    ASSERT_EQ(acs.status, 303) << acs.body;
    EXPECT_EQ(acs.signed_in_visitor_id, visitor);
  }

  TempDir dir_;
  SiteSpec acme_{"acme", "required", &IdpRsaKey()};
  SiteSpec globex_{"globex", "optional", &IdpRolloverKey()};
  hooks::PluginImpl plugin_;
  std::map<std::string, std::string> cookies_;
};

TEST_F(Sites, ConfigureServesGoodSitesBesideBrokenOnes) {
  // Broken sites do not fail Configure: the host must start for the others.
  ASSERT_TRUE(plugin_.Configure({platform(), kTestNow}));
  const sdk::PluginDescription d = plugin_.Describe();
  EXPECT_EQ(d.site_count, 4u);
  EXPECT_EQ(d.site_ids, (std::vector<std::string>{"acme", "globex", "hooli", "initech"}));
  EXPECT_TRUE(d.sign_in_policy.empty()) << "no default site in this platform";

  auto acme = plugin_.ChatWillStart(ChatOf("acme", "v1"));
  ASSERT_TRUE(acme);
  EXPECT_EQ(acme->decision, sdk::ChatStartDecision::kRequireSignIn);
  auto globex = plugin_.ChatWillStart(ChatOf("globex", "v1"));
  ASSERT_TRUE(globex);
  EXPECT_EQ(globex->decision, sdk::ChatStartDecision::kOfferSignIn);
  EXPECT_EQ(globex->sign_in_url.rfind("/sso/globex/login?", 0), 0u) << globex->sign_in_url;

  // The broken required site refuses with its own reason; the broken
  // optional one lets guests chat.
  auto initech = plugin_.ChatWillStart(ChatOf("initech", "v1"));
  ASSERT_TRUE(initech);
  EXPECT_EQ(initech->decision, sdk::ChatStartDecision::kRefuse);
  EXPECT_EQ(initech->reason_code, "config.file_missing");
  EXPECT_NE(initech->reason.find("initech.ini"), std::string::npos) << initech->reason;
  EXPECT_NE(initech->reason.find("idp_certificates"), std::string::npos) << initech->reason;
  auto hooli = plugin_.ChatWillStart(ChatOf("hooli", "v1"));
  ASSERT_TRUE(hooli);
  EXPECT_EQ(hooli->decision, sdk::ChatStartDecision::kProceed);
  EXPECT_FALSE(hooli->reason_code.empty());

  // A site nobody configured is refused, never let through unsigned.
  auto unknown = plugin_.ChatWillStart(ChatOf("nosuch", "v1"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->decision, sdk::ChatStartDecision::kRefuse);
  EXPECT_EQ(unknown->reason_code, "site.unknown");
  auto no_site = plugin_.ChatWillStart(ChatOf("", "v1"));
  ASSERT_TRUE(no_site);
  EXPECT_EQ(no_site->reason_code, "site.unknown") << "this platform has no default site";

  sdk::HttpRequest login;
  login.method = "GET";
  login.path = "/sso/initech/login";
  login.query = "return=%2F";
  auto unavailable = Send(login, "v1");
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(Header(unavailable, "X-Visitor-SSO-Error"), "config.file_missing");
  login.path = "/sso/nosuch/login";
  EXPECT_EQ(Send(login, "v1").status, 404);
  login.path = "/sso/login";
  EXPECT_EQ(Send(login, "v1").status, 404) << "no default site";
  login.path = "/sso/Acme/login";
  EXPECT_EQ(Send(login, "v1").status, 404) << "site IDs are lower case";

  sdk::HttpRequest metadata;
  metadata.method = "GET";
  metadata.path = "/sso/globex/metadata";
  auto md = Send(metadata, "v1");
  EXPECT_EQ(md.status, 200);
  EXPECT_NE(md.body.find(globex_.acs_url()), std::string::npos);
  EXPECT_EQ(md.body.find(acme_.acs_url()), std::string::npos);
}

TEST_F(Sites, EachSiteAcceptsOnlyItsOwnIdpAndKeepsItsOwnSessions) {
  ASSERT_TRUE(plugin_.Configure({platform(), kTestNow}));
  SignIn(acme_, "v1", "acme-cust-1");

  auto on_acme = plugin_.ChatWillStart(ChatOf("acme", "v1"));
  ASSERT_TRUE(on_acme);
  EXPECT_TRUE(on_acme->signed_in);
  EXPECT_EQ(on_acme->customer_id, "acme-cust-1");
  // The same visitor ID on another website is a stranger there.
  auto on_globex = plugin_.ChatWillStart(ChatOf("globex", "v1"));
  ASSERT_TRUE(on_globex);
  EXPECT_FALSE(on_globex->signed_in);
  EXPECT_EQ(on_globex->decision, sdk::ChatStartDecision::kOfferSignIn);
  auto info = plugin_.VisitorInfoWillRender(ChatOf("globex", "v1"));
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->info.verified);

  // acme's IdP answering a globex sign-in: refused at globex's ACS, whether
  // addressed to acme (Destination) or dressed up as globex's.
  auto [relay_state, request_id] = BeginLogin(globex_, "v2");
  auto as_acme = Post("/sso/globex/acs", ResponseFrom(acme_, acme_, request_id, "intruder"),
                      relay_state, "v2");
  EXPECT_EQ(as_acme.status, 403) << as_acme.body;
  auto [relay_state2, request_id2] = BeginLogin(globex_, "v2");
  auto forged = Post("/sso/globex/acs", ResponseFrom(acme_, globex_, request_id2, "intruder"),
                     relay_state2, "v2");
  EXPECT_EQ(forged.status, 403) << forged.body;
  auto v2 = plugin_.ChatWillStart(ChatOf("globex", "v2"));
  ASSERT_TRUE(v2);
  EXPECT_FALSE(v2->signed_in);

  // A globex RelayState posted to acme's ACS is unknown there.
  auto [relay_state3, request_id3] = BeginLogin(globex_, "v3");
  auto crossed =
      Post("/sso/acme/acs", ResponseFrom(acme_, acme_, request_id3, "v3"), relay_state3, "v3");
  EXPECT_EQ(crossed.status, 400) << crossed.body;
  EXPECT_NE(crossed.body.find("sso.acs.unknown_relay_state"), std::string::npos) << crossed.body;

  // globex's own IdP signs v2 in on globex only.
  SignIn(globex_, "v2", "globex-cust-2");
  auto v2_acme = plugin_.ChatWillStart(ChatOf("acme", "v2"));
  ASSERT_TRUE(v2_acme);
  EXPECT_FALSE(v2_acme->signed_in);

  // Refusals are audited on the site that refused them.
  auto globex_admin = plugin_.GetAdminOverview({20, "globex"});
  ASSERT_TRUE(globex_admin);
  EXPECT_EQ(globex_admin->description.sign_in_policy, "optional");
  EXPECT_EQ(globex_admin->sp_metadata_path, "/sso/globex/metadata");
  EXPECT_FALSE(globex_admin->recent_failures.empty());
  auto acme_admin = plugin_.GetAdminOverview({20, "acme"});
  ASSERT_TRUE(acme_admin);
  EXPECT_EQ(acme_admin->description.sign_in_policy, "required");
  ASSERT_EQ(acme_admin->recent_failures.size(), 1u) << "only the crossed RelayState";
  EXPECT_EQ(acme_admin->recent_failures[0].code, "sso.acs.unknown_relay_state");
  auto broken_admin = plugin_.GetAdminOverview({20, "initech"});
  ASSERT_FALSE(broken_admin);
  EXPECT_EQ(broken_admin.error().code, "config.file_missing");
}

TEST_F(Sites, HistoryIsPerSite) {
  ASSERT_TRUE(plugin_.Configure({platform(), kTestNow}));
  SignIn(acme_, "v1", "cust-7");
  SignIn(globex_, "v1", "cust-7");  // the same customer ID at both IdPs
  ASSERT_TRUE(plugin_.TranscriptWillBeSaved(ChatOf("acme", "v1"), "t-1", "acme Team"));
  ASSERT_TRUE(plugin_.TranscriptWillBeSaved(ChatOf("globex", "v1"), "t-1", "globex Team"));
  ASSERT_TRUE(plugin_.TranscriptWillBeSaved(ChatOf("globex", "v9"), "t-2", "globex Team"));
  // A broken site's transcripts are still tagged (as guests) and kept.
  ASSERT_TRUE(plugin_.TranscriptWillBeSaved(ChatOf("initech", "v1"), "t-3", "Support"));
  EXPECT_FALSE(plugin_.TranscriptWillBeSaved(ChatOf("nosuch", "v1"), "t-4", "Support"));

  sdk::HistoryQuery q;
  q.customer_id = "cust-7";
  q.site_id = "acme";
  auto acme = plugin_.SearchHistory(q);
  ASSERT_TRUE(acme);
  ASSERT_EQ(acme->rows.size(), 1u);
  EXPECT_EQ(acme->rows[0].team, "acme Team");
  q.site_id = "globex";
  q.customer_id.clear();
  auto globex = plugin_.SearchHistory(q);
  ASSERT_TRUE(globex);
  ASSERT_EQ(globex->rows.size(), 2u);
  for (const auto& row : globex->rows) EXPECT_EQ(row.team, "globex Team");
  q.site_id = "initech";
  auto initech = plugin_.SearchHistory(q);
  ASSERT_TRUE(initech) << initech.error().message;
  ASSERT_EQ(initech->rows.size(), 1u);
  EXPECT_FALSE(initech->rows[0].signed_in);
  q.site_id = "nosuch";
  auto unknown = plugin_.SearchHistory(q);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "site.unknown");
}

TEST_F(Sites, ReloadAddsChangesAndRemovesSitesAndKeepsLiveSessions) {
  ASSERT_TRUE(plugin_.Configure({platform(), kTestNow}));
  SignIn(acme_, "v1", "acme-cust-1");

  // Add a site, change globex to required, remove hooli, break initech's
  // neighbour... and keep acme as it is.
  SiteSpec umbrella{"umbrella", "optional", &IdpEcKey()};
  umbrella.idp_key->WriteTo(dir_.path() / "certs", umbrella.id);
  WriteFile(dir_.path() / "sites" / "umbrella.ini", SiteFile(umbrella, "U"));
  globex_.sign_in = "required";
  WriteFile(dir_.path() / "sites" / "globex.ini", SiteFile(globex_, "globex Team"));
  fs::remove(dir_.path() / "sites" / "hooli.ini");
  fs::remove(dir_.path() / "sites" / "initech.ini");

  ASSERT_TRUE(plugin_.Reload());
  EXPECT_EQ(plugin_.Describe().site_count, 3u);
  auto acme = plugin_.ChatWillStart(ChatOf("acme", "v1"));
  ASSERT_TRUE(acme);
  EXPECT_TRUE(acme->signed_in) << "a reload ends no session of an unchanged site";
  auto globex = plugin_.ChatWillStart(ChatOf("globex", "v1"));
  ASSERT_TRUE(globex);
  EXPECT_EQ(globex->decision, sdk::ChatStartDecision::kRequireSignIn);
  auto added = plugin_.ChatWillStart(ChatOf("umbrella", "v1"));
  ASSERT_TRUE(added);
  EXPECT_EQ(added->decision, sdk::ChatStartDecision::kOfferSignIn);
  auto removed = plugin_.ChatWillStart(ChatOf("hooli", "v1"));
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->reason_code, "site.unknown");

  // A broken new file: the site keeps serving its previous configuration,
  // and the reload reports the file and key.
  WriteFile(dir_.path() / "sites" / "globex.ini", "[sso]\nsign_in = sometimes\n");
  auto reload = plugin_.Reload();
  ASSERT_FALSE(reload);
  EXPECT_EQ(reload.error().code, "config.invalid_value");
  EXPECT_NE(reload.error().message.find("globex.ini"), std::string::npos) << reload.error().message;
  EXPECT_NE(reload.error().message.find("sign_in"), std::string::npos) << reload.error().message;
  auto still = plugin_.ChatWillStart(ChatOf("globex", "v1"));
  ASSERT_TRUE(still);
  EXPECT_EQ(still->decision, sdk::ChatStartDecision::kRequireSignIn);
  auto overview = plugin_.GetAdminOverview({20, "globex"});
  ASSERT_TRUE(overview);
  ASSERT_FALSE(overview->warnings.empty());
  EXPECT_NE(overview->warnings[0].find("previous configuration"), std::string::npos)
      << overview->warnings[0];
  auto acme_after = plugin_.ChatWillStart(ChatOf("acme", "v1"));
  ASSERT_TRUE(acme_after);
  EXPECT_TRUE(acme_after->signed_in);
}

TEST_F(Sites, SingleSiteFileIsTheDefaultSiteAtTheOldPaths) {
  // Today's form: [sso] and no [platform]; one site, "default".
  acme_.idp_key->WriteTo(dir_.path(), "idp");
  std::string single = SiteFile(acme_, "T");
  single = single.substr(0, single.find("idp_certificates")) + "idp_certificates = idp.crt\n" +
           single.substr(single.find("clock_skew_seconds"));
  WriteFile(dir_.path() / "single.ini", single + "\n");
  ASSERT_TRUE(plugin_.Configure({(dir_.path() / "single.ini").string(), kTestNow}));
  EXPECT_EQ(plugin_.Describe().site_count, 1u);
  EXPECT_EQ(plugin_.Describe().sign_in_policy, "required");
  auto start = plugin_.ChatWillStart(ChatOf("", "v1"));
  ASSERT_TRUE(start);
  EXPECT_EQ(start->sign_in_url.rfind("/sso/login?", 0), 0u) << start->sign_in_url;
  auto named = plugin_.ChatWillStart(ChatOf("default", "v1"));
  ASSERT_TRUE(named);
  EXPECT_EQ(named->decision, sdk::ChatStartDecision::kRequireSignIn);
  sdk::HttpRequest metadata;
  metadata.method = "GET";
  for (const char* path : {"/sso/metadata", "/sso/default/metadata"}) {
    metadata.path = path;
    EXPECT_EQ(Send(metadata, "v1").status, 200) << path;
  }
}

}  // namespace
}  // namespace vsso::testing
