// ABI handshake between a chat platform (the host) and the visitor-sso plugin.
//
// Before the host calls anything else it resolves the exported C function
// `visitor_sso_abi_info` and compares what the plugin was built against with
// what the host was built against:
//   - a different major version is refused (types or hook signatures changed);
//   - a plugin minor newer than the host's is refused (the plugin may rely on
//     fields the host does not fill);
//   - a different build signature is refused: C++ objects (std::string,
//     std::vector, std::shared_ptr) cross the boundary, so compiler family,
//     standard library ABI and Boost version must match exactly.
// Structs that cross the boundary only grow: new fields are appended and the
// minor version is bumped; nothing is removed or reordered within a major.
//
// Threading: the function is pure and may be called from any thread.
// Ownership: the returned pointer and its strings have static storage in the
// plugin; they stay valid as long as the library is loaded.
#pragma once

#include <cstdint>
#include <string>

#include <boost/version.hpp>

#define VISITOR_SSO_SDK_VERSION_MAJOR 1
#define VISITOR_SSO_SDK_VERSION_MINOR 2

#define VISITOR_SSO_SDK_STRINGIFY_IMPL(x) #x
#define VISITOR_SSO_SDK_STRINGIFY(x) VISITOR_SSO_SDK_STRINGIFY_IMPL(x)

#if defined(__clang__)
#define VISITOR_SSO_SDK_COMPILER "clang-" VISITOR_SSO_SDK_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define VISITOR_SSO_SDK_COMPILER "gcc-" VISITOR_SSO_SDK_STRINGIFY(__GNUC__)
#else
#define VISITOR_SSO_SDK_COMPILER "unknown"
#endif

#if defined(_GLIBCXX_RELEASE)
#define VISITOR_SSO_SDK_STDLIB                                                               \
  "libstdc++-" VISITOR_SSO_SDK_STRINGIFY(_GLIBCXX_RELEASE) "-abi" VISITOR_SSO_SDK_STRINGIFY( \
      _GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define VISITOR_SSO_SDK_STDLIB "libc++-" VISITOR_SSO_SDK_STRINGIFY(_LIBCPP_VERSION)
#else
#define VISITOR_SSO_SDK_STDLIB "unknown"
#endif

// The signature is computed from macros of the translation unit that expands
// it, so host and plugin each get their own and the host compares them.
// Compiler family only (not minor version): g++ 12.x all share one C++ ABI.
#define VISITOR_SSO_SDK_BUILD_SIGNATURE                                  \
  "compiler=" VISITOR_SSO_SDK_COMPILER ";stdlib=" VISITOR_SSO_SDK_STDLIB \
  ";boost"                                                               \
  "=" BOOST_LIB_VERSION

extern "C" {

/// What the plugin reports about itself. Plain C layout so that even a host
/// built with another compiler can read it and refuse politely.
struct visitor_sso_plugin_abi {
  /// sizeof(visitor_sso_plugin_abi) as the plugin saw it; lets the struct grow.
  std::uint32_t struct_size;
  std::uint32_t sdk_major;
  std::uint32_t sdk_minor;
  /// VISITOR_SSO_SDK_BUILD_SIGNATURE as expanded in the plugin.
  const char* build_signature;
  const char* plugin_name;
  const char* plugin_version;
};

/// Signature of the exported handshake function.
using visitor_sso_abi_info_fn = const visitor_sso_plugin_abi* (*)();
}

namespace visitor_sso::sdk {

/// Name of the exported C handshake function.
inline constexpr const char* kAbiInfoSymbol = "visitor_sso_abi_info";
/// Name of the Boost.DLL factory alias (see plugin.hpp, CreatePluginFn).
inline constexpr const char* kFactoryAlias = "visitor_sso_create_plugin";

/// The host's own build signature (expanded in the host's translation unit).
inline std::string HostBuildSignature() { return VISITOR_SSO_SDK_BUILD_SIGNATURE; }

}  // namespace visitor_sso::sdk
