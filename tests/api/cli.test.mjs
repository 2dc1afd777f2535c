// The command line (issue 11 §3 "untested surface"): --help and help,
// version, migrate, user reset-password, import regions and volunteers,
// demo --csv and --scale, sweep-shifts. Each runs against the backend of
// the suite (ZHIYUAN_TEST_BACKEND) and is checked through the API
// afterwards. tests/api/coverage.test.mjs fails when a subcommand that
// `zhiyuan --help` lists has no test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, repoRoot, testBackend, randomAdminPassword } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
const H = 3600 * 1000, M = 60 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
let srv, root, rootOrg, tmp;
const made = [];   // PostgreSQL databases this file created

/** A station under a new association of the root, in town 510115002. */
async function station(name) {
  const a = await root.post('/api/v1/organizations', { name: name + '协会', kind: 'association', parent_id: rootOrg, region_code: '510115002000' });
  assert.equal(a.status, 201, a.text);
  const s = await root.post('/api/v1/organizations', { name, kind: 'station', parent_id: a.json.id, region_code: '510115002001' });
  assert.equal(s.status, 201, s.text);
  return s.json;
}

/** Runs zhiyuan with args; returns { status, stdout, stderr }. */
function cli(args, env = {}) {
  const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** The options that point a command at the suite's server's database. */
const on = () => ['--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key'), '--log-level', 'error'];

/** A new, empty database of the suite's backend and a key file beside it. */
function freshDb() {
  const key = join(tmp, 'k-' + randomBytes(4).toString('hex'));
  if (testBackend() !== 'postgresql') return { db: 'sqlite:' + join(tmp, randomBytes(4).toString('hex') + '.db'), key };
  const admin = process.env.ZHIYUAN_TEST_PG;
  const name = 'zc_' + process.pid + '_' + randomBytes(4).toString('hex');
  execFileSync('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  made.push(name);
  const u = new URL(admin);
  u.pathname = '/' + name;
  return { db: u.toString(), key };
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'zhiyuan-cli-'));
  srv = await startServer({ args: ['--sweep-every', '0'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
});
after(async () => {
  await srv?.stop();
  for (const name of made) {
    try {
      execFileSync('psql', [process.env.ZHIYUAN_TEST_PG, '-qc', `DROP DATABASE IF EXISTS ${name}`], { stdio: 'pipe' });
    } catch { /* left for the next run */ }
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('--help, help COMMAND, version and an unknown command', () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    const r = cli(args);
    assert.equal(r.status, 0, r.stderr);
    for (const c of ['serve', 'migrate', 'user reset-password', 'import regions', 'import volunteers', 'demo', 'verify',
      'check-ledger', 'expire-points', 'sweep-shifts', 'version', 'help']) assert.ok(r.stdout.includes('  ' + c), c);
  }
  let r = cli(['help', 'demo']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^usage: zhiyuan demo \[options\]/);
  for (const o of ['--scale N', '--csv FILE', '--count N']) assert.ok(r.stdout.includes(o), o);
  r = cli(['serve', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^usage: zhiyuan serve \[options\]/);
  for (const args of [['version'], ['--version']]) {
    r = cli(args);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^zhiyuan \d+\.\d+\.\d+\n$/);
  }
  r = cli(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command frobnicate/);
  r = cli(['migrate', '--no-such-option', 'x']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option --no-such-option/);
});

test('migrate: a new database gets its schema, its root and its admin; running it again changes nothing', async () => {
  const { db, key } = freshDb();
  const pw = randomAdminPassword();
  let r = cli(['migrate', '--db', db, '--key-file', key, '--log-level', 'error'], { ZHIYUAN_ADMIN_PASSWORD: pw });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `database is up to date (${testBackend()})\n`);
  r = cli(['migrate', '--db', db, '--key-file', key, '--log-level', 'error'], { ZHIYUAN_ADMIN_PASSWORD: 'another-one-1' });
  assert.equal(r.status, 0, r.stderr);
  const s = await startServer({ args: ['--db', db, '--key-file', key], adminPassword: pw });
  try {
    const c = new Client(s.url);
    await c.login('admin', pw);   // the first run's password: the second run made no second admin
    const me = (await c.get('/api/v1/me')).json;
    const tree = (await c.get(`/api/v1/organizations/${me.org_id}/tree`)).json;
    assert.equal(tree.summary.volunteers, 0);
    assert.equal((await c.get('/api/v1/users')).json.items.length, 1);
  } finally {
    await s.stop();
  }
  r = cli(['migrate', '--db', 'sqlite:' + join(tmp, 'no-such-dir', 'x', 'y.db'), '--log-level', 'error', '--key-file', key]);
  assert.notEqual(r.status, 0, 'an unusable database is an error');
});

test('user reset-password: prints a new password, the old one and its sessions stop working', async () => {
  const r0 = await root.post('/api/v1/users', { username: 'cli_reset', password: 'Old-pass-2026x', roles: ['recorder'], org_id: rootOrg });
  assert.equal(r0.status, 201, r0.text);
  const before = new Client(srv.url);
  await before.login('cli_reset', 'Old-pass-2026x');
  let r = cli(['user', 'reset-password', 'cli_reset', ...on()]);
  assert.equal(r.status, 0, r.stderr);
  const m = r.stdout.match(/^new password for cli_reset: (\S+)\n/);
  assert.ok(m, r.stdout);
  assert.ok(m[1].length >= 12, 'a generated password of some strength');
  // the running server drops what it cached of the session within its
  // 2-second cache life (src/app/kernel/auth.c): poll, up to 5 s
  let seen;
  for (const t0 = Date.now(); Date.now() - t0 < 5000;) {
    if ((seen = (await before.get('/api/v1/me')).status) === 401) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(seen, 401, 'the session ended');
  assert.equal((await new Client(srv.url).post('/api/v1/sessions', { username: 'cli_reset', password: 'Old-pass-2026x' })).status, 401);
  const after = new Client(srv.url);
  await after.login('cli_reset', m[1]);
  assert.equal((await after.get('/api/v1/me')).json.username, 'cli_reset');
  r = cli(['user', 'reset-password', 'no_such_user', ...on()]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no user named no_such_user/);
  r = cli(['user', 'reset-password', ...on()]);
  assert.equal(r.status, 2, 'the name is required');
  r = cli(['user', 'delete', 'cli_reset', ...on()]);
  assert.equal(r.status, 2);
  await after.login('cli_reset', m[1]);   // nothing else changed the password
});

test('import regions: a CSV file adds and updates regions, with a row report', async () => {
  const file = join(tmp, 'regions.csv');
  writeFileSync(file, 'code,name,parent_code,valid_from,valid_to,population_year,household_population\n' +
    '510115002093,命令行社区,510115002000,,,2020,4321\n' +
    '510115002094,命令行村,510115002000,,,,\n' +
    '510115002095,坏行,999999999999,,,,\n');
  let r = cli(['import', 'regions', file, ...on()]);
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.deepEqual([rep.total_rows, rep.imported, rep.updated, rep.unchanged, rep.rejected_count], [3, 2, 0, 0, 1]);
  const a = (await root.get('/api/v1/regions/510115002093')).json;
  assert.deepEqual([a.name, a.parent_code, a.household_population, a.population_year], ['命令行社区', '510115002000', 4321, 2020]);
  assert.equal((await root.get('/api/v1/regions/510115002095')).status, 404, 'the bad row was not imported');
  r = cli(['import', 'regions', file, ...on()]);
  const again = JSON.parse(r.stdout);
  assert.deepEqual([again.imported, again.updated, again.unchanged, again.rejected_count], [0, 0, 2, 1]);
  r = cli(['import', 'regions', join(tmp, 'missing.csv'), ...on()]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot open/);
  r = cli(['import', 'streets', file, ...on()]);
  assert.equal(r.status, 2);
});

test('demo --csv writes synthetic people, and import volunteers registers them into --org', async () => {
  const file = join(tmp, 'people.csv');
  let r = cli(['demo', '--csv', file, '--count', '7', '--log-level', 'error']);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  assert.equal(lines.length, 8, 'a header and seven people');
  assert.equal(new Set(lines.slice(1)).size, 7);
  assert.equal(cli(['demo', '--csv', file, '--count', '0']).status, 2, '--count starts at 1');

  const o = { json: await station('命令行导入工作站') };
  r = cli(['import', 'volunteers', file, ...on()]);
  assert.equal(r.status, 2, '--org is required');
  assert.match(r.stderr, /--org ID/);
  const count = async () => (await root.get(`/api/v1/volunteers?org_id=${o.json.id}&limit=200`)).json.items.length;
  assert.equal(await count(), 0);
  r = cli(['import', 'volunteers', file, '--org', String(o.json.id), ...on()]);
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.deepEqual([rep.total_rows, rep.imported, rep.rejected_count], [7, 7, 0], r.stdout);
  assert.equal(await count(), 7);
  r = cli(['import', 'volunteers', file, '--org', '999999', ...on()]);
  assert.equal(r.status, 1);
  assert.equal(await count(), 7);
  const audit = (await root.get('/api/v1/audit-log?action=import.volunteers')).json.items;
  assert.equal(audit.length, 1, 'the import is audited once');
});

test('demo --scale N multiplies the district: households × N, and a loaded database is refused', async () => {
  const { db, key } = freshDb();
  const pw = randomAdminPassword();
  let r = cli(['demo', '--db', db, '--key-file', key, '--scale', '0']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--scale must be a number from 1 to 100/);
  r = cli(['demo', '--db', db, '--key-file', key, '--scale', '3', '--volunteers', '120', '--log-level', 'error'], { ZHIYUAN_ADMIN_PASSWORD: pw });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /demo district loaded/);
  r = cli(['demo', '--db', db, '--key-file', key, '--volunteers', '10', '--log-level', 'error'], { ZHIYUAN_ADMIN_PASSWORD: pw });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /loads into a new installation only/);
  const s = await startServer({ args: ['--db', db, '--key-file', key], adminPassword: pw });
  try {
    const c = new Client(s.url);
    await c.login('admin', pw);
    assert.equal((await c.get('/api/v1/regions/510115')).json.household_population, 3 * 380000);
    const me = (await c.get('/api/v1/me')).json;
    assert.equal((await c.get(`/api/v1/organizations/${me.org_id}/tree`)).json.summary.volunteers, 120);
  } finally {
    await s.stop();
  }
});

test('sweep-shifts: checks out who stayed checked in for 24 hours and marks no-shows, once', async () => {
  const org = { json: await station('命令行签退工作站') };
  const p = await root.post('/api/v1/projects', { title: '命令行清扫项目', org_id: org.json.id, domain: 'social_assistance', category: '助老' });
  assert.equal(p.status, 201, p.text);
  assert.equal((await root.post(`/api/v1/projects/${p.json.id}/publish`)).status, 200);
  // a shift that ended more than a day ago (whole seconds, so the check-out time is exact)
  const s0 = Math.floor((Date.now() - 30 * H) / 1000) * 1000;
  const sh = await root.post(`/api/v1/projects/${p.json.id}/shifts`, { starts_at: iso(s0), ends_at: iso(s0 + 2 * H), place: '社区', capacity: 5 });
  assert.equal(sh.status, 201, sh.text);
  const vols = [];
  for (let i = 0; i < 2; i++) {
    const v = await root.post('/api/v1/volunteers', { name: '清扫' + i, id_type: 'resident_id', id_number: residentId('510115', '19770707', 801 + 2 * i),
      phone: '1371234560' + i, region_code: '510115002001', org_id: org.json.id, consent: { sensitive: true, notice_version: '2026-11' } });
    assert.equal(v.status, 201, v.text);
    vols.push(v.json);
    assert.equal((await root.post(`/api/v1/shifts/${sh.json.id}/signups`, { volunteer_id: v.json.id })).status, 201);
  }
  const r0 = await root.post(`/api/v1/shifts/${sh.json.id}/check-in`, { volunteer_id: vols[0].id, at: iso(s0 - 10 * M) });
  assert.equal(r0.status, 200, r0.text);
  let r = cli(['sweep-shifts', ...on()]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'checked out automatically: 1, no-shows marked: 1\n');
  const items = (await root.get(`/api/v1/shifts/${sh.json.id}/signups`)).json.items;
  const by = (id) => items.find((x) => x.volunteer_id === id);
  assert.deepEqual([by(vols[0].id).status, by(vols[0].id).auto_checkout, by(vols[0].id).checked_out_at],
    ['attended', true, iso(s0 - 10 * M + 24 * H)]);
  assert.equal(by(vols[1].id).status, 'no_show');
  r = cli(['sweep-shifts', ...on()]);
  assert.equal(r.stdout, 'checked out automatically: 0, no-shows marked: 0\n', 'a second sweep finds nothing');
});

test('--clock-offset: the server and the commands read a clock the test sets', async () => {
  const at = Date.UTC(2026, 5, 15, 4, 0, 0);   // 2026-06-15, noon in China
  const s = await startServer({ clockAt: at });
  try {
    const c = new Client(s.url);
    await c.login('admin', s.adminPassword);
    const me = (await c.get('/api/v1/me')).json;
    const o = await c.post('/api/v1/organizations', { name: '时钟协会', kind: 'association', parent_id: me.org_id, region_code: '510115001000' });
    assert.equal(o.status, 201, o.text);
    const made = Date.parse(o.json.created_at);
    assert.ok(Math.abs(made - s.now()) < 5000 && Math.abs(made - at) < 60000, `created at ${o.json.created_at}`);
  } finally {
    await s.stop();
  }
  assert.equal(cli(['version', '--clock-offset', 'soon']).status, 0, 'version reads no options');
  const r = cli(['migrate', '--clock-offset', 'soon', '--db', 'sqlite:' + join(tmp, 'c.db')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--clock-offset must be a number/);
});
