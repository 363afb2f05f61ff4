#include "saml/rules/decryption.hpp"

#include <libxml/parser.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <xmlsec/buffer.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/xmlenc.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string_view>

#include "common/encoding.hpp"
#include "saml/rules/id_registration.hpp"
#include "saml/xml_prescan.hpp"

namespace vsso::saml::rules {
namespace {

constexpr char kRsaOaepMgf1p[] = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
constexpr char kRsaOaep11[] = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
constexpr char kRsa15[] = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
constexpr char kEncryptedAssertion[] = "saml:EncryptedAssertion";

Error Failed(const std::string& what) { return DecryptionFailed(what); }

struct DataAlgorithm {
  std::string_view uri;
  std::size_t key_bytes;
  xmlSecTransformId (*id)();
};

xmlSecTransformId Aes128Cbc() { return xmlSecTransformAes128CbcId; }
xmlSecTransformId Aes192Cbc() { return xmlSecTransformAes192CbcId; }
xmlSecTransformId Aes256Cbc() { return xmlSecTransformAes256CbcId; }
xmlSecTransformId Aes128Gcm() { return xmlSecTransformAes128GcmId; }
xmlSecTransformId Aes192Gcm() { return xmlSecTransformAes192GcmId; }
xmlSecTransformId Aes256Gcm() { return xmlSecTransformAes256GcmId; }

constexpr DataAlgorithm kDataAlgorithms[] = {
    {"http://www.w3.org/2001/04/xmlenc#aes128-cbc", 16, Aes128Cbc},
    {"http://www.w3.org/2001/04/xmlenc#aes192-cbc", 24, Aes192Cbc},
    {"http://www.w3.org/2001/04/xmlenc#aes256-cbc", 32, Aes256Cbc},
    {"http://www.w3.org/2009/xmlenc11#aes128-gcm", 16, Aes128Gcm},
    {"http://www.w3.org/2009/xmlenc11#aes192-gcm", 24, Aes192Gcm},
    {"http://www.w3.org/2009/xmlenc11#aes256-gcm", 32, Aes256Gcm},
};

const EVP_MD* DigestByUri(std::string_view uri) {
  if (uri == "http://www.w3.org/2000/09/xmldsig#sha1") return EVP_sha1();
  if (uri == "http://www.w3.org/2001/04/xmlenc#sha256") return EVP_sha256();
  if (uri == "http://www.w3.org/2001/04/xmldsig-more#sha384") return EVP_sha384();
  if (uri == "http://www.w3.org/2001/04/xmlenc#sha512") return EVP_sha512();
  return nullptr;
}

const EVP_MD* MgfByUri(std::string_view uri) {
  if (uri == "http://www.w3.org/2009/xmlenc11#mgf1sha1") return EVP_sha1();
  if (uri == "http://www.w3.org/2009/xmlenc11#mgf1sha224") return EVP_sha224();
  if (uri == "http://www.w3.org/2009/xmlenc11#mgf1sha256") return EVP_sha256();
  if (uri == "http://www.w3.org/2009/xmlenc11#mgf1sha384") return EVP_sha384();
  if (uri == "http://www.w3.org/2009/xmlenc11#mgf1sha512") return EVP_sha512();
  return nullptr;
}

// The base64 text of CipherData/CipherValue; CipherReference (a URI to fetch)
// is refused.
Result<std::string> CipherValue(xmlNodePtr encrypted, const char* what) {
  xmlNodePtr data = FirstChild(encrypted, ns::kXenc, "CipherData");
  xmlNodePtr value = data != nullptr ? FirstChild(data, ns::kXenc, "CipherValue") : nullptr;
  if (value == nullptr) {
    return MakeError("saml.decrypt.malformed", std::string(what) +
                                                   " has no xenc:CipherData/xenc:CipherValue "
                                                   "(CipherReference is not supported)");
  }
  return TextContent(value);
}

struct KeyTransport {
  const EVP_MD* digest = nullptr;
  const EVP_MD* mgf = nullptr;
  std::string label;
  std::string cipher;
};

// Reads and checks the EncryptionMethod of an EncryptedKey (XML-Enc 5.4.2,
// XML-Enc 1.1 5.5.2).
Result<KeyTransport> ReadKeyTransport(xmlNodePtr encrypted_key) {
  xmlNodePtr method = FirstChild(encrypted_key, ns::kXenc, "EncryptionMethod");
  const std::string uri = method != nullptr ? GetAttr(method, "Algorithm").value_or("") : "";
  if (uri == kRsa15) {
    return MakeError("saml.decrypt.key_transport",
                     "the EncryptedKey uses RSA PKCS#1 v1.5 (xmlenc#rsa-1_5), which is refused "
                     "(Bleichenbacher's attack); configure the IdP for RSA-OAEP");
  }
  if (uri != kRsaOaepMgf1p && uri != kRsaOaep11) {
    return MakeError("saml.decrypt.key_transport",
                     "the EncryptedKey uses key transport " + Quote(uri) +
                         "; accepted are xmlenc#rsa-oaep-mgf1p and xmlenc11#rsa-oaep");
  }
  KeyTransport transport;
  transport.digest = EVP_sha1();
  transport.mgf = EVP_sha1();
  if (xmlNodePtr digest = FirstChild(method, ns::kDsig, "DigestMethod")) {
    const std::string digest_uri = GetAttr(digest, "Algorithm").value_or("");
    transport.digest = DigestByUri(digest_uri);
    if (transport.digest == nullptr) {
      return MakeError("saml.decrypt.key_transport",
                       "the EncryptedKey uses OAEP digest " + Quote(digest_uri) +
                           "; accepted are SHA-1, SHA-256, SHA-384 and SHA-512");
    }
  }
  if (xmlNodePtr mgf = FirstChild(method, ns::kXenc11, "MGF")) {
    const std::string mgf_uri = GetAttr(mgf, "Algorithm").value_or("");
    transport.mgf = uri == kRsaOaep11 ? MgfByUri(mgf_uri) : nullptr;
    if (transport.mgf == nullptr) {
      return MakeError("saml.decrypt.key_transport",
                       "the EncryptedKey uses mask generation function " + Quote(mgf_uri) +
                           "; accepted are xmlenc11#mgf1sha1/224/256/384/512");
    }
  }
  if (xmlNodePtr params = FirstChild(method, ns::kXenc, "OAEPparams")) {
    auto label = encoding::Base64Decode(TextContent(params));
    if (!label) return MakeError("saml.decrypt.malformed", "OAEPparams is not base64");
    transport.label = std::move(*label);
  }
  auto cipher = CipherValue(encrypted_key, "xenc:EncryptedKey");
  if (!cipher) return cipher.error();
  auto bytes = encoding::Base64Decode(*cipher);
  if (!bytes) return MakeError("saml.decrypt.malformed", "EncryptedKey CipherValue is not base64");
  transport.cipher = std::move(*bytes);
  return transport;
}

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

std::optional<std::string> RsaOaepDecrypt(EVP_PKEY* key, const KeyTransport& transport) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), transport.digest) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), transport.mgf) <= 0) {
    return std::nullopt;
  }
  if (!transport.label.empty()) {
    void* label = OPENSSL_memdup(transport.label.data(), transport.label.size());
    if (label == nullptr || EVP_PKEY_CTX_set0_rsa_oaep_label(
                                ctx.get(), label, static_cast<int>(transport.label.size())) <= 0) {
      OPENSSL_free(label);
      return std::nullopt;
    }
  }
  const auto* in = reinterpret_cast<const unsigned char*>(transport.cipher.data());
  std::size_t out_len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &out_len, in, transport.cipher.size()) <= 0) {
    return std::nullopt;
  }
  std::string out(out_len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &out_len, in,
                       transport.cipher.size()) <= 0) {
    return std::nullopt;
  }
  out.resize(out_len);
  return out;
}

struct EncCtxFree {
  void operator()(xmlSecEncCtx* ctx) const { xmlSecEncCtxDestroy(ctx); }
};

// EncryptedData -> plaintext bytes with the given AES key (xmlsec does the
// base64, IV, padding and GCM tag handling).
std::optional<std::string> DecryptData(xmlNodePtr encrypted_data, const DataAlgorithm& algorithm,
                                       const std::string& key_bytes) {
  std::unique_ptr<xmlSecEncCtx, EncCtxFree> ctx(xmlSecEncCtxCreate(nullptr));
  if (!ctx) return std::nullopt;
  ctx->encKey =
      xmlSecKeyReadMemory(xmlSecKeyDataAesId, reinterpret_cast<const xmlSecByte*>(key_bytes.data()),
                          static_cast<xmlSecSize>(key_bytes.size()));
  if (ctx->encKey == nullptr) return std::nullopt;
  // Only the announced cipher and base64 may run; no URI may be fetched.
  ctx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
  if (xmlSecPtrListAdd(&ctx->transformCtx.enabledTransforms,
                       const_cast<void*>(static_cast<const void*>(algorithm.id()))) < 0 ||
      xmlSecPtrListAdd(&ctx->transformCtx.enabledTransforms,
                       const_cast<void*>(static_cast<const void*>(xmlSecTransformBase64Id))) < 0 ||
      xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData,
                       const_cast<void*>(static_cast<const void*>(xmlSecKeyDataNameId))) < 0) {
    return std::nullopt;
  }
  xmlSecBufferPtr result = xmlSecEncCtxDecryptToBuffer(ctx.get(), encrypted_data);
  if (result == nullptr || xmlSecBufferGetData(result) == nullptr) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(xmlSecBufferGetData(result)),
                     xmlSecBufferGetSize(result));
}

// Parses the plaintext where the EncryptedData was (XML-Enc 4.5: in the
// context of its parent), and returns the single Assertion element, detached.
Result<xmlNodePtr> ParseAssertion(xmlNodePtr context_node, const std::string& plaintext) {
  if (plaintext.size() > static_cast<std::size_t>(INT_MAX)) return Failed(kEncryptedAssertion);
  // The plaintext is as unauthenticated as the response was (its signature
  // is checked after this parse), so it gets the same pre-scan.
  if (auto attributes = CheckAttributeCounts(plaintext, "the decrypted assertion"); !attributes) {
    return attributes.error();
  }
  xmlNodePtr list = nullptr;
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  const xmlParserErrors rc = xmlParseInNodeContext(
      context_node, plaintext.data(), static_cast<int>(plaintext.size()), options, &list);
  if (rc != XML_ERR_OK) {
    xmlFreeNodeList(list);
    return Failed(kEncryptedAssertion);
  }
  xmlNodePtr assertion = nullptr;
  bool extra = false;
  for (xmlNodePtr node = list; node != nullptr;) {
    xmlNodePtr next = node->next;
    xmlUnlinkNode(node);
    const bool blank = node->type == XML_TEXT_NODE && xmlIsBlankNode(node);
    if (node->type == XML_ELEMENT_NODE && assertion == nullptr) {
      assertion = node;
    } else {
      extra = extra || !blank;
      xmlFreeNode(node);
    }
    node = next;
  }
  if (assertion == nullptr || extra || !IsElement(assertion, ns::kAssertion, "Assertion")) {
    if (assertion != nullptr) xmlFreeNode(assertion);
    return MakeError("saml.decrypt.not_assertion",
                     "the EncryptedAssertion decrypts to something other than one saml:Assertion");
  }
  return assertion;
}

void RetargetNamespaces(xmlNodePtr subtree, xmlNsPtr from, xmlNsPtr to) {
  xmlNodePtr node = subtree;
  while (node != nullptr) {
    if (node->type == XML_ELEMENT_NODE) {
      if (node->ns == from) node->ns = to;
      for (xmlAttrPtr attr = node->properties; attr != nullptr; attr = attr->next) {
        if (attr->ns == from) attr->ns = to;
      }
      if (node->children != nullptr) {
        node = node->children;
        continue;
      }
    }
    while (node != subtree && node->next == nullptr) node = node->parent;
    if (node == subtree) break;
    node = node->next;
  }
}

// The plaintext was parsed in the scope of the EncryptedAssertion, whose
// namespace declarations disappear with it: declare them on the Assertion.
Status MoveNamespaceScope(xmlNodePtr encrypted_assertion, xmlNodePtr assertion) {
  for (xmlNsPtr decl = encrypted_assertion->nsDef; decl != nullptr; decl = decl->next) {
    bool shadowed = false;
    for (xmlNsPtr own = assertion->nsDef; own != nullptr; own = own->next) {
      shadowed = shadowed || xmlStrEqual(own->prefix, decl->prefix);
    }
    if (shadowed) continue;
    xmlNsPtr copy = xmlNewNs(assertion, decl->href, decl->prefix);
    if (copy == nullptr) return MakeError("saml.internal", "libxml2 could not copy a namespace");
    RetargetNamespaces(assertion, decl, copy);
  }
  return Ok();
}

}  // namespace

Error DecryptionFailed(const std::string& what) {
  return MakeError("saml.decrypt.failed",
                   "the " + what +
                       " could not be decrypted with the configured SP private key (wrong key, or "
                       "the IdP encrypted for another certificate)");
}

Result<std::string> DecryptElement(xmlNodePtr encrypted, const ValidationContext& context) {
  const std::string what = DisplayName(encrypted);
  if (!context.sp_private_key || !context.sp_private_key->key) {
    return MakeError("saml.decrypt.no_key", "the response holds " + what +
                                                " but no SP private key (sp_private_key) is "
                                                "configured to decrypt it");
  }
  EVP_PKEY* private_key = context.sp_private_key->key.get();
  if (EVP_PKEY_get_base_id(private_key) != EVP_PKEY_RSA) {
    return MakeError("saml.decrypt.key_type", "the SP private key is " +
                                                  context.sp_private_key->key_type +
                                                  "; RSA-OAEP key transport needs an RSA key");
  }
  auto data_nodes = Children(encrypted, ns::kXenc, "EncryptedData");
  if (data_nodes.size() != 1) {
    return MakeError("saml.decrypt.malformed", what +
                                                   " must hold exactly one xenc:EncryptedData, "
                                                   "found " +
                                                   std::to_string(data_nodes.size()));
  }
  xmlNodePtr encrypted_data = data_nodes.front();
  xmlNodePtr method = FirstChild(encrypted_data, ns::kXenc, "EncryptionMethod");
  const std::string data_uri = method != nullptr ? GetAttr(method, "Algorithm").value_or("") : "";
  const auto* data_algorithm =
      std::find_if(std::begin(kDataAlgorithms), std::end(kDataAlgorithms),
                   [&](const DataAlgorithm& a) { return a.uri == data_uri; });
  if (data_algorithm == std::end(kDataAlgorithms)) {
    return MakeError("saml.decrypt.algorithm",
                     "the EncryptedData of " + what + " uses " + Quote(data_uri) +
                         "; accepted are AES-128/192/256 in CBC or GCM mode");
  }
  if (auto cipher = CipherValue(encrypted_data, "xenc:EncryptedData"); !cipher) {
    return cipher.error();
  }

  // SAML Core 2.2.4 (EncryptedElementType): the EncryptedKey is in
  // EncryptedData/KeyInfo or a sibling of EncryptedData.
  std::vector<xmlNodePtr> keys;
  if (xmlNodePtr key_info = FirstChild(encrypted_data, ns::kDsig, "KeyInfo")) {
    keys = Children(key_info, ns::kXenc, "EncryptedKey");
  }
  for (xmlNodePtr key : Children(encrypted, ns::kXenc, "EncryptedKey")) {
    keys.push_back(key);
  }
  if (keys.empty()) {
    return MakeError("saml.decrypt.malformed", what + " carries no xenc:EncryptedKey");
  }
  std::optional<std::string> data_key;
  for (xmlNodePtr key : keys) {
    auto transport = ReadKeyTransport(key);
    if (!transport) return transport.error();
    data_key = RsaOaepDecrypt(private_key, *transport);
    if (data_key && data_key->size() == data_algorithm->key_bytes) break;
    data_key.reset();
  }
  if (!data_key) return Failed(what);
  auto plaintext = DecryptData(encrypted_data, *data_algorithm, *data_key);
  if (!plaintext) return Failed(what);
  return std::move(*plaintext);
}

Status DecryptAssertion(Message& message, const ValidationContext& context) {
  xmlNodePtr encrypted_assertion = message.encrypted_assertion;
  if (encrypted_assertion == nullptr) return Ok();
  auto plaintext = DecryptElement(encrypted_assertion, context);
  if (!plaintext) return plaintext.error();

  auto assertion = ParseAssertion(encrypted_assertion, *plaintext);
  if (!assertion) return assertion.error();
  if (auto moved = MoveNamespaceScope(encrypted_assertion, *assertion); !moved) {
    xmlFreeNode(*assertion);
    return moved;
  }
  xmlReplaceNode(encrypted_assertion, *assertion);
  message.replaced_encrypted_assertion.reset(encrypted_assertion);
  message.encrypted_assertion = nullptr;
  message.assertion = *assertion;
  message.identity.was_encrypted = true;

  // The new subtree goes through the checks the received tree went through.
  std::erase(message.assertion_elements, encrypted_assertion);
  if (auto indexed = IndexSubtree(message, *assertion, 2); !indexed) return indexed;
  if (message.assertion_elements.size() != 1) {
    return MakeError("saml.structure.nested_assertion",
                     "the decrypted assertion contains another Assertion or EncryptedAssertion; "
                     "nested assertions are refused");
  }
  if (auto unique = CheckUniqueIds(message); !unique) return unique;
  return RegisterElementId(message, *assertion);
}

}  // namespace vsso::saml::rules
