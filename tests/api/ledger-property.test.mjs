// A property of the points ledger: after any sequence of approvals,
// corrections, grants, deductions, vouchers, redemptions and cancellations
// (random, from a fixed seed so a failure can be replayed), the balances
// sum to zero (`zhiyuan check-ledger`), every volunteer's balance equals
// their movements and is never negative, and what they earned equals the
// earn and reverse movements plus their shortfall.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';
import { rng } from '../lib/rng.mjs';

const SEED = Number(process.env.LEDGER_SEED || 20261128);
const STEPS = Number(process.env.LEDGER_STEPS || 160);
let srv, root, rec, clerk, st, store, goods, vols = [];
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');
const H = 3600 * 1000, D = 24 * H;

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  st = (await root.post('/api/v1/organizations', { name: '金马街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115005000' })).json;
  await root.post('/api/v1/users', { username: 'lrec', password: 'recorder-key-1', roles: ['recorder'], org_id: st.id });
  await root.post('/api/v1/users', { username: 'lclerk', password: 'clerk-one-1', roles: ['clerk'], org_id: st.id });
  rec = new Client(srv.url);
  await rec.login('lrec', 'recorder-key-1');
  clerk = new Client(srv.url);
  await clerk.login('lclerk', 'clerk-one-1');
  store = (await root.post('/api/v1/stores', { org_id: st.id, name: '金马爱心超市' })).json;
  goods = (await clerk.post(`/api/v1/stores/${store.id}/goods`, { name: '毛巾', price: 7 })).json;
  await clerk.post(`/api/v1/goods/${goods.id}/stock`, { delta: 10000, reason: '入库' });
  for (let i = 0; i < 4; i++) {
    vols.push((await root.post('/api/v1/volunteers', { name: '账本' + i, id_type: 'resident_id',
      id_number: residentId('510115', '19880808', 81 + i * 2), phone: '1360000000' + i, region_code: '510115005000',
      org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' } })).json);
  }
});
after(async () => { await srv?.stop(); });

test(`random sequences keep the ledger whole (seed ${SEED}, ${STEPS} steps)`, async () => {
  const rand = rng(SEED);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const approvedRecords = [];   // [recordId, volunteer]
  const vouchers = [];          // codes that may still be issued
  let day = 400, n = 0;
  const tally = {};
  for (let step = 0; step < STEPS; step++) {
    const v = pick(vols);
    const action = pick(['approve', 'approve', 'approve', 'amend', 'grant', 'deduct', 'voucher', 'voucher', 'redeem', 'cancel']);
    let r;
    if (action === 'approve') {
      day -= 1;
      n++;
      const a = (await rec.post('/api/v1/activities', { name: `账本活动${n}`, org_id: st.id, starts_at: iso(day * D),
        ends_at: iso(day * D - 10 * H), place: '社区', content: '服务' })).json;
      const minutes = 30 * (1 + Math.floor(rand() * 20));
      const quality = pick(['excellent', 'good', 'pass', 'fail']);
      r = await rec.post('/api/v1/records', { activity_id: a.id, volunteer_id: v.id, minutes, quality, late_reason: '补录' });
      assert.equal(r.status, 201, r.text);
      const id = r.json.id;
      r = await root.post(`/api/v1/records/${id}/approve`);
      approvedRecords.push([id, v]);
    } else if (action === 'amend' && approvedRecords.length) {
      const [id] = pick(approvedRecords);
      r = await rec.post(`/api/v1/records/${id}/amendments`, { minutes: 30 * Math.floor(rand() * 20), reason: '更正' });
      if (r.status === 201) r = await root.post(`/api/v1/records/${r.json.id}/approve`);
    } else if (action === 'grant') {
      r = await root.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount: 1 + Math.floor(rand() * 60), reason: '奖励' });
    } else if (action === 'deduct') {
      r = await root.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount: -(1 + Math.floor(rand() * 40)), reason: '扣减' });
    } else if (action === 'voucher') {
      r = await root.post('/api/v1/vouchers', { volunteer_id: v.id, value: 30 * (1 + Math.floor(rand() * 2)) });
      if (r.status === 201) vouchers.push(r.json.code);
    } else if (action === 'redeem' && vouchers.length) {
      r = await clerk.post(`/api/v1/vouchers/${pick(vouchers)}/redeem`, { store_id: store.id,
        items: [{ goods_id: goods.id, quantity: 1 + Math.floor(rand() * 8) }] });
    } else if (action === 'cancel' && vouchers.length) {
      r = await root.post(`/api/v1/vouchers/${pick(vouchers)}/cancel`);
    }
    if (r) {
      assert.ok(r.status < 500, `${action}: ${r.status} ${r.text}`);
      tally[`${action} ${r.status}`] = (tally[`${action} ${r.status}`] || 0) + 1;
    }
  }
  if (process.env.LEDGER_VERBOSE) console.log(tally);
  // every refusal was a rule, never a failure; and every kind of step ran
  for (const a of ['approve', 'grant', 'voucher', 'redeem']) assert.ok(Object.keys(tally).some((k) => k.startsWith(a)), a);

  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  const check = spawnSync(bin, ['check-ledger', '--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key'), '--log-level', 'error'],
    { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  for (const v of vols) {
    const b = (await root.get(`/api/v1/volunteers/${v.id}/points`)).json;
    const moves = [];
    for (let cursor = ''; ;) {
      const page = (await root.get(`/api/v1/points/movements?volunteer_id=${v.id}&limit=200` + (cursor ? '&cursor=' + cursor : ''))).json;
      moves.push(...page.items);
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    const mine = (side) => side.kind === 'volunteer' && side.owner_id === v.id;
    const sum = moves.reduce((s, m) => s + (mine(m.to) ? m.amount : 0) - (mine(m.from) ? m.amount : 0), 0);
    assert.equal(b.balance, sum, `volunteer ${v.id}: balance equals movements`);
    assert.ok(b.balance >= 0);
    const earned = moves.reduce((s, m) => s + (m.cause === 'earn' ? m.amount : m.cause === 'reverse' ? -m.amount : 0), 0);
    assert.equal(b.earned, earned + b.shortfall, `volunteer ${v.id}: earned = earn − reverse + shortfall`);
  }
});
