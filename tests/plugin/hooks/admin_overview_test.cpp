// GetAdminOverview through the hook interface, in process: refusals posted to
// the real ACS are folded by client address, and what an admin must fix
// (a key readable by others, example keys) is in the warnings.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "hooks/plugin_impl.hpp"
#include "support/deployment.hpp"
#include "support/test_idp.hpp"

namespace vsso::testing {
namespace {

namespace sdk = visitor_sso::sdk;
namespace fs = std::filesystem;

sdk::HttpRequest JunkPost(const std::string& remote_address, const std::string& xml) {
  sdk::HttpRequest req;
  req.method = "POST";
  req.path = "/sso/acs";
  req.remote_address = remote_address;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(xml));
  return req;
}

sdk::AdminOverview Overview(hooks::PluginImpl& plugin, std::uint32_t limit = 20) {
  sdk::AdminOverviewQuery query;
  query.failure_limit = limit;
  auto overview = plugin.GetAdminOverview(query);
  EXPECT_TRUE(overview) << overview.error().code << ": " << overview.error().message;
  return overview ? *overview : sdk::AdminOverview{};
}

// Issue 9: 2,000 junk ACS posts pushed every real failure out of the
// admin's "last 20". Folded by code and client address, they are one row.
TEST(AdminOverview, AJunkFloodDoesNotHideARealFailure) {
  Deployment deployment;
  hooks::PluginImpl plugin;
  ASSERT_TRUE(plugin.Configure({deployment.config().string(), kTestNow}));

  ResponseBuilder forged;
  forged.SignAssertion(SignOptions{}.WithKey(SpKey()));  // not the IdP's key
  ASSERT_TRUE(plugin.HandleHttp(JunkPost("192.0.2.10", forged.Build())));
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(plugin.HandleHttp(JunkPost("203.0.113.66", "<junk/>")));
  }

  const sdk::AdminOverview overview = Overview(plugin);
  ASSERT_EQ(overview.recent_failures.size(), 2u);
  const sdk::SignInFailure& junk = overview.recent_failures[0];
  EXPECT_EQ(junk.remote_address, "203.0.113.66");
  EXPECT_EQ(junk.count, 2000u);
  EXPECT_GE(junk.last_at, junk.at);
  const sdk::SignInFailure& real = overview.recent_failures[1];
  EXPECT_EQ(real.remote_address, "192.0.2.10");
  EXPECT_EQ(real.count, 1u);
  EXPECT_EQ(real.code, "saml.signature.invalid") << real.message;
  EXPECT_EQ(real.last_at, real.at);
}

TEST(AdminOverview, OwnKeysReadableOnlyByTheOwnerGiveNoWarning) {
  Deployment deployment;
  hooks::PluginImpl plugin;
  ASSERT_TRUE(plugin.Configure({deployment.config().string(), kTestNow}));
  EXPECT_TRUE(Overview(plugin).warnings.empty());
}

TEST(AdminOverview, AKeyReadableByOthersIsAWarning) {
  Deployment deployment;
  const fs::path key = deployment.dir() / "sp.key";
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  hooks::PluginImpl plugin;
  ASSERT_TRUE(plugin.Configure({deployment.config().string(), kTestNow}));
  const auto warnings = Overview(plugin).warnings;
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(
      warnings[0].find("[sso] sp_private_key " + key.string() +
                       " is readable by group/others (mode 0640); run chmod 600 " + key.string()),
      std::string::npos)
      << warnings[0];
}

// Example key material still loads (so the shipped examples and scenarios
// run), with a warning for each piece.
TEST(AdminOverview, ExampleCertificatesLoadWithAWarning) {
  Deployment deployment;
  const fs::path certs = fs::path(VSSO_SOURCE_DIR) / "config" / "certs";
  fs::copy_file(certs / "idp.pem", deployment.dir() / "idp.crt",
                fs::copy_options::overwrite_existing);
  fs::copy_file(certs / "sp.pem", deployment.dir() / "sp.crt",
                fs::copy_options::overwrite_existing);
  fs::copy_file(certs / "sp.key", deployment.dir() / "sp.key",
                fs::copy_options::overwrite_existing);
  fs::permissions(deployment.dir() / "sp.key", fs::perms::owner_read | fs::perms::owner_write);
  hooks::PluginImpl plugin;
  ASSERT_TRUE(plugin.Configure({deployment.config().string(), kTestNow}));
  const auto warnings = Overview(plugin).warnings;
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_NE(warnings[0].find("The trusted IdP certificate"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("is the example config/certs/idp.pem"), std::string::npos);
  EXPECT_NE(warnings[1].find("[sso] sp_certificate"), std::string::npos) << warnings[1];
  EXPECT_NE(warnings[2].find("[sso] sp_private_key"), std::string::npos) << warnings[2];
  for (const auto& w : warnings) EXPECT_NE(w.find("private key is public"), std::string::npos);
}

}  // namespace
}  // namespace vsso::testing
