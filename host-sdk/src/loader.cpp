#include "visitor_sso/sdk/loader.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <string_view>
#include <system_error>

#include <boost/dll/shared_library.hpp>

#include "visitor_sso/sdk/abi.hpp"

namespace visitor_sso::sdk {
namespace {

// Keeps the library loaded while the plugin object lives; members are
// destroyed in reverse order, so the object goes before its code.
struct Holder {
  boost::dll::shared_library library;
  std::shared_ptr<Plugin> plugin;
};

Expected<LoadedPlugin> Load(const std::string& path) {
  std::error_code fs_ec;
  if (!std::filesystem::exists(path, fs_ec)) {
    return MakeError("loader.not_found", "plugin file " + path + " does not exist");
  }
  auto holder = std::make_shared<Holder>();
  boost::dll::fs::error_code ec;
  holder->library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
                       ec);
  if (ec) {
    // Boost.DLL maps every dlopen failure to "Bad file descriptor"; the
    // dynamic loader's own words ("invalid ELF header", "undefined symbol:
    // ...") are what the admin can act on, and Boost leaves them in dlerror().
    const char* why = ::dlerror();
    return MakeError("loader.load_failed", "cannot load " + path + " as a shared library: " +
                                               (why != nullptr ? std::string(why) : ec.message()));
  }
  if (!holder->library.has(kAbiInfoSymbol)) {
    return MakeError("loader.not_a_plugin", path + " is not a visitor-sso plugin (no " +
                                                std::string(kAbiInfoSymbol) + " symbol)");
  }
  auto info_fn = holder->library.get<const visitor_sso_plugin_abi*()>(kAbiInfoSymbol);
  const visitor_sso_plugin_abi* info = info_fn();
  if (info == nullptr || info->struct_size < sizeof(visitor_sso_plugin_abi)) {
    return MakeError("loader.not_a_plugin", path + " returned no usable ABI information");
  }
  const std::string plugin_signature = info->build_signature ? info->build_signature : "";
  if (info->sdk_major != VISITOR_SSO_SDK_VERSION_MAJOR) {
    return MakeError("loader.abi_major", "plugin " + path + " was built for SDK major version " +
                                             std::to_string(info->sdk_major) +
                                             ", this host supports " +
                                             std::to_string(VISITOR_SSO_SDK_VERSION_MAJOR));
  }
  if (info->sdk_minor > VISITOR_SSO_SDK_VERSION_MINOR) {
    return MakeError("loader.abi_minor", "plugin " + path + " needs SDK " +
                                             std::to_string(info->sdk_major) + "." +
                                             std::to_string(info->sdk_minor) + ", this host has " +
                                             std::to_string(VISITOR_SSO_SDK_VERSION_MAJOR) + "." +
                                             std::to_string(VISITOR_SSO_SDK_VERSION_MINOR));
  }
  if (plugin_signature != HostBuildSignature()) {
    return MakeError("loader.build_signature", "plugin " + path + " build signature \"" +
                                                   plugin_signature + "\" differs from host \"" +
                                                   HostBuildSignature() + "\"");
  }
  if (!holder->library.has(kFactoryAlias)) {
    return MakeError("loader.missing_factory",
                     "plugin " + path + " has no factory " + std::string(kFactoryAlias));
  }
  // BOOST_DLL_ALIAS exports a pointer to the function under the alias name.
  auto factory = holder->library.get_alias<CreatePluginFn>(kFactoryAlias);
  holder->plugin = factory();
  if (!holder->plugin) {
    return MakeError("loader.factory_failed", "plugin " + path + " factory returned no plugin");
  }
  LoadedPlugin loaded;
  loaded.name = info->plugin_name ? info->plugin_name : "";
  loaded.version = info->plugin_version ? info->plugin_version : "";
  loaded.sdk_major = info->sdk_major;
  loaded.sdk_minor = info->sdk_minor;
  loaded.build_signature = plugin_signature;
  Plugin* raw = holder->plugin.get();
  loaded.plugin = std::shared_ptr<Plugin>(std::move(holder), raw);
  return loaded;
}

}  // namespace

Expected<LoadedPlugin> LoadPlugin(const std::string& path) noexcept {
  try {
    return Load(path);
  } catch (const std::exception& e) {
    return MakeError("loader.load_failed", "cannot load plugin " + path + ": " + e.what());
  } catch (...) {
    return MakeError("loader.load_failed", "cannot load plugin " + path);
  }
}

}  // namespace visitor_sso::sdk
