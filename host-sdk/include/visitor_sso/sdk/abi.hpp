// The C ABI (visitor_sso/abi.h) seen from C++: the header wrapped in
// extern "C", the SDK version as macros and constants, the entry point names,
// and the few helpers both sides of the boundary use to read structs that
// may be older or newer than their own copy of abi.h (the struct_size rule).
//
// Threading: everything here is pure. Ownership: the views returned by
// HostBytes() borrow the std::string they were made from.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" {
#include "visitor_sso/abi.h"
}

// Kept as macros for hosts that compare versions in the preprocessor; the
// single source of truth is the enum in abi.h.
#define VISITOR_SSO_SDK_VERSION_MAJOR 2
#define VISITOR_SSO_SDK_VERSION_MINOR 2
static_assert(VISITOR_SSO_SDK_VERSION_MAJOR == VSSO_SDK_VERSION_MAJOR);
static_assert(VISITOR_SSO_SDK_VERSION_MINOR == VSSO_SDK_VERSION_MINOR);

namespace visitor_sso::sdk {

inline constexpr std::uint32_t kSdkVersionMajor = VSSO_SDK_VERSION_MAJOR;
inline constexpr std::uint32_t kSdkVersionMinor = VSSO_SDK_VERSION_MINOR;

/// Name of the exported C handshake function.
inline constexpr const char* kAbiInfoSymbol = "visitor_sso_abi_info";

/// Entry points a plugin library must export (abi.h, "Required").
inline constexpr std::array<const char*, 7> kRequiredSymbols = {
    "visitor_sso_abi_info", "vsso_plugin_create", "vsso_plugin_destroy",  "vsso_plugin_configure",
    "vsso_plugin_describe", "vsso_outcome_free",  "vsso_description_free"};

/// What SDK 1's handshake struct looked like: the leading fields of
/// vsso_abi_info_plugin_owned. A host reads these before trusting the rest.
struct AbiInfoPrefix {
  std::uint32_t struct_size;
  std::uint32_t sdk_major;
  std::uint32_t sdk_minor;
};

namespace abi {

/// True when `member` lies wholly inside the struct_size the writer of `s`
/// declared: the abi.h rule for reading a struct that may be older (smaller)
/// than this side's copy. Only the address of the member is computed; nothing
/// beyond struct_size is read.
template <class S, class M>
bool Has(const S& s, M S::*member) noexcept {
  const auto* base = reinterpret_cast<const unsigned char*>(&s);
  const auto* field = reinterpret_cast<const unsigned char*>(&(s.*member));
  return static_cast<std::size_t>(field - base) + sizeof(M) <= s.struct_size;
}

/// The member if the writer had it, else its zero value (abi.h: every
/// field's zero value is its default).
template <class S, class M>
M Get(const S& s, M S::*member) noexcept {
  return Has(s, member) ? s.*member : M{};
}

/// A borrowed view of `text` for a host-owned input struct.
inline vsso_bytes_host_owned HostBytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

/// Copies plugin-owned bytes out (the result is freed right after).
inline std::string ToString(const vsso_bytes_plugin_owned& bytes) {
  if (bytes.ptr == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(bytes.ptr), bytes.len);
}

}  // namespace abi
}  // namespace visitor_sso::sdk
