/* A plugin as SDK 1 built it: the SDK 1 handshake struct (smaller than SDK 2's)
   and a C++ factory this host cannot use. The host must refuse it by the
   handshake's leading fields alone (loader.abi_major, "built for SDK major
   version 1") without reading past the struct_size it reports. */
#include <stdint.h>

/* SDK 1's visitor_sso_plugin_abi, field for field. */
struct visitor_sso_plugin_abi {
  uint32_t struct_size;
  uint32_t sdk_major;
  uint32_t sdk_minor;
  const char* build_signature;
  const char* plugin_name;
  const char* plugin_version;
};

__attribute__((visibility("default"))) const struct visitor_sso_plugin_abi* visitor_sso_abi_info(
    void) {
  static const struct visitor_sso_plugin_abi info = {
      sizeof(struct visitor_sso_plugin_abi),
      1,
      2,
      "compiler=gcc-12;stdlib=libstdc++-12-abi1;boost=1_81",
      "sdk1-plugin",
      "0.0.1"};
  return &info;
}
