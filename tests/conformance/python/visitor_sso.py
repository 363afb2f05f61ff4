"""visitor-sso for Python hosts: the plugin's C ABI
(host-sdk/include/visitor_sso/abi.h) through ctypes, standard library only.

Loading follows abi.h's handshake: visitor_sso_abi_info first (SDK 1's leading
fields, then the major version), every entry point looked up one by one
(required ones must exist; a missing optional hook means "not handled"), then
vsso_plugin_create with this host's version.

Ownership (abi.h): inputs are ctypes buffers that live for one call; every
plugin-owned result is copied into Python values and given back to its
vsso_*_free before the method returns. Results are read through a zeroed copy
of at most struct_size bytes of this module's struct (the struct_size rule):
fields an older plugin lacks read as zero, fields a newer one appended are
never looked at.

Threading: any thread may call any hook once configure has returned (abi.h);
ctypes releases the GIL during each call. The plugin never calls back into
Python (abi.h has no host callbacks), so no CFUNCTYPE object has to be kept
alive.
"""
import ctypes
import os
from ctypes import (POINTER, Structure, c_char_p, c_int32, c_int64, c_size_t, c_uint8, c_uint32,
                    c_void_p)

# ---- abi.h, transcribed (every field in order; keep in step with the header) ----

SDK_VERSION_MAJOR = 2
SDK_VERSION_MINOR = 2

STATUS_OK, STATUS_ERROR, STATUS_INVALID_ARGUMENT, STATUS_OUT_OF_MEMORY = 0, 1, 2, 3
CHAT_START_DECISIONS = ("proceed", "offer_sign_in", "require_sign_in", "refuse")
PRECHAT_SKIP = 1
ROUTING_ROUTE = 1


class Bytes(Structure):  # vsso_bytes_host_owned / vsso_bytes_plugin_owned
    _fields_ = [("ptr", POINTER(c_uint8)), ("len", c_size_t)]


class Pair(Structure):  # vsso_pair_host_owned / vsso_pair_plugin_owned
    _fields_ = [("name", Bytes), ("value", Bytes)]


class AbiInfo(Structure):
    _fields_ = [("struct_size", c_uint32), ("sdk_major", c_uint32), ("sdk_minor", c_uint32),
                ("sdk1_build_signature", c_char_p), ("plugin_name", c_char_p),
                ("plugin_version", c_char_p)] + [
                    ("size_of_" + n, c_uint32) for n in (
                        "host_info", "configure_request", "field_host", "chat", "transcript",
                        "history_query", "http_request", "admin_overview_query", "outcome",
                        "description", "chat_start", "field_plugin", "prechat", "visitor_info",
                        "routing", "transcript_tags", "transcript_record", "history_page",
                        "http_response", "certificate", "mapping", "routing_rule",
                        "sign_in_failure", "admin_overview")]


class HostInfo(Structure):
    _fields_ = [("struct_size", c_uint32), ("sdk_major", c_uint32), ("sdk_minor", c_uint32),
                ("host_name", Bytes)]


class ConfigureRequest(Structure):
    _fields_ = [("struct_size", c_uint32), ("config_path", Bytes), ("fixed_now", c_int64)]


class FieldIn(Structure):  # vsso_field_host_owned
    _fields_ = [("struct_size", c_uint32), ("key", Bytes), ("label", Bytes), ("value", Bytes),
                ("values", POINTER(Bytes)), ("values_count", c_size_t)]


class ChatIn(Structure):  # vsso_chat_host_owned
    _fields_ = [("struct_size", c_uint32), ("chat_id", Bytes), ("visitor_id", Bytes),
                ("visitor_ip_address", Bytes), ("visitor_user_agent", Bytes),
                ("visitor_page_url", Bytes), ("return_url", Bytes),
                ("prechat_answers", POINTER(POINTER(FieldIn))),
                ("prechat_answers_count", c_size_t), ("site_id", Bytes)]


class TranscriptIn(Structure):
    _fields_ = [("struct_size", c_uint32), ("transcript_id", Bytes), ("team", Bytes)]


class HistoryQuery(Structure):
    _fields_ = [("struct_size", c_uint32), ("customer_id", Bytes), ("team", Bytes),
                ("from_", c_int64), ("until", c_int64), ("limit", c_uint32), ("cursor", Bytes),
                ("site_id", Bytes)]


class HttpRequest(Structure):
    _fields_ = [("struct_size", c_uint32), ("method", Bytes), ("path", Bytes), ("query", Bytes),
                ("headers", POINTER(Pair)), ("headers_count", c_size_t), ("body", Bytes),
                ("visitor_id", Bytes), ("remote_address", Bytes)]


class AdminOverviewQuery(Structure):
    _fields_ = [("struct_size", c_uint32), ("failure_limit", c_uint32), ("site_id", Bytes)]


_HEAD = [("struct_size", c_uint32), ("status", c_int32), ("error_code", Bytes),
         ("error_message", Bytes)]


class Outcome(Structure):
    _fields_ = _HEAD


class Description(Structure):
    _fields_ = _HEAD + [("name", Bytes), ("version", Bytes), ("sdk_major", c_uint32),
                        ("sdk_minor", c_uint32), ("enabled", c_uint8), ("sign_in_policy", Bytes),
                        ("certificate_count", c_uint32), ("mapping_count", c_uint32),
                        ("sp_entity_id", Bytes), ("idp_entity_id", Bytes),
                        ("site_count", c_uint32), ("site_ids", POINTER(Bytes)),
                        ("site_ids_count", c_size_t)]


class ChatStart(Structure):
    _fields_ = _HEAD + [("decision", c_int32), ("signed_in", c_uint8), ("customer_id", Bytes),
                        ("sign_in_url", Bytes), ("reason_code", Bytes), ("reason", Bytes)]


class FieldOut(Structure):  # vsso_field_plugin_owned
    _fields_ = [("struct_size", c_uint32), ("key", Bytes), ("label", Bytes), ("value", Bytes),
                ("values", POINTER(Bytes)), ("values_count", c_size_t)]


class Prechat(Structure):
    _fields_ = _HEAD + [("decision", c_int32), ("prefill", POINTER(POINTER(FieldOut))),
                        ("prefill_count", c_size_t)]


class VisitorInfo(Structure):
    _fields_ = _HEAD + [("prechat_section", POINTER(POINTER(FieldOut))),
                        ("prechat_section_count", c_size_t),
                        ("custom_variables", POINTER(POINTER(FieldOut))),
                        ("custom_variables_count", c_size_t), ("info_name", Bytes),
                        ("info_customer_id", Bytes), ("info_verified", c_uint8),
                        ("info_idp_entity_id", Bytes), ("info_signed_in_at", c_int64)]


class Routing(Structure):
    _fields_ = _HEAD + [("decision", c_int32), ("team", Bytes), ("rule", Bytes),
                        ("rule_text", Bytes)]


class TranscriptTags(Structure):
    _fields_ = _HEAD + [("tags", POINTER(Pair)), ("tags_count", c_size_t),
                        ("customer_id", Bytes)]


class TranscriptRecord(Structure):
    _fields_ = [("struct_size", c_uint32), ("transcript_id", Bytes), ("chat_id", Bytes),
                ("visitor_id", Bytes), ("customer_id", Bytes), ("idp_entity_id", Bytes),
                ("signed_in", c_uint8), ("team", Bytes), ("saved_at", c_int64)]


class HistoryPage(Structure):
    _fields_ = _HEAD + [("rows", POINTER(POINTER(TranscriptRecord))), ("rows_count", c_size_t),
                        ("next_cursor", Bytes)]


class HttpResponse(Structure):
    _fields_ = _HEAD + [("http_status", c_int32), ("headers", POINTER(Pair)),
                        ("headers_count", c_size_t), ("body", Bytes),
                        ("signed_in_visitor_id", Bytes),
                        ("signed_out_visitor_ids", POINTER(Bytes)),
                        ("signed_out_visitor_ids_count", c_size_t)]


class Certificate(Structure):
    _fields_ = [("struct_size", c_uint32), ("subject", Bytes), ("issuer", Bytes),
                ("fingerprint_sha256", Bytes), ("not_before", c_int64), ("not_after", c_int64),
                ("source", Bytes)]


class Mapping(Structure):
    _fields_ = [("struct_size", c_uint32), ("field", Bytes), ("label", Bytes),
                ("attributes", POINTER(Bytes)), ("attributes_count", c_size_t),
                ("configured", Bytes)]


class RoutingRule(Structure):
    _fields_ = [("struct_size", c_uint32), ("name", Bytes), ("text", Bytes), ("team", Bytes)]


class SignInFailure(Structure):
    _fields_ = [("struct_size", c_uint32), ("at", c_int64), ("code", Bytes), ("message", Bytes),
                ("issuer", Bytes), ("visitor_id", Bytes), ("count", c_uint32),
                ("last_at", c_int64), ("remote_address", Bytes)]


class IdpMetadataStatus(Structure):
    _fields_ = [("struct_size", c_uint32), ("source_url", Bytes), ("last_fetch_at", c_int64),
                ("last_success_at", c_int64), ("next_refresh_at", c_int64),
                ("valid_until", c_int64), ("last_error_code", Bytes),
                ("last_error_message", Bytes)]


class AdminOverview(Structure):
    _fields_ = _HEAD + [("description", POINTER(Description)), ("now", c_int64),
                        ("certificates", POINTER(POINTER(Certificate))),
                        ("certificates_count", c_size_t),
                        ("mappings", POINTER(POINTER(Mapping))), ("mappings_count", c_size_t),
                        ("routing_rules", POINTER(POINTER(RoutingRule))),
                        ("routing_rules_count", c_size_t), ("routing_default_team", Bytes),
                        ("sp_metadata_path", Bytes),
                        ("recent_failures", POINTER(POINTER(SignInFailure))),
                        ("recent_failures_count", c_size_t), ("warnings", POINTER(Bytes)),
                        ("warnings_count", c_size_t),
                        ("idp_metadata", POINTER(IdpMetadataStatus))]


REQUIRED = ("visitor_sso_abi_info", "vsso_plugin_create", "vsso_plugin_destroy",
            "vsso_plugin_configure", "vsso_plugin_describe", "vsso_outcome_free",
            "vsso_description_free")
# Optional entry point -> (free function, argument types before the out-pointer, result type).
_H = c_void_p
OPTIONAL = {
    "vsso_plugin_reload": ("vsso_outcome_free", [_H], Outcome),
    "vsso_plugin_shutdown": (None, [_H], None),
    "vsso_on_chat_will_start": ("vsso_chat_start_free", [_H, POINTER(ChatIn)], ChatStart),
    "vsso_on_prechat_survey_will_show": ("vsso_prechat_free", [_H, POINTER(ChatIn)], Prechat),
    "vsso_on_chat_will_be_routed": ("vsso_routing_free", [_H, POINTER(ChatIn)], Routing),
    "vsso_on_visitor_info_will_render": ("vsso_visitor_info_free", [_H, POINTER(ChatIn)],
                                         VisitorInfo),
    "vsso_on_transcript_will_be_saved": ("vsso_transcript_tags_free",
                                         [_H, POINTER(ChatIn), POINTER(TranscriptIn)],
                                         TranscriptTags),
    "vsso_plugin_search_history": ("vsso_history_page_free", [_H, POINTER(HistoryQuery)],
                                   HistoryPage),
    "vsso_plugin_handle_http": ("vsso_http_response_free", [_H, POINTER(HttpRequest)],
                                HttpResponse),
    "vsso_plugin_get_admin_overview": ("vsso_admin_overview_free",
                                       [_H, POINTER(AdminOverviewQuery)], AdminOverview),
}


class PluginRefused(Exception):
    """The host refused a library; code is one of the C++ SDK's loader.* codes."""

    def __init__(self, code, message):
        super().__init__(f"{message} [{code}]")
        self.code = code


class PluginError(Exception):
    """A plugin call failed with the plugin's code (docs/errors.md) and message."""

    def __init__(self, code, message):
        super().__init__(f"{message} [{code}]")
        self.code = code
        self.message = message


# ---- Inputs: one Arena per call keeps every buffer alive until it returns ----

class Arena:
    def __init__(self):
        self._keep = []

    def bytes(self, text):
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        if not data:
            return Bytes()
        buffer = ctypes.create_string_buffer(data, len(data))
        self._keep.append(buffer)
        return Bytes(ctypes.cast(buffer, POINTER(c_uint8)), len(data))

    def struct(self, cls, **fields):
        s = cls()  # ctypes zero-fills, padding included
        s.struct_size = ctypes.sizeof(cls)
        for name, value in fields.items():
            setattr(s, name, value)
        self._keep.append(s)
        return s

    def array(self, cls, items):
        a = (cls * max(1, len(items)))(*items)
        self._keep.append(a)
        return a

    def chat(self, chat):
        answers = []
        for a in chat.get("prechat_answers", []):
            values = self.array(Bytes, [self.bytes(v) for v in a["values"]])
            answers.append(ctypes.pointer(self.struct(
                FieldIn, key=self.bytes(a["key"]), label=self.bytes(a.get("label", "")),
                value=self.bytes(", ".join(a["values"])),
                values=ctypes.cast(values, POINTER(Bytes)), values_count=len(a["values"]))))
        pointers = self.array(POINTER(FieldIn), answers)
        return self.struct(
            ChatIn, chat_id=self.bytes(chat.get("id", "")),
            visitor_id=self.bytes(chat.get("visitor_id", "")),
            visitor_ip_address=self.bytes(chat.get("ip", "")),
            visitor_user_agent=self.bytes(chat.get("user_agent", "")),
            visitor_page_url=self.bytes(chat.get("page_url", "")),
            return_url=self.bytes(chat.get("return_url", "")),
            prechat_answers=ctypes.cast(pointers, POINTER(POINTER(FieldIn))),
            prechat_answers_count=len(answers))


# ---- Results -----------------------------------------------------------------

def view(pointer, cls):
    """A zeroed copy of at most struct_size bytes of a plugin struct, as this
    host's cls (abi.h's struct_size rule)."""
    if not pointer:
        raise PluginError("abi.bad_result", f"NULL {cls.__name__} in a result")
    size = ctypes.cast(pointer, POINTER(c_uint32))[0]
    if size < 4:
        raise PluginError("abi.bad_result", f"{cls.__name__} with struct_size {size}")
    copy = cls()
    ctypes.memmove(ctypes.byref(copy), pointer, min(size, ctypes.sizeof(cls)))
    return copy


def text(b):
    return ctypes.string_at(b.ptr, b.len).decode("utf-8") if b.len else ""


def texts(items, count):
    return [text(items[i]) for i in range(count)]


def pairs(items, count):
    return [(text(items[i].name), text(items[i].value)) for i in range(count)]


def items(pointers, count, cls):
    return [view(pointers[i], cls) for i in range(count)]


def fields(pointers, count):
    return [{"key": text(f.key), "label": text(f.label), "value": text(f.value),
             "values": texts(f.values, f.values_count)} for f in items(pointers, count, FieldOut)]


def description(d):
    return {"name": text(d.name), "version": text(d.version),
            "sdk": f"{d.sdk_major}.{d.sdk_minor}", "enabled": bool(d.enabled),
            "sign_in_policy": text(d.sign_in_policy), "certificate_count": d.certificate_count,
            "mapping_count": d.mapping_count, "sp_entity_id": text(d.sp_entity_id),
            "idp_entity_id": text(d.idp_entity_id)}


class Plugin:
    HOST_NAME = "visitor-sso Python ctypes host"

    @classmethod
    def load(cls, path, host_info_size=None, host_major=SDK_VERSION_MAJOR):
        """Loads and creates the plugin, or raises PluginRefused (loader.not_found,
        loader.load_failed, loader.not_a_plugin, loader.abi_major,
        loader.missing_symbol, loader.create_failed). host_info_size and
        host_major let a test play an older host (smaller host info) or one of
        another major version."""
        if not os.path.isfile(path):
            raise PluginRefused("loader.not_found", f"plugin file {path} does not exist")
        try:
            lib = ctypes.CDLL(path, mode=os.RTLD_NOW | os.RTLD_LOCAL)
        except OSError as e:
            raise PluginRefused("loader.load_failed",
                                f"cannot load {path} as a shared library: {e}") from None
        if not hasattr(lib, "visitor_sso_abi_info"):
            raise PluginRefused("loader.not_a_plugin",
                                f"{path} is not a visitor-sso plugin (no visitor_sso_abi_info "
                                "symbol)")
        lib.visitor_sso_abi_info.argtypes = []
        lib.visitor_sso_abi_info.restype = c_void_p
        raw = lib.visitor_sso_abi_info()
        # SDK 1's leading fields only, until the major version matches.
        prefix = ctypes.cast(raw, POINTER(c_uint32 * 3))[0] if raw else None
        if prefix is None or prefix[0] < 12:
            raise PluginRefused("loader.not_a_plugin", f"{path} returned no usable ABI information")
        if prefix[1] != SDK_VERSION_MAJOR:
            raise PluginRefused("loader.abi_major",
                                f"plugin {path} was built for SDK major version {prefix[1]}, "
                                f"this host supports {SDK_VERSION_MAJOR}")
        if prefix[0] < ctypes.sizeof(AbiInfo):
            raise PluginRefused("loader.not_a_plugin",
                                f"{path} returned an ABI information struct of {prefix[0]} bytes, "
                                f"SDK 2.0 has {ctypes.sizeof(AbiInfo)}")
        info = view(raw, AbiInfo)
        missing = [s for s in REQUIRED if not hasattr(lib, s)]
        if missing:
            raise PluginRefused("loader.missing_symbol",
                                f"plugin {path} lacks the required entry point(s) "
                                f"{', '.join(missing)} (abi.h)")
        return cls(lib, info, host_info_size, host_major)

    def __init__(self, lib, info, host_info_size, host_major):
        self._lib = lib
        self.abi_info = info
        self.name = info.plugin_name.decode()
        self.version = info.plugin_version.decode()
        self.sdk_major, self.sdk_minor = info.sdk_major, info.sdk_minor
        # argtypes and restype for every function, so ctypes converts nothing by guess.
        self._declare("vsso_plugin_create",
                      [POINTER(HostInfo), POINTER(c_void_p), POINTER(POINTER(Outcome))])
        self._declare("vsso_plugin_destroy", [c_void_p], void=True)
        self._declare("vsso_plugin_configure",
                      [c_void_p, POINTER(ConfigureRequest), POINTER(POINTER(Outcome))])
        self._declare("vsso_plugin_describe", [c_void_p, POINTER(POINTER(Description))])
        self._declare("vsso_outcome_free", [POINTER(Outcome)], void=True)
        self._declare("vsso_description_free", [POINTER(Description)], void=True)
        self.missing_hooks = []
        for hook, (free, args, result) in OPTIONAL.items():
            if not hasattr(lib, hook) or (free and not hasattr(lib, free)):
                self.missing_hooks.append(hook)
                continue
            out = [POINTER(POINTER(result))] if result else []
            self._declare(hook, args + out, void=result is None)
            if free:
                self._declare(free, [POINTER(result)], void=True)
        self._handle = None
        arena = Arena()
        host = arena.struct(HostInfo, sdk_major=host_major, sdk_minor=SDK_VERSION_MINOR,
                            host_name=arena.bytes(self.HOST_NAME))
        if host_info_size is not None:
            host.struct_size = host_info_size
        handle = c_void_p()
        try:
            self._outcome(lambda out: lib.vsso_plugin_create(ctypes.byref(host),
                                                             ctypes.byref(handle), out))
        except PluginError as e:
            raise PluginRefused("loader.create_failed",
                                f"plugin refused to start in this host: {e.message} "
                                f"[{e.code}]") from None
        self._handle = handle

    def _declare(self, name, argtypes, void=False):
        fn = getattr(self._lib, name)
        fn.argtypes = argtypes
        fn.restype = None if void else c_int32  # vsso_status

    def close(self):
        if self._handle is not None:
            self._lib.vsso_plugin_destroy(self._handle)
            self._handle = None

    def __del__(self):
        self.close()

    # ---- plumbing ---------------------------------------------------------------

    def _outcome(self, invoke):
        out = POINTER(Outcome)()
        status = invoke(ctypes.byref(out))
        if not out:
            raise PluginError("abi.out_of_memory", f"no outcome (status {status})")
        try:
            if status != STATUS_OK:
                r = view(out, Outcome)
                raise PluginError(text(r.error_code), text(r.error_message))
        finally:
            self._lib.vsso_outcome_free(out)

    def _call(self, fn, free, cls, args, read):
        out = POINTER(cls)()
        status = getattr(self._lib, fn)(self._handle, *args, ctypes.byref(out))
        if not out:
            raise PluginError("abi.out_of_memory", f"{fn} returned no result (status {status})")
        try:
            r = view(out, cls)
            if status != STATUS_OK or r.status != STATUS_OK:
                raise PluginError(text(r.error_code) or "abi.bad_result", text(r.error_message))
            return read(r)
        finally:
            getattr(self._lib, free)(out)

    def _missing(self, hook):
        return hook in self.missing_hooks

    def _require(self, hook):
        if self._missing(hook):
            raise PluginError("abi.not_handled",
                              f"the plugin does not export {hook} (optional in abi.h)")

    # ---- lifecycle ----------------------------------------------------------------

    def configure(self, config_path, fixed_now=0):
        arena = Arena()
        request = arena.struct(ConfigureRequest, config_path=arena.bytes(config_path),
                               fixed_now=fixed_now)
        self._outcome(lambda out: self._lib.vsso_plugin_configure(self._handle,
                                                                  ctypes.byref(request), out))

    def reload(self):
        self._require("vsso_plugin_reload")
        self._outcome(lambda out: self._lib.vsso_plugin_reload(self._handle, out))

    def shutdown(self):
        if not self._missing("vsso_plugin_shutdown"):
            self._lib.vsso_plugin_shutdown(self._handle)

    def describe(self):
        return self._call("vsso_plugin_describe", "vsso_description_free", Description, [],
                          description)

    # ---- hooks --------------------------------------------------------------------

    def chat_will_start(self, chat, chat_struct_size=None):
        """chat_struct_size plays an older host whose vsso_chat_host_owned is smaller."""
        if self._missing("vsso_on_chat_will_start"):
            return {"decision": "proceed", "signed_in": False, "customer_id": "",
                    "sign_in_url": "", "reason_code": "", "reason": ""}
        arena = Arena()
        c = arena.chat(chat)
        if chat_struct_size is not None:
            c.struct_size = chat_struct_size

        def read(r):
            if not 0 <= r.decision < len(CHAT_START_DECISIONS):
                raise PluginError("abi.bad_result", f"unknown chat start decision {r.decision}")
            return {"decision": CHAT_START_DECISIONS[r.decision], "signed_in": bool(r.signed_in),
                    "customer_id": text(r.customer_id), "sign_in_url": text(r.sign_in_url),
                    "reason_code": text(r.reason_code), "reason": text(r.reason)}
        return self._call("vsso_on_chat_will_start", "vsso_chat_start_free", ChatStart,
                          [ctypes.byref(c)], read)

    def prechat_survey_will_show(self, chat):
        if self._missing("vsso_on_prechat_survey_will_show"):
            return {"skip": False, "prefill": []}
        arena = Arena()
        c = arena.chat(chat)
        return self._call("vsso_on_prechat_survey_will_show", "vsso_prechat_free", Prechat,
                          [ctypes.byref(c)],
                          lambda r: {"skip": r.decision == PRECHAT_SKIP,
                                     "prefill": fields(r.prefill, r.prefill_count)})

    def chat_will_be_routed(self, chat):
        if self._missing("vsso_on_chat_will_be_routed"):
            return {"team": None, "rule": "", "rule_text": ""}
        arena = Arena()
        c = arena.chat(chat)
        return self._call("vsso_on_chat_will_be_routed", "vsso_routing_free", Routing,
                          [ctypes.byref(c)],
                          lambda r: {"team": text(r.team) if r.decision == ROUTING_ROUTE else None,
                                     "rule": text(r.rule), "rule_text": text(r.rule_text)})

    def visitor_info_will_render(self, chat):
        if self._missing("vsso_on_visitor_info_will_render"):
            return {"prechat": [], "variables": [], "info": None}
        arena = Arena()
        c = arena.chat(chat)
        return self._call(
            "vsso_on_visitor_info_will_render", "vsso_visitor_info_free", VisitorInfo,
            [ctypes.byref(c)],
            lambda r: {"prechat": fields(r.prechat_section, r.prechat_section_count),
                       "variables": fields(r.custom_variables, r.custom_variables_count),
                       "info": {"name": text(r.info_name),
                                "customer_id": text(r.info_customer_id),
                                "verified": bool(r.info_verified),
                                "idp": text(r.info_idp_entity_id),
                                "signed_in_at": r.info_signed_in_at}})

    def transcript_will_be_saved(self, chat, transcript_id, team):
        if self._missing("vsso_on_transcript_will_be_saved"):
            return {"tags": {}, "customer_id": ""}
        arena = Arena()
        c = arena.chat(chat)
        t = arena.struct(TranscriptIn, transcript_id=arena.bytes(transcript_id),
                         team=arena.bytes(team))
        return self._call("vsso_on_transcript_will_be_saved", "vsso_transcript_tags_free",
                          TranscriptTags, [ctypes.byref(c), ctypes.byref(t)],
                          lambda r: {"tags": dict(pairs(r.tags, r.tags_count)),
                                     "customer_id": text(r.customer_id)})

    # ---- requests -------------------------------------------------------------------

    def search_history(self, customer_id="", team="", from_=0, until=0, limit=0, cursor=""):
        self._require("vsso_plugin_search_history")
        arena = Arena()
        q = arena.struct(HistoryQuery, customer_id=arena.bytes(customer_id),
                         team=arena.bytes(team), from_=from_, until=until, limit=limit,
                         cursor=arena.bytes(cursor))

        def read(r):
            return {"rows": [{"transcript_id": text(e.transcript_id), "chat_id": text(e.chat_id),
                              "visitor_id": text(e.visitor_id),
                              "customer_id": text(e.customer_id), "idp": text(e.idp_entity_id),
                              "signed_in": bool(e.signed_in), "team": text(e.team),
                              "saved_at": e.saved_at}
                             for e in items(r.rows, r.rows_count, TranscriptRecord)],
                    "next_cursor": text(r.next_cursor)}
        return self._call("vsso_plugin_search_history", "vsso_history_page_free", HistoryPage,
                          [ctypes.byref(q)], read)

    def handle_http(self, method, path, query="", headers=(), body=b"", visitor_id="",
                    remote_address=""):
        if self._missing("vsso_plugin_handle_http"):
            return {"status": 404, "headers": [("Content-Type", "text/plain")],
                    "body": b"not found\n", "signed_in_visitor_id": "",
                    "signed_out_visitor_ids": []}
        arena = Arena()
        pair_array = arena.array(Pair, [Pair(arena.bytes(n), arena.bytes(v)) for n, v in headers])
        r = arena.struct(HttpRequest, method=arena.bytes(method), path=arena.bytes(path),
                         query=arena.bytes(query), headers=ctypes.cast(pair_array, POINTER(Pair)),
                         headers_count=len(headers), body=arena.bytes(body),
                         visitor_id=arena.bytes(visitor_id),
                         remote_address=arena.bytes(remote_address))
        return self._call(
            "vsso_plugin_handle_http", "vsso_http_response_free", HttpResponse, [ctypes.byref(r)],
            lambda res: {"status": res.http_status,
                         "headers": pairs(res.headers, res.headers_count),
                         "body": ctypes.string_at(res.body.ptr, res.body.len),
                         "signed_in_visitor_id": text(res.signed_in_visitor_id),
                         "signed_out_visitor_ids": texts(res.signed_out_visitor_ids,
                                                         res.signed_out_visitor_ids_count)})

    def admin_overview(self, failure_limit=20):
        self._require("vsso_plugin_get_admin_overview")
        arena = Arena()
        q = arena.struct(AdminOverviewQuery, failure_limit=failure_limit)

        def read(r):
            return {
                "description": description(view(r.description, Description)),
                "now": r.now,
                "certificates": [{"subject": text(c.subject),
                                  "fingerprint": text(c.fingerprint_sha256),
                                  "not_after": c.not_after, "source": text(c.source)}
                                 for c in items(r.certificates, r.certificates_count, Certificate)],
                "mappings": [{"field": text(m.field),
                              "attributes": texts(m.attributes, m.attributes_count),
                              "configured": text(m.configured)}
                             for m in items(r.mappings, r.mappings_count, Mapping)],
                "routing_rules": [{"name": text(u.name), "text": text(u.text),
                                   "team": text(u.team)}
                                  for u in items(r.routing_rules, r.routing_rules_count,
                                                 RoutingRule)],
                "routing_default_team": text(r.routing_default_team),
                "sp_metadata_path": text(r.sp_metadata_path),
                "recent_failures": [{"code": text(f.code), "message": text(f.message),
                                     "visitor_id": text(f.visitor_id), "count": f.count,
                                     "remote_address": text(f.remote_address)}
                                    for f in items(r.recent_failures, r.recent_failures_count,
                                                   SignInFailure)],
                "warnings": texts(r.warnings, r.warnings_count),
            }
        return self._call("vsso_plugin_get_admin_overview", "vsso_admin_overview_free",
                          AdminOverview, [ctypes.byref(q)], read)
