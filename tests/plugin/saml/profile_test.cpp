// Positive paths of the Web Browser SSO profile (SAML Profiles 4.1): every
// shape of response a conforming IdP may send is accepted and read in full.
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "support/saml_expect.hpp"

namespace vsso::testing {
namespace {

using ProfileTest = SamlValidationTest;

TEST_F(ProfileTest, AssertionSignedOnlyIsAcceptedAndReadInFull) {
  ResponseBuilder builder;
  builder.NameId("alice@example.org").SessionIndex("_sess-42");
  std::string xml = builder.Build();
  auto result = Validate(xml);
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->name_id, "alice@example.org");
  EXPECT_EQ(result->name_id_format, kNameIdEmail);
  EXPECT_EQ(result->issuer, kIdpEntityId);
  EXPECT_EQ(result->response_id, builder.response_id());
  EXPECT_EQ(result->assertion_id, builder.assertion_id());
  EXPECT_EQ(result->session_index, "_sess-42");
  EXPECT_EQ(result->in_response_to, kRequestId);
  EXPECT_EQ(result->issue_instant, kTestNow);
  EXPECT_EQ(result->authn_instant, kTestNow - 5);
  EXPECT_EQ(result->session_not_on_or_after, kTestNow + 8 * 3600);
  EXPECT_EQ(result->assertion_not_on_or_after, kTestNow + 300);
  EXPECT_FALSE(result->was_encrypted);
}

TEST_F(ProfileTest, AssertionNotOnOrAfterIsTheEarlierOfConditionsAndBearer) {
  std::string xml =
      ResponseBuilder().NotOnOrAfter(kTestNow + 600).SubjectNotOnOrAfter(kTestNow + 200).Build();
  auto result = Validate(xml);
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->assertion_not_on_or_after, kTestNow + 200);
}

TEST_F(ProfileTest, NoSessionNotOnOrAfterMeansZero) {
  auto result = Validate(ResponseBuilder().SessionNotOnOrAfter(std::nullopt).Build());
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->session_not_on_or_after, 0);
}

TEST_F(ProfileTest, ResponseSignedOnlyIsAccepted) {
  std::string xml =
      ResponseBuilder().SignAssertion(std::nullopt).SignResponse(SignOptions{}).Build();
  const std::string open_tag = "<ds:Signature xmlns";
  ASSERT_EQ(xml.find(open_tag, xml.find(open_tag) + 1), std::string::npos);  // only one
  auto result = Validate(xml);
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->name_id, "alice@example.org");
}

TEST_F(ProfileTest, ResponseAndAssertionSignedIsAccepted) {
  auto result = Validate(ResponseBuilder().SignResponse(SignOptions{}).Build());
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->name_id, "alice@example.org");
}

TEST_F(ProfileTest, EcdsaP256SignatureIsAccepted) {
  context_.idp_certificates = {IdpEcKey().Certificate()};
  auto result =
      Validate(ResponseBuilder().SignAssertion(SignOptions().WithKey(IdpEcKey())).Build());
  ASSERT_TRUE(Accepted(result));
}

TEST_F(ProfileTest, RsaSha384AndSha512AreAccepted) {
  for (auto [method, digest] : {std::pair{kRsaSha384, kSha384}, std::pair{kRsaSha512, kSha512}}) {
    SCOPED_TRACE(method);
    auto result = Validate(
        ResponseBuilder().SignAssertion(SignOptions().WithAlgorithms(method, digest)).Build());
    EXPECT_TRUE(Accepted(result));
  }
}

TEST_F(ProfileTest, InclusiveC14nIsAccepted) {
  auto result =
      Validate(ResponseBuilder().SignAssertion(SignOptions().WithC14n(kInclC14n)).Build());
  ASSERT_TRUE(Accepted(result));
}

TEST_F(ProfileTest, NoKeyInfoAtAllVerifiesWithTheConfiguredCertificate) {
  std::string xml =
      ResponseBuilder().SignAssertion(SignOptions().WithKeyInfo(KeyInfoMode::kNone)).Build();
  ASSERT_EQ(xml.find("KeyInfo"), std::string::npos);
  ASSERT_TRUE(Accepted(Validate(xml)));
}

TEST_F(ProfileTest, CertificateRolloverEitherConfiguredCertificateMaySign) {
  context_.idp_certificates = {IdpRsaKey().Certificate(), IdpRolloverKey().Certificate()};
  EXPECT_TRUE(Accepted(Validate(ResponseBuilder().Build())));
  EXPECT_TRUE(Accepted(
      Validate(ResponseBuilder().SignAssertion(SignOptions().WithKey(IdpRolloverKey())).Build())));
  EXPECT_TRUE(Accepted(Validate(
      ResponseBuilder()
          .SignAssertion(std::nullopt)
          .SignResponse(SignOptions().WithKey(IdpRolloverKey()).WithKeyInfo(KeyInfoMode::kNone))
          .Build())));
}

TEST_F(ProfileTest, NamespacePrefixesDoNotMatter) {
  for (auto [protocol, assertion] :
       {std::pair{"samlp", "saml"}, std::pair{"p2", "a2"}, std::pair{"", "saml2"},
        std::pair{"samlp", ""}, std::pair{"", ""}}) {
    SCOPED_TRACE(std::string("protocol prefix '") + protocol + "', assertion prefix '" + assertion +
                 "'");
    auto result = Validate(ResponseBuilder()
                               .Prefixes(protocol, assertion)
                               .NameId("bob@example.org")
                               .Attribute({"mail", {"bob@example.org"}})
                               .SignResponse(SignOptions{})
                               .Build());
    ASSERT_TRUE(Accepted(result));
    EXPECT_EQ(result->name_id, "bob@example.org");
    ASSERT_EQ(result->attributes.size(), 1u);
    EXPECT_EQ(result->attributes[0].values, std::vector<std::string>{"bob@example.org"});
  }
}

TEST_F(ProfileTest, MultiValuedAttributesKeepDocumentOrder) {
  auto result =
      Validate(ResponseBuilder()
                   .Attribute({"urn:oid:0.9.2342.19200300.100.1.3", {"alice@example.org"}, "mail"})
                   .Attribute({"groups", {"zeta", "alpha", "mid", "alpha"}, "", ""})
                   .Attribute({"urn:oid:2.5.4.42", {"Alice"}, "givenName"})
                   .Build());
  ASSERT_TRUE(Accepted(result));
  ASSERT_EQ(result->attributes.size(), 3u);
  EXPECT_EQ(result->attributes[0].name, "urn:oid:0.9.2342.19200300.100.1.3");
  EXPECT_EQ(result->attributes[0].friendly_name, "mail");
  EXPECT_EQ(result->attributes[0].name_format, "urn:oasis:names:tc:SAML:2.0:attrname-format:uri");
  EXPECT_EQ(result->attributes[1].name, "groups");
  EXPECT_EQ(result->attributes[1].values,
            (std::vector<std::string>{"zeta", "alpha", "mid", "alpha"}));
  EXPECT_EQ(result->attributes[2].friendly_name, "givenName");
  EXPECT_EQ(result->attributes[2].values, std::vector<std::string>{"Alice"});
}

TEST_F(ProfileTest, NonAsciiAndXmlSpecialValuesRoundTrip) {
  const std::vector<std::string> values = {
      "Zoë Ångström-Müller", "東京都", "a<b>&c\"d'e", "]]>", "emoji \xF0\x9F\x98\x80",
      "&amp; stays literal"};
  auto result = Validate(ResponseBuilder()
                             .NameId("zoë@exämple.org")
                             .Attribute({"displayName", values, "Display Name"})
                             .Build());
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->name_id, "zoë@exämple.org");
  ASSERT_EQ(result->attributes.size(), 1u);
  EXPECT_EQ(result->attributes[0].values, values);
  EXPECT_EQ(result->attributes[0].friendly_name, "Display Name");
}

TEST_F(ProfileTest, NameIdIsTheFullTextContent) {
  const std::string persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
  const std::string value = "o'brien+chat&support@example.org.eu";
  auto result = Validate(ResponseBuilder().NameId(value, persistent).Build());
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->name_id, value);
  EXPECT_EQ(result->name_id_format, persistent);
}

TEST_F(ProfileTest, IdpInitiatedIsAcceptedWhenAllowed) {
  context_.expected_request_id = std::nullopt;
  context_.allow_unsolicited = true;
  auto result = Validate(ResponseBuilder().InResponseTo(std::nullopt).Build());
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->in_response_to, "");
}

TEST_F(ProfileTest, Sha1IsAcceptedWhenAllowed) {
  context_.allow_sha1 = true;
  auto result = Validate(
      ResponseBuilder().SignAssertion(SignOptions().WithAlgorithms(kRsaSha1, kSha1)).Build());
  ASSERT_TRUE(Accepted(result));
}

TEST_F(ProfileTest, ClockSkewToleratesSlightlyEarlyAndLateResponses) {
  context_.clock_skew_seconds = 120;
  // The IdP's clock runs 60 s ahead: NotBefore is in our future.
  EXPECT_TRUE(Accepted(
      Validate(ResponseBuilder().IssueInstant(kTestNow + 60).NotBefore(kTestNow + 60).Build())));
  // Delivered 60 s after NotOnOrAfter.
  EXPECT_TRUE(Accepted(Validate(
      ResponseBuilder().NotOnOrAfter(kTestNow - 60).SubjectNotOnOrAfter(kTestNow - 60).Build())));
}

// Every key transport and data cipher the validator allows: RSA-OAEP (both
// identifiers, XML-Enc 1.1 5.5.2) with AES-CBC or AES-GCM.
class EncryptedProfileTest
    : public SamlValidationTest,
      public ::testing::WithParamInterface<std::tuple<const char*, const char*>> {};

TEST_P(EncryptedProfileTest, EncryptedAssertionIsDecryptedAndRead) {
  auto [transport, cipher] = GetParam();
  for (bool sign_response : {false, true}) {
    SCOPED_TRACE(sign_response ? "assertion and response signed" : "assertion signed");
    ResponseBuilder builder;
    builder.NameId("carol@example.org")
        .Attribute({"role", {"member", "staff"}})
        .Encrypt(EncryptOptions().WithAlgorithms(transport, cipher));
    if (sign_response) builder.SignResponse(SignOptions{});
    std::string xml = builder.Build();
    ASSERT_NE(xml.find("EncryptedAssertion"), std::string::npos);
    ASSERT_EQ(xml.find("carol@example.org"), std::string::npos);
    auto result = Validate(xml);
    ASSERT_TRUE(Accepted(result));
    EXPECT_TRUE(result->was_encrypted);
    EXPECT_EQ(result->name_id, "carol@example.org");
    EXPECT_EQ(result->assertion_id, builder.assertion_id());
    ASSERT_EQ(result->attributes.size(), 1u);
    EXPECT_EQ(result->attributes[0].values, (std::vector<std::string>{"member", "staff"}));
  }
}

TEST_F(ProfileTest, EncryptedUnsignedAssertionInSignedResponseIsAccepted) {
  // SAML Profiles 4.1.3.5: the assertion may be protected by the Response's
  // signature, which covers the EncryptedAssertion.
  auto result = Validate(ResponseBuilder()
                             .SignAssertion(std::nullopt)
                             .Encrypt(EncryptOptions{})
                             .SignResponse(SignOptions{})
                             .Build());
  ASSERT_TRUE(Accepted(result));
  EXPECT_TRUE(result->was_encrypted);
}

INSTANTIATE_TEST_SUITE_P(
    Ciphers, EncryptedProfileTest,
    ::testing::Combine(::testing::Values(kRsaOaepMgf1p, kRsaOaep11),
                       ::testing::Values(kAes128Cbc, kAes256Cbc, kAes128Gcm, kAes256Gcm)),
    [](const auto& info) {
      std::string name = std::get<0>(info.param) == std::string(kRsaOaep11) ? "Oaep11_" : "Mgf1p_";
      std::string cipher = std::get<1>(info.param);
      return name + cipher.substr(cipher.find('#') + 1, 3) +
             cipher.substr(cipher.find('#') + 4, 3) + "_" + cipher.substr(cipher.rfind('-') + 1);
    });

}  // namespace
}  // namespace vsso::testing
