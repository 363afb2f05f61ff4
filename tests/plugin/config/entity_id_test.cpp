// Entity IDs as real deployments write them (issue 14): any string of 1 to
// 1024 characters without white space or control characters (SAML Metadata
// 2.9 anyURI, Core 8.3.6), for sp_entity_id and idp_entity_id, in INI and
// JSON, and in a platform whose sites must not share one.
#include "common/entity_id.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config/platform.hpp"

namespace vsso::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const fs::path kExamples = fs::path(VSSO_SOURCE_DIR) / "config";

TEST(EntityIdProblemTest, AcceptsUrlsUrnsAndPlainIdentifiers) {
  for (const char* id :
       {"https://chat.example.com/sso/metadata", "urn:example:chat",
        "urn:amazon:cognito:sp:eu-west-1_AbC", "http://www.okta.com/exk1a2b3c4d5",
        "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/", "example.com", "my-chat",
        "x", "spn:00000000-0000-0000-0000-000000000000", "chät-ü"}) {
    EXPECT_EQ(entity_id::Problem(id), std::nullopt) << id;
  }
}

TEST(EntityIdProblemTest, CountsCharactersNotBytes) {
  EXPECT_EQ(entity_id::Problem(std::string(1024, 'a')), std::nullopt);
  std::string wide;
  for (int i = 0; i < 1024; ++i) wide += "\xc3\xa9";  // é: 2048 bytes, 1024 characters
  EXPECT_EQ(entity_id::Problem(wide), std::nullopt);
  EXPECT_THAT(entity_id::Problem(std::string(1025, 'a')).value_or(""),
              HasSubstr("is 1025 characters long; SAML allows at most 1024"));
}

TEST(EntityIdProblemTest, RefusesEmptyWhiteSpaceControlsAndBadUtf8) {
  EXPECT_EQ(entity_id::Problem("").value_or(""), "is empty");
  EXPECT_THAT(entity_id::Problem("my chat").value_or(""),
              HasSubstr("contains white space (U+0020) at character 3"));
  EXPECT_THAT(entity_id::Problem("my-chat ").value_or(""), HasSubstr("(U+0020) at character 8"));
  EXPECT_THAT(entity_id::Problem("\tmy-chat").value_or(""), HasSubstr("white space (U+0009)"));
  EXPECT_THAT(entity_id::Problem("my-chat\n").value_or(""), HasSubstr("white space (U+000A)"));
  EXPECT_THAT(entity_id::Problem("my\u00a0chat").value_or(""),
              HasSubstr("white space (U+00A0) at character 3"));
  EXPECT_THAT(entity_id::Problem("\xef\xbb\xbfmy-chat").value_or(""), HasSubstr("U+FEFF"));
  EXPECT_THAT(entity_id::Problem(std::string("my\0chat", 7)).value_or(""),
              HasSubstr("control character (U+0000)"));
  EXPECT_THAT(entity_id::Problem(std::string("my") + "\x7f" + "chat").value_or(""),
              HasSubstr("(U+007F)"));
  EXPECT_THAT(entity_id::Problem("my\u0085chat").value_or(""), HasSubstr("(U+0085)"));
  EXPECT_THAT(entity_id::Problem(std::string("my") + "\xff" + "chat").value_or(""),
              HasSubstr("is not valid UTF-8 (byte 3)"));
  EXPECT_THAT(entity_id::Problem("\xc0\xaf").value_or(""), HasSubstr("not valid UTF-8"))
      << "overlong encoding";
}

class EntityIdConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vsso-entity-XXXXXX").string();
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
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  static std::string Ini(const std::string& sp, const std::string& idp,
                         const std::string& acs = "https://chat.example.com/sso/acs") {
    return "[sso]\nsp_entity_id = " + sp + "\nacs_url = " + acs + "\nidp_entity_id = " + idp +
           "\nidp_sign_in_url = https://idp.example.com/saml/sso\n"
           "idp_certificates = certs/idp.pem\n";
  }

  // JSON lets a value carry what INI trims or cannot hold.
  static std::string Json(const std::string& sp_json, const std::string& idp_json) {
    return R"({"sso": {"sp_entity_id": )" + sp_json +
           R"(, "acs_url": "https://chat.example.com/sso/acs", "idp_entity_id": )" + idp_json +
           R"(, "idp_sign_in_url": "https://idp.example.com/saml/sso",
               "idp_certificates": "certs/idp.pem"}})";
  }

  fs::path dir_;
};

TEST_F(EntityIdConfigTest, PlainAndUrnEntityIdsLoad) {
  // ADFS relying-party identifier for us, an Entra-style urn for the IdP.
  auto s = LoadSettings(Write("a.ini", Ini("my-chat", "urn:example:entra:tenant-42")));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->sp_entity_id, "my-chat");
  EXPECT_EQ(s->idp_entity_id, "urn:example:entra:tenant-42");

  s = LoadSettings(Write("b.json", Json(R"("example.com")", R"("http://www.okta.com/exk1")")));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->sp_entity_id, "example.com");
  EXPECT_EQ(s->idp_entity_id, "http://www.okta.com/exk1");
}

TEST_F(EntityIdConfigTest, WhiteSpaceAndControlsAreRefusedPrecisely) {
  // Values are trimmed (INI and JSON alike); white space inside is refused.
  auto s = LoadSettings(Write("a.json", Json(R"("my\tchat")", R"("urn:idp")")));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "config.invalid_value");
  EXPECT_THAT(s.error().message,
              HasSubstr("sp_entity_id: the entity ID 'my?chat' contains white space "
                        "(U+0009) at character 3"));

  s = LoadSettings(Write("b.json", Json(R"("my-chat")", R"("urn:\u0001idp")")));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "config.invalid_value");
  EXPECT_THAT(s.error().message,
              HasSubstr("idp_entity_id: the entity ID 'urn:?idp' contains a control "
                        "character (U+0001) at character 5"));
  EXPECT_THAT(s.error().message, Not(HasSubstr("\x01"))) << "no raw control character";

  s = LoadSettings(Write("c.ini", Ini("my chat", "urn:idp")));
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("[sso] sp_entity_id: the entity ID 'my chat' contains "
                                           "white space"));
}

TEST_F(EntityIdConfigTest, TooLongAndEmptyAreRefusedPrecisely) {
  auto s = LoadSettings(Write("a.ini", Ini("urn:" + std::string(1021, 'x'), "urn:idp")));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "config.invalid_value");
  EXPECT_THAT(s.error().message, HasSubstr("is 1025 characters long; SAML allows at most 1024"));
  EXPECT_TRUE(LoadSettings(Write("b.ini", Ini("urn:" + std::string(1020, 'x'), "urn:idp"))));

  s = LoadSettings(Write("c.json", Json(R"("")", R"("urn:idp")")));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "config.missing_key");
  EXPECT_THAT(s.error().message, HasSubstr("sp_entity_id"));
}

TEST_F(EntityIdConfigTest, SitesSharingAPlainSpEntityIdConflict) {
  // config.site_conflict compares entity IDs as exact strings, URL or not.
  Write("sites/a.ini", Ini("my-chat", "urn:idp-a", "https://chat.example.com/sso/a/acs"));
  Write("sites/b.ini", Ini("my-chat", "urn:idp-b", "https://chat.example.com/sso/b/acs"));
  Write("sites/c.ini", Ini("my-chat-c", "urn:idp-c", "https://chat.example.com/sso/c/acs"));
  for (const char* site : {"sites/a.ini", "sites/b.ini", "sites/c.ini"}) {
    std::string text;
    {
      std::ifstream in(dir_ / site);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    // Site files sit one directory down from the certificates.
    const auto at = text.find("certs/idp.pem");
    text.replace(at, 0, "../");
    Write(site, text);
  }
  auto platform =
      LoadPlatform(Write("platform.ini", "[platform]\ndatabase = data/vsso.db\nsites = sites\n"));
  ASSERT_TRUE(platform) << platform.error().message;
  ASSERT_FALSE(platform->Find("a")->settings);
  EXPECT_EQ(platform->Find("a")->settings.error().code, "config.site_conflict");
  EXPECT_THAT(platform->Find("a")->settings.error().message,
              HasSubstr("'my-chat' is also the sp_entity_id of site 'b'"));
  ASSERT_FALSE(platform->Find("b")->settings);
  ASSERT_TRUE(platform->Find("c")->settings) << platform->Find("c")->settings.error().message;
  EXPECT_EQ(platform->Find("c")->settings->sp_entity_id, "my-chat-c");
}

}  // namespace
}  // namespace vsso::config
