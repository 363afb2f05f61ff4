// Shapes real IdPs send (issue 14), through the whole validator with real
// signatures and real encryption: EncryptedID in the Subject (SAML Core
// 2.2.4), SPNameQualifier (Core 2.2.2), InResponseTo on the bearer
// confirmation only (Core 3.2.2, Profiles 4.1.4.2), entity IDs that are not
// URLs (Metadata 2.9 anyURI). The verdicts through the admin CLI are in
// tests/programs/outside_responses_test.cpp.
#include <string>

#include <gtest/gtest.h>

#include "support/saml_expect.hpp"

namespace vsso::testing {
namespace {

using IdpShapesTest = SamlValidationTest;

TEST_F(IdpShapesTest, EncryptedIdInASignedAssertionIsDecryptedAfterVerification) {
  for (bool sign_response : {false, true}) {
    SCOPED_TRACE(sign_response ? "assertion and response signed" : "assertion signed");
    ResponseBuilder builder;
    builder.NameId("carol@example.org").EncryptNameId(EncryptOptions{});
    if (sign_response) builder.SignResponse(SignOptions{});
    auto result = Validate(builder.Build());
    ASSERT_TRUE(Accepted(result));
    EXPECT_EQ(result->name_id, "carol@example.org");
    EXPECT_TRUE(result->name_id_was_encrypted);
    EXPECT_EQ(result->sp_name_qualifier, kSpEntityId);
  }
}

TEST_F(IdpShapesTest, EncryptedIdInAnEncryptedAssertion) {
  auto result = Validate(ResponseBuilder()
                             .NameId("dave@example.org")
                             .EncryptNameId(EncryptOptions{})
                             .Encrypt(EncryptOptions().WithAlgorithms(kRsaOaep11, kAes256Gcm))
                             .Build());
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->name_id, "dave@example.org");
  EXPECT_TRUE(result->was_encrypted);
  EXPECT_TRUE(result->name_id_was_encrypted);
}

TEST_F(IdpShapesTest, EncryptedIdUnderOnlyTheResponseSignature) {
  // Profiles 4.1.3.5: the Response's signature covers the assertion and the
  // EncryptedID inside it.
  auto result = Validate(ResponseBuilder()
                             .SignAssertion(std::nullopt)
                             .EncryptNameId(EncryptOptions{})
                             .SignResponse(SignOptions{})
                             .Build());
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->name_id, "alice@example.org");
}

TEST_F(IdpShapesTest, EncryptedIdIsNeverDecryptedBeforeTheSignatureVerified) {
  // A forged EncryptedID (encrypted to the SP's public certificate, which is
  // public) swapped into a genuinely signed assertion: the signature fails
  // first, so the forged identity is never decrypted or read.
  const std::string genuine = ResponseBuilder().EncryptNameId(EncryptOptions{}).Build();
  const std::string forged_source = ResponseBuilder()
                                        .SignAssertion(std::nullopt)
                                        .NameId("admin@example.org")
                                        .EncryptNameId(EncryptOptions{})
                                        .Build();
  const std::string forged = ReplaceFirst(genuine, ExtractElement(genuine, "saml:EncryptedID"),
                                          ExtractElement(forged_source, "saml:EncryptedID"));
  EXPECT_TRUE(RejectedWith(Validate(forged), {"saml.signature.invalid"}));

  // Garbage in a signed place is reported as a signature failure as well,
  // never as a decryption result (no decryption oracle before verification).
  const std::string garbage = ReplaceFirst(genuine, "<CipherValue>", "<CipherValue>AAAA");
  EXPECT_TRUE(RejectedWith(Validate(garbage), {"saml.signature.invalid"}));
}

TEST_F(IdpShapesTest, EncryptedIdInAnUnsignedAssertionIsNeverUsed) {
  const std::string xml =
      ResponseBuilder().SignAssertion(std::nullopt).EncryptNameId(EncryptOptions{}).Build();
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature.missing"}));
}

TEST_F(IdpShapesTest, EncryptedIdWithoutAnSpKeyIsRefused) {
  context_.sp_private_key.reset();
  EXPECT_TRUE(RejectedWith(Validate(ResponseBuilder().EncryptNameId(EncryptOptions{}).Build()),
                           {"saml.decrypt.no_key"}));
}

TEST_F(IdpShapesTest, EncryptedIdForAnotherKeyIsRefused) {
  EXPECT_TRUE(RejectedWith(
      Validate(
          ResponseBuilder().EncryptNameId(EncryptOptions().WithRecipient(AttackerKey())).Build()),
      {"saml.decrypt.failed"}));
}

TEST_F(IdpShapesTest, SpNameQualifierOfAnotherSpIsRefusedPlainOrEncrypted) {
  EXPECT_TRUE(RejectedWith(
      Validate(ResponseBuilder().NameIdQualifiers(std::nullopt, "urn:example:other").Build()),
      {"saml.subject.sp_name_qualifier"}));
  EXPECT_TRUE(RejectedWith(Validate(ResponseBuilder()
                                        .NameIdQualifiers(std::nullopt, "urn:example:other")
                                        .EncryptNameId(EncryptOptions{})
                                        .Build()),
                           {"saml.subject.sp_name_qualifier"}));
}

TEST_F(IdpShapesTest, InResponseToOnlyOnTheBearerConfirmationIsSolicited) {
  for (bool allow_unsolicited : {false, true}) {
    context_.allow_unsolicited = allow_unsolicited;
    auto result = Validate(
        ResponseBuilder().InResponseTo(std::nullopt).SubjectInResponseTo(kRequestId).Build());
    ASSERT_TRUE(Accepted(result));
    EXPECT_EQ(result->in_response_to, kRequestId);
  }
}

TEST_F(IdpShapesTest, EntityIdsThatAreNotUrls) {
  // ADFS relying-party identifier and an Okta-style urn issuer.
  context_.sp_entity_id = "my-chat";
  context_.idp_entity_id = "urn:example:idp:okta:exk1a2b3c4";
  auto result = Validate(ResponseBuilder()
                             .ResponseIssuer("urn:example:idp:okta:exk1a2b3c4")
                             .AssertionIssuer("urn:example:idp:okta:exk1a2b3c4")
                             .AudienceRestriction({"my-chat"})
                             .NameIdQualifiers(std::nullopt, "my-chat")
                             .Build());
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->issuer, "urn:example:idp:okta:exk1a2b3c4");
}

}  // namespace
}  // namespace vsso::testing
