// Spawns a real zhiyuan server for a test: a fresh database (an SQLite file
// in a temporary folder, or a new PostgreSQL database), a free port, and a
// known admin password. Stop it with `await srv.stop()`.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The backend the API suite runs on: ZHIYUAN_TEST_BACKEND, default sqlite. */
export function testBackend() {
  return process.env.ZHIYUAN_TEST_BACKEND || 'sqlite';
}

function psql(url, sql) {
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Noon in China (04:00 UTC) of the China day daysAgo before today, in ms. */
export function chinaNoon(daysAgo = 0) {
  const china = new Date(Date.now() + 8 * 3600 * 1000);
  return Date.UTC(china.getUTCFullYear(), china.getUTCMonth(), china.getUTCDate() - daysAgo, 4, 0, 0);
}

/**
 * A server whose clock the test controls: it reads opts.clockAt (ms) at
 * start and runs on from there (ZHIYUAN_CLOCK_OFFSET, i.e. --clock-offset).
 * srv.now() is the server's time; srv.restartAt(ms) stops it and starts
 * another on the same database whose clock reads ms, so time passes for
 * the server without the test waiting (stop the one it returns).
 */
async function startClocked(opts) {
  const offset = Math.round((opts.clockAt - Date.now()) / 1000);
  const srv = await startServer({ ...opts, clockAt: undefined,
    env: { ...(opts.env || {}), ZHIYUAN_CLOCK_OFFSET: String(offset) } });
  srv.clockOffset = offset;
  srv.now = () => Date.now() + offset * 1000;
  srv.restartAt = async (clockAt) => {
    const child = srv.child;
    const gone = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    await gone;
    const next = await startClocked({ ...opts, clockAt, backend: srv.backend, adminPassword: srv.adminPassword,
      args: [...(opts.args || []), '--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key')] });
    // the first server's folder and database go when the last one stops
    const stopNext = next.stop.bind(next);
    next.stop = async () => {
      const st = await stopNext();
      await srv.stop();
      return st;
    };
    return next;
  };
  return srv;
}

/**
 * A random first-admin password the server's password rule accepts: a
 * random string is refused by cracklib as "too simplistic/systematic" when
 * more than four neighbouring characters differ by one ("zyxyz"), which
 * happened about once in 5,000 draws, so such draws are drawn again.
 */
export function randomAdminPassword() {
  for (;;) {
    const pw = 'Adm-' + randomBytes(9).toString('base64url');
    const low = pw.toLowerCase();
    let steps = 0;
    for (let i = 1; i < low.length; i++) if (Math.abs(low.charCodeAt(i) - low.charCodeAt(i - 1)) === 1) steps++;
    if (steps <= 2) return pw;
  }
}

/**
 * Starts a server. Options: backend ('sqlite' | 'postgresql'), env (extra
 * environment), args (extra serve options), adminPassword, clockAt (the
 * time in ms the server's clock shows at start, see startClocked;
 * chinaNoon() pins a run to the middle of a China day).
 */
export async function startServer(opts = {}) {
  if (opts.clockAt !== undefined) return startClocked(opts);
  const backend = opts.backend || testBackend();
  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  if (!existsSync(bin)) throw new Error(`server binary ${bin} not built`);
  const dir = mkdtempSync(join(tmpdir(), 'zhiyuan-test-'));
  const adminPassword = opts.adminPassword || randomAdminPassword();
  let db, pgDb, pgAdmin;
  if (backend === 'postgresql') {
    pgAdmin = process.env.ZHIYUAN_TEST_PG;
    if (!pgAdmin) throw new Error('ZHIYUAN_TEST_PG is not set (run scripts/pg-up.sh)');
    pgDb = 'zt_' + process.pid + '_' + randomBytes(4).toString('hex');
    psql(pgAdmin, `CREATE DATABASE ${pgDb}`);
    const u = new URL(pgAdmin);
    u.pathname = '/' + pgDb;
    db = u.toString();
  } else {
    db = 'sqlite:' + join(dir, 'zhiyuan.db');
  }
  const args = ['serve', '--db', db, '--listen', '127.0.0.1:0',
    '--web-root', join(repoRoot, 'web/dist'), '--access-log', join(dir, 'access.log'),
    '--key-file', join(dir, 'zhiyuan.key'),
    '--log-level', 'warn', ...(opts.args || [])];
  const env = { ...process.env, ZHIYUAN_ADMIN_PASSWORD: adminPassword, ...(opts.env || {}) };
  let run = await launch(bin, args, env);
  let stopped = null;
  const srv = {
    url: run.url, backend, db, dir, adminPassword, child: run.child,
    stderr: () => run.stderr(),
    accessLog: () => (existsSync(join(dir, 'access.log')) ? readFileSync(join(dir, 'access.log'), 'utf8') : ''),
    /** SIGKILL (no shutdown at all), wait for the exit; the database and
     * the folder stay for restart(). Resolves to the exit status. */
    async kill() {
      run.child.kill('SIGKILL');
      return run.exited;
    },
    /** Starts the server again on the same database, key and folder (after
     * kill()); url and child change, a new port is picked. */
    async restart() {
      run = await launch(bin, args, env);
      srv.url = run.url;
      srv.child = run.child;
      return srv;
    },
    /** SIGTERM, wait for exit, drop the database; resolves to the exit status. */
    async stop() {
      if (stopped) return stopped;
      stopped = (async () => {
        run.child.kill('SIGTERM');
        const t = setTimeout(() => run.child.kill('SIGKILL'), 15000);
        const st = await run.exited;
        clearTimeout(t);
        if (pgDb) {
          try { psql(pgAdmin, `DROP DATABASE IF EXISTS ${pgDb}`); } catch { /* left for the next run */ }
        }
        rmSync(dir, { recursive: true, force: true });
        return st;
      })();
      return stopped;
    },
  };
  return srv;
}

/** Spawns one server process and waits for its "listening on" line. */
async function launch(bin, args, env) {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
  const url = await new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error('server did not start in 20 s: ' + stderr)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    exited.then(({ code }) => { clearTimeout(timer); rej(new Error(`server exited (${code}): ${stderr}`)); });
  });
  return { child, url, exited, stderr: () => stderr };
}
