// A plugin built for the next SDK major version: the loader must refuse it
// with loader.abi_major before it touches the factory.
#include <memory>

#include <boost/config.hpp>
#include <boost/dll/alias.hpp>

#include "visitor_sso/sdk/abi.hpp"
#include "visitor_sso/sdk/plugin.hpp"

extern "C" BOOST_SYMBOL_EXPORT const visitor_sso_plugin_abi* visitor_sso_abi_info() {
  static const ::visitor_sso_plugin_abi info{sizeof(::visitor_sso_plugin_abi),
                                             VISITOR_SSO_SDK_VERSION_MAJOR + 1,
                                             VISITOR_SSO_SDK_VERSION_MINOR,
                                             VISITOR_SSO_SDK_BUILD_SIGNATURE,
                                             "wrong-major",
                                             "0.0.1"};
  return &info;
}

namespace {

// Present so that only the major version can be the reason for refusal. It
// returns no plugin: were the loader ever to call it, it would answer
// loader.factory_failed and the test expecting loader.abi_major would fail.
std::shared_ptr<visitor_sso::sdk::Plugin> CreatePlugin() { return nullptr; }

}  // namespace

BOOST_DLL_ALIAS(CreatePlugin, visitor_sso_create_plugin)
