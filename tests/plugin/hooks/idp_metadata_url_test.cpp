// [sso] idp_metadata_url (issue 14), with real parts: the plugin's libcurl
// client against a loopback HTTP server (support/metadata_server.hpp),
// metadata and responses signed by the test IdP's keys with xmlsec, the
// store in a real SQLite file, sign-ins through the plugin's hooks, and the
// real visitor-sso-admin binary for `metadata refresh`.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "config/loader.hpp"
#include "hooks/idp_metadata_source.hpp"
#include "hooks/plugin_impl.hpp"
#include "saml/authn_request.hpp"
#include "saml/fetched_metadata.hpp"
#include "store/idp_metadata_repository.hpp"
#include "support/metadata_server.hpp"
#include "support/plugin_http.hpp"
#include "support/process.hpp"
#include "support/test_idp.hpp"

namespace vsso::testing {
namespace {

namespace sdk = visitor_sso::sdk;
namespace fs = std::filesystem;

MetadataServer::Answer Answer(int status, std::string body, std::string location,
                              std::string content_type, bool without_length = false) {
  MetadataServer::Answer a;
  a.status = status;
  a.body = std::move(body);
  a.location = std::move(location);
  a.content_type = std::move(content_type);
  a.without_length = without_length;
  return a;
}

MetadataDocument Doc(std::initializer_list<const TestKey*> keys) {
  MetadataDocument d;
  d.entity_id = kIdpEntityId;
  for (const TestKey* k : keys) d.certificates_base64.push_back(k->CertificateBase64());
  return d;
}

std::string Signed(const MetadataDocument& d, const TestKey& key) {
  return SignXmlString(d.Xml(), d.id, SignOptions{}.WithKey(key));
}

// A site whose IdP is known only by its metadata URL.
struct UrlSite {
  explicit UrlSite(const std::string& url, const std::string& extra = "") {
    SpKey().WriteTo(dir.path(), "sp");
    std::ofstream out(config());
    out << "[sso]\nsign_in = required\n"
        << "sp_entity_id = " << kSpEntityId << "\nacs_url = " << kAcsUrl << "\n"
        << "idp_metadata_url = " << url << "\n"
        << "sp_private_key = sp.key\nsp_certificate = sp.crt\n"
        << "database = visitor-sso.db\n"
        << extra << "\n[mapping]\nemail = mail\n";
  }
  fs::path config() const { return dir.path() / "visitor-sso.ini"; }
  std::shared_ptr<store::Database> Db() const {
    return *store::Database::Open((dir.path() / "visitor-sso.db").string());
  }
  std::optional<store::IdpMetadataRow> Row() const {
    store::IdpMetadataRepository repo(Db(), "default");
    auto row = repo.Get();
    EXPECT_TRUE(row);
    return row ? *row : std::nullopt;
  }
  config::Settings Settings() const {
    auto s = config::LoadSettings(config().string());
    EXPECT_TRUE(s) << s.error().message;
    return *s;
  }
  TempDir dir;
};

// One visitor's sign-in through the plugin's hooks: /sso/login, then the
// response signed by `key` posted to /sso/acs. The ACS answer.
sdk::HttpResponse SignIn(hooks::PluginImpl& plugin, const std::string& visitor,
                         const TestKey& key) {
  sdk::Chat chat;
  chat.visitor.id = visitor;
  chat.return_url = "/chat";
  auto start = plugin.ChatWillStart(chat);
  EXPECT_TRUE(start);
  sdk::HttpRequest login;
  login.method = "GET";
  login.path = "/sso/login";
  login.query = start->sign_in_url.substr(start->sign_in_url.find('?') + 1);
  login.visitor_id = visitor;
  auto redirect = plugin.HandleHttp(login);
  EXPECT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 302) << redirect->body;
  const std::string location = Header(*redirect, "Location");
  const std::string cookie = Header(*redirect, "Set-Cookie").substr(13, 32);
  auto xml = saml::DecodeRedirectRequest(UrlQueryValue(location, "SAMLRequest"));
  EXPECT_TRUE(xml);
  const auto id_at = xml->find("ID=\"");
  const std::string request_id = xml->substr(id_at + 4, xml->find('"', id_at + 4) - id_at - 4);
  ResponseBuilder b;
  b.InResponseTo(request_id)
      .SubjectInResponseTo(request_id)
      .NameId(visitor + "@example.org")
      .SignAssertion(SignOptions{}.WithKey(key));
  sdk::HttpRequest acs;
  acs.method = "POST";
  acs.path = "/sso/acs";
  acs.visitor_id = visitor;
  acs.remote_address = "192.0.2.1";
  acs.headers.emplace_back("Cookie", "vsso_browser=" + cookie);
  acs.body = "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(b.Build())) +
             "&RelayState=" + url::EncodeQueryValue(UrlQueryValue(location, "RelayState"));
  auto resp = plugin.HandleHttp(acs);
  EXPECT_TRUE(resp);
  return *resp;
}

// ---- schedule and parsing ---------------------------------------------------

TEST(IdpMetadataSchedule, NeverSoonerThanAMinute) {
  const UnixSeconds now = kTestNow;
  EXPECT_EQ(hooks::NextMetadataRefreshAt(now, 3600, 0, 0, false), now + 3600);
  // cacheDuration and validUntil bring it forward, but not below 60 s.
  EXPECT_EQ(hooks::NextMetadataRefreshAt(now, 3600, 0, 600, false), now + 600);
  EXPECT_EQ(hooks::NextMetadataRefreshAt(now, 3600, 0, 5, false), now + 60);
  EXPECT_EQ(hooks::NextMetadataRefreshAt(now, 3600, now + 1000, 0, false), now + 500);
  EXPECT_EQ(hooks::NextMetadataRefreshAt(now, 3600, now + 30, 0, false), now + 60);
  // A failure retries after a minute.
  EXPECT_EQ(hooks::NextMetadataRefreshAt(now, 86400, 0, 0, true), now + 60);
  // A refresh interval under the floor (never from config, 60..86400) is raised.
  EXPECT_EQ(hooks::NextMetadataRefreshAt(now, 1, 0, 0, false), now + 60);
}

TEST(IdpMetadataSchedule, CacheDurationIsAnXsDuration) {
  EXPECT_EQ(saml::ParseXsDurationSeconds("PT1H"), 3600);
  EXPECT_EQ(saml::ParseXsDurationSeconds("P1DT30M"), 86400 + 1800);
  EXPECT_EQ(saml::ParseXsDurationSeconds("PT90.5S"), 90);
  EXPECT_EQ(saml::ParseXsDurationSeconds("P1M"), 30 * 86400);
  EXPECT_EQ(saml::ParseXsDurationSeconds("PT1M"), 60);
  EXPECT_FALSE(saml::ParseXsDurationSeconds("-PT1H"));
  EXPECT_FALSE(saml::ParseXsDurationSeconds("P"));
  EXPECT_FALSE(saml::ParseXsDurationSeconds("PT"));
  EXPECT_FALSE(saml::ParseXsDurationSeconds("1H"));
  EXPECT_FALSE(saml::ParseXsDurationSeconds("P1H"));
}

// ---- config -----------------------------------------------------------------

TEST(IdpMetadataConfig, KeysAreChecked) {
  struct Case {
    std::string extra_or_url;
    bool is_url;
    std::string key;
  };
  const std::vector<Case> refused = {
      {"http://idp.example.org/metadata.xml", true, "idp_metadata_url"},
      {"http://10.0.0.1/metadata.xml", true, "idp_metadata_url"},
      {"ftp://127.0.0.1/metadata.xml", true, "idp_metadata_url"},
      {"idp_metadata_refresh_seconds = 59", false, "idp_metadata_refresh_seconds"},
      {"idp_metadata_refresh_seconds = 86401", false, "idp_metadata_refresh_seconds"},
  };
  for (const Case& c : refused) {
    UrlSite site(c.is_url ? c.extra_or_url : "https://idp.example.org/metadata.xml",
                 c.is_url ? "" : c.extra_or_url);
    auto s = config::LoadSettings(site.config().string());
    ASSERT_FALSE(s) << c.extra_or_url;
    EXPECT_EQ(s.error().code, "config.invalid_value");
    EXPECT_NE(s.error().message.find(c.key), std::string::npos) << s.error().message;
  }
  for (const std::string url : {"http://127.0.0.1:8/m.xml", "http://[::1]:8/m.xml",
                                "http://localhost/m.xml", "https://idp.example.org/m.xml"}) {
    UrlSite site(url);
    auto s = config::LoadSettings(site.config().string());
    ASSERT_TRUE(s) << url << ": " << s.error().message;
    EXPECT_EQ(s->idp_metadata_refresh_seconds, 3600);
    EXPECT_TRUE(s->idp_entity_id.empty());
  }
  // The file and the URL together: one source.
  UrlSite both("https://idp.example.org/m.xml", "idp_metadata = sp.crt");
  auto s = config::LoadSettings(both.config().string());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("idp_metadata_url"), std::string::npos) << s.error().message;
}

// ---- trust from the URL ------------------------------------------------------

class IdpMetadataUrl : public ::testing::Test {
 protected:
  MetadataServer server_;
};

TEST_F(IdpMetadataUrl, TheUrlAloneEstablishesTrust) {
  server_.Set(Doc({&IdpRsaKey()}).Xml());
  UrlSite site(server_.Url());
  hooks::PluginImpl plugin;
  ASSERT_TRUE(plugin.Configure({site.config().string(), kTestNow}));
  EXPECT_EQ(server_.requests(), 1);
  EXPECT_EQ(SignIn(plugin, "v1", IdpRsaKey()).status, 303);
  auto refused = SignIn(plugin, "v2", IdpRolloverKey());
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("saml.signature.invalid"), std::string::npos) << refused.body;

  auto row = site.Row();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->entity_id, kIdpEntityId);
  EXPECT_EQ(row->fetched_at, kTestNow);
  EXPECT_EQ(row->next_refresh_at, kTestNow + 3600);
  EXPECT_EQ(row->error_code, "");

  // A second plugin (a restart, another node) configures from the stored
  // copy without fetching, even with the server answering 500 now.
  server_.Set(Answer(500, "down", "", "text/plain"));
  hooks::PluginImpl restarted;
  ASSERT_TRUE(restarted.Configure({site.config().string(), kTestNow}));
  EXPECT_EQ(server_.requests(), 1);
  EXPECT_EQ(SignIn(restarted, "v3", IdpRsaKey()).status, 303);
}

TEST_F(IdpMetadataUrl, NoCopyAndNoDocumentFailsTheSiteWithTheReason) {
  server_.Set(Answer(404, "no", "", "text/plain"));
  UrlSite site(server_.Url());
  hooks::PluginImpl plugin;
  auto st = plugin.Configure({site.config().string(), kTestNow});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "metadata.http_status");
  EXPECT_NE(st.error().message.find("idp_metadata_url"), std::string::npos);
  auto row = site.Row();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->document, "");
  EXPECT_EQ(row->error_code, "metadata.http_status");
  EXPECT_EQ(row->next_refresh_at, kTestNow + 60);
}

TEST_F(IdpMetadataUrl, EveryBadAnswerLeavesTheLastGoodCopyInForce) {
  server_.Set(Doc({&IdpRsaKey()}).Xml());
  UrlSite site(server_.Url());
  hooks::PluginImpl plugin;
  ASSERT_TRUE(plugin.Configure({site.config().string(), kTestNow}));
  const std::string good = site.Row()->document;

  MetadataDocument expired = Doc({&IdpRolloverKey()});
  expired.valid_until = FormatInstant(kTestNow - 1);
  MetadataDocument other = Doc({&IdpRolloverKey()});
  other.entity_id = "https://evil.example.net/idp";
  MetadataDocument no_key = Doc({});
  struct Case {
    std::string name;
    MetadataServer::Answer answer;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"500", Answer(500, "oops", "", "text/plain"), "metadata.http_status"},
      {"oversized", Answer(200, std::string(5 * 1024 * 1024, ' '), "", "text/xml"),
       "metadata.too_large"},
      {"oversized, no Content-Length",
       Answer(200, std::string(5 * 1024 * 1024, ' '), "", "text/xml", true), "metadata.too_large"},
      {"not xml", Answer(200, "<md:EntityDescriptor", "", "text/xml"), "metadata.not_xml"},
      {"html", Answer(200, "<html><body>login</body></html>", "", "text/html"),
       "metadata.not_metadata"},
      {"expired", Answer(200, expired.Xml(), "", "text/xml"), "metadata.expired"},
      {"other entity", Answer(200, other.Xml(), "", "text/xml"), "metadata.entity_mismatch"},
      {"no signing key", Answer(200, no_key.Xml(), "", "text/xml"),
       "metadata.missing_signing_certificate"},
      {"redirect", Answer(302, "", "https://idp.example.org/m.xml", "text/plain"),
       "metadata.http_status"},
  };
  UnixSeconds now = kTestNow;
  for (const Case& c : cases) {
    server_.Set(c.answer);
    now += 61;
    auto refreshed = hooks::RefreshMetadata(site.Settings(), site.Db(), now);
    ASSERT_FALSE(refreshed) << c.name;
    EXPECT_EQ(refreshed.error().code, c.code) << c.name << ": " << refreshed.error().message;
    auto row = site.Row();
    ASSERT_TRUE(row);
    EXPECT_EQ(row->document, good) << c.name;
    EXPECT_EQ(row->fetched_at, kTestNow) << c.name;
    EXPECT_EQ(row->attempted_at, now) << c.name;
    EXPECT_EQ(row->next_refresh_at, now + 60) << c.name;
    EXPECT_EQ(row->error_code, c.code) << c.name;
  }
  // The admin overview shows the copy in force and the last attempt's error.
  sdk::AdminOverviewQuery query;
  query.failure_limit = 10;
  auto overview = plugin.GetAdminOverview(query);
  ASSERT_TRUE(overview) << overview.error().message;
  EXPECT_EQ(overview->idp_metadata.source_url, server_.Url());
  EXPECT_EQ(overview->idp_metadata.last_success_at, kTestNow);
  EXPECT_EQ(overview->idp_metadata.last_fetch_at, now);
  EXPECT_EQ(overview->idp_metadata.next_refresh_at, now + 60);
  EXPECT_EQ(overview->idp_metadata.valid_until, 0);
  EXPECT_EQ(overview->idp_metadata.last_error_code, "metadata.http_status");
  EXPECT_NE(overview->idp_metadata.last_error_message.find("HTTP 302"), std::string::npos);

  // Through it all the plugin trusts the first key only, and a new
  // configuration is still built from the good copy.
  EXPECT_EQ(SignIn(plugin, "v1", IdpRsaKey()).status, 303);
  EXPECT_EQ(SignIn(plugin, "v2", IdpRolloverKey()).status, 403);
  hooks::PluginImpl restarted;
  ASSERT_TRUE(restarted.Configure({site.config().string(), kTestNow}));
  EXPECT_EQ(SignIn(restarted, "v3", IdpRsaKey()).status, 303);
  EXPECT_EQ(SignIn(restarted, "v4", IdpRolloverKey()).status, 403);
}

TEST(IdpMetadataUrlGone, AnUnreachableUrlLeavesTheLastGoodMetadataInForce) {
  auto server = std::make_unique<MetadataServer>();
  server->Set(Doc({&IdpRsaKey()}).Xml());
  UrlSite site(server->Url());
  hooks::PluginImpl plugin;
  ASSERT_TRUE(plugin.Configure({site.config().string(), kTestNow}));
  const std::string good = site.Row()->document;
  server.reset();  // nothing listens on the port any more

  auto refreshed = hooks::RefreshMetadata(site.Settings(), site.Db(), kTestNow + 3600);
  ASSERT_FALSE(refreshed);
  EXPECT_EQ(refreshed.error().code, "metadata.fetch_failed") << refreshed.error().message;
  auto row = site.Row();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->document, good);
  EXPECT_EQ(row->error_code, "metadata.fetch_failed");
  EXPECT_EQ(row->next_refresh_at, kTestNow + 3600 + 60);
  // The running plugin and a restarted one (no network needed) both trust
  // the stored copy.
  EXPECT_EQ(SignIn(plugin, "v1", IdpRsaKey()).status, 303);
  hooks::PluginImpl restarted;
  ASSERT_TRUE(restarted.Configure({site.config().string(), kTestNow}));
  EXPECT_EQ(SignIn(restarted, "v2", IdpRsaKey()).status, 303);
  // The CLI says so and exits 1.
  auto cli = RunProcess({VSSO_ADMIN, "metadata", "refresh", "--config", site.config().string()});
  EXPECT_EQ(cli.exit_code, 1) << cli.out << cli.err;
  EXPECT_NE(cli.out.find("[metadata.fetch_failed]"), std::string::npos) << cli.out;
  EXPECT_EQ(site.Row()->document, good);
}

// A free loopback port (a race with other processes is possible but brief).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// TLS is verified (RFC 6125 through libcurl and the system CAs): a real TLS
// server (openssl s_server) with a self-signed certificate is refused
// before any document is read (with verification off, its -www status page
// would be read and refused as metadata.not_metadata instead).
TEST(IdpMetadataUrlTls, AnUntrustedServerCertificateIsRefused) {
  TempDir dir;
  const auto tls = IdpRsaKey().WriteTo(dir.path(), "tls");
  const int port = FreePort();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string accept = "127.0.0.1:" + std::to_string(port);
    ::execl("/usr/bin/openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(),
            "-cert", tls.certificate.c_str(), "-key", tls.private_key.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!Accepts(port) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  UrlSite site("https://127.0.0.1:" + std::to_string(port) + "/metadata.xml");
  auto refreshed = hooks::RefreshMetadata(site.Settings(), site.Db(), kTestNow);
  ::kill(child, SIGTERM);
  ::waitpid(child, nullptr, 0);
  ASSERT_FALSE(refreshed);
  EXPECT_EQ(refreshed.error().code, "metadata.fetch_failed");
  EXPECT_NE(refreshed.error().message.find("certificate"), std::string::npos)
      << refreshed.error().message;
}

TEST_F(IdpMetadataUrl, TheMetadataSigningCertificateMustHaveSignedTheDocument) {
  TempDir keys;
  const auto signer = AttackerKey().WriteTo(keys.path(), "md-signer");
  const MetadataDocument doc = Doc({&IdpRsaKey()});
  server_.Set(Signed(doc, AttackerKey()));
  UrlSite site(server_.Url(), "idp_metadata_signing_certificate = " + signer.certificate.string());
  auto good = hooks::RefreshMetadata(site.Settings(), site.Db(), kTestNow);
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good->parsed.metadata.signing_certificates.size(), 1u);

  // The whole-document reference "" covers the root too.
  server_.Set(
      SignXmlString(doc.Xml(), doc.id, SignOptions{}.WithKey(AttackerKey()).WithReferenceUri("")));
  auto whole = hooks::RefreshMetadata(site.Settings(), site.Db(), kTestNow + 60);
  EXPECT_TRUE(whole) << whole.error().message;

  struct Case {
    std::string name;
    std::string body;
    std::string code;
  };
  std::string tampered = Signed(doc, AttackerKey());
  tampered = ReplaceFirst(tampered, "SSOService.php", "SSOService.php?evil");
  const std::vector<Case> cases = {
      {"unsigned", doc.Xml(), "metadata.signature.missing"},
      {"signed by another key", Signed(doc, IdpRsaKey()), "metadata.signature.invalid"},
      {"tampered after signing", tampered, "metadata.signature.invalid"},
  };
  UnixSeconds now = kTestNow + 120;
  for (const Case& c : cases) {
    server_.Set(c.body);
    auto refused = hooks::RefreshMetadata(site.Settings(), site.Db(), now += 60);
    ASSERT_FALSE(refused) << c.name;
    EXPECT_EQ(refused.error().code, c.code) << c.name << ": " << refused.error().message;
    EXPECT_EQ(site.Row()->error_code, c.code);
    EXPECT_NE(site.Row()->document, "");
  }
}

// ---- rollover ---------------------------------------------------------------

// The plugin's refresher thread, with a clock the test moves and a short
// tick: the schedule (a minute at least) is the production one.
TEST_F(IdpMetadataUrl, BackgroundRefreshSwapsTheRuntimeOnRollover) {
  server_.Set(Doc({&IdpRsaKey()}).Xml());
  UrlSite site(server_.Url(), "idp_metadata_refresh_seconds = 600");
  std::atomic<UnixSeconds> clock{kTestNow};
  hooks::PluginImpl plugin(hooks::PluginImpl::RefresherTiming{std::chrono::milliseconds(20),
                                                              [&] { return clock.load(); }});
  ASSERT_TRUE(plugin.Configure({site.config().string(), kTestNow}));
  EXPECT_EQ(SignIn(plugin, "v1", IdpRsaKey()).status, 303);

  // The IdP publishes its next key beside the old one, then drops the old.
  server_.Set(Doc({&IdpRolloverKey()}).Xml());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(server_.requests(), 1) << "fetched before the refresh interval";
  clock = kTestNow + 599;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(server_.requests(), 1) << "fetched before the refresh interval";
  clock = kTestNow + 600;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (site.Row()->fetched_at != kTestNow + 600 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(site.Row()->fetched_at, kTestNow + 600);
  // Swapped right after the store was written; a sign-in shows it.
  sdk::HttpResponse accepted;
  while (std::chrono::steady_clock::now() < deadline) {
    accepted = SignIn(plugin, "v2", IdpRolloverKey());
    if (accepted.status == 303) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(accepted.status, 303) << accepted.body;
  auto retired = SignIn(plugin, "v3", IdpRsaKey());
  EXPECT_EQ(retired.status, 403);
  EXPECT_NE(retired.body.find("saml.signature.invalid"), std::string::npos);
  EXPECT_EQ(server_.requests(), 2);
  plugin.Shutdown();  // joins the thread promptly (a condition variable, not a sleep)
}

// SAML Metadata 2.3.1: a copy past its validUntil is not relied on. The
// running site fails closed with metadata.expired while no valid document
// can be had, and serves again once one is fetched.
TEST_F(IdpMetadataUrl, AnExpiredCopyInForceStopsTheSiteUntilAValidOneIsFetched) {
  MetadataDocument doc = Doc({&IdpRsaKey()});
  doc.valid_until = FormatInstant(kTestNow + 1000);
  server_.Set(doc.Xml());
  UrlSite site(server_.Url());
  std::atomic<UnixSeconds> clock{kTestNow};
  hooks::PluginImpl plugin(hooks::PluginImpl::RefresherTiming{std::chrono::milliseconds(20),
                                                              [&] { return clock.load(); }});
  ASSERT_TRUE(plugin.Configure({site.config().string(), kTestNow}));
  EXPECT_EQ(site.Row()->next_refresh_at, kTestNow + 500) << "half-way to validUntil";
  EXPECT_EQ(SignIn(plugin, "v1", IdpRsaKey()).status, 303);

  server_.Set(Answer(500, "down", "", "text/plain"));
  clock = kTestNow + 500;  // due: fails, the copy stays in force
  sdk::Chat chat;
  chat.visitor.id = "v2";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (site.Row()->attempted_at != kTestNow + 500 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(site.Row()->error_code, "metadata.http_status");
  EXPECT_EQ(plugin.ChatWillStart(chat)->decision, sdk::ChatStartDecision::kRequireSignIn);

  clock = kTestNow + 1000;  // expired, and still no document
  sdk::ChatStartResult start;
  while (std::chrono::steady_clock::now() < deadline) {
    start = *plugin.ChatWillStart(chat);
    if (start.decision == sdk::ChatStartDecision::kRefuse) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(start.decision, sdk::ChatStartDecision::kRefuse);
  EXPECT_EQ(start.reason_code, "metadata.expired");
  EXPECT_NE(start.reason.find("metadata.http_status"), std::string::npos) << start.reason;

  // The IdP publishes a valid document again; the next retry (a minute
  // later) brings the site back.
  doc.valid_until = FormatInstant(kTestNow + 100000);
  server_.Set(doc.Xml());
  clock = kTestNow + 1060;
  while (std::chrono::steady_clock::now() < deadline) {
    start = *plugin.ChatWillStart(chat);
    if (start.decision != sdk::ChatStartDecision::kRefuse) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(start.decision, sdk::ChatStartDecision::kRequireSignIn) << start.reason;
  EXPECT_EQ(SignIn(plugin, "v3", IdpRsaKey()).status, 303);
}

TEST_F(IdpMetadataUrl, AdminCliRefreshPicksUpARolloverAndRunningPluginsFollow) {
  server_.Set(Doc({&IdpRsaKey()}).Xml());
  UrlSite site(server_.Url());
  // The running plugin's tick is short; its clock (the epoch's first
  // second) never reaches a next refresh, so only the CLI's fetch can bring
  // the new key, and the plugin must notice it in the store.
  hooks::PluginImpl plugin(hooks::PluginImpl::RefresherTiming{std::chrono::milliseconds(20),
                                                              [] { return UnixSeconds{1}; }});
  ASSERT_TRUE(plugin.Configure({site.config().string(), kTestNow}));
  EXPECT_EQ(SignIn(plugin, "v1", IdpRsaKey()).status, 303);

  server_.Set(Answer(500, "down", "", "text/plain"));
  auto failed = RunProcess({VSSO_ADMIN, "metadata", "refresh", "--config", site.config().string()});
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  EXPECT_NE(failed.out.find("default\terror\t"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("[metadata.http_status]"), std::string::npos) << failed.out;
  EXPECT_EQ(SignIn(plugin, "v2", IdpRsaKey()).status, 303) << "the old metadata stays";

  server_.Set(Doc({&IdpRolloverKey()}).Xml());
  auto ok = RunProcess(
      {VSSO_ADMIN, "metadata", "refresh", "--config", site.config().string(), "--site", "default"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out.rfind(std::string("default\tok\t") + kIdpEntityId + "\t1\t-\t", 0), 0u)
      << ok.out;

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  sdk::HttpResponse accepted;
  while (std::chrono::steady_clock::now() < deadline) {
    accepted = SignIn(plugin, "v3", IdpRolloverKey());
    if (accepted.status == 303) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(accepted.status, 303) << accepted.body;
  EXPECT_EQ(SignIn(plugin, "v4", IdpRsaKey()).status, 403) << "the retired key";
}

}  // namespace
}  // namespace vsso::testing
