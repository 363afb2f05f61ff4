// A plugin built with another toolchain (its build signature differs from the
// host's): C++ objects cross the boundary, so the loader must refuse it with
// loader.build_signature before it touches the factory.
#include <memory>

#include <boost/config.hpp>
#include <boost/dll/alias.hpp>

#include "visitor_sso/sdk/abi.hpp"
#include "visitor_sso/sdk/plugin.hpp"

// Shaped like a real signature but from a toolchain this machine cannot be.
#define WRONG_BUILD_SIGNATURE "compiler=clang-99;stdlib=libc++-990000;boost=1_99"

extern "C" BOOST_SYMBOL_EXPORT const visitor_sso_plugin_abi* visitor_sso_abi_info() {
  static const ::visitor_sso_plugin_abi info{sizeof(::visitor_sso_plugin_abi),
                                             VISITOR_SSO_SDK_VERSION_MAJOR,
                                             VISITOR_SSO_SDK_VERSION_MINOR,
                                             WRONG_BUILD_SIGNATURE,
                                             "wrong-signature",
                                             "0.0.1"};
  return &info;
}

namespace {

// Present so that only the signature can be the reason for refusal. It returns
// no plugin: were the loader ever to call it, it would answer
// loader.factory_failed and the test expecting loader.build_signature would fail.
std::shared_ptr<visitor_sso::sdk::Plugin> CreatePlugin() { return nullptr; }

}  // namespace

BOOST_DLL_ALIAS(CreatePlugin, visitor_sso_create_plugin)
