// One test per named attack on SAML Web Browser SSO. Every forged response is
// built from a genuine one signed by the test IdP, then altered the way an
// attacker would (string surgery, re-signing with his own key). Each test
// expects rejection for the right family of reasons; the few that must be
// accepted say why.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/database.hpp"
#include "store/replay_cache.hpp"
#include "support/saml_expect.hpp"

namespace vsso::testing {
namespace {

constexpr const char* kVictim = "alice@example.org";
constexpr const char* kEvil = "mallory@evil.example";

using AttackTest = SamlValidationTest;

// The genuine response every wrapping attack starts from.
struct Genuine {
  ResponseBuilder builder;
  std::string xml;
};

Genuine AssertionSigned() {
  Genuine g;
  g.builder.NameId(kVictim);
  g.xml = g.builder.Build();
  return g;
}

Genuine ResponseSigned() {
  Genuine g;
  g.builder.NameId(kVictim).SignAssertion(std::nullopt).SignResponse(SignOptions{});
  g.xml = g.builder.Build();
  return g;
}

std::string Evil(std::string element) { return ReplaceAll(std::move(element), kVictim, kEvil); }

// ---- XML Signature Wrapping (Somorovsky et al., "On Breaking SAML", 2012;
// variants numbered as in SAML Raider) ----------------------------------------

// XSW1: the document element becomes a forged Response (new ID, evil
// assertion); the genuine Response, its signature removed, is appended inside
// the forged Response's ds:Signature, where "#genuine-id" now resolves.
TEST_F(AttackTest, Xsw1ClonedResponseInsideSignature) {
  Genuine g = ResponseSigned();
  std::string genuine = RemoveElement(ExtractElement(g.xml, "samlp:Response"), "ds:Signature");
  std::string forged =
      Evil(ReplaceFirst(ExtractElement(g.xml, "samlp:Response"),
                        "ID=\"" + g.builder.response_id() + "\"", "ID=\"_evil-response\""));
  forged = ReplaceFirst(forged, "</ds:Signature>", genuine + "</ds:Signature>");
  EXPECT_TRUE(RejectedWith(Validate(forged), {"saml.structure", "saml.signature", "saml.id"}));
}

// XSW2: as XSW1, but the genuine unsigned Response clone is a sibling placed
// before the forged Response's ds:Signature (a detached signature).
TEST_F(AttackTest, Xsw2ClonedResponseBeforeSignature) {
  Genuine g = ResponseSigned();
  std::string genuine = RemoveElement(ExtractElement(g.xml, "samlp:Response"), "ds:Signature");
  std::string forged =
      Evil(ReplaceFirst(ExtractElement(g.xml, "samlp:Response"),
                        "ID=\"" + g.builder.response_id() + "\"", "ID=\"_evil-response\""));
  forged = InsertBefore(forged, "<ds:Signature", genuine);
  EXPECT_TRUE(RejectedWith(Validate(forged), {"saml.structure", "saml.signature", "saml.id"}));
}

// XSW3: a forged unsigned Assertion (new ID) is inserted before the genuine
// signed Assertion, as its sibling.
TEST_F(AttackTest, Xsw3ForgedAssertionBeforeSignedOne) {
  Genuine g = AssertionSigned();
  std::string forged =
      Evil(ReplaceFirst(RemoveElement(ExtractElement(g.xml, "saml:Assertion"), "ds:Signature"),
                        "ID=\"" + g.builder.assertion_id() + "\"", "ID=\"_evil-assertion\""));
  std::string xml = InsertBefore(g.xml, "<saml:Assertion", forged);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.structure", "saml.signature", "saml.id"}));
}

// XSW4: the forged unsigned Assertion takes the genuine one's place and
// carries the genuine signed Assertion as its last child.
TEST_F(AttackTest, Xsw4SignedAssertionInsideForgedOne) {
  Genuine g = AssertionSigned();
  std::string genuine = ExtractElement(g.xml, "saml:Assertion");
  std::string forged =
      Evil(ReplaceFirst(RemoveElement(genuine, "ds:Signature"),
                        "ID=\"" + g.builder.assertion_id() + "\"", "ID=\"_evil-assertion\""));
  forged = ReplaceFirst(forged, "</saml:Assertion>", genuine + "</saml:Assertion>");
  std::string xml = ReplaceFirst(g.xml, genuine, forged);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.structure", "saml.signature", "saml.id"}));
}

// XSW5: the signed Assertion itself is altered and given a new ID, keeping
// its ds:Signature; a copy of the genuine Assertion without the signature is
// appended at the end of the Response for "#genuine-id" to resolve to.
TEST_F(AttackTest, Xsw5AlteredSignedAssertionGenuineCopyAtEnd) {
  Genuine g = AssertionSigned();
  std::string genuine = ExtractElement(g.xml, "saml:Assertion");
  std::string copy = RemoveElement(genuine, "ds:Signature");
  std::string forged =
      Evil(ReplaceFirst(genuine, "ID=\"" + g.builder.assertion_id() + "\"", "ID=\"_evil\""));
  std::string xml = ReplaceFirst(g.xml, genuine, forged);
  xml = InsertBefore(xml, "</samlp:Response>", copy);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.structure", "saml.signature", "saml.id"}));
}

// XSW6: as XSW5, but the unsigned genuine copy is put inside the altered
// Assertion's ds:Signature.
TEST_F(AttackTest, Xsw6GenuineCopyInsideSignatureOfAlteredAssertion) {
  Genuine g = AssertionSigned();
  std::string genuine = ExtractElement(g.xml, "saml:Assertion");
  std::string copy = RemoveElement(genuine, "ds:Signature");
  std::string forged =
      Evil(ReplaceFirst(genuine, "ID=\"" + g.builder.assertion_id() + "\"", "ID=\"_evil\""));
  forged = ReplaceFirst(forged, "</ds:Signature>", copy + "</ds:Signature>");
  std::string xml = ReplaceFirst(g.xml, genuine, forged);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.structure", "saml.signature", "saml.id"}));
}

// XSW7: an Extensions element (no namespace, as SAML Raider writes it) holds a
// forged unsigned clone of the Assertion with the same ID, placed before the
// genuine signed Assertion.
TEST_F(AttackTest, Xsw7ForgedCloneInExtensionsBlock) {
  Genuine g = AssertionSigned();
  std::string forged = Evil(RemoveElement(ExtractElement(g.xml, "saml:Assertion"), "ds:Signature"));
  std::string xml =
      InsertBefore(g.xml, "<saml:Assertion", "<Extensions>" + forged + "</Extensions>");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.structure", "saml.signature", "saml.id"}));
}

// XSW8: the signed Assertion is altered in place (same ID) and its
// ds:Signature gets a ds:Object holding the genuine Assertion, signature
// removed, with the same ID.
TEST_F(AttackTest, Xsw8GenuineCopyInSignatureObject) {
  Genuine g = AssertionSigned();
  std::string genuine = ExtractElement(g.xml, "saml:Assertion");
  std::string copy = RemoveElement(genuine, "ds:Signature");
  std::string forged = ReplaceFirst(Evil(genuine), "</ds:Signature>",
                                    "<ds:Object>" + copy + "</ds:Object></ds:Signature>");
  std::string xml = ReplaceFirst(g.xml, genuine, forged);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.structure", "saml.signature", "saml.id"}));
}

// ---- Duplicate IDs -----------------------------------------------------------

// The Response carries the signed Assertion's ID: "#id" is ambiguous.
TEST_F(AttackTest, DuplicateIdResponseBeforeAssertion) {
  Genuine g = AssertionSigned();
  std::string xml = ReplaceFirst(g.xml, "ID=\"" + g.builder.response_id() + "\"",
                                 "ID=\"" + g.builder.assertion_id() + "\"");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.id.duplicate"}));
}

// A forged Assertion with the genuine ID after the genuine one.
TEST_F(AttackTest, DuplicateIdForgedAssertionAfterSignedOne) {
  Genuine g = AssertionSigned();
  std::string forged = Evil(RemoveElement(ExtractElement(g.xml, "saml:Assertion"), "ds:Signature"));
  std::string xml = InsertBefore(g.xml, "</samlp:Response>", forged);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.id.duplicate", "saml.structure"}));
}

// A forged Assertion with the genuine ID before the genuine one.
TEST_F(AttackTest, DuplicateIdForgedAssertionBeforeSignedOne) {
  Genuine g = AssertionSigned();
  std::string forged = Evil(RemoveElement(ExtractElement(g.xml, "saml:Assertion"), "ds:Signature"));
  std::string xml = InsertBefore(g.xml, "<saml:Assertion", forged);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.id.duplicate", "saml.structure"}));
}

// ---- Signed assertion hidden where nobody reads it ------------------------

TEST_F(AttackTest, SignedAssertionHiddenInStatusDetail) {
  Genuine g = AssertionSigned();
  std::string genuine = ExtractElement(g.xml, "saml:Assertion");
  std::string forged =
      Evil(ReplaceFirst(RemoveElement(genuine, "ds:Signature"),
                        "ID=\"" + g.builder.assertion_id() + "\"", "ID=\"_evil\""));
  std::string xml = ReplaceFirst(g.xml, genuine, forged);
  xml = InsertBefore(xml, "</samlp:Status>",
                     "<samlp:StatusDetail>" + genuine + "</samlp:StatusDetail>");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.structure", "saml.signature"}));
}

TEST_F(AttackTest, SignedAssertionHiddenInExtensions) {
  Genuine g = AssertionSigned();
  std::string genuine = ExtractElement(g.xml, "saml:Assertion");
  std::string forged =
      Evil(ReplaceFirst(RemoveElement(genuine, "ds:Signature"),
                        "ID=\"" + g.builder.assertion_id() + "\"", "ID=\"_evil\""));
  std::string xml = ReplaceFirst(g.xml, genuine, forged);
  xml = InsertBefore(xml, "<samlp:Status>", "<samlp:Extensions>" + genuine + "</samlp:Extensions>");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.structure", "saml.signature"}));
}

// ---- DigestValue smuggling (CVE-2024-45409, ruby-saml) ------------------------
// The assertion is altered; a DigestValue matching the altered assertion is
// placed outside SignedInfo, where a verifier that looks digests up by XPath
// instead of through SignedInfo finds it. SignedInfo still verifies.

std::string DigestOfAlteredAssertion(const ResponseBuilder& builder) {
  std::string altered = SignXmlString(Evil(builder.BuildUnsigned()), builder.assertion_id());
  std::string digest = ExtractElement(altered, "ds:DigestValue");
  return digest;
}

TEST_F(AttackTest, DigestValueSmuggledInSignatureObject) {
  Genuine g = AssertionSigned();
  std::string smuggled = DigestOfAlteredAssertion(g.builder);
  std::string xml = Evil(g.xml);
  xml = ReplaceFirst(xml, "</ds:Signature>",
                     "<ds:Object>" + smuggled + "</ds:Object></ds:Signature>");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature"}));
}

TEST_F(AttackTest, DigestValueSmuggledBeforeSignedInfo) {
  Genuine g = AssertionSigned();
  std::string smuggled = DigestOfAlteredAssertion(g.builder);
  std::string xml = Evil(g.xml);
  // In document order the smuggled value now comes first.
  xml = InsertBefore(xml, "</samlp:Status>",
                     "<samlp:StatusDetail>" + smuggled + "</samlp:StatusDetail>");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature"}));
}

TEST_F(AttackTest, DigestValueSmuggledNextToSignatureValue) {
  Genuine g = AssertionSigned();
  std::string smuggled = DigestOfAlteredAssertion(g.builder);
  std::string xml = InsertBefore(Evil(g.xml), "<ds:SignatureValue>", smuggled);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature"}));
}

// ---- Namespace confusion ------------------------------------------------------

// The signed Assertion's "saml" prefix is rebound to another URI: its
// elements are no longer SAML assertion elements (and no longer what was
// signed); a prefix-matching reader would still see saml:Assertion.
TEST_F(AttackTest, AssertionPrefixBoundToAnotherNamespace) {
  Genuine g = AssertionSigned();
  std::string xml =
      ReplaceFirst(g.xml, "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"",
                   "<saml:Assertion xmlns:saml=\"urn:example:not-saml\"");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.structure", "saml.signature"}));
}

// A forged assertion written with prefix "saml" bound to a foreign URI sits
// before the genuine one. Elements are matched by namespace URI, so it is not
// an assertion at all: either the response is refused or the identity is the
// genuine one, never the forged one.
TEST_F(AttackTest, ForgedAssertionInForeignNamespaceIsNeverRead) {
  Genuine g = AssertionSigned();
  std::string forged =
      ReplaceFirst(Evil(RemoveElement(ExtractElement(g.xml, "saml:Assertion"), "ds:Signature")),
                   "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"",
                   "xmlns:saml=\"urn:example:not-saml\"");
  forged = ReplaceFirst(forged, "ID=\"" + g.builder.assertion_id() + "\"", "ID=\"_evil\"");
  auto result = Validate(InsertBefore(g.xml, "<saml:Assertion", forged));
  if (result) {
    EXPECT_EQ(result->name_id, kVictim);
    EXPECT_EQ(result->assertion_id, g.builder.assertion_id());
  } else {
    EXPECT_TRUE(RejectedWith(result, {"saml.structure", "saml.signature"}));
  }
}

// ---- Comment injection (Duo Labs, 2018) -----------------------------------------
// The attacker registers "admin@example.org.evil.example" at the IdP, then
// splits the signed text with a comment. Comments are not signed (XML-DSig
// 4.3.3.3), so the signature holds: the identity must be the full text.

TEST_F(AttackTest, CommentInNameIdDoesNotTruncateIt) {
  const std::string registered = "admin@example.org.evil.example";
  std::string xml = ResponseBuilder().NameId(registered).Build();
  xml = ReplaceFirst(xml, ">admin@example.org.evil.example<",
                     ">admin@example.org<!---->.evil.example<");
  auto result = Validate(xml);
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->name_id, registered);
}

// The same split already present when the IdP signed (a comment inside
// signed text, e.g. from a directory value): still one NameID, full text.
TEST_F(AttackTest, CommentSignedInsideNameIdDoesNotTruncateIt) {
  std::string xml = ResponseBuilder()
                        .NameId("admin@evil.com")
                        .BeforeSigning([](std::string& unsigned_xml) {
                          unsigned_xml = ReplaceFirst(unsigned_xml, ">admin@evil.com<",
                                                      ">admin<!---->@evil.com<");
                        })
                        .Build();
  ASSERT_NE(xml.find("admin<!---->@evil.com"), std::string::npos);
  auto result = Validate(xml);
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->name_id, "admin@evil.com");
}

TEST_F(AttackTest, CommentInAttributeValueDoesNotTruncateIt) {
  std::string xml = ResponseBuilder().Attribute({"groups", {"staff-admins-not", "staff"}}).Build();
  xml = ReplaceFirst(xml, ">staff-admins-not<", ">staff-admins<!-- x -->-not<");
  auto result = Validate(xml);
  ASSERT_TRUE(Accepted(result));
  ASSERT_EQ(result->attributes.size(), 1u);
  EXPECT_EQ(result->attributes[0].values, (std::vector<std::string>{"staff-admins-not", "staff"}));
}

// ---- Parser attacks --------------------------------------------------------------

TEST_F(AttackTest, XxeExternalEntityIsRefused) {
  std::string xml = AssertionSigned().xml;
  xml = ReplaceFirst(xml, "<samlp:Response",
                     "<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
                     "<samlp:Response");
  xml = ReplaceFirst(xml, kVictim, "&xxe;");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.xml.doctype"}));
}

TEST_F(AttackTest, BillionLaughsIsRefused) {
  std::string dtd = "<!DOCTYPE samlp:Response [\n<!ENTITY lol0 \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    dtd += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) dtd += "&lol" + std::to_string(i - 1) + ";";
    dtd += "\">\n";
  }
  dtd += "]>\n";
  std::string xml = ReplaceFirst(AssertionSigned().xml, "<samlp:Response", dtd + "<samlp:Response");
  xml = ReplaceFirst(xml, kVictim, "&lol9;");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.xml.doctype"}));
}

TEST_F(AttackTest, OversizedResponseIsRefused) {
  context_.max_response_bytes = 16 * 1024;
  std::string xml = ResponseBuilder().Attribute({"padding", {std::string(20 * 1024, 'x')}}).Build();
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.xml.too_large"}));
}

// Deeper than any SAML message (the validator's limit is 64) but within
// libxml2's own limit of 256, so it is the validator that refuses it. The
// nesting goes into samlp:Extensions after signing: the assertion signature
// does not cover it.
TEST_F(AttackTest, DeepNestingIsRefused) {
  std::string deep = "<x:n xmlns:x=\"urn:example:deep\">";
  for (int i = 0; i < 200; ++i) deep += "<x:n>";
  for (int i = 0; i < 201; ++i) deep += "</x:n>";
  std::string xml =
      ResponseBuilder().ExtensionsXml("<x:placeholder xmlns:x=\"urn:example:deep\"/>").Build();
  xml = ReplaceFirst(xml, "<x:placeholder xmlns:x=\"urn:example:deep\"/>", deep);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.xml.too_deep"}));
}

TEST_F(AttackTest, NodeFloodIsRefused) {
  std::string flood = "<x:n xmlns:x=\"urn:example:flood\">";
  for (int i = 0; i < 30000; ++i) flood += "<x:m/>";
  flood += "</x:n>";
  std::string xml =
      ResponseBuilder().ExtensionsXml("<x:placeholder xmlns:x=\"urn:example:flood\"/>").Build();
  xml = ReplaceFirst(xml, "<x:placeholder xmlns:x=\"urn:example:flood\"/>", flood);
  ASSERT_LT(xml.size(), context_.max_response_bytes);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.xml.too_many_nodes"}));
}

// ---- Signature and key attacks -------------------------------------------------

TEST_F(AttackTest, SignatureStrippingIsRefused) {
  std::string xml =
      Evil(RemoveElement(ResponseBuilder().SignResponse(SignOptions{}).Build(), "ds:Signature", 1));
  xml = RemoveElement(xml, "ds:Signature");
  ASSERT_EQ(xml.find("Signature"), std::string::npos);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature.missing"}));
}

TEST_F(AttackTest, UnsignedResponseIsRefused) {
  EXPECT_TRUE(RejectedWith(Validate(ResponseBuilder().SignAssertion(std::nullopt).Build()),
                           {"saml.signature.missing"}));
}

// The attacker signs with his own key and ships his certificate in KeyInfo
// (same subject name as the IdP's); only configured certificates count.
TEST_F(AttackTest, KeySubstitutionThroughX509Certificate) {
  std::string xml =
      ResponseBuilder().NameId(kEvil).SignAssertion(SignOptions().WithKey(AttackerKey())).Build();
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature"}));
}

// Same with a bare RSAKeyValue, which xmlsec would use by default.
TEST_F(AttackTest, KeySubstitutionThroughBareRsaKeyValue) {
  std::string xml =
      ResponseBuilder()
          .NameId(kEvil)
          .SignAssertion(SignOptions().WithKey(AttackerKey()).WithKeyInfo(KeyInfoMode::kKeyValue))
          .Build();
  ASSERT_NE(xml.find("RSAKeyValue"), std::string::npos);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature"}));
}

// The attacker key with the IdP's genuine certificate in KeyInfo.
TEST_F(AttackTest, UntrustedKeyBehindGenuineCertificate) {
  std::string xml =
      ResponseBuilder()
          .NameId(kEvil)
          .SignAssertion(SignOptions()
                             .WithKey(AttackerKey())
                             .WithKeyInfo(KeyInfoMode::kX509Certificate, &IdpRsaKey()))
          .Build();
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature"}));
}

TEST_F(AttackTest, SignatureByUntrustedKeyWithoutKeyInfo) {
  std::string xml =
      ResponseBuilder()
          .NameId(kEvil)
          .SignAssertion(SignOptions().WithKey(AttackerKey()).WithKeyInfo(KeyInfoMode::kNone))
          .Build();
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature"}));
}

// HMAC keyed with the public certificate's DER bytes: anyone can compute it.
TEST_F(AttackTest, HmacKeyedWithPublicCertificate) {
  std::string xml = ResponseBuilder()
                        .NameId(kEvil)
                        .SignAssertion(SignOptions().WithHmacKey(IdpRsaKey().certificate_der()))
                        .Build();
  ASSERT_NE(xml.find(kHmacSha256), std::string::npos);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature.algorithm"}));
}

TEST_F(AttackTest, XPathTransformIsRefused) {
  std::string xml = ResponseBuilder()
                        .SignAssertion(SignOptions().WithExtraTransform(ExtraTransform::kXPath))
                        .Build();
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature.transform"}));
}

TEST_F(AttackTest, XsltTransformIsRefused) {
  std::string xml = ResponseBuilder()
                        .SignAssertion(SignOptions().WithExtraTransform(ExtraTransform::kXslt))
                        .Build();
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature.transform"}));
}

// URI="" signs the whole document, not the Assertion that holds the signature.
TEST_F(AttackTest, EmptyReferenceUriIsRefused) {
  std::string xml = ResponseBuilder().SignAssertion(SignOptions().WithReferenceUri("")).Build();
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature.reference_uri"}));
}

// The signature inside the Assertion references the Response (valid
// cryptographically: the enveloped transform removes it) instead of its parent.
TEST_F(AttackTest, ForeignReferenceUriIsRefused) {
  ResponseBuilder builder;
  builder.SignAssertion(SignOptions().WithReferenceUri("#" + builder.response_id()));
  EXPECT_TRUE(RejectedWith(Validate(builder.Build()), {"saml.signature.reference_uri"}));
}

TEST_F(AttackTest, ExternalReferenceUriIsRefused) {
  ResponseBuilder builder;
  std::string xml = ReplaceFirst(builder.Build(), "URI=\"#" + builder.assertion_id() + "\"",
                                 "URI=\"https://evil.example/assertion.xml\"");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature.reference_uri"}));
}

TEST_F(AttackTest, TamperingAfterSigningBreaksTheDigest) {
  std::string xml = Evil(AssertionSigned().xml);
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature.invalid"}));
}

TEST_F(AttackTest, Sha1IsRefusedUnlessAllowed) {
  std::string xml =
      ResponseBuilder().SignAssertion(SignOptions().WithAlgorithms(kRsaSha1, kSha1)).Build();
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature.algorithm"}));
}

TEST_F(AttackTest, Sha1DigestUnderSha256SignatureIsRefusedUnlessAllowed) {
  std::string xml =
      ResponseBuilder().SignAssertion(SignOptions().WithAlgorithms("", kSha1)).Build();
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.signature.algorithm"}));
}

// ---- Replay (SAML Profiles 4.1.4.5) ---------------------------------------------

TEST_F(AttackTest, ReplayIsRefusedSequentially) {
  std::string xml = AssertionSigned().xml;
  ASSERT_TRUE(Accepted(Validate(xml)));
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.replay.detected"}));
}

TEST_F(AttackTest, ReplayGuardMissingFailsClosed) {
  context_.replay = nullptr;
  EXPECT_TRUE(RejectedWith(Validate(AssertionSigned().xml), {"saml.replay.unavailable"}));
}

// The plugin's SQLite replay cache behind the validator's interface.
class StoreReplayGuard : public saml::ReplayGuard {
 public:
  explicit StoreReplayGuard(std::shared_ptr<store::Database> db)
      : cache_(std::move(db), "default") {}
  Result<bool> FirstUse(const std::string& assertion_id, const std::string& issuer,
                        UnixSeconds keep_until, UnixSeconds now) override {
    return cache_.FirstUse(assertion_id, issuer, keep_until, now);
  }

 private:
  store::ReplayCache cache_;
};

// Eight threads, each with its own connection to the same database, post the
// same response at once: exactly one is accepted.
TEST_F(AttackTest, ReplayIsRefusedConcurrently) {
  TempDir dir;
  const std::string path = (dir.path() / "replay.sqlite").string();
  std::string xml = AssertionSigned().xml;
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<StoreReplayGuard>> guards;
  for (int i = 0; i < kThreads; ++i) {
    auto db = store::Database::Open(path);
    ASSERT_TRUE(db) << db.error().code << ": " << db.error().message;
    guards.push_back(std::make_unique<StoreReplayGuard>(*db));
  }
  std::vector<std::string> outcomes(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      saml::ValidationContext context = context_;
      context.replay = guards[static_cast<std::size_t>(i)].get();
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      auto result = saml::ValidateResponse(xml, context);
      outcomes[static_cast<std::size_t>(i)] = result ? "accepted" : result.error().code;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), "accepted"), 1);
  for (const auto& outcome : outcomes) {
    if (outcome != "accepted") {
      EXPECT_EQ(outcome, "saml.replay.detected") << outcome;
    }
  }
}

// ---- Wrong parties -----------------------------------------------------------------

TEST_F(AttackTest, WrongResponseIssuerIsRefused) {
  auto result = Validate(ResponseBuilder()
                             .ResponseIssuer("https://evil.example/idp")
                             .SignResponse(SignOptions{})
                             .Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.issuer.mismatch"}));
}

TEST_F(AttackTest, WrongAssertionIssuerIsRefused) {
  auto result = Validate(ResponseBuilder().AssertionIssuer("https://evil.example/idp").Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.issuer.mismatch"}));
}

TEST_F(AttackTest, AssertionForAnotherAudienceIsRefused) {
  auto result = Validate(
      ResponseBuilder().AudienceRestriction({"https://other-sp.example/metadata"}).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.audience.mismatch"}));
}

// Conditions hold if every AudienceRestriction holds (SAML Core 2.5.1.4).
TEST_F(AttackTest, SecondAudienceRestrictionExcludingUsIsRefused) {
  auto result = Validate(ResponseBuilder()
                             .AudienceRestriction({kSpEntityId})
                             .AudienceRestriction({"https://other-sp.example/metadata"})
                             .Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.audience.mismatch"}));
}

TEST_F(AttackTest, WrongDestinationIsRefused) {
  auto result = Validate(ResponseBuilder()
                             .Destination("https://other-sp.example/acs")
                             .SignResponse(SignOptions{})
                             .Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.destination.mismatch"}));
}

TEST_F(AttackTest, WrongRecipientIsRefused) {
  auto result = Validate(ResponseBuilder().Recipient("https://other-sp.example/acs").Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.subject_confirmation.recipient"}));
}

// ---- Time ------------------------------------------------------------------------

TEST_F(AttackTest, ExpiredAssertionIsRefused) {
  context_.clock_skew_seconds = 0;
  auto result = Validate(ResponseBuilder().NotOnOrAfter(kTestNow).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.conditions.expired"}));
}

TEST_F(AttackTest, ExpiredBeyondSkewIsRefused) {
  context_.clock_skew_seconds = 120;
  auto result = Validate(ResponseBuilder().NotOnOrAfter(kTestNow - 121).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.conditions.expired"}));
}

TEST_F(AttackTest, ExpiredBearerConfirmationIsRefused) {
  context_.clock_skew_seconds = 120;
  auto result = Validate(ResponseBuilder().SubjectNotOnOrAfter(kTestNow - 121).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.subject_confirmation.expired"}));
}

TEST_F(AttackTest, NotYetValidAssertionIsRefused) {
  context_.clock_skew_seconds = 0;
  auto result = Validate(ResponseBuilder().NotBefore(kTestNow + 1).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.conditions.not_yet_valid"}));
}

TEST_F(AttackTest, NotYetValidBeyondSkewIsRefused) {
  context_.clock_skew_seconds = 120;
  auto result = Validate(ResponseBuilder().NotBefore(kTestNow + 121).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.conditions.not_yet_valid"}));
}

// ---- Request binding ---------------------------------------------------------------

TEST_F(AttackTest, InResponseToMismatchIsRefused) {
  auto result = Validate(ResponseBuilder().InResponseTo("_some-other-request").Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.in_response_to.mismatch"}));
}

TEST_F(AttackTest, InResponseToOnlyInBearerMismatchIsRefused) {
  auto result = Validate(ResponseBuilder().SubjectInResponseTo("_some-other-request").Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.subject_confirmation.in_response_to"}));
}

TEST_F(AttackTest, InResponseToMissingWhileRequestOutstandingIsRefused) {
  auto result = Validate(ResponseBuilder().InResponseTo(std::nullopt).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.in_response_to.missing"}));
}

TEST_F(AttackTest, UnsolicitedResponseIsRefusedWhenNotAllowed) {
  context_.expected_request_id = std::nullopt;
  context_.allow_unsolicited = false;
  auto result = Validate(ResponseBuilder().InResponseTo(std::nullopt).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.in_response_to.unsolicited"}));
}

// A response answering some request while none is outstanding for this post
// is not unsolicited: it belongs to another session.
TEST_F(AttackTest, SolicitedResponseWithoutOutstandingRequestIsRefused) {
  context_.expected_request_id = std::nullopt;
  context_.allow_unsolicited = true;
  auto result = Validate(ResponseBuilder().Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.in_response_to.unknown_request"}));
}

// ---- Structure and status ------------------------------------------------------------

TEST_F(AttackTest, TwoSignedAssertionsAreRefused) {
  Genuine first = AssertionSigned();
  Genuine second = AssertionSigned();
  std::string xml =
      InsertBefore(first.xml, "</samlp:Response>", ExtractElement(second.xml, "saml:Assertion"));
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.structure.assertion_count"}));
}

TEST_F(AttackTest, StatusNotSuccessSurfacesTheIdpStatus) {
  auto result =
      Validate(ResponseBuilder()
                   .Status("urn:oasis:names:tc:SAML:2.0:status:Responder", "Account locked",
                           "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed")
                   .SignResponse(SignOptions{})
                   .Build());
  ASSERT_TRUE(RejectedWith(result, {"saml.status.not_success"}));
  EXPECT_NE(result.error().message.find("Responder"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("AuthnFailed"), std::string::npos)
      << result.error().message;
}

// ---- Encryption ----------------------------------------------------------------------

TEST_F(AttackTest, EncryptedAssertionForAnotherKeyIsRefused) {
  auto result =
      Validate(ResponseBuilder().Encrypt(EncryptOptions().WithRecipient(AttackerKey())).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.decrypt.failed"}));
}

TEST_F(AttackTest, EncryptedAssertionWithoutSpKeyIsRefused) {
  context_.sp_private_key = std::nullopt;
  auto result = Validate(ResponseBuilder().Encrypt(EncryptOptions{}).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.decrypt.no_key"}));
}

// RSA PKCS#1 v1.5 key transport is open to Bleichenbacher-style oracles.
TEST_F(AttackTest, Rsa15KeyTransportIsRefused) {
  auto result = Validate(
      ResponseBuilder().Encrypt(EncryptOptions().WithAlgorithms(kRsa15, kAes256Cbc)).Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.decrypt.key_transport"}));
}

// Encryption is not authentication: anyone with the SP certificate can
// encrypt an assertion to it.
TEST_F(AttackTest, UnsignedEncryptedAssertionIsRefused) {
  auto result = Validate(ResponseBuilder()
                             .NameId(kEvil)
                             .SignAssertion(std::nullopt)
                             .Encrypt(EncryptOptions{})
                             .Build());
  EXPECT_TRUE(RejectedWith(result, {"saml.signature.missing"}));
}

}  // namespace
}  // namespace vsso::testing
