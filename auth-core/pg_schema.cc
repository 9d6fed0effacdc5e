#include "pg_schema.h"

#include <string>
#include <vector>

#include "pg_pool.h"

namespace steer::auth::pg {
namespace {

// Never edit a migration that has shipped: append a new one.
const std::vector<const char*>& Migrations() {
  static const std::vector<const char*> kMigrations = {
      // 1: the tables of SqliteStore, with BIGINT epoch seconds.
      R"sql(
CREATE TABLE users(username TEXT PRIMARY KEY, subject TEXT UNIQUE NOT NULL,
  password_hash TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE clients(client_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE used_codes(id TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE TABLE refresh_families(family TEXT PRIMARY KEY, current TEXT NOT NULL,
  gen BIGINT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE revoked(id TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE TABLE failures(key TEXT PRIMARY KEY, count BIGINT NOT NULL,
  first_at BIGINT NOT NULL, blocked_until BIGINT NOT NULL);
CREATE INDEX used_codes_expiry ON used_codes(expires_at);
CREATE INDEX refresh_families_expiry ON refresh_families(expires_at);
CREATE INDEX revoked_expiry ON revoked(expires_at);
)sql",
      // 2: user lifecycle (SqliteStore's users.generation, users.disabled, retired_subjects).
      R"sql(
ALTER TABLE users ADD COLUMN generation BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false;
CREATE TABLE retired_subjects(subject TEXT PRIMARY KEY);
)sql",
      // 3: refresh rotation in one round trip (PostgresStore::RotateRefresh): the same steps as
      // its transaction had (family row locked first, then the revocation check, the reuse
      // rule, the conditional advance), run by the server in the statement's own transaction.
      // Returns 0 rotated, 1 reused (the family is revoked), 2 already revoked.
      R"sql(
CREATE FUNCTION steer_rotate_refresh(p_family TEXT, p_presented TEXT, p_gen BIGINT,
                                     p_next TEXT, p_expires BIGINT) RETURNS INT
LANGUAGE plpgsql AS $fn$
DECLARE
  cur TEXT;
  cur_gen BIGINT;
  had_row BOOLEAN;
  changed INT;
BEGIN
  SELECT current, gen INTO cur, cur_gen FROM refresh_families WHERE family = p_family FOR UPDATE;
  had_row := FOUND;
  IF EXISTS (SELECT 1 FROM revoked WHERE id = p_family) THEN
    RETURN 2;
  END IF;
  IF had_row AND (cur_gen > p_gen OR (cur_gen = p_gen AND cur <> p_presented)) THEN
    changed := 0;
  ELSE
    INSERT INTO refresh_families(family, current, gen, expires_at)
      VALUES (p_family, p_next, p_gen + 1, p_expires)
      ON CONFLICT (family) DO UPDATE SET current = excluded.current, gen = excluded.gen,
        expires_at = excluded.expires_at WHERE refresh_families.gen < excluded.gen;
    -- 0 rows: no row was locked (a family new here) and a concurrent rotation inserted it.
    GET DIAGNOSTICS changed = ROW_COUNT;
  END IF;
  IF changed = 0 THEN
    INSERT INTO revoked(id, expires_at) VALUES (p_family, p_expires) ON CONFLICT (id)
      DO UPDATE SET expires_at = GREATEST(revoked.expires_at, excluded.expires_at);
    RETURN 1;
  END IF;
  RETURN 0;
END
$fn$;
)sql",
      // 4: every row of revoked carries the transaction that last wrote it, whoever the
      // writer (a trigger, so migration 3's function and older binaries stamp it too), so
      // RevocationMirror can read just the rows changed since its last snapshot.
      R"sql(
ALTER TABLE revoked ADD COLUMN changed_by xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX revoked_changed_by ON revoked(changed_by);
CREATE FUNCTION steer_revoked_stamp() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.changed_by := pg_current_xact_id();
  RETURN NEW;
END
$fn$;
CREATE TRIGGER revoked_stamp BEFORE INSERT OR UPDATE ON revoked
  FOR EACH ROW EXECUTE FUNCTION steer_revoked_stamp();
)sql",
      // 5: refresh rotations in batches (pg::Batcher, PostgresStore::RotateRefresh): one
      // statement and one commit for every rotation waiting at once, each the call of
      // migration 3 it would have been alone, in arrival order within a family. Families are
      // locked in sorted order, so two batches (two regions) never wait on each other in a
      // cycle. Returns the outcomes in input order.
      R"sql(
CREATE FUNCTION steer_rotate_refresh_batch(p_family TEXT[], p_presented TEXT[], p_gen BIGINT[],
                                           p_next TEXT[], p_expires BIGINT[]) RETURNS INT[]
LANGUAGE plpgsql AS $fn$
DECLARE
  outcomes INT[] := array_fill(0, ARRAY[cardinality(p_family)]);
  i BIGINT;
BEGIN
  FOR i IN SELECT t.n FROM unnest(p_family) WITH ORDINALITY AS t(f, n) ORDER BY t.f, t.n LOOP
    outcomes[i] := steer_rotate_refresh(p_family[i], p_presented[i], p_gen[i], p_next[i],
                                        p_expires[i]);
  END LOOP;
  RETURN outcomes;
END
$fn$;
)sql",
  };
  return kMigrations;
}

// Any constant shared by every steer-authd; "steerAUT" in ASCII.
constexpr const char* kLock = "SELECT pg_advisory_xact_lock(8319675002402149716)";

Result<void> Run(PGconn* pg, const char* sql) {
  PGresult* r = PQexec(pg, sql);
  auto status = PQresultStatus(r);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    PQclear(r);
    return {};
  }
  Error e = ErrorFor(PQresultErrorField(r, PG_DIAG_SQLSTATE),
                     "schema: " + std::string(PQresultErrorMessage(r)));
  PQclear(r);
  return tl::unexpected(e);
}

// The single value of a one-row query.
Result<std::string> Value(PGconn* pg, const char* sql) {
  PGresult* r = PQexec(pg, sql);
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    Error e = ErrorFor(PQresultErrorField(r, PG_DIAG_SQLSTATE),
                       "schema: " + std::string(PQresultErrorMessage(r)));
    PQclear(r);
    return tl::unexpected(e);
  }
  std::string v = PQgetvalue(r, 0, 0);
  PQclear(r);
  return v;
}

// The applied version; 0 when the version table does not exist yet.
Result<int> Version(PGconn* pg) {
  auto exists = Value(pg, "SELECT to_regclass('steer_authd_schema') IS NOT NULL");
  if (!exists) return tl::unexpected(exists.error());
  if (*exists != "t") return 0;
  auto v = Value(pg, "SELECT coalesce(max(version), 0) FROM steer_authd_schema");
  if (!v) return tl::unexpected(v.error());
  return std::stoi(*v);
}

Result<void> RefuseNewer(int version) {
  if (version <= LatestSchemaVersion()) return {};
  return MakeError(ErrorCode::kFailedPrecondition,
                   "postgres: the database schema is version " + std::to_string(version) +
                       ", newer than this steer-authd knows (" +
                       std::to_string(LatestSchemaVersion()) +
                       "); upgrade steer-authd before using this database");
}

Result<int> ApplyLocked(PGconn* pg) {
  if (auto r = Run(pg, kLock); !r) return tl::unexpected(r.error());
  if (auto r = Run(pg,
                   "CREATE TABLE IF NOT EXISTS steer_authd_schema(version INTEGER PRIMARY KEY, "
                   "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      !r) {
    return tl::unexpected(r.error());
  }
  auto version = Version(pg);
  if (!version) return tl::unexpected(version.error());
  if (auto r = RefuseNewer(*version); !r) return tl::unexpected(r.error());
  int applied = 0;
  for (int v = *version + 1; v <= LatestSchemaVersion(); ++v, ++applied) {
    if (auto r = Run(pg, Migrations()[v - 1]); !r) return tl::unexpected(r.error());
    std::string record =
        "INSERT INTO steer_authd_schema(version) VALUES(" + std::to_string(v) + ")";
    if (auto r = Run(pg, record.c_str()); !r) return tl::unexpected(r.error());
  }
  return applied;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

Result<SchemaStatus> Migrate(PGconn* pg) {
  // Cheap path, no lock: already current (every connect of every region checks this).
  auto current = Version(pg);
  if (!current) return tl::unexpected(current.error());
  if (auto r = RefuseNewer(*current); !r) return tl::unexpected(r.error());
  if (*current == LatestSchemaVersion()) return SchemaStatus{*current, *current, 0};
  if (auto r = Run(pg, "BEGIN"); !r) return tl::unexpected(r.error());
  auto applied = ApplyLocked(pg);
  if (!applied) {
    (void)Run(pg, "ROLLBACK");
    return tl::unexpected(applied.error());
  }
  if (auto r = Run(pg, "COMMIT"); !r) return tl::unexpected(r.error());
  return SchemaStatus{LatestSchemaVersion(), LatestSchemaVersion(), *applied};
}

Result<SchemaStatus> ReadSchemaStatus(PGconn* pg) {
  auto version = Version(pg);
  if (!version) return tl::unexpected(version.error());
  return SchemaStatus{*version, LatestSchemaVersion(), 0};
}

}  // namespace steer::auth::pg
