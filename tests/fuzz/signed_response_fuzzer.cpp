// Fuzzes every rule after the signature: the input is a small program of
// edits to a valid Response (NameID, attributes, audiences, Conditions and
// SubjectConfirmationData times, InResponseTo, AuthnStatement, issuers,
// status, extra elements, signing and encryption choices, the SP's context).
// The test IdP (tests/support/test_idp.hpp) builds and SIGNS the result with
// a key the ValidationContext trusts, so ValidateResponse gets past
// VerifySignatures and the later rules see the mutated content.
//
// Input: a sequence of operations, each one letter (see kOps; any other byte
// picks one by value) followed by its arguments: strings end at a NUL byte
// (fuzz_input.hpp), choices are one byte, times are decimal offsets in
// seconds from the test's "now". The empty input is the valid response.
//
// Besides "no crash, no sanitizer error", the target checks what an accepted
// response must satisfy (SAML Profiles 4.1.4.2-4.1.4.3, Core 2.5.1): when the
// input used no raw XML surgery, the identity is exactly what was signed and
// every choice the SP must refuse (wrong Destination or Recipient, untrusted
// key, SHA-1 without allow_sha1, times outside the window, foreign audience,
// unexpected InResponseTo...) was refused; a second post is a replay.
// A violation aborts with the reason, which libFuzzer reports as a crash.
#include <libxml/globals.h>
#include <libxml/xmlerror.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "support/test_idp.hpp"

namespace {

using vsso::fuzz::FuzzInput;
namespace t = vsso::testing;

constexpr char kOps[] = "NAUBECRQqSsTIiDXPFMOGKYZHWV";
constexpr const char* kResponseId = "_fuzz-response-0001";
constexpr const char* kAssertionId = "_fuzz-assertion-0001";
constexpr const char* kAssertionDecl = " xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"";

// XML whitespace (XML 1.0 S), as the validator trims Issuer, Audience, NameID.
std::string Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return std::string(s.substr(begin, s.find_last_not_of(kSpace) - begin + 1));
}

// The fuzzed bytes as XML characters (XML 1.0 Char: UTF-8 without control
// characters, surrogates, U+FFFE/U+FFFF); anything else becomes '?'. Text no
// XML document can hold would only fail the test IdP's parser, and raw
// bytes reach the validator's parser through response_fuzzer already.
std::string XmlChars(const std::string& in) {
  std::string out;
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = len != 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(in[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) &&
         cp != 0xFFFE && cp != 0xFFFF && (cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r');
    if (ok) {
      out.append(in, i, len);
      i += len;
    } else {
      out += '?';
      ++i;
    }
  }
  return out;
}

// A string argument of an operation, as XML characters.
std::string Text(FuzzInput& in, std::size_t max = 256) { return XmlChars(in.String(max)); }

// Raw pieces a real IdP or an attacker might add; each declares the
// namespace it uses so it parses whatever prefixes the document has.
std::string Fragment(std::size_t which) {
  const std::string a = kAssertionDecl;
  const std::string now = t::FormatInstant(t::kTestNow);
  switch (which) {
    case 0:
      return "<saml:OneTimeUse" + a + "/>";
    case 1:
      return "<saml:ProxyRestriction" + a + " Count=\"1\"/>";
    case 2:
      return "<saml:Condition" + a + "/>";
    case 3:
      return "<saml:SubjectConfirmation" + a +
             " Method=\"urn:oasis:names:tc:SAML:2.0:cm:holder-of-key\">"
             "<saml:SubjectConfirmationData Recipient=\"" +
             std::string(t::kAcsUrl) + "\"/></saml:SubjectConfirmation>";
    case 4:
      return "<saml:SubjectConfirmation" + a +
             " Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">"
             "<saml:SubjectConfirmationData NotOnOrAfter=\"" +
             t::FormatInstant(t::kTestNow + 300) +
             "\" Recipient=\"https://evil.example/acs\"/></saml:SubjectConfirmation>";
    case 5:
      return "<saml:EncryptedID" + a + "/>";
    case 6:
      return "<saml:EncryptedAttribute" + a + "/>";
    case 7:
      return "<saml:Attribute" + a +
             "><saml:AttributeValue>x</saml:AttributeValue></saml:Attribute>";
    case 8:
      return "<saml:AuthnStatement" + a + " AuthnInstant=\"" + now + "\"/>";
    case 9:
      return "<saml:Conditions" + a + "/>";
    case 10:
      return "<!-- comment -->";
    case 11:
      return "<?pi data?>";
    case 12:
      return "<![CDATA[<x>]]>";
    case 13:
      return "<saml:Advice" + a + "><saml:Assertion ID=\"_inner\" Version=\"2.0\" IssueInstant=\"" +
             now +
             "\"><saml:Issuer>https://evil.example</saml:Issuer></saml:Assertion></saml:Advice>";
    case 14:
      return "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo/>"
             "</ds:Signature>";
    case 15:
      return "<saml:Subject" + a +
             "><saml:NameID>mallory@evil.example</saml:NameID></saml:Subject>";
    case 16:
      return "<saml:Assertion" + a + " ID=\"_second\" Version=\"2.0\" IssueInstant=\"" + now +
             "\"><saml:Issuer>" + std::string(t::kIdpEntityId) + "</saml:Issuer></saml:Assertion>";
    case 17:
      return "<saml:AudienceRestriction" + a +
             "><saml:Audience>https://other.example</saml:Audience>"
             "</saml:AudienceRestriction>";
    case 18:
      return "<saml:NameID" + a + ">second@example.org</saml:NameID>";
    default:
      return "<saml:Issuer" + a + ">https://evil.example</saml:Issuer>";
  }
}
constexpr std::size_t kFragments = 20;

// Element names (local) an 'O' operation may remove and an 'F' operation
// may insert into.
constexpr const char* kElements[] = {"Subject",
                                     "SubjectConfirmation",
                                     "SubjectConfirmationData",
                                     "Conditions",
                                     "AudienceRestriction",
                                     "AuthnStatement",
                                     "NameID",
                                     "Issuer",
                                     "AttributeStatement",
                                     "Assertion",
                                     "Audience",
                                     "AuthnContext"};
constexpr const char* kProtocolElements[] = {"Response", "Status", "StatusCode"};

// Attribute text an 'M' operation may replace.
constexpr const char* kTokens[] = {
    "Version=\"2.0\"",
    "Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"",
    "Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"",
    "Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\"",
    "xsi:type=\"xs:string\"",
    "AuthnInstant=\"",
    "IssueInstant=\"",
    "NotBefore=\"",
    "NotOnOrAfter=\"",
    "Recipient=\"",
    "SPNameQualifier=\"",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
};

struct Signer {
  std::size_t key = 0;  // kKeys index
  std::string hash = "sha256";
  std::string digest = t::kSha256;
  std::string c14n = t::kExcC14n;
  t::KeyInfoMode key_info = t::KeyInfoMode::kX509Certificate;
  bool foreign_key_info = false;
  t::ExtraTransform transform = t::ExtraTransform::kNone;
};
// 0, 1 are trusted by the context; 2, 3 are not; 4 is HMAC (never trusted).
constexpr std::size_t kKeys = 5;
bool Trusted(const Signer& s) { return s.key <= 1; }
bool UsesSha1(const Signer& s) { return s.hash == "sha1" || s.digest == t::kSha1; }

t::SignOptions ToOptions(const Signer& s) {
  t::SignOptions o;
  if (s.key == 4) {
    o.WithHmacKey("fuzz-hmac-key-0123456789abcdef");
    o.signature_method = "http://www.w3.org/2000/09/xmldsig#hmac-" + s.hash;
    if (s.hash != "sha1")
      o.signature_method = "http://www.w3.org/2001/04/xmldsig-more#hmac-" + s.hash;
  } else {
    const t::TestKey* keys[] = {&t::IdpRsaKey(), &t::IdpEcKey(), &t::IdpRolloverKey(),
                                &t::AttackerKey()};
    o.WithKey(*keys[s.key]);
    const bool ec = s.key == 1;
    o.signature_method = std::string(ec ? "http://www.w3.org/2001/04/xmldsig-more#ecdsa-"
                                        : "http://www.w3.org/2001/04/xmldsig-more#rsa-") +
                         s.hash;
    if (s.hash == "sha1") {
      o.signature_method = ec ? "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1" : t::kRsaSha1;
    }
    o.WithKeyInfo(s.key_info, s.foreign_key_info ? &t::AttackerKey() : nullptr);
  }
  o.digest_method = s.digest;
  o.c14n_method = s.c14n;
  o.extra_transform = s.transform;
  return o;
}

struct Attr {
  std::string name, friendly, format;
  std::vector<std::string> values;
};

// Everything the input chose, kept to predict what an accepted response
// must look like.
struct Plan {
  bool raw = false;  // XML surgery: the predictions below no longer hold
  std::string name_id = "alice@example.org";
  std::string name_id_format = t::kNameIdEmail;
  std::vector<Attr> attributes;
  std::vector<std::vector<std::string>> audiences{{t::kSpEntityId}};
  bool audiences_replaced = false;
  vsso::UnixSeconds not_before = t::kTestNow - 30;
  vsso::UnixSeconds not_on_or_after = t::kTestNow + 300;
  vsso::UnixSeconds subject_not_on_or_after = t::kTestNow + 300;
  std::string recipient = t::kAcsUrl;
  std::optional<std::string> in_response_to = std::string(t::kRequestId);
  std::optional<std::string> subject_in_response_to = std::string(t::kRequestId);
  std::string session_index = "_session-7d1e3c";
  std::optional<vsso::UnixSeconds> session_not_on_or_after = t::kTestNow + 8 * 3600;
  vsso::UnixSeconds issue_instant = t::kTestNow;
  std::string assertion_issuer = t::kIdpEntityId;
  std::optional<std::string> response_issuer = std::string(t::kIdpEntityId);
  std::optional<std::string> destination = std::string(t::kAcsUrl);
  std::string status = t::kStatusSuccess;
  std::string status_message, second_status;
  std::string protocol_prefix = "samlp", assertion_prefix = "saml";
  std::optional<Signer> sign_assertion = Signer{};
  std::optional<Signer> sign_response;
  std::optional<t::EncryptOptions> encrypt;
  bool encrypt_to_sp = true;
  // The NameID as an EncryptedID (SAML Core 2.2.4), and its SPNameQualifier.
  std::optional<t::EncryptOptions> encrypt_name_id;
  bool name_id_to_sp = true;
  std::optional<std::string> sp_name_qualifier = std::string(t::kSpEntityId);
  std::string response_id = kResponseId, assertion_id = kAssertionId;
  std::string extensions;
  std::vector<std::function<void(std::string&, const Plan&)>> edits;
  // The SP side.
  std::optional<std::string> expected_request_id = std::string(t::kRequestId);
  bool allow_unsolicited = false;
  bool allow_sha1 = false;
  std::int64_t skew = 120;
  vsso::UnixSeconds now = t::kTestNow;
};

std::string Qname(const std::string& prefix, const char* local) {
  return prefix.empty() ? std::string(local) : prefix + ":" + local;
}

std::optional<std::string> PickOptionalId(FuzzInput& in) {
  switch (in.Pick(4)) {
    case 0:
      return std::nullopt;
    case 1:
      return std::string(t::kRequestId);
    case 2:
      return std::string("_other-request");
    default:
      return Text(in);
  }
}

Signer ReadSigner(FuzzInput& in) {
  Signer s;
  s.key = in.Pick(kKeys);
  static const char* const kHashes[] = {"sha256", "sha1", "sha384", "sha512"};
  s.hash = kHashes[in.Pick(4)];
  static const char* const kDigests[] = {t::kSha256, t::kSha1, t::kSha384, t::kSha512};
  s.digest = kDigests[in.Pick(4)];
  static const std::string kC14n[] = {t::kExcC14n, t::kExcC14nWithComments, t::kInclC14n,
                                      std::string(t::kInclC14n) + "#WithComments"};
  s.c14n = kC14n[in.Pick(4)];
  const std::size_t key_info = in.Pick(4);
  s.key_info = key_info == 1   ? t::KeyInfoMode::kNone
               : key_info == 2 ? t::KeyInfoMode::kKeyValue
                               : t::KeyInfoMode::kX509Certificate;
  s.foreign_key_info = key_info == 3;
  const std::size_t transform = in.Pick(8);
  s.transform = transform == 6   ? t::ExtraTransform::kXPath
                : transform == 7 ? t::ExtraTransform::kXslt
                                 : t::ExtraTransform::kNone;
  return s;
}

void Apply(char op, FuzzInput& in, Plan& p) {
  const auto offset = [&] { return in.Decimal(-100'000'000'000, 100'000'000'000); };
  switch (op) {
    case 'N': {
      p.name_id = Text(in);
      static const char* const kFormats[] = {
          t::kNameIdEmail, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
          "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
          "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"};
      const std::size_t f = in.Pick(5);
      p.name_id_format = f < 4 ? kFormats[f] : Text(in);
      break;
    }
    case 'A': {
      Attr a;
      a.name = Text(in);
      a.friendly = Text(in);
      static const char* const kFormats[] = {"urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                                             "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
                                             ""};
      const std::size_t f = in.Pick(4);
      a.format = f < 3 ? kFormats[f] : Text(in);
      for (std::size_t n = in.Pick(4); n > 0; --n) a.values.push_back(Text(in));
      p.attributes.push_back(std::move(a));
      break;
    }
    case 'U': {
      std::vector<std::string> list;
      for (std::size_t n = in.Pick(4); n > 0; --n) {
        switch (in.Pick(3)) {
          case 0:
            list.push_back(t::kSpEntityId);
            break;
          case 1:
            list.push_back(std::string(" ") + t::kSpEntityId + "\n");
            break;
          default:
            list.push_back(Text(in));
        }
      }
      if (!p.audiences_replaced) p.audiences.clear();
      p.audiences_replaced = true;
      p.audiences.push_back(std::move(list));
      break;
    }
    case 'B':
      p.not_before = t::kTestNow + offset();
      break;
    case 'E':
      p.not_on_or_after = t::kTestNow + offset();
      break;
    case 'C':
      p.subject_not_on_or_after = t::kTestNow + offset();
      break;
    case 'R':
      p.recipient = in.Bool() ? Text(in) : std::string(t::kAcsUrl);
      break;
    case 'Q':
      p.in_response_to = PickOptionalId(in);
      p.subject_in_response_to = p.in_response_to;
      break;
    case 'q':
      p.subject_in_response_to = PickOptionalId(in);
      break;
    case 'S':
      p.session_index = Text(in);
      break;
    case 's':
      if (in.Bool()) {
        p.session_not_on_or_after = t::kTestNow + offset();
      } else {
        p.session_not_on_or_after.reset();
      }
      break;
    case 'T':
      p.issue_instant = t::kTestNow + offset();
      break;
    case 'I':
      switch (in.Pick(3)) {
        case 0:
          p.assertion_issuer = t::kIdpEntityId;
          break;
        case 1:
          p.assertion_issuer = std::string("\n ") + t::kIdpEntityId + " ";
          break;
        default:
          p.assertion_issuer = Text(in);
      }
      break;
    case 'i':
      switch (in.Pick(3)) {
        case 0:
          p.response_issuer.reset();
          break;
        case 1:
          p.response_issuer = t::kIdpEntityId;
          break;
        default:
          p.response_issuer = Text(in);
      }
      break;
    case 'D':
      switch (in.Pick(3)) {
        case 0:
          p.destination.reset();
          break;
        case 1:
          p.destination = t::kAcsUrl;
          break;
        default:
          p.destination = Text(in);
      }
      break;
    case 'X': {
      static const char* const kCodes[] = {t::kStatusSuccess,
                                           "urn:oasis:names:tc:SAML:2.0:status:Requester",
                                           "urn:oasis:names:tc:SAML:2.0:status:Responder"};
      const std::size_t c = in.Pick(4);
      p.status = c < 3 ? kCodes[c] : Text(in);
      p.status_message = Text(in);
      switch (in.Pick(3)) {
        case 0:
          p.second_status.clear();
          break;
        case 1:
          p.second_status = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed";
          break;
        default:
          p.second_status = Text(in);
      }
      break;
    }
    case 'P': {
      static const char* const kPairs[][2] = {{"samlp", "saml"}, {"", "saml"},        {"samlp", ""},
                                              {"p", "a"},        {"saml2p", "saml2"}, {"", ""}};
      const auto& pair = kPairs[in.Pick(6)];
      p.protocol_prefix = pair[0];
      p.assertion_prefix = pair[1];
      break;
    }
    case 'F': {
      // Insert a piece of XML after the start tag of an element, or before
      // its end tag.
      const bool protocol = in.Pick(4) == 0;
      const char* local = protocol ? kProtocolElements[in.Pick(std::size(kProtocolElements))]
                                   : kElements[in.Pick(std::size(kElements))];
      const bool at_end = in.Bool();
      const std::size_t which = in.Pick(kFragments + 1);
      const std::string fragment = which < kFragments ? Fragment(which) : Text(in, 1024);
      p.raw = true;
      p.edits.push_back([=](std::string& xml, const Plan& plan) {
        const std::string q = Qname(protocol ? plan.protocol_prefix : plan.assertion_prefix, local);
        xml = at_end ? t::InsertBefore(xml, "</" + q + ">", fragment)
                     : t::InsertAfterStartTag(xml, q, fragment);
      });
      break;
    }
    case 'M': {
      const char* token = kTokens[in.Pick(std::size(kTokens))];
      const std::string replacement = Text(in);
      p.raw = true;
      p.edits.push_back(
          [=](std::string& xml, const Plan&) { xml = t::ReplaceFirst(xml, token, replacement); });
      break;
    }
    case 'O': {
      const bool protocol = in.Pick(4) == 0;
      const char* local =
          protocol ? kProtocolElements[1 + in.Pick(2)] : kElements[in.Pick(std::size(kElements))];
      const std::size_t n = in.Pick(2);
      p.raw = true;
      p.edits.push_back([=](std::string& xml, const Plan& plan) {
        xml = t::RemoveElement(
            xml, Qname(protocol ? plan.protocol_prefix : plan.assertion_prefix, local), n);
      });
      break;
    }
    case 'G':
      switch (in.Pick(4)) {
        case 0:
          p.sign_assertion = ReadSigner(in);
          break;
        case 1:
          p.sign_response = ReadSigner(in);
          break;
        case 2:
          p.sign_assertion.reset();
          break;
        default:
          p.sign_response.reset();
      }
      break;
    case 'K': {
      if (!in.Bool()) {
        p.encrypt.reset();
        break;
      }
      static const char* const kTransports[] = {t::kRsaOaepMgf1p, t::kRsaOaep11, t::kRsa15};
      static const char* const kData[] = {t::kAes256Cbc, t::kAes128Cbc, t::kAes128Gcm,
                                          t::kAes256Gcm};
      // One statement each: argument evaluation order differs between compilers.
      const char* transport = kTransports[in.Pick(3)];
      const char* data_algorithm = kData[in.Pick(4)];
      t::EncryptOptions e;
      e.WithAlgorithms(transport, data_algorithm);
      p.encrypt_to_sp = in.Pick(4) != 0;
      if (!p.encrypt_to_sp) e.WithRecipient(t::AttackerKey());
      p.encrypt = e;
      break;
    }
    case 'Y':
      switch (in.Pick(5)) {
        case 0:
          p.expected_request_id = PickOptionalId(in);
          break;
        case 1:
          p.allow_unsolicited = in.Bool();
          break;
        case 2:
          p.allow_sha1 = in.Bool();
          break;
        case 3:
          p.skew = in.Decimal(0, 86400);
          break;
        default:
          p.now = t::kTestNow + offset();
      }
      break;
    case 'Z': {
      std::string id = Text(in);
      p.raw = true;  // the test IdP signs by ID; odd IDs change what is covered
      (in.Bool() ? p.response_id : p.assertion_id) = id.empty() ? "_" : id;
      break;
    }
    case 'H':
      p.extensions = Text(in, 1024);
      p.raw = true;
      break;
    case 'W': {
      if (!in.Bool()) {
        p.encrypt_name_id.reset();
        break;
      }
      static const char* const kTransports[] = {t::kRsaOaepMgf1p, t::kRsaOaep11, t::kRsa15};
      static const char* const kData[] = {t::kAes256Cbc, t::kAes128Cbc, t::kAes128Gcm,
                                          t::kAes256Gcm};
      const char* transport = kTransports[in.Pick(3)];
      const char* data_algorithm = kData[in.Pick(4)];
      t::EncryptOptions e;
      e.WithAlgorithms(transport, data_algorithm);
      p.name_id_to_sp = in.Pick(4) != 0;
      if (!p.name_id_to_sp) e.WithRecipient(t::AttackerKey());
      p.encrypt_name_id = e;
      break;
    }
    case 'V':
      switch (in.Pick(4)) {
        case 0:
          p.sp_name_qualifier.reset();
          break;
        case 1:
          p.sp_name_qualifier = t::kSpEntityId;
          break;
        case 2:
          p.sp_name_qualifier = "https://other-sp.example";
          break;
        default:
          p.sp_name_qualifier = Text(in);
      }
      break;
  }
}

// The edits refer to `p`, which must outlive the builder.
t::ResponseBuilder MakeBuilder(const Plan& p) {
  t::ResponseBuilder b;
  b.ResponseId(p.response_id).AssertionId(p.assertion_id).IssueInstant(p.issue_instant);
  b.ResponseIssuer(p.response_issuer).AssertionIssuer(p.assertion_issuer);
  b.Destination(p.destination).InResponseTo(p.in_response_to);
  b.SubjectInResponseTo(p.subject_in_response_to);
  b.Status(p.status, p.status_message, p.second_status).ExtensionsXml(p.extensions);
  b.NameId(p.name_id, p.name_id_format).Recipient(p.recipient);
  b.NameIdQualifiers(std::nullopt, p.sp_name_qualifier).EncryptNameId(p.encrypt_name_id);
  b.SubjectNotOnOrAfter(p.subject_not_on_or_after);
  b.NotBefore(p.not_before).NotOnOrAfter(p.not_on_or_after);
  for (const auto& list : p.audiences) b.AudienceRestriction(list);
  b.SessionIndex(p.session_index).SessionNotOnOrAfter(p.session_not_on_or_after);
  for (const Attr& a : p.attributes) b.Attribute({a.name, a.values, a.friendly, a.format});
  b.Prefixes(p.protocol_prefix, p.assertion_prefix);
  b.SignAssertion(p.sign_assertion ? std::optional(ToOptions(*p.sign_assertion)) : std::nullopt);
  b.SignResponse(p.sign_response ? std::optional(ToOptions(*p.sign_response)) : std::nullopt);
  b.Encrypt(p.encrypt);
  for (const auto& edit : p.edits) {
    b.BeforeSigning([&p, &edit](std::string& xml) { edit(xml, p); });
  }
  return b;
}

[[noreturn]] void Violation(const std::string& what, const std::string& xml) {
  std::fprintf(stderr, "signed_response_fuzzer: INVARIANT VIOLATED: %s\n--- response ---\n%s\n",
               what.c_str(), xml.c_str());
  std::abort();
}

void Check(bool ok, const char* what, const std::string& xml) {
  if (!ok) Violation(what, xml);
}

// What every accepted response satisfies, whatever the input did.
void CheckAlways(const vsso::saml::Identity& id, const Plan& p, const std::string& xml) {
  Check(id.issuer == t::kIdpEntityId, "accepted an assertion from another issuer", xml);
  Check(!id.name_id.empty(), "accepted an empty NameID", xml);
  Check(id.assertion_not_on_or_after != 0, "accepted a bearer assertion without expiry", xml);
  Check(p.now - p.skew < id.assertion_not_on_or_after, "accepted an expired assertion", xml);
  Check(id.session_not_on_or_after == 0 || p.now - p.skew < id.session_not_on_or_after,
        "accepted after the IdP session ended", xml);
  if (p.expected_request_id) {
    Check(id.in_response_to.empty() || id.in_response_to == *p.expected_request_id,
          "in_response_to is not the outstanding request", xml);
  } else {
    Check(id.in_response_to.empty(), "in_response_to set with no request outstanding", xml);
  }
  Check(p.allow_unsolicited || !id.in_response_to.empty(),
        "accepted an unsolicited response with allow_idp_initiated = false", xml);
}

// What an accepted response satisfies when the plan describes it exactly.
void CheckPlan(const vsso::saml::Identity& id, const Plan& p, const std::string& xml) {
  Check(p.sign_assertion || p.sign_response, "accepted an unsigned response", xml);
  for (const auto& s : {p.sign_assertion, p.sign_response}) {
    if (!s) continue;
    Check(Trusted(*s), "accepted a signature by an untrusted key", xml);
    Check(p.allow_sha1 || !UsesSha1(*s), "accepted SHA-1 with allow_sha1 = false", xml);
    Check(s->transform == t::ExtraTransform::kNone, "accepted an XPath/XSLT transform", xml);
  }
  Check(!p.encrypt || p.encrypt_to_sp, "accepted an assertion encrypted to another key", xml);
  Check(!p.encrypt_name_id || p.name_id_to_sp, "accepted a NameID encrypted to another key", xml);
  Check(!p.sp_name_qualifier || *p.sp_name_qualifier == t::kSpEntityId,
        "accepted a NameID whose SPNameQualifier names another SP", xml);
  Check(p.status == t::kStatusSuccess, "accepted a non-Success status", xml);
  Check(p.destination == std::optional<std::string>(t::kAcsUrl), "accepted a wrong Destination",
        xml);
  Check(p.recipient == t::kAcsUrl, "accepted a wrong Recipient", xml);
  Check(Trim(p.assertion_issuer) == t::kIdpEntityId, "accepted a wrong assertion Issuer", xml);
  Check(!p.response_issuer || Trim(*p.response_issuer) == t::kIdpEntityId,
        "accepted a wrong Response Issuer", xml);
  Check(p.not_before <= p.now + p.skew, "accepted before NotBefore", xml);
  Check(p.now - p.skew < p.not_on_or_after, "accepted after Conditions NotOnOrAfter", xml);
  Check(p.now - p.skew < p.subject_not_on_or_after,
        "accepted after SubjectConfirmationData NotOnOrAfter", xml);
  Check(!p.session_not_on_or_after || p.now - p.skew < *p.session_not_on_or_after,
        "accepted after SessionNotOnOrAfter", xml);
  for (const auto& list : p.audiences) {
    bool found = false;
    for (const auto& audience : list) found = found || Trim(audience) == t::kSpEntityId;
    Check(found, "accepted an AudienceRestriction without this SP", xml);
  }
  // InResponseTo (Profiles 4.1.4.2, 4.1.5, Core 3.2.2): the request answered
  // is the Response's InResponseTo, or when it has none (it is optional) the
  // bearer confirmation's; it must be the outstanding one, and the bearer
  // confirmation must name it too. Neither: an allowed unsolicited response.
  const auto& r = p.in_response_to ? p.in_response_to : p.subject_in_response_to;
  if (r) {
    Check(p.expected_request_id == r, "accepted an InResponseTo that is not outstanding", xml);
  } else {
    Check(p.allow_unsolicited, "accepted a response without InResponseTo", xml);
  }
  Check(p.subject_in_response_to == r,
        "accepted a SubjectConfirmationData InResponseTo that differs from the Response's", xml);
  Check(id.in_response_to == r.value_or(""), "in_response_to is not what was signed", xml);
  // The identity is exactly what was signed.
  Check(id.name_id == Trim(p.name_id), "name_id differs from the signed NameID", xml);
  Check(id.name_id_format == p.name_id_format, "name_id_format differs", xml);
  Check(id.session_index == p.session_index, "session_index differs", xml);
  Check(id.session_not_on_or_after == p.session_not_on_or_after.value_or(0),
        "session_not_on_or_after differs", xml);
  Check(id.was_encrypted == p.encrypt.has_value(), "was_encrypted is wrong", xml);
  Check(id.name_id_was_encrypted == p.encrypt_name_id.has_value(), "name_id_was_encrypted is wrong",
        xml);
  Check(id.sp_name_qualifier == p.sp_name_qualifier.value_or(""), "sp_name_qualifier differs", xml);
  Check(id.response_id == p.response_id && id.assertion_id == p.assertion_id, "IDs differ", xml);
  Check(id.attributes.size() == p.attributes.size(), "attribute count differs", xml);
  for (std::size_t i = 0; i < p.attributes.size(); ++i) {
    const auto& got = id.attributes[i];
    const auto& want = p.attributes[i];
    Check(got.name == want.name && got.friendly_name == want.friendly &&
              got.name_format == want.format && got.values == want.values,
          "an attribute differs from what was signed", xml);
  }
}

// libxml2 reports the test IdP's parse failures of deliberately broken
// input on stderr; they are expected here and would drown libFuzzer's output.
void IgnoreXmlError(void*, const char*, ...) {}

struct QuietXml {
  xmlGenericErrorFunc saved = xmlGenericError;
  void* saved_context = xmlGenericErrorContext;
  QuietXml() { xmlSetGenericErrorFunc(nullptr, IgnoreXmlError); }
  ~QuietXml() { xmlSetGenericErrorFunc(saved_context, saved); }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Key generation costs ~100 ms each: once per process, not per input.
  vsso::saml::InitializeXmlLibraries();
  t::IdpRsaKey();
  t::IdpEcKey();
  t::IdpRolloverKey();
  t::AttackerKey();
  t::SpKey();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<vsso::crypto::Certificate> trusted = {t::IdpRsaKey().Certificate(),
                                                                 t::IdpEcKey().Certificate()};
  static const vsso::crypto::PrivateKey sp_key = t::SpKey().PrivateKey();

  FuzzInput in(data, size);
  Plan plan;
  for (int ops = 0; !in.empty() && ops < 64; ++ops) {
    const std::uint8_t byte = in.Byte();
    const char* found =
        std::char_traits<char>::find(kOps, sizeof kOps - 1, static_cast<char>(byte));
    Apply(found != nullptr ? *found : kOps[byte % (sizeof kOps - 1)], in, plan);
  }

  std::string xml;
  const t::ResponseBuilder builder = MakeBuilder(plan);
  try {
    QuietXml quiet;
    xml = builder.Build();
  } catch (const std::exception& e) {
    // The test IdP could not build it (XML that does not parse, an
    // algorithm xmlsec lacks, ...): not an input worth keeping.
    static const bool debug = std::getenv("VSSO_FUZZ_DEBUG") != nullptr;
    if (debug) {
      std::fprintf(stderr, "signed_response_fuzzer: not built: %s\n", e.what());
      try {
        std::fprintf(stderr, "%s\n", builder.BuildUnsigned().c_str());
      } catch (const std::exception&) {
      }
    }
    return -1;
  }

  t::MemoryReplayGuard replay;  // fresh per input: runs stay reproducible
  vsso::saml::ValidationContext context;
  context.now = plan.now;
  context.clock_skew_seconds = plan.skew;
  context.idp_entity_id = t::kIdpEntityId;
  context.sp_entity_id = t::kSpEntityId;
  context.acs_url = t::kAcsUrl;
  context.expected_request_id = plan.expected_request_id;
  context.allow_unsolicited = plan.allow_unsolicited;
  context.allow_sha1 = plan.allow_sha1;
  context.idp_certificates = trusted;
  context.sp_private_key = sp_key;
  context.replay = &replay;

  vsso::saml::ResponseSummary summary;
  auto result = vsso::saml::ValidateResponse(xml, context, &summary);
  // VSSO_FUZZ_DEBUG=1: say what each input became (to check seeds).
  static const bool debug = std::getenv("VSSO_FUZZ_DEBUG") != nullptr;
  if (debug) {
    std::fprintf(stderr, "signed_response_fuzzer: %s %s\n", result ? "accepted" : "refused",
                 result ? result->name_id.c_str()
                        : (result.error().code + ": " + result.error().message).c_str());
  }
  if (!result) {
    const auto& e = result.error();
    Check(e.code.starts_with("saml.") && e.code.size() > 5, "error code is not saml.*", xml);
    Check(!e.message.empty(), "error without a message", xml);
    return 0;
  }
  CheckAlways(*result, plan, xml);
  Check(summary.response_id == result->response_id &&
            summary.assertion_id == result->assertion_id && summary.issuer == result->issuer,
        "the audit summary differs from the accepted identity", xml);
  if (!plan.raw) CheckPlan(*result, plan, xml);
  auto again = vsso::saml::ValidateResponse(xml, context);
  Check(!again && again.error().code == "saml.replay.detected",
        "a second post of an accepted assertion was not refused as a replay", xml);
  return 0;
}
