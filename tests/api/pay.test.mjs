// Paying with points needs the volunteer's proof (issue 11 §1 finding 1):
// a pay code from the volunteer's phone, a voucher code, or a sale on the
// volunteer's behalf by staff of their own subtree where the store allows
// it. Without a proof a counter learns nothing and moves nothing; wrong
// codes are throttled per clerk and store; codes are used once, end when a
// new one is made, and expire.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, chinaNoon } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { selfRegister, branch } from '../lib/fixtures.mjs';

let srv, root, clerk, other, clerkB, st, st2, store, store2, rice, rice2, gold2, vol, far, gone;

const balance = async (v) => (await root.get(`/api/v1/volunteers/${v.id}/points`)).json.balance;
const grant = (v, amount) => root.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount, reason: '测试积分' });
const stock = async (c, s, g) => (await c.get(`/api/v1/stores/${s.id}/goods`)).json.items.find((x) => x.id === g.id).stock;
const sell = (c, s, body, headers) => c.post(`/api/v1/stores/${s.id}/sales`, body, headers);
const line = (g, quantity = 1) => [{ goods_id: g.id, quantity }];
const newCode = async (c) => {
  const r = await c.post('/api/v1/me/pay-codes');
  assert.equal(r.status, 201, r.text);
  return r.json.code;
};
const grouped = (code) => code.replace(/(\d{4})(?=\d)/g, '$1 ');

// a clerk of st of one's own: wrong codes count per clerk and store, so
// each test that sends some has its own
let clerks = 0;
async function freshClerk() {
  const username = `payclerk${++clerks}x`;
  const r = await root.post('/api/v1/users', { username, password: 'Counter-pass-9', roles: ['clerk'], org_id: st.id });
  assert.equal(r.status, 201, r.text);
  const c = new Client(srv.url);
  await c.login(username, 'Counter-pass-9');
  return c;
}

// a volunteer of org with a login, and their signed-in client
async function person(name, phone, seq, org, region) {
  const v = await selfRegister(srv.url, { name, phone, password: 'Pay-code-pass-1' },
    { birth: '19900303', seq, region, org: org.id });
  const c = new Client(srv.url);
  await c.login(phone, 'Pay-code-pass-1');
  return { ...v, c };
}

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const a = (await root.post('/api/v1/organizations', { name: '付款码镇协会', kind: 'association', parent_id: rootOrg, region_code: '510115006000' })).json;
  st = (await root.post('/api/v1/organizations', { name: '付款码甲社区', kind: 'station', parent_id: a.id, region_code: '510115006001' })).json;
  st2 = (await root.post('/api/v1/organizations', { name: '付款码乙社区', kind: 'station', parent_id: a.id, region_code: '510115006002' })).json;
  for (const [username, roles, org] of [['payclerk', ['clerk'], st], ['payclerkb', ['clerk'], st], ['payadmin2', ['admin'], st2]]) {
    const r = await root.post('/api/v1/users', { username, password: 'Counter-pass-9', roles, org_id: org.id });
    assert.equal(r.status, 201, r.text);
  }
  clerk = new Client(srv.url); await clerk.login('payclerk', 'Counter-pass-9');
  clerkB = new Client(srv.url); await clerkB.login('payclerkb', 'Counter-pass-9');
  other = new Client(srv.url); await other.login('payadmin2', 'Counter-pass-9');
  store = (await root.post('/api/v1/stores', { org_id: st.id, name: '甲爱心超市' })).json;
  store2 = (await root.post('/api/v1/stores', { org_id: st2.id, name: '乙爱心超市', allow_on_behalf: true })).json;
  assert.deepEqual([store.allow_on_behalf, store2.allow_on_behalf], [false, true]);
  rice = (await root.post(`/api/v1/stores/${store.id}/goods`, { name: '大米', unit: '袋', price: 10 })).json;
  rice2 = (await root.post(`/api/v1/stores/${store2.id}/goods`, { name: '面条', unit: '把', price: 1 })).json;
  gold2 = (await root.post(`/api/v1/stores/${store2.id}/goods`, { name: '电饭煲', unit: '个', price: 5000 })).json;
  for (const g of [rice, rice2, gold2]) await root.post(`/api/v1/goods/${g.id}/stock`, { delta: 50, reason: '入库' });
  vol = await person('付款甲', '13700060001', 11, st, '510115006001');
  far = await person('付款乙', '13700060002', 13, st2, '510115006002');
  gone = await person('付款丙', '13700060003', 15, st, '510115006001');
  for (const v of [vol, far, gone]) assert.equal((await grant(v, 100)).status, 201);
});
after(async () => { await srv?.stop(); });

// the store.sale audit entries written since ids (a Set from saleAudits),
// so a test sees its own sales whatever ran before it
const saleAudits = async (ids) => (await root.get('/api/v1/audit-log?action=store.sale&limit=200')).json.items
  .filter((a) => !ids || !ids.has(a.id));
const auditIds = async () => new Set((await saleAudits()).map((a) => a.id));

test('a sale without proof is refused, moves nothing and tells nothing about the balance', async () => {
  const audited = await auditIds();
  const before = await balance(vol);
  const stockBefore = await stock(root, store2, rice2);
  // staff of the sibling subtree, at their own counter, name a volunteer of
  // another subtree by id: cheap goods, dear goods, or a made-up id all get
  // the same answer, so the answer cannot be used to probe the balance
  const answers = [];
  for (const body of [{ volunteer_id: vol.id, items: line(rice2) }, { volunteer_id: vol.id, items: line(gold2) },
    { volunteer_id: 99999999, items: line(rice2) }, { items: line(rice2) }]) {
    const r = await sell(other, store2, body);
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.json.error, { code: 'payment_proof_required', message: '请输入志愿者手机上的付款码或兑换券码', field: 'pay_code' });
    answers.push(r.text);
  }
  assert.equal(new Set(answers).size, 1, 'one answer whatever the id names');
  // the store allows sales on behalf, but not for a volunteer outside the
  // caller's scope: 403 the same as for an id that names nobody
  for (const body of [{ volunteer_id: vol.id, on_behalf: true, items: line(rice2) },
    { volunteer_id: vol.id, on_behalf: true, items: line(gold2) }, { volunteer_id: 99999999, on_behalf: true, items: line(rice2) }]) {
    const r = await sell(other, store2, body);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [403, 'forbidden', 'volunteer_id'], r.text);
  }
  // the clerk of the volunteer's own subtree without a proof: refused too
  const own = await sell(clerk, store, { volunteer_id: vol.id, items: line(rice) });
  assert.deepEqual([own.status, own.json.error.code], [422, 'payment_proof_required']);
  assert.equal(await balance(vol), before, 'no points moved');
  assert.equal(await stock(root, store2, rice2), stockBefore, 'no goods moved');
  assert.deepEqual(await saleAudits(audited), [], 'no sale was audited');
});

test('a pay code pays once, at any counter, and only for its own volunteer', async () => {
  const clerk = await freshClerk();
  const audited = await auditIds();
  const state = async () => (await vol.c.get('/api/v1/me/pay-codes/current')).json;
  assert.deepEqual(await state(), { status: 'none' });
  const r = await vol.c.post('/api/v1/me/pay-codes');
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['code', 'expires_at', 'expires_in', 'volunteer_id']);
  assert.match(r.json.code, /^\d{12}$/);
  assert.deepEqual([r.json.expires_in, r.json.volunteer_id], [180, vol.id]);
  const left = Date.parse(r.json.expires_at) - Date.now();
  assert.ok(left > 170e3 && left <= 181e3, `expires in about 180 s (${left} ms)`);
  assert.deepEqual(await state(), { status: 'live', expires_at: r.json.expires_at });
  const before = await balance(vol);
  // typed as read out, in groups; with the volunteer's id or without
  let s = await sell(clerk, store, { pay_code: grouped(r.json.code), volunteer_id: vol.id, items: line(rice, 2) },
    { 'Idempotency-Key': 'pay-1' });
  assert.equal(s.status, 201, s.text);
  assert.deepEqual([s.json.volunteer_id, s.json.points, s.json.proof], [vol.id, 20, 'pay_code']);
  const retry = await sell(clerk, store, { pay_code: r.json.code, items: line(rice, 2) }, { 'Idempotency-Key': 'pay-1' });
  assert.deepEqual([retry.status, retry.json.id], [201, s.json.id], 'a retry answers the first sale');
  const used = await state();
  assert.equal(used.status, 'used');
  assert.deepEqual(used.sale, { id: s.json.id, points: 20, store_id: store.id, store_name: '甲爱心超市' });
  assert.ok(!JSON.stringify(used).includes(r.json.code), 'the code is not given again');
  assert.equal(await balance(vol), before - 20);
  // used once
  const again = await sell(clerk, store, { pay_code: r.json.code, items: line(rice) });
  assert.deepEqual([again.status, again.json.error.code, again.json.error.field], [422, 'pay_code_invalid', 'pay_code']);
  // another subtree's counter takes a live code: the volunteer is there
  const code2 = await newCode(vol.c);
  s = await sell(other, store2, { pay_code: code2, items: line(rice2, 3) });
  assert.deepEqual([s.status, s.json.volunteer_id, s.json.points], [201, vol.id, 3], s.text);
  // a code is no proof for somebody else
  const code3 = await newCode(far.c);
  const farBefore = await balance(far);
  s = await sell(clerk, store, { pay_code: code3, volunteer_id: vol.id, items: line(rice) });
  assert.deepEqual([s.status, s.json.error.code], [422, 'pay_code_invalid']);
  assert.equal(await balance(far), farBefore);
  assert.equal(await balance(vol), before - 23);
  const audit = await saleAudits(audited);
  assert.deepEqual(audit.map((a) => [a.detail.volunteer_id, a.detail.points, a.detail.proof]).sort(),
    [[vol.id, 20, 'pay_code'], [vol.id, 3, 'pay_code']].sort());
});

test('a new code ends the one before; not enough points is said only after the proof held', async () => {
  const clerk = await freshClerk();
  const first = await newCode(far.c);
  const second = await newCode(far.c);
  assert.notEqual(first, second);
  const b = await balance(far);
  let s = await sell(clerk, store, { pay_code: first, items: line(rice) });
  assert.deepEqual([s.status, s.json.error.code], [422, 'pay_code_invalid'], 'the replaced code is void');
  // ten rice cost more than the balance: insufficient, without a number
  s = await sell(clerk, store, { pay_code: second, items: line(rice, b / 10 + 1) });
  assert.deepEqual([s.status, s.json.error.code, s.json.error.field], [409, 'insufficient_points', 'items']);
  assert.doesNotMatch(s.text, new RegExp(`\\b${b}\\b`), 'the balance is not in the answer');
  assert.deepEqual(Object.keys(s.json), ['error']);
  // the refused sale did not use the code up (documented)
  s = await sell(clerk, store, { pay_code: second, items: line(rice) });
  assert.deepEqual([s.status, s.json.points], [201, 10], s.text);
  assert.equal(await balance(far), b - 10);
});

test('one code, nine sales at once from three clerks: exactly one goes through', async () => {
  const code = await newCode(far.c);
  const b = await balance(far);
  // three tries each stay under a clerk's free wrong codes
  const clerks = await Promise.all(Array.from({ length: 3 }, () => freshClerk()));
  const answers = await Promise.all(clerks.flatMap((c) => [1, 2, 3].map(() => sell(c, store, { pay_code: code, items: line(rice) }))));
  assert.equal(answers.filter((r) => r.status === 201).length, 1, answers.map((r) => r.status).join());
  assert.ok(answers.every((r) => r.status === 201 || r.json.error.code === 'pay_code_invalid'));
  assert.equal(await balance(far), b - 10);
});

test('wrong codes are throttled per clerk and store', async () => {
  const code = await newCode(vol.c);
  const b = await balance(vol);
  for (let i = 0; i < 5; i++) {
    const wrong = String(100000000000 + i * 7919);
    const r = await sell(clerkB, store, { pay_code: wrong === code ? '000000000000' : wrong, items: line(rice) });
    assert.deepEqual([r.status, r.json.error.code], [422, 'pay_code_invalid'], r.text);
  }
  // not a code at all counts as a wrong one
  const odd = await sell(clerkB, store, { pay_code: '12ab', items: line(rice) });
  assert.deepEqual([odd.status, odd.json.error.code], [429, 'too_many_pay_codes'], odd.text);
  // even the right code waits now, at this counter for this clerk
  const r = await sell(clerkB, store, { pay_code: code, items: line(rice) });
  assert.deepEqual([r.status, r.json.error.code], [429, 'too_many_pay_codes']);
  assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After says when');
  assert.equal(await balance(vol), b);
  // another clerk at the same counter is not held up, and takes the code
  const ok = await sell(clerk, store, { pay_code: code, items: line(rice) });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(await balance(vol), b - 10);
});

test('a deactivated volunteer cannot pay, with a code, a voucher or on their behalf', async () => {
  const code = await newCode(gone.c);
  const voucher = (await root.post('/api/v1/vouchers', { volunteer_id: gone.id, value: 30 })).json.code;
  assert.equal((await root.patch(`/api/v1/stores/${store.id}`, { allow_on_behalf: true })).status, 200);
  try {
    const d = await root.post(`/api/v1/volunteers/${gone.id}/deactivate`, { reason: '长期外出' });
    assert.equal(d.status, 200, d.text);
    const b = await balance(gone);
    for (const body of [{ pay_code: code, items: line(rice) }, { voucher_code: voucher, items: line(rice) },
      { volunteer_id: gone.id, on_behalf: true, items: line(rice) }]) {
      const r = await sell(clerk, store, body);
      assert.deepEqual([r.status, r.json.error.code], [409, 'volunteer_inactive'], JSON.stringify(body) + r.text);
    }
    const n = await gone.c.post('/api/v1/me/pay-codes');
    assert.deepEqual([n.status, n.json.error.code], [409, 'volunteer_inactive']);
    // staff who do not run the store learn nothing about the volunteer: the
    // store is checked first (review H5)
    const o = await other.post(`/api/v1/vouchers/${voucher}/redeem`, { store_id: store.id, items: line(rice) });
    assert.deepEqual([o.status, o.json.error.code], [403, 'forbidden'], o.text);
    assert.equal(await balance(gone), b);
    assert.equal((await root.get(`/api/v1/vouchers/${voucher}`)).json.status, 'issued');
  } finally {
    await root.patch(`/api/v1/stores/${store.id}`, { allow_on_behalf: false });
  }
});

test('on behalf: only where the store allows it, only staff of the volunteer\'s subtree, audited', async () => {
  const b = await balance(vol);
  let r = await sell(clerk, store, { volunteer_id: vol.id, on_behalf: true, items: line(rice) });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [403, 'on_behalf_not_allowed', 'on_behalf']);
  // only admins of the store's scope change its rules
  r = await clerk.patch(`/api/v1/stores/${store.id}`, { allow_on_behalf: true });
  assert.equal(r.status, 403);
  r = await other.patch(`/api/v1/stores/${store.id}`, { allow_on_behalf: true });
  assert.equal(r.status, 403);
  assert.equal((await root.get('/api/v1/stores')).json.items.find((x) => x.id === store.id).allow_on_behalf, false);
  r = await root.patch(`/api/v1/stores/${store.id}`, { allow_on_behalf: true });
  assert.deepEqual([r.status, r.json.allow_on_behalf], [200, true], r.text);
  try {
    r = await sell(clerk, store, { volunteer_id: vol.id, on_behalf: true, items: line(rice) });
    assert.deepEqual([r.status, r.json.proof, r.json.points], [201, 'on_behalf', 10], r.text);
    const saleId = r.json.id;
    // two proofs at once are not taken
    const code = await newCode(vol.c);
    const two = await sell(clerk, store, { volunteer_id: vol.id, on_behalf: true, pay_code: code, items: line(rice) });
    assert.deepEqual([two.status, two.json.error.code], [422, 'one_proof']);
    // the clerk's counter is in st; a volunteer of st2 is outside its scope
    const fb = await balance(far);
    r = await sell(clerk, store, { volunteer_id: far.id, on_behalf: true, items: line(rice) });
    assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden']);
    assert.equal(await balance(far), fb);
    const audit = (await root.get('/api/v1/audit-log?action=sale.on_behalf&limit=200')).json.items
      .filter((a) => a.detail.store_id === store.id && a.detail.volunteer_id === vol.id);
    assert.equal(audit.length, 1, 'this sale on behalf, audited once');
    assert.deepEqual([audit[0].actor_username, audit[0].target_id, audit[0].detail.volunteer_id, audit[0].detail.points,
      audit[0].detail.store_id], ['payclerk', saleId, vol.id, 10, store.id]);
    assert.equal(await balance(vol), b - 10);
  } finally {
    await root.patch(`/api/v1/stores/${store.id}`, { allow_on_behalf: false });
  }
});

test('a voucher code is a proof: the voucher is redeemed for the goods', async () => {
  const clerk = await freshClerk();
  const v = (await root.post('/api/v1/vouchers', { volunteer_id: vol.id, value: 30 })).json;
  const b = await balance(vol);
  let r = await sell(clerk, store, { voucher_code: v.code, volunteer_id: far.id, items: line(rice) });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'voucher_code_invalid', 'voucher_code'], 'not that person\'s voucher');
  r = await sell(clerk, store, { voucher_code: 'ZZZZZZZZZZZZZZZZ', items: line(rice) });
  assert.deepEqual([r.status, r.json.error.code], [422, 'voucher_code_invalid']);
  r = await sell(clerk, store, { voucher_code: v.code, items: line(rice, 2) });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.proof, r.json.status, r.json.spent], ['voucher', 'redeemed', 20]);
  assert.equal(await balance(vol), b + 10, 'the remainder came back');
  r = await sell(clerk, store, { voucher_code: v.code, items: line(rice) });
  assert.deepEqual([r.status, r.json.error.code], [409, 'voucher_not_issued']);
});

test('bad input to the new routes changes nothing', async () => {
  const updates = async () => (await root.get('/api/v1/audit-log?action=store.update&limit=200')).json.items.length;
  const updatesBefore = await updates();
  for (const [body, status, code, field] of [
    [{}, 422, 'required', 'allow_on_behalf'], [{ allow_on_behalf: 'yes' }, 400, 'wrong_type', 'allow_on_behalf'],
    [{ allow_on_behalf: 1 }, 400, 'wrong_type', 'allow_on_behalf']]) {
    const r = await root.patch(`/api/v1/stores/${store.id}`, body);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [status, code, field], JSON.stringify(body));
  }
  assert.equal((await root.patch('/api/v1/stores/99999999', { allow_on_behalf: true })).status, 404);
  assert.equal((await root.patch('/api/v1/stores/abc', { allow_on_behalf: true })).status, 404);
  assert.equal((await root.get('/api/v1/stores')).json.items.find((x) => x.id === store.id).allow_on_behalf, false);
  for (const [body, status, code, field] of [
    [{ pay_code: 123, items: line(rice) }, 400, 'wrong_type', 'pay_code'],
    [{ pay_code: 'x'.repeat(41), items: line(rice) }, 422, 'too_long', 'pay_code'],
    [{ on_behalf: 'yes', items: line(rice) }, 400, 'wrong_type', 'on_behalf'],
    [{ on_behalf: true, items: line(rice) }, 422, 'required', 'volunteer_id'],
    [{ pay_code: '1', items: [] }, 422, 'invalid_value', 'items']]) {
    const r = await sell(clerk, store, body);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [status, code, field], JSON.stringify(body));
  }
  // no volunteer file, no code; not signed in, no code
  const r = await root.post('/api/v1/me/pay-codes');
  assert.deepEqual([r.status, r.json.error.code], [404, 'no_volunteer_file']);
  assert.equal((await new Client(srv.url).post('/api/v1/me/pay-codes')).status, 401);
  const none = await root.get('/api/v1/me/pay-codes/current');
  assert.deepEqual([none.status, none.json.error.code], [404, 'no_volunteer_file']);
  assert.equal((await new Client(srv.url).get('/api/v1/me/pay-codes/current')).status, 401);
  assert.equal(await updates(), updatesBefore, 'no store was changed');
});

test('a pay code expires', async () => {
  // the server's clock is the test's: the code lives 60 s, then a server on
  // the same database is started 61 s later (no waiting, no second edges)
  let s = await startServer({ clockAt: chinaNoon(), args: ['--pay-code-ttl', '60'] });
  try {
    let admin = new Client(s.url);
    await admin.login('admin', s.adminPassword);
    const { station } = await branch(admin, { association: '到期镇协会', station: '到期社区', town: '510115006' });
    const org = station.id;
    const shop = (await admin.post('/api/v1/stores', { org_id: org, name: '到期超市' })).json;
    const g = (await admin.post(`/api/v1/stores/${shop.id}/goods`, { name: '盐', unit: '袋', price: 2 })).json;
    await admin.post(`/api/v1/goods/${g.id}/stock`, { delta: 5, reason: '入库' });
    const v = await selfRegister(s.url, { name: '到期者', phone: '13700060009', password: 'Pay-code-pass-1' },
      { birth: '19900303', seq: 17, region: '510115006001', org });
    await admin.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount: 10, reason: '测试积分' });
    let c = new Client(s.url);
    await c.login('13700060009', 'Pay-code-pass-1');
    const t0 = Math.floor(s.now() / 1000) * 1000;
    const r = await c.post('/api/v1/me/pay-codes');
    const t1 = Math.floor(s.now() / 1000) * 1000;
    assert.equal(r.json.expires_in, 60);
    const end = Date.parse(r.json.expires_at);
    assert.ok(end >= t0 + 60e3 && end <= t1 + 60e3, `ends 60 s after the server's now (${r.json.expires_at})`);
    const state = async () => (await c.get('/api/v1/me/pay-codes/current')).json.status;
    assert.equal(await state(), 'live');
    s = await s.restartAt(s.now() + 61e3);
    admin = new Client(s.url);
    await admin.login('admin', s.adminPassword);
    c = new Client(s.url);
    await c.login('13700060009', 'Pay-code-pass-1');
    assert.equal(await state(), 'expired');
    const late = await admin.post(`/api/v1/stores/${shop.id}/sales`, { pay_code: r.json.code, items: [{ goods_id: g.id, quantity: 1 }] });
    assert.deepEqual([late.status, late.json.error.code], [422, 'pay_code_invalid']);
    assert.equal(await state(), 'expired');
    assert.equal((await admin.get(`/api/v1/volunteers/${v.id}/points`)).json.balance, 10);
  } finally {
    await s.stop();
  }
});
