#include "store/transcript_repository.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "common/encoding.hpp"

namespace vsso::store {

// One query shape: a WHERE clause over ?1..?3 plus the site (?7) and the
// keyset condition.
struct TranscriptRepository::Filter {
  char kind;  // tags cursors so one from another query is refused
  const char* where;
  std::string text;
  TimeRange range;
};

namespace {

struct Position {
  UnixSeconds saved_at = 0;
  std::string transcript_id;
};

std::string EncodeCursor(char kind, const TranscriptTag& last) {
  return encoding::Base64Encode(std::string(1, kind) + "|" + std::to_string(last.saved_at) + "|" +
                                last.transcript_id);
}

Result<Position> DecodeCursor(char kind, const std::string& cursor) {
  auto bad = [] {
    return MakeError("store.bad_cursor",
                     "the page cursor is not one returned by this query; start from the first "
                     "page");
  };
  auto raw = encoding::Base64Decode(cursor);
  if (!raw) return bad();
  const std::string& text = *raw;
  if (text.size() < 4 || text[0] != kind || text[1] != '|') return bad();
  const auto sep = text.find('|', 2);
  if (sep == std::string::npos) return bad();
  Position p;
  const auto [end, ec] = std::from_chars(text.data() + 2, text.data() + sep, p.saved_at);
  if (ec != std::errc() || end != text.data() + sep) return bad();
  p.transcript_id = text.substr(sep + 1);
  return p;
}

}  // namespace

namespace {

// Makes sure `text` has a key in `table` (site_keys or tag_values). The
// NOT EXISTS spares PostgreSQL's identity a number per call; ON CONFLICT
// covers another node inserting the same text at the same time.
Status EnsureKey(Connection& c, const char* sql, const std::string& text) {
  auto q = c.Prepare(sql);
  if (!q) return std::move(q).error();
  q->BindText(1, text);
  return q->Run();
}

Status Upsert(Connection& c, const std::string& site_id, const TranscriptTag& t) {
  if (auto st = EnsureKey(c,
                          "INSERT INTO site_keys (site_id) SELECT ?1 WHERE NOT EXISTS (SELECT 1 "
                          "FROM site_keys WHERE site_id = ?1) ON CONFLICT (site_id) DO NOTHING",
                          site_id);
      !st) {
    return st;
  }
  for (const std::string* value : {&t.idp_entity_id, &t.team}) {
    if (auto st = EnsureKey(c,
                            "INSERT INTO tag_values (value) SELECT ?1 WHERE NOT EXISTS (SELECT 1 "
                            "FROM tag_values WHERE value = ?1) ON CONFLICT (value) DO NOTHING",
                            *value);
        !st) {
      return st;
    }
  }
  auto q = c.Prepare(
      "INSERT INTO transcript_tags (site_key, transcript_id, chat_id, visitor_id, customer_id, "
      "idp_key, signed_in, team_key, saved_at) VALUES ((SELECT site_key FROM site_keys WHERE "
      "site_id = ?9), ?1, ?2, ?3, ?4, (SELECT value_key FROM tag_values WHERE value = ?5), ?6, "
      "(SELECT value_key FROM tag_values WHERE value = ?7), ?8) "
      "ON CONFLICT (site_key, transcript_id) DO UPDATE SET chat_id = excluded.chat_id, "
      "visitor_id = excluded.visitor_id, customer_id = excluded.customer_id, "
      "idp_key = excluded.idp_key, signed_in = excluded.signed_in, "
      "team_key = excluded.team_key, saved_at = excluded.saved_at");
  if (!q) return std::move(q).error();
  q->BindText(1, t.transcript_id)
      .BindText(2, t.chat_id)
      .BindText(3, t.visitor_id)
      .BindText(4, t.customer_id)
      .BindText(5, t.idp_entity_id)
      .BindInt(6, t.signed_in ? 1 : 0)
      .BindText(7, t.team)
      .BindInt(8, t.saved_at)
      .BindText(9, site_id);
  return q->Run();
}

}  // namespace

Status TranscriptRepository::Save(const TranscriptTag& t) {
  return db_->Write([&](Connection& c) -> Status { return Upsert(c, site_id_, t); });
}

Status TranscriptRepository::SaveAll(const std::vector<TranscriptTag>& tags) {
  return db_->Write([&](Connection& c) -> Status {
    for (const TranscriptTag& t : tags) {
      if (auto st = Upsert(c, site_id_, t); !st) return st;
    }
    return Ok();
  });
}

Result<Page> TranscriptRepository::FindByCustomerId(const std::string& customer_id, int limit,
                                                    const std::string& cursor) {
  return Find(Filter{'c', "t.customer_id = ?1", customer_id, {}}, limit, cursor);
}

Result<Page> TranscriptRepository::FindByTeam(const std::string& team, int limit,
                                              const std::string& cursor, TimeRange range) {
  return Find(Filter{'t', "t.team_key = ?1 AND t.saved_at >= ?2 AND t.saved_at < ?3", team, range},
              limit, cursor);
}

Result<Page> TranscriptRepository::FindBySavedAt(TimeRange range, int limit,
                                                 const std::string& cursor) {
  return Find(Filter{'r', "t.saved_at >= ?2 AND t.saved_at < ?3", "", range}, limit, cursor);
}

Result<Page> TranscriptRepository::Find(const Filter& filter, int limit,
                                        const std::string& cursor) {
  if (limit < 1 || limit > kMaxPageSize) {
    return MakeError("store.bad_limit", "page size must be between 1 and " +
                                            std::to_string(kMaxPageSize) + ", got " +
                                            std::to_string(limit));
  }
  std::optional<Position> after;
  if (!cursor.empty()) {
    auto decoded = DecodeCursor(filter.kind, cursor);
    if (!decoded) return std::move(decoded).error();
    after = std::move(*decoded);
  }
  // The customer index ends with saved_at (then the rowid), the time index
  // starts with it (then the team): read backwards from the cursor's
  // saved_at, either gives rows newest first without sorting. The order's
  // tie-break (transcript_id DESC among rows of one second) is applied here:
  // an SQL sort of the "right part" would cost more than the whole read.
  // One row beyond the page and one more tell whether the page's last second
  // was read whole; only when it may not have been, a second query reads
  // that second's rows by transcript_id. Statement texts are cached.
  // The values of the IdP and team keys are looked up for the rows returned
  // only. On PostgreSQL by scalar subqueries (neither engine reorders them
  // the way it may reorder a join): a look-up of our own there would be a
  // round trip each. On SQLite a look-up is a B-tree descent, one level
  // deeper on a platform of thousands of IdPs (issue 15: 10,000 sites), and
  // a page's rows nearly always share one IdP and a few teams: the query
  // returns the keys and each distinct key of the call is looked up once,
  // while the page's statement is open, so in its snapshot. (PostgreSQL
  // also returns the keys, to name one whose value is missing.)
  const bool keys_here = db_->engine() == Engine::kSqlite;
  std::string sql = keys_here ? "SELECT t.transcript_id, t.chat_id, t.visitor_id, t.customer_id, "
                                "t.idp_key, t.signed_in, t.team_key, t.saved_at"
                              : "SELECT t.transcript_id, t.chat_id, t.visitor_id, t.customer_id, "
                                "(SELECT value FROM tag_values WHERE value_key = t.idp_key), "
                                "t.signed_in, (SELECT value FROM tag_values WHERE value_key = "
                                "t.team_key), t.saved_at, t.idp_key, t.team_key";
  sql +=
      " FROM transcript_tags t WHERE t.site_key = (SELECT site_key FROM site_keys WHERE "
      "site_id = ?7) AND ";
  sql += filter.where;
  if (after) sql += " AND t.saved_at <= ?4 AND (t.saved_at, t.transcript_id) < (?4, ?5)";
  const std::string newest = sql + " ORDER BY t.saved_at DESC LIMIT ?6";
  const std::string one_second =
      sql + " AND t.saved_at = ?8 ORDER BY t.transcript_id DESC LIMIT ?6";

  return db_->Read([&](Connection& c) -> Result<Page> {
    std::int64_t team_key = 0;
    if (filter.kind == 't') {
      // A team never tagged has no key and no transcripts: answered here
      // rather than by scanning the time index for it.
      auto key = c.Prepare("SELECT value_key FROM tag_values WHERE value = ?1");
      if (!key) return std::move(key).error();
      key->BindText(1, filter.text);
      auto found = key->Step();
      if (!found) return std::move(found).error();
      if (!*found) return Page{};
      team_key = key->Int(0);
    }  // the key's statement is reset here, before the page's runs
    // A value is saved in the same transaction as the first row naming it
    // and never deleted, so this is a damaged or hand-edited database: fail
    // rather than show a row without its IdP or team.
    const auto missing = [&](std::int64_t key) -> Error {
      return MakeError("store.query_failed",
                       "transcript tag value key " + std::to_string(key) +
                           " is missing from tag_values (database " + c.path() +
                           "); the database is damaged: restore it from a backup");
    };
    // SQLite: the values of the keys met so far in this call (a handful).
    std::vector<std::pair<std::int64_t, std::string>> values;
    const auto value_of = [&](std::int64_t key, std::string& out) -> Status {
      for (const auto& [k, v] : values) {
        if (k == key) {
          out = v;
          return Ok();
        }
      }
      auto q = c.Prepare("SELECT value FROM tag_values WHERE value_key = ?1");
      if (!q) return std::move(q).error();
      q->BindInt(1, key);
      auto found = q->Step();
      if (!found) return std::move(found).error();
      if (!*found) return missing(key);
      out = q->Text(0);
      values.emplace_back(key, out);
      return Ok();
    };
    // Rows of `text` (at most `count`; of second `second` when given).
    const auto read = [&](const std::string& text, int count, std::optional<UnixSeconds> second,
                          std::vector<TranscriptTag>& out) -> Status {
      auto q = c.Prepare(text);
      if (!q) return std::move(q).error();
      if (filter.kind == 't') {
        q->BindInt(1, team_key);
      } else {
        q->BindText(1, filter.text);
      }
      q->BindInt(6, count).BindText(7, site_id_);
      if (filter.kind != 'c') q->BindInt(2, filter.range.from).BindInt(3, filter.range.until);
      if (after) q->BindInt(4, after->saved_at).BindText(5, after->transcript_id);
      if (second) q->BindInt(8, *second);
      for (;;) {
        auto row = q->Step();
        if (!row) return std::move(row).error();
        if (!*row) return Ok();
        TranscriptTag t;
        t.transcript_id = q->Text(0);
        t.chat_id = q->Text(1);
        t.visitor_id = q->Text(2);
        t.customer_id = q->Text(3);
        if (keys_here) {
          if (Status st = value_of(q->Int(4), t.idp_entity_id); !st) return st;
          if (Status st = value_of(q->Int(6), t.team); !st) return st;
        } else {
          if (q->IsNull(4)) return missing(q->Int(8));
          if (q->IsNull(6)) return missing(q->Int(9));
          t.idp_entity_id = q->Text(4);
          t.team = q->Text(6);
        }
        t.signed_in = q->Int(5) != 0;
        t.saved_at = q->Int(7);
        out.push_back(std::move(t));
      }
    };
    const auto newer = [](const TranscriptTag& a, const TranscriptTag& b) {
      return a.saved_at != b.saved_at ? a.saved_at > b.saved_at : a.transcript_id > b.transcript_id;
    };
    std::vector<TranscriptTag> rows;
    if (Status st = read(newest, limit + 2, std::nullopt, rows); !st) return std::move(st).error();
    if (static_cast<int>(rows.size()) == limit + 2 &&
        rows[limit + 1].saved_at == rows[limit].saved_at) {
      // The second of the row beyond the page may go on past what was
      // read: keep the seconds before it, read it whole (as far as needed).
      const UnixSeconds boundary = rows[limit].saved_at;
      std::erase_if(rows, [&](const TranscriptTag& t) { return t.saved_at == boundary; });
      std::sort(rows.begin(), rows.end(), newer);
      const int wanted = limit + 1 - static_cast<int>(rows.size());
      if (Status st = read(one_second, wanted, boundary, rows); !st) {
        return std::move(st).error();
      }
    } else {
      std::sort(rows.begin(), rows.end(), newer);
    }
    Page page;
    if (static_cast<int>(rows.size()) > limit) {
      // One row beyond the page: there is a next page.
      rows.resize(static_cast<std::size_t>(limit));
      page.next_cursor = EncodeCursor(filter.kind, rows.back());
    }
    page.rows = std::move(rows);
    return page;
  });
}

}  // namespace vsso::store
