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
    {5, "everything keyed by site", R"sql(
-- Issue 12: one database serves many sites. Every table gets site_id, rows
-- written before this migration belong to the site 'default' (a single-site
-- config). A primary key cannot be altered in place, so each table is
-- recreated: CREATE <t>_v5, copy, DROP <t>, RENAME (plain SQL that PostgreSQL
-- runs too). Indexes are created after the rename, under the old names, and
-- lead with site_id wherever a query filters by site; purges of expired rows
-- run for all sites in one statement and keep an index on the time alone.
CREATE TABLE certificates_v5 (
  site_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  pem TEXT NOT NULL,
  subject TEXT NOT NULL,
  issuer TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  added_at INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('config', 'admin')),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  removed_at INTEGER,
  PRIMARY KEY (site_id, fingerprint)
);
INSERT INTO certificates_v5 (site_id, fingerprint, pem, subject, issuer, not_before, not_after,
  added_at, source, active, removed_at)
  SELECT 'default', fingerprint, pem, subject, issuer, not_before, not_after, added_at, source,
  active, removed_at FROM certificates;
DROP TABLE certificates;
ALTER TABLE certificates_v5 RENAME TO certificates;

CREATE TABLE mappings_v5 (
  site_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  field TEXT NOT NULL,
  attributes TEXT NOT NULL,  -- JSON array of attribute names, in preference order
  PRIMARY KEY (site_id, field)
);
INSERT INTO mappings_v5 (site_id, position, field, attributes)
  SELECT 'default', position, field, attributes FROM mappings;
DROP TABLE mappings;
ALTER TABLE mappings_v5 RENAME TO mappings;

-- The same assertion ID is single use per site (each site is its own SP).
CREATE TABLE replay_cache_v5 (
  site_id TEXT NOT NULL,
  assertion_id TEXT NOT NULL,
  issuer TEXT NOT NULL,
  keep_until INTEGER NOT NULL,
  PRIMARY KEY (site_id, assertion_id)
) WITHOUT ROWID;
INSERT INTO replay_cache_v5 (site_id, assertion_id, issuer, keep_until)
  SELECT 'default', assertion_id, issuer, keep_until FROM replay_cache;
DROP TABLE replay_cache;
ALTER TABLE replay_cache_v5 RENAME TO replay_cache;
CREATE INDEX replay_cache_keep_until ON replay_cache (keep_until);

-- RelayState stays unique across sites (it is random); a site takes only
-- its own.
CREATE TABLE authn_requests_v5 (
  relay_state TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  visitor_id TEXT NOT NULL,
  return_url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  browser_hash TEXT NOT NULL,
  UNIQUE (site_id, request_id)
);
INSERT INTO authn_requests_v5 (relay_state, site_id, request_id, visitor_id, return_url,
  created_at, expires_at, browser_hash)
  SELECT relay_state, 'default', request_id, visitor_id, return_url, created_at, expires_at,
  browser_hash FROM authn_requests;
DROP TABLE authn_requests;
ALTER TABLE authn_requests_v5 RENAME TO authn_requests;
CREATE INDEX authn_requests_browser ON authn_requests (site_id, browser_hash, created_at);
CREATE INDEX authn_requests_site_expires_at ON authn_requests (site_id, expires_at);
CREATE INDEX authn_requests_expires_at ON authn_requests (expires_at);

CREATE TABLE audit_log_v5 (
  id INTEGER PRIMARY KEY,
  site_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  issuer TEXT NOT NULL,
  assertion_id TEXT NOT NULL,
  visitor_id TEXT NOT NULL,
  remote_address TEXT NOT NULL,
  count INTEGER NOT NULL,
  last_at INTEGER NOT NULL
);
INSERT INTO audit_log_v5 (id, site_id, at, kind, code, message, issuer, assertion_id,
  visitor_id, remote_address, count, last_at)
  SELECT id, 'default', at, kind, code, message, issuer, assertion_id, visitor_id,
  remote_address, count, last_at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_v5 RENAME TO audit_log;
CREATE INDEX audit_log_fold ON audit_log (site_id, kind, code, remote_address, last_at);
-- Latest (newest first) and the per-site retention purge.
CREATE INDEX audit_log_last_at ON audit_log (site_id, last_at);

CREATE TABLE sso_sessions_v5 (
  site_id TEXT NOT NULL,
  visitor_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  name_id TEXT NOT NULL,
  name_id_format TEXT NOT NULL,
  session_index TEXT NOT NULL,
  idp_entity_id TEXT NOT NULL,
  signed_in_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  fields_json TEXT NOT NULL,
  attributes_json TEXT NOT NULL,
  PRIMARY KEY (site_id, visitor_id)
);
INSERT INTO sso_sessions_v5 (site_id, visitor_id, customer_id, name_id, name_id_format,
  session_index, idp_entity_id, signed_in_at, expires_at, fields_json, attributes_json)
  SELECT 'default', visitor_id, customer_id, name_id, name_id_format, session_index,
  idp_entity_id, signed_in_at, expires_at, fields_json, attributes_json FROM sso_sessions;
DROP TABLE sso_sessions;
ALTER TABLE sso_sessions_v5 RENAME TO sso_sessions;
CREATE INDEX sso_sessions_expires_at ON sso_sessions (expires_at);

CREATE TABLE transcript_tags_v5 (
  site_id TEXT NOT NULL,
  transcript_id TEXT NOT NULL,
  chat_id TEXT NOT NULL,
  visitor_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  idp_entity_id TEXT NOT NULL,
  signed_in INTEGER NOT NULL CHECK (signed_in IN (0, 1)),
  team TEXT NOT NULL,
  saved_at INTEGER NOT NULL,
  PRIMARY KEY (site_id, transcript_id)
);
INSERT INTO transcript_tags_v5 (site_id, transcript_id, chat_id, visitor_id, customer_id,
  idp_entity_id, signed_in, team, saved_at)
  SELECT 'default', transcript_id, chat_id, visitor_id, customer_id, idp_entity_id, signed_in,
  team, saved_at FROM transcript_tags;
DROP TABLE transcript_tags;
ALTER TABLE transcript_tags_v5 RENAME TO transcript_tags;
-- Keyset pagination (newest first) reads these indexes in order.
CREATE INDEX transcript_tags_customer
  ON transcript_tags (site_id, customer_id, saved_at DESC, transcript_id DESC);
CREATE INDEX transcript_tags_team
  ON transcript_tags (site_id, team, saved_at DESC, transcript_id DESC);
CREATE INDEX transcript_tags_saved_at
  ON transcript_tags (site_id, saved_at DESC, transcript_id DESC);

-- Tokens are random, so token_hash stays the key; a site takes only its own.
CREATE TABLE sso_handoffs_v5 (
  token_hash TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('confirm', 'code')),
  browser_hash TEXT NOT NULL,
  payload TEXT NOT NULL,
  return_url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
INSERT INTO sso_handoffs_v5 (token_hash, site_id, kind, browser_hash, payload, return_url,
  created_at, expires_at)
  SELECT token_hash, 'default', kind, browser_hash, payload, return_url, created_at, expires_at
  FROM sso_handoffs;
DROP TABLE sso_handoffs;
ALTER TABLE sso_handoffs_v5 RENAME TO sso_handoffs;
CREATE INDEX sso_handoffs_expires_at ON sso_handoffs (expires_at);
)sql"},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace vsso::store
