#include "saml/xml_util.hpp"

#include <xmlsec/openssl/evp.h>

namespace vsso::saml {

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

}  // namespace vsso::saml
