#include "config/loader.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vsso::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kExamples = fs::path(VSSO_SOURCE_DIR) / "config";

// The [sso] keys every valid file needs; `drop` leaves one out.
std::string RequiredSso(std::string_view drop = "") {
  const std::vector<std::string> lines = {
      "sp_entity_id = https://chat.example.com/sso/metadata",
      "acs_url = https://chat.example.com/sso/acs",
      "idp_entity_id = https://idp.example.com/saml",
      "idp_sign_in_url = https://idp.example.com/saml/sso",
      "idp_certificates = certs/idp.pem",
  };
  std::string out;
  for (const std::string& line : lines) {
    if (!drop.empty() && line.starts_with(std::string(drop) + " =")) continue;
    out += line + "\n";
  }
  return out;
}

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vsso-config-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ / "certs");
    fs::copy_file(kExamples / "certs" / "idp.pem", dir_ / "certs" / "idp.pem");
    fs::copy_file(kExamples / "certs" / "idp-next.pem", dir_ / "certs" / "idp-next.pem");
    fs::copy_file(kExamples / "certs" / "sp.pem", dir_ / "certs" / "sp.pem");
    fs::copy_file(kExamples / "certs" / "sp.key", dir_ / "certs" / "sp.key");
    // As a private key should be (a checkout gives it the umask's mode).
    fs::permissions(dir_ / "certs" / "sp.key", fs::perms::owner_read | fs::perms::owner_write);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  // Loads an INI file made of `sso` under [sso] plus `rest`; expects failure.
  Error IniError(const std::string& sso, const std::string& rest = "") {
    auto settings = LoadSettings(Write("x.ini", "[sso]\n" + sso + rest));
    EXPECT_FALSE(settings.has_value()) << "loaded although it should fail";
    return settings ? Error{} : settings.error();
  }

  Error JsonError(const std::string& json) {
    auto settings = LoadSettings(Write("x.json", json));
    EXPECT_FALSE(settings.has_value()) << "loaded although it should fail";
    return settings ? Error{} : settings.error();
  }

  std::string In(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST(SignInPolicyTest, RoundTripsAndRejectsOtherSpellings) {
  for (SignInPolicy policy :
       {SignInPolicy::kNone, SignInPolicy::kOptional, SignInPolicy::kRequired}) {
    auto parsed = ParseSignInPolicy(ToString(policy));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, policy);
  }
  auto wrong = ParseSignInPolicy("Required");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, "config.invalid_value");
  EXPECT_THAT(wrong.error().message, HasSubstr("'Required'"));
}

TEST(ExamplesTest, IniAndJsonLoadToEqualSettings) {
  auto ini = LoadSettings((kExamples / "visitor-sso.example.ini").string());
  ASSERT_TRUE(ini.has_value()) << ini.error().message;
  auto json = LoadSettings((kExamples / "visitor-sso.example.json").string());
  ASSERT_TRUE(json.has_value()) << json.error().message;

  const fs::path dir = fs::absolute(kExamples).lexically_normal();
  EXPECT_EQ(ini->source_path, (dir / "visitor-sso.example.ini").string());
  EXPECT_EQ(json->source_path, (dir / "visitor-sso.example.json").string());

  // Every field, one by one, for a readable failure...
  const Settings& a = *ini;
  const Settings& b = *json;
  EXPECT_EQ(a.enabled, b.enabled);
  EXPECT_EQ(a.sign_in, b.sign_in);
  EXPECT_EQ(a.sp_entity_id, b.sp_entity_id);
  EXPECT_EQ(a.acs_url, b.acs_url);
  EXPECT_EQ(a.idp_entity_id, b.idp_entity_id);
  EXPECT_EQ(a.idp_sign_in_url, b.idp_sign_in_url);
  EXPECT_EQ(a.idp_certificates, b.idp_certificates);
  EXPECT_EQ(a.idp_metadata, b.idp_metadata);
  EXPECT_EQ(a.sp_private_key, b.sp_private_key);
  EXPECT_EQ(a.sp_certificate, b.sp_certificate);
  EXPECT_EQ(a.clock_skew_seconds, b.clock_skew_seconds);
  EXPECT_EQ(a.allow_idp_initiated, b.allow_idp_initiated);
  EXPECT_EQ(a.session_lifetime_seconds, b.session_lifetime_seconds);
  EXPECT_EQ(a.customer_id_attribute, b.customer_id_attribute);
  EXPECT_EQ(a.database, b.database);
  EXPECT_EQ(a.allow_sha1, b.allow_sha1);
  EXPECT_EQ(a.sign_authn_requests, b.sign_authn_requests);
  EXPECT_EQ(a.max_response_bytes, b.max_response_bytes);
  EXPECT_EQ(a.audit_retention_days, b.audit_retention_days);
  EXPECT_EQ(a.mappings, b.mappings);
  EXPECT_EQ(a.routing_rules, b.routing_rules);
  EXPECT_EQ(a.routing_default, b.routing_default);
  // ...and the defaulted comparison, which also covers fields added later.
  Settings json_as_ini = b;
  json_as_ini.source_path = a.source_path;
  // Warnings name their file and key spelling (a checkout may leave
  // certs/sp.key readable by others); the same problems are found in both.
  EXPECT_EQ(a.warnings.size(), b.warnings.size());
  json_as_ini.warnings = a.warnings;
  EXPECT_EQ(a, json_as_ini);

  // The values themselves, so two equally wrong readers cannot pass.
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.sign_in, SignInPolicy::kOptional);
  EXPECT_EQ(a.sp_entity_id, "https://chat.example.com/sso/metadata");
  EXPECT_EQ(a.acs_url, "https://chat.example.com/sso/acs");
  EXPECT_EQ(a.idp_entity_id, "https://idp.example.com/saml");
  EXPECT_EQ(a.idp_sign_in_url, "https://idp.example.com/saml/sso");
  EXPECT_EQ(a.idp_certificates, (std::vector<std::string>{(dir / "certs/idp.pem").string(),
                                                          (dir / "certs/idp-next.pem").string()}));
  EXPECT_EQ(a.idp_metadata, "");
  EXPECT_EQ(a.sp_private_key, (dir / "certs/sp.key").string());
  EXPECT_EQ(a.sp_certificate, (dir / "certs/sp.pem").string());
  EXPECT_EQ(a.clock_skew_seconds, 120);
  EXPECT_FALSE(a.allow_idp_initiated);
  EXPECT_EQ(a.session_lifetime_seconds, 28800);
  EXPECT_EQ(a.customer_id_attribute, "");
  EXPECT_EQ(a.database, (dir / "visitor-sso.db").string());
  EXPECT_FALSE(a.allow_sha1);
  EXPECT_FALSE(a.sign_authn_requests);
  EXPECT_EQ(a.max_response_bytes, 262144);
  EXPECT_EQ(a.audit_retention_days, 90);

  const std::vector<Mapping> mappings = {
      {"name",
       {"displayName", "urn:oid:2.16.840.1.113730.3.1.241"},
       "displayName | urn:oid:2.16.840.1.113730.3.1.241"},
      {"email",
       {"mail", "urn:oid:0.9.2342.19200300.100.1.3"},
       "mail | urn:oid:0.9.2342.19200300.100.1.3"},
      {"company", {"company"}, "company"},
      {"phone", {"telephoneNumber"}, "telephoneNumber"},
      {"department", {"department"}, "department"},
      {"product_service", {"product"}, "product"},
      {"prechat:Account Number", {"accountNumber"}, "accountNumber"},
      {"variable:membership_level", {"membership_level"}, "membership_level"},
  };
  EXPECT_EQ(a.mappings, mappings);
  const std::vector<RoutingRule> rules = {
      {"rule.1", 1, "variable:membership_level == gold -> Gold Team"},
      {"rule.2", 2, "company in (Acme, Globex) and department != Sales -> Key Accounts"},
      {"rule.3", 3, "email ends_with @example.org -> Internal"},
  };
  EXPECT_EQ(a.routing_rules, rules);
  EXPECT_EQ(a.routing_default, "General");
}

TEST_F(LoaderTest, MinimalFileGetsDefaults) {
  auto s = LoadSettings(Write("x.ini", "[sso]\n" + RequiredSso()));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_TRUE(s->enabled);
  EXPECT_EQ(s->sign_in, SignInPolicy::kNone);
  EXPECT_EQ(s->clock_skew_seconds, 120);
  EXPECT_EQ(s->session_lifetime_seconds, 28800);
  EXPECT_EQ(s->max_response_bytes, 262144);
  EXPECT_EQ(s->audit_retention_days, 90);
  EXPECT_EQ(s->max_pending_sign_ins, 10000);
  EXPECT_FALSE(s->allow_idp_initiated);
  EXPECT_FALSE(s->allow_sha1);
  EXPECT_FALSE(s->sign_authn_requests);
  EXPECT_EQ(s->customer_id_attribute, "");
  EXPECT_EQ(s->idp_metadata, "");
  EXPECT_EQ(s->sp_private_key, "");
  EXPECT_EQ(s->database, In("visitor-sso.db"));
  EXPECT_TRUE(s->mappings.empty());
  EXPECT_TRUE(s->routing_rules.empty());
  EXPECT_EQ(s->routing_default, "");
}

TEST_F(LoaderTest, UnknownKeyIsNamedWithSuggestion) {
  const Error e = IniError(RequiredSso() + "sgn_in = optional\n");
  EXPECT_EQ(e.code, "config.unknown_key");
  EXPECT_EQ(e.message, In("x.ini") + ": [sso] sgn_in: unknown key (did you mean sign_in?)");
}

TEST_F(LoaderTest, UnknownKeyInJsonUsesDottedName) {
  const Error e = JsonError(R"({"sso": {"alow_sha1": true}})");
  EXPECT_EQ(e.code, "config.unknown_key");
  EXPECT_EQ(e.message, In("x.json") + ": sso.alow_sha1: unknown key (did you mean allow_sha1?)");
}

TEST_F(LoaderTest, UnknownSectionIsAnError) {
  const Error e = IniError(RequiredSso(), "[SSO]\nallow_sha1 = true\n");
  EXPECT_EQ(e.code, "config.unknown_section");
  EXPECT_EQ(e.message, In("x.ini") + ": [SSO]: unknown section (did you mean [sso]?)");

  const Error json = JsonError(R"({"routnig": {"default": "General"}})");
  EXPECT_EQ(json.code, "config.unknown_section");
  EXPECT_THAT(json.message, HasSubstr("routnig: unknown section (did you mean routing?)"));
}

TEST_F(LoaderTest, KeyAboveFirstSectionIsAnError) {
  auto s = LoadSettings(Write("x.ini", "allow_sha1 = true\n[sso]\n" + RequiredSso()));
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, "config.unknown_key");
  EXPECT_THAT(s.error().message, HasSubstr("allow_sha1: key outside any section"));
}

TEST_F(LoaderTest, MissingRequiredKeys) {
  for (const char* key :
       {"sp_entity_id", "acs_url", "idp_entity_id", "idp_sign_in_url", "idp_certificates"}) {
    const Error e = IniError(RequiredSso(key));
    EXPECT_EQ(e.code, "config.missing_key") << key;
    EXPECT_THAT(e.message, HasSubstr(In("x.ini") + ": [sso] " + key + ": required key"));
  }
  // An empty value is as missing as an absent key.
  const Error empty = IniError(RequiredSso("acs_url") + "acs_url =\n");
  EXPECT_EQ(empty.code, "config.missing_key");
  EXPECT_THAT(empty.message, HasSubstr("[sso] acs_url: required key is missing or empty"));
}

TEST_F(LoaderTest, MetadataReplacesTheThreeIdpKeys) {
  Write("idp-metadata.xml", "<EntityDescriptor/>");
  const std::string sp =
      "sp_entity_id = urn:example:chat\nacs_url = https://chat.example.com/sso/acs\n";
  auto s = LoadSettings(Write("x.ini", "[sso]\n" + sp + "idp_metadata = idp-metadata.xml\n"));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->idp_metadata, In("idp-metadata.xml"));
  EXPECT_EQ(s->sp_entity_id, "urn:example:chat");
  EXPECT_TRUE(s->idp_certificates.empty());

  const Error gone = IniError(sp + "idp_metadata = gone.xml\n");
  EXPECT_EQ(gone.code, "config.file_missing");
  EXPECT_THAT(gone.message, HasSubstr("[sso] idp_metadata: file not found: " + In("gone.xml")));
}

TEST_F(LoaderTest, BooleansAreTrueOrFalseOnly) {
  for (const char* value : {"yes", "1", "True", ""}) {
    const Error e = IniError(RequiredSso() + "allow_idp_initiated = " + value + "\n");
    EXPECT_EQ(e.code, "config.invalid_value") << value;
    EXPECT_EQ(
        e.message,
        In("x.ini") + ": [sso] allow_idp_initiated: expected true or false, got '" + value + "'");
  }
}

TEST_F(LoaderTest, IntegersMustBeInRange) {
  struct Case {
    const char* key;
    const char* value;
    const char* range;
  };
  for (const Case& c : {Case{"clock_skew_seconds", "3601", "from 0 to 3600"},
                        Case{"clock_skew_seconds", "-1", "from 0 to 3600"},
                        Case{"clock_skew_seconds", "12s", "from 0 to 3600"},
                        Case{"session_lifetime_seconds", "59", "from 60 to 604800"},
                        Case{"session_lifetime_seconds", "604801", "from 60 to 604800"},
                        Case{"max_response_bytes", "1023", "from 1024 to 16777216"},
                        Case{"max_response_bytes", "99999999999999999999", "from 1024 to"},
                        Case{"audit_retention_days", "-1", "from 0 to 36500"},
                        Case{"audit_retention_days", "36501", "from 0 to 36500"}}) {
    const Error e = IniError(RequiredSso() + c.key + " = " + c.value + "\n");
    EXPECT_EQ(e.code, "config.invalid_value") << c.key << "=" << c.value;
    EXPECT_THAT(e.message,
                HasSubstr(std::string("[sso] ") + c.key + ": expected an integer " + c.range));
  }
  auto edges = LoadSettings(Write("x.ini", "[sso]\n" + RequiredSso() +
                                               "clock_skew_seconds = 0\n"
                                               "session_lifetime_seconds = 604800\n"
                                               "max_response_bytes = 1024\n"
                                               "audit_retention_days = 0\n"));
  ASSERT_TRUE(edges.has_value()) << edges.error().message;
  EXPECT_EQ(edges->clock_skew_seconds, 0);
  EXPECT_EQ(edges->session_lifetime_seconds, 604800);
  EXPECT_EQ(edges->audit_retention_days, 0);
  EXPECT_EQ(edges->max_response_bytes, 1024);
}

TEST_F(LoaderTest, SignInMustBeAKnownPolicy) {
  const Error e = IniError(RequiredSso() + "sign_in = always\n");
  EXPECT_EQ(e.code, "config.invalid_value");
  EXPECT_EQ(e.message,
            In("x.ini") + ": [sso] sign_in: expected none, optional or required, got 'always'");
}

TEST_F(LoaderTest, UrlsMustBeAbsoluteHttp) {
  for (const char* value :
       {"chat.example.com/sso/acs", "/sso/acs", "ftp://chat.example.com/acs", "https://"}) {
    const Error e = IniError(RequiredSso("acs_url") + "acs_url = " + value + "\n");
    EXPECT_EQ(e.code, "config.invalid_value") << value;
    EXPECT_THAT(e.message, HasSubstr("[sso] acs_url: expected an absolute http(s) URL"));
  }
  const Error sign_in_url =
      IniError(RequiredSso("idp_sign_in_url") + "idp_sign_in_url = idp.example.com\n");
  EXPECT_EQ(sign_in_url.code, "config.invalid_value");
  // Entity IDs need not be URLs (tests/plugin/config/entity_id_test.cpp),
  // but white space is refused.
  const Error entity = IniError(RequiredSso("idp_entity_id") + "idp_entity_id = not a uri\n");
  EXPECT_EQ(entity.code, "config.invalid_value");
  EXPECT_THAT(entity.message, HasSubstr("[sso] idp_entity_id: the entity ID 'not a uri' contains "
                                        "white space (U+0020) at character 4"));
}

TEST_F(LoaderTest, MappingFieldsAreChecked) {
  const Error typo = IniError(RequiredSso(), "[mapping]\nemial = mail\n");
  EXPECT_EQ(typo.code, "config.invalid_value");
  EXPECT_THAT(typo.message,
              HasSubstr(In("x.ini") + ": [mapping] emial: unknown chat field (did you mean "
                                      "email?)"));
  const Error no_label = IniError(RequiredSso(), "[mapping]\nprechat: = accountNumber\n");
  EXPECT_EQ(no_label.code, "config.invalid_value");
  EXPECT_THAT(no_label.message, HasSubstr("[mapping] prechat:: prechat: needs"));
  const Error bad_variable = IniError(RequiredSso(), "[mapping]\nvariable:1st-level = x\n");
  EXPECT_EQ(bad_variable.code, "config.invalid_value");
  EXPECT_THAT(bad_variable.message, HasSubstr("must be an identifier"));
  const Error empty = IniError(RequiredSso(), "[mapping]\nemail =\n");
  EXPECT_EQ(empty.code, "config.invalid_value");
  EXPECT_THAT(empty.message, HasSubstr("[mapping] email: no IdP attribute name given"));
  const Error hole = IniError(RequiredSso(), "[mapping]\nemail = mail | | email\n");
  EXPECT_EQ(hole.code, "config.invalid_value");
  const Error twice =
      IniError(RequiredSso(), "[mapping]\nprechat:Account = a\nprechat: Account = b\n");
  EXPECT_EQ(twice.code, "config.invalid_value");
  EXPECT_THAT(twice.message, HasSubstr("chat field prechat:Account is mapped twice"));
}

// An @alias expands in place to its names (config/attribute_aliases.cpp);
// the value as written is kept for the admin overview.
TEST_F(LoaderTest, MappingAliasesExpandInPlaceAndKeepTheWrittenValue) {
  auto s = LoadSettings(Write("x.ini", "[sso]\n" + RequiredSso() +
                                           "[mapping]\n"
                                           "email = customMail | @email | mail\n"
                                           "company = @company | company\n"));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  ASSERT_EQ(s->mappings.size(), 2u);
  EXPECT_EQ(s->mappings[0].field, "email");
  // mail comes from @email already, so its own mention is dropped.
  EXPECT_EQ(s->mappings[0].attributes,
            (std::vector<std::string>{
                "customMail", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                "urn:oid:0.9.2342.19200300.100.1.3", "mail", "email"}));
  EXPECT_EQ(s->mappings[0].configured, "customMail | @email | mail");
  EXPECT_EQ(s->mappings[1].attributes,
            (std::vector<std::string>{"urn:oid:2.5.4.10", "o", "organizationName", "organization",
                                      "company"}));
  EXPECT_EQ(s->mappings[1].configured, "@company | company");

  auto json = LoadSettings(Write("x.json", R"({"sso": {
      "sp_entity_id": "https://chat.example.com/sso/metadata",
      "acs_url": "https://chat.example.com/sso/acs",
      "idp_entity_id": "https://idp.example.com/saml",
      "idp_sign_in_url": "https://idp.example.com/saml/sso",
      "idp_certificates": "certs/idp.pem"},
    "mapping": {"variable:customer": ["@uid", "customerNumber"]}})"));
  ASSERT_TRUE(json.has_value()) << json.error().message;
  ASSERT_EQ(json->mappings.size(), 1u);
  EXPECT_EQ(json->mappings[0].configured, "@uid | customerNumber");
  EXPECT_EQ(json->mappings[0].attributes.front(),
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn");
  EXPECT_EQ(json->mappings[0].attributes.back(), "customerNumber");
}

TEST_F(LoaderTest, UnknownMappingAliasNamesFileKeyAndAlias) {
  const Error typo = IniError(RequiredSso(), "[mapping]\nemail = mail | @emial\n");
  EXPECT_EQ(typo.code, "config.unknown_attribute_alias");
  EXPECT_THAT(typo.message,
              HasSubstr(In("x.ini") +
                        ": [mapping] email: unknown attribute alias @emial (did you mean @email?); "
                        "known aliases: @name @given_name @family_name @email @phone @company "
                        "@department @uid"));
  const Error far = JsonError(R"({"mapping": {"name": ["@fullname"]}})");
  EXPECT_EQ(far.code, "config.unknown_attribute_alias");
  EXPECT_THAT(far.message, HasSubstr("mapping.name: unknown attribute alias @fullname; known"));
}

TEST_F(LoaderTest, TrailingCommentIsExplained) {
  const Error e = IniError(RequiredSso() + "sign_in = optional ; note\n");
  EXPECT_EQ(e.code, "config.invalid_value");
  EXPECT_EQ(e.message, In("x.ini") +
                           ": [sso] sign_in: value 'optional ; note' contains a trailing "
                           "comment '; note'; comments must stand on their own line");
  // Also where the value would otherwise look plausible.
  const Error path = IniError(RequiredSso() + "database = chat.db # main\n");
  EXPECT_EQ(path.code, "config.invalid_value");
  EXPECT_THAT(path.message, HasSubstr("trailing comment '# main'"));
}

TEST_F(LoaderTest, MissingCertificateNamesKeyAndResolvedPath) {
  const Error e =
      IniError(RequiredSso("idp_certificates") + "idp_certificates = certs/idp.pem certs/no.pem\n");
  EXPECT_EQ(e.code, "config.file_missing");
  EXPECT_EQ(e.message,
            In("x.ini") + ": [sso] idp_certificates: file not found: " + In("certs/no.pem"));
}

TEST_F(LoaderTest, SpKeyAndCertificateComeTogether) {
  const Error key_only = IniError(RequiredSso() + "sp_private_key = certs/sp.key\n");
  EXPECT_EQ(key_only.code, "config.missing_key");
  EXPECT_THAT(key_only.message, HasSubstr("[sso] sp_certificate: required key"));
  const Error cert_only = IniError(RequiredSso() + "sp_certificate = certs/sp.pem\n");
  EXPECT_EQ(cert_only.code, "config.missing_key");
  EXPECT_THAT(cert_only.message, HasSubstr("[sso] sp_private_key: required key"));
  const Error signing = IniError(RequiredSso() + "sign_authn_requests = true\n");
  EXPECT_EQ(signing.code, "config.missing_key");
  EXPECT_THAT(signing.message, HasSubstr("sign_authn_requests = true needs sp_private_key"));
  const Error missing_key_file = IniError(RequiredSso() +
                                          "sp_private_key = certs/other.key\n"
                                          "sp_certificate = certs/sp.pem\n");
  EXPECT_EQ(missing_key_file.code, "config.file_missing");
  EXPECT_THAT(missing_key_file.message, HasSubstr("[sso] sp_private_key: file not found"));
}

TEST_F(LoaderTest, SyntaxErrorsCarryTheLineNumber) {
  const Error ini = IniError(RequiredSso() + "this line has no equals sign\n");
  EXPECT_EQ(ini.code, "config.parse_error");
  EXPECT_THAT(ini.message, HasSubstr(In("x.ini") + ":7: syntax error: '=' character not found"));

  const Error json = JsonError("{\n  \"sso\": {\n    \"enabled\": tru\n  }\n}\n");
  EXPECT_EQ(json.code, "config.parse_error");
  EXPECT_THAT(json.message, HasSubstr(In("x.json") + ":3: syntax error:"));
}

TEST_F(LoaderTest, FileProblems) {
  auto wrong_extension = LoadSettings(Write("x.yaml", "sso: {}\n"));
  ASSERT_FALSE(wrong_extension.has_value());
  EXPECT_EQ(wrong_extension.error().code, "config.unsupported_format");
  EXPECT_THAT(wrong_extension.error().message, HasSubstr("'.yaml'; expected .ini or .json"));

  auto no_extension = LoadSettings(Write("visitor-sso", "[sso]\n"));
  ASSERT_FALSE(no_extension.has_value());
  EXPECT_EQ(no_extension.error().code, "config.unsupported_format");

  auto missing = LoadSettings(In("absent.ini"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, "config.file_missing");
  EXPECT_THAT(missing.error().message, HasSubstr(In("absent.ini")));

  fs::create_directory(dir_ / "folder.ini");
  auto folder = LoadSettings(In("folder.ini"));
  ASSERT_FALSE(folder.has_value());
  EXPECT_EQ(folder.error().code, "config.file_unreadable");
}

TEST_F(LoaderTest, RelativePathsFollowTheConfigFile) {
  // The config lives in a subdirectory; the current directory must not matter.
  fs::create_directories(dir_ / "etc" / "keys");
  fs::copy_file(dir_ / "certs" / "idp.pem", dir_ / "etc" / "keys" / "idp.pem");
  const std::string absolute_next = (dir_ / "certs" / "idp-next.pem").string();
  const std::string path =
      Write("etc/visitor-sso.ini", "[sso]\n" + RequiredSso("idp_certificates") +
                                       "idp_certificates = keys/idp.pem " + absolute_next +
                                       "\nsp_private_key = ../certs/sp.key\n"
                                       "sp_certificate = ./../certs/sp.pem\n"
                                       "database = data/../chat.db\n");
  auto s = LoadSettings(path);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->source_path, In("etc/visitor-sso.ini"));
  EXPECT_EQ(s->idp_certificates, (std::vector<std::string>{In("etc/keys/idp.pem"), absolute_next}));
  EXPECT_EQ(s->sp_private_key, In("certs/sp.key"));
  EXPECT_EQ(s->sp_certificate, In("certs/sp.pem"));
  EXPECT_EQ(s->database, In("etc/chat.db"));

  const Error no_dir = IniError(RequiredSso() + "database = nowhere/chat.db\n");
  EXPECT_EQ(no_dir.code, "config.file_missing");
  EXPECT_THAT(no_dir.message, HasSubstr("[sso] database: directory not found: " + In("nowhere")));
}

TEST_F(LoaderTest, RoutingRulesAreSortedByNumber) {
  auto s = LoadSettings(Write("x.ini", "[sso]\n" + RequiredSso() +
                                           "[routing]\n"
                                           "rule.10 = company == Initech -> Ten\n"
                                           "default = General\n"
                                           "rule.2 = company == Globex -> Two\n"
                                           "rule.1 = company == Acme -> One\n"));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  ASSERT_EQ(s->routing_rules.size(), 3u);
  EXPECT_EQ(s->routing_rules[0], (RoutingRule{"rule.1", 1, "company == Acme -> One"}));
  EXPECT_EQ(s->routing_rules[1], (RoutingRule{"rule.2", 2, "company == Globex -> Two"}));
  EXPECT_EQ(s->routing_rules[2], (RoutingRule{"rule.10", 10, "company == Initech -> Ten"}));
  EXPECT_EQ(s->routing_default, "General");
}

TEST_F(LoaderTest, RoutingKeysAndRuleShapeAreChecked) {
  for (const char* key : {"rule.0", "rule.01", "rule.x", "rule.", "rules", "team"}) {
    const Error e = IniError(RequiredSso(), std::string("[routing]\n") + key + " = a -> b\n");
    EXPECT_EQ(e.code, "config.unknown_key") << key;
    EXPECT_THAT(e.message, HasSubstr(std::string("[routing] ") + key + ": unknown key"));
  }
  const Error no_arrow = IniError(RequiredSso(), "[routing]\nrule.1 = company == Acme\n");
  EXPECT_EQ(no_arrow.code, "config.invalid_value");
  EXPECT_THAT(no_arrow.message, HasSubstr("[routing] rule.1: expected '<condition> -> <team>'"));
  const Error no_team = IniError(RequiredSso(), "[routing]\nrule.1 = company == Acme ->  \n");
  EXPECT_EQ(no_team.code, "config.invalid_value");
  EXPECT_THAT(no_team.message, HasSubstr("[routing] rule.1: the team after ' -> ' is empty"));
  const Error glued = IniError(RequiredSso(), "[routing]\nrule.1 = company == Acme ->Team\n");
  EXPECT_EQ(glued.code, "config.invalid_value");
  EXPECT_THAT(glued.message, HasSubstr("expected '<condition> -> <team>'"));
  const Error blank_team = JsonError(R"({"routing": {"rules": ["company == Acme ->  "]}})");
  EXPECT_EQ(blank_team.code, "config.invalid_value");
  EXPECT_THAT(blank_team.message, HasSubstr("routing.rules[0]: the team after ' -> ' is empty"));
  const Error no_condition = IniError(RequiredSso(), "[routing]\nrule.1 =  -> Team\n");
  EXPECT_EQ(no_condition.code, "config.invalid_value");
  EXPECT_THAT(no_condition.message, HasSubstr("the condition before ' -> ' is empty"));
}

TEST_F(LoaderTest, JsonAcceptsStringsArraysAndTypedValues) {
  auto s = LoadSettings(Write("x.json", R"({
    "sso": {
      "enabled": "false",
      "sign_in": "required",
      "sp_entity_id": "https://chat.example.com/sso/metadata",
      "acs_url": "https://chat.example.com/sso/acs",
      "idp_entity_id": "https://idp.example.com/saml",
      "idp_sign_in_url": "https://idp.example.com/saml/sso",
      "idp_certificates": "certs/idp.pem   certs/idp-next.pem",
      "clock_skew_seconds": "30",
      "allow_idp_initiated": true,
      "session_lifetime_seconds": 3600
    },
    "mapping": {
      "name": ["displayName", "cn"],
      "email": "mail|email"
    },
    "routing": {"rules": ["a == 1 -> A", "b == 2 -> B"], "default": "General"}
  })"));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_FALSE(s->enabled);
  EXPECT_EQ(s->sign_in, SignInPolicy::kRequired);
  EXPECT_EQ(s->idp_certificates,
            (std::vector<std::string>{In("certs/idp.pem"), In("certs/idp-next.pem")}));
  EXPECT_EQ(s->clock_skew_seconds, 30);
  EXPECT_TRUE(s->allow_idp_initiated);
  EXPECT_EQ(s->session_lifetime_seconds, 3600);
  EXPECT_EQ(s->mappings, (std::vector<Mapping>{{"name", {"displayName", "cn"}, "displayName | cn"},
                                               {"email", {"mail", "email"}, "mail|email"}}));
  EXPECT_EQ(s->routing_rules,
            (std::vector<RoutingRule>{{"rule.1", 1, "a == 1 -> A"}, {"rule.2", 2, "b == 2 -> B"}}));
}

TEST_F(LoaderTest, JsonShapesAreChecked) {
  const Error not_object = JsonError(R"(["sso"])");
  EXPECT_EQ(not_object.code, "config.invalid_value");
  EXPECT_THAT(not_object.message, HasSubstr("top level must be an object"));

  const Error section_string = JsonError(R"({"sso": "on"})");
  EXPECT_EQ(section_string.code, "config.invalid_value");
  EXPECT_THAT(section_string.message, HasSubstr("sso: expected an object"));

  const Error list_for_bool = JsonError(R"({"sso": {"enabled": [true]}})");
  EXPECT_EQ(list_for_bool.code, "config.invalid_value");
  EXPECT_THAT(list_for_bool.message, HasSubstr("sso.enabled: expected a single value"));

  const Error duplicate = JsonError(R"({"sso": {"allow_sha1": false, "allow_sha1": true}})");
  EXPECT_EQ(duplicate.code, "config.invalid_value");
  EXPECT_THAT(duplicate.message, HasSubstr("sso.allow_sha1: key appears twice"));

  const Error pipe_in_list = JsonError(R"({"mapping": {"email": ["mail | email"]}})");
  EXPECT_EQ(pipe_in_list.code, "config.invalid_value");
  EXPECT_THAT(pipe_in_list.message, HasSubstr("mapping.email: list items are single"));

  const Error duplicate_field = JsonError(R"({"mapping": {"email": "mail", "email": "email"}})");
  EXPECT_EQ(duplicate_field.code, "config.invalid_value");

  const Error rules_string = JsonError(R"({"routing": {"rules": "a -> b"}})");
  EXPECT_EQ(rules_string.code, "config.invalid_value");
  EXPECT_THAT(rules_string.message, HasSubstr("routing.rules: expected a list of rules"));

  const Error ini_style_rule = JsonError(R"({"routing": {"rule.1": "a -> b"}})");
  EXPECT_EQ(ini_style_rule.code, "config.unknown_key");
  EXPECT_THAT(ini_style_rule.message, HasSubstr("routing.rule.1: unknown key"));
}

TEST_F(LoaderTest, WindowsLineEndingsAndByteOrderMarkAreAccepted) {
  std::string text = "\xEF\xBB\xBF[sso]\r\n";
  for (char c : RequiredSso()) text += c == '\n' ? std::string("\r\n") : std::string(1, c);
  text += "sign_in = required\r\n";
  auto s = LoadSettings(Write("x.ini", text));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->sign_in, SignInPolicy::kRequired);
  EXPECT_EQ(s->idp_certificates, std::vector<std::string>{In("certs/idp.pem")});
}

// ---- secrets on disk ---------------------------------------------------------

class KeyPermissionsTest : public LoaderTest {
 protected:
  Result<Settings> LoadWithKeyMode(fs::perms mode) {
    fs::permissions(dir_ / "certs" / "sp.key", mode);
    return LoadSettings(Write("x.ini", "[sso]\n" + RequiredSso() +
                                           "sp_private_key = certs/sp.key\n"
                                           "sp_certificate = certs/sp.pem\n"));
  }
};

TEST_F(KeyPermissionsTest, OwnerOnlyKeyLoadsWithoutWarning) {
  for (fs::perms mode : {fs::perms::owner_read | fs::perms::owner_write, fs::perms::owner_read}) {
    auto s = LoadWithKeyMode(mode);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE(s->warnings.empty()) << s->warnings.front();
  }
}

TEST_F(KeyPermissionsTest, KeyReadableByOthersLoadsWithAWarningNamingTheFix) {
  auto s = LoadWithKeyMode(fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->warnings.size(), 1u);
  const std::string key = In("certs/sp.key");
  EXPECT_EQ(s->warnings[0], In("x.ini") + ": [sso] sp_private_key " + key +
                                " is readable by group/others (mode 0644); run chmod 600 " + key);

  s = LoadWithKeyMode(fs::perms::owner_read | fs::perms::group_read | fs::perms::group_write);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_THAT(s->warnings[0],
              HasSubstr("is readable by group/others and writable by group (mode 0460)"));
}

TEST_F(KeyPermissionsTest, KeyWritableByOthersIsRefused) {
  for (fs::perms mode :
       {fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write, fs::perms::all}) {
    auto s = LoadWithKeyMode(mode);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "config.key_permissions");
    const std::string key = In("certs/sp.key");
    EXPECT_THAT(s.error().message, HasSubstr(In("x.ini") + ": [sso] sp_private_key: " + key +
                                             " is writable by others (mode 0"));
    EXPECT_THAT(s.error().message, HasSubstr("run chmod 600 " + key));
  }
  EXPECT_THAT(LoadWithKeyMode(fs::perms::all).error().message, HasSubstr("(mode 0777)"));
}

TEST_F(KeyPermissionsTest, TheModeIsThatOfTheFileASymlinkNames) {
  fs::rename(dir_ / "certs" / "sp.key", dir_ / "real.key");
  fs::create_symlink(dir_ / "real.key", dir_ / "certs" / "sp.key");
  fs::permissions(dir_ / "real.key", fs::perms::owner_read | fs::perms::others_read);
  auto s = LoadSettings(Write("x.ini", "[sso]\n" + RequiredSso() +
                                           "sp_private_key = certs/sp.key\n"
                                           "sp_certificate = certs/sp.pem\n"));
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_THAT(s->warnings[0], HasSubstr("(mode 0404)"));
}

}  // namespace
}  // namespace vsso::config
