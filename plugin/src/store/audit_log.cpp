#include "store/audit_log.hpp"

namespace vsso::store {

Status AuditLog::Record(const AuditEvent& event) {
  return db_->Write([&](Connection& c) -> Status {
    auto q = c.Prepare(
        "INSERT INTO audit_log (at, kind, code, message, issuer, assertion_id, visitor_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!q) return std::move(q).error();
    q->BindInt(1, event.at)
        .BindText(2, event.kind)
        .BindText(3, event.code)
        .BindText(4, event.message)
        .BindText(5, event.issuer)
        .BindText(6, event.assertion_id)
        .BindText(7, event.visitor_id);
    return q->Run();
  });
}

Result<std::vector<AuditEvent>> AuditLog::Latest(int limit, const std::string& kind) {
  if (limit < 1 || limit > 10000) {
    return MakeError("store.bad_limit",
                     "audit limit must be between 1 and 10000, got " + std::to_string(limit));
  }
  return db_->Read([&](Connection& c) -> Result<std::vector<AuditEvent>> {
    auto q = c.Prepare(
        "SELECT id, at, kind, code, message, issuer, assertion_id, visitor_id FROM audit_log "
        "WHERE ?2 = '' OR kind = ?2 ORDER BY at DESC, id DESC LIMIT ?1");
    if (!q) return std::move(q).error();
    q->BindInt(1, limit);
    q->BindText(2, kind);
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
      events.push_back(std::move(e));
    }
  });
}

Result<int> AuditLog::PurgeBefore(UnixSeconds cutoff) {
  return db_->Change("DELETE FROM audit_log WHERE at < ?1", cutoff);
}

}  // namespace vsso::store
