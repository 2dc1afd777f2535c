// The crash loop: the server is killed with SIGKILL (no shutdown, no
// flush) again and again while clients write — registrations, record
// entry and approval, grants of points, vouchers issued and redeemed,
// sign-ups to shifts with few places and some cancelled — and restarted on the same
// database. A client whose request died retries it after the restart with
// the same Idempotency-Key. In the end every write that was answered 2xx
// is there exactly once, `zhiyuan verify` and `zhiyuan check-ledger` pass
// (also on the database as each kill left it), and no shift holds more
// people than it has places. Prints a "count: …" line (TAP makes it
// "# count: …") that scripts/test.sh shows under the suite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';
import { rng } from '../lib/rng.mjs';

const KILLS = Number(process.env.CRASH_KILLS || 6);
const WORKERS = 4;
const SEED = Number(process.env.CRASH_SEED || 20261203);
const H = 3600 * 1000, D = 24 * H;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const GRANT = 80, VOUCHER = 30, PRICE = 7, SHIFTS = 8, CAPACITY = 3, WAITLIST = 1;

let srv, root, rec, clerk, clients, org, store, goods, activities = [], shifts = [];
// foundDone: retries whose first try had been written before the kill
const counts = { acknowledged: 0, kills: 0, retries: 0, replays: 0, refusals: 0, foundDone: 0 };

function cli(cmd) {
  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  return spawnSync(bin, [cmd, '--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key'), '--log-level', 'error'],
    { encoding: 'utf8' });
}

// While the server is down, `up` is a promise that the restart resolves.
let up = Promise.resolve();

/**
 * One write, sent until it gets an answer: a request that dies with the
 * server (or finds it down) waits for the restart and goes again with the
 * same body and the same Idempotency-Key. Returns { r, retried }.
 */
async function send(client, method, path, body, key) {
  const headers = key ? { 'Idempotency-Key': key } : {};
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await client.request(method, path, body, headers);
      assert.ok(r.status < 500, `${method} ${path}: ${r.status} ${r.text}\n${srv.stderr().slice(-2000)}`);
      if (r.status < 300) counts.acknowledged++;
      return { r, retried: attempt > 0 };
    } catch (e) {
      if (e.code === 'ERR_ASSERTION' || attempt > 50) throw e;
      counts.retries++;
      await up;
      await sleep(20);
    }
  }
}

before(async () => {
  srv = await startServer({ args: ['--sweep-every', '0'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const assoc = (await root.post('/api/v1/organizations', { name: '公平街道志愿服务协会', kind: 'association', parent_id: rootOrg,
    region_code: '510115007000' })).json;
  org = (await root.post('/api/v1/organizations', { name: '公平社区工作站', kind: 'station', parent_id: assoc.id,
    region_code: '510115007001' })).json;
  assert.ok(org.id, JSON.stringify(org));
  for (const [username, password, role] of [['crec', 'recorder-crash-1', 'recorder'], ['cclerk', 'clerk-crash-1', 'clerk']]) {
    const r = await root.post('/api/v1/users', { username, password, roles: [role], org_id: org.id });
    assert.equal(r.status, 201, r.text);
  }
  rec = new Client(srv.url);
  await rec.login('crec', 'recorder-crash-1');
  clerk = new Client(srv.url);
  await clerk.login('cclerk', 'clerk-crash-1');
  clients = [root, rec, clerk];
  store = (await root.post('/api/v1/stores', { org_id: org.id, name: '公平爱心超市' })).json;
  goods = (await clerk.post(`/api/v1/stores/${store.id}/goods`, { name: '香皂', price: PRICE })).json;
  assert.equal((await clerk.post(`/api/v1/goods/${goods.id}/stock`, { delta: 1000, reason: '入库' })).status, 200);
  // one past activity per round, each on a day of its own (daily limit)
  for (let i = 0; i < 40; i++) {
    const start = Date.now() - (30 + i) * D;
    const a = await rec.post('/api/v1/activities', { name: `断电演练${i}`, org_id: org.id, starts_at: iso(start),
      ends_at: iso(start + 4 * H), place: '公平社区', content: '服务' });
    assert.equal(a.status, 201, a.text);
    activities.push(a.json);
  }
  const project = (await rec.post('/api/v1/projects', { title: '断电演练招募', org_id: org.id, domain: 'social_assistance',
    category: '助老', description: '重启测试', place: '公平社区' })).json;
  assert.equal((await rec.post(`/api/v1/projects/${project.id}/publish`)).status, 200);
  // few places and many shifts, so that sign-ups fill them across the kills
  for (let i = 0; i < SHIFTS; i++) {
    const t0 = Date.now() + (5 + i) * D;
    const s = await rec.post(`/api/v1/projects/${project.id}/shifts`, { starts_at: iso(t0), ends_at: iso(t0 + 2 * H),
      place: '公平社区食堂', capacity: CAPACITY, waitlist: WAITLIST });
    assert.equal(s.status, 201, s.text);
    shifts.push(s.json);
  }
});
after(async () => { await srv?.stop(); });

/**
 * One round of a worker: a new volunteer (two sign up on the public form,
 * the others are registered by staff), a grant of
 * points, a service record entered and approved, a voucher bought and
 * redeemed, a sign-up to a shift (every fourth cancelled again). Returns
 * what was acknowledged.
 */
async function round(w, i) {
  const tag = `w${w}r${i}`;
  const seq = w * 10000 + i;   // a worker's people: born on a day of its own
  const idNumber = residentId('510115', `1990030${w + 1}`, i % 1000);
  const phone = '135' + String(70000000 + seq).slice(-8);
  const body = { name: `断电${w}号${i}`, id_type: 'resident_id', id_number: idNumber, phone, region_code: '510115007001',
    org_id: org.id, consent: { sensitive: true, notice_version: '2026-11' } };
  // two sign up themselves: hashing their password is slow enough that a
  // kill often catches it, and every try counts against the address's
  // registration throttle (10), so two plus one retry per kill stay below
  const self = (w === 0 && i === 0) || (w === 1 && i === 3);
  const anon = new Client(srv.url);
  if (self) clients.push(anon);
  let { r, retried } = self
    ? await send(anon, 'POST', '/api/v1/public/volunteers', { ...body, password: 'crash-pass-' + seq })
    : await send(rec, 'POST', '/api/v1/volunteers', body);
  let vol;
  if (r.status === 409 && retried) {
    // the first try was written before the kill: find it, never twice
    // (self-registration checks the login's phone before the ID number)
    assert.ok(r.json.error.code === 'volunteer_exists' || (self && r.json.error.code === 'phone_taken'),
      `${tag} registration retry: ${r.text}`);
    counts.foundDone++;
    const found = (await root.get(`/api/v1/volunteers?id_number=${idNumber}`)).json.items;
    assert.equal(found.length, 1, `${tag}: ${JSON.stringify(found)}`);
    vol = found[0];
  } else {
    assert.equal(r.status, 201, `${tag} registration: ${r.text}`);
    vol = self ? r.json.volunteer : r.json;
  }
  const done = { tag, vol, idNumber };

  ({ r } = await send(root, 'POST', '/api/v1/points/adjustments', { volunteer_id: vol.id, amount: GRANT, reason: '奖励' },
    `grant-${tag}`));
  assert.ok(r.status === 201 || r.status === 200, `${tag} grant: ${r.text}`);
  done.grant = r.json;

  const act = activities[(w * 10 + i) % activities.length];
  ({ r } = await send(rec, 'POST', '/api/v1/records', { activity_id: act.id, volunteer_id: vol.id, minutes: 120,
    quality: 'good', late_reason: '补录' }, `record-${tag}`));
  assert.ok(r.status === 201 || r.status === 200, `${tag} record: ${r.text}`);
  done.record = r.json.id;
  done.activity = act.id;
  ({ r, retried } = await send(root, 'POST', `/api/v1/records/${done.record}/approve`));
  if (r.status === 409 && retried && r.json.error.code === 'already_decided') counts.foundDone++;
  else assert.equal(r.status, 200, `${tag} approve: ${r.text}`);

  ({ r } = await send(root, 'POST', '/api/v1/vouchers', { volunteer_id: vol.id, value: VOUCHER }, `voucher-${tag}`));
  assert.ok(r.status === 201 || r.status === 200, `${tag} voucher: ${r.text}`);
  done.voucher = r.json.code;
  const quantity = 1 + ((w + i) % 4);
  ({ r } = await send(clerk, 'POST', `/api/v1/vouchers/${done.voucher}/redeem`,
    { store_id: store.id, items: [{ goods_id: goods.id, quantity }] }, `redeem-${tag}`));
  assert.equal(r.status, 200, `${tag} redeem: ${r.text}`);
  done.spent = quantity * PRICE;

  const shift = shifts[Math.floor(i / 3) % SHIFTS];
  ({ r, retried } = await send(rec, 'POST', `/api/v1/shifts/${shift.id}/signups`, { volunteer_id: vol.id }));
  if (r.status === 409) {
    assert.equal(r.json.error.code, 'shift_full', `${tag} sign-up: ${r.text}`);
    counts.refusals++;
  } else {
    assert.ok(r.status === 201 || r.status === 200, `${tag} sign-up: ${r.text}`);
    done.signup = { shift: shift.id, id: r.json.id, cancelled: false };
    if (retried && r.status === 200) counts.foundDone++;
    // some cancel again: the place goes to the waitlist while kills go on
    if (i % 4 === 2) {
      ({ r } = await send(rec, 'DELETE', `/api/v1/signups/${done.signup.id}`));
      assert.deepEqual([r.status, r.json.status], [200, 'cancelled'], `${tag} cancel: ${r.text}`);
      done.signup.cancelled = true;
    }
  }
  return done;
}

/** Sends acknowledged keyed writes again: each answers as the first time. */
async function replay(done) {
  for (const d of done) {
    let { r } = await send(root, 'POST', '/api/v1/points/adjustments', { volunteer_id: d.vol.id, amount: GRANT, reason: '奖励' },
      `grant-${d.tag}`);
    assert.deepEqual([r.status < 300, r.json.id], [true, d.grant.id], `${d.tag}: grant replay`);
    ({ r } = await send(rec, 'POST', '/api/v1/records', { activity_id: d.activity, volunteer_id: d.vol.id,
      minutes: 120, quality: 'good', late_reason: '补录' }, `record-${d.tag}`));
    assert.deepEqual([r.status < 300, r.json.id], [true, d.record], `${d.tag}: record replay ${r.text}`);
    ({ r } = await send(root, 'POST', '/api/v1/vouchers', { volunteer_id: d.vol.id, value: VOUCHER }, `voucher-${d.tag}`));
    assert.deepEqual([r.status < 300, r.json.code], [true, d.voucher], `${d.tag}: voucher replay`);
    const q = d.spent / PRICE;
    ({ r } = await send(clerk, 'POST', `/api/v1/vouchers/${d.voucher}/redeem`,
      { store_id: store.id, items: [{ goods_id: goods.id, quantity: q }] }, `redeem-${d.tag}`));
    assert.deepEqual([r.status, r.json.status], [200, 'redeemed'], `${d.tag}: redeem replay ${r.text}`);
    counts.replays += 4;
  }
}

test(`SIGKILL under write load, ${KILLS} times: every acknowledged write stays, once (seed ${SEED})`, async () => {
  const rand = rng(SEED);
  const done = [];
  let stopping = false;
  const workers = Array.from({ length: WORKERS }, async (_, w) => {
    for (let i = 0; !stopping && i < 1000; i++) done.push(await round(w, i));
  });
  const failed = Promise.all(workers).then(() => null, (e) => e);   // a worker's assertion ends the test

  for (let k = 0; k < KILLS; k++) {
    // kill when the load has moved on (three more rounds; a busy machine
    // is slower, not less tested), then at a random moment of a round
    while (done.length < 3 * (k + 1)) {
      const early = await Promise.race([sleep(20).then(() => null), failed]);
      if (early) throw early;
    }
    const early = await Promise.race([sleep(Math.floor(rand() * 250)).then(() => null), failed]);
    if (early) throw early;
    let reopen;
    up = new Promise((res) => { reopen = res; });
    const st = await srv.kill();
    assert.equal(st.signal, 'SIGKILL', `kill ${k + 1}: ${JSON.stringify(st)} ${srv.stderr().slice(-2000)}`);
    counts.kills++;
    // the database as the kill left it is whole
    for (const cmd of ['verify', 'check-ledger']) {
      const c = cli(cmd);
      assert.equal(c.status, 0, `${cmd} after kill ${k + 1}: ${c.stdout}${c.stderr}`);
    }
    const t0 = Date.now();
    await srv.restart();
    if (process.env.CRASH_DEBUG) console.log(`kill ${k + 1}: ${done.length} rounds, restart ${Date.now() - t0} ms`);
    for (const c of clients) c.base = srv.url;
    reopen();
    await replay(done.slice(-3));
  }
  stopping = true;
  const e = await failed;
  if (e) throw e;
  for (const c of clients) c.base = srv.url;
  await replay(done);

  // every acknowledged write is there, exactly once
  assert.ok(done.length >= 3 * KILLS, `only ${done.length} rounds finished`);
  let stockOut = 0;
  for (const d of done) {
    assert.equal((await root.get(`/api/v1/volunteers/${d.vol.id}`)).status, 200, d.tag);
    assert.equal((await root.get(`/api/v1/volunteers?id_number=${d.idNumber}`)).json.items.length, 1, `${d.tag}: one volunteer`);
    const recs = (await root.get(`/api/v1/records?volunteer_id=${d.vol.id}`)).json.items;
    assert.deepEqual(recs.map((x) => [x.id, x.status]), [[d.record, 'approved']], `${d.tag}: one approved record`);
    const vouchers = (await root.get(`/api/v1/vouchers?volunteer_id=${d.vol.id}`)).json.items;
    assert.deepEqual(vouchers.map((x) => [x.code, x.status]), [[d.voucher, 'redeemed']], `${d.tag}: one redeemed voucher`);
    const moves = (await root.get(`/api/v1/points/movements?volunteer_id=${d.vol.id}&limit=200`)).json.items;
    const causes = moves.map((m) => m.cause).sort();
    const want = ['adjust', 'earn', 'redeem', 'voucher'];
    if (d.spent < VOUCHER) want.push('refund');
    assert.deepEqual(causes, want.sort(), `${d.tag}: movements`);
    const earn = moves.find((m) => m.cause === 'earn');
    assert.equal(earn.record_id, d.record, `${d.tag}: earned for its record`);
    const b = (await root.get(`/api/v1/volunteers/${d.vol.id}/points`)).json;
    assert.equal(b.balance, GRANT + earn.amount - d.spent, `${d.tag}: balance`);
    stockOut += d.spent / PRICE;
  }
  const stock = (await clerk.get(`/api/v1/stores/${store.id}/goods`)).json.items.find((g) => g.id === goods.id).stock;
  assert.equal(stock, 1000 - stockOut, 'stock went out once per redemption');

  // sign-ups: each acknowledged one is there, no shift over its places
  const mine = new Set(done.map((d) => d.vol.id));
  for (const s of shifts) {
    const shown = (await root.get(`/api/v1/shifts/${s.id}`)).json;
    const all = (await root.get(`/api/v1/shifts/${s.id}/signups`)).json.items;
    const list = all.filter((g) => g.status !== 'cancelled');
    const confirmed = list.filter((g) => g.status === 'confirmed').length;
    const waiting = list.filter((g) => g.status === 'waitlisted').length;
    assert.ok(confirmed <= CAPACITY && waiting <= WAITLIST, `shift ${s.id}: ${confirmed} confirmed, ${waiting} waiting`);
    assert.deepEqual([shown.confirmed, shown.waitlisted], [confirmed, waiting], `shift ${s.id}: counts`);
    const ids = list.map((g) => g.volunteer_id);
    assert.equal(new Set(ids).size, ids.length, `shift ${s.id}: nobody twice`);
    assert.ok(ids.every((id) => mine.has(id)));
    for (const d of done.filter((x) => x.signup?.shift === s.id)) {
      const g = all.find((x) => x.id === d.signup.id);
      assert.equal(g?.volunteer_id, d.vol.id, `${d.tag}: sign-up kept`);
      assert.equal(g.status === 'cancelled', d.signup.cancelled, `${d.tag}: cancellation kept`);
    }
    // a refused sign-up left nothing behind
    for (const d of done.filter((x) => !x.signup))
      assert.ok(!all.some((g) => g.volunteer_id === d.vol.id), `${d.tag}: refused, yet on shift ${s.id}`);
  }
  for (const cmd of ['verify', 'check-ledger']) {
    const c = cli(cmd);
    assert.equal(c.status, 0, `${cmd}: ${c.stdout}${c.stderr}`);
  }
  assert.equal(counts.kills, KILLS);
  assert.ok(counts.retries > 0, 'no request died with the server: the kills missed the load');
  console.log(`count: crash-loop ${srv.backend}: ${counts.acknowledged} writes acknowledged, ${counts.kills} kills, ` +
    `${counts.retries} retries (${counts.foundDone} found their write done), ${counts.replays} replays, ${done.length} rounds, ` +
    `${counts.refusals} full shifts`);
});
