#include "config/attribute_aliases.hpp"

#include <algorithm>
#include <array>

#include "config/reader.hpp"

namespace vsso::config {
namespace {

// Within an alias the names run from the most specific vocabulary to the
// plainest: Microsoft claim URIs, LDAP OIDs (SAML V2.0 X.500/LDAP attribute
// profile), LDAP names, then the profile names Okta and Google Workspace
// admins type. An IdP sends one vocabulary, so the order only matters when
// it sends two spellings of the same thing.
constexpr const char* kEntra = "Entra ID";
constexpr const char* kAdfs = "AD FS";
constexpr const char* kEntraAdfs = "Entra ID, AD FS";
constexpr const char* kLdap = "LDAP";
constexpr const char* kEduPerson = "eduPerson";
constexpr const char* kOkta = "Okta";
constexpr const char* kOktaGoogle = "Okta, Google Workspace";

// Entra ID's default SAML claim `.../claims/name` carries the user principal
// name, not a display name, so it belongs to @uid and not to @name.
constexpr std::array<AliasName, 6> kName = {{
    {"http://schemas.microsoft.com/identity/claims/displayname", kEntra},
    {"http://schemas.xmlsoap.org/claims/CommonName", kAdfs},
    {"urn:oid:2.16.840.1.113730.3.1.241", kLdap},
    {"displayName", "LDAP, Okta"},
    {"urn:oid:2.5.4.3", kLdap},
    {"cn", kLdap},
}};

constexpr std::array<AliasName, 4> kGivenName = {{
    {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", kEntraAdfs},
    {"urn:oid:2.5.4.42", kLdap},
    {"givenName", kLdap},
    {"firstName", kOktaGoogle},
}};

constexpr std::array<AliasName, 5> kFamilyName = {{
    {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", kEntraAdfs},
    {"urn:oid:2.5.4.4", kLdap},
    {"sn", kLdap},
    {"surname", kLdap},
    {"lastName", kOktaGoogle},
}};

constexpr std::array<AliasName, 4> kEmail = {{
    {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", kEntraAdfs},
    {"urn:oid:0.9.2342.19200300.100.1.3", kLdap},
    {"mail", kLdap},
    {"email", kOktaGoogle},
}};

// Work numbers before mobile ones in each vocabulary.
constexpr std::array<AliasName, 8> kPhone = {{
    {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/otherphone", kAdfs},
    {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/mobilephone", kAdfs},
    {"urn:oid:2.5.4.20", kLdap},
    {"telephoneNumber", kLdap},
    {"urn:oid:0.9.2342.19200300.100.1.41", kLdap},
    {"mobile", kLdap},
    {"primaryPhone", kOkta},
    {"mobilePhone", kOkta},
}};

constexpr std::array<AliasName, 4> kCompany = {{
    {"urn:oid:2.5.4.10", kLdap},
    {"o", kLdap},
    {"organizationName", kLdap},
    {"organization", kOkta},
}};

constexpr std::array<AliasName, 4> kDepartment = {{
    {"urn:oid:2.5.4.11", kLdap},
    {"ou", kLdap},
    {"organizationalUnitName", kLdap},
    {"department", kOkta},
}};

constexpr std::array<AliasName, 8> kUid = {{
    {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", kAdfs},
    {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", kEntraAdfs},
    {"http://schemas.microsoft.com/identity/claims/objectidentifier", kEntra},
    {"urn:oid:0.9.2342.19200300.100.1.1", kLdap},
    {"uid", kLdap},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.6", kEduPerson},
    {"eduPersonPrincipalName", kEduPerson},
    {"login", kOkta},
}};

constexpr std::array<AttributeAlias, 8> kAliases = {{
    {"@name", "Display name (full name).", kName},
    {"@given_name", "Given (first) name.", kGivenName},
    {"@family_name", "Family name (surname).", kFamilyName},
    {"@email", "Email address.", kEmail},
    {"@phone", "Telephone number, work before mobile.", kPhone},
    {"@company", "Organization (company) name.", kCompany},
    {"@department", "Department or organizational unit.", kDepartment},
    {"@uid", "User ID or login name at the IdP.", kUid},
}};

constexpr std::array<AliasSource, 6> kSources = {{
    {"Entra ID",
     "https://learn.microsoft.com/entra/identity-platform/reference-saml-tokens and "
     "https://learn.microsoft.com/entra/identity-platform/saml-claims-customization (a SAML "
     "app's default claims: emailaddress, givenname, surname, and name = the user principal "
     "name); displayname and objectidentifier as in SimpleSAMLphp's attributemap/azure2name.php "
     "(github.com/simplesamlphp/simplesamlphp)"},
    {"AD FS",
     "its claim descriptions E-Mail Address, Given Name, Surname, Name, UPN and Common Name "
     "(http://schemas.xmlsoap.org/claims/CommonName); the ws/2005/05 claim URIs, mobilephone and "
     "otherphone included, as in https://learn.microsoft.com/dotnet/api/"
     "system.security.claims.claimtypes; Active Directory's telephoneNumber sent as otherphone "
     "as in SimpleSAMLphp's attributemap/name2claim.php (AD LDAP to claims)"},
    {"LDAP",
     "RFC 4519, RFC 4524 and RFC 2798 (inetOrgPerson) names and their urn:oid: names (SAML "
     "V2.0 X.500/LDAP attribute profile), as in SimpleSAMLphp's attributemap/name2oid.php"},
    {"eduPerson", "the eduPerson schema: eduPersonPrincipalName, OID 1.3.6.1.4.1.5923.1.1.1.6"},
    {"Okta",
     "the base attributes of the Okta user profile "
     "(https://help.okta.com/en-us/Content/topics/users-groups-profiles/usgp-about-profiles.htm), "
     "sent under those names as in Okta's attribute statement example "
     "email|${user.email},firstName|${user.firstName} (https://saml-doc.okta.com/SAML_Docs/"
     "How-to-Configure-SAML-2.0-for-Template-SAML-2.0-App.html)"},
    {"Google Workspace",
     "a custom SAML app sends only the attributes its admin maps, under names the admin types; "
     "email, firstName and lastName are the names service providers' setup guides ask for "
     "(e.g. https://kb.aampe.com/developer-guide/sso/sso_google, Ory Polis' Google guide)"},
}};

}  // namespace

std::span<const AttributeAlias> AttributeAliases() { return kAliases; }

std::span<const AliasSource> AliasSources() { return kSources; }

const AttributeAlias* FindAttributeAlias(std::string_view alias) {
  const auto it = std::find_if(kAliases.begin(), kAliases.end(),
                               [&](const AttributeAlias& a) { return a.alias == alias; });
  return it == kAliases.end() ? nullptr : &*it;
}

Result<std::vector<std::string>> ExpandAttributeAliases(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  auto add = [&out](std::string_view name) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
  };
  for (const std::string& item : items) {
    if (!item.starts_with('@')) {
      add(item);
      continue;
    }
    const AttributeAlias* alias = FindAttributeAlias(item);
    if (alias == nullptr) {
      std::array<std::string_view, kAliases.size()> known{};
      std::transform(kAliases.begin(), kAliases.end(), known.begin(),
                     [](const AttributeAlias& a) { return a.alias; });
      std::string problem = "unknown attribute alias " + item;
      if (const std::string near = detail::ClosestName(item, known); !near.empty()) {
        problem += " (did you mean " + near + "?)";
      }
      problem += "; known aliases:";
      for (std::string_view k : known) problem += " " + std::string(k);
      return MakeError("config.unknown_attribute_alias", problem);
    }
    for (const AliasName& n : alias->names) add(n.name);
  }
  return out;
}

}  // namespace vsso::config
