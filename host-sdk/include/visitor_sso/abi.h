/*
 * visitor-sso plugin ABI, SDK 2.1: the whole contract between a chat platform
 * (the host) and the visitor-sso plugin, in pure C99.
 *
 * Any language that can call C loads the plugin through this file: C and C++
 * directly, PHP through FFI::cdef (it reads this file unchanged: no macro in a
 * declaration, constants are enums, lines starting with '#' are skipped),
 * Python through ctypes, Go through cgo, Java through the FFM API, .NET through
 * P/Invoke. docs/host-integration.md is the guide; tests/conformance holds a
 * PHP and a Python host as worked examples.
 *
 * ---- Names -----------------------------------------------------------------
 * visitor_sso_abi_info    the handshake (the one name kept from SDK 1)
 * vsso_plugin_*           lifecycle and requests the host makes
 * vsso_on_*               chat hooks, one per event, named by tense: "...will..."
 *                         hooks may change or veto what happens next
 * vsso_*_free             releases one plugin-owned result
 * *_host_owned            memory the host owns; the plugin only borrows it for
 *                         the duration of the call and copies what it keeps
 * *_plugin_owned          memory the plugin owns; the host reads it and gives
 *                         it back with the matching vsso_*_free
 *
 * ---- Handshake and versions ------------------------------------------------
 * 1. The host resolves `visitor_sso_abi_info` and calls it. It reads
 *    struct_size, sdk_major and sdk_minor first (the same three leading fields
 *    as SDK 1, so an SDK 1 host refuses this plugin as "built for SDK major
 *    version 2"). The major version must equal the host's; a different major
 *    is refused before anything else is called.
 * 2. A minor version only appends: new fields at the end of structs, new
 *    optional entry points. Either side may be the newer one:
 *    - every struct that crosses starts with its struct_size, as the side
 *      that filled it was built (its sizeof);
 *    - the reader uses a field only when it lies wholly inside struct_size
 *      (offsetof(field) + sizeof(field) <= struct_size) and treats a missing
 *      field as zero. Every field's zero value is its default (empty buffer,
 *      no items, 0 = "not set"), so a field an older side does not know is
 *      simply absent;
 *    - the writer zero-fills every struct before setting fields (memset,
 *      calloc, `= {0}`; PHP's FFI::new and ctypes do it already), so that
 *      padding reads as zero too: a later minor may put a new field where an
 *      older struct had trailing padding;
 *    - an equivalent way to read, handy in FFI runtimes without offsetof:
 *      copy min(struct_size, sizeof(own struct)) bytes into a zeroed struct
 *      of one's own and read that (OBS modules are read this way);
 *    - a struct_size below 4 (not even the struct_size itself) is refused
 *      with VSSO_STATUS_INVALID_ARGUMENT, code "abi.struct_size".
 *    The plugin learns the host's version from vsso_plugin_create and may
 *    refuse a host that is too old for it; this plugin accepts every 2.x host.
 * 3. Entry points are looked up one by one (dlsym, GetProcAddress, FFI):
 *    - required: visitor_sso_abi_info, vsso_plugin_create, vsso_plugin_destroy,
 *      vsso_plugin_configure, vsso_plugin_describe, vsso_outcome_free,
 *      vsso_description_free. A library without one of them is refused.
 *    - optional: every other entry point. A missing hook means "not handled":
 *      the host does what it would do without the plugin (chat proceeds,
 *      survey shown, no visitor details, host routing, no tags, no History
 *      filter, 404 under /sso/, no admin overview, no reload). A hook is used
 *      only together with its vsso_*_free; a hook without it is "missing".
 *
 * ---- Lifecycle and threading ------------------------------------------------
 *   visitor_sso_abi_info            any thread, any time; pure
 *   vsso_plugin_create              any thread; one handle per call
 *   vsso_plugin_configure           once, before any hook
 *   hooks, requests, describe       any thread, concurrently, after configure
 *                                   returned (the plugin synchronises itself)
 *   vsso_plugin_reload              not concurrently with configure, shutdown
 *                                   or destroy; hooks running meanwhile see the
 *                                   old or the new configuration, never a mix
 *   vsso_plugin_shutdown            once; no hook is called on the handle after
 *   vsso_plugin_destroy             last call on the handle; no call may be in
 *                                   progress on it
 *   vsso_*_free                     any thread, exactly once per result, also
 *                                   after vsso_plugin_destroy, but before the
 *                                   library is unloaded
 * Calls into one handle from several threads are allowed as listed; the host
 * never needs a lock of its own around hooks.
 * The plugin never calls into the host: there are no host callbacks, so a
 * runtime that cannot take calls on foreign threads (PHP, Python with the GIL,
 * Node) is safe. Housekeeping runs inside the host's calls. The plugin's
 * store keeps one internal thread per open database (SQLite checkpoints and
 * the batched audit rows of accepted sign-ins, docs/performance.md); it never
 * calls into the host, and shutdown/destroy stop and join it, so the library
 * may be unloaded after vsso_plugin_destroy. A configuration with an
 * idp_metadata_url also has one metadata refresher thread per handle (it
 * fetches the IdP's metadata, docs/configuration.md); it too never calls into
 * the host, and shutdown/destroy stop and join it. A process that forks after
 * configure must create and configure its own handle in the child.
 *
 * ---- Ownership --------------------------------------------------------------
 * - Inputs (*_host_owned) are borrowed for the call only. The plugin never
 *   keeps a pointer into them and never writes to them.
 * - Outputs are plugin-owned results returned through an out-pointer
 *   (`..._plugin_owned** result_out`). Everything reachable from a result
 *   (buffers, arrays, nested structs) lives until the host passes the result
 *   to its vsso_*_free, and not one call longer. The host copies what it keeps.
 * - Plugin-owned buffers of a result whose status is VSSO_STATUS_OK, and the
 *   error_code and error_message of every result, never have a NULL ptr, and
 *   ptr[len] is a 0 byte that len does not count (so C hosts may print them);
 *   the bytes themselves may still contain 0 bytes. The other fields of a
 *   failed result are zero ({NULL, 0}). Host-owned buffers may be {NULL, 0}.
 * - Arrays are {pointer, count}; with count 0 the pointer may be NULL.
 * - No allocator crosses: the host never frees plugin memory with its own
 *   free(), and the plugin never frees host memory.
 * - The version strings in vsso_abi_info_plugin_owned have static storage:
 *   valid while the library is loaded, never freed.
 *
 * ---- Errors -----------------------------------------------------------------
 * Every call that can fail returns a vsso_status and, except for
 * VSSO_STATUS_OUT_OF_MEMORY, a result whose status equals the return value and
 * whose error_code / error_message say why: error_code is a stable code from
 * docs/errors.md ("plugin.not_configured", "config.unknown_key", "store.*",
 * "abi.*" ...) a host may switch on; error_message is for an admin. Nothing
 * ever unwinds across this boundary (no C++ exception, no longjmp).
 *
 * ---- Text -------------------------------------------------------------------
 * All text is UTF-8 in {ptr, len} buffers, never NUL-terminated char*: FFI
 * runtimes cut char* at the first NUL byte. Times are seconds since the Unix
 * epoch, UTC. Booleans are uint8_t 0 or 1.
 *
 * Growth rule for this file: within major 2, fields are only appended at the
 * end of a struct, entry points and enum values are only added; nothing is
 * removed, reordered or retyped. Arrays of growable structs are arrays of
 * pointers, so that an element can grow without changing the array's stride;
 * vsso_pair_* and vsso_bytes_* never grow.
 */
#ifndef VISITOR_SSO_ABI_H
#define VISITOR_SSO_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ======================================================================== */
/* Constants                                                                */
/* ======================================================================== */

/* The SDK this header describes. */
enum vsso_sdk_version { VSSO_SDK_VERSION_MAJOR = 2, VSSO_SDK_VERSION_MINOR = 2 };

/* What every fallible call returns (and repeats in its result's status). */
typedef enum vsso_status {
  /* Done; the result holds the answer. */
  VSSO_STATUS_OK = 0,
  /* The plugin refused or failed; error_code and error_message say why
     (e.g. "plugin.not_configured", "config.file_missing", "store.io"). */
  VSSO_STATUS_ERROR = 1,
  /* The host broke this contract: a NULL handle or struct, a struct_size
     below 4, a buffer {NULL, len > 0}, an array {NULL, count > 0}, a NULL
     pointer inside an array. error_code is "abi.*". */
  VSSO_STATUS_INVALID_ARGUMENT = 2,
  /* The plugin could not allocate its result; *result_out is NULL. */
  VSSO_STATUS_OUT_OF_MEMORY = 3
} vsso_status;

/* vsso_chat_start_plugin_owned.decision */
typedef enum vsso_chat_start_decision {
  /* Start the chat now. */
  VSSO_CHAT_START_PROCEED = 0,
  /* Offer "Sign in" (sign_in_url) or "Chat as guest". */
  VSSO_CHAT_START_OFFER_SIGN_IN = 1,
  /* No chat until signed in; show sign_in_url. */
  VSSO_CHAT_START_REQUIRE_SIGN_IN = 2,
  /* No chat at all (fail closed); reason_code says why. */
  VSSO_CHAT_START_REFUSE = 3
} vsso_chat_start_decision;

/* vsso_prechat_plugin_owned.decision */
typedef enum vsso_prechat_decision {
  /* Show the survey (prefilled with `prefill` where given). */
  VSSO_PRECHAT_SHOW = 0,
  /* Do not show it: the identity provider vouched for the visitor. */
  VSSO_PRECHAT_SKIP = 1
} vsso_prechat_decision;

/* vsso_routing_plugin_owned.decision */
typedef enum vsso_routing_decision {
  /* The plugin has no rule for this chat; the host routes as usual. */
  VSSO_ROUTING_NO_OPINION = 0,
  /* Send the chat to `team`. */
  VSSO_ROUTING_ROUTE = 1
} vsso_routing_decision;

/* ======================================================================== */
/* Buffers and pairs (these two shapes never grow)                          */
/* ======================================================================== */

/* UTF-8 bytes the host owns; borrowed for the call. {NULL, 0} is empty. */
typedef struct vsso_bytes_host_owned {
  const uint8_t* ptr;
  size_t len;
} vsso_bytes_host_owned;

/* UTF-8 bytes the plugin owns, valid until the enclosing result is freed.
   In a successful result ptr is never NULL and ptr[len] == 0 (not counted
   in len). */
typedef struct vsso_bytes_plugin_owned {
  const uint8_t* ptr;
  size_t len;
} vsso_bytes_plugin_owned;

/* A name and a value (HTTP header, transcript tag), host-owned. */
typedef struct vsso_pair_host_owned {
  vsso_bytes_host_owned name;
  vsso_bytes_host_owned value;
} vsso_pair_host_owned;

/* A name and a value (HTTP header, transcript tag), plugin-owned. */
typedef struct vsso_pair_plugin_owned {
  vsso_bytes_plugin_owned name;
  vsso_bytes_plugin_owned value;
} vsso_pair_plugin_owned;

/* ======================================================================== */
/* Handshake                                                                */
/* ======================================================================== */

/* What visitor_sso_abi_info returns: static storage in the plugin, valid while
   the library is loaded. The first six fields have SDK 1's layout. */
typedef struct vsso_abi_info_plugin_owned {
  /* sizeof(vsso_abi_info_plugin_owned) as the plugin was built. */
  uint32_t struct_size;
  uint32_t sdk_major;
  uint32_t sdk_minor;
  /* SDK 1 compared compiler, standard library and Boost builds here. SDK 2
     has no such rule (only C crosses); the plugin reports "c-abi". NUL-terminated. */
  const char* sdk1_build_signature;
  /* "visitor-sso". NUL-terminated, static. */
  const char* plugin_name;
  /* The plugin's release, e.g. "0.1.0". NUL-terminated, static. */
  const char* plugin_version;
  /* SDK 2.0: sizeof of every struct as the plugin was built, so that a host
     can see in advance which fields the plugin knows. */
  uint32_t size_of_host_info;
  uint32_t size_of_configure_request;
  uint32_t size_of_field_host;
  uint32_t size_of_chat;
  uint32_t size_of_transcript;
  uint32_t size_of_history_query;
  uint32_t size_of_http_request;
  uint32_t size_of_admin_overview_query;
  uint32_t size_of_outcome;
  uint32_t size_of_description;
  uint32_t size_of_chat_start;
  uint32_t size_of_field_plugin;
  uint32_t size_of_prechat;
  uint32_t size_of_visitor_info;
  uint32_t size_of_routing;
  uint32_t size_of_transcript_tags;
  uint32_t size_of_transcript_record;
  uint32_t size_of_history_page;
  uint32_t size_of_http_response;
  uint32_t size_of_certificate;
  uint32_t size_of_mapping;
  uint32_t size_of_routing_rule;
  uint32_t size_of_sign_in_failure;
  uint32_t size_of_admin_overview;
} vsso_abi_info_plugin_owned;

/* The plugin instance; opaque. Created by vsso_plugin_create, released by
   vsso_plugin_destroy. */
typedef struct vsso_handle_plugin_owned vsso_handle_plugin_owned;

/* ======================================================================== */
/* Inputs (host-owned, borrowed for the call)                               */
/* ======================================================================== */

/* Who is loading the plugin. */
typedef struct vsso_host_info_host_owned {
  uint32_t struct_size;
  /* The SDK the host was built against (VSSO_SDK_VERSION_MAJOR/MINOR of its
     copy of this file). A different major is refused ("abi.host_major"). */
  uint32_t sdk_major;
  uint32_t sdk_minor;
  /* For log lines, e.g. "livehelperchat-extension 1.0". May be empty. */
  vsso_bytes_host_owned host_name;
} vsso_host_info_host_owned;

typedef struct vsso_configure_request_host_owned {
  uint32_t struct_size;
  /* INI (.ini) or JSON (.json) file; relative paths inside it are relative to
     its directory. */
  vsso_bytes_host_owned config_path;
  /* 0: the system clock. Otherwise the plugin uses this instant as "now"
     (scenario runs, "was this valid then?" checks, tests). */
  int64_t fixed_now;
} vsso_configure_request_host_owned;

/* A chat-platform field and its value(s), as the host gives it (pre-chat
   answers a guest typed). */
typedef struct vsso_field_host_owned {
  uint32_t struct_size;
  /* A system field ("name", "email", "company", "phone", "department",
     "product_service"), "prechat:<Label>" or "variable:<name>". */
  vsso_bytes_host_owned key;
  /* What an agent sees ("Email", "Account Number"). */
  vsso_bytes_host_owned label;
  /* Display value: all values joined with ", ". */
  vsso_bytes_host_owned value;
  /* Every value, in order. */
  const vsso_bytes_host_owned* values;
  size_t values_count;
} vsso_field_host_owned;

/* A chat as the host knows it; the argument of every vsso_on_* hook. */
typedef struct vsso_chat_host_owned {
  uint32_t struct_size;
  vsso_bytes_host_owned chat_id;
  /* The host's visitor ID for this browser, from the host's own
     authenticated state (its session cookie). SSO sessions are bound to it. */
  vsso_bytes_host_owned visitor_id;
  vsso_bytes_host_owned visitor_ip_address;
  vsso_bytes_host_owned visitor_user_agent;
  /* The page the chat was opened from. */
  vsso_bytes_host_owned visitor_page_url;
  /* Where the visitor lands after signing in (a same-site path such as
     "/chat"), usually the chat window. */
  vsso_bytes_host_owned return_url;
  /* What a guest typed into the pre-chat survey, if anything. */
  const vsso_field_host_owned* const* prechat_answers;
  size_t prechat_answers_count;
  /* SDK 2.1: the website the chat belongs to, as the plugin's platform file
     names it (a site file's name without extension). Empty: "default" (the
     site of a single-site configuration). A site the plugin does not know is
     refused ("site.unknown"); one site's sessions never answer for another. */
  vsso_bytes_host_owned site_id;
} vsso_chat_host_owned;

/* The second argument of vsso_on_transcript_will_be_saved. */
typedef struct vsso_transcript_host_owned {
  uint32_t struct_size;
  /* The host's ID of the transcript it is about to store. */
  vsso_bytes_host_owned transcript_id;
  /* The team that handled the chat. */
  vsso_bytes_host_owned team;
} vsso_transcript_host_owned;

/* History search over transcript tags. Exactly one filter is used, in this
   order: customer_id (exact), team (with the time range), the time range
   alone. Results are newest first. */
typedef struct vsso_history_query_host_owned {
  uint32_t struct_size;
  vsso_bytes_host_owned customer_id;
  vsso_bytes_host_owned team;
  /* Inclusive; 0: no lower bound. */
  int64_t from;
  /* Exclusive; 0: no upper bound. */
  int64_t until;
  /* 1..1000; 0: the default, 20. */
  uint32_t limit;
  /* Empty for the first page, else next_cursor of the previous page. */
  vsso_bytes_host_owned cursor;
  /* SDK 2.1: whose History; empty: "default". Only that site's transcripts. */
  vsso_bytes_host_owned site_id;
} vsso_history_query_host_owned;

/* A request for one of the plugin's endpoints: the host forwards every
   request whose path starts with "/sso/". */
typedef struct vsso_http_request_host_owned {
  uint32_t struct_size;
  /* "GET", "POST", ... */
  vsso_bytes_host_owned method;
  /* Path only, e.g. "/sso/acs". */
  vsso_bytes_host_owned path;
  /* Raw query string without '?'. */
  vsso_bytes_host_owned query;
  /* Every request header as received (Cookie, Origin and Content-Type
     included): the plugin binds each sign-in to the browser through a cookie
     of its own (vsso_browser, Path=/sso/) and refuses cross-origin writes. */
  const vsso_pair_host_owned* headers;
  size_t headers_count;
  /* Raw body (form-encoded for the ACS, JSON for hand-off). */
  vsso_bytes_host_owned body;
  /* The host's visitor ID for this browser, from its own authenticated
     cookie; never from anything the request names. Empty if none. */
  vsso_bytes_host_owned visitor_id;
  /* The client's address as the host sees it (after its trusted proxies). */
  vsso_bytes_host_owned remote_address;
} vsso_http_request_host_owned;

typedef struct vsso_admin_overview_query_host_owned {
  uint32_t struct_size;
  /* 1..1000 most recent refused sign-ins; 0: the default, 20. */
  uint32_t failure_limit;
  /* SDK 2.1: which site's settings, certificates and failures; empty:
     "default". */
  vsso_bytes_host_owned site_id;
} vsso_admin_overview_query_host_owned;

/* ======================================================================== */
/* Results (plugin-owned; give each back to its vsso_*_free)                 */
/* Every result starts with struct_size, status, error_code, error_message. */
/* ======================================================================== */

/* Result of create, configure and reload: success or why not. */
typedef struct vsso_outcome_plugin_owned {
  uint32_t struct_size;
  int32_t status; /* a vsso_status */
  vsso_bytes_plugin_owned error_code;
  vsso_bytes_plugin_owned error_message;
} vsso_outcome_plugin_owned;

/* Name, versions, policy and counts (vsso_plugin_describe). */
typedef struct vsso_description_plugin_owned {
  uint32_t struct_size;
  int32_t status;
  vsso_bytes_plugin_owned error_code;
  vsso_bytes_plugin_owned error_message;
  vsso_bytes_plugin_owned name;
  vsso_bytes_plugin_owned version;
  uint32_t sdk_major;
  uint32_t sdk_minor;
  uint8_t enabled;
  /* "none" | "optional" | "required" */
  vsso_bytes_plugin_owned sign_in_policy;
  /* Active IdP certificates. */
  uint32_t certificate_count;
  uint32_t mapping_count;
  vsso_bytes_plugin_owned sp_entity_id;
  vsso_bytes_plugin_owned idp_entity_id;
  /* SDK 2.1: how many sites the configuration defines (1 for a single-site
     file), broken ones included. The fields above describe the "default"
     site, or are empty when there is none; the admin overview of a site
     describes that site. */
  uint32_t site_count;
  /* SDK 2.1: the IDs of those sites, sorted (site_count of them), so that a
     host can offer every configured website. */
  const vsso_bytes_plugin_owned* site_ids;
  size_t site_ids_count;
} vsso_description_plugin_owned;

/* vsso_on_chat_will_start: how the chat may start. */
typedef struct vsso_chat_start_plugin_owned {
  uint32_t struct_size;
  int32_t status;
  vsso_bytes_plugin_owned error_code;
  vsso_bytes_plugin_owned error_message;
  int32_t decision; /* a vsso_chat_start_decision */
  /* 1: the visitor has a live SSO session. */
  uint8_t signed_in;
  vsso_bytes_plugin_owned customer_id;
  /* "/sso/login?return=<percent-encoded path>": the host sends the browser
     there (or opens it in a popup). Empty when no sign-in is offered. */
  vsso_bytes_plugin_owned sign_in_url;
  /* Why the decision was taken when it is not the plain policy outcome
     (e.g. "plugin.not_configured"); empty otherwise. */
  vsso_bytes_plugin_owned reason_code;
  vsso_bytes_plugin_owned reason;
} vsso_chat_start_plugin_owned;

/* A chat-platform field and its value(s), plugin-owned. */
typedef struct vsso_field_plugin_owned {
  uint32_t struct_size;
  vsso_bytes_plugin_owned key;
  vsso_bytes_plugin_owned label;
  vsso_bytes_plugin_owned value;
  const vsso_bytes_plugin_owned* values;
  size_t values_count;
} vsso_field_plugin_owned;

/* vsso_on_prechat_survey_will_show */
typedef struct vsso_prechat_plugin_owned {
  uint32_t struct_size;
  int32_t status;
  vsso_bytes_plugin_owned error_code;
  vsso_bytes_plugin_owned error_message;
  int32_t decision; /* a vsso_prechat_decision */
  /* Values to prefill (hosts that still show some fields use them). */
  const vsso_field_plugin_owned* const* prefill;
  size_t prefill_count;
} vsso_prechat_plugin_owned;

/* vsso_on_visitor_info_will_render: what an agent sees about the visitor. */
typedef struct vsso_visitor_info_plugin_owned {
  uint32_t struct_size;
  int32_t status;
  vsso_bytes_plugin_owned error_code;
  vsso_bytes_plugin_owned error_message;
  /* System and custom pre-chat fields, in configuration order. */
  const vsso_field_plugin_owned* const* prechat_section;
  size_t prechat_section_count;
  const vsso_field_plugin_owned* const* custom_variables;
  size_t custom_variables_count;
  /* The Info tab. */
  vsso_bytes_plugin_owned info_name;
  vsso_bytes_plugin_owned info_customer_id;
  /* 1 only when the identity came from a verified SAML assertion. */
  uint8_t info_verified;
  vsso_bytes_plugin_owned info_idp_entity_id;
  /* 0 when not signed in. */
  int64_t info_signed_in_at;
} vsso_visitor_info_plugin_owned;

/* vsso_on_chat_will_be_routed */
typedef struct vsso_routing_plugin_owned {
  uint32_t struct_size;
  int32_t status;
  vsso_bytes_plugin_owned error_code;
  vsso_bytes_plugin_owned error_message;
  int32_t decision; /* a vsso_routing_decision */
  vsso_bytes_plugin_owned team;
  /* The rule that decided ("rule.1", "default"). */
  vsso_bytes_plugin_owned rule;
  /* The rule's text, for agents and admins asking "why this team?". */
  vsso_bytes_plugin_owned rule_text;
} vsso_routing_plugin_owned;

/* vsso_on_transcript_will_be_saved: the plugin has durably recorded the tags
   against the transcript ID before it returns; the host stores them with the
   transcript. */
typedef struct vsso_transcript_tags_plugin_owned {
  uint32_t struct_size;
  int32_t status;
  vsso_bytes_plugin_owned error_code;
  vsso_bytes_plugin_owned error_message;
  /* "customer_id", "idp", "signed_in", "team". */
  const vsso_pair_plugin_owned* tags;
  size_t tags_count;
  vsso_bytes_plugin_owned customer_id;
} vsso_transcript_tags_plugin_owned;

/* One row of vsso_history_page_plugin_owned. */
typedef struct vsso_transcript_record_plugin_owned {
  uint32_t struct_size;
  vsso_bytes_plugin_owned transcript_id;
  vsso_bytes_plugin_owned chat_id;
  vsso_bytes_plugin_owned visitor_id;
  /* Empty for guests. */
  vsso_bytes_plugin_owned customer_id;
  vsso_bytes_plugin_owned idp_entity_id;
  uint8_t signed_in;
  vsso_bytes_plugin_owned team;
  int64_t saved_at;
} vsso_transcript_record_plugin_owned;

/* vsso_plugin_search_history */
typedef struct vsso_history_page_plugin_owned {
  uint32_t struct_size;
  int32_t status;
  vsso_bytes_plugin_owned error_code;
  vsso_bytes_plugin_owned error_message;
  const vsso_transcript_record_plugin_owned* const* rows;
  size_t rows_count;
  /* Empty when there is no further page. */
  vsso_bytes_plugin_owned next_cursor;
} vsso_history_page_plugin_owned;

/* vsso_plugin_handle_http: the host sends status, every header (there may be
   several Set-Cookie headers) and body as they are. Header values never
   contain CR, LF or NUL; a host still refuses (500) any that does. */
typedef struct vsso_http_response_plugin_owned {
  uint32_t struct_size;
  int32_t status;
  vsso_bytes_plugin_owned error_code;
  vsso_bytes_plugin_owned error_message;
  /* The HTTP status code, e.g. 302, 303, 400. */
  int32_t http_status;
  const vsso_pair_plugin_owned* headers;
  size_t headers_count;
  vsso_bytes_plugin_owned body;
  /* Non-empty when a visitor has just been signed in (ACS, confirmation of an
     IdP-initiated sign-in, hand-off redemption): the host wakes that
     visitor's chat window. */
  vsso_bytes_plugin_owned signed_in_visitor_id;
  /* SDK 2.2: the visitors whose chat sign-in this request ended (sign-out,
     or a logout the IdP started, which may end several); the host wakes
     their chat windows so that they show the signed-out state. */
  const vsso_bytes_plugin_owned* signed_out_visitor_ids;
  size_t signed_out_visitor_ids_count;
} vsso_http_response_plugin_owned;

/* An IdP signing certificate the plugin currently trusts. */
typedef struct vsso_certificate_plugin_owned {
  uint32_t struct_size;
  vsso_bytes_plugin_owned subject;
  vsso_bytes_plugin_owned issuer;
  /* Lower-case hex SHA-256 of the DER. */
  vsso_bytes_plugin_owned fingerprint_sha256;
  int64_t not_before;
  int64_t not_after;
  /* "config" (config file or IdP metadata) | "admin" */
  vsso_bytes_plugin_owned source;
} vsso_certificate_plugin_owned;

/* One chat field and the IdP attributes that feed it, in preference order. */
typedef struct vsso_mapping_plugin_owned {
  uint32_t struct_size;
  vsso_bytes_plugin_owned field;
  vsso_bytes_plugin_owned label;
  const vsso_bytes_plugin_owned* attributes;
  size_t attributes_count;
  /* SDK 2.2: the value as the admin wrote it, e.g. "@email | mail";
     attributes holds its expansion. */
  vsso_bytes_plugin_owned configured;
} vsso_mapping_plugin_owned;

typedef struct vsso_routing_rule_plugin_owned {
  uint32_t struct_size;
  /* "rule.1" */
  vsso_bytes_plugin_owned name;
  /* "<condition> -> <team>" */
  vsso_bytes_plugin_owned text;
  vsso_bytes_plugin_owned team;
} vsso_routing_rule_plugin_owned;

/* A refused sign-in from the plugin's audit log. Identical refusals (same
   code, same client address) are folded into one row. */
typedef struct vsso_sign_in_failure_plugin_owned {
  uint32_t struct_size;
  /* First occurrence. */
  int64_t at;
  vsso_bytes_plugin_owned code;
  /* Admin-facing reason, at most 256 bytes, no control characters; never
     assertion content or key material. */
  vsso_bytes_plugin_owned message;
  /* Empty when the response was not readable. */
  vsso_bytes_plugin_owned issuer;
  /* Empty when no visitor was known. */
  vsso_bytes_plugin_owned visitor_id;
  /* How many times it happened, and the most recent time. */
  uint32_t count;
  int64_t last_at;
  /* The request's remote_address; may be empty. */
  vsso_bytes_plugin_owned remote_address;
} vsso_sign_in_failure_plugin_owned;

/* SDK 2.2: where the IdP metadata of a site with idp_metadata_url comes from
   and how fresh it is. Times are Unix seconds; 0 means never / none. */
typedef struct vsso_idp_metadata_status_plugin_owned {
  uint32_t struct_size;
  vsso_bytes_plugin_owned source_url;
  /* The last fetch attempt, good or not. */
  int64_t last_fetch_at;
  /* When the metadata in force was fetched. */
  int64_t last_success_at;
  int64_t next_refresh_at;
  /* The validUntil of the metadata in force. */
  int64_t valid_until;
  /* Of the last attempt; empty when it succeeded. */
  vsso_bytes_plugin_owned last_error_code;
  vsso_bytes_plugin_owned last_error_message;
} vsso_idp_metadata_status_plugin_owned;

/* vsso_plugin_get_admin_overview: what an admin needs to see that the set-up
   is right. */
typedef struct vsso_admin_overview_plugin_owned {
  uint32_t struct_size;
  int32_t status;
  vsso_bytes_plugin_owned error_code;
  vsso_bytes_plugin_owned error_message;
  /* Owned by this result (freed with it), never NULL when status is OK. */
  const vsso_description_plugin_owned* description;
  /* The plugin's "now" (pinned or system clock). */
  int64_t now;
  const vsso_certificate_plugin_owned* const* certificates;
  size_t certificates_count;
  const vsso_mapping_plugin_owned* const* mappings;
  size_t mappings_count;
  const vsso_routing_rule_plugin_owned* const* routing_rules;
  size_t routing_rules_count;
  /* Empty: no default team. */
  vsso_bytes_plugin_owned routing_default_team;
  /* Path (served through vsso_plugin_handle_http) of the SP metadata. */
  vsso_bytes_plugin_owned sp_metadata_path;
  /* Most recently seen first. */
  const vsso_sign_in_failure_plugin_owned* const* recent_failures;
  size_t recent_failures_count;
  /* Problems that do not stop the plugin but that an admin should fix, each
     a full sentence naming file and fix. */
  const vsso_bytes_plugin_owned* warnings;
  size_t warnings_count;
  /* SDK 2.2: owned by this result; NULL when the site has no
     idp_metadata_url. */
  const vsso_idp_metadata_status_plugin_owned* idp_metadata;
} vsso_admin_overview_plugin_owned;

/* ======================================================================== */
/* Entry points. Each declaration is one statement and begins on its own    */
/* line, so that a host may drop the ones a library lacks before FFI::cdef. */
/* ======================================================================== */

/* ---- Required ----------------------------------------------------------- */

/* The handshake. Never NULL. */
const vsso_abi_info_plugin_owned* visitor_sso_abi_info(void);

/* Creates an unconfigured plugin. On success *plugin_out is the handle; on
   failure it is NULL and the outcome says why ("abi.host_major" when the
   host's major differs). *outcome_out is set unless out of memory. */
vsso_status vsso_plugin_create(const vsso_host_info_host_owned* host,
                               vsso_handle_plugin_owned** plugin_out,
                               vsso_outcome_plugin_owned** outcome_out);

/* Shuts the plugin down if the host has not, and frees it. NULL is a no-op. */
void vsso_plugin_destroy(vsso_handle_plugin_owned* plugin);

/* Reads and validates the configuration, opens the store, syncs certificates
   and mappings. On error the plugin stays unconfigured and hooks answer with
   "plugin.not_configured" decisions (required mode refuses chats, other
   modes proceed as guests). */
vsso_status vsso_plugin_configure(vsso_handle_plugin_owned* plugin,
                                  const vsso_configure_request_host_owned* request,
                                  vsso_outcome_plugin_owned** outcome_out);

/* Name, versions, policy and counts. Cheap. */
vsso_status vsso_plugin_describe(vsso_handle_plugin_owned* plugin,
                                 vsso_description_plugin_owned** description_out);

void vsso_outcome_free(vsso_outcome_plugin_owned* outcome);

void vsso_description_free(vsso_description_plugin_owned* description);

/* ---- Optional: lifecycle ------------------------------------------------- */

/* Re-reads the configuration file given to configure. On error the previous
   configuration stays in force. Uses vsso_outcome_free. */
vsso_status vsso_plugin_reload(vsso_handle_plugin_owned* plugin,
                               vsso_outcome_plugin_owned** outcome_out);

/* Called once before the host drops the plugin; no hook runs after it. */
void vsso_plugin_shutdown(vsso_handle_plugin_owned* plugin);

/* ---- Optional: chat hooks, in the order a chat meets them ---------------- */

/* A visitor opens the chat window, before any agent is involved. The host
   follows the decision. Missing: the chat proceeds. */
vsso_status vsso_on_chat_will_start(vsso_handle_plugin_owned* plugin,
                                    const vsso_chat_host_owned* chat,
                                    vsso_chat_start_plugin_owned** result_out);

void vsso_chat_start_free(vsso_chat_start_plugin_owned* result);

/* Before the pre-chat survey is shown. Missing: the survey is shown. */
vsso_status vsso_on_prechat_survey_will_show(vsso_handle_plugin_owned* plugin,
                                             const vsso_chat_host_owned* chat,
                                             vsso_prechat_plugin_owned** result_out);

void vsso_prechat_free(vsso_prechat_plugin_owned* result);

/* Before the chat is assigned. Missing: the host routes as usual. */
vsso_status vsso_on_chat_will_be_routed(vsso_handle_plugin_owned* plugin,
                                        const vsso_chat_host_owned* chat,
                                        vsso_routing_plugin_owned** result_out);

void vsso_routing_free(vsso_routing_plugin_owned* result);

/* An agent opens the visitor's details. Missing: no plugin sections. */
vsso_status vsso_on_visitor_info_will_render(vsso_handle_plugin_owned* plugin,
                                             const vsso_chat_host_owned* chat,
                                             vsso_visitor_info_plugin_owned** result_out);

void vsso_visitor_info_free(vsso_visitor_info_plugin_owned* result);

/* A chat ends, before the host stores the transcript. Missing: no tags. */
vsso_status vsso_on_transcript_will_be_saved(vsso_handle_plugin_owned* plugin,
                                             const vsso_chat_host_owned* chat,
                                             const vsso_transcript_host_owned* transcript,
                                             vsso_transcript_tags_plugin_owned** result_out);

void vsso_transcript_tags_free(vsso_transcript_tags_plugin_owned* result);

/* ---- Optional: requests -------------------------------------------------- */

/* The host's History view. Read-only. Missing: no tag filter. */
vsso_status vsso_plugin_search_history(vsso_handle_plugin_owned* plugin,
                                       const vsso_history_query_host_owned* query,
                                       vsso_history_page_plugin_owned** result_out);

void vsso_history_page_free(vsso_history_page_plugin_owned* result);

/* Every request under /sso/ (login, ACS, confirm, hand-off, metadata). An
   error status means no response could be produced: the host answers 500.
   Missing: the host answers 404. */
vsso_status vsso_plugin_handle_http(vsso_handle_plugin_owned* plugin,
                                    const vsso_http_request_host_owned* request,
                                    vsso_http_response_plugin_owned** result_out);

void vsso_http_response_free(vsso_http_response_plugin_owned* result);

/* The host's admin view: trusted certificates, mappings, routing rules, the
   most recent refused sign-ins, warnings. Read-only. Before a successful
   configure the error is the configuration's own. */
vsso_status vsso_plugin_get_admin_overview(vsso_handle_plugin_owned* plugin,
                                           const vsso_admin_overview_query_host_owned* query,
                                           vsso_admin_overview_plugin_owned** result_out);

void vsso_admin_overview_free(vsso_admin_overview_plugin_owned* result);

#endif /* VISITOR_SSO_ABI_H */
