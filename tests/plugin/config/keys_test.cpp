// The key table (config/keys.cpp) drives the loader: every entry's default,
// range, choices and name are what LoadSettings applies, checks and suggests,
// for INI and JSON alike.
#include "config/keys.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"

namespace vsso::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr std::string_view kRequiredIni =
    "sp_entity_id = https://chat.example.com/sso/metadata\n"
    "acs_url = https://chat.example.com/sso/acs\n"
    "idp_entity_id = https://idp.example.com/saml\n"
    "idp_sign_in_url = https://idp.example.com/saml/sso\n"
    "idp_certificates = idp.pem\n";

constexpr std::string_view kRequiredJson =
    R"("sp_entity_id": "https://chat.example.com/sso/metadata",
       "acs_url": "https://chat.example.com/sso/acs",
       "idp_entity_id": "https://idp.example.com/saml",
       "idp_sign_in_url": "https://idp.example.com/saml/sso",
       "idp_certificates": "idp.pem")";

class ConfigKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vsso-keys-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::copy_file(fs::path(VSSO_SOURCE_DIR) / "config" / "certs" / "idp.pem", dir_ / "idp.pem");
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<Settings> LoadIni(std::string_view extra) {
    const fs::path path = dir_ / "x.ini";
    std::ofstream(path) << "[sso]\n" << kRequiredIni << extra;
    return LoadSettings(path.string());
  }

  Result<Settings> LoadJson(std::string_view extra) {
    const fs::path path = dir_ / "x.json";
    std::ofstream(path) << "{\"sso\": {" << kRequiredJson << extra << "}}";
    return LoadSettings(path.string());
  }

  fs::path dir_;
};

TEST_F(ConfigKeysTest, WritingEveryDefaultOutChangesNothing) {
  auto implicit = LoadIni("");
  ASSERT_TRUE(implicit) << implicit.error().message;
  std::string ini;
  std::string json;
  for (const KeySpec& key : SsoKeys()) {
    if (key.default_value.empty()) continue;
    ini += std::string(key.name) + " = " + std::string(key.default_value) + "\n";
    json += ", \"" + std::string(key.name) + "\": \"" + std::string(key.default_value) + "\"";
  }
  auto from_ini = LoadIni(ini);
  ASSERT_TRUE(from_ini) << from_ini.error().message;
  auto from_json = LoadJson(json);
  ASSERT_TRUE(from_json) << from_json.error().message;
  from_json->source_path = implicit->source_path;
  EXPECT_EQ(*from_ini, *implicit);
  EXPECT_EQ(*from_json, *implicit);
}

TEST_F(ConfigKeysTest, EveryKeyIsSuggestedForATypo) {
  for (const KeySpec& key : SsoKeys()) {
    // Drop the middle letter: one typo, as `sgn_in` for `sign_in`.
    std::string typo(key.name);
    typo.erase(typo.size() / 2, 1);
    auto ini = LoadIni(typo + " = x\n");
    ASSERT_FALSE(ini) << typo;
    EXPECT_EQ(ini.error().code, "config.unknown_key") << typo;
    EXPECT_THAT(ini.error().message, HasSubstr("[sso] " + typo + ": unknown key (did you mean " +
                                               std::string(key.name) + "?)"));
    auto json = LoadJson(", \"" + typo + "\": \"x\"");
    ASSERT_FALSE(json) << typo;
    EXPECT_THAT(json.error().message, HasSubstr("sso." + typo + ": unknown key (did you mean " +
                                                std::string(key.name) + "?)"));
  }
}

TEST_F(ConfigKeysTest, IntegerRangesAreTheTables) {
  int integers = 0;
  for (const KeySpec& key : SsoKeys()) {
    if (key.type != KeyType::kInteger) continue;
    ++integers;
    const std::string name(key.name);
    const std::string range =
        "expected an integer from " + std::to_string(key.min) + " to " + std::to_string(key.max);
    for (std::int64_t outside : {key.min - 1, key.max + 1}) {
      auto s = LoadIni(name + " = " + std::to_string(outside) + "\n");
      ASSERT_FALSE(s) << name << " = " << outside;
      EXPECT_EQ(s.error().code, "config.invalid_value");
      EXPECT_THAT(s.error().message,
                  HasSubstr("[sso] " + name + ": " + range + ", got '" + std::to_string(outside)));
    }
    for (std::int64_t edge : {key.min, key.max}) {
      auto s = LoadJson(", \"" + name + "\": " + std::to_string(edge));
      ASSERT_TRUE(s) << s.error().message;
      EXPECT_EQ(s.value().*std::get<std::int64_t Settings::*>(key.member), edge) << name;
    }
  }
  EXPECT_GE(integers, 5);
}

TEST_F(ConfigKeysTest, ChoicesAreExactlyWhatTheParserAccepts) {
  const KeySpec* sign_in = FindSsoKey("sign_in");
  ASSERT_NE(sign_in, nullptr);
  ASSERT_EQ(sign_in->type, KeyType::kChoice);
  std::set<SignInPolicy> policies;
  std::string_view rest = sign_in->choices;
  while (!rest.empty()) {
    const std::size_t bar = rest.find('|');
    const std::string choice(rest.substr(0, bar));
    rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
    auto s = LoadIni("sign_in = " + choice + "\n");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(ToString(s->sign_in), choice);
    policies.insert(s->sign_in);
  }
  // Every policy the code knows is offered, each once.
  EXPECT_EQ(policies, (std::set<SignInPolicy>{SignInPolicy::kNone, SignInPolicy::kOptional,
                                              SignInPolicy::kRequired}));
}

TEST_F(ConfigKeysTest, EmptyDatabaseMeansTheDefault) {
  auto s = LoadIni("database =\n");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->database, (dir_ / "visitor-sso.db").string());
}

TEST(ConfigKeysTableTest, LookupAndLabels) {
  EXPECT_EQ(FindSsoKey("Sign_In"), nullptr);
  EXPECT_EQ(FindSsoKey("sign"), nullptr);
  const KeySpec* skew = FindSsoKey("clock_skew_seconds");
  ASSERT_NE(skew, nullptr);
  EXPECT_EQ(TypeLabel(*skew), "integer 0..3600");
  EXPECT_EQ(TypeLabel(*FindSsoKey("sign_in")), "`none` \\| `optional` \\| `required`");
  EXPECT_EQ(TypeLabel(*FindSsoKey("idp_certificates")), "list of files");
}

}  // namespace
}  // namespace vsso::config
