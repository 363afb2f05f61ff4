// The ACS end to end, in process, with a response whose InResponseTo is on
// the bearer SubjectConfirmationData only (ADFS and others; the Response's is
// optional, SAML Core 3.2.2): the pending sign-in found by RelayState is the
// one answered, so the visitor is signed in at once (303), never asked to
// confirm as for an unsolicited response, whether or not IdP-initiated
// sign-in is allowed.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "hooks/plugin_impl.hpp"
#include "saml/authn_request.hpp"
#include "support/deployment.hpp"
#include "support/plugin_http.hpp"
#include "support/test_idp.hpp"

namespace vsso::testing {
namespace {

namespace sdk = visitor_sso::sdk;

class AcsInResponseTo : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    DeploymentOptions options;
    options.allow_idp_initiated = GetParam();
    deployment_ = std::make_unique<Deployment>(options);
    ASSERT_TRUE(plugin_.Configure({deployment_->config().string(), kTestNow}));
  }

  sdk::HttpResponse Send(sdk::HttpRequest req) {
    req.visitor_id = "v1";
    req.remote_address = "192.0.2.1";
    if (!cookie_.empty()) req.headers.emplace_back("Cookie", "vsso_browser=" + cookie_);
    auto resp = plugin_.HandleHttp(req);
    EXPECT_TRUE(resp);
    const std::string set = Header(*resp, "Set-Cookie");
    if (!set.empty()) cookie_ = set.substr(13, 32);
    return *resp;
  }

  // Starts a sign-in for visitor v1; returns {RelayState, AuthnRequest ID}.
  std::pair<std::string, std::string> BeginLogin() {
    sdk::Chat chat;
    chat.visitor.id = "v1";
    chat.return_url = "/chat?visitor=v1";
    auto start = plugin_.ChatWillStart(chat);
    EXPECT_TRUE(start);
    sdk::HttpRequest req;
    req.method = "GET";
    req.path = "/sso/login";
    req.query = start->sign_in_url.substr(start->sign_in_url.find('?') + 1);
    auto resp = Send(req);
    EXPECT_EQ(resp.status, 302) << resp.body;
    const std::string location = Header(resp, "Location");
    auto xml = saml::DecodeRedirectRequest(UrlQueryValue(location, "SAMLRequest"));
    EXPECT_TRUE(xml);
    const auto id_at = xml->find("ID=\"");
    return {UrlQueryValue(location, "RelayState"),
            xml->substr(id_at + 4, xml->find('"', id_at + 4) - id_at - 4)};
  }

  sdk::HttpResponse Post(const std::string& xml, const std::string& relay_state) {
    sdk::HttpRequest req;
    req.method = "POST";
    req.path = "/sso/acs";
    req.body = "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(xml)) +
               "&RelayState=" + url::EncodeQueryValue(relay_state);
    return Send(req);
  }

  std::unique_ptr<Deployment> deployment_;
  hooks::PluginImpl plugin_;
  std::string cookie_;
};

TEST_P(AcsInResponseTo, OnTheBearerConfirmationOnlySignsInAtOnce) {
  const auto [relay_state, request_id] = BeginLogin();
  ResponseBuilder b;
  b.InResponseTo(std::nullopt).SubjectInResponseTo(request_id).NameId("cust-adfs");
  auto acs = Post(b.Build(), relay_state);
  ASSERT_EQ(acs.status, 303) << acs.body;
  EXPECT_EQ(Header(acs, "Location"), "/chat?visitor=v1");
  EXPECT_EQ(acs.signed_in_visitor_id, "v1");
  sdk::Chat chat;
  chat.visitor.id = "v1";
  auto after = plugin_.ChatWillStart(chat);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->signed_in);
}

TEST_P(AcsInResponseTo, OnTheBearerConfirmationNamingAnotherRequestIsRefused) {
  const auto [relay_state, request_id] = BeginLogin();
  ResponseBuilder b;
  b.InResponseTo(std::nullopt).SubjectInResponseTo("_not-" + request_id);
  auto acs = Post(b.Build(), relay_state);
  EXPECT_EQ(acs.status, 403) << acs.body;
  EXPECT_NE(acs.body.find("saml.in_response_to.mismatch"), std::string::npos) << acs.body;
  EXPECT_TRUE(acs.signed_in_visitor_id.empty());
}

INSTANTIATE_TEST_SUITE_P(IdpInitiated, AcsInResponseTo, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Allowed" : "Refused"; });

}  // namespace
}  // namespace vsso::testing
