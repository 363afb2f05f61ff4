// Small libxml2 and xmlsec helpers shared by the saml files: the xmlChar
// cast, std::unique_ptr deleters, and the key adoption both signature checks
// use (responses in rules/signature_verify, fetched metadata). Element
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
struct XmlSecDSigCtxFree {
  void operator()(xmlSecDSigCtx* ctx) const { xmlSecDSigCtxDestroy(ctx); }
};

/// An xmlsec key holding a new reference to `pkey` (the configured or pinned
/// certificate's key), for xmlSecDSigCtx::signKey; nullptr if xmlsec or
/// OpenSSL fail. The caller's reference stays its own.
xmlSecKeyPtr AdoptKey(EVP_PKEY* pkey);

}  // namespace vsso::saml
