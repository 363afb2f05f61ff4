// Single logout messages: what the SP builds and sends (LogoutRequest,
// LogoutResponse, Redirect-binding signature checked by an independent
// verifier), and what it accepts from the IdP (query signature over the
// exact octets received, algorithm policy, Issuer, Destination, time window).
#include "saml/logout.hpp"

#include <gtest/gtest.h>

#include <string>

#include "saml/redirect_binding.hpp"
#include "support/test_idp.hpp"
#include "support/test_idp_logout.hpp"

namespace vsso::saml {
namespace {

using testing::IdpEcKey;
using testing::IdpLogoutRequestSpec;
using testing::IdpLogoutResponseSpec;
using testing::IdpRolloverKey;
using testing::IdpRsaKey;
using testing::kIdpEntityId;
using testing::kSpEntityId;
using testing::kTestNow;
using testing::RedirectSignSpec;
using testing::SpKey;

constexpr char kSlo[] = "https://chat.example.com/sso/slo";
constexpr char kIdpSlo[] = "https://idp.example.org/saml2/idp/SingleLogoutService.php";

LogoutExpectations Expect() {
  LogoutExpectations e;
  e.now = kTestNow;
  e.clock_skew_seconds = 120;
  e.idp_entity_id = kIdpEntityId;
  e.slo_url = kSlo;
  return e;
}

CertificateSet IdpCerts() { return CertificateSet{IdpRsaKey().Certificate()}; }

IdpLogoutRequestSpec RequestSpec() {
  IdpLogoutRequestSpec s;
  s.destination = kSlo;
  s.session_indexes = {"_session-1"};
  s.not_on_or_after = kTestNow + 300;
  return s;
}

// The whole receive path as the endpoint runs it: parse the query, verify
// the signature, parse the XML.
Result<ReceivedLogoutRequest> Receive(const std::string& query, bool allow_sha1 = false,
                                      const CertificateSet& certs = IdpCerts()) {
  auto msg = ParseRedirectQuery(query);
  if (!msg) return std::move(msg).error();
  if (msg->kind != RedirectKind::kRequest) return MakeError("test.kind", "not a request");
  if (auto st = VerifyRedirectMessage(*msg, certs, allow_sha1); !st) return std::move(st).error();
  return ParseLogoutRequest(msg->xml, Expect());
}

std::string Code(const Result<ReceivedLogoutRequest>& r) { return r ? "ok" : r.error().code; }

TEST(LogoutRequestBuild, CarriesTheSessionAndVerifiesWithTheSpCertificate) {
  LogoutRequestParams p;
  p.sp_entity_id = kSpEntityId;
  p.destination = kIdpSlo;
  p.name_id = {"gold@example.org", testing::kNameIdEmail, "https://idp.example.org", kSpEntityId};
  p.session_index = "_sess<1>";
  p.now = kTestNow;
  auto built = BuildLogoutRequest(p);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->id.front(), '_');
  const std::string& x = built->xml;
  EXPECT_NE(x.find("<samlp:LogoutRequest"), std::string::npos) << x;
  EXPECT_NE(x.find("Version=\"2.0\""), std::string::npos);
  EXPECT_NE(x.find("IssueInstant=\"2027-01-15T08:00:00Z\""), std::string::npos) << x;
  EXPECT_NE(x.find("NotOnOrAfter=\"2027-01-15T08:05:00Z\""), std::string::npos) << x;
  EXPECT_NE(x.find(std::string("Destination=\"") + kIdpSlo + "\""), std::string::npos);
  EXPECT_NE(x.find(std::string("<saml:Issuer>") + kSpEntityId + "</saml:Issuer>"),
            std::string::npos);
  EXPECT_NE(x.find("NameQualifier=\"https://idp.example.org\""), std::string::npos) << x;
  EXPECT_NE(x.find(std::string("SPNameQualifier=\"") + kSpEntityId + "\""), std::string::npos);
  EXPECT_NE(x.find(std::string("Format=\"") + testing::kNameIdEmail + "\""), std::string::npos);
  EXPECT_NE(x.find(">gold@example.org</saml:NameID>"), std::string::npos) << x;
  EXPECT_NE(x.find("<samlp:SessionIndex>_sess&lt;1&gt;</samlp:SessionIndex>"), std::string::npos)
      << x;

  const crypto::PrivateKey key = SpKey().PrivateKey();
  auto url = EncodeRedirect(kIdpSlo, RedirectKind::kRequest, built->xml, "0123abcd", &key);
  ASSERT_TRUE(url) << url.error().message;
  ASSERT_TRUE(url->starts_with(std::string(kIdpSlo) + "?SAMLRequest=")) << *url;
  const std::string query = testing::QueryOfUrl(*url);
  EXPECT_EQ(testing::QueryValue(query, "RelayState"), "0123abcd");
  EXPECT_EQ(testing::QueryValue(query, "SigAlg"), kRedirectRsaSha256);
  EXPECT_EQ(testing::InflateRedirectValue(*testing::QueryValue(query, "SAMLRequest")), x);
  // Checked by the test IdP's own verifier: the SP's key, not the IdP's.
  EXPECT_TRUE(testing::RedirectSignatureValid(query, SpKey()));
  EXPECT_FALSE(testing::RedirectSignatureValid(query, IdpRsaKey()));
}

TEST(LogoutRequestBuild, UnsignedWithoutKeyAndRefusesBadInput) {
  LogoutRequestParams p;
  p.sp_entity_id = kSpEntityId;
  p.destination = kIdpSlo;
  p.name_id.value = "gold";
  p.now = kTestNow;
  auto built = BuildLogoutRequest(p);
  ASSERT_TRUE(built);
  EXPECT_EQ(built->xml.find("SessionIndex"), std::string::npos);
  auto url = EncodeRedirect(kIdpSlo, RedirectKind::kRequest, built->xml, "", nullptr);
  ASSERT_TRUE(url);
  EXPECT_EQ(url->find("SigAlg"), std::string::npos);
  EXPECT_EQ(url->find("RelayState"), std::string::npos);

  p.name_id.value.clear();
  EXPECT_EQ(BuildLogoutRequest(p).error().code, "saml.logout.missing_name_id");
  p.name_id.value = "gold";
  p.destination = "javascript:alert(1)";
  EXPECT_EQ(BuildLogoutRequest(p).error().code, "saml.logout.bad_destination");
  EXPECT_EQ(EncodeRedirect(kIdpSlo, RedirectKind::kRequest, "<x/>", std::string(81, 'a'), nullptr)
                .error()
                .code,
            "saml.logout.relay_state_too_long");
}

TEST(LogoutResponseBuild, SuccessAnsweringTheRequest) {
  LogoutResponseParams p;
  p.sp_entity_id = kSpEntityId;
  p.destination = kIdpSlo;
  p.in_response_to = "_req42";
  p.now = kTestNow;
  auto built = BuildLogoutResponse(p);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_NE(built->xml.find("<samlp:LogoutResponse"), std::string::npos);
  EXPECT_NE(built->xml.find("InResponseTo=\"_req42\""), std::string::npos);
  EXPECT_NE(built->xml.find(std::string("<samlp:StatusCode Value=\"") + kStatusSuccess + "\"/>"),
            std::string::npos)
      << built->xml;
}

TEST(LogoutRequestReceive, AcceptsWhatSimpleSamlPhpSends) {
  const auto spec = RequestSpec();
  auto r = Receive(
      testing::RedirectQuery("SAMLRequest", testing::IdpLogoutRequestXml(spec), "relay 1/2"));
  ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
  EXPECT_EQ(r->id, spec.id);
  EXPECT_EQ(r->issuer, kIdpEntityId);
  EXPECT_EQ(r->name_id.value, "gold@example.org");
  EXPECT_EQ(r->name_id.format, testing::kNameIdEmail);
  EXPECT_EQ(r->name_id.sp_name_qualifier, kSpEntityId);
  EXPECT_EQ(r->session_indexes, std::vector<std::string>{"_session-1"});
  EXPECT_EQ(r->not_on_or_after, kTestNow + 300);
}

TEST(LogoutRequestReceive, SignatureIsOverTheOctetsAsReceived) {
  const std::string xml = testing::IdpLogoutRequestXml(RequestSpec());
  // Lower-case percent escapes (.NET's encoder) and another parameter order:
  // both legal, both verify because the signed string is cut from the query
  // as it came, in the binding's fixed order.
  RedirectSignSpec lower;
  lower.lower_case_hex = true;
  lower.signature_first = true;
  EXPECT_EQ(Code(Receive(testing::RedirectQuery("SAMLRequest", xml, "a b/c", lower))), "ok");

  // The same message re-encoded by someone else (upper-case hex where the
  // signer wrote lower case): the decoded values are identical, the bytes
  // are not, and the bytes are what was signed.
  RedirectSignSpec plain;
  plain.lower_case_hex = true;
  const std::string signed_query = testing::RedirectQuery("SAMLRequest", xml, "a b/c", plain);
  ASSERT_NE(signed_query.find("%2f"), std::string::npos) << signed_query;
  std::string reencoded = signed_query;
  for (std::size_t at = reencoded.find("%2f"); at != std::string::npos;
       at = reencoded.find("%2f", at)) {
    reencoded.replace(at, 3, "%2F");
  }
  EXPECT_EQ(Code(Receive(reencoded)), "saml.logout.signature_invalid");
}

// PHP's urlencode writes a space as '+' and a plus as %2B; the RelayState is
// read as PHP would read it, so echoing it gives the IdP back its own text.
TEST(LogoutRequestReceive, RelayStateIsReadAsTheSenderEncodedIt) {
  auto msg = ParseRedirectQuery(testing::RedirectQuery(
      "SAMLRequest", testing::IdpLogoutRequestXml(RequestSpec()), "a b+c/d"));
  ASSERT_TRUE(msg) << msg.error().message;
  EXPECT_EQ(msg->relay_state, "a b+c/d");
  EXPECT_TRUE(VerifyRedirectMessage(*msg, IdpCerts(), false));
}

TEST(LogoutRequestReceive, RefusesEverySignatureProblem) {
  const std::string xml = testing::IdpLogoutRequestXml(RequestSpec());
  RedirectSignSpec unsigned_spec;
  unsigned_spec.key = nullptr;
  EXPECT_EQ(Code(Receive(testing::RedirectQuery("SAMLRequest", xml, "", unsigned_spec))),
            "saml.logout.unsigned");

  RedirectSignSpec attacker;
  attacker.key = &testing::AttackerKey();
  EXPECT_EQ(Code(Receive(testing::RedirectQuery("SAMLRequest", xml, "", attacker))),
            "saml.logout.signature_invalid");

  RedirectSignSpec sha1;
  sha1.sig_alg = testing::kRsaSha1;
  const std::string sha1_query = testing::RedirectQuery("SAMLRequest", xml, "", sha1);
  EXPECT_EQ(Code(Receive(sha1_query)), "saml.logout.algorithm");
  EXPECT_EQ(Code(Receive(sha1_query, /*allow_sha1=*/true)), "ok");

  RedirectSignSpec sha512;
  sha512.sig_alg = testing::kRsaSha512;
  EXPECT_EQ(Code(Receive(testing::RedirectQuery("SAMLRequest", xml, "", sha512))), "ok");
  // A SigAlg naming another algorithm than the one that signed.
  std::string swapped = testing::RedirectQuery("SAMLRequest", xml, "", sha512);
  const std::string from = testing::PhpUrlEncode(testing::kRsaSha512);
  swapped.replace(swapped.find(from), from.size(), testing::PhpUrlEncode(testing::kRsaSha384));
  EXPECT_EQ(Code(Receive(swapped)), "saml.logout.signature_invalid");

  // An ECDSA SigAlg against an RSA certificate, and a forged SigAlg.
  RedirectSignSpec ec;
  ec.key = &IdpEcKey();
  ec.sig_alg = testing::kEcdsaSha256;
  EXPECT_EQ(Code(Receive(testing::RedirectQuery("SAMLRequest", xml, "", ec))),
            "saml.logout.algorithm");
  EXPECT_EQ(Code(Receive(testing::RedirectQuery("SAMLRequest", xml, "", ec), false,
                         CertificateSet{IdpEcKey().Certificate()})),
            "ok");

  // Rollover: any active certificate may have signed.
  RedirectSignSpec next;
  next.key = &IdpRolloverKey();
  EXPECT_EQ(
      Code(Receive(testing::RedirectQuery("SAMLRequest", xml, "", next), false,
                   CertificateSet{IdpRsaKey().Certificate(), IdpRolloverKey().Certificate()})),
      "ok");

  // A RelayState added after signing is not covered by the signature.
  const std::string signed_without = testing::RedirectQuery("SAMLRequest", xml, "");
  EXPECT_EQ(Code(Receive(signed_without + "&RelayState=evil")), "saml.logout.signature_invalid");
  EXPECT_EQ(Code(Receive(signed_without + "&SigAlg=x")), "saml.logout.duplicate_param");
  EXPECT_EQ(Code(Receive(signed_without.substr(0, signed_without.find("&Signature=")))),
            "saml.logout.partial_signature");
}

TEST(LogoutRequestReceive, RefusesWrongContent) {
  const auto check = [](IdpLogoutRequestSpec spec) {
    return Code(
        Receive(testing::RedirectQuery("SAMLRequest", testing::IdpLogoutRequestXml(spec), "")));
  };
  auto s = RequestSpec();
  s.destination = "https://chat.example.com/sso/other/slo";
  EXPECT_EQ(check(s), "saml.logout.destination_mismatch");
  s = RequestSpec();
  s.destination.clear();
  EXPECT_EQ(check(s), "saml.logout.missing_destination");
  s = RequestSpec();
  s.issuer = "https://evil.example.org/idp";
  EXPECT_EQ(check(s), "saml.logout.issuer_mismatch");
  s = RequestSpec();
  s.version = "1.1";
  EXPECT_EQ(check(s), "saml.logout.version");
  s = RequestSpec();
  s.id.clear();
  EXPECT_EQ(check(s), "saml.logout.missing_id");
  s = RequestSpec();
  s.not_on_or_after = kTestNow - 121;
  EXPECT_EQ(check(s), "saml.logout.expired");
  s.not_on_or_after = kTestNow - 100;  // within the clock skew
  EXPECT_EQ(check(s), "ok");
  s = RequestSpec();
  s.issue_instant = kTestNow + 121;
  EXPECT_EQ(check(s), "saml.logout.not_yet_valid");
  s = RequestSpec();
  s.issue_instant = kTestNow - kMaxLogoutMessageAge - 121;
  s.not_on_or_after.reset();
  EXPECT_EQ(check(s), "saml.logout.stale");
  s = RequestSpec();
  s.name_id.clear();
  EXPECT_EQ(check(s), "saml.logout.missing_name_id");

  // A LogoutResponse (or anything else) sent as SAMLRequest.
  IdpLogoutResponseSpec rs;
  rs.destination = kSlo;
  EXPECT_EQ(
      Code(Receive(testing::RedirectQuery("SAMLRequest", testing::IdpLogoutResponseXml(rs), ""))),
      "saml.logout.wrong_message");
  // Hardened parsing: a DOCTYPE is refused before anything is read.
  EXPECT_EQ(Code(Receive(testing::RedirectQuery(
                "SAMLRequest",
                "<!DOCTYPE x [<!ENTITY e \"gold\">]>" + testing::IdpLogoutRequestXml(RequestSpec()),
                ""))),
            "saml.xml.doctype");
}

TEST(LogoutRequestReceive, RefusesBrokenEncoding) {
  EXPECT_EQ(Code(Receive("RelayState=x")), "saml.logout.missing_message");
  EXPECT_EQ(Code(Receive("SAMLRequest=a&SAMLResponse=b")), "saml.logout.missing_message");
  EXPECT_EQ(Code(Receive("SAMLRequest=%zz")), "saml.logout.bad_query");
  EXPECT_EQ(Code(Receive("SAMLRequest=!!!!")), "saml.logout.bad_base64");
  EXPECT_EQ(Code(Receive("SAMLRequest=bm90IGRlZmxhdGU%3D")), "saml.logout.bad_deflate");
  // A DEFLATE bomb stops at the cap.
  const std::string bomb =
      testing::RedirectQuery("SAMLRequest", std::string(kMaxInflatedLogoutMessage + 1, ' '), "");
  EXPECT_EQ(Code(Receive(bomb)), "saml.logout.too_large");
}

TEST(LogoutResponseReceive, ChecksInResponseToAndStatus) {
  IdpLogoutResponseSpec s;
  s.destination = kSlo;
  s.in_response_to = "_ours";
  const auto parse = [](const IdpLogoutResponseSpec& spec, const std::string& expected) {
    auto msg = ParseRedirectQuery(
        testing::RedirectQuery("SAMLResponse", testing::IdpLogoutResponseXml(spec), "rs"));
    EXPECT_TRUE(msg);
    EXPECT_EQ(msg->kind, RedirectKind::kResponse);
    EXPECT_EQ(msg->relay_state, "rs");
    EXPECT_TRUE(VerifyRedirectMessage(*msg, IdpCerts(), false));
    return ParseLogoutResponse(msg->xml, Expect(), expected);
  };
  auto ok = parse(s, "_ours");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(ok->success());
  EXPECT_EQ(parse(s, "_other").error().code, "saml.logout.in_response_to");
  s.status = kStatusResponder;
  auto failed = parse(s, "_ours");
  ASSERT_TRUE(failed);
  EXPECT_FALSE(failed->success());
  s.status = kStatusSuccess;
  s.destination = "https://chat.example.com/sso/acs";
  EXPECT_EQ(parse(s, "_ours").error().code, "saml.logout.destination_mismatch");
}

// The SP's own LogoutResponse goes through the receive path of another SP
// (the same code with the roles swapped): what we send is what we accept.
TEST(LogoutRoundTrip, OurResponseVerifiesWithOurCertificate) {
  LogoutResponseParams p;
  p.sp_entity_id = kSpEntityId;
  p.destination = kSlo;
  p.in_response_to = "_idp-req";
  p.now = kTestNow;
  auto built = BuildLogoutResponse(p);
  ASSERT_TRUE(built);
  const crypto::PrivateKey key = SpKey().PrivateKey();
  auto url = EncodeRedirect(kSlo, RedirectKind::kResponse, built->xml, "echo me", &key);
  ASSERT_TRUE(url);
  auto msg = ParseRedirectQuery(testing::QueryOfUrl(*url));
  ASSERT_TRUE(msg) << msg.error().message;
  EXPECT_EQ(msg->relay_state, "echo me");
  EXPECT_TRUE(VerifyRedirectMessage(*msg, CertificateSet{SpKey().Certificate()}, false));
  EXPECT_EQ(VerifyRedirectMessage(*msg, IdpCerts(), false).error().code,
            "saml.logout.signature_invalid");
  LogoutExpectations e = Expect();
  e.idp_entity_id = kSpEntityId;
  auto parsed = ParseLogoutResponse(msg->xml, e, "_idp-req");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->success());
}

}  // namespace
}  // namespace vsso::saml
