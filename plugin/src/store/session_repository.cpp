#include "store/session_repository.hpp"

namespace vsso::store {

Status SessionRepository::Upsert(const SsoSession& s) {
  return db_->Write([&](Connection& c) -> Status {
    auto q = c.Prepare(
        "INSERT INTO sso_sessions (site_id, visitor_id, customer_id, name_id, name_id_format, "
        "session_index, idp_entity_id, signed_in_at, expires_at, fields_json, attributes_json, "
        "name_qualifier, sp_name_qualifier) "
        "VALUES (?11, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?12, ?13) "
        "ON CONFLICT (site_id, visitor_id) DO UPDATE SET customer_id = excluded.customer_id, "
        "name_id = excluded.name_id, name_id_format = excluded.name_id_format, "
        "session_index = excluded.session_index, idp_entity_id = excluded.idp_entity_id, "
        "signed_in_at = excluded.signed_in_at, expires_at = excluded.expires_at, "
        "fields_json = excluded.fields_json, attributes_json = excluded.attributes_json, "
        "name_qualifier = excluded.name_qualifier, sp_name_qualifier = excluded.sp_name_qualifier");
    if (!q) return std::move(q).error();
    q->BindText(1, s.visitor_id)
        .BindText(2, s.customer_id)
        .BindText(3, s.name_id)
        .BindText(4, s.name_id_format)
        .BindText(5, s.session_index)
        .BindText(6, s.idp_entity_id)
        .BindInt(7, s.signed_in_at)
        .BindInt(8, s.expires_at)
        .BindText(9, s.fields_json)
        .BindText(10, s.attributes_json)
        .BindText(11, site_id_)
        .BindText(12, s.name_qualifier)
        .BindText(13, s.sp_name_qualifier);
    return q->Run();
  });
}

Result<std::optional<SsoSession>> SessionRepository::FindLive(const std::string& visitor_id,
                                                              UnixSeconds now) {
  return db_->Read([&](Connection& c) -> Result<std::optional<SsoSession>> {
    auto q = c.Prepare(
        "SELECT visitor_id, customer_id, name_id, name_id_format, session_index, idp_entity_id, "
        "signed_in_at, expires_at, fields_json, attributes_json, name_qualifier, "
        "sp_name_qualifier FROM sso_sessions WHERE site_id = ?3 AND visitor_id = ?1 AND "
        "expires_at > ?2");
    if (!q) return std::move(q).error();
    q->BindTextInPlace(1, visitor_id).BindInt(2, now).BindTextInPlace(3, site_id_);
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) return std::optional<SsoSession>();
    SsoSession s;
    s.visitor_id = q->Text(0);
    s.customer_id = q->Text(1);
    s.name_id = q->Text(2);
    s.name_id_format = q->Text(3);
    s.session_index = q->Text(4);
    s.idp_entity_id = q->Text(5);
    s.signed_in_at = q->Int(6);
    s.expires_at = q->Int(7);
    s.fields_json = q->Text(8);
    s.attributes_json = q->Text(9);
    s.name_qualifier = q->Text(10);
    s.sp_name_qualifier = q->Text(11);
    return std::optional<SsoSession>(std::move(s));
  });
}

Result<std::optional<LiveIdentity>> SessionRepository::FindLiveIdentity(
    const std::string& visitor_id, UnixSeconds now) {
  return db_->Read([&](Connection& c) -> Result<std::optional<LiveIdentity>> {
    auto q = c.Prepare(
        "SELECT customer_id, expires_at, fields_json FROM sso_sessions WHERE site_id = ?3 AND "
        "visitor_id = ?1 AND expires_at > ?2");
    if (!q) return std::move(q).error();
    q->BindTextInPlace(1, visitor_id).BindInt(2, now).BindTextInPlace(3, site_id_);
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) return std::optional<LiveIdentity>();
    return std::optional<LiveIdentity>(LiveIdentity{q->Text(0), q->Int(1), q->Text(2)});
  });
}

Result<bool> SessionRepository::Delete(const std::string& visitor_id) {
  return db_->Write([&](Connection& c) -> Result<bool> {
    auto q = c.Prepare("DELETE FROM sso_sessions WHERE site_id = ?2 AND visitor_id = ?1");
    if (!q) return std::move(q).error();
    q->BindText(1, visitor_id).BindText(2, site_id_);
    if (auto st = q->Run(); !st) return std::move(st).error();
    return c.Changes() > 0;
  });
}

Result<std::vector<std::string>> SessionRepository::EndByNameId(
    const std::string& idp_entity_id, const std::string& name_id,
    const std::vector<std::string>& session_indexes) {
  return db_->Write([&](Connection& c) -> Result<std::vector<std::string>> {
    // The SessionIndex list travels as one JSON array so the statement text
    // is fixed (prepared once) whatever the number of indexes; an empty
    // array means every session of the NameID (Core 3.7.1).
    std::string list = "[";
    for (const std::string& index : session_indexes) {
      if (list.size() > 1) list += ',';
      list += '"';
      for (char ch : index) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
          list += '\\';
          list += ch;
        } else if (u < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          list += "\\u00";
          list += kHex[u >> 4];
          list += kHex[u & 15];
        } else {
          list += ch;
        }
      }
      list += '"';
    }
    list += ']';
    auto q = c.Prepare(
        c.engine() == Engine::kPostgres
            ? "DELETE FROM sso_sessions WHERE site_id = ?1 AND idp_entity_id = ?2 AND name_id = ?3 "
              "AND (?4 = '[]' OR session_index IN (SELECT json_array_elements_text(?4::json))) "
              "RETURNING visitor_id"
            : "DELETE FROM sso_sessions WHERE site_id = ?1 AND idp_entity_id = ?2 AND name_id = ?3 "
              "AND (?4 = '[]' OR session_index IN (SELECT value FROM json_each(?4))) "
              "RETURNING visitor_id");
    if (!q) return std::move(q).error();
    q->BindText(1, site_id_).BindText(2, idp_entity_id).BindText(3, name_id).BindText(4, list);
    std::vector<std::string> ended;
    for (;;) {
      auto row = q->Step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      ended.push_back(q->Text(0));
    }
    return ended;
  });
}

Result<int> SessionRepository::PurgeExpiredAllSites(Database& db, UnixSeconds now) {
  return db.Change("DELETE FROM sso_sessions WHERE expires_at <= ?1", now);
}

}  // namespace vsso::store
