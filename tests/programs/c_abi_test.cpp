// The C ABI of host-sdk/include/visitor_sso/abi.h, tested the way a host in
// any language meets it: the real plugin's exported symbols, its handshake as
// an SDK 1 host reads it, raw C calls with broken, older and newer structs,
// and the C++ SDK's loader against the C99 plugins of tests/plugins/.
#include <dlfcn.h>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/deployment.hpp"
#include "support/process.hpp"
#include "support/test_idp.hpp"
#include "visitor_sso/sdk/abi.hpp"
#include "visitor_sso/sdk/loader.hpp"

namespace vsso::testing {
namespace {

namespace sdk = visitor_sso::sdk;

std::string Str(const vsso_bytes_plugin_owned& b) { return sdk::abi::ToString(b); }
vsso_bytes_host_owned Bytes(const std::string& s) { return sdk::abi::HostBytes(s); }

// Every function abi.h declares: a declaration begins its line with a return
// type and the name (abi.h promises that shape to FFI hosts).
std::set<std::string> DeclaredEntryPoints() {
  std::ifstream in(std::string(VSSO_SOURCE_DIR) + "/host-sdk/include/visitor_sso/abi.h");
  const std::regex declaration(
      R"(^(?:const )?[a-z_0-9]+\*? \*?(visitor_sso_abi_info|vsso_[a-z_0-9]+)\()");
  std::set<std::string> names;
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, declaration)) names.insert(m[1]);
  }
  return names;
}

TEST(CAbiExports, OnlyTheAbiFunctionsAndTheVersionNode) {
  const ProcessResult nm = RunProcess({"/usr/bin/nm", "-D", "--defined-only", VSSO_PLUGIN});
  ASSERT_EQ(nm.exit_code, 0) << nm.err;
  std::set<std::string> exported;
  for (const std::string& line : SplitLines(nm.out)) {
    std::istringstream fields(line);
    std::string address, type, name;
    fields >> address >> type >> name;
    if (name == "VSSO_2") {
      EXPECT_EQ(type, "A") << line;  // the version node of exports.map
      continue;
    }
    EXPECT_EQ(type, "T") << line;
    const auto at = name.find("@@VSSO_2");
    EXPECT_NE(at, std::string::npos) << line;
    exported.insert(name.substr(0, at));
  }
  const std::set<std::string> declared = DeclaredEntryPoints();
  EXPECT_EQ(declared.size(), 25u);  // 7 required, 18 optional
  EXPECT_EQ(exported, declared) << nm.out;
}

// ---- The real plugin, called as a C host would -------------------------------

class RealPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_ = ::dlopen(VSSO_PLUGIN, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(lib_, nullptr) << ::dlerror();
  }
  void TearDown() override {
    if (plugin_ != nullptr) Sym<decltype(::vsso_plugin_destroy)>("vsso_plugin_destroy")(plugin_);
    if (lib_ != nullptr) ::dlclose(lib_);
  }
  template <class F>
  F* Sym(const char* name) {
    void* p = ::dlsym(lib_, name);
    EXPECT_NE(p, nullptr) << name;
    return reinterpret_cast<F*>(p);
  }
#define VSSO_SYM(name) Sym<decltype(::name)>(#name)

  vsso_status Create(const vsso_host_info_host_owned& host, std::string* code = nullptr) {
    vsso_outcome_plugin_owned* outcome = nullptr;
    const vsso_status status = VSSO_SYM(vsso_plugin_create)(&host, &plugin_, &outcome);
    EXPECT_NE(outcome, nullptr);
    if (outcome != nullptr) {
      EXPECT_EQ(outcome->status, status);
      if (code != nullptr) *code = Str(outcome->error_code);
      VSSO_SYM(vsso_outcome_free)(outcome);
    }
    return status;
  }
  static vsso_host_info_host_owned Host() {
    vsso_host_info_host_owned host{};
    host.struct_size = sizeof host;
    host.sdk_major = VSSO_SDK_VERSION_MAJOR;
    host.sdk_minor = VSSO_SDK_VERSION_MINOR;
    return host;
  }
  void Configure(const Deployment& d) {
    ASSERT_EQ(Create(Host()), VSSO_STATUS_OK);
    const std::string path = d.config().string();
    vsso_configure_request_host_owned request{};
    request.struct_size = sizeof request;
    request.config_path = Bytes(path);
    request.fixed_now = kTestNow;
    vsso_outcome_plugin_owned* outcome = nullptr;
    ASSERT_EQ(VSSO_SYM(vsso_plugin_configure)(plugin_, &request, &outcome), VSSO_STATUS_OK)
        << (outcome != nullptr ? Str(outcome->error_message) : "no outcome");
    VSSO_SYM(vsso_outcome_free)(outcome);
  }

  void* lib_ = nullptr;
  vsso_handle_plugin_owned* plugin_ = nullptr;
};

// SDK 1's loader, rule for rule, against the SDK 2 plugin: it must refuse it
// on the major version, reading only the fields SDK 1 knew.
TEST_F(RealPlugin, AnSdk1HostRefusesItAsBuiltForMajor2) {
  struct visitor_sso_plugin_abi {  // SDK 1's struct, field for field
    std::uint32_t struct_size;
    std::uint32_t sdk_major;
    std::uint32_t sdk_minor;
    const char* build_signature;
    const char* plugin_name;
    const char* plugin_version;
  };
  using Fn = const visitor_sso_plugin_abi* (*)();
  const auto info = reinterpret_cast<Fn>(::dlsym(lib_, "visitor_sso_abi_info"))();
  ASSERT_NE(info, nullptr);
  ASSERT_GE(info->struct_size, sizeof(visitor_sso_plugin_abi));
  const std::string signature = info->build_signature ? info->build_signature : "";
  EXPECT_EQ(signature, "c-abi");
  ASSERT_NE(info->sdk_major, 1u);
  const std::string message = "plugin libvisitor-sso.so was built for SDK major version " +
                              std::to_string(info->sdk_major) + ", this host supports 1";
  EXPECT_EQ(message,
            "plugin libvisitor-sso.so was built for SDK major version 2, this host "
            "supports 1");
  EXPECT_EQ(std::string(info->plugin_name), "visitor-sso");
}

TEST_F(RealPlugin, HandshakeReportsEveryStructSize) {
  const vsso_abi_info_plugin_owned* info = VSSO_SYM(visitor_sso_abi_info)();
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->struct_size, sizeof(vsso_abi_info_plugin_owned));
  EXPECT_EQ(info->sdk_major, 2u);
  EXPECT_EQ(info->sdk_minor, static_cast<std::uint32_t>(VSSO_SDK_VERSION_MINOR));
  EXPECT_EQ(info->size_of_chat, sizeof(vsso_chat_host_owned));
  EXPECT_EQ(info->size_of_http_request, sizeof(vsso_http_request_host_owned));
  EXPECT_EQ(info->size_of_admin_overview, sizeof(vsso_admin_overview_plugin_owned));
  EXPECT_EQ(info->size_of_sign_in_failure, sizeof(vsso_sign_in_failure_plugin_owned));
}

TEST_F(RealPlugin, RefusesAHostOfAnotherMajor) {
  vsso_host_info_host_owned host = Host();
  host.sdk_major = VSSO_SDK_VERSION_MAJOR + 1;
  const std::string name = "php-host";
  host.host_name = Bytes(name);
  std::string code;
  EXPECT_EQ(Create(host, &code), VSSO_STATUS_ERROR);
  EXPECT_EQ(code, "abi.host_major");
  EXPECT_EQ(plugin_, nullptr);
}

// An older host whose host info ends before host_name: accepted.
TEST_F(RealPlugin, AcceptsAnOlderHostWithASmallerStruct) {
  vsso_host_info_host_owned host = Host();
  host.struct_size = offsetof(vsso_host_info_host_owned, host_name);
  EXPECT_EQ(Create(host), VSSO_STATUS_OK);
  EXPECT_NE(plugin_, nullptr);
}

TEST_F(RealPlugin, BrokenArgumentsAreInvalidArgumentsWithAnAbiCode) {
  ASSERT_EQ(Create(Host()), VSSO_STATUS_OK);
  vsso_outcome_plugin_owned* outcome = nullptr;
  // Nowhere to put a result.
  EXPECT_EQ(VSSO_SYM(vsso_plugin_configure)(plugin_, nullptr, nullptr),
            VSSO_STATUS_INVALID_ARGUMENT);
  const auto expect = [&](const vsso_configure_request_host_owned* request, const char* code) {
    EXPECT_EQ(VSSO_SYM(vsso_plugin_configure)(plugin_, request, &outcome),
              VSSO_STATUS_INVALID_ARGUMENT);
    ASSERT_NE(outcome, nullptr);
    EXPECT_EQ(outcome->status, VSSO_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(Str(outcome->error_code), code);
    EXPECT_NE(Str(outcome->error_message).find("vsso_plugin_configure"), std::string::npos);
    VSSO_SYM(vsso_outcome_free)(outcome);
  };
  expect(nullptr, "abi.null_argument");
  vsso_configure_request_host_owned request{};  // struct_size 0: never set
  expect(&request, "abi.struct_size");
  request.struct_size = sizeof request;
  request.config_path = {nullptr, 5};
  expect(&request, "abi.null_buffer");
  // A NULL handle is the host's mistake too.
  request.config_path = {nullptr, 0};
  EXPECT_EQ(VSSO_SYM(vsso_plugin_configure)(nullptr, &request, &outcome),
            VSSO_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(Str(outcome->error_code), "abi.null_argument");
  VSSO_SYM(vsso_outcome_free)(outcome);
}

TEST_F(RealPlugin, ConfigurationErrorsComeBackAsCodeAndMessage) {
  ASSERT_EQ(Create(Host()), VSSO_STATUS_OK);
  const std::string path = "/nonexistent/visitor-sso.ini";
  vsso_configure_request_host_owned request{};
  request.struct_size = sizeof request;
  request.config_path = Bytes(path);
  vsso_outcome_plugin_owned* outcome = nullptr;
  EXPECT_EQ(VSSO_SYM(vsso_plugin_configure)(plugin_, &request, &outcome), VSSO_STATUS_ERROR);
  ASSERT_NE(outcome, nullptr);
  EXPECT_EQ(Str(outcome->error_code), "config.file_missing");
  EXPECT_NE(Str(outcome->error_message).find(path), std::string::npos);
  VSSO_SYM(vsso_outcome_free)(outcome);
}

// A host built against an older abi.h sends structs that end earlier; the
// plugin reads what is there and takes the zero value for the rest.
TEST_F(RealPlugin, ReadsOnlyWhatAnOlderHostsStructsHold) {
  const Deployment d;
  Configure(d);
  const std::string chat_id = "c1", visitor = "v1", ret = "/chat", answer_key = "name";
  vsso_field_host_owned answer{};  // must not be read: beyond the chat's struct_size
  answer.struct_size = sizeof answer;
  answer.key = Bytes(answer_key);
  const vsso_field_host_owned* answers[] = {&answer};
  vsso_chat_host_owned chat{};
  chat.struct_size = offsetof(vsso_chat_host_owned, prechat_answers);
  chat.chat_id = Bytes(chat_id);
  chat.visitor_id = Bytes(visitor);
  chat.return_url = Bytes(ret);
  chat.prechat_answers = answers;
  chat.prechat_answers_count = 1;
  vsso_chat_start_plugin_owned* started = nullptr;
  ASSERT_EQ(VSSO_SYM(vsso_on_chat_will_start)(plugin_, &chat, &started), VSSO_STATUS_OK);
  EXPECT_EQ(started->decision, VSSO_CHAT_START_REQUIRE_SIGN_IN);
  EXPECT_EQ(Str(started->sign_in_url), "/sso/login?return=%2Fchat");
  // abi.h: plugin-owned buffers of a successful result are never NULL and
  // end with a 0 byte.
  ASSERT_NE(started->customer_id.ptr, nullptr);
  EXPECT_EQ(started->customer_id.len, 0u);
  EXPECT_EQ(started->sign_in_url.ptr[started->sign_in_url.len], 0);
  VSSO_SYM(vsso_chat_start_free)(started);

  // An HTTP request from a host that has no remote_address yet.
  const std::string get = "GET", path = "/sso/metadata";
  vsso_http_request_host_owned request{};
  request.struct_size = offsetof(vsso_http_request_host_owned, remote_address);
  request.method = Bytes(get);
  request.path = Bytes(path);
  vsso_http_response_plugin_owned* response = nullptr;
  ASSERT_EQ(VSSO_SYM(vsso_plugin_handle_http)(plugin_, &request, &response), VSSO_STATUS_OK);
  EXPECT_EQ(response->http_status, 200);
  EXPECT_NE(Str(response->body).find(kSpEntityId), std::string::npos);
  // Results belong to the plugin's allocator, not to the handle: freeing one
  // after vsso_plugin_destroy is allowed (abi.h).
  VSSO_SYM(vsso_plugin_destroy)(plugin_);
  plugin_ = nullptr;
  VSSO_SYM(vsso_http_response_free)(response);
}

// abi.h: hooks may be called from many threads at once after configure.
TEST_F(RealPlugin, HooksRunConcurrentlyOnOneHandle) {
  const Deployment d;
  Configure(d);
  auto* start = VSSO_SYM(vsso_on_chat_will_start);
  auto* route = VSSO_SYM(vsso_on_chat_will_be_routed);
  auto* free_start = VSSO_SYM(vsso_chat_start_free);
  auto* free_route = VSSO_SYM(vsso_routing_free);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string visitor = "v" + std::to_string(t) + "-" + std::to_string(i);
        vsso_chat_host_owned chat{};
        chat.struct_size = sizeof chat;
        chat.visitor_id = Bytes(visitor);
        vsso_chat_start_plugin_owned* started = nullptr;
        vsso_routing_plugin_owned* routed = nullptr;
        if (start(plugin_, &chat, &started) != VSSO_STATUS_OK ||
            started->decision != VSSO_CHAT_START_REQUIRE_SIGN_IN) {
          ++failures[t];
        }
        if (route(plugin_, &chat, &routed) != VSSO_STATUS_OK || Str(routed->team) != "General") {
          ++failures[t];
        }
        free_start(started);
        free_route(routed);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// ---- The C++ SDK's loader over the C99 test plugins ---------------------------

TEST(CAbiLoader, PluginWithoutOptionalHooksIsNotHandledEverywhere) {
  auto loaded = sdk::LoadPlugin(VSSO_TEST_PLUGIN_MINIMAL);
  ASSERT_TRUE(loaded) << loaded.error().code << ": " << loaded.error().message;
  EXPECT_EQ(
      loaded->missing_hooks,
      (std::vector<std::string>{"vsso_plugin_reload", "vsso_plugin_shutdown",
                                "vsso_on_chat_will_start", "vsso_on_prechat_survey_will_show",
                                "vsso_on_chat_will_be_routed", "vsso_on_visitor_info_will_render",
                                "vsso_on_transcript_will_be_saved", "vsso_plugin_search_history",
                                "vsso_plugin_handle_http", "vsso_plugin_get_admin_overview"}));
  sdk::Plugin& plugin = *loaded->plugin;
  ASSERT_TRUE(plugin.Configure({}));
  sdk::Chat chat;
  chat.id = "c1";
  chat.visitor.id = "v1";
  auto started = plugin.ChatWillStart(chat);
  ASSERT_TRUE(started);
  EXPECT_EQ(started->decision, sdk::ChatStartDecision::kProceed);
  EXPECT_FALSE(started->signed_in);
  auto prechat = plugin.PrechatSurveyWillShow(chat);
  ASSERT_TRUE(prechat);
  EXPECT_EQ(prechat->decision, sdk::PrechatDecision::kShow);
  auto info = plugin.VisitorInfoWillRender(chat);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->prechat_section.empty());
  EXPECT_FALSE(info->info.verified);
  auto routed = plugin.ChatWillBeRouted(chat);
  ASSERT_TRUE(routed);
  EXPECT_EQ(routed->decision, sdk::RoutingDecision::kNoOpinion);
  auto tags = plugin.TranscriptWillBeSaved(chat, "t1", "General");
  ASSERT_TRUE(tags);
  EXPECT_TRUE(tags->tags.empty());
  sdk::HttpRequest request;
  request.method = "GET";
  request.path = "/sso/metadata";
  auto response = plugin.HandleHttp(request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  auto history = plugin.SearchHistory({});
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().code, "abi.not_handled");
  auto overview = plugin.GetAdminOverview({});
  ASSERT_FALSE(overview);
  EXPECT_EQ(overview.error().code, "abi.not_handled");
  EXPECT_NE(overview.error().message.find("vsso_plugin_get_admin_overview"), std::string::npos);
  auto reloaded = plugin.Reload();
  ASSERT_FALSE(reloaded);
  EXPECT_EQ(reloaded.error().code, "abi.not_handled");
  plugin.Shutdown();  // no vsso_plugin_shutdown: nothing to call
}

// A plugin one minor ahead appends fields to its handshake and results; the
// host reads only the fields its abi.h has, and the plugin saw the host's
// (older) version and name.
TEST(CAbiLoader, NewerMinorPluginIsReadUpToTheHostsFields) {
  auto loaded = sdk::LoadPlugin(VSSO_TEST_PLUGIN_NEWER_MINOR);
  ASSERT_TRUE(loaded) << loaded.error().code << ": " << loaded.error().message;
  EXPECT_EQ(loaded->sdk_minor, sdk::kSdkVersionMinor + 1);
  const sdk::PluginDescription d = loaded->plugin->Describe();
  EXPECT_EQ(d.name, "newer-minor");
  EXPECT_EQ(d.sdk_minor, sdk::kSdkVersionMinor + 1);
  EXPECT_EQ(d.idp_entity_id, "host-sdk-2." + std::to_string(sdk::kSdkVersionMinor));
  EXPECT_EQ(d.sp_entity_id, "visitor-sso C++ host SDK");
  auto routed = loaded->plugin->ChatWillBeRouted(sdk::Chat{});
  ASSERT_TRUE(routed) << routed.error().message;
  EXPECT_EQ(routed->decision, sdk::RoutingDecision::kRoute);
  EXPECT_EQ(routed->team, "Newer Team");
  EXPECT_EQ(routed->rule_text, "everyone -> Newer Team");
}

TEST(CAbiLoader, RefusalsNameTheReason) {
  auto major = sdk::LoadPlugin(VSSO_TEST_PLUGIN_WRONG_MAJOR);
  ASSERT_FALSE(major);
  EXPECT_EQ(major.error().code, "loader.abi_major");
  EXPECT_NE(major.error().message.find("was built for SDK major version 3, this host supports 2"),
            std::string::npos)
      << major.error().message;
  auto sdk1 = sdk::LoadPlugin(VSSO_TEST_PLUGIN_SDK1);
  ASSERT_FALSE(sdk1);
  EXPECT_EQ(sdk1.error().code, "loader.abi_major");
  auto missing = sdk::LoadPlugin(VSSO_TEST_PLUGIN_MISSING_REQUIRED);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "loader.missing_symbol");
  EXPECT_NE(missing.error().message.find("vsso_plugin_configure"), std::string::npos);
  auto not_plugin = sdk::LoadPlugin("/usr/lib/x86_64-linux-gnu/libz.so.1");
  ASSERT_FALSE(not_plugin);
  EXPECT_EQ(not_plugin.error().code, "loader.not_a_plugin");
}

}  // namespace
}  // namespace vsso::testing
