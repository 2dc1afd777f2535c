// A digest of a test server's database: one hash per table, taken from
// outside the server (sqlite3 / psql), so a test can show that a refused
// request changed nothing. Works on both backends.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

/* Tables a refused request may legitimately write: the audit log records
 * refusals, sessions note when they were last seen, and the sign-in
 * throttle counts failures. */
export const DIGEST_EXCLUDED = new Set(['audit_log', 'sessions', 'login_throttle', 'schema_migrations']);

function sqliteDigest(path) {
  // .dump lists each table's rows in a stable order (rowid or key)
  const dump = execFileSync('sqlite3', ['-readonly', path, '.dump'], { maxBuffer: 256 << 20 }).toString();
  const hashes = new Map();
  let table = null;
  for (const line of dump.split('\n')) {
    const m = line.match(/^INSERT INTO "?([A-Za-z0-9_]+)"?/);
    if (m) table = m[1];
    else if (/^(CREATE|COMMIT|PRAGMA|BEGIN|DELETE|ANALYZE)/.test(line)) table = null;
    if (!table || DIGEST_EXCLUDED.has(table)) continue;
    if (!hashes.has(table)) hashes.set(table, createHash('sha256'));
    hashes.get(table).update(line + '\n');
  }
  return new Map([...hashes].map(([t, h]) => [t, h.digest('hex')]));
}

function psql(url, sql) {
  return execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { maxBuffer: 256 << 20 }).toString();
}

const pgQueries = new Map();

function pgDigest(url) {
  if (!pgQueries.has(url)) {
    const tables = psql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")
      .split('\n').filter((t) => t && !DIGEST_EXCLUDED.has(t));
    pgQueries.set(url, tables.map((t) => `SELECT '${t}', md5(coalesce(string_agg(x::text, chr(10) ORDER BY x::text), '')) FROM "${t}" x`).join(' UNION ALL '));
  }
  const out = psql(url, pgQueries.get(url));
  return new Map(out.split('\n').filter(Boolean).map((l) => l.split('|')));
}

/** Map of table name → hash for the server from tests/lib/server.mjs. */
export function dbDigest(srv) {
  return srv.backend === 'postgresql' ? pgDigest(srv.db) : sqliteDigest(srv.db.replace(/^sqlite:/, ''));
}

/** Names of the tables whose hash differs between two digests. */
export function digestDiff(a, b) {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((t) => a.get(t) !== b.get(t)).sort();
}
