#include "saml/authn_request.hpp"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include <map>
#include <memory>
#include <regex>
#include <string>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "support/test_keys.hpp"

namespace vsso::saml {
namespace {

using testing::AttackerKey;
using testing::IdpEcKey;
using testing::SpKey;

constexpr char kIdpSso[] = "https://idp.example.org/simplesaml/saml2/idp/SSOService.php";
constexpr char kRsaSha256[] = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
constexpr char kEcdsaSha256[] = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
constexpr UnixSeconds kNow = 1795521603;  // 2026-11-24T12:00:03Z

AuthnRequestParams Params() {
  AuthnRequestParams p;
  p.sp_entity_id = "https://chat.example.com/sso/metadata";
  p.acs_url = "https://chat.example.com/sso/acs";
  p.idp_sso_url = kIdpSso;
  p.relay_state = "/chat/start?dept=sales";
  p.now = kNow;
  return p;
}

std::string QueryOf(const std::string& url) {
  const auto q = url.find('?');
  return q == std::string::npos ? std::string() : url.substr(q + 1);
}

url::QueryParams Decoded(const std::string& url) {
  auto q = url::ParseQuery(QueryOf(url));
  EXPECT_TRUE(q) << q.error().message;
  return q ? *q : url::QueryParams{};
}

std::string Param(const url::QueryParams& q, const std::string& key) {
  for (const auto& [k, v] : q) {
    if (k == key) return v;
  }
  ADD_FAILURE() << "no parameter " << key;
  return {};
}

std::vector<std::string> Keys(const url::QueryParams& q) {
  std::vector<std::string> keys;
  for (const auto& kv : q) keys.push_back(kv.first);
  return keys;
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

// The request as an IdP sees it: attributes of the root and its children by
// namespace URI and local name.
struct ParsedRequest {
  std::string root_ns, root_name;
  std::map<std::string, std::string> attrs;
  std::string issuer;
  std::map<std::string, std::string> policy_attrs;
  int children = 0;
};

std::map<std::string, std::string> AttrsOf(xmlNode* n) {
  std::map<std::string, std::string> out;
  for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
    out[reinterpret_cast<const char*>(a->name)] = reinterpret_cast<const char*>(v);
    xmlFree(v);
  }
  return out;
}

ParsedRequest Parse(const std::string& xml) {
  ParsedRequest r;
  std::unique_ptr<xmlDoc, DocFree> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XML_PARSE_NONET));
  EXPECT_TRUE(doc) << "not well-formed: " << xml;
  if (!doc) return r;
  xmlNode* root = xmlDocGetRootElement(doc.get());
  r.root_ns = reinterpret_cast<const char*>(root->ns->href);
  r.root_name = reinterpret_cast<const char*>(root->name);
  r.attrs = AttrsOf(root);
  for (xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    ++r.children;
    const std::string ns = reinterpret_cast<const char*>(c->ns->href);
    const std::string name = reinterpret_cast<const char*>(c->name);
    if (ns == "urn:oasis:names:tc:SAML:2.0:assertion" && name == "Issuer") {
      xmlChar* v = xmlNodeGetContent(c);
      r.issuer = reinterpret_cast<const char*>(v);
      xmlFree(v);
    } else if (ns == "urn:oasis:names:tc:SAML:2.0:protocol" && name == "NameIDPolicy") {
      r.policy_attrs = AttrsOf(c);
    } else {
      ADD_FAILURE() << "unexpected child {" << ns << "}" << name;
    }
  }
  return r;
}

// Bindings 3.4.4.1, checked independently of VerifyRedirectSignature: the
// signature covers "SAMLRequest=..&RelayState=..&SigAlg=.." exactly as sent.
bool SignatureOverSentOctets(const std::string& redirect_url, EVP_PKEY* public_key) {
  auto raw = url::SplitQuery(QueryOf(redirect_url));
  if (!raw || raw->size() != 4) return false;
  const auto& q = *raw;
  const std::string octets =
      "SAMLRequest=" + q[0].second + "&RelayState=" + q[1].second + "&SigAlg=" + q[2].second;
  auto decoded = url::ParseQuery(QueryOf(redirect_url));
  auto sig = encoding::Base64Decode((*decoded)[3].second);
  if (!sig) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, public_key) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                          sig->size(), reinterpret_cast<const unsigned char*>(octets.data()),
                          octets.size()) == 1;
}

TEST(AuthnRequestTest, UnsignedRequestDecodesToTheExpectedAuthnRequest) {
  auto built = BuildRedirectAuthnRequest(Params());
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_TRUE(std::regex_match(built->id, std::regex("_[0-9a-f]{32}"))) << built->id;
  EXPECT_EQ(built->redirect_url.rfind(std::string(kIdpSso) + "?SAMLRequest=", 0), 0u)
      << built->redirect_url;

  const auto query = Decoded(built->redirect_url);
  EXPECT_EQ(Keys(query), (std::vector<std::string>{"SAMLRequest", "RelayState"}));
  EXPECT_EQ(Param(query, "RelayState"), "/chat/start?dept=sales");
  auto xml = DecodeRedirectRequest(Param(query, "SAMLRequest"));
  ASSERT_TRUE(xml) << xml.error().message;
  EXPECT_EQ(*xml, built->xml);

  const ParsedRequest r = Parse(*xml);
  EXPECT_EQ(r.root_ns, "urn:oasis:names:tc:SAML:2.0:protocol");
  EXPECT_EQ(r.root_name, "AuthnRequest");
  EXPECT_EQ(r.attrs, (std::map<std::string, std::string>{
                         {"ID", built->id},
                         {"Version", "2.0"},
                         {"IssueInstant", "2026-11-24T12:00:03Z"},
                         {"Destination", kIdpSso},
                         {"AssertionConsumerServiceURL", "https://chat.example.com/sso/acs"},
                         {"ProtocolBinding", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"}}));
  EXPECT_EQ(r.issuer, "https://chat.example.com/sso/metadata");
  EXPECT_EQ(r.policy_attrs, (std::map<std::string, std::string>{{"AllowCreate", "true"}}));
  EXPECT_EQ(r.children, 2);
}

TEST(AuthnRequestTest, EveryRequestHasAFreshId) {
  auto a = BuildRedirectAuthnRequest(Params());
  auto b = BuildRedirectAuthnRequest(Params());
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_NE(a->id, b->id);
  EXPECT_NE(a->redirect_url, b->redirect_url);
}

TEST(AuthnRequestTest, OptionalAttributesAreWrittenWhenAsked) {
  auto p = Params();
  p.force_authn = true;
  p.is_passive = true;
  p.name_id_format = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
  auto built = BuildRedirectAuthnRequest(p);
  ASSERT_TRUE(built) << built.error().message;
  const ParsedRequest r = Parse(built->xml);
  EXPECT_EQ(r.attrs.at("ForceAuthn"), "true");
  EXPECT_EQ(r.attrs.at("IsPassive"), "true");
  EXPECT_EQ(r.policy_attrs.at("Format"), p.name_id_format);
  EXPECT_EQ(r.policy_attrs.at("AllowCreate"), "true");
}

TEST(AuthnRequestTest, ValuesAreXmlEscaped) {
  auto p = Params();
  p.sp_entity_id = "urn:sp:<a>&\"b\"'c'";
  p.acs_url = "https://chat.example.com/acs?a=1&b=\"2\"<3>";
  auto built = BuildRedirectAuthnRequest(p);
  ASSERT_TRUE(built) << built.error().message;
  const ParsedRequest r = Parse(built->xml);
  EXPECT_EQ(r.issuer, p.sp_entity_id);
  EXPECT_EQ(r.attrs.at("AssertionConsumerServiceURL"), p.acs_url);
  EXPECT_EQ(r.children, 2);
}

TEST(AuthnRequestTest, EmptyRelayStateIsOmitted) {
  auto p = Params();
  p.relay_state.clear();
  auto built = BuildRedirectAuthnRequest(p);
  ASSERT_TRUE(built);
  EXPECT_EQ(Keys(Decoded(built->redirect_url)), (std::vector<std::string>{"SAMLRequest"}));
}

TEST(AuthnRequestTest, RelayStateIsLimitedTo80Bytes) {
  auto p = Params();
  p.relay_state = std::string(80, 'r');
  EXPECT_TRUE(BuildRedirectAuthnRequest(p));
  p.relay_state = std::string(81, 'r');
  auto built = BuildRedirectAuthnRequest(p);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, "saml.authn_request.relay_state_too_long");
  EXPECT_NE(built.error().message.find("81"), std::string::npos);
}

TEST(AuthnRequestTest, BadInputsAreRefused) {
  auto p = Params();
  p.sp_entity_id.clear();
  EXPECT_EQ(BuildRedirectAuthnRequest(p).error().code, "saml.authn_request.missing_sp_entity_id");
  p = Params();
  p.acs_url = "/sso/acs";
  EXPECT_EQ(BuildRedirectAuthnRequest(p).error().code, "saml.authn_request.bad_acs_url");
  p = Params();
  p.idp_sso_url = "idp.example.org/sso";
  EXPECT_EQ(BuildRedirectAuthnRequest(p).error().code, "saml.authn_request.bad_idp_sso_url");
  p = Params();
  p.idp_sso_url = "https://idp example.org/sso";
  EXPECT_EQ(BuildRedirectAuthnRequest(p).error().code, "saml.authn_request.bad_idp_sso_url");
  p = Params();
  p.sign = true;
  EXPECT_EQ(BuildRedirectAuthnRequest(p).error().code, "saml.authn_request.missing_key");
}

TEST(AuthnRequestTest, UnsupportedKeyTypeIsRefused) {
  std::shared_ptr<EVP_PKEY> ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
  ASSERT_TRUE(ed);
  auto p = Params();
  p.sign = true;
  p.key = crypto::PrivateKey{ed, "ED25519"};
  auto built = BuildRedirectAuthnRequest(p);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, "saml.authn_request.unsupported_key");
  EXPECT_NE(built.error().message.find("ED25519"), std::string::npos);
}

TEST(AuthnRequestTest, SignedRsaRequestVerifiesAndDetectsTampering) {
  auto p = Params();
  p.sign = true;
  p.key = SpKey().PrivateKey();
  auto built = BuildRedirectAuthnRequest(p);
  ASSERT_TRUE(built) << built.error().message;
  const auto query = Decoded(built->redirect_url);
  EXPECT_EQ(Keys(query),
            (std::vector<std::string>{"SAMLRequest", "RelayState", "SigAlg", "Signature"}));
  EXPECT_EQ(Param(query, "SigAlg"), kRsaSha256);
  EXPECT_TRUE(SignatureOverSentOctets(built->redirect_url, SpKey().pkey()));

  const std::string q = QueryOf(built->redirect_url);
  auto ok = VerifyRedirectSignature("?" + q, SpKey().Certificate());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(*ok);

  auto other = VerifyRedirectSignature(q, AttackerKey().Certificate());
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_FALSE(*other);

  // One character of RelayState changed ("sales" -> "salet").
  const std::string enc = url::EncodeQueryValue(p.relay_state);
  const auto pos = q.find("RelayState=" + enc);
  ASSERT_NE(pos, std::string::npos);
  std::string tampered = q;
  tampered[pos + std::string("RelayState=").size() + enc.size() - 1] = 't';
  auto bad = VerifyRedirectSignature(tampered, SpKey().Certificate());
  ASSERT_TRUE(bad) << bad.error().message;
  EXPECT_FALSE(*bad);
}

TEST(AuthnRequestTest, SignedEcRequestUsesEcdsa) {
  auto p = Params();
  p.sign = true;
  p.key = IdpEcKey().PrivateKey();
  auto built = BuildRedirectAuthnRequest(p);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(Param(Decoded(built->redirect_url), "SigAlg"), kEcdsaSha256);
  EXPECT_TRUE(SignatureOverSentOctets(built->redirect_url, IdpEcKey().pkey()));
  auto ok = VerifyRedirectSignature(QueryOf(built->redirect_url), IdpEcKey().Certificate());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(*ok);

  auto mismatch = VerifyRedirectSignature(QueryOf(built->redirect_url), SpKey().Certificate());
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, "saml.redirect.key_mismatch");
}

TEST(AuthnRequestTest, ExistingQueryOfTheIdpUrlIsKeptAndNotSigned) {
  auto p = Params();
  p.idp_sso_url = "https://idp.example.org/sso?tenant=acme";
  p.sign = true;
  p.key = SpKey().PrivateKey();
  auto built = BuildRedirectAuthnRequest(p);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->redirect_url.rfind("https://idp.example.org/sso?tenant=acme&SAMLRequest=", 0),
            0u);
  EXPECT_EQ(Parse(built->xml).attrs.at("Destination"), p.idp_sso_url);
  auto ok = VerifyRedirectSignature(QueryOf(built->redirect_url), SpKey().Certificate());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(*ok);
}

TEST(AuthnRequestTest, VerifyRefusesIncompleteOrAmbiguousQueries) {
  auto p = Params();
  p.sign = true;
  p.key = SpKey().PrivateKey();
  auto built = BuildRedirectAuthnRequest(p);
  ASSERT_TRUE(built);
  const std::string q = QueryOf(built->redirect_url);
  const auto cert = SpKey().Certificate();

  const std::string no_sig = q.substr(0, q.find("&Signature="));
  EXPECT_EQ(VerifyRedirectSignature(no_sig, cert).error().code, "saml.redirect.missing_param");
  EXPECT_EQ(VerifyRedirectSignature("RelayState=x&SigAlg=a&Signature=b", cert).error().code,
            "saml.redirect.missing_param");
  EXPECT_EQ(VerifyRedirectSignature(q + "&RelayState=other", cert).error().code,
            "saml.redirect.duplicate_param");
  EXPECT_EQ(VerifyRedirectSignature("SAMLRequest=a&SAMLResponse=b&SigAlg=c&Signature=d", cert)
                .error()
                .code,
            "saml.redirect.missing_param");

  std::string sha1 = q;
  const std::string alg = url::EncodeQueryValue(kRsaSha256);
  sha1.replace(sha1.find(alg), alg.size(),
               url::EncodeQueryValue("http://www.w3.org/2000/09/xmldsig#rsa-sha1"));
  auto refused = VerifyRedirectSignature(sha1, cert);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "saml.redirect.unsupported_algorithm");

  EXPECT_EQ(VerifyRedirectSignature(no_sig + "&Signature=%21%21", cert).error().code,
            "saml.redirect.bad_signature_encoding");
  EXPECT_EQ(VerifyRedirectSignature("SAMLRequest=%zz", cert).error().code,
            "saml.redirect.bad_query");
}

TEST(AuthnRequestTest, DecodeRejectsGarbage) {
  EXPECT_EQ(DecodeRedirectRequest("not base64!").error().code, "saml.redirect.bad_base64");
  EXPECT_EQ(DecodeRedirectRequest(encoding::Base64Encode("\xff\xff")).error().code,
            "common.inflate_bad_data");
}

}  // namespace
}  // namespace vsso::saml
