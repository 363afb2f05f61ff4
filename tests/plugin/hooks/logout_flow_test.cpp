// Sign-out and single logout through the real HTTP hook, in process, with
// the test IdP making and checking the Redirect-binding messages the way
// SimpleSAMLphp does (support/test_idp_logout.hpp): SP-initiated round trip,
// IdP-initiated logout, logout CSRF, another browser, no IdP SLO endpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "hooks/plugin_impl.hpp"
#include "saml/authn_request.hpp"
#include "store/audit_log.hpp"
#include "store/database.hpp"
#include "support/deployment.hpp"
#include "support/plugin_http.hpp"
#include "support/test_idp.hpp"
#include "support/test_idp_logout.hpp"

namespace vsso::testing {
namespace {

namespace sdk = visitor_sso::sdk;

constexpr char kIdpSlo[] = "https://idp.example.org/saml2/idp/SingleLogoutService.php";
constexpr char kSpSlo[] = "https://chat.example.com/sso/slo";
constexpr char kOrigin[] = "https://chat.example.com";

std::string AttrOf(const std::string& xml, const std::string& name) {
  const auto at = xml.find(" " + name + "=\"");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 3;
  return xml.substr(start, xml.find('"', start) - start);
}

class LogoutFlow : public ::testing::Test {
 protected:
  void Start(bool idp_slo = true) {
    DeploymentOptions options;
    if (idp_slo) options.extra_sso = std::string("idp_logout_url = ") + kIdpSlo + "\n";
    deployment_ = std::make_unique<Deployment>(options);
    ASSERT_TRUE(plugin_.Configure({deployment_->config().string(), kTestNow}));
  }

  // The IdP's logout endpoints from its metadata file (idp_metadata), not
  // from idp_logout_url.
  void StartWithMetadata(const std::string& slo_elements) {
    DeploymentOptions options;
    options.extra_sso = "idp_metadata = idp-metadata.xml\n";
    deployment_ = std::make_unique<Deployment>(options);
    std::ofstream(deployment_->dir() / "idp-metadata.xml")
        << "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
           "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\""
        << kIdpEntityId
        << "\"><md:IDPSSODescriptor "
           "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
           "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>"
        << IdpRsaKey().CertificateBase64()
        << "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>" << slo_elements
        << "<md:SingleSignOnService "
           "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
           "Location=\"https://idp.example.org/saml2/idp/SSOService.php\"/>"
           "</md:IDPSSODescriptor></md:EntityDescriptor>";
    auto st = plugin_.Configure({deployment_->config().string(), kTestNow});
    ASSERT_TRUE(st) << st.error().message;
  }

  // What `browser` sends: its plugin cookie and the visitor the host knows
  // for it (the browser's name; "" for none).
  sdk::HttpResponse Send(sdk::HttpRequest req, const std::string& browser,
                         const std::string& visitor) {
    req.visitor_id = visitor;
    req.remote_address = "192.0.2.7";
    if (auto jar = cookies_.find(browser); jar != cookies_.end()) {
      req.headers.emplace_back("Cookie", "vsso_browser=" + jar->second);
    }
    auto resp = plugin_.HandleHttp(req);
    EXPECT_TRUE(resp);
    const std::string set = Header(*resp, "Set-Cookie");
    if (!set.empty()) cookies_[browser] = set.substr(13, 32);
    return *resp;
  }
  sdk::HttpResponse Send(sdk::HttpRequest req, const std::string& browser) {
    return Send(std::move(req), browser, browser);
  }

  // A full SP-initiated sign-in of `visitor` in its own browser.
  void SignIn(const std::string& visitor, const std::string& name_id,
              const std::string& session_index) {
    sdk::HttpRequest login;
    login.method = "GET";
    login.path = "/sso/login";
    login.query = "return=%2Fchat";
    auto redirect = Send(login, visitor);
    ASSERT_EQ(redirect.status, 302) << redirect.body;
    const std::string query = QueryOfUrl(Header(redirect, "Location"));
    const std::string relay = *QueryValue(query, "RelayState");
    auto xml = saml::DecodeRedirectRequest(*QueryValue(query, "SAMLRequest"));
    ASSERT_TRUE(xml);
    const std::string request_id = AttrOf(*xml, "ID");
    ResponseBuilder b;
    b.InResponseTo(request_id)
        .SubjectInResponseTo(request_id)
        .NameId(name_id)
        .NameIdQualifiers("urn:example:idp-qualifier", std::string(kSpEntityId))
        .SessionIndex(session_index);
    sdk::HttpRequest acs;
    acs.method = "POST";
    acs.path = "/sso/acs";
    acs.body = "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(b.Build())) +
               "&RelayState=" + url::EncodeQueryValue(relay);
    auto done = Send(acs, visitor);
    ASSERT_EQ(done.status, 303) << done.body;
    ASSERT_EQ(done.signed_in_visitor_id, visitor);
  }

  bool SignedIn(const std::string& visitor) {
    sdk::Chat chat;
    chat.visitor.id = visitor;
    auto start = plugin_.ChatWillStart(chat);
    EXPECT_TRUE(start);
    return start->signed_in;
  }

  sdk::HttpResponse PostLogout(const std::string& browser, const std::string& origin = kOrigin,
                               const std::string& return_path = "/chat?x=1") {
    sdk::HttpRequest req;
    req.method = "POST";
    req.path = "/sso/logout";
    req.body = "return=" + url::EncodeQueryValue(return_path);
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    if (!origin.empty()) req.headers.emplace_back("Origin", origin);
    return Send(req, browser);
  }

  sdk::HttpResponse GetSlo(const std::string& query, const std::string& browser,
                           const std::string& visitor = "") {
    sdk::HttpRequest req;
    req.method = "GET";
    req.path = "/sso/slo";
    req.query = query;
    return Send(req, browser, visitor);
  }

  // The IdP's answer to the LogoutRequest in `redirect` (a 302 to the IdP).
  std::string IdpAnswer(const sdk::HttpResponse& redirect, const std::string& status,
                        const RedirectSignSpec& sign = {}) {
    const std::string query = QueryOfUrl(Header(redirect, "Location"));
    const std::string request = InflateRedirectValue(*QueryValue(query, "SAMLRequest"));
    IdpLogoutResponseSpec spec;
    spec.destination = kSpSlo;
    spec.in_response_to = AttrOf(request, "ID");
    spec.status = status;
    return RedirectQuery("SAMLResponse", IdpLogoutResponseXml(spec),
                         *QueryValue(query, "RelayState"), sign);
  }

  std::unique_ptr<Deployment> deployment_;
  hooks::PluginImpl plugin_;
  std::map<std::string, std::string> cookies_;  // browser -> vsso_browser
};

TEST_F(LogoutFlow, SpInitiatedRoundTrip) {
  Start();
  SignIn("v1", "gold@example.org", "_idp-session-1");
  ASSERT_TRUE(SignedIn("v1"));

  auto out = PostLogout("v1");
  ASSERT_EQ(out.status, 302) << out.body;
  EXPECT_EQ(out.signed_out_visitor_ids, std::vector<std::string>{"v1"});
  EXPECT_FALSE(SignedIn("v1")) << "the chat session ends at once, before the IdP answers";

  // The LogoutRequest as the IdP receives it: signed with the SP key
  // (checked by the test IdP's own verifier), the session's NameID and
  // SessionIndex, addressed to the IdP's SLO endpoint.
  const std::string location = Header(out, "Location");
  ASSERT_TRUE(location.starts_with(std::string(kIdpSlo) + "?SAMLRequest=")) << location;
  const std::string query = QueryOfUrl(location);
  EXPECT_TRUE(RedirectSignatureValid(query, SpKey()));
  EXPECT_EQ(QueryValue(query, "SigAlg"), kRsaSha256);
  const std::string request = InflateRedirectValue(*QueryValue(query, "SAMLRequest"));
  EXPECT_NE(request.find(">gold@example.org</saml:NameID>"), std::string::npos) << request;
  EXPECT_NE(request.find(std::string("Format=\"") + kNameIdEmail + "\""), std::string::npos);
  // ... with the qualifiers the IdP gave it (Core 3.7.1).
  EXPECT_EQ(AttrOf(request, "NameQualifier"), "urn:example:idp-qualifier") << request;
  EXPECT_EQ(AttrOf(request, "SPNameQualifier"), kSpEntityId) << request;
  EXPECT_NE(request.find("<samlp:SessionIndex>_idp-session-1</samlp:SessionIndex>"),
            std::string::npos);
  EXPECT_EQ(AttrOf(request, "Destination"), kIdpSlo);
  EXPECT_EQ(AttrOf(request, "NotOnOrAfter"), FormatInstant(kTestNow + 300));

  const std::string answer = IdpAnswer(out, kStatusSuccess);
  auto back = GetSlo(answer, "v1");
  ASSERT_EQ(back.status, 303) << back.body;
  EXPECT_EQ(Header(back, "Location"), "/chat?x=1&sso_signed_out=idp");

  // Single use: the same answer again finds no pending sign-out.
  auto again = GetSlo(answer, "v1");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(Header(again, "X-Visitor-SSO-Error"), "sso.slo.unknown_relay_state");

  // Audited: the sign-out and the IdP's confirmation.
  auto db = store::Database::Open(deployment_->database().string());
  ASSERT_TRUE(db);
  store::AuditLog audit(*db, "default");
  EXPECT_EQ(audit.Latest(5, "sign_out")->size(), 1u);
  EXPECT_EQ(audit.Latest(5, "sign_out_idp")->size(), 1u);
  auto refused = audit.Latest(1, "sign_in_rejected");
  ASSERT_EQ(refused->size(), 1u);
  EXPECT_EQ(refused->front().code, "sso.slo.unknown_relay_state");
}

TEST_F(LogoutFlow, IdpAnsweringPartialLogoutSaysSo) {
  Start();
  SignIn("v1", "gold@example.org", "_s1");
  auto out = PostLogout("v1");
  ASSERT_EQ(out.status, 302);
  auto back = GetSlo(IdpAnswer(out, "urn:oasis:names:tc:SAML:2.0:status:Responder"), "v1");
  ASSERT_EQ(back.status, 303) << back.body;
  EXPECT_EQ(Header(back, "Location"), "/chat?x=1&sso_signed_out=partial");
}

TEST_F(LogoutFlow, LogoutResponseMustBeSignedAndComeBackInTheSameBrowser) {
  Start();
  SignIn("v1", "gold@example.org", "_s1");
  auto out = PostLogout("v1");
  ASSERT_EQ(out.status, 302);

  RedirectSignSpec unsigned_spec;
  unsigned_spec.key = nullptr;
  auto forged = GetSlo(IdpAnswer(out, kStatusSuccess, unsigned_spec), "v1");
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(Header(forged, "X-Visitor-SSO-Error"), "saml.logout.unsigned");

  RedirectSignSpec attacker;
  attacker.key = &AttackerKey();
  auto wrong_key = GetSlo(IdpAnswer(out, kStatusSuccess, attacker), "v1");
  EXPECT_EQ(Header(wrong_key, "X-Visitor-SSO-Error"), "saml.logout.signature_invalid");

  // A genuine answer captured and opened in another browser.
  SignIn("v2", "silver@example.org", "_s2");
  auto elsewhere = GetSlo(IdpAnswer(out, kStatusSuccess), "v2", "v2");
  EXPECT_EQ(elsewhere.status, 403);
  EXPECT_EQ(Header(elsewhere, "X-Visitor-SSO-Error"), "sso.slo.browser_mismatch");
  EXPECT_TRUE(SignedIn("v2"));
}

TEST_F(LogoutFlow, IdpInitiatedLogoutEndsTheNameIdsSessionsAndAnswersSigned) {
  Start();
  SignIn("v1", "gold@example.org", "_s1");
  SignIn("v2", "gold@example.org", "_s2");  // the same person in a second browser
  SignIn("v3", "silver@example.org", "_s3");

  IdpLogoutRequestSpec spec;
  spec.destination = kSpSlo;
  spec.not_on_or_after = kTestNow + 300;
  const std::string query = RedirectQuery("SAMLRequest", IdpLogoutRequestXml(spec), "idp-rs 1");
  auto resp = GetSlo(query, "v1", "v1");
  ASSERT_EQ(resp.status, 302) << resp.body;
  std::vector<std::string> ended = resp.signed_out_visitor_ids;
  std::sort(ended.begin(), ended.end());
  EXPECT_EQ(ended, (std::vector<std::string>{"v1", "v2"}));
  EXPECT_FALSE(SignedIn("v1"));
  EXPECT_FALSE(SignedIn("v2"));
  EXPECT_TRUE(SignedIn("v3"));

  // The answer: a LogoutResponse to the IdP's SLO endpoint, signed with the
  // SP key, Success, InResponseTo the request, RelayState echoed.
  const std::string location = Header(resp, "Location");
  ASSERT_TRUE(location.starts_with(std::string(kIdpSlo) + "?SAMLResponse=")) << location;
  const std::string answer = QueryOfUrl(location);
  EXPECT_TRUE(RedirectSignatureValid(answer, SpKey()));
  EXPECT_FALSE(RedirectSignatureValid(answer, IdpRsaKey()));
  EXPECT_EQ(QueryValue(answer, "RelayState"), "idp-rs 1");
  const std::string xml = InflateRedirectValue(*QueryValue(answer, "SAMLResponse"));
  EXPECT_EQ(AttrOf(xml, "InResponseTo"), spec.id);
  EXPECT_EQ(AttrOf(xml, "Destination"), kIdpSlo);
  EXPECT_NE(xml.find(std::string("Value=\"") + kStatusSuccess + "\""), std::string::npos) << xml;
  EXPECT_NE(xml.find(std::string("<saml:Issuer>") + kSpEntityId + "</saml:Issuer>"),
            std::string::npos);

  // Replayed within its lifetime: refused, and it ends nothing.
  SignIn("v1", "gold@example.org", "_s4");
  auto replay = GetSlo(query, "v1", "v1");
  EXPECT_EQ(replay.status, 403);
  EXPECT_EQ(Header(replay, "X-Visitor-SSO-Error"), "saml.logout.replayed");
  EXPECT_TRUE(replay.signed_out_visitor_ids.empty());
  EXPECT_TRUE(SignedIn("v1"));
}

TEST_F(LogoutFlow, IdpInitiatedLogoutWithSessionIndexEndsOnlyThatSession) {
  Start();
  SignIn("v1", "gold@example.org", "_s1");
  SignIn("v2", "gold@example.org", "_s2");
  IdpLogoutRequestSpec spec;
  spec.destination = kSpSlo;
  spec.session_indexes = {"_s2"};
  auto resp = GetSlo(RedirectQuery("SAMLRequest", IdpLogoutRequestXml(spec), ""), "v2", "v2");
  ASSERT_EQ(resp.status, 302) << resp.body;
  EXPECT_EQ(resp.signed_out_visitor_ids, std::vector<std::string>{"v2"});
  EXPECT_TRUE(SignedIn("v1"));
  EXPECT_FALSE(SignedIn("v2"));
  EXPECT_FALSE(QueryValue(QueryOfUrl(Header(resp, "Location")), "RelayState").has_value());
}

TEST_F(LogoutFlow, UnverifiedIdpLogoutEndsNothing) {
  Start();
  SignIn("v1", "gold@example.org", "_s1");
  IdpLogoutRequestSpec spec;
  spec.destination = kSpSlo;
  RedirectSignSpec unsigned_spec;
  unsigned_spec.key = nullptr;
  auto unsigned_resp =
      GetSlo(RedirectQuery("SAMLRequest", IdpLogoutRequestXml(spec), "", unsigned_spec), "x");
  EXPECT_EQ(unsigned_resp.status, 403);
  EXPECT_EQ(Header(unsigned_resp, "X-Visitor-SSO-Error"), "saml.logout.unsigned");
  spec.destination = "https://chat.example.com/sso/other/slo";
  auto misdirected = GetSlo(RedirectQuery("SAMLRequest", IdpLogoutRequestXml(spec), ""), "x");
  EXPECT_EQ(Header(misdirected, "X-Visitor-SSO-Error"), "saml.logout.destination_mismatch");
  EXPECT_TRUE(SignedIn("v1"));
  EXPECT_EQ(GetSlo("nothing=here", "x").status, 400);
}

TEST_F(LogoutFlow, CrossOriginSignOutIsRefused) {
  Start();
  SignIn("v1", "gold@example.org", "_s1");
  // A form on another site, auto-submitted in the visitor's browser.
  auto forged = PostLogout("v1", "https://evil.example.net");
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(Header(forged, "X-Visitor-SSO-Error"), "sso.logout.cross_origin");
  EXPECT_TRUE(forged.signed_out_visitor_ids.empty());
  auto no_origin = PostLogout("v1", "");
  EXPECT_EQ(Header(no_origin, "X-Visitor-SSO-Error"), "sso.logout.cross_origin");
  EXPECT_TRUE(SignedIn("v1"));

  sdk::HttpRequest get;
  get.method = "GET";
  get.path = "/sso/logout";
  EXPECT_EQ(Send(get, "v1").status, 405);
  EXPECT_TRUE(SignedIn("v1"));
  EXPECT_EQ(Header(PostLogout("v1", kOrigin, "//evil.example.net/"), "X-Visitor-SSO-Error"),
            "sso.logout.bad_return_url");

  // Without Origin, a same-origin Referer (an older browser) is accepted.
  sdk::HttpRequest by_referer;
  by_referer.method = "POST";
  by_referer.path = "/sso/logout";
  by_referer.body = "return=%2Fchat";
  by_referer.headers = {{"Referer", "https://chat.example.com/chat?x=1"}};
  EXPECT_EQ(Send(by_referer, "v1").status, 302);
  EXPECT_FALSE(SignedIn("v1"));
}

TEST_F(LogoutFlow, WithoutIdpSloSignOutIsLocalAndSaysSo) {
  Start(/*idp_slo=*/false);
  SignIn("v1", "gold@example.org", "_s1");
  auto out = PostLogout("v1");
  ASSERT_EQ(out.status, 303) << out.body;
  EXPECT_EQ(Header(out, "Location"), "/chat?x=1&sso_signed_out=local");
  EXPECT_EQ(out.signed_out_visitor_ids, std::vector<std::string>{"v1"});
  EXPECT_FALSE(SignedIn("v1"));
  // Nobody signed in any more: nothing to end.
  auto none = PostLogout("v1");
  EXPECT_EQ(Header(none, "Location"), "/chat?x=1&sso_signed_out=none");
  EXPECT_TRUE(none.signed_out_visitor_ids.empty());
}

// SAML Metadata 2.2.2: requests go to Location, responses to
// ResponseLocation.
TEST_F(LogoutFlow, IdpMetadataSuppliesLocationAndResponseLocation) {
  StartWithMetadata(
      "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
      "Location=\"https://idp.example.org/slo\" "
      "ResponseLocation=\"https://idp.example.org/slo-answers\"/>");
  SignIn("v1", "gold@example.org", "_s1");
  auto out = PostLogout("v1");
  ASSERT_EQ(out.status, 302) << out.body;
  EXPECT_TRUE(Header(out, "Location").starts_with("https://idp.example.org/slo?SAMLRequest="));

  SignIn("v2", "gold@example.org", "_s2");
  IdpLogoutRequestSpec spec;
  spec.destination = kSpSlo;
  auto resp = GetSlo(RedirectQuery("SAMLRequest", IdpLogoutRequestXml(spec), ""), "v2", "v2");
  ASSERT_EQ(resp.status, 302) << resp.body;
  EXPECT_TRUE(
      Header(resp, "Location").starts_with("https://idp.example.org/slo-answers?SAMLResponse="));
  EXPECT_EQ(resp.signed_out_visitor_ids, std::vector<std::string>{"v2"});
}

TEST_F(LogoutFlow, IdpMetadataWithoutRedirectSloMeansLocalSignOut) {
  StartWithMetadata(
      "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:SOAP\" "
      "Location=\"https://idp.example.org/slo-soap\"/>");
  SignIn("v1", "gold@example.org", "_s1");
  auto out = PostLogout("v1");
  ASSERT_EQ(out.status, 303) << out.body;
  EXPECT_EQ(Header(out, "Location"), "/chat?x=1&sso_signed_out=local");
}

TEST_F(LogoutFlow, SpMetadataListsTheSloEndpoint) {
  Start();
  sdk::HttpRequest req;
  req.method = "GET";
  req.path = "/sso/metadata";
  auto md = Send(req, "v1");
  ASSERT_EQ(md.status, 200);
  EXPECT_NE(md.body.find("<md:SingleLogoutService "
                         "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
                         "Location=\"https://chat.example.com/sso/slo\"/>"),
            std::string::npos)
      << md.body;
}

}  // namespace
}  // namespace vsso::testing
