#include "store/audit_log.hpp"

#include <algorithm>

#include "common/encoding.hpp"

namespace vsso::store {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026, 3 bytes
constexpr char kFoldedKind[] = "sign_in_rejected";

// What AuditText leaves as it is: printable ASCII within the cap (the usual
// IDs, codes and messages), checked without building a copy.
bool IsPlainAuditText(std::string_view text) {
  if (text.size() > kMaxAuditText) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

void SanitizeField(std::string& text) {
  if (!IsPlainAuditText(text)) text = AuditText(text);
}

void Sanitize(AuditEvent& e) {
  SanitizeField(e.kind);
  SanitizeField(e.code);
  SanitizeField(e.message);
  SanitizeField(e.issuer);
  SanitizeField(e.assertion_id);
  SanitizeField(e.visitor_id);
  SanitizeField(e.remote_address);
}

Status Insert(Connection& c, const std::string& site_id, const AuditEvent& e) {
  auto q = c.Prepare(
      "INSERT INTO audit_log (site_id, at, kind, code, message, issuer, assertion_id, "
      "visitor_id, remote_address, count, last_at) "
      "VALUES (?9, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?1)");
  if (!q) return std::move(q).error();
  q->BindText(9, site_id);
  q->BindInt(1, e.at)
      .BindText(2, e.kind)
      .BindText(3, e.code)
      .BindText(4, e.message)
      .BindText(5, e.issuer)
      .BindText(6, e.assertion_id)
      .BindText(7, e.visitor_id)
      .BindText(8, e.remote_address);
  return q->Run();
}

// true: the event was folded into an existing row. Only kFoldedKind folds,
// and the SQL names it as a literal: an index limited to that kind (WHERE
// kind = 'sign_in_rejected', sparing every acceptance one index entry) can
// only serve a query that names the same constant.
Result<bool> Fold(Connection& c, const std::string& site_id, const AuditEvent& e) {
  // (CASE rather than two-argument MAX, which PostgreSQL lacks.) The
  // sub-select reads index audit_log_fold (site_id, kind, code,
  // remote_address, last_at) backwards: the site's newest matching row
  // inside the window.
  auto q = c.Prepare(
      "UPDATE audit_log SET count = count + 1, "
      "last_at = CASE WHEN last_at > ?1 THEN last_at ELSE ?1 END, message = ?4, "
      "issuer = ?5, assertion_id = ?6, visitor_id = ?7 "
      "WHERE id = (SELECT id FROM audit_log WHERE site_id = ?2 AND "
      "kind = 'sign_in_rejected' AND code = ?3 AND "
      "remote_address = ?8 AND last_at >= ?9 ORDER BY last_at DESC LIMIT 1)");
  if (!q) return std::move(q).error();
  q->BindInt(1, e.at)
      .BindText(2, site_id)
      .BindText(3, e.code)
      .BindText(4, e.message)
      .BindText(5, e.issuer)
      .BindText(6, e.assertion_id)
      .BindText(7, e.visitor_id)
      .BindText(8, e.remote_address)
      .BindInt(9, e.at - kFoldWindowSeconds);
  if (auto st = q->Run(); !st) return std::move(st).error();
  return c.Changes() > 0;
}

}  // namespace

std::string AuditText(std::string_view text, std::size_t cap) {
  std::string out;
  out.reserve(std::min(text.size(), cap));
  bool cut = false;
  // Room for the content if the marker has to be added.
  const std::size_t room = cap > kEllipsis.size() ? cap - kEllipsis.size() : 0;
  std::size_t kept_in_room = 0;  // out.size() at the last character that fit in `room`
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::string_view piece;
    std::size_t advance = 1;
    if (c < 0x20 || c == 0x7F) {
      ++i;
      continue;
    }
    if (const std::size_t length = encoding::Utf8SequenceLength(text, i); length == 0) {
      piece = "?";
    } else {
      piece = text.substr(i, length);
      advance = length;
    }
    if (out.size() + piece.size() > cap) {
      cut = true;
      break;
    }
    out += piece;
    if (out.size() <= room) kept_in_room = out.size();
    i += advance;
  }
  if (cut) {
    out.resize(kept_in_room);
    if (cap >= kEllipsis.size()) out += kEllipsis;
  }
  return out;
}

namespace {

// `e` already sanitized.
Status Store(Connection& c, const std::string& site_id, const AuditEvent& e) {
  if (e.kind == kFoldedKind) {  // the literal in Fold's SQL
    auto folded = Fold(c, site_id, e);
    if (!folded) return std::move(folded).error();
    if (*folded) return Ok();
  }
  return Insert(c, site_id, e);
}

}  // namespace

Status AuditLog::Record(const AuditEvent& event) {
  AuditEvent e = event;
  Sanitize(e);
  return db_->Write([&](Connection& c) -> Status { return Store(c, site_id_, e); });
}

void AuditLog::RecordBatched(AuditEvent event) {
  Sanitize(event);
  db_->Defer([site = site_id_, e = std::move(event)](Connection& c) { return Store(c, site, e); });
}

Result<std::vector<AuditEvent>> AuditLog::Latest(int limit, const std::string& kind) {
  if (limit < 1 || limit > 10000) {
    return MakeError("store.bad_limit",
                     "audit limit must be between 1 and 10000, got " + std::to_string(limit));
  }
  // This process's batched events first, so that it reads what it wrote.
  (void)db_->FlushDeferred();
  return db_->Read([&](Connection& c) -> Result<std::vector<AuditEvent>> {
    auto q = c.Prepare(
        "SELECT id, at, kind, code, message, issuer, assertion_id, visitor_id, remote_address, "
        "count, last_at FROM audit_log "
        "WHERE site_id = ?3 AND (?2 = '' OR kind = ?2) ORDER BY last_at DESC, id DESC LIMIT ?1");
    if (!q) return std::move(q).error();
    q->BindInt(1, limit);
    q->BindText(2, kind);
    q->BindText(3, site_id_);
    std::vector<AuditEvent> events;
    for (;;) {
      auto row = q->Step();
      if (!row) return std::move(row).error();
      if (!*row) return events;
      AuditEvent e;
      e.id = q->Int(0);
      e.at = q->Int(1);
      e.kind = q->Text(2);
      e.code = q->Text(3);
      e.message = q->Text(4);
      e.issuer = q->Text(5);
      e.assertion_id = q->Text(6);
      e.visitor_id = q->Text(7);
      e.remote_address = q->Text(8);
      e.count = q->Int(9);
      e.last_at = q->Int(10);
      events.push_back(std::move(e));
    }
  });
}

Result<int> AuditLog::PurgeBefore(UnixSeconds cutoff) {
  return db_->Change("DELETE FROM audit_log WHERE site_id = ?1 AND last_at < ?2", site_id_, cutoff);
}

}  // namespace vsso::store
