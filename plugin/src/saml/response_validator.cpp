#include "saml/response_validator.hpp"

#include <libxml/parser.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmlsec.h>

#include <exception>
#include <mutex>
#include <new>

#include "common/encoding.hpp"
#include "saml/message.hpp"
#include "saml/rules/algorithm_policy.hpp"
#include "saml/rules/attributes.hpp"
#include "saml/rules/audience.hpp"
#include "saml/rules/authn_statement.hpp"
#include "saml/rules/bearer_confirmation.hpp"
#include "saml/rules/conditions_window.hpp"
#include "saml/rules/decryption.hpp"
#include "saml/rules/destination.hpp"
#include "saml/rules/id_registration.hpp"
#include "saml/rules/in_response_to.hpp"
#include "saml/rules/issuer.hpp"
#include "saml/rules/replay.hpp"
#include "saml/rules/signature_coverage.hpp"
#include "saml/rules/signature_verify.hpp"
#include "saml/rules/status.hpp"
#include "saml/rules/structure.hpp"
#include "saml/rules/subject.hpp"
#include "saml/rules/version.hpp"
#include "saml/rules/xml_hardening.hpp"
#include "saml/xml_errors.hpp"

namespace vsso::saml {
namespace {

using Rule = Status (*)(Message&, const ValidationContext&);

// The order is part of the security design: structure and IDs before any
// signature work; the Response signature (over the ciphertext) before
// decryption; the decrypted assertion's signatures after it; nothing is read
// into the Identity before every signature verified; replay last, so only a
// fully valid assertion is remembered.
constexpr Rule kRules[] = {
    rules::ParseHardened,
    rules::CheckStructure,
    rules::RegisterIds,
    rules::CheckStatus,
    rules::CheckSignaturePlacement,
    rules::CheckAlgorithmPolicy,
    rules::VerifySignatures,
    rules::DecryptAssertion,
    rules::CheckSignaturePlacement,  // signatures inside the decrypted assertion
    rules::CheckAlgorithmPolicy,
    rules::VerifySignatures,
    rules::CheckSignatureCoverage,
    rules::CheckVersion,
    rules::CheckIssuer,
    rules::CheckDestination,
    rules::CheckInResponseTo,
    rules::CheckBearerConfirmation,
    rules::CheckConditionsWindow,
    rules::CheckAudience,
    rules::CheckAuthnStatement,
    rules::CheckSubject,
    rules::ReadAttributes,
    rules::CheckReplay,
};

// IDs and issuer as far as the rules got, unverified (audit log only).
void Summarize(const Message& message, ResponseSummary* summary) {
  if (summary == nullptr || message.response == nullptr) return;
  summary->response_id = GetAttr(message.response, "ID").value_or("");
  xmlNodePtr issuer = nullptr;
  if (message.assertion != nullptr) {
    summary->assertion_id = GetAttr(message.assertion, "ID").value_or("");
    issuer = FirstChild(message.assertion, ns::kAssertion, "Issuer");
  }
  if (issuer == nullptr) issuer = FirstChild(message.response, ns::kAssertion, "Issuer");
  if (issuer != nullptr) summary->issuer = TrimXmlSpace(TextContent(issuer));
}

}  // namespace

void InitializeXmlLibraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    XmlErrorScope quiet;
    // Failures are reported through error codes; xmlsec's own log would
    // only repeat them, once per attacker request.
    InstallXmlsecErrorCallback();
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecOpenSSLAppInit(nullptr) < 0 ||
        xmlSecOpenSSLInit() < 0) {
      // Without xmlsec no response can ever be verified; ValidateResponse
      // then fails every call with saml.internal (signature contexts fail).
      return;
    }
  });
}

Result<Identity> ValidateResponse(std::string_view xml, const ValidationContext& context,
                                  ResponseSummary* summary) {
  try {
    InitializeXmlLibraries();
    // Parsing, verification and decryption all report through the
    // thread's libxml2 handlers; none of it may reach the host's stderr.
    XmlErrorScope quiet;
    Message message(xml);
    for (Rule rule : kRules) {
      if (Status status = rule(message, context); !status) {
        Summarize(message, summary);
        return std::move(status).error();
      }
    }
    if (summary != nullptr) {
      // What Summarize would read again from the tree: the rules stored the
      // same IDs and the same trimmed assertion Issuer in the identity.
      summary->response_id = message.identity.response_id;
      summary->assertion_id = message.identity.assertion_id;
      summary->issuer = message.identity.issuer;
    }
    return std::move(message.identity);
  } catch (const std::bad_alloc&) {
    return MakeError("saml.internal", "out of memory while validating the response");
  } catch (const std::exception& e) {
    return MakeError("saml.internal", std::string("unexpected failure: ") + e.what());
  }
}

Result<std::string> DecodePostedResponse(std::string_view form_value) {
  auto decoded = encoding::Base64Decode(form_value);
  if (!decoded) {
    return MakeError("saml.binding.bad_base64",
                     "the SAMLResponse form value is not base64 (SAML Bindings 3.5.4): " +
                         decoded.error().message);
  }
  if (decoded->empty()) {
    return MakeError("saml.binding.bad_base64", "the SAMLResponse form value is empty");
  }
  return std::move(*decoded);
}

}  // namespace vsso::saml
