// `database` as an SQLite path or a PostgreSQL URI, and
// `database_password_env` (docs/configuration.md, "The database"), through
// LoadSettings and LoadPlatform on real files and the real environment. The
// password must never be in the file, and never in a message.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config/platform.hpp"

namespace vsso::config {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const fs::path kExamples = fs::path(VSSO_SOURCE_DIR) / "config";

// A valid [sso] for `site` (its endpoints), without database keys.
std::string Sso(std::string_view site = "default") {
  const std::string path = site == "default" ? "" : std::string(site) + "/";
  return "sign_in = required\n"
         "sp_entity_id = https://chat.example.com/sso/" +
         path +
         "metadata\n"
         "acs_url = https://chat.example.com/sso/" +
         path +
         "acs\n"
         "idp_entity_id = https://idp.example.com/saml\n"
         "idp_sign_in_url = https://idp.example.com/saml/sso\n"
         "idp_certificates = certs/idp.pem\n";
}

// Sets an environment variable for one test and restores its absence.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const char* value) : name_(std::move(name)) {
    if (value == nullptr) {
      ::unsetenv(name_.c_str());
    } else {
      ::setenv(name_.c_str(), value, 1);
    }
  }
  ~ScopedEnv() { ::unsetenv(name_.c_str()); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
};

class DatabaseConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vsso-dbconfig-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ / "certs");
    fs::create_directories(dir_ / "sites" / "certs");
    fs::copy_file(kExamples / "certs" / "idp.pem", dir_ / "certs" / "idp.pem");
    fs::copy_file(kExamples / "certs" / "idp.pem", dir_ / "sites" / "certs" / "idp.pem");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  std::string In(const std::string& name) const { return (dir_ / name).string(); }

  // A single-site INI file whose [sso] ends with `extra`.
  Result<Settings> Single(const std::string& extra) {
    return LoadSettings(Write("single.ini", "[sso]\n" + Sso() + extra));
  }

  Error SingleError(const std::string& extra) {
    auto settings = Single(extra);
    EXPECT_FALSE(settings.has_value()) << "loaded although it should fail: " << extra;
    return settings ? Error{} : settings.error();
  }

  // A platform file with `platform` under [platform] (sites = sites added)
  // and one site "acme" whose [sso] ends with `site_extra`.
  Result<PlatformConfig> Platform(const std::string& platform, const std::string& site_extra = "") {
    Write("sites/acme.ini", "[sso]\n" + Sso("acme") + site_extra);
    return LoadPlatform(Write("platform.ini", "[platform]\nsites = sites\n" + platform));
  }

  fs::path dir_;
};

TEST_F(DatabaseConfigTest, APostgresUriIsKeptAsWrittenAndNeedsNoDirectory) {
  for (const std::string uri :
       {"postgresql://vsso@127.0.0.1:5432/visitor_sso",
        "postgres://vsso@db.internal/visitor_sso?sslmode=verify-full&application_name=a:b",
        "postgresql://vsso@[::1]:5433,db2:5433/vsso?passfile=/etc/vsso/pgpass",
        "postgresql:///visitor_sso?host=/var/run/postgresql"}) {
    auto settings = Single("database = " + uri + "\n");
    ASSERT_TRUE(settings) << uri << ": " << settings.error().message;
    EXPECT_EQ(settings->database, uri);
    EXPECT_THAT(settings->database_password, IsEmpty());

    auto platform = LoadPlatform(In("single.ini"));
    ASSERT_TRUE(platform) << platform.error().message;
    EXPECT_TRUE(platform->single_site);
    EXPECT_EQ(platform->database, uri);
    EXPECT_THAT(platform->database_password, IsEmpty());
  }
  // JSON alike.
  auto json = LoadSettings(
      Write("single.json", R"({"sso": {"sp_entity_id": "https://chat.example.com/sso/metadata",
        "acs_url": "https://chat.example.com/sso/acs",
        "idp_entity_id": "https://idp.example.com/saml",
        "idp_sign_in_url": "https://idp.example.com/saml/sso",
        "idp_certificates": ["certs/idp.pem"],
        "database": "postgresql://vsso@127.0.0.1:5432/vsso"}})"));
  ASSERT_TRUE(json) << json.error().message;
  EXPECT_EQ(json->database, "postgresql://vsso@127.0.0.1:5432/vsso");
}

TEST_F(DatabaseConfigTest, SqlitePathsBehaveAsBefore) {
  auto relative = Single("database = data/../chat.db\n");
  ASSERT_TRUE(relative) << relative.error().message;
  EXPECT_EQ(relative->database, In("chat.db"));

  auto defaulted = Single("database =\n");
  ASSERT_TRUE(defaulted) << defaulted.error().message;
  EXPECT_EQ(defaulted->database, In("visitor-sso.db"));

  const Error no_dir = SingleError("database = nowhere/chat.db\n");
  EXPECT_EQ(no_dir.code, "config.file_missing");
  EXPECT_THAT(no_dir.message, HasSubstr("[sso] database: directory not found: " + In("nowhere")));

  // A path that merely mentions postgres is a path.
  auto named = Single("database = postgresql.db\n");
  ASSERT_TRUE(named) << named.error().message;
  EXPECT_EQ(named->database, In("postgresql.db"));
}

TEST_F(DatabaseConfigTest, AUriWithAPasswordIsRefusedWithoutRepeatingIt) {
  for (const std::string uri : {
           "postgresql://vsso:s3cretpw@127.0.0.1:5432/visitor_sso",
           "postgres://vsso:s3cretpw@db/visitor_sso",
           "postgresql://vsso:@db/visitor_sso?x=s3cretpw",  // an empty one too
           "postgresql://vsso@db/visitor_sso?password=s3cretpw",
           "postgresql://db/visitor_sso?sslmode=require&password=s3cretpw",
           "postgresql://db/visitor_sso?%70assword=s3cretpw",  // libpq decodes keywords
       }) {
    const Error error = SingleError("database = " + uri + "\n");
    EXPECT_EQ(error.code, "config.invalid_value") << uri;
    EXPECT_THAT(error.message,
                AllOf(HasSubstr("[sso] database: the PostgreSQL URI contains a password"),
                      HasSubstr("PGPASSFILE"), HasSubstr("database_password_env"),
                      Not(HasSubstr("s3cretpw")), Not(HasSubstr("db/visitor_sso"))))
        << uri;
  }
  // Not passwords: a ':' after the host, '@' inside a parameter, passfile.
  for (const std::string uri : {
           "postgresql://vsso@db:5432/visitor_sso",
           "postgresql://db/visitor_sso?application_name=x:y",
           "postgresql://db/visitor_sso?options=a@b",
           "postgresql://vsso@db/visitor_sso?passfile=/etc/pgpass&passwords=no",
       }) {
    auto settings = Single("database = " + uri + "\n");
    EXPECT_TRUE(settings) << uri << ": " << settings.error().message;
  }
}

TEST_F(DatabaseConfigTest, OtherSchemesAndKeywordStringsAreRefused) {
  const Error mysql = SingleError("database = mysql://root:s3cretpw@db/chat\n");
  EXPECT_EQ(mysql.code, "config.invalid_value");
  EXPECT_THAT(mysql.message, AllOf(HasSubstr("the URI scheme 'mysql' is not supported"),
                                   Not(HasSubstr("s3cretpw"))));
  // libpq's prefixes are case-sensitive.
  const Error upper = SingleError("database = PostgreSQL://vsso@db/chat\n");
  EXPECT_EQ(upper.code, "config.invalid_value");
  EXPECT_THAT(upper.message, HasSubstr("'PostgreSQL' is not supported"));

  const Error keywords =
      SingleError("database = host=db dbname=chat user=vsso password=s3cretpw\n");
  EXPECT_EQ(keywords.code, "config.invalid_value");
  EXPECT_THAT(keywords.message, AllOf(HasSubstr("keyword=value connection string is not accepted"),
                                      Not(HasSubstr("s3cretpw"))));
}

TEST_F(DatabaseConfigTest, ThePasswordComesFromTheNamedVariable) {
  ScopedEnv env("VSSO_TEST_DB_PASSWORD_SINGLE", "pw with spaces & symbols");
  auto settings = Single(
      "database = postgresql://vsso@127.0.0.1/vsso\n"
      "database_password_env = VSSO_TEST_DB_PASSWORD_SINGLE\n");
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->database_password_env, "VSSO_TEST_DB_PASSWORD_SINGLE");
  EXPECT_EQ(settings->database_password, "pw with spaces & symbols");
  EXPECT_THAT(settings->warnings, IsEmpty());

  auto platform = LoadPlatform(In("single.ini"));
  ASSERT_TRUE(platform) << platform.error().message;
  EXPECT_EQ(platform->database_password_env, "VSSO_TEST_DB_PASSWORD_SINGLE");
  EXPECT_EQ(platform->database_password, "pw with spaces & symbols");
}

TEST_F(DatabaseConfigTest, AnUnsetOrEmptyVariableIsNamedInTheError) {
  const std::string keys =
      "database = postgresql://vsso@127.0.0.1/vsso\n"
      "database_password_env = VSSO_TEST_DB_PASSWORD_UNSET\n";
  {
    ScopedEnv env("VSSO_TEST_DB_PASSWORD_UNSET", nullptr);
    const Error unset = SingleError(keys);
    EXPECT_EQ(unset.code, "config.env_unset");
    EXPECT_THAT(unset.message,
                AllOf(HasSubstr(In("single.ini") + ": [sso] database_password_env: the "
                                                   "environment variable "
                                                   "VSSO_TEST_DB_PASSWORD_UNSET is not set"),
                      HasSubstr("PGPASSFILE")));
  }
  {
    ScopedEnv env("VSSO_TEST_DB_PASSWORD_UNSET", "");
    const Error empty = SingleError(keys);
    EXPECT_EQ(empty.code, "config.env_unset");
    EXPECT_THAT(empty.message, HasSubstr("VSSO_TEST_DB_PASSWORD_UNSET is empty"));
  }
}

TEST_F(DatabaseConfigTest, TheVariableNameIsCheckedAndNeedsPostgres) {
  // Someone writing the password itself gets no echo of it.
  const Error bad = SingleError(
      "database = postgresql://vsso@127.0.0.1/vsso\n"
      "database_password_env = s3cret!pw\n");
  EXPECT_EQ(bad.code, "config.invalid_value");
  EXPECT_THAT(bad.message, AllOf(HasSubstr("[sso] database_password_env: expected the name of an "
                                           "environment variable"),
                                 Not(HasSubstr("s3cret!pw"))));
  EXPECT_EQ(SingleError("database = postgresql://vsso@h/v\ndatabase_password_env = 1ABC\n").code,
            "config.invalid_value");

  ScopedEnv env("VSSO_TEST_DB_PASSWORD_SQLITE", "pw");
  const Error sqlite = SingleError("database_password_env = VSSO_TEST_DB_PASSWORD_SQLITE\n");
  EXPECT_EQ(sqlite.code, "config.invalid_value");
  EXPECT_THAT(sqlite.message, HasSubstr("[sso] database_password_env: only a PostgreSQL database "
                                        "takes a password, and database is an SQLite file"));

  // Empty means unset, as for every optional key.
  auto empty = Single("database_password_env =\n");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_THAT(empty->database_password, IsEmpty());
}

TEST_F(DatabaseConfigTest, APlatformTakesAUriAndItsPasswordVariable) {
  ScopedEnv env("VSSO_TEST_DB_PASSWORD_PLATFORM", "platform-pw");
  auto platform = Platform(
      "database = postgresql://vsso@127.0.0.1:5432/visitor_sso\n"
      "database_password_env = VSSO_TEST_DB_PASSWORD_PLATFORM\n");
  ASSERT_TRUE(platform) << platform.error().message;
  EXPECT_FALSE(platform->single_site);
  EXPECT_EQ(platform->database, "postgresql://vsso@127.0.0.1:5432/visitor_sso");
  EXPECT_EQ(platform->database_password_env, "VSSO_TEST_DB_PASSWORD_PLATFORM");
  EXPECT_EQ(platform->database_password, "platform-pw");
  const SiteConfig* acme = platform->Find("acme");
  ASSERT_NE(acme, nullptr);
  ASSERT_TRUE(acme->settings) << acme->settings.error().message;
  // The site's settings name the shared database; the secret stays with the
  // platform.
  EXPECT_EQ(acme->settings->database, "postgresql://vsso@127.0.0.1:5432/visitor_sso");
  EXPECT_THAT(acme->settings->database_password, IsEmpty());

  // SQLite as before: a path next to the platform file.
  auto sqlite = Platform("database = data.db\n");
  ASSERT_TRUE(sqlite) << sqlite.error().message;
  EXPECT_EQ(sqlite->database, In("data.db"));
  EXPECT_THAT(sqlite->database_password, IsEmpty());
}

TEST_F(DatabaseConfigTest, APlatformRefusesAPasswordInItsUriOrAnUnsetVariable) {
  auto with_password = Platform("database = postgresql://vsso:s3cretpw@db/visitor_sso\n");
  ASSERT_FALSE(with_password);
  EXPECT_EQ(with_password.error().code, "config.invalid_value");
  EXPECT_THAT(with_password.error().message,
              AllOf(HasSubstr("[platform] database: the PostgreSQL URI contains a password"),
                    Not(HasSubstr("s3cretpw"))));

  ScopedEnv env("VSSO_TEST_DB_PASSWORD_PLATFORM_UNSET", nullptr);
  auto unset = Platform(
      "database = postgresql://vsso@db/visitor_sso\n"
      "database_password_env = VSSO_TEST_DB_PASSWORD_PLATFORM_UNSET\n");
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.error().code, "config.env_unset");
  EXPECT_THAT(unset.error().message,
              HasSubstr("[platform] database_password_env: the environment variable "
                        "VSSO_TEST_DB_PASSWORD_PLATFORM_UNSET is not set"));

  ScopedEnv sqlite_env("VSSO_TEST_DB_PASSWORD_PLATFORM_SQLITE", "pw");
  auto sqlite = Platform("database_password_env = VSSO_TEST_DB_PASSWORD_PLATFORM_SQLITE\n");
  ASSERT_FALSE(sqlite);
  EXPECT_EQ(sqlite.error().code, "config.invalid_value");
  EXPECT_THAT(sqlite.error().message, HasSubstr("database is an SQLite file"));
}

TEST_F(DatabaseConfigTest, ASiteFileMayNotNameThePasswordVariable) {
  ScopedEnv env("VSSO_TEST_DB_PASSWORD_SITE", "pw");
  auto platform = Platform("database = postgresql://vsso@db/visitor_sso\n",
                           "database_password_env = VSSO_TEST_DB_PASSWORD_SITE\n");
  ASSERT_TRUE(platform) << platform.error().message;
  const SiteConfig* acme = platform->Find("acme");
  ASSERT_NE(acme, nullptr);
  ASSERT_FALSE(acme->settings);
  EXPECT_EQ(acme->settings.error().code, "config.site_database");
  EXPECT_THAT(acme->settings.error().message,
              HasSubstr("sites/acme.ini: [sso] database_password_env: the database belongs to "
                        "the platform file"));
  EXPECT_EQ(acme->intended_policy, SignInPolicy::kRequired);
}

}  // namespace
}  // namespace vsso::config
