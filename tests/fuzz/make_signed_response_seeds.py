#!/usr/bin/python3
"""Writes the seeds of signed_response_fuzzer into corpus_signed_response/.

The fuzzer reads its input as operations (one letter, then arguments:
choices are one byte, strings end at a NUL byte, times are decimal strings);
see signed_response_fuzzer.cpp. Rerun this after changing that format.
"""
import pathlib


def s(text):
    return text.encode() + b"\0"


def b(*values):
    return bytes(values)


SEEDS = {
    # No operation: the valid response the test IdP builds by default.
    "valid_default": b"",
    "attributes": b"N" + s("alice@example.org") + b(0)
    + b"A" + s("urn:oid:2.16.840.1.113730.3.1.241") + s("displayName") + b(0, 2) + s("Alice") + s("A. Liddell")
    + b"A" + s("membership_level") + s("") + b(1, 1) + s("gold")
    + b"A" + s("company") + s("") + b(2, 1) + s("Acme"),
    # K: encrypt (transport, data algorithm, to the SP); G 1: sign the Response too.
    "encrypted_response_signed": b"K" + b(1, 0, 0, 1) + b"G" + b(1, 0, 0, 0, 0, 0, 0),
    "encrypted_gcm_oaep11": b"K" + b(1, 1, 2, 1),
    # No InResponseTo, allow_idp_initiated, no request outstanding.
    "unsolicited": b"Q" + b(0) + b"Y" + b(1, 1) + b"Y" + b(0, 0),
    "times_at_skew_edge": b"B" + s("120") + b"E" + s("-119") + b"C" + s("-119") + b"s" + b(1) + s("-119"),
    "audiences": b"U" + b(2, 1, 2) + s("https://other.example") + b"U" + b(1, 0),
    # F: OneTimeUse before </saml:Conditions>.
    "one_time_use": b"F" + b(1, 3, 1, 0),
    "default_namespaces": b"P" + b(5) + b"A" + s("mail") + s("") + b(2, 1) + s("alice@example.org"),
    "sha1_allowed": b"G" + b(0, 0, 1, 1, 1, 0, 0) + b"Y" + b(2, 1),
    "ecdsa_signer": b"G" + b(0, 1, 0, 0, 0, 0, 0),
    "both_signed_c14n_comments": b"G" + b(1, 0, 2, 2, 1, 0, 0) + b"N" + s("alice@example.org<!---->.evil") + b(0),
    "failed_status": b"X" + b(1) + s("Authentication failed") + b(1),
    # W: the NameID as an EncryptedID (on, transport, data algorithm, to the SP).
    "encrypted_id": b"W" + b(1, 0, 2, 1),
    "encrypted_id_in_encrypted_assertion": b"W" + b(1, 1, 3, 1) + b"K" + b(1, 0, 0, 1),
    # InResponseTo on the bearer SubjectConfirmationData only (ADFS).
    "in_response_to_on_confirmation_only": b"Q" + b(0) + b"q" + b(1),
    # Refusals the validator must keep making.
    "untrusted_signer": b"G" + b(0, 3, 0, 0, 0, 0, 0),
    "xslt_transform": b"G" + b(0, 0, 0, 0, 0, 0, 7),
    "wrong_destination": b"D" + b(2) + s("https://evil.example/sso/acs"),
    "expired_conditions": b"E" + s("-120"),
    "encrypted_id_for_another_key": b"W" + b(1, 0, 0, 0),
    # V 2: an SPNameQualifier naming another SP.
    "sp_name_qualifier_other_sp": b"V" + b(2),
}

out = pathlib.Path(__file__).resolve().parent / "corpus_signed_response"
out.mkdir(exist_ok=True)
for name, data in SEEDS.items():
    (out / name).write_bytes(data)
