// A plugin whose handshake is correct in every respect but that exports no
// factory alias: the loader must refuse it with loader.missing_factory instead
// of crashing when it looks the factory up.
#include <boost/config.hpp>

#include "visitor_sso/sdk/abi.hpp"

extern "C" BOOST_SYMBOL_EXPORT const visitor_sso_plugin_abi* visitor_sso_abi_info() {
  static const ::visitor_sso_plugin_abi info{sizeof(::visitor_sso_plugin_abi),
                                             VISITOR_SSO_SDK_VERSION_MAJOR,
                                             VISITOR_SSO_SDK_VERSION_MINOR,
                                             VISITOR_SSO_SDK_BUILD_SIGNATURE,
                                             "missing-factory",
                                             "0.0.1"};
  return &info;
}
