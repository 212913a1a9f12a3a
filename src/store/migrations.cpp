#include "store/internal/migrations.h"

#include <array>
#include <string_view>

namespace rapporteur::store::internal {
namespace {

// Append only: never edit a migration that has shipped; add a new one instead. A new
// migration runs on both backends: write it in the SQL both understand (sql_for rewrites only
// INTEGER and BLOB for PostgreSQL) or give PostgreSQL's statements in `postgresql`; the
// contract suite (tests/store/contract_*_test.cpp) runs on both.
constexpr std::array kMigrations{
    Migration{1, "core domain: sources, regions, persons, registrations", R"sql(
CREATE TABLE instance_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE schema_migrations (
  version     INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at  TEXT NOT NULL
);
CREATE TABLE sources (
  id   INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL
);
CREATE TABLE regions (
  code        TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  level       TEXT NOT NULL CHECK (level IN ('municipality', 'police_unit', 'country')),
  parent_code TEXT REFERENCES regions (code)
);
CREATE TABLE region_populations (
  region_code TEXT NOT NULL REFERENCES regions (code),
  year        INTEGER NOT NULL,
  population  INTEGER NOT NULL CHECK (population >= 0),
  PRIMARY KEY (region_code, year)
);
CREATE TABLE persons (
  id  INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);
CREATE TABLE registrations (
  id                INTEGER PRIMARY KEY,
  source_id         INTEGER NOT NULL REFERENCES sources (id),
  person_id         INTEGER NOT NULL REFERENCES persons (id),
  year              INTEGER NOT NULL,
  mandate           TEXT NOT NULL,
  role              TEXT NOT NULL,
  exploitation_form TEXT,
  offence_type      TEXT,
  sex               TEXT NOT NULL,
  age               INTEGER CHECK (age BETWEEN 0 AND 120),
  nationality       TEXT,
  region_code       TEXT REFERENCES regions (code),
  chain_stage       TEXT,
  residence_status  TEXT NOT NULL
);
CREATE INDEX registrations_by_year ON registrations (year, mandate, role);
CREATE INDEX registrations_by_person ON registrations (person_id);
CREATE INDEX registrations_by_source ON registrations (source_id, year);
)sql"},
    Migration{2, "knowledge base: publications and recommendations", R"sql(
CREATE TABLE publications (
  id       INTEGER PRIMARY KEY,
  slug     TEXT NOT NULL UNIQUE,
  title    TEXT NOT NULL,
  type     TEXT NOT NULL,
  date     TEXT NOT NULL,
  language TEXT NOT NULL CHECK (language IN ('nl', 'en')),
  mandates TEXT NOT NULL,
  summary  TEXT NOT NULL
);
CREATE TABLE recommendations (
  id             INTEGER PRIMARY KEY,
  publication_id INTEGER NOT NULL REFERENCES publications (id),
  number         INTEGER NOT NULL CHECK (number >= 1),
  text           TEXT NOT NULL,
  addressee      TEXT NOT NULL,
  year           INTEGER NOT NULL,
  status         TEXT NOT NULL,
  UNIQUE (publication_id, number)
);
)sql"},
    Migration{3, "intake: batches with provenance, quarantined rows, linkage keys", R"sql(
CREATE TABLE batches (
  id            INTEGER PRIMARY KEY,
  source_code   TEXT NOT NULL,
  profile       TEXT NOT NULL,
  year          INTEGER NOT NULL,
  file_name     TEXT NOT NULL,
  file_sha256   TEXT NOT NULL,
  key_id        TEXT NOT NULL,
  reader        TEXT NOT NULL,
  rows_read     INTEGER NOT NULL DEFAULT 0,
  rows_loaded   INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0,
  loaded_at     TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('active', 'replaced')),
  replaced_by   INTEGER REFERENCES batches (id)
);
CREATE INDEX batches_by_source ON batches (source_code, profile, year, status);
CREATE TABLE quarantine (
  id          INTEGER PRIMARY KEY,
  batch_id    INTEGER NOT NULL REFERENCES batches (id),
  row_number  INTEGER NOT NULL,
  column_name TEXT NOT NULL,
  reason      TEXT NOT NULL,
  value       TEXT NOT NULL
);
CREATE INDEX quarantine_by_batch ON quarantine (batch_id, row_number);
ALTER TABLE registrations ADD COLUMN batch_id INTEGER REFERENCES batches (id);
ALTER TABLE registrations ADD COLUMN name_key TEXT;
ALTER TABLE registrations ADD COLUMN name_bloom BLOB;
ALTER TABLE registrations ADD COLUMN birth_bloom BLOB;
CREATE INDEX registrations_by_batch ON registrations (batch_id);
)sql"},
    Migration{4, "knowledge base: full text, forms, attached files, follow-up of recommendations", R"sql(
ALTER TABLE publications ADD COLUMN forms TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN file_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN file_name TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN media_type TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN source_sha256 TEXT NOT NULL DEFAULT '';
CREATE INDEX publications_by_source ON publications (source_sha256);
CREATE TABLE recommendation_events (
  id                INTEGER PRIMARY KEY,
  recommendation_id INTEGER NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
  date              TEXT NOT NULL,
  status            TEXT,
  note              TEXT NOT NULL
);
CREATE INDEX recommendation_events_by_recommendation ON recommendation_events (recommendation_id, date);
)sql"},
    Migration{5, "yearly account: activities, media appearances, finances", R"sql(
CREATE TABLE activities (
  id           INTEGER PRIMARY KEY,
  date         TEXT NOT NULL,
  kind         TEXT NOT NULL,
  organisation TEXT NOT NULL,
  title        TEXT NOT NULL,
  notes        TEXT NOT NULL DEFAULT '',
  UNIQUE (date, kind, organisation, title)
);
CREATE TABLE media_appearances (
  id     INTEGER PRIMARY KEY,
  date   TEXT NOT NULL,
  outlet TEXT NOT NULL,
  kind   TEXT NOT NULL,
  topic  TEXT NOT NULL,
  link   TEXT NOT NULL DEFAULT '',
  UNIQUE (date, outlet, topic)
);
CREATE TABLE finance_years (
  year           INTEGER PRIMARY KEY,
  budget_total   INTEGER NOT NULL,
  spending_total INTEGER NOT NULL,
  result         INTEGER NOT NULL,
  notes          TEXT NOT NULL DEFAULT ''
);
CREATE TABLE budget_lines (
  id          INTEGER PRIMARY KEY,
  year        INTEGER NOT NULL REFERENCES finance_years (year) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  funder      TEXT NOT NULL,
  description TEXT NOT NULL,
  kind        TEXT NOT NULL,
  amount      INTEGER NOT NULL
);
CREATE TABLE spending_lines (
  id          INTEGER PRIMARY KEY,
  year        INTEGER NOT NULL REFERENCES finance_years (year) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  category    TEXT NOT NULL,
  description TEXT NOT NULL,
  amount      INTEGER NOT NULL
);
)sql"},
    Migration{6, "staff: users, sessions, audit log", R"sql(
CREATE TABLE users (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  role            TEXT NOT NULL CHECK (role IN ('admin', 'researcher', 'editor')),
  password_hash   TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until    TEXT NOT NULL DEFAULT ''
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  user_name TEXT NOT NULL,
  action    TEXT NOT NULL,
  detail    TEXT NOT NULL
);
)sql"},
    // Bulk loads write one b-tree. The person key moves into the registration: the separate
    // persons table with its unique index on random keys cost more than the registration
    // itself once the index outgrew the page cache (5.7 of 13 s for a million rows). The
    // secondary indexes go: the filters are "(? IS NULL OR column = ?)", which SQLite answers
    // by a scan, the tables and the linkage read whole years, and the indexes by person and by
    // batch served only the rare `--replace` (a scan there now).
    Migration{7, "registrations carry the person key; no persons table, no secondary indexes", R"sql(
CREATE TABLE registrations_v7 (
  id                INTEGER PRIMARY KEY,
  source_id         INTEGER NOT NULL REFERENCES sources (id),
  person_key        TEXT NOT NULL,
  year              INTEGER NOT NULL,
  mandate           TEXT NOT NULL,
  role              TEXT NOT NULL,
  exploitation_form TEXT,
  offence_type      TEXT,
  sex               TEXT NOT NULL,
  age               INTEGER CHECK (age BETWEEN 0 AND 120),
  nationality       TEXT,
  region_code       TEXT REFERENCES regions (code),
  chain_stage       TEXT,
  residence_status  TEXT NOT NULL,
  batch_id          INTEGER REFERENCES batches (id),
  name_key          TEXT,
  name_bloom        BLOB,
  birth_bloom       BLOB
);
INSERT INTO registrations_v7
  SELECT r.id, r.source_id, p.key, r.year, r.mandate, r.role, r.exploitation_form, r.offence_type,
         r.sex, r.age, r.nationality, r.region_code, r.chain_stage, r.residence_status, r.batch_id,
         r.name_key, r.name_bloom, r.birth_bloom
  FROM registrations r JOIN persons p ON p.id = r.person_id;
DROP TABLE registrations;
ALTER TABLE registrations_v7 RENAME TO registrations;
DROP TABLE persons;
)sql"},
    Migration{8, "person keys stored as bytes where they are hex (half the size)", R"sql(
UPDATE registrations
   SET person_key = rapporteur_pack_key(person_key), name_key = rapporteur_pack_key(name_key);
)sql",
              // PostgreSQL keeps keys as text: the packing is SQLite's storage detail.
              ""},
    Migration{9, "background jobs of the staff workspace outlive the server", R"sql(
CREATE TABLE jobs (
  id        INTEGER PRIMARY KEY,
  kind      TEXT NOT NULL,
  title     TEXT NOT NULL,
  owner     TEXT NOT NULL,
  started   TEXT NOT NULL,
  finished  TEXT NOT NULL DEFAULT '',
  status    TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
  output    TEXT NOT NULL DEFAULT '',
  messages  TEXT NOT NULL DEFAULT '',
  link      TEXT NOT NULL DEFAULT '',
  link_text TEXT NOT NULL DEFAULT ''
);
)sql"},
    // Issue 22: earlier versions kept the raw value of a quarantined row's field whenever the
    // field was not identifying, but a row with shifted columns puts a surname or a date of
    // birth into such a field, and code parsers quoted the value in the reason. A migration
    // knows neither the profile (which may mark more columns identifying) nor the row's other
    // values, so it cannot tell a label from a person's data: every stored value goes, and so
    // does every part of a reason that may quote one (from the first quote on, except the
    // profile's own label lists). A failed load's message listed the header's cells, which are
    // a person's data when the header row is missing. secure_delete overwrites the old bytes
    // in the rewritten pages; the store then truncates the write-ahead log.
    Migration{10, "quarantine and job messages keep no value that could identify a person", R"sql(
PRAGMA secure_delete = ON;
UPDATE quarantine
   SET value = '',
       reason = scrubbed.reason || CASE WHEN quarantine.value <> '' OR scrubbed.reason <> quarantine.reason
                                        THEN ' (value withheld)' ELSE '' END
  FROM (SELECT id,
               CASE
                 WHEN reason LIKE 'unknown municipality code %' THEN 'unknown municipality code'
                 WHEN reason LIKE 'age at registration would be %' THEN 'age at registration would be outside 0..120'
                 WHEN reason LIKE 'unknown label for %' THEN reason
                 WHEN instr(reason, '''') > 0 THEN rtrim(substr(reason, 1, instr(reason, '''') - 1), ' ;:,')
                 ELSE reason
               END AS reason
          FROM quarantine) AS scrubbed
 WHERE scrubbed.id = quarantine.id;
UPDATE jobs
   SET messages = substr(messages, 1, instr(messages, '; the file has ') - 1) || ' (its cells withheld)' || char(10)
 WHERE instr(messages, '; the file has ') > 0;
)sql",
              // PostgreSQL databases came after this version: none ever held the values
              // this removes.
              ""},
    // Issue 16: probabilistic linkage compares names, dates of birth and id numbers through
    // pseudonymous comparison fields made at intake (keyed hashes, Bloom filters, keyed date
    // parts); none of them is an identifier. Rows loaded before have none (empty).
    Migration{11, "registrations carry pseudonymous comparison fields for probabilistic linkage", R"sql(
ALTER TABLE registrations ADD COLUMN first_name_bloom BLOB;
ALTER TABLE registrations ADD COLUMN last_name_bloom BLOB;
ALTER TABLE registrations ADD COLUMN first_name_key TEXT;
ALTER TABLE registrations ADD COLUMN last_name_key TEXT;
ALTER TABLE registrations ADD COLUMN birth_year_key TEXT;
ALTER TABLE registrations ADD COLUMN birth_year_pair_key TEXT;
ALTER TABLE registrations ADD COLUMN birth_year_pair_odd_key TEXT;
ALTER TABLE registrations ADD COLUMN birth_month_key TEXT;
ALTER TABLE registrations ADD COLUMN birth_day_key TEXT;
ALTER TABLE registrations ADD COLUMN birth_first_of_january INTEGER NOT NULL DEFAULT 0;
ALTER TABLE registrations ADD COLUMN national_id_key TEXT;
)sql"},
    // Issue 18: several web nodes share one database. A job records the node that runs it,
    // which beats (sets `heartbeat`) while it runs; a node starting marks its own leftovers
    // and the jobs of nodes that stopped beating as interrupted, not a live peer's.
    Migration{12, "jobs record the node that runs them and its heartbeat", R"sql(
ALTER TABLE jobs ADD COLUMN node TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN heartbeat TEXT NOT NULL DEFAULT '';
)sql"},
    // Issue 17: a long job (a bootstrap, the latent class sampler) can be cancelled from its
    // page; SQLite cannot change a CHECK constraint, so the table is rebuilt with its rows.
    Migration{14, "a background job can end cancelled", R"sql(
CREATE TABLE jobs_new (
  id        INTEGER PRIMARY KEY,
  kind      TEXT NOT NULL,
  title     TEXT NOT NULL,
  owner     TEXT NOT NULL,
  started   TEXT NOT NULL,
  finished  TEXT NOT NULL DEFAULT '',
  status    TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
  output    TEXT NOT NULL DEFAULT '',
  messages  TEXT NOT NULL DEFAULT '',
  link      TEXT NOT NULL DEFAULT '',
  link_text TEXT NOT NULL DEFAULT '',
  node      TEXT NOT NULL DEFAULT '',
  heartbeat TEXT NOT NULL DEFAULT ''
);
INSERT INTO jobs_new (id, kind, title, owner, started, finished, status, output, messages, link, link_text, node,
                      heartbeat)
  SELECT id, kind, title, owner, started, finished, status, output, messages, link, link_text, node, heartbeat
  FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
)sql",
              R"sql(
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'interrupted'));
)sql"},
    // Issue 16: person ids stay stable across linkage runs; each run's assignment of records
    // (by a fingerprint of their pseudonymous content) to person ids is kept for the next.
    Migration{17, "linkage keeps each record's person id for the next run", R"sql(
CREATE TABLE linkage_person_ids (
  year        INTEGER NOT NULL,
  mandate     TEXT NOT NULL,
  role        TEXT NOT NULL,
  record      INTEGER NOT NULL,
  person_id   INTEGER NOT NULL CHECK (person_id > 0),
  PRIMARY KEY (year, mandate, role, record)
) WITHOUT ROWID;
)sql",
              R"sql(
CREATE TABLE linkage_person_ids (
  year        BIGINT NOT NULL,
  mandate     TEXT NOT NULL,
  role        TEXT NOT NULL,
  record      BIGINT NOT NULL,
  person_id   BIGINT NOT NULL CHECK (person_id > 0),
  PRIMARY KEY (year, mandate, role, record)
);
)sql"},
    // Issue 16: a source checks its records against the linkage's person ids by its own record
    // reference (a case number, not identifying), kept as given; rows loaded before have none.
    Migration{18, "registrations carry the source's own record reference", R"sql(
ALTER TABLE registrations ADD COLUMN record_id TEXT;
)sql"},
    // Issue 16: a clerk's decisions on pairs near the linkage threshold, by the registrations'
    // row ids (no foreign key: a decision whose row is gone is ignored and counted by the run).
    Migration{19, "linkage keeps a clerical review's decisions on pairs of registrations", R"sql(
CREATE TABLE linkage_decisions (
  year        INTEGER NOT NULL,
  mandate     TEXT NOT NULL,
  role        TEXT NOT NULL,
  first_id    INTEGER NOT NULL CHECK (first_id > 0),
  second_id   INTEGER NOT NULL,
  decision    TEXT NOT NULL CHECK (decision IN ('match', 'non-match', 'unsure')),
  user_name   TEXT NOT NULL,
  decided_at  TEXT NOT NULL,
  PRIMARY KEY (year, mandate, role, first_id, second_id),
  CHECK (first_id < second_id)
) WITHOUT ROWID;
)sql",
              R"sql(
CREATE TABLE linkage_decisions (
  year        BIGINT NOT NULL,
  mandate     TEXT NOT NULL,
  role        TEXT NOT NULL,
  first_id    BIGINT NOT NULL CHECK (first_id > 0),
  second_id   BIGINT NOT NULL,
  decision    TEXT NOT NULL CHECK (decision IN ('match', 'non-match', 'unsure')),
  user_name   TEXT NOT NULL,
  decided_at  TEXT NOT NULL,
  PRIMARY KEY (year, mandate, role, first_id, second_id),
  CHECK (first_id < second_id)
);
)sql"},
    // Issue 18: stateless web nodes. Jobs are queued in the database with their kind and
    // parameters (JSON), and any node's workers claim them (a new status, `queued`); a cancel
    // is requested through the row and seen by the running node; progress is kept in
    // millionths (-1: none said). Failed sign-ins per client address are kept here too, so
    // that the nodes throttle an address together (times in milliseconds since 1970, UTC).
    // SQLite cannot change a CHECK constraint, so the jobs table is rebuilt with its rows.
    Migration{20, "a queue of jobs any node runs; failed sign-ins per address shared by the nodes", R"sql(
CREATE TABLE jobs_new (
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL,
  title            TEXT NOT NULL,
  owner            TEXT NOT NULL,
  started          TEXT NOT NULL,
  finished         TEXT NOT NULL DEFAULT '',
  status           TEXT NOT NULL
                   CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
  output           TEXT NOT NULL DEFAULT '',
  messages         TEXT NOT NULL DEFAULT '',
  link             TEXT NOT NULL DEFAULT '',
  link_text        TEXT NOT NULL DEFAULT '',
  node             TEXT NOT NULL DEFAULT '',
  heartbeat        TEXT NOT NULL DEFAULT '',
  parameters       TEXT NOT NULL DEFAULT '',
  upload           TEXT NOT NULL DEFAULT '',
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  progress         INTEGER NOT NULL DEFAULT -1
);
INSERT INTO jobs_new (id, kind, title, owner, started, finished, status, output, messages, link, link_text, node,
                      heartbeat)
  SELECT id, kind, title, owner, started, finished, status, output, messages, link, link_text, node, heartbeat
  FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_queued ON jobs (id) WHERE status = 'queued';
CREATE TABLE sign_in_failures (
  id        INTEGER PRIMARY KEY,
  address   TEXT NOT NULL,
  failed_at INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, failed_at);
CREATE INDEX sign_in_failures_time ON sign_in_failures (failed_at);
)sql",
              R"sql(
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'));
ALTER TABLE jobs ADD COLUMN parameters TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN upload TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN cancel_requested BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN progress BIGINT NOT NULL DEFAULT -1;
CREATE INDEX jobs_queued ON jobs (id) WHERE status = 'queued';
CREATE TABLE sign_in_failures (
  id        BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  address   TEXT NOT NULL,
  failed_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, failed_at);
CREATE INDEX sign_in_failures_time ON sign_in_failures (failed_at);
)sql"},
    // Issue 19: a publication names the monitor tables it reports on (space-separated table
    // names), so that the public site links each to the other.
    Migration{21, "publications name the tables they report on", R"sql(
ALTER TABLE publications ADD COLUMN tables TEXT NOT NULL DEFAULT '';
)sql"},
    // Issue 18: published releases and the knowledge base's attached files live in the
    // database, so every web node serves the same ones (the published folder and the
    // knowledge base's files/ become copies and imports).
    Migration{22, "published releases and attached files kept in the database", R"sql(
CREATE TABLE stored_files (
  sha256 TEXT PRIMARY KEY,
  size   INTEGER NOT NULL,
  bytes  BLOB
);
CREATE TABLE releases (
  id         TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);
CREATE TABLE release_files (
  release_id TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  table_name TEXT NOT NULL DEFAULT '',
  run        TEXT NOT NULL,
  sha256     TEXT NOT NULL REFERENCES stored_files(sha256),
  PRIMARY KEY (release_id, name)
);
CREATE INDEX release_files_by_sha256 ON release_files(sha256);
)sql"},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

std::string sql_for(const Migration& migration, Dialect dialect) {
  if (dialect == Dialect::kSqlite) return migration.sql;
  if (migration.postgresql != nullptr) return migration.postgresql;
  // Longest first: INTEGER PRIMARY KEY before INTEGER.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kRewrites{{
      {"INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
      {"INTEGER", "BIGINT"},
      {"BLOB", "BYTEA"},
  }};
  std::string sql = migration.sql;
  std::string out;
  out.reserve(sql.size() * 2);
  std::size_t at = 0;
  while (at < sql.size()) {
    bool rewritten = false;
    for (const auto& [from, to] : kRewrites) {
      if (sql.compare(at, from.size(), from) == 0) {
        out += to;
        at += from.size();
        rewritten = true;
        break;
      }
    }
    if (!rewritten) out += sql[at++];
  }
  return out;
}

}  // namespace rapporteur::store::internal
