#include "store/migrations.hpp"

namespace vsso::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, "certificates and mappings", R"sql(
CREATE TABLE certificates (
  fingerprint TEXT PRIMARY KEY,
  pem TEXT NOT NULL,
  subject TEXT NOT NULL,
  issuer TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  added_at INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('config', 'admin')),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  removed_at INTEGER
);
CREATE TABLE mappings (
  position INTEGER NOT NULL,
  field TEXT PRIMARY KEY,
  attributes TEXT NOT NULL  -- JSON array of attribute names, in preference order
);
)sql"},
    {2, "replay cache, pending requests, audit log", R"sql(
CREATE TABLE replay_cache (
  assertion_id TEXT PRIMARY KEY,
  issuer TEXT NOT NULL,
  keep_until INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX replay_cache_keep_until ON replay_cache (keep_until);
CREATE TABLE authn_requests (
  relay_state TEXT PRIMARY KEY,
  request_id TEXT NOT NULL UNIQUE,
  visitor_id TEXT NOT NULL,
  return_url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  issuer TEXT NOT NULL,
  assertion_id TEXT NOT NULL,
  visitor_id TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
)sql"},
    {3, "sso sessions and transcript tags", R"sql(
CREATE TABLE sso_sessions (
  visitor_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  name_id TEXT NOT NULL,
  name_id_format TEXT NOT NULL,
  session_index TEXT NOT NULL,
  idp_entity_id TEXT NOT NULL,
  signed_in_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  fields_json TEXT NOT NULL,
  attributes_json TEXT NOT NULL
);
CREATE TABLE transcript_tags (
  transcript_id TEXT PRIMARY KEY,
  chat_id TEXT NOT NULL,
  visitor_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  idp_entity_id TEXT NOT NULL,
  signed_in INTEGER NOT NULL CHECK (signed_in IN (0, 1)),
  team TEXT NOT NULL,
  saved_at INTEGER NOT NULL
);
-- Keyset pagination (newest first) reads these indexes in order.
CREATE INDEX transcript_tags_customer ON transcript_tags (customer_id, saved_at DESC, transcript_id DESC);
CREATE INDEX transcript_tags_team ON transcript_tags (team, saved_at);
CREATE INDEX transcript_tags_saved_at ON transcript_tags (saved_at DESC, transcript_id DESC);
)sql"},
    {4, "sign-ins bound to the browser, hand-offs, folded audit refusals", R"sql(
-- SHA-256 (hex) of the plugin's browser cookie that started the sign-in
-- (never the cookie itself); '' only for rows written before this migration.
ALTER TABLE authn_requests ADD COLUMN browser_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX authn_requests_browser ON authn_requests (browser_hash, created_at);
CREATE INDEX authn_requests_expires_at ON authn_requests (expires_at);
-- One-time tokens under /sso/: 'confirm' holds a validated IdP-initiated
-- sign-in until the browser that received it confirms it; 'code' lets a
-- sign-in popup hand its session to the chat window that opened it.
CREATE TABLE sso_handoffs (
  token_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('confirm', 'code')),
  browser_hash TEXT NOT NULL,
  payload TEXT NOT NULL,
  return_url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sso_handoffs_expires_at ON sso_handoffs (expires_at);
-- Identical refusals (same kind, code and client address) fold into one row.
ALTER TABLE audit_log ADD COLUMN remote_address TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN last_at INTEGER NOT NULL DEFAULT 0;
UPDATE audit_log SET last_at = at;
CREATE INDEX audit_log_fold ON audit_log (kind, code, remote_address, last_at);
CREATE INDEX audit_log_last_at ON audit_log (last_at);
)sql"},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace vsso::store
