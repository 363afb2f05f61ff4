#!/usr/bin/python3
"""conformance.py: a Python host (ctypes, standard library only) drives the
real plugin through abi.h alone: the required-mode flow end to end with
responses the test IdP signs, an older host's smaller structs, hooks from
several threads, then the handshake refusals.

    conformance.py --plugin LIB --abi ABI_H --idp-tool TOOL --wrong-major LIB
                   --missing-required LIB --minimal LIB --sdk1 LIB

Output is TAP ("ok N - ..."); exit 0 when every check passed.
"""
import argparse
import base64
import ctypes
import os
import re
import subprocess
import sys
import threading
import urllib.parse
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import visitor_sso  # noqa: E402
from visitor_sso import Plugin, PluginError, PluginRefused  # noqa: E402

CHECKS = {"n": 0, "failed": 0}


def check(ok, what, detail=None):
    CHECKS["n"] += 1
    print(f"{'ok' if ok else 'not ok'} {CHECKS['n']} - {what}", flush=True)
    if not ok:
        CHECKS["failed"] += 1
        if detail is not None:
            print("  # " + repr(detail).replace("\n", "\n  # "), flush=True)
    return ok


class TestIdp:
    """The test IdP co-process (tests/conformance/test_idp_tool.cpp)."""

    def __init__(self, tool):
        self.process = subprocess.Popen([tool], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)

    def ask(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().rstrip("\n")
        if not answer or answer.startswith("error "):
            raise RuntimeError(f"test IdP: {line} -> {answer}")
        return answer

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


class Browser:
    """One visitor's browser: the host's visitor ID (from the host's own session
    cookie) and a cookie jar for what the plugin sets under /sso/."""

    def __init__(self, visitor_id, ip):
        self.visitor_id, self.ip = visitor_id, ip
        self.jar = {}  # name -> (value, path)
        self.woken = []

    def send(self, plugin, method, uri, body=b"", extra=()):
        parts = urllib.parse.urlsplit(uri)
        headers = [("Host", "chat.example.com"), ("User-Agent", "conformance-python/1.0")]
        cookies = [f"{n}={v}" for n, (v, path) in self.jar.items() if parts.path.startswith(path)]
        if cookies:
            headers.append(("Cookie", "; ".join(cookies)))
        response = plugin.handle_http(method, parts.path, parts.query, headers + list(extra), body,
                                      self.visitor_id, self.ip)
        for name, value in response["headers"]:
            # A host never sends a header value with CR, LF or NUL (abi.h).
            if re.search(r"[\r\n\0]", name + value):
                return {"status": 500, "headers": [], "body": b"", "signed_in_visitor_id": ""}
            if name.lower() == "set-cookie":
                self.keep(value)
        if response["signed_in_visitor_id"]:
            self.woken.append(response["signed_in_visitor_id"])
        self.woken.extend(response["signed_out_visitor_ids"])
        return response

    def keep(self, set_cookie):
        first, *attributes = [p.strip() for p in set_cookie.split(";")]
        name, _, value = first.partition("=")
        path = "/"
        for a in attributes:
            if a.lower().startswith("path="):
                path = a[5:]
        self.jar[name] = (value, path)


def header(response, name):
    return next((v for n, v in response["headers"] if n.lower() == name.lower()), None)


def authn_request_of(location):
    """AuthnRequest ID and RelayState of the plugin's HTTP-Redirect to the IdP."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location or "").query)
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()
    match = re.search(r'<(?:\w+:)?AuthnRequest\b[^>]*\sID="([^"]+)"', xml)
    return (match.group(1) if match else ""), query.get("RelayState", [""])[0]


def acs_body(saml_response, relay_state):
    return urllib.parse.urlencode({"SAMLResponse": saml_response,
                                   "RelayState": relay_state}).encode()


FORM = ("Content-Type", "application/x-www-form-urlencoded")
FROM_IDP = ("Origin", "https://idp.example.org")


def flow(args):
    idp = TestIdp(args.idp_tool)
    config_path, now = idp.ask("deploy").split(" ")
    now = int(now)

    plugin = Plugin.load(args.plugin)
    check(plugin.name == "visitor-sso" and plugin.sdk_major == 2,
          "handshake: visitor-sso, SDK major 2", (plugin.name, plugin.sdk_major))
    # The ctypes transcription of abi.h against the sizes the plugin reports.
    sizes = {"chat": visitor_sso.ChatIn, "http_request": visitor_sso.HttpRequest,
             "history_query": visitor_sso.HistoryQuery, "field_host": visitor_sso.FieldIn,
             "description": visitor_sso.Description, "chat_start": visitor_sso.ChatStart,
             "visitor_info": visitor_sso.VisitorInfo, "http_response": visitor_sso.HttpResponse,
             "admin_overview": visitor_sso.AdminOverview,
             "sign_in_failure": visitor_sso.SignInFailure}
    wrong = {n: (getattr(plugin.abi_info, "size_of_" + n), ctypes.sizeof(c))
             for n, c in sizes.items() if getattr(plugin.abi_info, "size_of_" + n) != ctypes.sizeof(c)}
    check(not wrong, "the ctypes structs have the sizes the plugin was built with", wrong)
    check(plugin.missing_hooks == [], "every optional hook is exported", plugin.missing_hooks)
    plugin.configure(config_path, now)
    described = plugin.describe()
    check(described["sign_in_policy"] == "required" and described["certificate_count"] == 1,
          "describe: sign-in required, one IdP certificate", described)

    alice = Browser("visitor-alice", "203.0.113.7")
    mallory = Browser("visitor-mallory", "198.51.100.9")
    chat = {"id": "chat-1", "visitor_id": alice.visitor_id, "ip": alice.ip,
            "user_agent": "conformance-python/1.0", "return_url": "/chat",
            "prechat_answers": [{"key": "name", "label": "Name", "values": ["typed by a guest"]}]}

    # 1. Chat start, sign-in required.
    started = plugin.chat_will_start(chat)
    check(started["decision"] == "require_sign_in" and
          started["sign_in_url"] == "/sso/login?return=%2Fchat",
          "chat start: sign-in required, with the sign-in URL", started)

    # 2. /sso/login; the ACS post from another browser is refused.
    login = alice.send(plugin, "GET", started["sign_in_url"])
    check(login["status"] == 302 and re.fullmatch(r"[0-9a-f]{32}", alice.jar.get(
        "vsso_browser", ("", ""))[0]), "/sso/login: 302 and the vsso_browser cookie", login)
    request_id, relay_state = authn_request_of(header(login, "Location"))
    stolen = mallory.send(plugin, "POST", "/sso/acs",
                          acs_body(idp.ask(f"respond {request_id} cust-gold-001"), relay_state),
                          [FORM, FROM_IDP])
    check(stolen["status"] == 403 and b"sso.acs.browser_mismatch" in stolen["body"],
          "an ACS post without the browser cookie is refused", stolen)

    # 3. Again, with the cookie: signed in.
    login = alice.send(plugin, "GET", started["sign_in_url"])
    request_id, relay_state = authn_request_of(header(login, "Location"))
    acs = alice.send(plugin, "POST", "/sso/acs",
                     acs_body(idp.ask(f"respond {request_id} cust-gold-001"), relay_state),
                     [FORM, FROM_IDP])
    check(acs["status"] == 303 and header(acs, "Location") == "/chat" and
          alice.woken == [alice.visitor_id], "ACS with the cookie: 303 to /chat, window woken", acs)

    # 4. Chat start, signed in.
    started = plugin.chat_will_start(chat)
    check(started["decision"] == "proceed" and started["signed_in"] and
          started["customer_id"] == "cust-gold-001", "chat start: signed in as cust-gold-001",
          started)
    # An older host whose chat struct ends before prechat_answers is served too.
    older = plugin.chat_will_start(
        chat, chat_struct_size=visitor_sso.ChatIn.prechat_answers.offset)
    check(older["customer_id"] == "cust-gold-001",
          "an older host's smaller vsso_chat_host_owned is read up to its struct_size", older)

    # 5. Pre-chat skipped.
    prechat = plugin.prechat_survey_will_show(chat)
    prefill = {f["key"]: f["value"] for f in prechat["prefill"]}
    check(prechat["skip"] and prefill.get("name") == "Zoë Gold",
          "pre-chat survey skipped, prefilled from the IdP (not from what the guest typed)", prechat)

    # 6. Visitor info.
    info = plugin.visitor_info_will_render(chat)
    section = {f["key"]: f["value"] for f in info["prechat"]}
    variables = {f["key"]: f["values"] for f in info["variables"]}
    check(info["info"]["customer_id"] == "cust-gold-001" and info["info"]["verified"] and
          section.get("prechat:Account Number") == "A-1001" and
          variables.get("variable:membership_level") == ["gold"],
          "visitor info: customer ID, verified, pre-chat section, variables", info)

    # 7. Routing.
    routed = plugin.chat_will_be_routed(chat)
    check(routed["team"] == "Gold Team" and routed["rule"] == "rule.1",
          "routing: Gold Team by rule.1", routed)

    # 8. Transcript tags.
    tags = plugin.transcript_will_be_saved(chat, "transcript-py-1", routed["team"])
    check(tags["tags"] == {"customer_id": "cust-gold-001",
                           "idp": "https://idp.example.org/saml2/idp/metadata.php",
                           "signed_in": "true", "team": "Gold Team"},
          "transcript tags", tags)

    # 9. History by customer ID.
    history = plugin.search_history(customer_id="cust-gold-001")
    check([r["transcript_id"] for r in history["rows"]] == ["transcript-py-1"] and
          history["rows"][0]["saved_at"] == now and history["next_cursor"] == "",
          "History by customer ID", history)

    # Hooks from several Python threads at once (abi.h: any thread after configure).
    errors = []

    def worker(n):
        for i in range(25):
            try:
                r = plugin.chat_will_be_routed({"id": f"c{n}-{i}", "visitor_id": alice.visitor_id})
                if r["team"] != "Gold Team":
                    errors.append(r)
            except PluginError as e:  # pragma: no cover - reported below
                errors.append(str(e))
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(errors == [], "100 routing calls from 4 threads", errors[:3])

    # 10. Admin overview, errors, reload, shutdown.
    overview = plugin.admin_overview(10)
    failures = {f["code"]: f for f in overview["recent_failures"]}
    check(failures.get("sso.acs.browser_mismatch", {}).get("remote_address") == mallory.ip,
          "admin overview: the refused post with mallory's address", overview["recent_failures"])
    try:
        plugin.search_history(customer_id="x", limit=20000)
        check(False, "a History limit of 20000 is refused")
    except PluginError as e:
        check(e.code == "store.bad_limit", "a History limit of 20000 is refused (store.bad_limit)",
              e.code)
    plugin.reload()
    plugin.shutdown()
    after = plugin.chat_will_start({"id": "chat-2", "visitor_id": alice.visitor_id})
    check(after["decision"] == "refuse" and after["reason_code"] == "plugin.shut_down",
          "after shutdown: chats refused, plugin.shut_down", after)
    plugin.close()
    idp.close()


def refusals(args):
    def refused(path, **kw):
        try:
            Plugin.load(path, **kw)
            return None
        except PluginRefused as e:
            return e

    e = refused(args.wrong_major)
    check(e is not None and e.code == "loader.abi_major" and
          "SDK major version 3, this host supports 2" in str(e),
          "a plugin for SDK major 3 is refused by name", e)
    e = refused(args.sdk1)
    check(e is not None and e.code == "loader.abi_major" and "SDK major version 1" in str(e),
          "an SDK 1 plugin is refused by name", e)
    e = refused(args.missing_required)
    check(e is not None and e.code == "loader.missing_symbol" and
          "vsso_plugin_configure" in str(e), "a missing required symbol is named", e)
    e = refused("/usr/lib/x86_64-linux-gnu/libz.so.1")
    check(e is not None and e.code == "loader.not_a_plugin", "libz is not a plugin", e)
    e = refused(args.abi)
    check(e is not None and e.code == "loader.load_failed", "abi.h is not a shared library", e)
    e = refused("/nonexistent/libvisitor-sso.so")
    check(e is not None and e.code == "loader.not_found", "a missing file", e)

    # The real plugin refuses a host of another major; it accepts an older
    # host whose host info ends before host_name.
    e = refused(args.plugin, host_major=3)
    check(e is not None and e.code == "loader.create_failed" and "[abi.host_major]" in str(e),
          "the plugin refuses a host built for SDK major 3 (abi.host_major)", e)
    older = Plugin.load(args.plugin, host_info_size=visitor_sso.HostInfo.host_name.offset)
    check(older.describe()["name"] == "visitor-sso", "an older host's smaller host info is accepted")
    older.close()

    minimal = Plugin.load(args.minimal)
    check(len(minimal.missing_hooks) == 10, "a plugin without optional hooks loads",
          minimal.missing_hooks)
    minimal.configure("/unused.ini")
    check(minimal.chat_will_start({"id": "c"})["decision"] == "proceed" and
          minimal.chat_will_be_routed({"id": "c"})["team"] is None and
          minimal.handle_http("GET", "/sso/metadata")["status"] == 404,
          "missing hooks are not handled: chat proceeds, host routes, 404")
    minimal.close()


def main():
    parser = argparse.ArgumentParser()
    for name in ("plugin", "abi", "idp-tool", "wrong-major", "missing-required", "minimal",
                 "sdk1"):
        parser.add_argument("--" + name, required=True)
    args = parser.parse_args()
    flow(args)
    refusals(args)
    print(f"1..{CHECKS['n']}")
    return 0 if CHECKS["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
