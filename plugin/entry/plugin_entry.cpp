// The only two symbols the plugin exports: the C handshake and the Boost.DLL
// factory alias. Everything else is hidden (see CMakeLists.txt).
#include <memory>
#include <new>

#include <boost/config.hpp>
#include <boost/dll/alias.hpp>

#include "hooks/plugin_impl.hpp"
#include "visitor_sso/sdk/abi.hpp"
#include "visitor_sso/sdk/plugin.hpp"

extern "C" BOOST_SYMBOL_EXPORT const visitor_sso_plugin_abi* visitor_sso_abi_info() {
  static const ::visitor_sso_plugin_abi info{sizeof(::visitor_sso_plugin_abi),
                                             VISITOR_SSO_SDK_VERSION_MAJOR,
                                             VISITOR_SSO_SDK_VERSION_MINOR,
                                             VISITOR_SSO_SDK_BUILD_SIGNATURE,
                                             "visitor-sso",
                                             VSSO_VERSION};
  return &info;
}

namespace vsso {

std::shared_ptr<visitor_sso::sdk::Plugin> CreatePlugin() {
  // The factory must not throw across the boundary; nullptr means failure.
  try {
    return std::make_shared<hooks::PluginImpl>();
  } catch (...) {
    return nullptr;
  }
}

}  // namespace vsso

BOOST_DLL_ALIAS(vsso::CreatePlugin, visitor_sso_create_plugin)
