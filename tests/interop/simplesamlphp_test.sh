#!/usr/bin/env bash
# Interoperability with a real third-party IdP: Debian's SimpleSAMLphp 1.19
# (scripts/idp) signs users in, and visitor-sso-admin verify — the same code
# the ACS runs — must accept its responses exactly: UTF-8 and XML-special
# attribute values intact, multi-valued attributes in order, and a second
# post of the same response refused as a replay.
#
#   tests/interop/simplesamlphp_test.sh path/to/visitor-sso-admin
#
# Uses 127.0.0.1:8081 (must be free). Exit 0 all passed, 1 a check failed,
# 77 skipped (php/simplesamlphp cannot be installed here).
set -euo pipefail

admin="${1:-}"
if [ -z "$admin" ] || [ ! -x "$admin" ]; then
  echo "usage: $0 path/to/visitor-sso-admin" >&2
  exit 2
fi
admin="$(cd "$(dirname "$admin")" && pwd)/$(basename "$admin")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

work="$(mktemp -d)"
idp_dir="$work/idp"
sp_entity_id="https://chat.example.com/sso/metadata"
acs_url="https://chat.example.com/sso/acs"
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  "$root/scripts/idp" stop --dir "$idp_dir" >/dev/null 2>&1 || true
  if [ -n "${KEEP_WORK:-}" ]; then
    echo "KEEP_WORK set: kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $1" >&2
}
finish() {
  echo "$passed passed, $failed failed"
  if [ "$failed" -eq 0 ]; then exit 0; fi
  exit 1
}

if ! "$root/scripts/idp" start --dir "$idp_dir" --sp-entity-id "$sp_entity_id" \
  --sp-acs "$acs_url" >"$work/idp-start.log" 2>&1; then
  cat "$work/idp-start.log" >&2
  if ! command -v php >/dev/null || [ ! -d /usr/share/simplesamlphp/www ]; then
    echo "SKIP: php/simplesamlphp cannot be installed here" >&2
    exit 77
  fi
  fail "scripts/idp start"
  finish
fi
pass "SimpleSAMLphp IdP started"
idp_entity_id="$(sed -n 's/^IdP entity ID *: //p' "$work/idp-start.log")"
idp_sso_url="$(sed -n 's/^SSO URL *: //p' "$work/idp-start.log")"

# Keys exactly as in config/visitor-sso.example.ini.
cat >"$work/visitor-sso.ini" <<EOF
[sso]
enabled = true
sign_in = required
sp_entity_id = $sp_entity_id
acs_url = $acs_url
idp_entity_id = $idp_entity_id
idp_sign_in_url = $idp_sso_url
idp_certificates = $idp_dir/idp.pem
idp_metadata =
sp_private_key =
sp_certificate =
clock_skew_seconds = 120
allow_idp_initiated = false
session_lifetime_seconds = 28800
customer_id_attribute =
database = $work/visitor-sso.db
allow_sha1 = false
sign_authn_requests = false
max_response_bytes = 262144

[mapping]
name = displayName | urn:oid:2.16.840.1.113730.3.1.241
email = mail | urn:oid:0.9.2342.19200300.100.1.3
company = company
prechat:Account Number = accountNumber
variable:membership_level = membership_level

[routing]
rule.1 = variable:membership_level == gold -> Gold Team
default = General
EOF

# Signs USER in (SP-initiated, AuthnRequest built by idp-login); writes the
# base64 SAMLResponse to $work/USER.b64 and the request ID to $work/USER.id.
sign_in() {
  local user="$1" password="$2"
  if ! "$py" "$root/scripts/idp-login" --user "$user" --password "$password" \
    --idp-sso-url "$idp_sso_url" --sp-entity-id "$sp_entity_id" --acs-url "$acs_url" \
    --relay-state "interop-$user" >"$work/$user.json" 2>"$work/$user.err"; then
    fail "idp-login $user: $(cat "$work/$user.err")"
    return 1
  fi
  if ! "$py" - "$work/$user.json" "$work/$user" "$acs_url" "interop-$user" 2>"$work/$user.err" <<'EOF'; then
import json, sys
d = json.load(open(sys.argv[1]))
open(sys.argv[2] + ".b64", "w").write(d["SAMLResponse"])
open(sys.argv[2] + ".id", "w").write(d["request_id"])
assert d["acs_url"] == sys.argv[3], f"form posts to {d['acs_url']!r}, expected {sys.argv[3]!r}"
assert d["RelayState"] == sys.argv[4], f"RelayState {d['RelayState']!r}, expected {sys.argv[4]!r}"
EOF
    fail "idp-login $user output: $(tail -1 "$work/$user.err")"
    return 1
  fi
}

# verify NAME USER EXPECTATIONS-PYTHON [CONFIG]: runs visitor-sso-admin verify
# on the user's response and evaluates the python checks against its JSON
# output `o` and exit code `rc`.
verify() {
  local name="$1" user="$2" checks="$3" config="${4:-$work/visitor-sso.ini}" rc=0
  "$admin" verify --config "$config" --request-id "$(cat "$work/$user.id")" \
    "$work/$user.b64" >"$work/verify.out" 2>"$work/verify.err" || rc=$?
  if "$py" - "$work/verify.out" "$rc" "$checks" 2>"$work/check.err" <<'EOF'; then
import json, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
assert len(lines) == 1, f"expected one JSON line from verify, got {len(lines)}"
o = json.loads(lines[0])
rc = int(sys.argv[2])
exec(sys.argv[3])
EOF
    pass "$name"
  else
    fail "$name: $(tail -1 "$work/check.err")"
    echo "  verify exit $rc: $(cat "$work/verify.out" "$work/verify.err" | head -c 600)" >&2
  fi
}

if sign_in gold gold-pass; then
  pass "gold signed in at SimpleSAMLphp"
  verify "gold response accepted with exact attributes" gold '
assert o.get("accepted") is True, "refused: %s: %s" % (o.get("code"), o.get("message"))
assert rc == 0, f"exit code {rc}"
assert o["name_id"] == "cust-gold-001", o["name_id"]
assert o["name_id_format"] == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", o["name_id_format"]
assert o["customer_id"] == "cust-gold-001", o["customer_id"]
a = o["attributes"]
assert a["displayName"] == ["Zo\u00eb \u00c5ngstr\u00f6m"], a["displayName"]
assert a["eduPersonAffiliation"] == ["member", "staff"], a["eduPersonAffiliation"]
assert a["membership_level"] == ["gold"], a["membership_level"]
assert a["accountNumber"] == ["AC-1001"], a["accountNumber"]
assert a["mail"] == ["zoe.angstrom@example.org"], a["mail"]
f = o["fields"]
assert f["name"] == "Zo\u00eb \u00c5ngstr\u00f6m", f["name"]
assert f["variable:membership_level"] == "gold", f["variable:membership_level"]
'
  verify "gold response posted again is refused as a replay" gold '
assert o.get("accepted") is False, "a replayed response was accepted"
assert rc == 1, f"exit code {rc}"
assert o["code"] == "saml.replay.detected", "%s: %s" % (o["code"], o["message"])
'
fi

if sign_in silver silver-pass; then
  pass "silver signed in at SimpleSAMLphp"
  verify "silver response accepted with XML-special characters intact" silver '
assert o.get("accepted") is True, "refused: %s: %s" % (o.get("code"), o.get("message"))
assert o["name_id"] == "cust-silver-002", o["name_id"]
assert o["customer_id"] == "cust-silver-002", o["customer_id"]
assert o["attributes"]["displayName"] == ["Tom & \"Jerry\" <Sales>"], o["attributes"]["displayName"]
assert o["attributes"]["membership_level"] == ["silver"], o["attributes"]["membership_level"]
assert o["fields"]["name"] == "Tom & \"Jerry\" <Sales>", o["fields"]["name"]
'
fi

# The IdP's own metadata document (idp_metadata) instead of the three idp_*
# keys: entity ID and signing certificate read from SimpleSAMLphp's XML.
cat >"$work/from-metadata.ini" <<EOF
[sso]
enabled = true
sign_in = required
sp_entity_id = $sp_entity_id
acs_url = $acs_url
idp_metadata = $idp_dir/idp-metadata.xml
database = $work/from-metadata.db

[mapping]
name = displayName
EOF
if "$admin" metadata import --config "$work/from-metadata.ini" "$idp_dir/idp-metadata.xml" \
  >"$work/import.out" 2>&1 && grep -qx "idp_entity_id = $idp_entity_id" "$work/import.out"; then
  pass "metadata import reads SimpleSAMLphp's metadata"
else
  fail "metadata import: $(head -c 400 "$work/import.out")"
fi
if sign_in gold gold-pass; then
  verify "gold response accepted with the IdP configured from its metadata XML" gold '
assert o.get("accepted") is True, "refused: %s: %s" % (o.get("code"), o.get("message"))
assert o["customer_id"] == "cust-gold-001", o["customer_id"]
assert o["fields"]["name"] == "Zo\u00eb \u00c5ngstr\u00f6m", o["fields"]["name"]
' "$work/from-metadata.ini"
fi

# The same kind of response must be refused when it was not signed by the
# configured IdP key, or was changed after signing.
if sign_in bronze bronze-pass; then
  pass "bronze signed in at SimpleSAMLphp"
  openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 1 -subj "/CN=not the IdP" \
    -keyout "$work/other.key" -out "$work/other.pem" 2>/dev/null
  sed "s|^idp_certificates = .*|idp_certificates = $work/other.pem|; s|^database = .*|database = $work/other.db|" \
    "$work/visitor-sso.ini" >"$work/other-cert.ini"
  verify "bronze response refused under another IdP certificate" bronze '
assert o.get("accepted") is False, "accepted a response signed by a key that is not configured"
assert o["code"].startswith("saml.signature."), "%s: %s" % (o["code"], o["message"])
' "$work/other-cert.ini"
  cp "$work/bronze.b64" "$work/bronze.orig.b64"
  "$py" - "$work/bronze.b64" <<'EOF'
import base64, sys
xml = base64.b64decode(open(sys.argv[1]).read())
changed = xml.replace(b">bronze</saml:AttributeValue>", b">gold</saml:AttributeValue>", 1)
assert changed != xml, "membership_level value not found in the bronze response"
open(sys.argv[1], "w").write(base64.b64encode(changed).decode())
EOF
  verify "bronze response with membership_level changed to gold is refused" bronze '
assert o.get("accepted") is False, "accepted a response changed after signing"
assert o["code"].startswith("saml.signature."), "%s: %s" % (o["code"], o["message"])
'
  cp "$work/bronze.orig.b64" "$work/bronze.b64"
  verify "bronze response unchanged is accepted" bronze '
assert o.get("accepted") is True, "refused: %s: %s" % (o.get("code"), o.get("message"))
assert o["attributes"]["membership_level"] == ["bronze"], o["attributes"]["membership_level"]
'
fi

if "$py" "$root/scripts/idp-login" --user bronze --password wrong --idp-sso-url "$idp_sso_url" \
  --sp-entity-id "$sp_entity_id" --acs-url "$acs_url" >/dev/null 2>"$work/bronze.err"; then
  fail "a wrong password produced a SAMLResponse"
elif grep -q "refused the login" "$work/bronze.err"; then
  pass "wrong password refused by the IdP"
else
  fail "wrong password: unexpected error: $(cat "$work/bronze.err")"
fi

finish
