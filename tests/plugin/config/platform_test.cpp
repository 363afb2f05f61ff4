// LoadPlatform on real files in a temporary directory: a platform file and
// its directory of site files, the single-site form, and every rule that
// refuses a site or the whole platform (docs/configuration.md, "Many
// websites").
#include "config/platform.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"

namespace vsso::config {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const fs::path kExamples = fs::path(VSSO_SOURCE_DIR) / "config";

// A valid site file for `id` whose acs_url is this site's endpoint; `extra`
// goes at the end of [sso].
std::string SiteIni(std::string_view id, std::string_view sign_in = "required",
                    std::string_view extra = "") {
  const std::string site(id);
  return "[sso]\nsign_in = " + std::string(sign_in) +
         "\nsp_entity_id = https://chat.example.com/sso/" + site +
         "/metadata\n"
         "acs_url = https://chat.example.com/sso/" +
         site +
         "/acs\n"
         "idp_entity_id = https://idp-" +
         site +
         ".example.com/saml\n"
         "idp_sign_in_url = https://idp.example.com/saml/sso\n"
         "idp_certificates = ../certs/idp.pem\n" +
         std::string(extra) + "[mapping]\nemail = mail\n";
}

std::string SiteJson(std::string_view id, std::string_view sign_in) {
  const std::string site(id);
  return R"({"sso": {"sign_in": ")" + std::string(sign_in) +
         R"(", "sp_entity_id": "https://chat.example.com/sso/)" + site +
         R"(/metadata", "acs_url": "https://chat.example.com/sso/)" + site +
         R"(/acs", "idp_entity_id": "https://idp-)" + site +
         R"(.example.com/saml", "idp_sign_in_url": "https://idp.example.com/saml/sso",
          "idp_certificates": ["../certs/idp.pem"]}})";
}

const std::string kPlatformIni = "[platform]\ndatabase = data/vsso.db\nsites = sites\n";

class PlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vsso-platform-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ / "certs");
    fs::create_directories(dir_ / "sites");
    fs::create_directories(dir_ / "data");
    fs::copy_file(kExamples / "certs" / "idp.pem", dir_ / "certs" / "idp.pem");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  std::string In(const std::string& name) const { return (dir_ / name).string(); }

  Result<PlatformConfig> Load(const std::string& platform_text,
                              const PlatformConfig* previous = nullptr) {
    return LoadPlatform(Write("platform.ini", platform_text), previous);
  }

  fs::path dir_;
};

std::vector<std::string> Ids(const PlatformConfig& platform) {
  std::vector<std::string> ids;
  for (const SiteConfig& site : platform.sites) ids.push_back(site.id);
  return ids;
}

TEST(SiteIdTest, FollowsTheRule) {
  EXPECT_TRUE(IsValidSiteId("a"));
  EXPECT_TRUE(IsValidSiteId("0"));
  EXPECT_TRUE(IsValidSiteId("acme-support-2"));
  EXPECT_TRUE(IsValidSiteId(std::string(63, 'x')));
  EXPECT_FALSE(IsValidSiteId(""));
  EXPECT_FALSE(IsValidSiteId(std::string(64, 'x')));
  EXPECT_FALSE(IsValidSiteId("-a"));
  EXPECT_FALSE(IsValidSiteId("Acme"));
  EXPECT_FALSE(IsValidSiteId("a_b"));
  EXPECT_FALSE(IsValidSiteId("a.b"));
  EXPECT_FALSE(IsValidSiteId("a b"));
}

TEST(SiteIdTest, EndpointPaths) {
  EXPECT_EQ(SiteEndpointPath("acme", "acs"), "/sso/acme/acs");
  EXPECT_EQ(SiteEndpointPath("acme", "login"), "/sso/acme/login");
  EXPECT_EQ(SiteEndpointPath(kDefaultSiteId, "acs"), "/sso/acs");
}

TEST_F(PlatformTest, TwoGoodSitesAndABrokenOne) {
  Write("sites/alpha.ini", SiteIni("alpha", "required"));
  Write("sites/beta.json", SiteJson("beta", "optional"));
  Write("sites/broken.ini", SiteIni("broken", "required", "clock_skew_seconds = lots\n"));
  // Not site files: an editor's backup, a dotfile, a README, a directory.
  Write("sites/alpha.ini~", "junk");
  Write("sites/.hidden.ini", "junk");
  Write("sites/README", "junk");
  fs::create_directories(dir_ / "sites" / "folder.ini");

  auto platform = Load(kPlatformIni);
  ASSERT_TRUE(platform) << platform.error().message;
  EXPECT_FALSE(platform->single_site);
  EXPECT_EQ(platform->source_path, In("platform.ini"));
  EXPECT_EQ(platform->database, In("data/vsso.db"));
  EXPECT_EQ(platform->sites_dir, In("sites"));
  EXPECT_THAT(platform->warnings, IsEmpty());
  ASSERT_THAT(Ids(*platform), ElementsAre("alpha", "beta", "broken"));

  const SiteConfig* alpha = platform->Find("alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->path, In("sites/alpha.ini"));
  ASSERT_TRUE(alpha->settings) << alpha->settings.error().message;
  EXPECT_EQ(alpha->settings->site_id, "alpha");
  EXPECT_EQ(alpha->settings->source_path, In("sites/alpha.ini"));
  EXPECT_EQ(alpha->settings->database, In("data/vsso.db"));
  EXPECT_EQ(alpha->settings->sign_in, SignInPolicy::kRequired);
  EXPECT_EQ(alpha->settings->idp_certificates, std::vector<std::string>{In("certs/idp.pem")});
  EXPECT_EQ(alpha->settings->mappings.size(), 1u);
  EXPECT_THAT(alpha->warnings, IsEmpty());
  EXPECT_FALSE(alpha->intended_policy);

  const SiteConfig* beta = platform->Find("beta");
  ASSERT_NE(beta, nullptr);
  ASSERT_TRUE(beta->settings) << beta->settings.error().message;
  EXPECT_EQ(beta->settings->site_id, "beta");
  EXPECT_EQ(beta->settings->sign_in, SignInPolicy::kOptional);
  EXPECT_EQ(beta->settings->database, In("data/vsso.db"));

  const SiteConfig* broken = platform->Find("broken");
  ASSERT_NE(broken, nullptr);
  ASSERT_FALSE(broken->settings);
  EXPECT_EQ(broken->settings.error().code, "config.invalid_value");
  EXPECT_THAT(broken->settings.error().message,
              AllOf(HasSubstr(In("sites/broken.ini") + ": [sso] clock_skew_seconds:"),
                    HasSubstr("'lots'")));
  EXPECT_EQ(broken->intended_policy, SignInPolicy::kRequired);

  EXPECT_EQ(platform->Find("nope"), nullptr);
  EXPECT_EQ(platform->Find("folder"), nullptr);
}

// Site files are named as the admin named the platform file: relative stays
// relative, so `sites list` prints what the admin typed.
TEST_F(PlatformTest, MessagesNameSiteFilesRelativeToTheGivenPath) {
  Write("sites/broken.ini", SiteIni("broken", "required", "sign_authn_requests = maybe\n"));
  Write("platform.ini", kPlatformIni);
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  auto platform = LoadPlatform("platform.ini");
  fs::current_path(cwd);
  ASSERT_TRUE(platform) << platform.error().message;
  ASSERT_EQ(platform->sites.size(), 1u);
  EXPECT_EQ(platform->sites[0].path, In("sites/broken.ini"));
  EXPECT_THAT(platform->sites[0].settings.error().message,
              HasSubstr("sites/broken.ini: [sso] sign_authn_requests: expected true or false"));
  EXPECT_THAT(platform->sites[0].settings.error().message, Not(HasSubstr(dir_.string())));
}

TEST_F(PlatformTest, SingleSiteFileIsTheDefaultSite) {
  const std::string path = Write("single.ini",
                                 "[sso]\nsign_in = optional\n"
                                 "sp_entity_id = https://chat.example.com/sso/metadata\n"
                                 "acs_url = https://chat.example.com/sso/acs\n"
                                 "idp_entity_id = https://idp.example.com/saml\n"
                                 "idp_sign_in_url = https://idp.example.com/saml/sso\n"
                                 "idp_certificates = certs/idp.pem\n");
  auto platform = LoadPlatform(path);
  ASSERT_TRUE(platform) << platform.error().message;
  EXPECT_TRUE(platform->single_site);
  EXPECT_EQ(platform->sites_dir, "");
  EXPECT_EQ(platform->database, In("visitor-sso.db"));
  ASSERT_THAT(Ids(*platform), ElementsAre("default"));
  const SiteConfig& site = platform->sites[0];
  EXPECT_EQ(site.path, path);
  auto expected = LoadSettings(path);
  ASSERT_TRUE(expected);
  ASSERT_TRUE(site.settings);
  EXPECT_EQ(*site.settings, *expected);  // exactly what LoadSettings reads
  EXPECT_EQ(site.settings->site_id, "default");
  EXPECT_THAT(site.warnings, IsEmpty());

  // The default site also answers at /sso/default/acs.
  const std::string also = Write("sub/also.ini", SiteIni("default", "none"));
  auto platform_also = LoadPlatform(also);
  ASSERT_TRUE(platform_also);
  ASSERT_TRUE(platform_also->sites[0].settings) << platform_also->sites[0].settings.error().message;
  EXPECT_THAT(platform_also->sites[0].warnings, IsEmpty());
}

TEST_F(PlatformTest, BrokenSingleSiteFileIsTheDefaultSitesError) {
  const std::string path = Write("single.ini", "[sso]\nsign_in = required\nalow_sha1 = true\n");
  auto platform = LoadPlatform(path);
  ASSERT_TRUE(platform) << platform.error().message;
  ASSERT_THAT(Ids(*platform), ElementsAre("default"));
  const SiteConfig& site = platform->sites[0];
  ASSERT_FALSE(site.settings);
  EXPECT_EQ(site.settings.error().code, "config.unknown_key");
  EXPECT_THAT(site.settings.error().message, HasSubstr("did you mean allow_sha1?"));
  EXPECT_EQ(site.intended_policy, SignInPolicy::kRequired);
}

TEST_F(PlatformTest, PlatformAndSsoInOneFileIsRefused) {
  auto platform = Load(kPlatformIni + SiteIni("x"));
  ASSERT_FALSE(platform);
  EXPECT_EQ(platform.error().code, "config.platform_and_site");
  EXPECT_THAT(platform.error().message,
              AllOf(HasSubstr(In("platform.ini")), HasSubstr("[platform]"), HasSubstr("[sso]")));

  auto json = LoadPlatform(Write("both.json", R"({"platform": {"sites": "sites"}, "sso": {}})"));
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().code, "config.platform_and_site");
}

TEST_F(PlatformTest, TwoFilesForOneSiteAreRefused) {
  Write("sites/acme.ini", SiteIni("acme", "required"));
  Write("sites/acme.JSON", SiteJson("acme", "none"));
  Write("sites/other.ini", SiteIni("other"));
  auto platform = Load(kPlatformIni);
  ASSERT_TRUE(platform) << platform.error().message;
  // One entry per ID; its error names both files.
  ASSERT_THAT(Ids(*platform), ElementsAre("acme", "other"));
  const SiteConfig& acme = platform->sites[0];
  ASSERT_FALSE(acme.settings);
  EXPECT_EQ(acme.settings.error().code, "config.duplicate_site");
  EXPECT_THAT(acme.settings.error().message,
              AllOf(HasSubstr(In("sites/acme.JSON")), HasSubstr(In("sites/acme.ini"))));
  // Fail closed: one of the two asks for required.
  EXPECT_EQ(acme.intended_policy, SignInPolicy::kRequired);
  EXPECT_TRUE(platform->sites[1].settings);
}

TEST_F(PlatformTest, BadSiteIdsAreRefusedOneByOne) {
  const std::string long_id(64, 'l');
  for (const std::string& id : {std::string("Acme"), std::string("-lead"),
                                std::string("under_score"), std::string("dotted.name"), long_id}) {
    Write("sites/" + id + ".ini", SiteIni("x"));
  }
  Write("sites/" + std::string(63, 'k') + ".ini", SiteIni(std::string(63, 'k')));
  auto platform = Load(kPlatformIni);
  ASSERT_TRUE(platform) << platform.error().message;
  ASSERT_EQ(platform->sites.size(), 6u);
  for (const SiteConfig& site : platform->sites) {
    if (site.id == std::string(63, 'k')) {
      EXPECT_TRUE(site.settings) << site.settings.error().message;
      continue;
    }
    ASSERT_FALSE(site.settings) << site.id;
    EXPECT_EQ(site.settings.error().code, "config.invalid_site_id") << site.id;
    EXPECT_THAT(site.settings.error().message,
                AllOf(HasSubstr(In("sites/" + site.id + ".ini") + ": the site ID '" + site.id),
                      HasSubstr("[a-z0-9][a-z0-9-]{0,62}"), HasSubstr("rename the file")));
    EXPECT_EQ(site.intended_policy, SignInPolicy::kRequired);
  }
}

TEST_F(PlatformTest, SitesSharingAnEntityIdOrAcsUrlAreBothRefused) {
  Write("sites/a.ini", SiteIni("a"));
  // b claims a's SP entity ID; d's acs_url is c's, spelled with another
  // host case.
  Write("sites/b.ini",
        "[sso]\nsp_entity_id = https://chat.example.com/sso/a/metadata\n"
        "acs_url = https://chat.example.com/sso/b/acs\n"
        "idp_entity_id = https://idp-b.example.com/saml\n"
        "idp_sign_in_url = https://idp.example.com/saml/sso\n"
        "idp_certificates = ../certs/idp.pem\n");
  Write("sites/c.ini", SiteIni("c", "optional"));
  Write("sites/d.json", R"({"sso": {"sp_entity_id": "urn:d",
      "acs_url": "https://CHAT.example.com/sso/c/acs",
      "idp_entity_id": "https://idp-d.example.com/saml",
      "idp_sign_in_url": "https://idp.example.com/saml/sso",
      "idp_certificates": "../certs/idp.pem"}})");
  Write("sites/e.ini", SiteIni("e"));
  auto platform = Load(kPlatformIni);
  ASSERT_TRUE(platform) << platform.error().message;
  ASSERT_THAT(Ids(*platform), ElementsAre("a", "b", "c", "d", "e"));

  const auto error = [&](std::string_view id) { return platform->Find(id)->settings.error(); };
  ASSERT_FALSE(platform->Find("a")->settings);
  EXPECT_EQ(error("a").code, "config.site_conflict");
  EXPECT_THAT(error("a").message, AllOf(HasSubstr(In("sites/a.ini") +
                                                  ": [sso] sp_entity_id: "
                                                  "'https://chat.example.com/sso/a/metadata' is "
                                                  "also the sp_entity_id of site 'b' (" +
                                                  In("sites/b.ini") + ")"),
                                        HasSubstr("replayed")));
  ASSERT_FALSE(platform->Find("b")->settings);
  EXPECT_EQ(error("b").code, "config.site_conflict");
  EXPECT_THAT(error("b").message, HasSubstr("sp_entity_id of site 'a' (" + In("sites/a.ini")));

  ASSERT_FALSE(platform->Find("c")->settings);
  EXPECT_THAT(error("c").message, HasSubstr(In("sites/c.ini") +
                                            ": [sso] acs_url: 'https://chat.example.com/sso/c/acs' "
                                            "is also the acs_url of site 'd' (" +
                                            In("sites/d.json") + ")"));
  ASSERT_FALSE(platform->Find("d")->settings);
  EXPECT_THAT(error("d").message,
              HasSubstr(In("sites/d.json") + ": sso.acs_url: 'https://CHAT.example.com/sso/c/acs' "
                                             "is also the acs_url of site 'c'"));
  // A refused site still says what it asks for.
  EXPECT_EQ(platform->Find("c")->intended_policy, SignInPolicy::kOptional);

  EXPECT_TRUE(platform->Find("e")->settings);
}

// Copied files: every site of the clash is refused, each message names one
// other site and counts the rest.
TEST_F(PlatformTest, ManySitesSharingOneEntityIdAreAllRefused) {
  const std::string copy =
      "[sso]\nsp_entity_id = urn:copied\n"
      "acs_url = https://chat.example.com/sso/{id}/acs\n"
      "idp_entity_id = https://idp.example.com/saml\n"
      "idp_sign_in_url = https://idp.example.com/saml/sso\n"
      "idp_certificates = ../certs/idp.pem\n";
  for (const std::string id : {"p", "q", "r"}) {
    std::string text = copy;
    text.replace(text.find("{id}"), 4, id);
    Write("sites/" + id + ".ini", text);
  }
  auto platform = Load(kPlatformIni);
  ASSERT_TRUE(platform);
  for (const SiteConfig& site : platform->sites) {
    ASSERT_FALSE(site.settings) << site.id;
    EXPECT_EQ(site.settings.error().code, "config.site_conflict");
    EXPECT_THAT(site.settings.error().message,
                AllOf(HasSubstr("'urn:copied' is also the sp_entity_id of site '"),
                      HasSubstr(" and of 1 other site(s)"), Not(HasSubstr("keeps it"))));
  }
}

TEST_F(PlatformTest, OnReloadOnlyTheNewOrChangedSiteIsBlamed) {
  Write("sites/a.ini", SiteIni("a"));
  Write("sites/c.ini", SiteIni("c"));
  auto before = Load(kPlatformIni);
  ASSERT_TRUE(before);
  ASSERT_TRUE(before->Find("a")->settings);

  // A new site b copies a's entity ID: a was there first and is unchanged.
  const std::string b_copy =
      "[sso]\nsp_entity_id = https://chat.example.com/sso/a/metadata\n"
      "acs_url = https://chat.example.com/sso/b/acs\n"
      "idp_entity_id = https://idp-b.example.com/saml\n"
      "idp_sign_in_url = https://idp.example.com/saml/sso\n"
      "idp_certificates = ../certs/idp.pem\n";
  Write("sites/b.ini", b_copy);
  auto after = Load(kPlatformIni, &*before);
  ASSERT_TRUE(after);
  ASSERT_TRUE(after->Find("a")->settings) << after->Find("a")->settings.error().message;
  EXPECT_EQ(*after->Find("a")->settings, *before->Find("a")->settings);
  ASSERT_FALSE(after->Find("b")->settings);
  EXPECT_EQ(after->Find("b")->settings.error().code, "config.site_conflict");
  EXPECT_THAT(after->Find("b")->settings.error().message,
              AllOf(HasSubstr("sp_entity_id of site 'a'"), HasSubstr("unchanged and keeps it")));
  EXPECT_TRUE(after->Find("c")->settings);

  // Without `previous` both are blamed.
  auto fresh = Load(kPlatformIni);
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->Find("a")->settings);
  EXPECT_FALSE(fresh->Find("b")->settings);

  // Both changed since `before`: both are blamed.
  Write("sites/a.ini", SiteIni("a", "optional"));
  auto both = Load(kPlatformIni, &*before);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->Find("a")->settings.error().code, "config.site_conflict");
  EXPECT_EQ(both->Find("b")->settings.error().code, "config.site_conflict");
  EXPECT_TRUE(both->Find("c")->settings);
}

TEST_F(PlatformTest, SiteFileNamingADatabaseIsRefused) {
  Write("sites/own.ini", SiteIni("own", "optional", "database = own.db\n"));
  Write("sites/own-json.json", R"({"sso": {"database": ""}})");
  const std::string platform_path = Write("platform.ini", kPlatformIni);
  auto platform = LoadPlatform(platform_path);
  ASSERT_TRUE(platform) << platform.error().message;
  const SiteConfig* own = platform->Find("own");
  ASSERT_FALSE(own->settings);
  EXPECT_EQ(own->settings.error().code, "config.site_database");
  EXPECT_EQ(own->settings.error().message,
            In("sites/own.ini") + ": [sso] database: the database belongs to the platform file " +
                platform_path + "; remove this key");
  EXPECT_EQ(own->intended_policy, SignInPolicy::kOptional);
  const SiteConfig* json = platform->Find("own-json");
  ASSERT_FALSE(json->settings);
  EXPECT_EQ(json->settings.error().code, "config.site_database");
  EXPECT_THAT(json->settings.error().message, HasSubstr(": sso.database: the database belongs"));
}

TEST_F(PlatformTest, SiteFileWithAPlatformSectionIsTold) {
  Write("sites/lost.ini", "[platform]\nsites = x\n");
  auto platform = Load(kPlatformIni);
  ASSERT_TRUE(platform);
  ASSERT_FALSE(platform->sites[0].settings);
  EXPECT_EQ(platform->sites[0].settings.error().code, "config.unknown_section");
  EXPECT_THAT(platform->sites[0].settings.error().message,
              HasSubstr("[platform] belongs in the platform file"));
}

TEST_F(PlatformTest, AcsUrlOffTheSitesEndpointIsAWarning) {
  Write("sites/proxied.ini",
        "[sso]\nsp_entity_id = urn:proxied\nacs_url = https://chat.example.com/saml/acs\n"
        "idp_entity_id = https://idp.example.com/saml\n"
        "idp_sign_in_url = https://idp.example.com/saml/sso\n"
        "idp_certificates = ../certs/idp.pem\n");
  // The default site's own path belongs to the default site only.
  Write("sites/other.ini",
        "[sso]\nsp_entity_id = urn:other\nacs_url = https://chat.example.com/sso/acs\n"
        "idp_entity_id = https://idp.example.com/saml\n"
        "idp_sign_in_url = https://idp.example.com/saml/sso\n"
        "idp_certificates = ../certs/idp.pem\n");
  auto platform = Load(kPlatformIni);
  ASSERT_TRUE(platform);
  const SiteConfig* proxied = platform->Find("proxied");
  ASSERT_TRUE(proxied->settings) << proxied->settings.error().message;
  const std::string warning =
      In("sites/proxied.ini") +
      ": [sso] acs_url: path /saml/acs is not this site's endpoint /sso/proxied/acs; fine if a "
      "proxy rewrites it, otherwise the IdP's responses will not reach this site";
  EXPECT_THAT(proxied->warnings, ElementsAre(warning));
  EXPECT_THAT(proxied->settings->warnings, ElementsAre(warning));
  EXPECT_THAT(platform->Find("other")->warnings,
              ElementsAre(HasSubstr("path /sso/acs is not this site's endpoint /sso/other/acs")));

  // The single-site form too, for the default site.
  const std::string single = Write("single.json", R"({"sso": {"sp_entity_id": "urn:s",
          "acs_url": "https://chat.example.com/sso/other/acs",
          "idp_entity_id": "https://idp.example.com/saml",
          "idp_sign_in_url": "https://idp.example.com/saml/sso",
          "idp_certificates": "certs/idp.pem"}})");
  auto one = LoadPlatform(single);
  ASSERT_TRUE(one);
  ASSERT_TRUE(one->sites[0].settings) << one->sites[0].settings.error().message;
  EXPECT_THAT(
      one->sites[0].warnings,
      ElementsAre(single + ": sso.acs_url: path /sso/other/acs is not this site's endpoint "
                           "/sso/acs; fine if a proxy rewrites it, otherwise the IdP's responses "
                           "will not reach this site"));
  EXPECT_EQ(one->sites[0].settings->warnings, one->sites[0].warnings);
}

TEST_F(PlatformTest, JsonPlatformFile) {
  Write("sites/alpha.ini", SiteIni("alpha"));
  auto platform =
      LoadPlatform(Write("platform.json", R"({"platform": {"database": "", "sites": "sites"}})"));
  ASSERT_TRUE(platform) << platform.error().message;
  EXPECT_FALSE(platform->single_site);
  EXPECT_EQ(platform->database, In("visitor-sso.db"));  // empty means the default
  ASSERT_THAT(Ids(*platform), ElementsAre("alpha"));
  EXPECT_EQ(platform->sites[0].settings->database, In("visitor-sso.db"));

  auto typo = LoadPlatform(Write("typo.json", R"({"platform": {"site": "sites"}})"));
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().code, "config.unknown_key");
  EXPECT_EQ(typo.error().message,
            In("typo.json") + ": platform.site: unknown key (did you mean sites?)");

  auto twice = LoadPlatform(Write("twice.json", R"({"platform": {"sites": "a", "sites": "b"}})"));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, "config.invalid_value");

  auto nested = LoadPlatform(Write("nested.json", R"({"platform": {"sites": ["sites"]}})"));
  ASSERT_FALSE(nested);
  EXPECT_THAT(nested.error().message, HasSubstr("platform.sites: expected a single value"));
}

TEST_F(PlatformTest, UnusablePlatformFilesFailTheWholeLoad) {
  struct Case {
    std::string text;
    std::string code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"[platform]\ndatabase = x.db\n", "config.missing_key",
       "[platform] sites: required key is missing or empty"},
      {"[platform]\nsites =\n", "config.missing_key", "[platform] sites: required key"},
      {"[platform]\nsites = nowhere\n", "config.file_missing",
       "[platform] sites: directory not found: " + In("nowhere")},
      {"[platform]\nsites = certs/idp.pem\n", "config.file_missing",
       "[platform] sites: not a directory: " + In("certs/idp.pem")},
      {"[platform]\nsites = sites\ndatabase = gone/x.db\n", "config.file_missing",
       "[platform] database: directory not found: " + In("gone")},
      {"[platform]\nsits = sites\n", "config.unknown_key",
       "[platform] sits: unknown key (did you mean sites?)"},
      {"[platform]\nsites = sites ; the sites\n", "config.invalid_value",
       "contains a trailing comment"},
      {"[platform]\nsites = sites\n[mapping]\nemail = mail\n", "config.unknown_section",
       "[mapping]: unknown section in a platform file; [mapping] belongs in each site's file"},
      {"[platform]\nsites = sites\n[extra]\nx = 1\n", "config.unknown_section",
       "[extra]: unknown section in a platform file; it has only [platform]"},
      {"[platfrom]\nsites = sites\n", "config.unknown_section",
       "[platfrom]: unknown section (did you mean [platform]?)"},
      {"sites = sites\n[platform]\n", "config.unknown_key", "sites: key outside any section"},
      // INI drops sections without keys; these are still found.
      {"[platform]\n", "config.missing_key", "[platform] sites: required key"},
      {"[platform]\nsites = sites\n[sso]\n", "config.platform_and_site",
       "both [platform] and [sso]"},
      {"[platform\n", "config.parse_error", "platform.ini:1: syntax error"},
  };
  for (const Case& c : cases) {
    auto platform = Load(c.text);
    ASSERT_FALSE(platform) << c.text;
    EXPECT_EQ(platform.error().code, c.code) << c.text;
    EXPECT_THAT(platform.error().message, HasSubstr(c.message)) << c.text;
    EXPECT_THAT(platform.error().message, HasSubstr(In("platform.ini"))) << c.text;
  }
  auto missing = LoadPlatform(In("absent.ini"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "config.file_missing");
  auto yaml = LoadPlatform(Write("platform.yaml", "platform: {}\n"));
  ASSERT_FALSE(yaml);
  EXPECT_EQ(yaml.error().code, "config.unsupported_format");
}

TEST_F(PlatformTest, SitesDirectoryMayHoldThePlatformFileItself) {
  Write("all/platform.ini", "[platform]\nsites = .\ndatabase = ../data/x.db\n");
  Write("all/web.ini", SiteIni("web"));
  auto platform = LoadPlatform(In("all/platform.ini"));
  ASSERT_TRUE(platform) << platform.error().message;
  ASSERT_THAT(Ids(*platform), ElementsAre("web"));
  EXPECT_TRUE(platform->sites[0].settings) << platform->sites[0].settings.error().message;
}

TEST_F(PlatformTest, AThousandSitesLoad) {
  constexpr int kSites = 1000;
  for (int i = kSites - 1; i >= 0; --i) {
    const std::string id = "site-" + std::to_string(i);
    Write("sites/" + id + (i % 2 == 0 ? ".ini" : ".json"),
          i % 2 == 0 ? SiteIni(id, "optional") : SiteJson(id, "required"));
  }
  auto platform = Load(kPlatformIni);
  ASSERT_TRUE(platform) << platform.error().message;
  ASSERT_EQ(platform->sites.size(), static_cast<std::size_t>(kSites));
  for (std::size_t i = 0; i < platform->sites.size(); ++i) {
    const SiteConfig& site = platform->sites[i];
    ASSERT_TRUE(site.settings) << site.id << ": " << site.settings.error().message;
    EXPECT_EQ(site.settings->site_id, site.id);
    EXPECT_THAT(site.warnings, IsEmpty()) << site.id;
    if (i > 0) {
      EXPECT_LT(platform->sites[i - 1].id, site.id);
    }
  }
  ASSERT_NE(platform->Find("site-999"), nullptr);
  EXPECT_EQ(platform->Find("site-999")->settings->sign_in, SignInPolicy::kRequired);
  EXPECT_EQ(platform->Find("site-0")->settings->acs_url, "https://chat.example.com/sso/site-0/acs");
}

}  // namespace
}  // namespace vsso::config
