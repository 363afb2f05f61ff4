/* A plugin one SDK minor version ahead of the host: its handshake and results
   are larger than the host's abi.h knows, and it sees the host's older minor
   in vsso_plugin_create. The host must accept it and read only the fields it
   knows; the plugin must read only the fields the host sent (abi.h). */
#define FAKE_NAME "newer-minor"
#define FAKE_NEWER_MINOR 1
#include "fake_plugin.h"
