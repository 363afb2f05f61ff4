#!/bin/sh
# Regenerates the signed static SAML responses of the scenarios with the
# xmlsec1 CLI and the example IdP key (config/certs/idp.key, published, never
# for production). Run from anywhere; the outputs are committed so that the
# scenarios and tests need no IdP. Every response is issued 2026-11-24T12:00:00Z
# and valid until 12:05:00Z: run the scenarios with --now 2026-11-24T12:01:00Z.
#
# Only the Assertion is signed (enveloped, exclusive c14n, RSA-SHA256,
# SHA-256 digest; SAML Core 5.4). No InResponseTo: the scenario configs set
# allow_idp_initiated = true.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
key="$here/../../config/certs/idp.key"
out="$here/responses"
mkdir -p "$out"

# attr NAME VALUE: one basic-format string attribute.
attr() {
  printf '<saml:Attribute Name="%s" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue xsi:type="xs:string">%s</saml:AttributeValue></saml:Attribute>' "$1" "$2"
}

# response NAME NAMEID ATTRIBUTES...: writes $out/NAME.xml, signed.
response() {
  name=$1 name_id=$2
  shift 2
  attributes=$(for a in "$@"; do attr "${a%%=*}" "${a#*=}"; done)
  tmpl=$(mktemp)
  cat >"$tmpl" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_resp-$name" Version="2.0" IssueInstant="2026-11-24T12:00:00Z" Destination="https://chat.example.com/sso/acs"><saml:Issuer>https://idp.example.com/saml</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="_assert-$name" Version="2.0" IssueInstant="2026-11-24T12:00:00Z"><saml:Issuer>https://idp.example.com/saml</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_assert-$name"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">$name_id</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="2026-11-24T12:05:00Z" Recipient="https://chat.example.com/sso/acs"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="2026-11-24T11:59:30Z" NotOnOrAfter="2026-11-24T12:05:00Z"><saml:AudienceRestriction><saml:Audience>https://chat.example.com/sso/metadata</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="2026-11-24T12:00:00Z" SessionIndex="_session-$name" SessionNotOnOrAfter="2026-11-24T20:00:00Z"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>$attributes</saml:AttributeStatement></saml:Assertion></samlp:Response>
XML
  xmlsec1 --sign --privkey-pem "$key" \
    --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion \
    --output "$out/$name.xml" "$tmpl"
  rm -f "$tmpl"
}

response gold cust-gold-001 "displayName=Zoë Gold" mail=zoe@acme.example company=Acme \
  membership_level=gold accountNumber=A-1001
response silver cust-silver-002 "displayName=Sam Silver" mail=sam@globex.example company=Globex \
  department=Support membership_level=silver accountNumber=A-2002
