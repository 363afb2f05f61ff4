#include "saml/xml_util.hpp"

#include <xmlsec/keyinfo.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/openssl/evp.h>

namespace vsso::saml {

namespace {

xmlSecKeyPtr AdoptKey(EVP_PKEY* pkey) {
  if (pkey == nullptr || EVP_PKEY_up_ref(pkey) != 1) return nullptr;
  xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
  if (data == nullptr) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  xmlSecKeyPtr key = xmlSecKeyCreate();
  if (key == nullptr || xmlSecKeySetValue(key, data) < 0) {
    xmlSecKeyDataDestroy(data);
    if (key != nullptr) xmlSecKeyDestroy(key);
    return nullptr;
  }
  return key;
}

// xmlsec asks its keys manager for the key once it has read SignedInfo
// (XML-DSig 3.2.2, the SignatureMethod decides the key's algorithm). This
// one never reads <ds:KeyInfo>: it hands over the pinned key (PinKey keeps
// it in keyInfoCtx->userData until then; xmlsec owns it from here).
//
// It also drops the requirement that the key be a public key. With
// OpenSSL 3, xmlsec 1.2.37 answers "is it public?" by reading n, e and d
// through three EVP_PKEY_get_bn_param calls (about 7 % of a verification,
// measured with callgrind), and a certificate's key is public by
// construction. xmlSecKeyMatch still checks what decides the outcome: the
// key's algorithm against the SignatureMethod (an RSA key is refused for
// ECDSA) and its size.
xmlSecKeyPtr HandOverPinnedKey(xmlNodePtr, xmlSecKeyInfoCtxPtr key_info_ctx) {
  auto* key = static_cast<xmlSecKeyPtr>(key_info_ctx->userData);
  key_info_ctx->userData = nullptr;
  key_info_ctx->keyReq.keyType = xmlSecKeyDataTypeUnknown;
  return key;
}

// One per process, created after xmlSecInit (InitializeXmlLibraries runs
// before any verification) and never changed: contexts only read its
// getKey. It holds no keys, so it is left to the process's end.
xmlSecKeysMngrPtr PinnedKeyManager() {
  static xmlSecKeysMngrPtr const manager = [] {
    xmlSecKeysMngrPtr m = xmlSecKeysMngrCreate();
    if (m != nullptr) m->getKey = HandOverPinnedKey;
    return m;
  }();
  return manager;
}

}  // namespace

void PinnedDSigCtxFree::operator()(xmlSecDSigCtx* ctx) const {
  if (ctx->keyInfoReadCtx.userData != nullptr) {
    xmlSecKeyDestroy(static_cast<xmlSecKeyPtr>(ctx->keyInfoReadCtx.userData));
  }
  xmlSecDSigCtxDestroy(ctx);
}

PinnedDSigCtxPtr NewPinnedKeyDSigCtx() {
  xmlSecKeysMngrPtr manager = PinnedKeyManager();
  if (manager == nullptr) return nullptr;
  return PinnedDSigCtxPtr(xmlSecDSigCtxCreate(manager));
}

bool PinKey(xmlSecDSigCtx* ctx, EVP_PKEY* pkey) {
  if (ctx->keyInfoReadCtx.userData != nullptr) return false;
  xmlSecKeyPtr key = AdoptKey(pkey);
  if (key == nullptr) return false;
  ctx->keyInfoReadCtx.userData = key;
  return true;
}

}  // namespace vsso::saml
