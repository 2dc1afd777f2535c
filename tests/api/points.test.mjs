// The points bank: points earned once when records are approved, under
// each organisation's inherited rules and caps; corrections that take
// points back (and record what was already spent); admins' grants and
// deductions; and `zhiyuan check-ledger`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

let srv, root, rootOrg, assoc, st, team, rec, other, vols = [];
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');
const H = 3600 * 1000, D = 24 * H;
let n = 0;

async function activity(startAgo, hours, extra = {}) {
  n++;
  const r = await rec.post('/api/v1/activities', { name: `积分活动${n}`, org_id: st.id, starts_at: iso(startAgo),
    ends_at: iso(startAgo - hours * H), place: '光华社区', content: '陪伴老人', ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** Enters and approves a record; returns it. */
async function approved(a, v, minutes, quality = 'good') {
  const r = await rec.post('/api/v1/records', { activity_id: a.id, volunteer_id: v.id, minutes, quality, late_reason: '补录' });
  assert.equal(r.status, 201, r.text);
  const ok = await root.post(`/api/v1/records/${r.json.id}/approve`);
  assert.equal(ok.status, 200, ok.text);
  return r.json;
}

const balance = async (v) => {
  const { voucher_points: unit, ...rest } = (await root.get(`/api/v1/volunteers/${v.id}/points`)).json;
  assert.equal(unit, 30, 'a voucher unit of 30 points unless configured');
  return rest;
};

function checkLedger() {
  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  return spawnSync(bin, ['check-ledger', '--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key'), '--log-level', 'error'],
    { encoding: 'utf8' });
}

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  assoc = (await root.post('/api/v1/organizations', { name: '万春镇志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115002000' })).json;
  st = (await root.post('/api/v1/organizations', { name: '天乡社区工作站', kind: 'station', parent_id: assoc.id, region_code: '510115002001' })).json;
  team = (await root.post('/api/v1/organizations', { name: '天乡社区志愿服务队', kind: 'team', parent_id: st.id, region_code: '510115002001' })).json;
  const st2 = (await root.post('/api/v1/organizations', { name: '红桥社区工作站', kind: 'station', parent_id: assoc.id, region_code: '510115002002' })).json;
  await root.post('/api/v1/users', { username: 'prec', password: 'recorder-key-1', roles: ['recorder'], org_id: st.id });
  await root.post('/api/v1/users', { username: 'padmin2', password: 'admin-two-2', roles: ['admin'], org_id: st2.id });
  rec = new Client(srv.url);
  await rec.login('prec', 'recorder-key-1');
  other = new Client(srv.url);
  await other.login('padmin2', 'admin-two-2');
  for (let i = 0; i < 3; i++) {
    const v = await root.post('/api/v1/volunteers', { name: '积分' + i, id_type: 'resident_id', id_number: residentId('510115', '19900101', 31 + i * 2),
      phone: '1370000000' + i, region_code: '510115002001', org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' } });
    assert.equal(v.status, 201, v.text);
    vols.push(v.json);
  }
});
after(async () => { await srv?.stop(); });

test('approval earns points once, one point per hour by default', async () => {
  const v = vols[0];
  assert.deepEqual(await balance(v), { volunteer_id: v.id, balance: 0, earned: 0, shortfall: 0 });
  const a = await activity(3 * D, 3);
  const r = await approved(a, v, 150);   // 2.5 hours: rounded half to even
  assert.equal((await root.post(`/api/v1/records/${r.id}/approve`)).status, 409, 'decided once');
  assert.deepEqual(await balance(v), { volunteer_id: v.id, balance: 2, earned: 2, shortfall: 0 });
  const b = await activity(4 * D, 4);
  await approved(b, v, 210);             // 3.5 hours → 4
  assert.equal((await balance(v)).balance, 6);
  const m = (await root.get(`/api/v1/points/movements?volunteer_id=${v.id}`)).json.items;
  assert.equal(m.length, 2);
  assert.deepEqual([m[0].cause, m[0].amount, m[0].from.kind, m[0].from.owner_id, m[0].to.kind, m[0].to.owner_id],
    ['earn', 4, 'pool', st.id, 'volunteer', v.id]);
  // a failed service earns nothing by default; a rejected one nothing at all
  const c = await activity(5 * D, 2);
  await approved(c, v, 60, 'fail');
  const d = await activity(6 * D, 2);
  const rej = await rec.post('/api/v1/records', { activity_id: d.id, volunteer_id: v.id, minutes: 60, quality: 'good', late_reason: '补录' });
  await root.post(`/api/v1/records/${rej.json.id}/reject`, { reason: '无签到' });
  assert.equal((await balance(v)).balance, 6);
  assert.match(checkLedger().stdout, /ledger balanced: 2 movements, 2 accounts/);
});

test('rules: set on an organisation, inherited below it, with coefficients, multipliers and caps', async () => {
  let r = await root.get(`/api/v1/organizations/${team.id}/point-rules`);
  assert.deepEqual([r.json.inherited_from, r.json.points_per_hour, r.json.quality_multipliers.fail], [null, 1, 0]);
  r = await root.request('PUT', `/api/v1/organizations/${st.id}/point-rules`, { points_per_hour: 1.5,
    category_coefficients: { 扶老助残: 2 }, quality_multipliers: { excellent: 1.2 }, cap_per_day: 5 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.points_per_hour, r.json.category_coefficients.扶老助残, r.json.quality_multipliers.excellent, r.json.cap_per_day],
    [1.5, 2, 1.2, 5]);
  r = await root.get(`/api/v1/organizations/${team.id}/point-rules`);
  assert.deepEqual([r.json.inherited_from, r.json.points_per_hour], [st.id, 1.5]);
  assert.equal((await root.get(`/api/v1/organizations/${assoc.id}/point-rules`)).json.inherited_from, null);
  const bad = [
    [{ points_per_hour: -1 }, 422, 'points_per_hour'],
    [{ points_per_hour: 'x' }, 400, 'points_per_hour'],
    [{ points_per_hour: 1.2345 }, 422, 'points_per_hour'],
    [{ points_per_hour: 5000 }, 422, 'points_per_hour'],
    [{ quality_multipliers: { great: 1 } }, 422, 'quality_multipliers'],
    [{ quality_multipliers: [1] }, 400, 'quality_multipliers'],
    [{ category_coefficients: { 扶老助残: -2 } }, 422, 'category_coefficients'],
    [{ cap_per_day: 0 }, 422, 'cap_per_day'],
    [{ cap_per_year: '3' }, 400, 'cap_per_year'],
  ];
  for (const [body, status, field] of bad) {
    r = await root.request('PUT', `/api/v1/organizations/${st.id}/point-rules`, body);
    assert.deepEqual([r.status, r.json.error.field], [status, field], JSON.stringify(body));
  }
  assert.equal((await root.get(`/api/v1/organizations/${st.id}/point-rules`)).json.points_per_hour, 1.5, 'nothing changed');
  assert.equal((await rec.request('PUT', `/api/v1/organizations/${st.id}/point-rules`, { points_per_hour: 2 })).status, 403);
  assert.equal((await other.request('PUT', `/api/v1/organizations/${st.id}/point-rules`, { points_per_hour: 2 })).status, 403);
  assert.equal((await root.request('PUT', '/api/v1/organizations/999999/point-rules', {})).status, 404);

  // 2 h × 1.5 × 2 (category) × 1.2 (excellent) = 7.2 → 7, capped at 5 a day
  // the cap counts a China day: both activities on the day of a week ago,
  // at 09:00 and 13:00 China time
  const v = vols[1];
  const day = Math.floor((Date.now() - 7 * D + 8 * H) / D) * D - 8 * H;
  const a = await activity(Date.now() - (day + 9 * H), 3, { service_category: '扶老助残' });
  await approved(a, v, 120, 'excellent');
  assert.equal((await balance(v)).balance, 5);
  const b = await activity(Date.now() - (day + 13 * H), 2, { service_category: '扶老助残' });   // the same day: cap reached
  await approved(b, v, 60, 'good');
  assert.equal((await balance(v)).balance, 5);
  const c = await activity(8 * D, 2);   // another day, no coefficient: 1 h × 1.5 = 1.5 → 2
  await approved(c, v, 60);
  assert.equal((await balance(v)).balance, 7);
  // dropping the station's own rules: it inherits again (the defaults here)
  assert.equal((await rec.request('DELETE', `/api/v1/organizations/${st.id}/point-rules`)).status, 403);
  r = await root.request('DELETE', `/api/v1/organizations/${st.id}/point-rules`);
  assert.deepEqual([r.status, r.json.inherited_from, r.json.points_per_hour], [200, null, 1]);
  assert.equal((await root.get(`/api/v1/organizations/${team.id}/point-rules`)).json.inherited_from, null);
});

test('corrections take points back, and what was spent is a shortfall', async () => {
  const v = vols[2];
  const a = await activity(9 * D, 4);
  const r = await approved(a, v, 240);
  assert.equal((await balance(v)).balance, 4);
  let am = await rec.post(`/api/v1/records/${r.id}/amendments`, { minutes: 120, reason: '时长登记有误' });
  await root.post(`/api/v1/records/${am.json.id}/approve`);
  assert.deepEqual(await balance(v), { volunteer_id: v.id, balance: 2, earned: 2, shortfall: 0 });
  // spend one point, then void the record: one point is owed
  assert.equal((await root.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount: -1, reason: '兑换测试' })).status, 201);
  am = await rec.post(`/api/v1/records/${r.id}/amendments`, { minutes: 0, reason: '投诉核实后作废' });
  await root.post(`/api/v1/records/${am.json.id}/approve`);
  assert.deepEqual(await balance(v), { volunteer_id: v.id, balance: 0, earned: 0, shortfall: 1 });
  const m = (await root.get(`/api/v1/points/movements?volunteer_id=${v.id}`)).json.items;
  assert.deepEqual(m.map((x) => [x.cause, x.amount]), [['reverse', 1], ['adjust', 1], ['reverse', 2], ['earn', 4]]);
  assert.equal(checkLedger().status, 0);
});

test('adjustments: admins of the scope, with a reason, never below zero, retried safely', async () => {
  const v = vols[0];
  const before = (await balance(v)).balance;
  let r = await root.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount: 10, reason: '优秀志愿者奖励' }, { 'Idempotency-Key': 'grant-1' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.cause, r.json.amount, r.json.from.kind, r.json.to.kind, r.json.reason], ['adjust', 10, 'adjustment', 'volunteer', '优秀志愿者奖励']);
  const again = await root.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount: 10, reason: '优秀志愿者奖励' }, { 'Idempotency-Key': 'grant-1' });
  assert.deepEqual([again.status, again.json.id], [201, r.json.id], 'a retry returns the first movement');
  assert.equal((await balance(v)).balance, before + 10);
  const bad = [
    [{ volunteer_id: v.id, amount: -(before + 11), reason: '扣减' }, 409, 'insufficient_points', 'amount'],
    [{ volunteer_id: v.id, amount: 0, reason: 'x' }, 422, 'invalid_value', 'amount'],
    [{ volunteer_id: v.id, amount: 100001, reason: 'x' }, 422, 'invalid_value', 'amount'],
    [{ volunteer_id: v.id, amount: '5', reason: 'x' }, 400, 'wrong_type', 'amount'],
    [{ volunteer_id: v.id, reason: 'x' }, 422, 'required', 'amount'],
    [{ volunteer_id: v.id, amount: 5 }, 422, 'required', 'reason'],
    [{ volunteer_id: 999999, amount: 5, reason: 'x' }, 422, 'volunteer_not_found', 'volunteer_id'],
    [{ volunteer_id: 'x', amount: 5, reason: 'x' }, 400, 'wrong_type', 'volunteer_id'],
  ];
  for (const [body, status, code, field] of bad) {
    r = await root.post('/api/v1/points/adjustments', body);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [status, code, field], JSON.stringify(body));
  }
  assert.equal((await balance(v)).balance, before + 10, 'nothing moved');
  assert.equal((await rec.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount: 1, reason: 'x' })).status, 403);
  assert.equal((await other.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount: 1, reason: 'x' })).status, 403);
  const audit = (await root.get('/api/v1/audit-log')).json.items;
  assert.ok(audit.some((x) => x.action === 'points.adjust'), 'audited');
});

test('who may read points and movements', async () => {
  const v = vols[0];
  assert.equal((await other.get(`/api/v1/volunteers/${v.id}/points`)).status, 403);
  assert.equal((await other.get(`/api/v1/points/movements?volunteer_id=${v.id}`)).status, 403);
  assert.equal((await root.get('/api/v1/volunteers/999999/points')).status, 404);
  assert.equal((await root.get('/api/v1/points/movements?volunteer_id=abc')).status, 400);
  assert.equal((await root.get('/api/v1/points/movements?cursor=zz')).status, 400);
  const all = (await root.get('/api/v1/points/movements?limit=2')).json;
  assert.equal(all.items.length, 2);
  const next = (await root.get(`/api/v1/points/movements?limit=2&cursor=${all.next_cursor}`)).json;
  assert.ok(next.items[0].id < all.items[1].id, 'newest first, page by page');
  assert.equal((await other.get('/api/v1/points/movements')).json.items.length, 0, 'nothing in the other scope');
  assert.equal((await rec.get('/api/v1/points/movements')).status, 403);
});

test('expiry: earned points expire oldest first, and cancelling a voucher cannot renew them', async () => {
  const v = (await root.post('/api/v1/volunteers', { name: '过期', id_type: 'resident_id', id_number: residentId('510115', '19900101', 41),
    phone: '13700000009', region_code: '510115002001', org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' } })).json;
  for (const [body, status] of [[{ expiry_days: 0 }, 422], [{ expiry_days: 4000 }, 422], [{ expiry_days: 'x' }, 400]]) {
    assert.equal((await root.request('PUT', `/api/v1/organizations/${st.id}/point-rules`, body)).status, status, JSON.stringify(body));
  }
  let r = await root.request('PUT', `/api/v1/organizations/${st.id}/point-rules`, { expiry_days: 30 });
  assert.deepEqual([r.status, r.json.expiry_days], [200, 30]);
  await approved(await activity(11 * D, 3), v, 120);                        // 2 points, expiring in 30 days
  await root.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount: 30, reason: '奖励' });   // never expire
  const voucher = (await root.post('/api/v1/vouchers', { volunteer_id: v.id, value: 30 })).json;   // takes the 2 first
  assert.equal((await balance(v)).balance, 2);
  const later = new Date(Date.now() + 8 * H + 31 * D).toISOString().slice(0, 10);
  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  const expire = (asOf) => spawnSync(bin, ['expire-points', '--as-of', asOf, '--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key'),
    '--log-level', 'error'], { encoding: 'utf8' });
  assert.match(expire(later).stdout, /: 0 movements/, 'what is left never expires');
  assert.equal((await balance(v)).balance, 2);
  // the cancelled voucher's points go back where they came from: 2 of
  // them to the expiring lot, which then expires
  assert.equal((await root.post(`/api/v1/vouchers/${voucher.code}/cancel`)).status, 200);
  assert.equal((await balance(v)).balance, 32);
  assert.match(expire(later).stdout, /: 1 movements/);
  assert.equal((await balance(v)).balance, 30);
  const m = (await root.get(`/api/v1/points/movements?volunteer_id=${v.id}`)).json.items[0];
  assert.deepEqual([m.cause, m.amount, m.from.kind, m.to.kind, m.to.owner_id], ['expire', 2, 'volunteer', 'pool', st.id]);
  assert.equal(expire('2026-02-30').status, 2);
  assert.equal(checkLedger().status, 0);
  await root.request('DELETE', `/api/v1/organizations/${st.id}/point-rules`);
});

test('check-ledger finds a balance that does not match its movements', () => {
  assert.match(checkLedger().stdout, /^ledger balanced: \d+ movements, \d+ accounts, balances sum to 0/);
  const edit = "UPDATE point_accounts SET balance = balance + 3 WHERE kind = 'volunteer'";
  if (srv.backend === 'sqlite') execFileSync('sqlite3', [srv.db.replace(/^sqlite:/, ''), edit]);
  else execFileSync('psql', [srv.db, '-qc', edit]);
  const r = checkLedger();
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^LEDGER WRONG: \d+ problems .* first: account \d+ \(volunteer \d+\): balance \d+, movements say \d+/);
});
