// visitor-sso-admin: the admin's command line, built from the plugin's own
// code (visitor_sso_core) so that `verify` runs exactly what the ACS runs.
// Every command that reads or writes site data takes --site ID (default
// "default") and sees that site's rows only; check-config and sites list
// (check_config_command.cpp, sites_command.cpp) cover every site.
//
// Exit codes: 0 ok, 1 a check failed, 2 usage or configuration error.
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "cli.hpp"
#include "common/time.hpp"
#include "crypto/certificate.hpp"
#include "hooks/runtime.hpp"
#include "hooks/sign_in_service.hpp"
#include "saml/metadata.hpp"
#include "saml/response_validator.hpp"
#include "store/audit_log.hpp"
#include "store/certificate_repository.hpp"
#include "store/mapping_repository.hpp"
#include "store/transcript_repository.hpp"

namespace vsso::admin {
namespace {

int CertsList(const Args& a) {
  int rc = kOk;
  auto rt = Open(a, rc);
  if (!rt) return rc;
  store::CertificateRepository repo((*rt)->db, (*rt)->settings.site_id);
  auto rows = repo.List(a.all);
  if (!rows) return ConfigError(rows.error());
  const auto now = Now();
  for (const auto& r : *rows) {
    std::cout << r.fingerprint << "  " << (r.active ? "active  " : "inactive") << "  " << r.source
              << "  not_after=" << Iso(r.not_after)
              << (r.not_after < now ? " (expired)"
                                    : (r.not_after - now < kExpiryWarning ? " (expires soon)" : ""))
              << "  " << r.subject << "\n";
  }
  return kOk;
}

int CertsAdd(const Args& a) {
  if (a.positional.size() != 3) return Usage("certs add needs one PEM file");
  int rc = kOk;
  auto rt = Open(a, rc);
  if (!rt) return rc;
  auto certs = crypto::LoadCertificatesFile(a.positional[2]);
  if (!certs) {
    std::cerr << "visitor-sso-admin: " << certs.error().message << " [" << certs.error().code
              << "]\n";
    return kCheckFailed;
  }
  store::CertificateRepository repo((*rt)->db, (*rt)->settings.site_id);
  const auto now = Now();
  int result = kOk;
  for (const auto& c : *certs) {
    if (c.not_after < now) {
      std::cerr << "visitor-sso-admin: refused: certificate " << c.subject << " expired at "
                << Iso(c.not_after) << "\n";
      result = kCheckFailed;
      continue;
    }
    if (c.not_after - now < kExpiryWarning) {
      std::cerr << "warning: certificate " << c.subject << " expires at " << Iso(c.not_after)
                << "\n";
    }
    auto row = repo.Add(c, "admin", now);
    if (!row) return ConfigError(row.error());
    std::cout << "added " << c.sha256_fingerprint << "  " << c.subject << "\n";
  }
  return result;
}

int CertsRemove(const Args& a) {
  if (a.positional.size() != 3) return Usage("certs remove needs a FINGERPRINT");
  int rc = kOk;
  auto rt = Open(a, rc);
  if (!rt) return rc;
  store::CertificateRepository repo((*rt)->db, (*rt)->settings.site_id);
  auto removed = repo.Remove(a.positional[2], Now());
  if (!removed) {
    std::cerr << "visitor-sso-admin: " << removed.error().message << " [" << removed.error().code
              << "]\n";
    return kCheckFailed;
  }
  if (!*removed) {
    std::cerr << "visitor-sso-admin: no active certificate " << a.positional[2] << "\n";
    return kCheckFailed;
  }
  std::cout << "removed " << a.positional[2] << "\n";
  return kOk;
}

// Whether a [mapping] value as written names an @alias (an item, between
// '|', starting with '@').
bool HasAlias(std::string_view configured) {
  bool item_start = true;
  for (char c : configured) {
    if (c == '@' && item_start) return true;
    if (c == '|') {
      item_start = true;
    } else if (c != ' ' && c != '\t') {
      item_start = false;
    }
  }
  return false;
}

int MappingsList(const Args& a) {
  int rc = kOk;
  auto rt = Open(a, rc);
  if (!rt) return rc;
  store::MappingRepository repo((*rt)->db, (*rt)->settings.site_id);
  auto rows = repo.List();
  if (!rows) return ConfigError(rows.error());
  for (const auto& r : *rows) {
    std::string attrs;
    for (const auto& n : r.attributes) attrs += (attrs.empty() ? "" : " | ") + n;
    std::cout << r.field << " = " << attrs;
    // The stored names are the expansion; name the @aliases it came from.
    for (const auto& m : (*rt)->settings.mappings) {
      if (m.field == r.field && HasAlias(m.configured)) {
        std::cout << "  (configured: " << m.configured << ")";
      }
    }
    std::cout << "\n";
  }
  return kOk;
}

int MetadataImport(const Args& a) {
  if (a.positional.size() != 3) return Usage("metadata import needs one XML file");
  int rc = kOk;
  auto rt = Open(a, rc);
  if (!rt) return rc;
  std::ifstream in(a.positional[2], std::ios::binary);
  if (!in) {
    std::cerr << "visitor-sso-admin: cannot read " << a.positional[2] << "\n";
    return kCheckFailed;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  auto md = saml::ParseIdpMetadata(buf.str(), a.positional[2]);
  if (!md) {
    std::cerr << "visitor-sso-admin: " << md.error().message << " [" << md.error().code << "]\n";
    return kCheckFailed;
  }
  store::CertificateRepository repo((*rt)->db, (*rt)->settings.site_id);
  for (const auto& c : md->signing_certificates) {
    auto row = repo.Add(c, "admin", Now());
    if (!row) return ConfigError(row.error());
  }
  std::cout << "idp_entity_id = " << md->entity_id << "\n"
            << "idp_sign_in_url = " << md->sso_redirect_url << "\n";
  for (const auto& c : md->signing_certificates) {
    std::cout << "certificate " << c.sha256_fingerprint << "  not_after=" << Iso(c.not_after)
              << "  " << c.subject << "\n";
  }
  return kOk;
}

int Failures(const Args& a) {
  int rc = kOk;
  auto rt = Open(a, rc);
  if (!rt) return rc;
  store::AuditLog log((*rt)->db, (*rt)->settings.site_id);
  auto events = log.Latest(a.limit, "sign_in_rejected");
  if (!events) return ConfigError(events.error());
  for (const auto& e : *events) {
    // Identical refusals (same code and client address) are one row: "at"
    // is the first, "last_at" the most recent of "count" occurrences.
    boost::json::object o{{"at", Iso(e.at)},
                          {"last_at", Iso(e.last_at)},
                          {"count", e.count},
                          {"code", e.code},
                          {"message", e.message},
                          {"issuer", e.issuer},
                          {"assertion_id", e.assertion_id},
                          {"visitor_id", e.visitor_id},
                          {"remote_address", e.remote_address}};
    std::cout << boost::json::serialize(o) << "\n";
  }
  return kOk;
}

int History(const Args& a) {
  if (a.customer_id.empty()) return Usage("history needs --customer-id ID");
  int rc = kOk;
  auto rt = Open(a, rc);
  if (!rt) return rc;
  store::TranscriptRepository repo((*rt)->db, (*rt)->settings.site_id);
  auto page = repo.FindByCustomerId(a.customer_id, a.limit, a.cursor);
  if (!page) return ConfigError(page.error());
  for (const auto& t : page->rows) {
    boost::json::object o{{"transcript_id", t.transcript_id}, {"chat_id", t.chat_id},
                          {"customer_id", t.customer_id},     {"idp", t.idp_entity_id},
                          {"signed_in", t.signed_in},         {"team", t.team},
                          {"saved_at", Iso(t.saved_at)}};
    std::cout << boost::json::serialize(o) << "\n";
  }
  if (!page->next_cursor.empty())
    std::cout << "{\"next_cursor\":\"" << page->next_cursor << "\"}\n";
  return kOk;
}

int Run(int argc, char** argv) {
  std::string problem;
  auto args = Parse(argc, argv, problem);
  if (!args) return Usage(problem);
  if (args->help) {
    std::cout << kUsageText;
    return kOk;
  }
  if (args->positional.empty()) return Usage("no command given");
  saml::InitializeXmlLibraries();
  const auto& p = args->positional;
  const std::string& cmd = p[0];
  const std::string sub = p.size() > 1 ? p[1] : "";
  if (cmd == "check-config") return CheckConfig(*args);
  if (cmd == "sites" && sub == "list") return SitesList(*args);
  if (cmd == "certs" && sub == "list") return CertsList(*args);
  if (cmd == "certs" && sub == "add") return CertsAdd(*args);
  if (cmd == "certs" && sub == "remove") return CertsRemove(*args);
  if (cmd == "mappings" && sub == "list") return MappingsList(*args);
  if (cmd == "metadata" && sub == "import") return MetadataImport(*args);
  if (cmd == "metadata" && sub == "refresh") return MetadataRefresh(*args);
  if (cmd == "verify") return Verify(*args);
  if (cmd == "failures") return Failures(*args);
  if (cmd == "history") return History(*args);
  return Usage("unknown command " + cmd + (sub.empty() ? "" : " " + sub));
}

}  // namespace
}  // namespace vsso::admin

int main(int argc, char** argv) {
  try {
    return vsso::admin::Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "visitor-sso-admin: internal error: " << e.what() << "\n";
    return vsso::admin::kUsage;
  }
}
