// Small libxml2 and xmlsec helpers shared by the saml files: the xmlChar
// cast, std::unique_ptr deleters, and the pinned-key context both signature
// checks use (responses in rules/signature_verify, fetched metadata). Element
// lookup by namespace and name (IsElement, Children) is in message.hpp.
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <xmlsec/keys.h>
#include <xmlsec/xmldsig.h>

#include <memory>
#include <string>

namespace vsso::saml {

inline const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
inline const xmlChar* X(const std::string& s) { return X(s.c_str()); }

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;
struct XmlNodeFree {
  void operator()(xmlNode* node) const { xmlFreeNode(node); }
};
struct XmlBufferFree {
  void operator()(xmlBuffer* buffer) const { xmlBufferFree(buffer); }
};
struct XmlParserCtxtFree {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};

/// Destroys a pinned key xmlsec never asked for (PinKey), then the context.
struct PinnedDSigCtxFree {
  void operator()(xmlSecDSigCtx* ctx) const;
};
using PinnedDSigCtxPtr = std::unique_ptr<xmlSecDSigCtx, PinnedDSigCtxFree>;

/// A signature context whose key is the one given to PinKey and nothing
/// else: its keys manager ignores <ds:KeyInfo> and hands xmlsec the pinned
/// key. nullptr if xmlsec cannot allocate one. Not shared between threads;
/// one per verification.
PinnedDSigCtxPtr NewPinnedKeyDSigCtx();

/// Pins `pkey` (the configured certificate's key; a new reference is taken,
/// the caller's stays its own) as the only key `ctx` verifies with. false if
/// xmlsec or OpenSSL cannot use the key (a type xmlsec does not know).
bool PinKey(xmlSecDSigCtx* ctx, EVP_PKEY* pkey);

}  // namespace vsso::saml
