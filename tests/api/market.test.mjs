// Love supermarkets: stores, goods and stock; vouchers bought with points,
// redeemed at the counter (the remainder goes back), cancelled (refunded);
// fifty requests at once never overspend one balance or redeem one voucher
// twice; the ledger stays balanced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, repoRoot, chinaNoon } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

let srv, root, st, st2, clerk, other, store, store2, rice, oil, vol, vol2;

const balance = async (v) => (await root.get(`/api/v1/volunteers/${v.id}/points`)).json.balance;
const grant = (v, amount) => root.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount, reason: '测试积分' });

function checkLedger() {
  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  return spawnSync(bin, ['check-ledger', '--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key'), '--log-level', 'error'],
    { encoding: 'utf8' });
}

before(async () => {
  // the server's clock reads noon China time: no day ends during the run,
  // so 'the day of a store reconciled' counts this run's sales whenever it runs
  srv = await startServer({ clockAt: chinaNoon() });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const a = (await root.post('/api/v1/organizations', { name: '寿安镇志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115004000' })).json;
  st = (await root.post('/api/v1/organizations', { name: '岷江社区工作站', kind: 'station', parent_id: a.id, region_code: '510115004001' })).json;
  st2 = (await root.post('/api/v1/organizations', { name: '天府社区工作站', kind: 'station', parent_id: a.id, region_code: '510115004002' })).json;
  await root.post('/api/v1/users', { username: 'clerk1', password: 'clerk-one-1', roles: ['clerk'], org_id: st.id });
  await root.post('/api/v1/users', { username: 'madmin2', password: 'admin-two-2', roles: ['admin'], org_id: st2.id });
  clerk = new Client(srv.url);
  await clerk.login('clerk1', 'clerk-one-1');
  other = new Client(srv.url);
  await other.login('madmin2', 'admin-two-2');
  const mk = async (i) => (await root.post('/api/v1/volunteers', { name: '超市' + i, id_type: 'resident_id',
    id_number: residentId('510115', '19920202', 71 + i * 2), phone: '1390000000' + i, region_code: '510115004001',
    org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' } })).json;
  vol = await mk(0);
  vol2 = await mk(1);
});
after(async () => { await srv?.stop(); });

test('stores and goods: opened by admins, stocked by clerks, stock never below zero', async () => {
  let r = await root.post('/api/v1/stores', { org_id: st.id, name: '岷江爱心超市', address: '岷江社区服务中心' });
  assert.equal(r.status, 201, r.text);
  store = r.json;
  store2 = (await root.post('/api/v1/stores', { org_id: st2.id, name: '天府爱心超市' })).json;
  for (const [body, status, field] of [[{ org_id: st.id }, 422, 'name'], [{ name: 'x' }, 422, 'org_id'],
    [{ org_id: 999999, name: 'x' }, 422, 'org_id'], [{ org_id: 'x', name: 'x' }, 400, 'org_id']]) {
    r = await root.post('/api/v1/stores', body);
    assert.deepEqual([r.status, r.json.error.field], [status, field], JSON.stringify(body));
  }
  assert.equal((await clerk.post('/api/v1/stores', { org_id: st.id, name: 'x' })).status, 403);
  assert.ok((await clerk.get('/api/v1/stores')).json.items.some((s) => s.id === store.id));

  r = await clerk.post(`/api/v1/stores/${store.id}/goods`, { name: '大米', unit: '袋', price: 10 });
  assert.equal(r.status, 201, r.text);
  rice = r.json;
  oil = (await clerk.post(`/api/v1/stores/${store.id}/goods`, { name: '食用油', price: 25 })).json;
  assert.deepEqual([rice.stock, oil.unit], [0, '件']);
  for (const [body, status, field] of [[{ name: 'x', price: 0 }, 422, 'price'], [{ name: 'x', price: '5' }, 400, 'price'], [{ price: 5 }, 422, 'name']]) {
    r = await clerk.post(`/api/v1/stores/${store.id}/goods`, body);
    assert.deepEqual([r.status, r.json.error.field], [status, field], JSON.stringify(body));
  }
  assert.equal((await clerk.post(`/api/v1/stores/${store2.id}/goods`, { name: 'x', price: 5 })).status, 403);
  assert.equal((await clerk.post('/api/v1/stores/999999/goods', { name: 'x', price: 5 })).status, 404);

  r = await clerk.post(`/api/v1/goods/${rice.id}/stock`, { delta: 20, reason: '入库' });
  assert.deepEqual([r.status, r.json.stock], [200, 20]);
  await clerk.post(`/api/v1/goods/${oil.id}/stock`, { delta: 1, reason: '入库' });
  for (const [body, status, code] of [[{ delta: -21, reason: '出库' }, 409, 'insufficient_stock'],
    [{ delta: 0, reason: 'x' }, 422, 'invalid_value'], [{ delta: 1 }, 422, 'required'], [{ delta: 'x', reason: 'x' }, 400, 'wrong_type']]) {
    r = await clerk.post(`/api/v1/goods/${rice.id}/stock`, body);
    assert.deepEqual([r.status, r.json.error.code], [status, code], JSON.stringify(body));
  }
  assert.equal((await clerk.get(`/api/v1/stores/${store.id}/goods`)).json.items.find((g) => g.id === rice.id).stock, 20);
});

test('vouchers: bought with points, redeemed at the counter, the remainder back', async () => {
  assert.equal((await grant(vol, 70)).status, 201);
  let r = await root.post('/api/v1/vouchers', { volunteer_id: vol.id, value: 30 }, { 'Idempotency-Key': 'v-1' });
  assert.equal(r.status, 201, r.text);
  const v1 = r.json;
  assert.match(v1.code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  assert.deepEqual([v1.status, v1.value, v1.items], ['issued', 30, []]);
  const again = await root.post('/api/v1/vouchers', { volunteer_id: vol.id, value: 30 }, { 'Idempotency-Key': 'v-1' });
  assert.equal(again.json.code, v1.code, 'a retry returns the first voucher');
  assert.equal(await balance(vol), 40);
  for (const [body, status, code] of [[{ volunteer_id: vol.id, value: 31 }, 422, 'voucher_value'],
    [{ volunteer_id: vol.id, value: 60 }, 409, 'insufficient_points'], [{ volunteer_id: vol.id }, 422, 'required'],
    [{ volunteer_id: vol.id, value: '30' }, 400, 'wrong_type'], [{ volunteer_id: 999999, value: 30 }, 422, 'volunteer_not_found']]) {
    r = await root.post('/api/v1/vouchers', body);
    assert.deepEqual([r.status, r.json.error.code], [status, code], JSON.stringify(body));
  }
  assert.equal((await other.post('/api/v1/vouchers', { volunteer_id: vol.id, value: 30 })).status, 403);
  assert.equal(await balance(vol), 40, 'nothing moved');

  // the clerk types the code as read out: lower case, no dashes
  const typed = v1.code.replace(/-/g, '').toLowerCase();
  r = await clerk.get(`/api/v1/vouchers/${typed}`);
  assert.deepEqual([r.status, r.json.code], [200, v1.code]);
  assert.equal((await clerk.get('/api/v1/vouchers/NOT-A-CODE')).status, 404);
  const soap = (await clerk.post(`/api/v1/stores/${store.id}/goods`, { name: '肥皂', price: 5 })).json;   // none in stock
  for (const [body, status, code] of [[{ store_id: store.id, items: [{ goods_id: rice.id, quantity: 4 }] }, 422, 'over_value'],
    [{ store_id: store.id, items: [{ goods_id: oil.id, quantity: 2 }] }, 422, 'over_value'],
    [{ store_id: store.id, items: [{ goods_id: oil.id, quantity: 1 }, { goods_id: rice.id, quantity: 0 }] }, 422, 'invalid_value'],
    [{ store_id: store.id, items: [{ goods_id: rice.id, quantity: 1 }, { goods_id: rice.id, quantity: 1 }] }, 422, 'duplicate_goods'],
    [{ store_id: store.id, items: [{ goods_id: rice.id, quantity: 1 }, { goods_id: soap.id, quantity: 1 }] }, 409, 'insufficient_stock'],
    [{ store_id: store.id, items: [] }, 422, 'invalid_value'], [{ store_id: store.id }, 422, 'required'],
    [{ store_id: store.id, items: [{ goods_id: 'x', quantity: 1 }] }, 400, 'wrong_type'],
    [{ store_id: store.id, items: [{ goods_id: 999999, quantity: 1 }] }, 422, 'goods_not_found'],
    [{ store_id: 999999, items: [{ goods_id: rice.id, quantity: 1 }] }, 422, 'store_not_found']]) {
    r = await clerk.post(`/api/v1/vouchers/${v1.code}/redeem`, body);
    assert.deepEqual([r.status, r.json.error.code], [status, code], JSON.stringify(body));
  }
  assert.equal((await other.post(`/api/v1/vouchers/${v1.code}/redeem`, { store_id: store.id, items: [{ goods_id: rice.id, quantity: 1 }] })).status, 403);
  assert.equal((await clerk.get(`/api/v1/vouchers/${v1.code}`)).json.status, 'issued', 'nothing changed');
  assert.equal((await clerk.get(`/api/v1/stores/${store.id}/goods`)).json.items.find((g) => g.id === rice.id).stock, 20);

  r = await clerk.post(`/api/v1/vouchers/${v1.code}/redeem`, { store_id: store.id, items: [{ goods_id: rice.id, quantity: 2 }] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.spent, r.json.store_id, r.json.items.map((i) => [i.name, i.quantity, i.points])],
    ['redeemed', 20, store.id, [['大米', 2, 20]]]);
  assert.equal(await balance(vol), 50, '10 points of the voucher came back');
  assert.equal((await clerk.get(`/api/v1/stores/${store.id}/goods`)).json.items.find((g) => g.id === rice.id).stock, 18);
  r = await clerk.post(`/api/v1/vouchers/${v1.code}/redeem`, { store_id: store.id, items: [{ goods_id: rice.id, quantity: 1 }] });
  assert.deepEqual([r.status, r.json.error.code], [409, 'voucher_not_issued']);

  // cancelling an unused voucher gives its points back, once
  const v2 = (await root.post('/api/v1/vouchers', { volunteer_id: vol.id, value: 30 })).json;
  assert.equal(await balance(vol), 20);
  r = await root.post(`/api/v1/vouchers/${v2.code}/cancel`);
  assert.deepEqual([r.status, r.json.status], [200, 'cancelled']);
  assert.equal(await balance(vol), 50);
  assert.equal((await root.post(`/api/v1/vouchers/${v2.code}/cancel`)).status, 409);
  const list = (await root.get(`/api/v1/vouchers?volunteer_id=${vol.id}`)).json.items;
  assert.deepEqual(list.map((x) => x.status), ['cancelled', 'redeemed']);
  assert.equal((await root.get('/api/v1/vouchers')).status, 422);
  const m = (await root.get(`/api/v1/points/movements?volunteer_id=${vol.id}`)).json.items;
  assert.deepEqual(m.slice(0, 4).map((x) => [x.cause, x.amount]), [['refund', 30], ['voucher', 30], ['refund', 10], ['redeem', 20]]);
  assert.match(checkLedger().stdout, /^ledger balanced/);
});

test('fifty requests at once never overspend a balance or redeem one voucher twice', async () => {
  await grant(vol2, 300);
  const issued = await Promise.all(Array.from({ length: 50 }, () =>
    root.post('/api/v1/vouchers', { volunteer_id: vol2.id, value: 30 })));
  const ok = issued.filter((r) => r.status === 201);
  assert.equal(ok.length, 10, 'exactly the balance');
  assert.ok(issued.every((r) => r.status === 201 || (r.status === 409 && r.json.error.code === 'insufficient_points')));
  assert.equal(await balance(vol2), 0);
  // goods of this test's own, so the stock it ends with does not hang on the tests before
  const flour = (await clerk.post(`/api/v1/stores/${store.id}/goods`, { name: '面粉', unit: '袋', price: 10 })).json;
  assert.equal((await clerk.post(`/api/v1/goods/${flour.id}/stock`, { delta: 100, reason: '入库' })).status, 200);
  const code = ok[0].json.code;
  const redeemed = await Promise.all(Array.from({ length: 50 }, () =>
    clerk.post(`/api/v1/vouchers/${code}/redeem`, { store_id: store.id, items: [{ goods_id: flour.id, quantity: 3 }] })));
  assert.equal(redeemed.filter((r) => r.status === 200).length, 1, 'one redemption wins');
  assert.ok(redeemed.every((r) => r.status === 200 || r.status === 409));
  assert.equal(await balance(vol2), 0, 'the remainder came back once');
  assert.equal((await clerk.get(`/api/v1/stores/${store.id}/goods`)).json.items.find((g) => g.id === flour.id).stock, 97);
  assert.match(checkLedger().stdout, /^ledger balanced/);
});

test('paying with points at the counter, and the day of a store reconciled', async () => {
  assert.equal((await clerk.post(`/api/v1/goods/${rice.id}/stock`, { delta: 100, reason: '入库' })).status, 200);
  const before = await balance(vol);
  // the store lets staff of the volunteer's own subtree sell on their
  // behalf (tests/api/pay.test.mjs covers pay codes and the refusals)
  assert.equal((await root.patch(`/api/v1/stores/${store.id}`, { allow_on_behalf: true })).status, 200);
  const onBehalf = (items) => ({ volunteer_id: vol.id, on_behalf: true, items });
  let r = await clerk.post(`/api/v1/stores/${store.id}/sales`, onBehalf([{ goods_id: rice.id, quantity: 2 }]),
    { 'Idempotency-Key': 'sale-1' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.points, r.json.proof, r.json.items.map((i) => [i.name, i.quantity])], [20, 'on_behalf', [['大米', 2]]]);
  const again = await clerk.post(`/api/v1/stores/${store.id}/sales`, onBehalf([{ goods_id: rice.id, quantity: 2 }]),
    { 'Idempotency-Key': 'sale-1' });
  assert.equal(again.json.id, r.json.id, 'a retry returns the first sale');
  assert.equal(await balance(vol), before - 20);
  const stockBefore = (await clerk.get(`/api/v1/stores/${store.id}/goods`)).json.items.find((g) => g.id === rice.id).stock;
  for (const [path, body, status, code] of [
    [`/api/v1/stores/${store.id}/sales`, onBehalf([{ goods_id: rice.id, quantity: 100 }]), 409, 'insufficient_points'],
    [`/api/v1/stores/${store.id}/sales`, onBehalf([]), 422, 'invalid_value'],
    [`/api/v1/stores/${store.id}/sales`, { on_behalf: true, items: [{ goods_id: rice.id, quantity: 1 }] }, 422, 'required'],
    [`/api/v1/stores/${store.id}/sales`, { volunteer_id: vol.id, items: [{ goods_id: rice.id, quantity: 1 }] }, 422, 'payment_proof_required'],
    [`/api/v1/stores/${store.id}/sales`, { volunteer_id: 999999, on_behalf: true, items: [{ goods_id: rice.id, quantity: 1 }] }, 403, 'forbidden'],
    ['/api/v1/stores/999999/sales', onBehalf([{ goods_id: rice.id, quantity: 1 }]), 404, 'not_found'],
  ]) {
    r = await clerk.post(path, body);
    assert.deepEqual([r.status, r.json.error.code], [status, code], JSON.stringify(body));
  }
  assert.equal((await other.post(`/api/v1/stores/${store.id}/sales`, onBehalf([{ goods_id: rice.id, quantity: 1 }]))).status, 403);
  assert.equal((await clerk.get(`/api/v1/stores/${store.id}/goods`)).json.items.find((g) => g.id === rice.id).stock, stockBefore, 'nothing moved');
  assert.equal(await balance(vol), before - 20);
  assert.equal((await root.patch(`/api/v1/stores/${store.id}`, { allow_on_behalf: false })).status, 200);

  r = await clerk.get(`/api/v1/stores/${store.id}/reconciliation`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.vouchers_redeemed, r.json.voucher_points, r.json.sales, r.json.sale_points, r.json.points_in, r.json.goods_points, r.json.balanced],
    [2, 50, 1, 20, 70, 70, true]);
  const riceDay = r.json.goods.find((g) => g.goods_id === rice.id);
  // rice: 2 for the first voucher and 2 sold; flour: 3 for the raced voucher
  assert.deepEqual([riceDay.handed_out, riceDay.stocked_in, riceDay.taken_out], [4, 120, 0]);
  const flourDay = r.json.goods.find((g) => g.name === '面粉');
  assert.deepEqual([flourDay.handed_out, flourDay.stocked_in, flourDay.taken_out], [3, 100, 0]);
  r = await clerk.get(`/api/v1/stores/${store.id}/reconciliation?date=2001-01-01`);
  assert.deepEqual([r.json.points_in, r.json.goods.length, r.json.balanced], [0, 0, true]);
  assert.equal((await clerk.get(`/api/v1/stores/${store.id}/reconciliation?date=2001-02-30`)).status, 400);
  assert.equal((await other.get(`/api/v1/stores/${store.id}/reconciliation`)).status, 403);
  assert.match(checkLedger().stdout, /^ledger balanced/);
});

test('redemptions, cancellations and stock movements retried with an Idempotency-Key answer as the first', async () => {
  await grant(vol, 60);
  const stock = async () => (await clerk.get(`/api/v1/stores/${store.id}/goods`)).json.items.find((g) => g.id === rice.id).stock;
  const s0 = await stock();
  let r = await clerk.post(`/api/v1/goods/${rice.id}/stock`, { delta: 5, reason: '入库' }, { 'Idempotency-Key': 'in-1' });
  const again = await clerk.post(`/api/v1/goods/${rice.id}/stock`, { delta: 5, reason: '入库' }, { 'Idempotency-Key': 'in-1' });
  assert.deepEqual([r.status, again.status, await stock()], [200, 200, s0 + 5], 'stocked in once');
  const v = (await root.post('/api/v1/vouchers', { volunteer_id: vol.id, value: 30 })).json;
  const body = { store_id: store.id, items: [{ goods_id: rice.id, quantity: 3 }] };
  r = await clerk.post(`/api/v1/vouchers/${v.code}/redeem`, body, { 'Idempotency-Key': 'r-1' });
  const retry = await clerk.post(`/api/v1/vouchers/${v.code}/redeem`, body, { 'Idempotency-Key': 'r-1' });
  assert.deepEqual([r.status, retry.status, retry.json.status, retry.json.spent], [200, 200, 'redeemed', 30]);
  assert.equal(await stock(), s0 + 5 - 3, 'handed out once');
  assert.equal((await clerk.post(`/api/v1/vouchers/${v.code}/redeem`, body, { 'Idempotency-Key': 'r-2' })).status, 409, 'another request is refused');
  const c = (await root.post('/api/v1/vouchers', { volunteer_id: vol.id, value: 30 })).json;
  const b = await balance(vol);
  r = await root.post(`/api/v1/vouchers/${c.code}/cancel`, undefined, { 'Idempotency-Key': 'c-1' });
  const retryCancel = await root.post(`/api/v1/vouchers/${c.code}/cancel`, undefined, { 'Idempotency-Key': 'c-1' });
  assert.deepEqual([r.status, retryCancel.status, retryCancel.json.status], [200, 200, 'cancelled']);
  assert.equal(await balance(vol), b + 30, 'refunded once');
  assert.equal((await root.post(`/api/v1/vouchers/${c.code}/cancel`, undefined, { 'Idempotency-Key': 'x'.repeat(101) })).status, 400);
  assert.match(checkLedger().stdout, /^ledger balanced/);
});
