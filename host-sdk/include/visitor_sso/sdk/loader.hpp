// The loader a host links (target VisitorSsoHostSdk::loader). It loads the
// plugin's shared object, performs the ABI handshake and creates the plugin
// through the Boost.DLL factory alias.
//
// Every failure is an Error naming what was wrong ("loader.not_found",
// "loader.not_a_plugin", "loader.missing_factory", "loader.abi_major",
// "loader.abi_minor", "loader.build_signature", "loader.load_failed",
// "loader.factory_failed"); the host stays up.
//
// Lifetime: the returned shared_ptr keeps the library loaded until the last
// copy of it is gone (Boost.DLL tutorial 8: the library handle lives beside the
// object), so the host never calls into unloaded code.
// Threading: LoadPlugin may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "visitor_sso/sdk/expected.hpp"
#include "visitor_sso/sdk/plugin.hpp"

namespace visitor_sso::sdk {

struct LoadedPlugin {
  std::shared_ptr<Plugin> plugin;
  std::string name;
  std::string version;
  std::uint32_t sdk_major = 0;
  std::uint32_t sdk_minor = 0;
  std::string build_signature;
};

Expected<LoadedPlugin> LoadPlugin(const std::string& path) noexcept;

}  // namespace visitor_sso::sdk
