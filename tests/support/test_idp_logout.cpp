#include "support/test_idp_logout.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <memory>
#include <stdexcept>

#include "common/deflate.hpp"
#include "common/encoding.hpp"
#include "common/url.hpp"

namespace vsso::testing {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

const EVP_MD* DigestOf(const std::string& sig_alg) {
  if (sig_alg == kRsaSha1) return EVP_sha1();
  if (sig_alg == kRsaSha384) return EVP_sha384();
  if (sig_alg == kRsaSha512) return EVP_sha512();
  return EVP_sha256();
}

}  // namespace

// As SimpleSAMLphp 1.19's SAML2\LogoutRequest::toUnsignedXML writes it.
std::string IdpLogoutRequestXml(const IdpLogoutRequestSpec& s) {
  std::string x = "<samlp:LogoutRequest xmlns:samlp=\"" + std::string(kProtocolNs) +
                  "\" xmlns:saml=\"" + kAssertionNs + "\"" + Attr("ID", s.id) +
                  Attr("Version", s.version) + Attr("IssueInstant", FormatInstant(s.issue_instant));
  if (s.not_on_or_after) x += Attr("NotOnOrAfter", FormatInstant(*s.not_on_or_after));
  if (!s.destination.empty()) x += Attr("Destination", s.destination);
  x += "><saml:Issuer>" + EscapeAttr(s.issuer) + "</saml:Issuer><saml:NameID";
  if (!s.sp_name_qualifier.empty()) x += Attr("SPNameQualifier", s.sp_name_qualifier);
  if (!s.name_id_format.empty()) x += Attr("Format", s.name_id_format);
  x += ">" + EscapeAttr(s.name_id) + "</saml:NameID>";
  for (const auto& si : s.session_indexes) {
    x += "<samlp:SessionIndex>" + EscapeAttr(si) + "</samlp:SessionIndex>";
  }
  return x + "</samlp:LogoutRequest>";
}

std::string IdpLogoutResponseXml(const IdpLogoutResponseSpec& s) {
  std::string x = "<samlp:LogoutResponse xmlns:samlp=\"" + std::string(kProtocolNs) +
                  "\" xmlns:saml=\"" + kAssertionNs + "\"" + Attr("ID", s.id) +
                  Attr("Version", "2.0") + Attr("IssueInstant", FormatInstant(s.issue_instant));
  if (!s.destination.empty()) x += Attr("Destination", s.destination);
  if (!s.in_response_to.empty()) x += Attr("InResponseTo", s.in_response_to);
  x += "><saml:Issuer>" + EscapeAttr(s.issuer) + "</saml:Issuer><samlp:Status><samlp:StatusCode" +
       Attr("Value", s.status) + "/></samlp:Status></samlp:LogoutResponse>";
  return x;
}

std::string PhpUrlEncode(const std::string& value, bool lower_case_hex) {
  const char* hex = lower_case_hex ? "0123456789abcdef" : "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string RedirectQuery(const std::string& param, const std::string& xml,
                          const std::string& relay_state, const RedirectSignSpec& sign) {
  auto deflated = deflate::Compress(xml);
  if (!deflated) throw std::runtime_error(deflated.error().message);
  // Bindings 3.4.4.1: the signed string, from the encoded values.
  std::string signed_part =
      param + "=" + PhpUrlEncode(encoding::Base64Encode(*deflated), sign.lower_case_hex);
  if (!relay_state.empty()) {
    signed_part += "&RelayState=" + PhpUrlEncode(relay_state, sign.lower_case_hex);
  }
  if (sign.key == nullptr) return signed_part;
  const std::string sig_alg_part = "SigAlg=" + PhpUrlEncode(sign.sig_alg, sign.lower_case_hex);
  signed_part += "&" + sig_alg_part;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(signed_part.data());
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, DigestOf(sign.sig_alg), nullptr, sign.key->pkey()) !=
          1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, data, signed_part.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                     signed_part.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign failed");
  }
  sig.resize(len);
  const std::string sig_part =
      "Signature=" + PhpUrlEncode(encoding::Base64Encode(sig), sign.lower_case_hex);
  if (!sign.signature_first) return signed_part + "&" + sig_part;
  // Same parameters, other order: Signature, SigAlg, then the message.
  const std::string message_part =
      signed_part.substr(0, signed_part.size() - sig_alg_part.size() - 1);
  return sig_part + "&" + sig_alg_part + "&" + message_part;
}

std::string QueryOfUrl(const std::string& u) {
  const auto q = u.find('?');
  if (q == std::string::npos) return {};
  const auto hash = u.find('#', q);
  return u.substr(q + 1, hash == std::string::npos ? std::string::npos : hash - q - 1);
}

std::optional<std::string> QueryValue(const std::string& query, const std::string& key) {
  auto params = url::ParseQuery(query);
  if (!params) return std::nullopt;
  for (const auto& [k, v] : *params) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string InflateRedirectValue(const std::string& value) {
  auto raw = encoding::Base64Decode(value);
  if (!raw) throw std::runtime_error("not base64: " + raw.error().message);
  auto xml = deflate::Inflate(*raw, 1 << 20);
  if (!xml) throw std::runtime_error("not deflate: " + xml.error().message);
  return *xml;
}

bool RedirectSignatureValid(const std::string& query, const TestKey& key) {
  auto raw = url::SplitQuery(query);
  if (!raw) return false;
  std::string message, relay, sig_alg, signature;
  for (const auto& [k, v] : *raw) {
    if (k == "SAMLRequest" || k == "SAMLResponse") message = k + "=" + v;
    if (k == "RelayState") relay = "&RelayState=" + v;
    if (k == "SigAlg") sig_alg = "&SigAlg=" + v;
  }
  auto sig_value = QueryValue(query, "Signature");
  if (message.empty() || sig_alg.empty() || !sig_value) return false;
  auto sig = encoding::Base64Decode(*sig_value);
  if (!sig) return false;
  const std::string octets = message + relay + sig_alg;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.pkey()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                          sig->size(), reinterpret_cast<const unsigned char*>(octets.data()),
                          octets.size()) == 1;
}

}  // namespace vsso::testing
