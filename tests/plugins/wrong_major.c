/* A plugin built for the next SDK major version: the host must refuse it by
   the handshake alone (loader.abi_major, naming both majors), before it
   looks up or calls anything else. */
#define FAKE_NAME "wrong-major"
#define FAKE_MAJOR_OFFSET 1
#include "fake_plugin.h"
