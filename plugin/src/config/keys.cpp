#include "config/keys.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace vsso::config {
namespace {

using enum KeyType;
using enum Presence;

// Order is documentation order, and the order in which missing keys and
// files are reported.
constexpr std::array kKeys = std::to_array<KeySpec>({
    {.name = "enabled",
     .type = kBool,
     .default_value = "true",
     .member = &Settings::enabled,
     .description = "Turns visitor SSO on."},
    {.name = "sign_in",
     .type = kChoice,
     .default_value = "none",
     .member = &Settings::sign_in,
     .choices = "none|optional|required",
     .description = "Whether visitors are offered / forced to sign in before chatting."},
    {.name = "sp_entity_id",
     .type = kEntityId,
     .presence = kRequired,
     .member = &Settings::sp_entity_id,
     .description = "Our SAML entity ID, as the IdP knows it (often the metadata URL)."},
    {.name = "acs_url",
     .type = kHttpUrl,
     .presence = kRequired,
     .member = &Settings::acs_url,
     .description = "Assertion Consumer Service URL the IdP posts the Response to."},
    {.name = "idp_entity_id",
     .type = kEntityId,
     .presence = kRequiredWithoutMetadata,
     .member = &Settings::idp_entity_id,
     .description = "The IdP's entity ID; a Response's Issuer must equal it."},
    {.name = "idp_sign_in_url",
     .type = kHttpUrl,
     .presence = kRequiredWithoutMetadata,
     .member = &Settings::idp_sign_in_url,
     .description = "IdP SingleSignOnService URL the AuthnRequest is sent to."},
    {.name = "idp_logout_url",
     .type = kHttpUrl,
     .member = &Settings::idp_logout_url,
     .description = "IdP SingleLogoutService URL (HTTP-Redirect) for sign-out; overrides the "
                    "metadata's. Empty and none in the metadata: sign-out is local only."},
    {.name = "idp_certificates",
     .type = kFileList,
     .presence = kRequiredWithoutMetadata,
     .member = &Settings::idp_certificates,
     .description = "IdP signing certificates (PEM), space separated."},
    {.name = "idp_metadata",
     .type = kFile,
     .member = &Settings::idp_metadata,
     .description = "IdP metadata XML; when set, it supplies idp_entity_id, idp_sign_in_url and "
                    "idp_certificates, which become optional."},
    {.name = "idp_metadata_url",
     .type = kMetadataUrl,
     .member = &Settings::idp_metadata_url,
     .description = "URL of the IdP's metadata (https, or http to a loopback host), fetched and "
                    "refreshed; like idp_metadata, it makes idp_entity_id, idp_sign_in_url and "
                    "idp_certificates optional."},
    {.name = "idp_metadata_signing_certificate",
     .type = kFile,
     .member = &Settings::idp_metadata_signing_certificate,
     .description = "Certificate (PEM) whose key must have signed the document fetched from "
                    "idp_metadata_url."},
    {.name = "idp_metadata_refresh_seconds",
     .type = kInteger,
     .min = 60,
     .max = 86400,
     .default_value = "3600",
     .member = &Settings::idp_metadata_refresh_seconds,
     .description = "How often the metadata is fetched again from idp_metadata_url."},
    {.name = "sp_private_key",
     .type = kFile,
     .member = &Settings::sp_private_key,
     .description = "Our private key: decrypts EncryptedAssertion, signs AuthnRequests."},
    {.name = "sp_certificate",
     .type = kFile,
     .member = &Settings::sp_certificate,
     .description = "Certificate for sp_private_key (published in our metadata)."},
    {.name = "clock_skew_seconds",
     .type = kInteger,
     .min = 0,
     .max = 3600,
     .default_value = "120",
     .member = &Settings::clock_skew_seconds,
     .description = "Tolerance for NotBefore / NotOnOrAfter checks."},
    {.name = "allow_idp_initiated",
     .type = kBool,
     .default_value = "false",
     .member = &Settings::allow_idp_initiated,
     .description = "Accept unsolicited Responses (no matching AuthnRequest)."},
    {.name = "session_lifetime_seconds",
     .type = kInteger,
     .min = 60,
     .max = 604800,
     .default_value = "28800",
     .member = &Settings::session_lifetime_seconds,
     .description = "How long a visitor's SSO session lasts."},
    {.name = "customer_id_attribute",
     .type = kText,
     .member = &Settings::customer_id_attribute,
     .description = "Attribute holding the customer ID; empty: the NameID is the customer ID."},
    {.name = "database",
     .type = kDatabase,
     .default_value = "visitor-sso.db",
     .member = &Settings::database,
     .description = "SQLite database (created if absent, mode 0600; its directory must exist), "
                    "or a PostgreSQL URI postgresql://user@host:port/database."},
    {.name = "database_password_env",
     .type = kEnvName,
     .member = &Settings::database_password_env,
     .description = "Name of the environment variable holding the PostgreSQL password."},
    {.name = "allow_sha1",
     .type = kBool,
     .default_value = "false",
     .member = &Settings::allow_sha1,
     .description = "Accept RSA-SHA1 signatures and SHA-1 digests from legacy IdPs."},
    {.name = "sign_authn_requests",
     .type = kBool,
     .default_value = "false",
     .member = &Settings::sign_authn_requests,
     .description = "Sign AuthnRequests; needs sp_private_key and sp_certificate."},
    {.name = "max_response_bytes",
     .type = kInteger,
     .min = 1024,
     .max = 16777216,
     .default_value = "262144",
     .member = &Settings::max_response_bytes,
     .description = "Largest SAMLResponse accepted (decoded)."},
    {.name = "audit_retention_days",
     .type = kInteger,
     .min = 0,
     .max = 36500,
     .default_value = "90",
     .member = &Settings::audit_retention_days,
     .description =
         "Sign-in audit events older than this many days are deleted; 0 keeps them all."},
    {.name = "max_pending_sign_ins",
     .type = kInteger,
     .min = 10,
     .max = 10000000,
     .default_value = "10000",
     .member = &Settings::max_pending_sign_ins,
     .description = "Sign-ins started (/sso/login) and not yet answered that this site keeps at "
                    "once."},
});

// A wrong member type would otherwise only fail at run time (std::get).
// kDirectory is a [platform] type: no Settings member takes one.
constexpr bool MemberFitsType(const KeySpec& k) {
  switch (k.type) {
    case kBool:
      return std::holds_alternative<bool Settings::*>(k.member);
    case kInteger:
      return std::holds_alternative<std::int64_t Settings::*>(k.member) && k.min <= k.max;
    case kChoice:
      return std::holds_alternative<SignInPolicy Settings::*>(k.member) && !k.choices.empty();
    case kText:
    case kEntityId:
    case kHttpUrl:
    case kMetadataUrl:
    case kFile:
    case kDatabase:
    case kEnvName:
      return std::holds_alternative<std::string Settings::*>(k.member);
    case kFileList:
      return std::holds_alternative<std::vector<std::string> Settings::*>(k.member);
    case kDirectory:
      return false;
  }
  return false;
}
static_assert(std::ranges::all_of(kKeys, MemberFitsType), "a key's member does not fit its type");

// A required key with a default would never be missing.
static_assert(std::ranges::all_of(kKeys, [](const KeySpec& k) {
  return k.presence == kOptional || k.default_value.empty();
}));

constexpr bool NamesAreUnique() {
  for (std::size_t i = 0; i < kKeys.size(); ++i) {
    for (std::size_t j = i + 1; j < kKeys.size(); ++j) {
      if (kKeys[i].name == kKeys[j].name) return false;
    }
  }
  return true;
}
static_assert(NamesAreUnique(), "a key appears twice in the table");

// [platform] (platform.hpp). The database is the one [sso] database used to
// be: one SQLite file or PostgreSQL database for every site, whose rows are
// keyed by site.
constexpr std::array kPlatformKeys = std::to_array<PlatformKeySpec>({
    {.name = "database",
     .type = kDatabase,
     .default_value = "visitor-sso.db",
     .member = &PlatformConfig::database,
     .description = "SQLite database shared by every site (created if absent, mode 0600; its "
                    "directory must exist), or a PostgreSQL URI "
                    "postgresql://user@host:port/database."},
    {.name = "database_password_env",
     .type = kEnvName,
     .member = &PlatformConfig::database_password_env,
     .description = "Name of the environment variable holding the PostgreSQL password."},
    {.name = "sites",
     .type = kDirectory,
     .presence = kRequired,
     .member = &PlatformConfig::sites_dir,
     .description = "Directory of site files: each *.ini / *.json file in it is one site, "
                    "whose ID is the file name without the extension."},
});

static_assert(std::ranges::all_of(kPlatformKeys, [](const PlatformKeySpec& k) {
  return (k.type == kDatabase || k.type == kDirectory || k.type == kEnvName) &&
         k.member != nullptr &&
         (k.presence == kOptional || (k.presence == kRequired && k.default_value.empty()));
}));

}  // namespace

std::span<const KeySpec> SsoKeys() { return kKeys; }

const KeySpec* FindSsoKey(std::string_view name) {
  const auto it = std::ranges::find(kKeys, name, &KeySpec::name);
  return it == kKeys.end() ? nullptr : &*it;
}

std::span<const PlatformKeySpec> PlatformKeys() { return kPlatformKeys; }

const PlatformKeySpec* FindPlatformKey(std::string_view name) {
  const auto it = std::ranges::find(kPlatformKeys, name, &PlatformKeySpec::name);
  return it == kPlatformKeys.end() ? nullptr : &*it;
}

std::string TypeLabel(const PlatformKeySpec& key) {
  switch (key.type) {
    case kDirectory:
      return "directory";
    case kEnvName:
      return "variable name";
    default:
      return "file or URI";
  }
}

std::string TypeLabel(const KeySpec& key) {
  switch (key.type) {
    case kBool:
      return "bool";
    case kInteger:
      return "integer " + std::to_string(key.min) + ".." + std::to_string(key.max);
    case kChoice: {
      // Markdown table cells need the '|' escaped.
      std::string label;
      std::string_view rest = key.choices;
      while (!rest.empty()) {
        const std::size_t bar = rest.find('|');
        if (!label.empty()) label += " \\| ";
        label += "`" + std::string(rest.substr(0, bar)) + "`";
        rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
      }
      return label;
    }
    case kText:
      return "text";
    case kEntityId:
      return "entity ID";
    case kHttpUrl:
      return "http(s) URL";
    case kMetadataUrl:
      return "https URL";
    case kFile:
      return "file";
    case kDatabase:
      return "file or URI";
    case kFileList:
      return "list of files";
    case kDirectory:
      return "directory";
    case kEnvName:
      return "variable name";
  }
  return "unknown";
}

}  // namespace vsso::config
