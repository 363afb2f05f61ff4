#include "store/mapping_repository.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace vsso::store {
namespace {

// A JSON array of strings; the database's JSON functions read it back, so
// only the writing side is needed here.
std::string JsonArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const auto& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (unsigned char ch : v) {
      switch (ch) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        default:
          if (ch < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof(escaped), "\\u%04x", ch);
            out += escaped;
          } else {
            out += static_cast<char>(ch);
          }
      }
    }
    out += '"';
  }
  return out + "]";
}

Result<std::vector<MappingRow>> ReadAll(Connection& c, const std::string& site) {
  // A dialect fork: each engine's own function
  // to unnest a JSON array, in its order.
  auto q = c.Prepare(c.engine() == Engine::kPostgres
                         ? "SELECT m.position, m.field, j.value FROM mappings AS m "
                           "LEFT JOIN LATERAL json_array_elements_text(m.attributes::json) "
                           "WITH ORDINALITY AS j(value, key) ON true WHERE m.site_id = ?1 "
                           "ORDER BY m.position, m.field, j.key"
                         : "SELECT m.position, m.field, j.value FROM mappings AS m "
                           "LEFT JOIN json_each(m.attributes) AS j WHERE m.site_id = ?1 "
                           "ORDER BY m.position, m.field, j.key");
  if (!q) return std::move(q).error();
  q->BindText(1, site);
  std::vector<MappingRow> rows;
  for (;;) {
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) return rows;
    std::string field = q->Text(1);
    if (rows.empty() || rows.back().field != field) {
      rows.push_back(MappingRow{static_cast<int>(q->Int(0)), std::move(field), {}});
    }
    if (!q->IsNull(2)) rows.back().attributes.push_back(q->Text(2));
  }
}

}  // namespace

Result<bool> MappingRepository::Sync(const std::vector<MappingRow>& rows) {
  std::set<std::string> fields;
  for (const auto& r : rows) {
    if (!fields.insert(r.field).second) {
      return MakeError("store.bad_mapping", "chat field \"" + r.field + "\" is mapped twice");
    }
  }
  return db_->Write([&](Connection& c) -> Result<bool> {
    auto stored = ReadAll(c, site_id_);
    if (!stored) return std::move(stored).error();
    std::vector<MappingRow> wanted = rows;
    std::stable_sort(wanted.begin(), wanted.end(), [](const MappingRow& a, const MappingRow& b) {
      return a.position != b.position ? a.position < b.position : a.field < b.field;
    });
    if (*stored == wanted) return false;
    auto clear = c.Prepare("DELETE FROM mappings WHERE site_id = ?1");
    if (!clear) return std::move(clear).error();
    clear->BindText(1, site_id_);
    if (auto st = clear->Run(); !st) return std::move(st).error();
    for (const auto& r : wanted) {
      // Another node syncing the same file at the same moment may have
      // inserted the row since our DELETE (PostgreSQL, READ COMMITTED).
      auto q = c.Prepare(
          "INSERT INTO mappings (site_id, position, field, attributes) VALUES (?4, ?1, ?2, ?3) "
          "ON CONFLICT (site_id, field) DO UPDATE SET position = excluded.position, "
          "attributes = excluded.attributes");
      if (!q) return std::move(q).error();
      q->BindInt(1, r.position)
          .BindText(2, r.field)
          .BindText(3, JsonArray(r.attributes))
          .BindText(4, site_id_);
      if (auto st = q->Run(); !st) return std::move(st).error();
    }
    return true;
  });
}

Result<std::vector<MappingRow>> MappingRepository::List() {
  return db_->Read([&](Connection& c) { return ReadAll(c, site_id_); });
}

}  // namespace vsso::store
