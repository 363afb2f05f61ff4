// Black-box tests of the real sample-host binary loading the real plugin and
// the C99 test plugins of tests/plugins/ through the C ABI (abi.h). They check
// the command line contract of docs/sample-host.md: stdout, the one stderr
// line, exit code; and the handshake rules as a host's admin meets them.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/deployment.hpp"
#include "support/process.hpp"
#include "support/test_keys.hpp"
#include "visitor_sso/sdk/abi.hpp"

namespace vsso::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExpectedInfo =
    "plugin: visitor-sso 0.1.0\n"
    "sdk: 2.2\n"
    "sign_in: optional\n"
    "certificates: 2\n"
    "mappings: 8\n";

ProcessResult SampleHost(std::vector<std::string> args) {
  args.insert(args.begin(), VSSO_SAMPLE_HOST);
  return RunProcess(args);
}

// The shipped examples with their certificates, copied so that a run never
// writes into the source tree (the store's database path is relative to the
// config file) and so a test may edit its copy.
class ExampleConfig {
 public:
  ExampleConfig() { vsso::testing::CopyShippedConfig(fs::path(VSSO_SOURCE_DIR) / "config", dir()); }
  fs::path dir() const { return temp_.path() / "config"; }
  std::string ini() const { return (dir() / "visitor-sso.example.ini").string(); }
  std::string json() const { return (dir() / "visitor-sso.example.json").string(); }

 private:
  TempDir temp_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Checks the failure contract: nothing on stdout, exactly one stderr line
// "sample-host: <what>: <message> [<code>]"; returns that line.
std::string ExpectOneErrorLine(const ProcessResult& result, int exit_code, const std::string& what,
                               const std::string& code) {
  EXPECT_EQ(result.term_signal, 0);
  EXPECT_EQ(result.exit_code, exit_code) << result.err;
  EXPECT_EQ(result.out, "");
  const std::vector<std::string> lines = SplitLines(result.err);
  EXPECT_EQ(lines.size(), 1u) << result.err;
  EXPECT_TRUE(result.err.ends_with("\n")) << result.err;
  if (lines.empty()) {
    return {};
  }
  EXPECT_TRUE(lines[0].starts_with("sample-host: " + what + ": ")) << lines[0];
  EXPECT_TRUE(lines[0].ends_with(" [" + code + "]")) << lines[0];
  return lines[0];
}

std::string ExpectPluginRefused(const std::string& plugin, const std::string& code) {
  const ProcessResult result =
      SampleHost({"--plugin", plugin, "--config", "/nonexistent/visitor-sso.ini", "info"});
  return ExpectOneErrorLine(result, 3, "cannot load plugin", code);
}

TEST(SampleHostInfo, IniExamplePrintsDescription) {
  const ExampleConfig config;
  const ProcessResult result =
      SampleHost({"--plugin", VSSO_PLUGIN, "--config", config.ini(), "info"});
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, kExpectedInfo);
}

TEST(SampleHostInfo, JsonExamplePrintsTheSameAsIni) {
  const ExampleConfig config;
  const ProcessResult result =
      SampleHost({"--plugin", VSSO_PLUGIN, "--config", config.json(), "info"});
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, kExpectedInfo);
}

// A platform file (issue 12): the five lines describe its default site,
// which this one has; a sixth counts the sites.
TEST(SampleHostInfo, PlatformFileAddsItsSiteCount) {
  const ExampleConfig config;
  fs::create_directories(config.dir() / "two");
  std::ofstream(config.dir() / "platform.ini")
      << "[platform]\ndatabase = platform.db\nsites = two\n";
  for (const std::string site : {"default", "globex"}) {
    std::ofstream(config.dir() / "two" / (site + ".ini"))
        << "[sso]\nsign_in = " << (site == "default" ? "required" : "optional")
        << "\nsp_entity_id = https://chat.example.com/sso/" << site
        << "/metadata\nacs_url = https://chat.example.com/sso/" << site
        << "/acs\nidp_entity_id = https://idp.example.com/saml\n"
           "idp_sign_in_url = https://idp.example.com/saml/sso\n"
           "idp_certificates = ../certs/idp.pem\n\n[mapping]\nname = displayName\n";
  }
  const ProcessResult result = SampleHost(
      {"--plugin", VSSO_PLUGIN, "--config", (config.dir() / "platform.ini").string(), "info"});
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out,
            "plugin: visitor-sso 0.1.0\nsdk: 2.2\nsign_in: required\ncertificates: 1\n"
            "mappings: 1\nsites: 2\n");
}

TEST(SampleHostInfo, AcceptsOptionsInAnyOrderAndEqualsForm) {
  const ExampleConfig config;
  const ProcessResult result =
      SampleHost({"--config=" + config.ini(), "--plugin=" + std::string(VSSO_PLUGIN), "info"});
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, kExpectedInfo);
}

TEST(SampleHostInfo, EqualsFormPassesThePathToTheLoader) {
  const ProcessResult result =
      SampleHost({"--config=/nonexistent/c.ini",
                  "--plugin=" + std::string(VSSO_TEST_PLUGIN_MISSING_REQUIRED), "info"});
  const std::string line =
      ExpectOneErrorLine(result, 3, "cannot load plugin", "loader.missing_symbol");
  EXPECT_NE(line.find(VSSO_TEST_PLUGIN_MISSING_REQUIRED), std::string::npos) << line;
}

// A plugin one minor version ahead: accepted (abi.h: a minor only appends),
// and it learnt the host's own, older, version in vsso_plugin_create.
TEST(SampleHostInfo, NewerMinorPluginIsAccepted) {
  const ProcessResult result =
      SampleHost({"--plugin", VSSO_TEST_PLUGIN_NEWER_MINOR, "--config", "/unused.ini", "info"});
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out,
            "plugin: newer-minor 0.0.1\nsdk: " + std::to_string(VISITOR_SSO_SDK_VERSION_MAJOR) +
                "." + std::to_string(VISITOR_SSO_SDK_VERSION_MINOR + 1) +
                "\nsign_in: none\ncertificates: 0\nmappings: 0\n");
}

// Only the required entry points: loaded and described; the hooks it lacks
// are "not handled" (tests/programs/c_abi_test.cpp checks each one).
TEST(SampleHostInfo, PluginWithoutOptionalHooksIsAccepted) {
  const ProcessResult result =
      SampleHost({"--plugin", VSSO_TEST_PLUGIN_MINIMAL, "--config", "/unused.ini", "info"});
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out,
            "plugin: minimal 0.0.1\nsdk: 2.2\nsign_in: none\ncertificates: 0\nmappings: 0\n");
}

TEST(SampleHostPluginRefused, SharedLibraryThatIsNotAPlugin) {
  const std::string libz = "/usr/lib/x86_64-linux-gnu/libz.so.1";
  ASSERT_TRUE(fs::exists(libz));
  const std::string line = ExpectPluginRefused(libz, "loader.not_a_plugin");
  EXPECT_EQ(line, "sample-host: cannot load plugin: " + libz +
                      " is not a visitor-sso plugin (no visitor_sso_abi_info symbol) "
                      "[loader.not_a_plugin]");
}

TEST(SampleHostPluginRefused, MissingPluginFile) {
  const TempDir temp;
  const std::string path = (temp.path() / "libnothing.so").string();
  const std::string line = ExpectPluginRefused(path, "loader.not_found");
  EXPECT_NE(line.find(path), std::string::npos) << line;
}

TEST(SampleHostPluginRefused, FileThatIsNotASharedLibrary) {
  const std::string line =
      ExpectPluginRefused(std::string(VSSO_SOURCE_DIR) + "/CMakeLists.txt", "loader.load_failed");
  EXPECT_NE(line.find("CMakeLists.txt"), std::string::npos) << line;
  // The dynamic loader's reason, not Boost.DLL's generic errno text.
  EXPECT_NE(line.find("invalid ELF header"), std::string::npos) << line;
}

TEST(SampleHostPluginRefused, MissingRequiredSymbolIsNamed) {
  const std::string line =
      ExpectPluginRefused(VSSO_TEST_PLUGIN_MISSING_REQUIRED, "loader.missing_symbol");
  EXPECT_NE(line.find("lacks the required entry point(s) vsso_plugin_configure "),
            std::string::npos)
      << line;
}

TEST(SampleHostPluginRefused, WrongMajorVersionNamesBothMajors) {
  const std::string line = ExpectPluginRefused(VSSO_TEST_PLUGIN_WRONG_MAJOR, "loader.abi_major");
  EXPECT_NE(line.find("SDK major version " + std::to_string(VISITOR_SSO_SDK_VERSION_MAJOR + 1)),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("this host supports " + std::to_string(VISITOR_SSO_SDK_VERSION_MAJOR)),
            std::string::npos)
      << line;
}

// An SDK 1 plugin reports a smaller handshake struct; its leading fields are
// enough to refuse it by name.
TEST(SampleHostPluginRefused, Sdk1PluginNamesItsMajor) {
  const std::string line = ExpectPluginRefused(VSSO_TEST_PLUGIN_SDK1, "loader.abi_major");
  EXPECT_NE(line.find("was built for SDK major version 1, this host supports 2"), std::string::npos)
      << line;
}

TEST(SampleHostConfigRejected, UnknownKeyIsNamed) {
  const ExampleConfig config;
  std::string text = ReadFile(config.ini());
  const std::size_t section = text.find("[sso]\n");
  ASSERT_NE(section, std::string::npos) << "the example has no [sso] section";
  text.insert(section + 6, "sgn_in = x\n");
  std::ofstream(config.ini(), std::ios::binary | std::ios::trunc) << text;

  const ProcessResult result =
      SampleHost({"--plugin", VSSO_PLUGIN, "--config", config.ini(), "info"});
  const std::string line =
      ExpectOneErrorLine(result, 4, "configuration rejected", "config.unknown_key");
  EXPECT_NE(line.find("sgn_in"), std::string::npos) << line;
}

TEST(SampleHostConfigRejected, MissingConfigFileIsNamed) {
  const TempDir temp;
  const std::string path = (temp.path() / "absent.ini").string();
  const ProcessResult result = SampleHost({"--plugin", VSSO_PLUGIN, "--config", path, "info"});
  EXPECT_EQ(result.exit_code, 4) << result.err;
  EXPECT_EQ(result.out, "");
  const std::vector<std::string> lines = SplitLines(result.err);
  ASSERT_EQ(lines.size(), 1u) << result.err;
  // The plugin chooses the config.* code; the host promises the line's shape.
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex("sample-host: configuration rejected: .+ \\[config\\.[a-z_.]+\\]")))
      << lines[0];
  EXPECT_NE(lines[0].find(path), std::string::npos) << lines[0];
}

struct UsageCase {
  const char* name;
  std::vector<std::string> args;
};

class SampleHostUsage : public ::testing::TestWithParam<UsageCase> {};

// Every case would otherwise reach a valid-looking plugin path that does not
// exist: exit code 2 (not 3) proves the command line is checked before loading.
const std::string kAbsentPlugin = "/nonexistent/libvisitor-sso.so";
const std::string kAbsentConfig = "/nonexistent/visitor-sso.ini";

INSTANTIATE_TEST_SUITE_P(
    Errors, SampleHostUsage,
    ::testing::Values(
        UsageCase{"NoArguments", {}},
        UsageCase{"NoCommand", {"--plugin", kAbsentPlugin, "--config", kAbsentConfig}},
        UsageCase{"MissingPlugin", {"--config", kAbsentConfig, "info"}},
        UsageCase{"MissingConfig", {"--plugin", kAbsentPlugin, "info"}},
        UsageCase{"UnknownOption",
                  {"--plugin", kAbsentPlugin, "--config", kAbsentConfig, "--verbose", "info"}},
        UsageCase{"OptionWithoutValue", {"--config", kAbsentConfig, "--plugin"}},
        UsageCase{"OptionFollowedByOption", {"--plugin", "--config", kAbsentConfig, "info"}},
        UsageCase{"EmptyEqualsValue", {"--plugin=", "--config", kAbsentConfig, "info"}},
        UsageCase{"DuplicateOption",
                  {"--plugin", kAbsentPlugin, "--plugin", kAbsentPlugin, "--config", kAbsentConfig,
                   "info"}},
        UsageCase{"UnknownCommand", {"--plugin", kAbsentPlugin, "--config", kAbsentConfig, "frob"}},
        UsageCase{"InfoWithArgument",
                  {"--plugin", kAbsentPlugin, "--config", kAbsentConfig, "info", "extra"}}),
    [](const ::testing::TestParamInfo<UsageCase>& info) { return info.param.name; });

TEST_P(SampleHostUsage, ExitsTwoWithOneLine) {
  const ProcessResult result = SampleHost(GetParam().args);
  ExpectOneErrorLine(result, 2, "invalid command line", "host.usage");
}

TEST(SampleHostUsageLines, NameTheProblem) {
  EXPECT_NE(SampleHost({"--config", kAbsentConfig, "info"}).err.find("--plugin PATH is required"),
            std::string::npos);
  EXPECT_NE(SampleHost({"--plugin", kAbsentPlugin, "--config", kAbsentConfig, "frob"})
                .err.find("unknown command \"frob\""),
            std::string::npos);
  EXPECT_NE(SampleHost({"--plugin", kAbsentPlugin, "--bogus", "info"})
                .err.find("unknown option \"--bogus\""),
            std::string::npos);
}

TEST(SampleHostHelp, PrintsUsageAndExitsZero) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--help"}, std::vector<std::string>{"-h"},
        std::vector<std::string>{"--plugin", kAbsentPlugin, "info", "--help"}}) {
    const ProcessResult result = SampleHost(args);
    EXPECT_EQ(result.exit_code, 0) << args.front();
    EXPECT_EQ(result.err, "") << args.front();
    EXPECT_TRUE(result.out.starts_with("Usage: sample-host --plugin PATH --config PATH COMMAND"))
        << result.out;
    EXPECT_NE(result.out.find("info"), std::string::npos);
  }
}

}  // namespace
}  // namespace vsso::testing
