// A digest of a test server's database: one hash per table, taken from
// outside the server (sqlite3 / psql), so a test can show that a refused
// request changed nothing. Works on both backends.
import { execFileSync, spawn } from 'node:child_process';
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
    // the id counters of excluded tables move with them
    const counter = table === 'sqlite_sequence' && line.match(/VALUES\('([A-Za-z0-9_]+)'/);
    if (counter && DIGEST_EXCLUDED.has(counter[1])) continue;
    if (!hashes.has(table)) hashes.set(table, createHash('sha256'));
    hashes.get(table).update(line + '\n');
  }
  return new Map([...hashes].map(([t, h]) => [t, h.digest('hex')]));
}

function psql(url, sql) {
  return execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { maxBuffer: 256 << 20 }).toString();
}

const pg = new Map();   // url → { query, proc, wait }

/* One psql per database, kept open: a new connection per digest cost more
 * than the query. Queries go in on stdin, each answer ends at a marker. */
async function pgDigest(url) {
  let c = pg.get(url);
  if (!c) {
    const tables = psql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")
      .split('\n').filter((t) => t && !DIGEST_EXCLUDED.has(t));
    // an order-free sum of 64-bit row hashes: no sort, and a changed,
    // added or removed row changes it
    const query = tables.map((t) => `SELECT '${t}', count(*) || ':' || coalesce(sum(hashtextextended(x::text, 0)::numeric), 0) FROM "${t}" x`).join(' UNION ALL ');
    const proc = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt'], { stdio: ['pipe', 'pipe', 'inherit'] });
    proc.stdout.setEncoding('utf8');
    c = { query, proc, out: '' };
    proc.stdout.on('data', (d) => { c.out += d; c.wake?.(); });
    pg.set(url, c);
  }
  c.out = '';
  c.proc.stdin.write(`${c.query};\n\\echo __digest_end__\n`);
  while (!c.out.includes('__digest_end__\n')) {
    if (c.proc.exitCode !== null) throw new Error('psql for the digest exited');
    await new Promise((res) => { c.wake = res; });
  }
  return new Map(c.out.split('\n').filter((l) => l.includes('|')).map((l) => l.split('|')));
}

/** Closes the psql a PostgreSQL digest keeps open (call before the
 * database is dropped). */
export async function digestClose(srv) {
  const c = pg.get(srv.db);
  if (!c) return;
  pg.delete(srv.db);
  if (c.proc.exitCode === null) {
    const exited = new Promise((res) => c.proc.on('exit', res));
    c.proc.stdin.end();
    await exited;
  }
}

/** Map of table name → hash for the server from tests/lib/server.mjs. */
export async function dbDigest(srv) {
  return srv.backend === 'postgresql' ? pgDigest(srv.db) : sqliteDigest(srv.db.replace(/^sqlite:/, ''));
}

/** Names of the tables whose hash differs between two digests. */
export function digestDiff(a, b) {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((t) => a.get(t) !== b.get(t)).sort();
}
