/*
 * A tiny plugin written in C99 against visitor_sso/abi.h alone, for the
 * handshake tests: each file in this folder defines what makes it different
 * and includes this file, which defines the exported functions (so it is
 * included by exactly one translation unit per plugin).
 *
 *   FAKE_NAME              plugin name reported by the handshake
 *   FAKE_MAJOR_OFFSET      added to VSSO_SDK_VERSION_MAJOR in the handshake
 *   FAKE_NEWER_MINOR       the plugin is one minor version ahead of abi.h:
 *                          its handshake and results carry a field appended
 *                          after abi.h's last one, and it exports a routing
 *                          hook
 *   FAKE_WITHOUT_CONFIGURE does not export the required vsso_plugin_configure
 *
 * It never reads a field beyond the host's struct_size (abi.h), which is how
 * a newer plugin serves an older host.
 */
#ifndef FAKE_PLUGIN_H
#define FAKE_PLUGIN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visitor_sso/abi.h"

#ifndef FAKE_MAJOR_OFFSET
#define FAKE_MAJOR_OFFSET 0
#endif

#define FAKE_EXPORT __attribute__((visibility("default")))

/* What a plugin one minor version ahead of abi.h would append. */
#ifdef FAKE_NEWER_MINOR
#define FAKE_MINOR_OFFSET 1
typedef struct fake_abi_info {
  vsso_abi_info_plugin_owned known;
  uint64_t added_in_next_minor;
} fake_abi_info;
#else
#define FAKE_MINOR_OFFSET 0
typedef struct fake_abi_info {
  vsso_abi_info_plugin_owned known;
} fake_abi_info;
#endif

struct vsso_handle_plugin_owned {
  uint32_t host_minor;
  char host_name[64];
};

static uint8_t fake_empty[1];

static vsso_bytes_plugin_owned fake_text(const char* text) {
  vsso_bytes_plugin_owned b;
  b.ptr = text != NULL ? (const uint8_t*)text : fake_empty;
  b.len = text != NULL ? strlen(text) : 0;
  return b;
}

/* Reads a host field only when the host's struct has it (abi.h). */
#define FAKE_HAS(s, field) \
  (offsetof(__typeof__(*(s)), field) + sizeof((s)->field) <= (s)->struct_size)

FAKE_EXPORT const vsso_abi_info_plugin_owned* visitor_sso_abi_info(void) {
  static fake_abi_info info;
  memset(&info, 0, sizeof info);
  info.known.struct_size = (uint32_t)sizeof info;
  info.known.sdk_major = VSSO_SDK_VERSION_MAJOR + FAKE_MAJOR_OFFSET;
  info.known.sdk_minor = VSSO_SDK_VERSION_MINOR + FAKE_MINOR_OFFSET;
  info.known.sdk1_build_signature = "c-abi";
  info.known.plugin_name = FAKE_NAME;
  info.known.plugin_version = "0.0.1";
  info.known.size_of_outcome = (uint32_t)sizeof(vsso_outcome_plugin_owned);
  info.known.size_of_description = (uint32_t)sizeof(vsso_description_plugin_owned);
  info.known.size_of_routing = (uint32_t)sizeof(vsso_routing_plugin_owned);
#ifdef FAKE_NEWER_MINOR
  info.added_in_next_minor = 0x5EED;
#endif
  return &info.known;
}

/* Every result of this plugin: the abi.h struct, then (newer minor) one more
   field, allocated with calloc and freed with free, on this side only. */
static void* fake_result(size_t known_size, int32_t status, const char* code, const char* message) {
#ifdef FAKE_NEWER_MINOR
  const size_t size = known_size + sizeof(uint64_t);
#else
  const size_t size = known_size;
#endif
  vsso_outcome_plugin_owned* head = (vsso_outcome_plugin_owned*)calloc(1, size);
  if (head == NULL) return NULL;
  head->struct_size = (uint32_t)size;
  head->status = status;
  head->error_code = fake_text(code);
  head->error_message = fake_text(message);
#ifdef FAKE_NEWER_MINOR
  {
    /* The appended field: garbage to a host that read past its own struct. */
    uint64_t marker = 0xFFFFFFFFFFFFFFFFull;
    memcpy((char*)head + known_size, &marker, sizeof marker);
  }
#endif
  return head;
}

FAKE_EXPORT vsso_status vsso_plugin_create(const vsso_host_info_host_owned* host,
                                           vsso_handle_plugin_owned** plugin_out,
                                           vsso_outcome_plugin_owned** outcome_out) {
  vsso_handle_plugin_owned* plugin;
  if (plugin_out == NULL || outcome_out == NULL) return VSSO_STATUS_INVALID_ARGUMENT;
  *plugin_out = NULL;
  if (host == NULL || host->struct_size < sizeof(uint32_t)) {
    *outcome_out = (vsso_outcome_plugin_owned*)fake_result(sizeof(vsso_outcome_plugin_owned),
                                                           VSSO_STATUS_INVALID_ARGUMENT,
                                                           "abi.struct_size", "host info missing");
    return VSSO_STATUS_INVALID_ARGUMENT;
  }
  plugin = (vsso_handle_plugin_owned*)calloc(1, sizeof *plugin);
  *outcome_out = (vsso_outcome_plugin_owned*)fake_result(sizeof(vsso_outcome_plugin_owned),
                                                         VSSO_STATUS_OK, NULL, NULL);
  if (plugin == NULL || *outcome_out == NULL) {
    free(plugin);
    free(*outcome_out);
    *outcome_out = NULL;
    return VSSO_STATUS_OUT_OF_MEMORY;
  }
  plugin->host_minor = FAKE_HAS(host, sdk_minor) ? host->sdk_minor : 0;
  if (FAKE_HAS(host, host_name) && host->host_name.ptr != NULL) {
    size_t n = host->host_name.len < sizeof plugin->host_name - 1 ? host->host_name.len
                                                                  : sizeof plugin->host_name - 1;
    memcpy(plugin->host_name, host->host_name.ptr, n);
  }
  *plugin_out = plugin;
  return VSSO_STATUS_OK;
}

FAKE_EXPORT void vsso_plugin_destroy(vsso_handle_plugin_owned* plugin) { free(plugin); }

#ifndef FAKE_WITHOUT_CONFIGURE
FAKE_EXPORT vsso_status vsso_plugin_configure(vsso_handle_plugin_owned* plugin,
                                              const vsso_configure_request_host_owned* request,
                                              vsso_outcome_plugin_owned** outcome_out) {
  (void)plugin;
  (void)request;
  if (outcome_out == NULL) return VSSO_STATUS_INVALID_ARGUMENT;
  *outcome_out = (vsso_outcome_plugin_owned*)fake_result(sizeof(vsso_outcome_plugin_owned),
                                                         VSSO_STATUS_OK, NULL, NULL);
  return *outcome_out != NULL ? VSSO_STATUS_OK : VSSO_STATUS_OUT_OF_MEMORY;
}
#endif

FAKE_EXPORT vsso_status vsso_plugin_describe(vsso_handle_plugin_owned* plugin,
                                             vsso_description_plugin_owned** description_out) {
  /* Static copies: a result must outlive the handle (abi.h). Tests call this
     from one thread. */
  static char host_version[32];
  static char host_name[sizeof plugin->host_name];
  vsso_description_plugin_owned* d;
  if (description_out == NULL || plugin == NULL) return VSSO_STATUS_INVALID_ARGUMENT;
  d = (vsso_description_plugin_owned*)fake_result(sizeof(vsso_description_plugin_owned),
                                                  VSSO_STATUS_OK, NULL, NULL);
  *description_out = d;
  if (d == NULL) return VSSO_STATUS_OUT_OF_MEMORY;
  /* What this plugin learnt about its host, so tests can see it. */
  snprintf(host_version, sizeof host_version, "host-sdk-%d.%u", (int)VSSO_SDK_VERSION_MAJOR,
           (unsigned)plugin->host_minor);
  d->name = fake_text(FAKE_NAME);
  d->version = fake_text("0.0.1");
  d->sdk_major = VSSO_SDK_VERSION_MAJOR + FAKE_MAJOR_OFFSET;
  d->sdk_minor = VSSO_SDK_VERSION_MINOR + FAKE_MINOR_OFFSET;
  d->enabled = 0;
  d->sign_in_policy = fake_text("none");
  memcpy(host_name, plugin->host_name, sizeof host_name);
  d->sp_entity_id = fake_text(host_name);
  d->idp_entity_id = fake_text(host_version);
  return VSSO_STATUS_OK;
}

FAKE_EXPORT void vsso_outcome_free(vsso_outcome_plugin_owned* outcome) { free(outcome); }

FAKE_EXPORT void vsso_description_free(vsso_description_plugin_owned* description) {
  free(description);
}

#ifdef FAKE_NEWER_MINOR
FAKE_EXPORT vsso_status vsso_on_chat_will_be_routed(vsso_handle_plugin_owned* plugin,
                                                    const vsso_chat_host_owned* chat,
                                                    vsso_routing_plugin_owned** result_out) {
  vsso_routing_plugin_owned* r;
  (void)plugin;
  if (result_out == NULL || chat == NULL) return VSSO_STATUS_INVALID_ARGUMENT;
  r = (vsso_routing_plugin_owned*)fake_result(sizeof(vsso_routing_plugin_owned), VSSO_STATUS_OK,
                                              NULL, NULL);
  *result_out = r;
  if (r == NULL) return VSSO_STATUS_OUT_OF_MEMORY;
  r->decision = VSSO_ROUTING_ROUTE;
  r->team = fake_text("Newer Team");
  r->rule = fake_text("rule.next");
  r->rule_text = fake_text("everyone -> Newer Team");
  return VSSO_STATUS_OK;
}

FAKE_EXPORT void vsso_routing_free(vsso_routing_plugin_owned* result) { free(result); }
#endif

#endif /* FAKE_PLUGIN_H */
