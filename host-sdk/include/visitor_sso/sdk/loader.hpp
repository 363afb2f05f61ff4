// The loader a C++ host uses (header-only; target VisitorSsoHostSdk::loader
// adds libdl and Boost.DLL's std::filesystem switch). It loads the plugin's
// shared object with Boost.DLL, performs the C ABI handshake of abi.h,
// imports the C entry points one by one and creates the plugin.
//
// Every failure is an Error naming what was wrong; the host stays up:
//   loader.not_found       no such file
//   loader.load_failed     the dynamic loader refused it (its own words)
//   loader.not_a_plugin    no visitor_sso_abi_info, or it returned nothing usable
//   loader.abi_major       built for another SDK major version (both named)
//   loader.missing_symbol  a required entry point is missing (all of them named)
//   loader.create_failed   vsso_plugin_create refused this host (its code named)
// A plugin of a newer minor version is accepted: abi.h's struct_size rule
// lets each side ignore what it does not know. Optional entry points that
// are missing are listed in LoadedPlugin::missing_hooks and answered as
// "not handled" (abi_plugin.hpp).
//
// Lifetime: the returned shared_ptr keeps the library loaded until the last
// copy of it is gone, so the host never calls into unloaded code.
// Threading: LoadPlugin may be called from any thread.
#pragma once

#include <dlfcn.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "visitor_sso/sdk/abi.hpp"
#include "visitor_sso/sdk/abi_plugin.hpp"
#include "visitor_sso/sdk/expected.hpp"
#include "visitor_sso/sdk/plugin.hpp"

namespace visitor_sso::sdk {

struct LoadedPlugin {
  std::shared_ptr<Plugin> plugin;
  std::string name;
  std::string version;
  std::uint32_t sdk_major = 0;
  std::uint32_t sdk_minor = 0;
  /// Optional entry points the library does not export (abi.h); the
  /// matching Plugin methods answer "not handled".
  std::vector<std::string> missing_hooks;
};

namespace loader_detail {

inline Expected<LoadedPlugin> Load(const std::string& path) {
  std::error_code fs_ec;
  if (!std::filesystem::exists(path, fs_ec)) {
    return MakeError("loader.not_found", "plugin file " + path + " does not exist");
  }
  auto library = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code ec;
  library->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) {
    // Boost.DLL maps every dlopen failure to "Bad file descriptor"; the
    // dynamic loader's own words ("invalid ELF header", "undefined symbol:
    // ...") are what the admin can act on, and Boost leaves them in dlerror().
    const char* why = ::dlerror();
    return MakeError("loader.load_failed", "cannot load " + path + " as a shared library: " +
                                               (why != nullptr ? std::string(why) : ec.message()));
  }
  if (!library->has(kAbiInfoSymbol)) {
    return MakeError("loader.not_a_plugin", path + " is not a visitor-sso plugin (no " +
                                                std::string(kAbiInfoSymbol) + " symbol)");
  }
  const vsso_abi_info_plugin_owned* info =
      library->get<decltype(::visitor_sso_abi_info)>(kAbiInfoSymbol)();
  // Only the SDK 1 leading fields are read before the major version matches.
  if (info == nullptr || info->struct_size < sizeof(AbiInfoPrefix)) {
    return MakeError("loader.not_a_plugin", path + " returned no usable ABI information");
  }
  if (info->sdk_major != kSdkVersionMajor) {
    return MakeError("loader.abi_major", "plugin " + path + " was built for SDK major version " +
                                             std::to_string(info->sdk_major) +
                                             ", this host supports " +
                                             std::to_string(kSdkVersionMajor));
  }
  // Every 2.x plugin has at least the 2.0 struct.
  if (!abi::Has(*info, &vsso_abi_info_plugin_owned::size_of_admin_overview)) {
    return MakeError("loader.not_a_plugin", path + " returned an ABI information struct of " +
                                                std::to_string(info->struct_size) +
                                                " bytes, SDK 2.0 has " +
                                                std::to_string(sizeof(vsso_abi_info_plugin_owned)));
  }
  std::string missing;
  for (const char* symbol : kRequiredSymbols) {
    if (!library->has(symbol)) missing += (missing.empty() ? "" : ", ") + std::string(symbol);
  }
  if (!missing.empty()) {
    return MakeError(
        "loader.missing_symbol",
        "plugin " + path + " lacks the required entry point(s) " + missing + " (abi.h)");
  }

  LoadedPlugin loaded;
  AbiSymbols s;
  const auto get = [&](auto*& fn, const char* name) {
    using Fn = std::remove_pointer_t<std::remove_reference_t<decltype(fn)>>;
    fn = library->has(name) ? &library->get<Fn>(name) : nullptr;
  };
  // An optional hook counts only together with its free function.
  const auto optional = [&](auto*& fn, const char* name, auto*& free_fn, const char* free_name) {
    get(fn, name);
    get(free_fn, free_name);
    if (fn == nullptr || free_fn == nullptr) {
      fn = nullptr;
      loaded.missing_hooks.emplace_back(name);
    }
  };
  get(s.plugin_create, "vsso_plugin_create");
  get(s.plugin_destroy, "vsso_plugin_destroy");
  get(s.plugin_configure, "vsso_plugin_configure");
  get(s.plugin_describe, "vsso_plugin_describe");
  get(s.outcome_free, "vsso_outcome_free");
  get(s.description_free, "vsso_description_free");
  get(s.plugin_reload, "vsso_plugin_reload");
  if (s.plugin_reload == nullptr) loaded.missing_hooks.emplace_back("vsso_plugin_reload");
  get(s.plugin_shutdown, "vsso_plugin_shutdown");
  if (s.plugin_shutdown == nullptr) loaded.missing_hooks.emplace_back("vsso_plugin_shutdown");
  optional(s.on_chat_will_start, "vsso_on_chat_will_start", s.chat_start_free,
           "vsso_chat_start_free");
  optional(s.on_prechat_survey_will_show, "vsso_on_prechat_survey_will_show", s.prechat_free,
           "vsso_prechat_free");
  optional(s.on_chat_will_be_routed, "vsso_on_chat_will_be_routed", s.routing_free,
           "vsso_routing_free");
  optional(s.on_visitor_info_will_render, "vsso_on_visitor_info_will_render", s.visitor_info_free,
           "vsso_visitor_info_free");
  optional(s.on_transcript_will_be_saved, "vsso_on_transcript_will_be_saved",
           s.transcript_tags_free, "vsso_transcript_tags_free");
  optional(s.plugin_search_history, "vsso_plugin_search_history", s.history_page_free,
           "vsso_history_page_free");
  optional(s.plugin_handle_http, "vsso_plugin_handle_http", s.http_response_free,
           "vsso_http_response_free");
  optional(s.plugin_get_admin_overview, "vsso_plugin_get_admin_overview", s.admin_overview_free,
           "vsso_admin_overview_free");

  static constexpr char kHostName[] = "visitor-sso C++ host SDK";
  vsso_host_info_host_owned host{};
  host.struct_size = sizeof host;
  host.sdk_major = kSdkVersionMajor;
  host.sdk_minor = kSdkVersionMinor;
  host.host_name = abi::HostBytes(kHostName);
  vsso_handle_plugin_owned* handle = nullptr;
  vsso_outcome_plugin_owned* outcome = nullptr;
  const vsso_status status = s.plugin_create(&host, &handle, &outcome);
  std::unique_ptr<vsso_outcome_plugin_owned, void (*)(vsso_outcome_plugin_owned*)> owned(
      outcome, s.outcome_free);
  if (status != VSSO_STATUS_OK || handle == nullptr) {
    if (handle != nullptr) s.plugin_destroy(handle);
    std::string why = "status " + std::to_string(static_cast<int>(status));
    if (outcome != nullptr && abi::Has(*outcome, &vsso_outcome_plugin_owned::error_message)) {
      why = abi::ToString(outcome->error_message) + " [" + abi::ToString(outcome->error_code) + "]";
    }
    return MakeError("loader.create_failed",
                     "plugin " + path + " refused to start in this host: " + why);
  }
  loaded.name = info->plugin_name != nullptr ? info->plugin_name : "";
  loaded.version = info->plugin_version != nullptr ? info->plugin_version : "";
  loaded.sdk_major = info->sdk_major;
  loaded.sdk_minor = info->sdk_minor;
  try {
    loaded.plugin = std::make_shared<AbiPlugin>(library, s, handle, loaded.name, loaded.version,
                                                info->sdk_minor);
  } catch (...) {
    s.plugin_destroy(handle);
    throw;
  }
  return loaded;
}

}  // namespace loader_detail

inline Expected<LoadedPlugin> LoadPlugin(const std::string& path) noexcept {
  try {
    return loader_detail::Load(path);
  } catch (const std::exception& e) {
    return MakeError("loader.load_failed", "cannot load plugin " + path + ": " + e.what());
  } catch (...) {
    return MakeError("loader.load_failed", "cannot load plugin " + path);
  }
}

}  // namespace visitor_sso::sdk
