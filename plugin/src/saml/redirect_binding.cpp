#include "saml/redirect_binding.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <optional>

#include "common/deflate.hpp"
#include "common/encoding.hpp"
#include "common/url.hpp"

namespace vsso::saml {
std::string OpenSslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Result<std::string> SignRedirectSha256(EVP_PKEY* key, std::string_view signed_octets,
                                       const char* error_code) {
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(signed_octets.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, bytes, signed_octets.size()) != 1) {
    return MakeError(error_code, "EVP_DigestSign: " + OpenSslError());
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes,
                     signed_octets.size()) != 1) {
    return MakeError(error_code, "EVP_DigestSign: " + OpenSslError());
  }
  sig.resize(len);
  return sig;
}

namespace {

const char* ParamName(RedirectKind kind) {
  return kind == RedirectKind::kRequest ? "SAMLRequest" : "SAMLResponse";
}

// The SigAlg values of the algorithm policy (rules/algorithm_policy.cpp, the
// same list as for XML signatures; RFC 6931 identifiers): SHA-1 only with
// allow_sha1.
struct SigAlg {
  const char* uri;
  int key_type;
  const EVP_MD* (*digest)();
  bool sha1;
};
constexpr SigAlg kSigAlgs[] = {
    {kRedirectRsaSha256, EVP_PKEY_RSA, EVP_sha256, false},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", EVP_PKEY_RSA, EVP_sha384, false},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", EVP_PKEY_RSA, EVP_sha512, false},
    {kRedirectEcdsaSha256, EVP_PKEY_EC, EVP_sha256, false},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", EVP_PKEY_EC, EVP_sha384, false},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", EVP_PKEY_EC, EVP_sha512, false},
    {kRedirectRsaSha1, EVP_PKEY_RSA, EVP_sha1, true},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1", EVP_PKEY_EC, EVP_sha1, true},
};

// The digest to verify `sig_alg` with `key`, or nullptr when the policy or
// the key type does not allow it.
const EVP_MD* DigestFor(const std::string& sig_alg, EVP_PKEY* key, bool allow_sha1) {
  if (key == nullptr) return nullptr;
  for (const SigAlg& alg : kSigAlgs) {
    if (sig_alg != alg.uri) continue;
    if (alg.sha1 && !allow_sha1) return nullptr;
    return EVP_PKEY_get_base_id(key) == alg.key_type ? alg.digest() : nullptr;
  }
  return nullptr;
}

}  // namespace

Result<std::string> EncodeRedirect(std::string_view target_url, RedirectKind kind,
                                   std::string_view xml, std::string_view relay_state,
                                   const crypto::PrivateKey* key) {
  if (!target_url.starts_with("https://") && !target_url.starts_with("http://")) {
    return MakeError("saml.logout.bad_destination",
                     "the IdP's logout URL must be an http(s) URL, got \"" +
                         std::string(target_url.substr(0, 200)) + "\"");
  }
  if (relay_state.size() > kMaxRedirectRelayState) {
    return MakeError("saml.logout.relay_state_too_long",
                     "RelayState is " + std::to_string(relay_state.size()) +
                         " bytes; the HTTP-Redirect binding allows at most 80 (Bindings 3.4.3)");
  }
  std::string sig_alg;
  if (key != nullptr) {
    const int type = key->key ? EVP_PKEY_get_base_id(key->key.get()) : 0;
    if (type == EVP_PKEY_RSA) {
      sig_alg = kRedirectRsaSha256;
    } else if (type == EVP_PKEY_EC) {
      sig_alg = kRedirectEcdsaSha256;
    } else {
      return MakeError(
          "saml.logout.unsupported_key",
          "the SP private key is " +
              (key->key_type.empty() ? std::string("of an unknown type") : key->key_type) +
              "; logout messages are signed with an RSA or EC key");
    }
  }
  // Bindings 3.4.4.1: DEFLATE, base64, then URL-encode.
  auto deflated = deflate::Compress(xml);
  if (!deflated) return std::move(deflated).error();
  url::QueryParams query{{ParamName(kind), encoding::Base64Encode(*deflated)}};
  if (!relay_state.empty()) query.emplace_back("RelayState", std::string(relay_state));
  if (key != nullptr) {
    query.emplace_back("SigAlg", sig_alg);
    // The signed octets are the encoded parameters in this order, exactly
    // as AppendQuery writes them (both use EncodeQueryValue).
    std::string octets;
    for (const auto& [name, value] : query) {
      if (!octets.empty()) octets += '&';
      octets += name + "=" + url::EncodeQueryValue(value);
    }
    auto sig = SignRedirectSha256(key->key.get(), octets, "saml.logout.sign_failed");
    if (!sig) return std::move(sig).error();
    query.emplace_back("Signature", encoding::Base64Encode(*sig));
  }
  auto out = url::AppendQuery(target_url, query);
  if (!out) return MakeError("saml.logout.bad_destination", out.error().message);
  return std::move(*out);
}

Result<RedirectMessage> ParseRedirectQuery(std::string_view query) {
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  auto raw = url::SplitQuery(query);
  if (!raw) return MakeError("saml.logout.bad_query", raw.error().message);
  auto decoded = url::ParseQuery(query);
  if (!decoded) return MakeError("saml.logout.bad_query", decoded.error().message);

  // Position of each binding parameter; a repeated one is ambiguous (which
  // copy was signed?), so it is refused rather than picked.
  constexpr const char* kNames[] = {"SAMLRequest", "SAMLResponse", "RelayState", "SigAlg",
                                    "Signature"};
  std::optional<std::size_t> at[5];
  for (std::size_t i = 0; i < decoded->size(); ++i) {
    for (std::size_t n = 0; n < 5; ++n) {
      if ((*decoded)[i].first != kNames[n]) continue;
      if (at[n]) {
        return MakeError("saml.logout.duplicate_param",
                         std::string("the query carries ") + kNames[n] +
                             " more than once (SAML Bindings 3.4.4.1)");
      }
      at[n] = i;
    }
  }
  if (at[0].has_value() == at[1].has_value()) {
    return MakeError("saml.logout.missing_message",
                     at[0] ? "the query carries both SAMLRequest and SAMLResponse"
                           : "the query carries neither SAMLRequest nor SAMLResponse");
  }
  if (at[3].has_value() != at[4].has_value()) {
    return MakeError("saml.logout.partial_signature",
                     std::string("the query has ") +
                         (at[3] ? "SigAlg but no Signature" : "Signature but no SigAlg"));
  }

  RedirectMessage m;
  m.kind = at[0] ? RedirectKind::kRequest : RedirectKind::kResponse;
  const std::size_t message_at = at[0] ? *at[0] : *at[1];
  if (at[2]) {
    // RelayState is opaque text the sender encoded, often with PHP's
    // urlencode or Java's URLEncoder, where '+' is a space; it is read the
    // way those servers read it, so an echo returns what the sender meant.
    // (The base64 values keep '+': base64 has no spaces.)
    auto form = url::ParseForm(query);
    if (!form) return MakeError("saml.logout.bad_query", form.error().message);
    m.relay_state = (*form)[*at[2]].second;
  }
  if (at[3]) {
    m.sig_alg = (*decoded)[*at[3]].second;
    auto sig = encoding::Base64Decode((*decoded)[*at[4]].second);
    if (!sig || sig->empty()) {
      return MakeError("saml.logout.bad_signature_encoding",
                       "the Signature parameter is not base64");
    }
    m.signature = std::move(*sig);
    // Bindings 3.4.4.1: the octets as received, in this fixed order,
    // whatever order the parameters came in.
    const auto& r = *raw;
    m.signed_octets = std::string(ParamName(m.kind)) + "=" + r[message_at].second;
    if (at[2]) m.signed_octets += "&RelayState=" + r[*at[2]].second;
    m.signed_octets += "&SigAlg=" + r[*at[3]].second;
  }

  auto deflated = encoding::Base64Decode((*decoded)[message_at].second);
  if (!deflated || deflated->empty()) {
    return MakeError("saml.logout.bad_base64",
                     std::string(ParamName(m.kind)) + " is not base64 (SAML Bindings 3.4.4.1)");
  }
  auto xml = deflate::Inflate(*deflated, kMaxInflatedLogoutMessage);
  if (!xml) {
    if (xml.error().code == "common.inflate_too_large") {
      return MakeError("saml.logout.too_large",
                       std::string(ParamName(m.kind)) + " inflates to more than " +
                           std::to_string(kMaxInflatedLogoutMessage) + " bytes");
    }
    return MakeError(
        "saml.logout.bad_deflate",
        std::string(ParamName(m.kind)) + " is not a raw DEFLATE stream: " + xml.error().message);
  }
  m.xml = std::move(*xml);
  return m;
}

Status VerifyRedirectMessage(const RedirectMessage& message, const CertificateSet& certificates,
                             bool allow_sha1) {
  if (!message.is_signed()) {
    return MakeError(
        "saml.logout.unsigned",
        std::string("the ") +
            (message.kind == RedirectKind::kRequest ? "LogoutRequest" : "LogoutResponse") +
            " carries no SigAlg and Signature; logout messages must be signed by "
            "the IdP (SAML Profiles 4.4.3.1/4.4.4.1); set the IdP to sign them "
            "(SimpleSAMLphp: sign.logout in the SP's entry)");
  }
  bool algorithm_usable = false;
  for (const crypto::Certificate& cert : certificates) {
    EVP_PKEY* pkey = cert.public_key.get();
    const EVP_MD* md = DigestFor(message.sig_alg, pkey, allow_sha1);
    if (md == nullptr) continue;
    algorithm_usable = true;
    std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey) != 1) {
      ERR_clear_error();
      continue;
    }
    const int rc = EVP_DigestVerify(
        ctx.get(), reinterpret_cast<const unsigned char*>(message.signature.data()),
        message.signature.size(),
        reinterpret_cast<const unsigned char*>(message.signed_octets.data()),
        message.signed_octets.size());
    ERR_clear_error();
    if (rc == 1) return Ok();
  }
  if (!algorithm_usable) {
    const bool sha1 = message.sig_alg.ends_with("-sha1");
    return MakeError("saml.logout.algorithm",
                     "SigAlg \"" + message.sig_alg.substr(0, 120) + "\" is not allowed" +
                         (sha1 ? " (SHA-1 needs allow_sha1 = true)"
                               : std::string(" for the IdP's certificates; expected RSA or ECDSA "
                                             "with SHA-256, SHA-384 or SHA-512 matching the "
                                             "certificate's key")));
  }
  return MakeError("saml.logout.signature_invalid",
                   "the Redirect-binding signature verifies with none of the " +
                       std::to_string(certificates.size()) +
                       " IdP certificates (a message signed by another key, or altered)");
}

}  // namespace vsso::saml
