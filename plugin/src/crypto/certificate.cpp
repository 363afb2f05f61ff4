#include "crypto/certificate.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "common/encoding.hpp"

namespace vsso::crypto {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct OpenSslFree {
  void operator()(void* p) const { OPENSSL_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// The reason of the newest OpenSSL error, then the queue is emptied so a
// later, unrelated failure does not report this one.
std::string TakeOpenSslError() {
  const unsigned long e = ERR_peek_last_error();
  std::string out;
  if (e != 0) {
    const char* reason = ERR_reason_error_string(e);
    out = reason != nullptr ? reason : "unknown OpenSSL error";
  }
  ERR_clear_error();
  return out;
}

std::string WithCause(std::string message) {
  const std::string cause = TakeOpenSslError();
  if (!cause.empty()) message += " (OpenSSL: " + cause + ")";
  return message;
}

BioPtr MemoryBio(std::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string NameRfc2253(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  return BioContents(bio.get());
}

Result<UnixSeconds> ToUnix(const ASN1_TIME* t, const char* which, const std::string& origin) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return MakeError("crypto.not_a_certificate",
                     WithCause(origin + ": certificate has an unreadable " + which + " time"));
  }
  return static_cast<UnixSeconds>(timegm(&tm));
}

// "RSA-2048", "EC-P256", "Ed25519": what an admin compares with the IdP's
// documentation, so NIST curve names are used where one exists.
std::string KeyType(EVP_PKEY* key) {
  const int id = EVP_PKEY_get_base_id(key);
  const std::string bits = std::to_string(EVP_PKEY_get_bits(key));
  switch (id) {
    case EVP_PKEY_RSA:
      return "RSA-" + bits;
    case EVP_PKEY_RSA_PSS:
      return "RSA-PSS-" + bits;
    case EVP_PKEY_DSA:
      return "DSA-" + bits;
    case EVP_PKEY_EC: {
      char group[80] = {0};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                         &len) != 1) {
        ERR_clear_error();
        return "EC-" + bits;
      }
      const char* nist = EC_curve_nid2nist(OBJ_sn2nid(group));
      std::string name = nist != nullptr ? nist : group;
      // "P-256" -> "P256".
      if (name.size() > 2 && name[1] == '-') name.erase(1, 1);
      return "EC-" + name;
    }
    default: {
      const char* name = EVP_PKEY_get0_type_name(key);
      return name != nullptr ? name : "unknown";
    }
  }
}

Result<Certificate> FromX509(X509* x509, const std::string& origin) {
  Certificate cert;

  unsigned char* der = nullptr;
  const int der_len = i2d_X509(x509, &der);
  if (der_len <= 0) {
    return MakeError("crypto.not_a_certificate",
                     WithCause(origin + ": certificate cannot be re-encoded as DER"));
  }
  std::unique_ptr<unsigned char, OpenSslFree> der_owner(der);
  cert.der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(der_len));

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(der, static_cast<std::size_t>(der_len), digest, &digest_len, EVP_sha256(),
                 nullptr) != 1) {
    return MakeError("crypto.not_a_certificate",
                     WithCause(origin + ": SHA-256 of the certificate failed"));
  }
  cert.sha256_fingerprint =
      encoding::HexLower(std::string_view(reinterpret_cast<const char*>(digest), digest_len));

  BioPtr pem(BIO_new(BIO_s_mem()));
  if (!pem || PEM_write_bio_X509(pem.get(), x509) != 1) {
    return MakeError("crypto.not_a_certificate",
                     WithCause(origin + ": certificate cannot be written as PEM"));
  }
  cert.pem = BioContents(pem.get());

  cert.subject = NameRfc2253(X509_get_subject_name(x509));
  cert.issuer = NameRfc2253(X509_get_issuer_name(x509));

  auto not_before = ToUnix(X509_get0_notBefore(x509), "notBefore", origin);
  if (!not_before) return std::move(not_before).error();
  auto not_after = ToUnix(X509_get0_notAfter(x509), "notAfter", origin);
  if (!not_after) return std::move(not_after).error();
  cert.not_before = *not_before;
  cert.not_after = *not_after;

  EVP_PKEY* key = X509_get_pubkey(x509);  // up-referenced; owned by the shared_ptr
  if (key == nullptr) {
    return MakeError("crypto.not_a_certificate",
                     WithCause(origin + ": certificate public key is unreadable or unsupported"));
  }
  cert.public_key = EvpPkeyPtr(key, EVP_PKEY_free);
  cert.key_type = KeyType(key);
  return cert;
}

Result<Certificate> FromDer(std::string_view der, const std::string& origin) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* const end = p + der.size();
  X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x509) {
    return MakeError("crypto.not_a_certificate",
                     WithCause(origin + ": not a DER X.509 certificate"));
  }
  // Trailing bytes would be silently ignored by d2i; a certificate that
  // carries extra data is refused instead of half-read.
  if (p != end) {
    return MakeError("crypto.not_a_certificate", origin + ": " + std::to_string(end - p) +
                                                     " unexpected bytes after the DER certificate");
  }
  return FromX509(x509.get(), origin);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError("crypto.file_unreadable", "cannot open " + path + ": " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return MakeError("crypto.file_unreadable", "cannot read " + path);
  }
  return content.str();
}

// Refuses to prompt on the terminal for a pass phrase (OpenSSL's default
// when no callback is given): the plugin runs unattended.
int NoPassphrase(char*, int, int, void*) { return -1; }

}  // namespace

Result<std::vector<Certificate>> ParseCertificatesPem(std::string_view pem_text,
                                                      const std::string& origin) {
  try {
    ERR_clear_error();
    BioPtr bio = MemoryBio(pem_text);
    if (!bio) return MakeError("crypto.not_a_certificate", origin + ": out of memory");
    std::vector<Certificate> out;
    for (int block = 1;; ++block) {
      char* name = nullptr;
      char* header = nullptr;
      unsigned char* data = nullptr;
      long len = 0;
      if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
        const unsigned long e = ERR_peek_last_error();
        const bool end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
        if (end) {
          ERR_clear_error();
          break;
        }
        return MakeError(
            "crypto.not_a_certificate",
            WithCause(origin + ": PEM block " + std::to_string(block) + " is malformed"));
      }
      std::unique_ptr<char, OpenSslFree> name_owner(name);
      std::unique_ptr<char, OpenSslFree> header_owner(header);
      std::unique_ptr<unsigned char, OpenSslFree> data_owner(data);
      const std::string type = name;
      if (type != PEM_STRING_X509 && type != PEM_STRING_X509_OLD) {
        // A private key pasted where the IdP certificate belongs is a common
        // and dangerous mistake; say what was found.
        return MakeError("crypto.not_a_certificate", origin + ": PEM block " +
                                                         std::to_string(block) + " is \"" + type +
                                                         "\", expected \"CERTIFICATE\"");
      }
      auto cert = FromDer(
          std::string_view(reinterpret_cast<const char*>(data), static_cast<std::size_t>(len)),
          origin + " (PEM block " + std::to_string(block) + ")");
      if (!cert) return std::move(cert).error();
      out.push_back(std::move(*cert));
    }
    if (out.empty()) {
      return MakeError("crypto.not_a_certificate",
                       origin + ": no \"-----BEGIN CERTIFICATE-----\" block found");
    }
    return out;
  } catch (const std::exception& e) {
    ERR_clear_error();
    return MakeError("crypto.not_a_certificate", origin + ": " + e.what());
  }
}

Result<std::vector<Certificate>> LoadCertificatesFile(const std::string& path) {
  try {
    auto text = ReadFile(path);
    if (!text) return std::move(text).error();
    return ParseCertificatesPem(*text, path);
  } catch (const std::exception& e) {
    return MakeError("crypto.file_unreadable", "cannot read " + path + ": " + e.what());
  }
}

Result<Certificate> ParseCertificateBase64Der(std::string_view base64, const std::string& origin) {
  try {
    ERR_clear_error();
    auto der = encoding::Base64Decode(base64);
    if (!der) {
      return MakeError("crypto.not_a_certificate", origin + ": " + der.error().message);
    }
    return FromDer(*der, origin);
  } catch (const std::exception& e) {
    ERR_clear_error();
    return MakeError("crypto.not_a_certificate", origin + ": " + e.what());
  }
}

Result<PrivateKey> LoadPrivateKeyFile(const std::string& path) {
  try {
    auto text = ReadFile(path);
    if (!text) return std::move(text).error();
    if (text->find("ENCRYPTED") != std::string::npos) {
      return MakeError("crypto.not_a_private_key",
                       path + ": the private key is encrypted; an unencrypted PEM key is needed");
    }
    ERR_clear_error();
    BioPtr bio = MemoryBio(*text);
    if (!bio) return MakeError("crypto.not_a_private_key", path + ": out of memory");
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr);
    if (key == nullptr) {
      return MakeError("crypto.not_a_private_key",
                       WithCause(path + ": no readable \"PRIVATE KEY\" PEM block"));
    }
    PrivateKey out;
    out.key = EvpPkeyPtr(key, EVP_PKEY_free);
    out.key_type = KeyType(key);
    return out;
  } catch (const std::exception& e) {
    ERR_clear_error();
    return MakeError("crypto.not_a_private_key", path + ": " + e.what());
  }
}

}  // namespace vsso::crypto
