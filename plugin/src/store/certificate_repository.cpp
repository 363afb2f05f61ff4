#include "store/certificate_repository.hpp"

#include <cctype>
#include <set>

namespace vsso::store {
namespace {

constexpr const char* kColumns =
    "fingerprint, pem, subject, issuer, not_before, not_after, added_at, source, active, "
    "removed_at";

CertificateRow ReadRow(const Statement& s) {
  CertificateRow r;
  r.fingerprint = s.Text(0);
  r.pem = s.Text(1);
  r.subject = s.Text(2);
  r.issuer = s.Text(3);
  r.not_before = s.Int(4);
  r.not_after = s.Int(5);
  r.added_at = s.Int(6);
  r.source = s.Text(7);
  r.active = s.Int(8) != 0;
  r.removed_at = s.IsNull(9) ? 0 : s.Int(9);
  return r;
}

Result<CertificateRow> FindRow(Connection& c, const std::string& site,
                               const std::string& fingerprint) {
  auto q = c.Prepare(std::string("SELECT ") + kColumns +
                     " FROM certificates WHERE site_id = ?2 AND fingerprint = ?1");
  if (!q) return std::move(q).error();
  q->BindText(1, fingerprint).BindText(2, site);
  auto row = q->Step();
  if (!row) return std::move(row).error();
  if (!*row) {
    return MakeError("store.certificate_unknown", "no certificate with fingerprint " + fingerprint +
                                                      " for site " + site + " (database " +
                                                      c.path() + ")");
  }
  return ReadRow(*q);
}

// nullopt-like: -1 absent, 0 inactive, 1 active.
Result<int> ActiveState(Connection& c, const std::string& site, const std::string& fingerprint) {
  auto q = c.Prepare("SELECT active FROM certificates WHERE site_id = ?2 AND fingerprint = ?1");
  if (!q) return std::move(q).error();
  q->BindText(1, fingerprint).BindText(2, site);
  auto row = q->Step();
  if (!row) return std::move(row).error();
  return *row ? static_cast<int>(q->Int(0)) : -1;
}

Status Insert(Connection& c, const std::string& site, const crypto::Certificate& cert,
              const std::string& source, UnixSeconds now) {
  auto q = c.Prepare(
      "INSERT INTO certificates (site_id, fingerprint, pem, subject, issuer, not_before, "
      "not_after, added_at, source, active, removed_at) "
      "VALUES (?9, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, NULL) "
      // Nodes starting together sync the same certificates: the one that
      // comes second finds the row there (PostgreSQL, READ COMMITTED).
      "ON CONFLICT (site_id, fingerprint) DO NOTHING");
  if (!q) return std::move(q).error();
  q->BindText(9, site)
      .BindText(1, cert.sha256_fingerprint)
      .BindText(2, cert.pem)
      .BindText(3, cert.subject)
      .BindText(4, cert.issuer)
      .BindInt(5, cert.not_before)
      .BindInt(6, cert.not_after)
      .BindInt(7, now)
      .BindText(8, source);
  return q->Run();
}

Status Reactivate(Connection& c, const std::string& site, const std::string& fingerprint,
                  const std::string& source) {
  auto q = c.Prepare(
      "UPDATE certificates SET active = 1, removed_at = NULL, source = ?2 "
      "WHERE site_id = ?3 AND fingerprint = ?1");
  if (!q) return std::move(q).error();
  q->BindText(1, fingerprint).BindText(2, source).BindText(3, site);
  return q->Run();
}

Status Deactivate(Connection& c, const std::string& site, const std::string& fingerprint,
                  UnixSeconds now) {
  auto q = c.Prepare(
      "UPDATE certificates SET active = 0, removed_at = ?2 WHERE site_id = ?3 AND fingerprint = "
      "?1");
  if (!q) return std::move(q).error();
  q->BindText(1, fingerprint).BindInt(2, now).BindText(3, site);
  return q->Run();
}

// Admins paste fingerprints from many tools: "AB:CD:..." or "abcd...".
Result<std::string> NormalizeFingerprint(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == ':' || ch == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(ch))) {
      return MakeError("store.bad_fingerprint",
                       "\"" + text + "\" is not a hex SHA-256 fingerprint or prefix");
    }
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  if (out.empty() || out.size() > 64) {
    return MakeError("store.bad_fingerprint", "\"" + text +
                                                  "\" is not a SHA-256 fingerprint or prefix "
                                                  "(1 to 64 hex digits expected)");
  }
  return out;
}

}  // namespace

Result<SyncSummary> CertificateRepository::SyncConfigCertificates(
    const std::vector<crypto::Certificate>& configured, UnixSeconds now) {
  return db_->Write([&](Connection& c) -> Result<SyncSummary> {
    SyncSummary summary;
    std::set<std::string> listed;
    for (const auto& cert : configured) {
      // The same certificate in two files is one trust decision.
      if (!listed.insert(cert.sha256_fingerprint).second) continue;
      auto state = ActiveState(c, site_id_, cert.sha256_fingerprint);
      if (!state) return std::move(state).error();
      if (*state == 1) {
        ++summary.unchanged;
      } else if (*state == 0) {
        if (auto st = Reactivate(c, site_id_, cert.sha256_fingerprint, "config"); !st) {
          return std::move(st).error();
        }
        ++summary.reactivated;
      } else {
        if (auto st = Insert(c, site_id_, cert, "config", now); !st) return std::move(st).error();
        ++summary.added;
      }
    }
    std::vector<std::string> stale;
    {
      auto q = c.Prepare(
          "SELECT fingerprint FROM certificates WHERE site_id = ?1 AND source = 'config' AND "
          "active = 1");
      if (!q) return std::move(q).error();
      q->BindText(1, site_id_);
      for (;;) {
        auto row = q->Step();
        if (!row) return std::move(row).error();
        if (!*row) break;
        std::string fp = q->Text(0);
        if (listed.count(fp) == 0) stale.push_back(std::move(fp));
      }
    }
    for (const auto& fp : stale) {
      if (auto st = Deactivate(c, site_id_, fp, now); !st) return std::move(st).error();
      ++summary.deactivated;
    }
    return summary;
  });
}

Result<CertificateRow> CertificateRepository::Add(const crypto::Certificate& certificate,
                                                  std::string source, UnixSeconds now) {
  if (source != "config" && source != "admin") {
    return MakeError("store.bad_source",
                     "certificate source must be \"config\" or \"admin\", got \"" + source + "\"");
  }
  return db_->Write([&](Connection& c) -> Result<CertificateRow> {
    auto state = ActiveState(c, site_id_, certificate.sha256_fingerprint);
    if (!state) return std::move(state).error();
    if (*state == -1) {
      if (auto st = Insert(c, site_id_, certificate, source, now); !st) {
        return std::move(st).error();
      }
    } else if (*state == 0) {
      if (auto st = Reactivate(c, site_id_, certificate.sha256_fingerprint, source); !st) {
        return std::move(st).error();
      }
    }
    return FindRow(c, site_id_, certificate.sha256_fingerprint);
  });
}

Result<bool> CertificateRepository::Remove(const std::string& fingerprint_or_prefix,
                                           UnixSeconds now) {
  auto prefix = NormalizeFingerprint(fingerprint_or_prefix);
  if (!prefix) return std::move(prefix).error();
  return db_->Write([&](Connection& c) -> Result<bool> {
    std::vector<std::pair<std::string, bool>> matches;
    {
      auto q = c.Prepare(
          "SELECT fingerprint, active FROM certificates "
          "WHERE site_id = ?2 AND substr(fingerprint, 1, length(?1)) = ?1 ORDER BY fingerprint");
      if (!q) return std::move(q).error();
      q->BindText(1, *prefix).BindText(2, site_id_);
      for (;;) {
        auto row = q->Step();
        if (!row) return std::move(row).error();
        if (!*row) break;
        matches.emplace_back(q->Text(0), q->Int(1) != 0);
      }
    }
    if (matches.empty()) {
      return MakeError("store.certificate_unknown", "no certificate fingerprint of site " +
                                                        site_id_ + " starts with " + *prefix +
                                                        " (database " + c.path() + ")");
    }
    if (matches.size() > 1) {
      std::string list;
      for (const auto& [fp, active] : matches) {
        list += (list.empty() ? "" : ", ") + fp.substr(0, 16) + "...";
      }
      return MakeError("store.certificate_ambiguous", std::to_string(matches.size()) +
                                                          " certificates start with " + *prefix +
                                                          " (" + list + "); give more digits");
    }
    if (!matches.front().second) return false;
    if (auto st = Deactivate(c, site_id_, matches.front().first, now); !st) {
      return std::move(st).error();
    }
    return true;
  });
}

Result<std::vector<CertificateRow>> CertificateRepository::List(bool include_inactive) {
  return db_->Read([&](Connection& c) -> Result<std::vector<CertificateRow>> {
    auto q = c.Prepare(std::string("SELECT ") + kColumns +
                       " FROM certificates WHERE site_id = ?2 AND (active = 1 OR ?1)"
                       " ORDER BY active DESC, added_at, fingerprint");
    if (!q) return std::move(q).error();
    q->BindInt(1, include_inactive ? 1 : 0).BindText(2, site_id_);
    std::vector<CertificateRow> rows;
    for (;;) {
      auto row = q->Step();
      if (!row) return std::move(row).error();
      if (!*row) return rows;
      rows.push_back(ReadRow(*q));
    }
  });
}

Result<std::vector<crypto::Certificate>> CertificateRepository::ActiveCertificates() {
  auto rows = List(false);
  if (!rows) return std::move(rows).error();
  std::vector<crypto::Certificate> out;
  for (const auto& row : *rows) {
    auto parsed = crypto::ParseCertificatesPem(
        row.pem, "stored certificate " + row.fingerprint + " in " + db_->path());
    if (!parsed) return std::move(parsed).error();
    for (auto& cert : *parsed) out.push_back(std::move(cert));
  }
  return out;
}

}  // namespace vsso::store
