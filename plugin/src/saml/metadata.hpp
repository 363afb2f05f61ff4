// SAML 2.0 metadata (SAML Metadata 2.3-2.4): the SP's own EntityDescriptor
// for the admin to hand to the IdP, and the few facts the plugin needs from
// the IdP's metadata file. Stateless and re-entrant.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "crypto/certificate.hpp"
#include "saml/xml_util.hpp"

namespace vsso::saml {

struct SpMetadataParams {
  std::string sp_entity_id;
  std::string acs_url;  ///< HTTP-POST AssertionConsumerService, index 0, default
  bool authn_requests_signed = false;
  /// HTTP-Redirect SingleLogoutService (this site's /sso/.../slo); empty:
  /// none listed.
  std::string slo_url;
  /// SP certificate; absent: no KeyDescriptor. Published for signing, and for
  /// encryption with the accepted EncryptionMethods when its key is RSA.
  std::optional<crypto::Certificate> certificate;
};

/// An EntityDescriptor with one SPSSODescriptor, UTF-8 with XML declaration.
std::string BuildSpMetadata(const SpMetadataParams& params);

struct IdpMetadata {
  std::string entity_id;
  std::string sso_redirect_url;  ///< SingleSignOnService, HTTP-Redirect binding
  /// SingleLogoutService with the HTTP-Redirect binding: Location, and
  /// ResponseLocation (Metadata 2.2.2: where responses go; empty: Location).
  /// Both empty when the IdP offers no Redirect-binding single logout.
  std::string slo_redirect_url;
  std::string slo_redirect_response_url;
  /// KeyDescriptors with use="signing" or no use, document order, duplicates removed.
  std::vector<crypto::Certificate> signing_certificates;
};

/// Reads an EntityDescriptor, or the one EntityDescriptor with an
/// IDPSSODescriptor inside an EntitiesDescriptor. The file is trusted as the
/// admin's configuration (its signature and validUntil are not checked), but
/// parsed hardened: no network, no entities, no DOCTYPE. `origin` names the
/// file in messages. Errors "metadata.<cause>": too_large, not_xml,
/// doctype_refused, not_metadata, no_idp_entity, ambiguous_idp_entity,
/// missing_entity_id, invalid_entity_id, missing_idp_descriptor, missing_sso_redirect,
/// missing_signing_certificate, bad_certificate.
Result<IdpMetadata> ParseIdpMetadata(std::string_view xml, const std::string& origin);

/// The parse ParseIdpMetadata starts with, shared with ValidateFetchedMetadata
/// (fetched_metadata.hpp) so both read a document the same hardened way: no
/// network, stopped at any DOCTYPE, blanks kept (whitespace inside a
/// ds:SignedInfo is signed). Call inside an XmlErrorScope. Errors
/// "metadata.<cause>": too_large, not_xml, doctype_refused.
Result<XmlDocPtr> ParseMetadataDocument(std::string_view xml, const std::string& origin);

}  // namespace vsso::saml
