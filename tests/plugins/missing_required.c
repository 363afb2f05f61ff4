/* A plugin whose handshake is right but that lacks the required entry point
   vsso_plugin_configure: the host must refuse it by name
   (loader.missing_symbol) instead of failing at the first call. */
#define FAKE_NAME "missing-required"
#define FAKE_WITHOUT_CONFIGURE 1
#include "fake_plugin.h"
