// Residents' orders (点菜, issue 13 §2): the public order page (no login,
// consent, a tracking code of which only a keyed digest is kept, throttled
// per address), the hotline intake, which provider an order goes to,
// accept / decline (offered on, then up) / cancel by staff and by the
// requester, lists scoped to the subtree with the personal data masked,
// the detail in full only for those who may dispatch it (each such read
// audited), the history, and bad input for every field (nothing changes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { staffUser, selfRegister } from '../lib/fixtures.mjs';
import { residentId, birthForAge } from '../lib/ids.mjs';
import { dbDigest, digestDiff, digestClose } from '../lib/digest.mjs';

const H = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

let srv, root, anon, rootOrg;
let assocA, stA1, stA2, assocB, stB1;
let admA, recA1, swA, clerkA, recB;
let sub, subNarrow, subNoProvider, category, retired;
let addrSeq = 0;

// each public caller its own address (the server trusts 127.0.0.1 as a
// proxy), so the throttle test alone decides when a wait starts
const nextAddr = () => `198.51.100.${++addrSeq}`;
const pub = (method, path, body, addr = nextAddr()) =>
  anon.request(method, path, body, { 'X-Forwarded-For': addr });

let phoneSeq = 0;
const order = (extra = {}) => ({
  menu_item_id: sub.id, requester_name: '王秀兰', phone: `1390000${String(++phoneSeq).padStart(4, '0')}`,
  address: '温江区柳城街道光华社区3栋2单元501', region_code: '510115001001',
  preferred_from: iso(Date.now() + 24 * H), preferred_to: iso(Date.now() + 27 * H),
  notes: '门禁码 1234', vulnerable_groups: ['elderly_alone'], consent: true, ...extra,
});

const org = async (name, kind, parent, region) => {
  const r = await root.post('/api/v1/organizations', { name, kind, parent_id: parent, region_code: region });
  assert.equal(r.status, 201, r.text);
  return r.json;
};
const item = async (body) => {
  const r = await root.post('/api/v1/menu/items', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
};
// every order the root sees, as a fingerprint of "nothing changed"
const allOrders = async () => {
  const r = await root.get('/api/v1/orders?limit=200');
  assert.equal(r.status, 200, r.text);
  return JSON.stringify(r.json.items.map((o) => [o.id, o.status, o.org_id, o.events]));
};

before(async () => {
  srv = await startServer({ args: ['--trusted-proxy', '127.0.0.1', '--order-free-per-address', '3'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  anon = new Client(srv.url);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  assocA = await org('点菜测试柳城协会', 'association', rootOrg, '510115001000');
  stA1 = await org('点菜测试光华站', 'station', assocA.id, '510115001001');
  stA2 = await org('点菜测试东大站', 'station', assocA.id, '510115001002');
  assocB = await org('点菜测试永宁协会', 'association', rootOrg, '510115002000');
  stB1 = await org('点菜测试永宁站', 'station', assocB.id, '510115002001');
  admA = await staffUser(root, 'ord_adm_a', ['admin'], assocA.id);
  recA1 = await staffUser(root, 'ord_rec_a1', ['recorder'], stA1.id);
  swA = await staffUser(root, 'ord_sw_a', ['social_worker'], assocA.id);
  clerkA = await staffUser(root, 'ord_clerk_a', ['clerk'], assocA.id);
  recB = await staffUser(root, 'ord_rec_b', ['recorder'], assocB.id);
  category = await item({ name: '点菜测试社区服务', parent_id: null });
  const mid = await item({ name: '点菜测试助老', parent_id: category.id });
  sub = await item({ name: '点菜测试陪同就医', parent_id: mid.id, provider_ids: [stA1.id, stA2.id, stB1.id] });
  subNarrow = await item({ name: '点菜测试永宁理发', parent_id: mid.id, provider_ids: [stB1.id], regions: ['510115002000'] });
  subNoProvider = await item({ name: '点菜测试无人提供', parent_id: mid.id });
  retired = await item({ name: '点菜测试已下架', parent_id: mid.id, provider_ids: [stA1.id] });
  const r = await root.post(`/api/v1/menu/items/${retired.id}/retire`);
  assert.equal(r.status, 200, r.text);
});
after(async () => { await srv?.stop(); });

test('a resident orders without login: tracking code, closest provider, status without personal data', async () => {
  const body = order();
  const r = await pub('POST', '/api/v1/public/orders', body);
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['id', 'org_id', 'status', 'tracking_code']);
  assert.equal(r.json.status, 'submitted');
  assert.match(r.json.tracking_code, /^[0-9A-HJKMNP-TV-Z]{16}$/);
  // the order's community has its own providing station: it goes there
  assert.equal(r.json.org_id, stA1.id);

  // the code itself is stored nowhere; a lower-case code is the same
  // lower case, and the letters a resident may type for 0 and 1, name it too
  const typed = r.json.tracking_code.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l');
  for (const code of [r.json.tracking_code, typed]) {
    const t = await pub('GET', `/api/v1/public/orders/${code}`);
    assert.equal(t.status, 200, t.text);
    assert.equal(t.json.id, r.json.id);
    assert.equal(t.json.status, 'submitted');
    assert.equal(t.json.menu_item_name, '点菜测试陪同就医');
    assert.equal(t.json.can_cancel, true);
    assert.deepEqual(t.json.events.map((e) => [e.from_status, e.to_status]), [[null, 'submitted']]);
    for (const secret of ['王', body.phone, '光华社区3栋', '1234']) assert.ok(!t.text.includes(secret), `tracking shows ${secret}`);
  }
  // an unknown or malformed code is not found
  for (const code of ['0000000000000000', 'short', 'ABCDEFGHJKMNPQR!']) {
    const t = await pub('GET', `/api/v1/public/orders/${encodeURIComponent(code)}`);
    assert.deepEqual([t.status, t.json.error.code], [404, 'not_found'], code);
  }
  const d = await admA.get(`/api/v1/orders/${r.json.id}`);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.channel, 'web');
  assert.deepEqual(d.json.vulnerable_groups, ['elderly_alone']);
  assert.ok(d.json.consent_at);
});

test('bad input for every field of the public order: 4xx naming the field, nothing created', async () => {
  const before = await allOrders();
  const cases = [
    [{ menu_item_id: 'x' }, 400, 'wrong_type', 'menu_item_id'],
    [{ menu_item_id: undefined }, 422, 'required', 'menu_item_id'],
    [{ menu_item_id: 999999 }, 422, 'menu_item_not_found', 'menu_item_id'],
    [{ menu_item_id: 'cat' }, 422, 'menu_item_not_orderable', 'menu_item_id'],
    [{ menu_item_id: 'retired' }, 422, 'menu_item_unavailable', 'menu_item_id'],
    [{ requester_name: undefined }, 422, 'required', 'requester_name'],
    [{ requester_name: 5 }, 400, 'wrong_type', 'requester_name'],
    [{ requester_name: '长'.repeat(51) }, 422, 'too_long', 'requester_name'],
    [{ phone: undefined }, 422, 'required', 'phone'],
    [{ phone: '12ab' }, 422, 'invalid_phone', 'phone'],
    [{ phone: '1'.repeat(21) }, 422, 'too_long', 'phone'],
    [{ address: undefined }, 422, 'required', 'address'],
    [{ address: '址'.repeat(201) }, 422, 'too_long', 'address'],
    [{ region_code: undefined }, 422, 'required', 'region_code'],
    [{ region_code: '51011' }, 422, 'invalid_region_code', 'region_code'],
    [{ region_code: '510115999999' }, 422, 'region_not_found', 'region_code'],
    [{ menu_item_id: 'narrow' }, 422, 'region_not_served', 'region_code'],
    [{ preferred_from: undefined }, 422, 'required', 'preferred_from'],
    [{ preferred_from: 'tomorrow' }, 422, 'invalid_time', 'preferred_from'],
    [{ preferred_to: undefined }, 422, 'required', 'preferred_to'],
    [{ preferred_to: 7 }, 400, 'wrong_type', 'preferred_to'],
    [{ preferred_to: iso(Date.now() + 23 * H) }, 422, 'window_reversed', 'preferred_to'],
    [{ preferred_from: iso(Date.now() - 3 * H), preferred_to: iso(Date.now() - 1 * H) }, 422, 'window_past', 'preferred_to'],
    [{ preferred_to: iso(Date.now() + 24 * 40 * H) }, 422, 'window_too_long', 'preferred_to'],
    [{ preferred_from: iso(Date.now() + 24 * 130 * H), preferred_to: iso(Date.now() + 24 * 130 * H + H) }, 422, 'window_too_far', 'preferred_from'],
    [{ notes: '注'.repeat(501) }, 422, 'too_long', 'notes'],
    [{ vulnerable_groups: 'elderly' }, 400, 'wrong_type', 'vulnerable_groups'],
    [{ vulnerable_groups: ['pets'] }, 422, 'invalid_value', 'vulnerable_groups'],
    [{ channel: 'hotline' }, 422, 'invalid_value', 'channel'],
    [{ consent: undefined }, 422, 'order_consent_required', 'consent'],
    [{ consent: false }, 422, 'order_consent_required', 'consent'],
    [{ consent: 'yes' }, 400, 'wrong_type', 'consent'],
  ];
  const ids = { cat: category.id, retired: retired.id, narrow: subNarrow.id };
  for (const [change, status, code, field] of cases) {
    const body = order(change);
    if (typeof change.menu_item_id === 'string' && ids[change.menu_item_id]) body.menu_item_id = ids[change.menu_item_id];
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete body[k];
    const r = await pub('POST', '/api/v1/public/orders', body);
    assert.deepEqual([r.status, r.json?.error?.code, r.json?.error?.field], [status, code, field], JSON.stringify(change));
  }
  // English messages too
  const en = new Client(srv.url, { lang: 'en' });
  const r = await en.request('POST', '/api/v1/public/orders', order({ consent: false }), { 'X-Forwarded-For': nextAddr() });
  assert.match(r.json.error.message, /personal information/);
  assert.equal(await allOrders(), before);
});

test('the same phone ordering the same sub-item twice: 409, unless the operator takes it anyway', async () => {
  const body = order();
  let r = await pub('POST', '/api/v1/public/orders', body);
  assert.equal(r.status, 201, r.text);
  const before = await allOrders();
  r = await pub('POST', '/api/v1/public/orders', body);
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [409, 'duplicate_order', 'menu_item_id']);
  r = await recA1.post('/api/v1/orders', { ...body, channel: 'hotline' });
  assert.deepEqual([r.status, r.json.error.code], [409, 'duplicate_order']);
  assert.equal(await allOrders(), before);
  r = await recA1.post('/api/v1/orders', { ...body, channel: 'hotline', allow_duplicate: true });
  assert.equal(r.status, 201, r.text);
});

test('public ordering is throttled per address: past --order-free-per-address (3) an order waits, others go on', async () => {
  const addr = '203.0.113.7';
  for (let i = 0; i < 3; i++) {
    const r = await pub('POST', '/api/v1/public/orders', order(), addr);
    assert.equal(r.status, 201, `order ${i + 1}: ${r.text}`);
  }
  const before = await allOrders();
  const r = await pub('POST', '/api/v1/public/orders', order(), addr);
  assert.deepEqual([r.status, r.json.error.code], [429, 'too_many_orders']);
  assert.ok(Number(r.headers.get('retry-after')) > 0, 'Retry-After');
  assert.equal(await allOrders(), before);
  // bad input from a waiting address is still answered as bad input
  const bad = await pub('POST', '/api/v1/public/orders', order({ consent: false }), addr);
  assert.equal(bad.status, 422);
  // another address is not held up
  const other = await pub('POST', '/api/v1/public/orders', order(), '203.0.113.8');
  assert.equal(other.status, 201, other.text);
});

test('hotline intake: staff who dispatch take orders by phone or at a counter; others may not', async () => {
  let r = await swA.post('/api/v1/orders', order({ channel: 'hotline' }));
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.tracking_code, /^[0-9A-Z]{16}$/);
  let d = await swA.get(`/api/v1/orders/${r.json.id}`);
  assert.deepEqual([d.json.channel, d.json.created_by !== null, d.json.events[0].actor_kind], ['hotline', true, 'staff']);
  r = await admA.post('/api/v1/orders', order({ channel: 'walk_in' }));
  assert.equal(r.status, 201, r.text);
  const before = await allOrders();
  for (const [change, status, code, field] of [
    [{ channel: undefined }, 422, 'required', 'channel'],
    [{ channel: 'web' }, 422, 'invalid_value', 'channel'],
    [{ channel: 'fax' }, 422, 'invalid_value', 'channel'],
    [{ channel: 'hotline', allow_duplicate: 'yes' }, 400, 'wrong_type', 'allow_duplicate'],
    [{ channel: 'hotline', menu_item_id: -1 }, 422, 'invalid_id', 'menu_item_id'],
  ]) {
    const body = order(change);
    if (change.channel === undefined) delete body.channel;
    r = await recA1.post('/api/v1/orders', body);
    assert.deepEqual([r.status, r.json?.error?.code, r.json?.error?.field], [status, code, field], JSON.stringify(change));
  }
  r = await clerkA.post('/api/v1/orders', order({ channel: 'hotline' }));
  assert.equal(r.status, 403);
  r = await anon.post('/api/v1/orders', order({ channel: 'hotline' }));
  assert.equal(r.status, 401);
  assert.equal(await allOrders(), before);
  // a sub-item nobody provides cannot be ordered yet, as the menu shows it
  r = await root.post('/api/v1/orders', order({ channel: 'hotline', menu_item_id: subNoProvider.id }));
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'menu_item_no_provider', 'menu_item_id']);
  assert.equal(await allOrders(), before);
});

test('accept: the holding organisation\'s staff; others see nothing; a second accept is refused', async () => {
  const o = (await pub('POST', '/api/v1/public/orders', order())).json;
  assert.equal(o.org_id, stA1.id);
  const before = await allOrders();
  // the sibling subtree does not see it at all
  let r = await recB.post(`/api/v1/orders/${o.id}/accept`);
  assert.deepEqual([r.status, r.json.error.code], [404, 'not_found']);
  r = await recB.get(`/api/v1/orders/${o.id}`);
  assert.equal(r.status, 404);
  r = await clerkA.post(`/api/v1/orders/${o.id}/accept`);
  assert.equal(r.status, 403);
  // a role that dispatches nothing learns nothing of which orders exist
  for (const verb of ['accept', 'decline', 'cancel']) {
    r = await clerkA.post(`/api/v1/orders/999999/${verb}`, { reason: '试探' });
    assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], verb);
  }
  assert.equal(await allOrders(), before);
  r = await recA1.post(`/api/v1/orders/${o.id}/accept`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'accepted');
  assert.ok(r.json.accepted_at);
  const after1 = await allOrders();
  r = await admA.post(`/api/v1/orders/${o.id}/accept`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'order_status']);
  assert.equal(await allOrders(), after1);
  r = await admA.post('/api/v1/orders/999999/accept');
  assert.equal(r.status, 404);
  const ev = (await admA.get(`/api/v1/orders/${o.id}/events`)).json.items;
  assert.deepEqual(ev.map((e) => [e.from_status, e.to_status, e.actor_kind]), [[null, 'submitted', 'public'], ['submitted', 'accepted', 'staff']]);
  assert.equal(ev[1].actor_user_id, recA1.id);
  assert.equal(ev[1].org_id, stA1.id);
});

test('decline: offered to the next provider, then up the tree; the reason is required and kept', async () => {
  const o = (await pub('POST', '/api/v1/public/orders', order())).json;
  assert.equal(o.org_id, stA1.id);
  const before = await allOrders();
  for (const [body, status, code, field] of [
    [{}, 422, 'required', 'reason'],
    [{ reason: '' }, 422, 'required', 'reason'],
    [{ reason: 9 }, 400, 'wrong_type', 'reason'],
    [{ reason: '因'.repeat(201) }, 422, 'too_long', 'reason'],
  ]) {
    const r = await recA1.post(`/api/v1/orders/${o.id}/decline`, body);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [status, code, field], JSON.stringify(body));
  }
  let r = await recA1.post(`/api/v1/orders/${o.id}/decline`);
  assert.deepEqual([r.status, r.json.error.code], [400, 'body_required']);
  assert.equal(await allOrders(), before);
  // 光华 declines: the same town's 东大 station is next (永宁 is farther)
  r = await recA1.post(`/api/v1/orders/${o.id}/decline`, { reason: '本周人手不足' });
  // the order left the recorder's station: the answer says where it went, nothing more
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { id: o.id, status: 'submitted', org_id: stA2.id, org_name: '点菜测试东大站', handed_over: true });
  assert.equal((await recA1.get(`/api/v1/orders/${o.id}`)).status, 404);
  let d = (await admA.get(`/api/v1/orders/${o.id}`)).json;
  assert.deepEqual([d.status, d.org_id], ['submitted', stA2.id]);
  assert.deepEqual(d.events.slice(1).map((e) => [e.from_status, e.to_status, e.actor_kind, e.reason, e.org_id]), [
    ['submitted', 'declined', 'staff', '本周人手不足', stA1.id],
    ['declined', 'submitted', 'system', 'offered', stA2.id],
  ]);
  // the public view tells the move, not the staff's words
  const t = await pub('GET', `/api/v1/public/orders/${o.tracking_code}`);
  assert.deepEqual(t.json.events.map((e) => [e.to_status, e.reason]), [['submitted', null], ['declined', null], ['submitted', 'offered']]);
  assert.ok(!t.text.includes('人手不足'));
  // 东大 declines: 永宁 (another town) is the last provider
  r = await admA.post(`/api/v1/orders/${o.id}/decline`, { reason: '距离太远' });
  assert.deepEqual([r.status, r.json.org_id, r.json.handed_over, r.json.requester_name], [200, stB1.id, true, undefined]);
  r = await recB.get(`/api/v1/orders/${o.id}`);
  assert.deepEqual([r.json.status, r.json.org_id], ['submitted', stB1.id]);
  // 永宁 declines too: no provider left, up to its association
  r = await recB.post(`/api/v1/orders/${o.id}/decline`, { reason: '无此服务能力' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.org_id], ['submitted', assocB.id]);
  assert.equal(r.json.events.at(-1).reason, 'no_provider');
  // the association declines: up to the root; the root declines: it stays declined there
  r = await recB.post(`/api/v1/orders/${o.id}/decline`, { reason: '协会也无力承接' });
  assert.deepEqual([r.status, r.json.org_id, r.json.handed_over], [200, rootOrg, true]);
  r = await root.post(`/api/v1/orders/${o.id}/decline`, { reason: '全区暂无' });
  assert.deepEqual([r.status, r.json.status, r.json.org_id], [200, 'declined', rootOrg]);
  // a declined order can still be cancelled (not accepted: accept wants submitted)
  r = await root.post(`/api/v1/orders/${o.id}/accept`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'order_status']);
  r = await root.post(`/api/v1/orders/${o.id}/cancel`, { reason: '告知居民' });
  assert.deepEqual([r.status, r.json.status], [200, 'cancelled']);
});

test('cancel by staff (with a reason) and by the requester through the code; cancelled is final', async () => {
  const a = (await pub('POST', '/api/v1/public/orders', order())).json;
  const before = await allOrders();
  let r = await recA1.post(`/api/v1/orders/${a.id}/cancel`, {});
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'required', 'reason']);
  r = await recB.post(`/api/v1/orders/${a.id}/cancel`, { reason: '越权' });
  assert.equal(r.status, 404);
  r = await pub('POST', '/api/v1/public/orders/0000000000000000/cancel', {});
  assert.equal(r.status, 404);
  r = await pub('POST', `/api/v1/public/orders/${a.tracking_code}/cancel`, { reason: 5 });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [400, 'wrong_type', 'reason']);
  assert.equal(await allOrders(), before);
  r = await anon.post(`/api/v1/public/orders/${a.tracking_code}/cancel`, undefined, { 'X-Forwarded-For': nextAddr() });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.can_cancel], ['cancelled', false]);
  assert.deepEqual(r.json.events.at(-1), { at: r.json.events.at(-1).at, from_status: 'submitted', to_status: 'cancelled', reason: null });
  const after1 = await allOrders();
  r = await pub('POST', `/api/v1/public/orders/${a.tracking_code}/cancel`, {});
  assert.deepEqual([r.status, r.json.error.code], [409, 'order_status']);
  r = await recA1.post(`/api/v1/orders/${a.id}/accept`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'order_status']);
  assert.equal(await allOrders(), after1);
  const ev = (await admA.get(`/api/v1/orders/${a.id}/events`)).json.items.at(-1);
  assert.deepEqual([ev.actor_kind, ev.actor_user_id], ['public', null]);

  const b = (await recA1.post('/api/v1/orders', order({ channel: 'hotline' }))).json;
  await recA1.post(`/api/v1/orders/${b.id}/accept`);
  r = await recA1.post(`/api/v1/orders/${b.id}/cancel`, { reason: '居民来电取消' });
  assert.deepEqual([r.status, r.json.status], [200, 'cancelled']);
  assert.deepEqual(r.json.events.at(-1).reason, '居民来电取消');
});

test('lists: the subtree only, personal data masked, filters; bad filters 400', async () => {
  const body = order({ requester_name: '欧阳娜娜', phone: '13912345678', address: '温江区柳城街道光华社区8栋' });
  const mine = (await pub('POST', '/api/v1/public/orders', body)).json;
  let r = await admA.get('/api/v1/orders?phone=13912345678');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 1);
  const row = r.json.items[0];
  assert.deepEqual([row.id, row.requester_name, row.phone, row.address, row.notes, row.personal],
    [mine.id, '欧*娜', '139****5678', '温江区柳城街****', null, 'masked']);
  assert.ok(!r.text.includes('13912345678') && !r.text.includes('8栋'), 'the list shows no full phone or address');
  // the sibling subtree sees none of A's orders, and may not ask for A's
  r = await recB.get('/api/v1/orders?phone=13912345678');
  assert.deepEqual(r.json.items, []);
  r = await recB.get(`/api/v1/orders?org_id=${assocA.id}`);
  assert.equal(r.status, 403);
  r = await recA1.get('/api/v1/orders?limit=200');
  assert.ok(r.json.items.length > 0 && r.json.items.every((o) => o.org_id === stA1.id), 'a station sees its own orders');
  r = await clerkA.get('/api/v1/orders');
  assert.equal(r.status, 403);
  // filters and the board's columns
  r = await admA.get(`/api/v1/orders?status=cancelled&limit=200`);
  assert.ok(r.json.items.length > 0 && r.json.items.every((o) => o.status === 'cancelled'));
  r = await admA.get(`/api/v1/orders?board=new&menu_item_id=${sub.id}&channel=web&limit=200`);
  assert.ok(r.json.items.some((o) => o.id === mine.id));
  assert.ok(r.json.items.every((o) => o.status === 'submitted' && o.channel === 'web' && o.menu_item_id === sub.id));
  r = await admA.get('/api/v1/orders?board=overdue&limit=200');
  assert.ok(!r.json.items.some((o) => o.id === mine.id), 'tomorrow\'s window is not overdue');
  // pages: a cursor walks the list without repeats
  const p1 = (await admA.get('/api/v1/orders?limit=2')).json;
  const p2 = (await admA.get(`/api/v1/orders?limit=2&cursor=${p1.next_cursor}`)).json;
  assert.equal(p1.items.length, 2);
  assert.ok(p2.items.every((o) => o.id < p1.items[1].id));
  for (const [q, field] of [['status=done', 'status'], ['menu_item_id=x', 'menu_item_id'], ['phone=abc', 'phone'],
    ['channel=fax', 'channel'], ['board=late', 'board'], ['limit=0', 'limit'], ['cursor=%%%', 'cursor'], ['org_id=x', 'org_id']]) {
    r = await admA.get(`/api/v1/orders?${q}`);
    assert.deepEqual([r.status, r.json.error.field], [400, field], q);
  }
});

test('detail: in full for dispatchers while the order lives, each read audited; masked once it ends', async () => {
  const body = order({ requester_name: '司马光明', phone: '13987654321' });
  const o = (await pub('POST', '/api/v1/public/orders', body)).json;
  const audits = async () => (await root.get('/api/v1/audit-log?action=order.read_personal&limit=200')).json.items
    .filter((e) => e.target_id === o.id);
  assert.equal((await audits()).length, 0);
  let r = await recA1.get(`/api/v1/orders/${o.id}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.personal, r.json.requester_name, r.json.phone, r.json.address, r.json.notes, r.json.can_dispatch],
    ['full', '司马光明', '13987654321', body.address, '门禁码 1234', true]);
  r = await admA.get(`/api/v1/orders/${o.id}`);
  assert.equal(r.json.personal, 'full');
  const a = await audits();
  assert.equal(a.length, 2);
  assert.deepEqual(a.map((e) => e.actor_id).sort(), [recA1.id, admA.id].sort());
  // outside the subtree: not found, not audited
  r = await recB.get(`/api/v1/orders/${o.id}`);
  assert.equal(r.status, 404);
  r = await clerkA.get(`/api/v1/orders/${o.id}`);
  assert.equal(r.status, 404);
  assert.equal((await audits()).length, 2);
  // once cancelled the order no longer lives: masked, and no audit
  await pub('POST', `/api/v1/public/orders/${o.tracking_code}/cancel`);
  r = await admA.get(`/api/v1/orders/${o.id}`);
  assert.deepEqual([r.json.personal, r.json.requester_name, r.json.phone, r.json.notes], ['masked', '司*明', '139****4321', null]);
  assert.equal((await audits()).length, 2);
});

test('detail for volunteers: masked while offered, in full once accepted (audited), nothing when not theirs', async () => {
  const selfJoin = async (name, phone, seq) => {
    const who = { name, phone, password: 'Order-vol-2026x' };
    const file = await selfRegister(srv.url, who, { birth: '19900512', seq, region: '510115001001', org: stA1.id });
    const c = new Client(srv.url);
    await c.login(phone, who.password);
    c.userId = (await c.get('/api/v1/me')).json.id;
    return [file, c];
  };
  const [vol, volC] = await selfJoin('顾志远', '13611110001', 701);
  const [, otherC] = await selfJoin('洪晓燕', '13611110002', 703);
  const o = (await recA1.post('/api/v1/orders', order({ channel: 'hotline', requester_name: '钱玉珍' }))).json;
  assert.equal((await recA1.post(`/api/v1/orders/${o.id}/accept`)).status, 200);
  // not offered: the volunteer does not see it at all
  assert.equal((await volC.get(`/api/v1/orders/${o.id}`)).status, 404);
  let r = await recA1.post(`/api/v1/orders/${o.id}/assignments`, { volunteer_ids: [vol.id] });
  assert.equal(r.status, 201, r.text);
  const reads = async (who) => (await root.get('/api/v1/audit-log?action=order.read_personal&limit=200')).json.items
    .filter((e) => e.target_id === o.id && e.actor_id === who).length;
  r = await volC.get(`/api/v1/orders/${o.id}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.personal, r.json.requester_name, r.json.notes, r.json.can_dispatch], ['masked', '钱*珍', null, false]);
  assert.equal(await reads(volC.userId), 0);
  const a = (await recA1.get(`/api/v1/orders/${o.id}/assignments`)).json.items.find((x) => x.volunteer_id === vol.id);
  assert.equal((await volC.post(`/api/v1/assignments/${a.id}/accept`)).status, 200);
  r = await volC.get(`/api/v1/orders/${o.id}`);
  assert.deepEqual([r.json.personal, r.json.requester_name, r.json.notes], ['full', '钱玉珍', '门禁码 1234']);
  assert.equal(await reads(volC.userId), 1);
  assert.equal((await otherC.get(`/api/v1/orders/${o.id}`)).status, 404);
  // a volunteer has no list of orders and no staff moves
  assert.equal((await volC.get('/api/v1/orders')).status, 403);
  assert.equal((await volC.post(`/api/v1/orders/${o.id}/cancel`, { reason: '不想去了' })).status, 403);
  assert.equal((await volC.get(`/api/v1/orders/${o.id}`)).json.status, 'dispatched', 'nothing changed it');
});

test('refused moves: a dispatched order is not declined; once in service nobody cancels or declines it', async () => {
  // an accepted order may still be given back: it goes on to the next provider
  const a = (await recA1.post('/api/v1/orders', order({ channel: 'hotline' }))).json;
  assert.equal((await recA1.post(`/api/v1/orders/${a.id}/accept`)).status, 200);
  let r = await admA.post(`/api/v1/orders/${a.id}/decline`, { reason: '接单后发现人手不够' });
  assert.deepEqual([r.status, r.json.status, r.json.org_id], [200, 'submitted', stA2.id]);
  assert.deepEqual(r.json.events.slice(-2).map((e) => [e.from_status, e.to_status]), [['accepted', 'declined'], ['declined', 'submitted']]);

  const who = { name: '韩卫东', phone: '13611110003', password: 'Order-vol-2026x' };
  const vol = await selfRegister(srv.url, who, { birth: '19880808', seq: 705, region: '510115001001', org: stA1.id });
  const volC = new Client(srv.url);
  await volC.login(who.phone, who.password);
  const b = (await recA1.post('/api/v1/orders', order({ channel: 'hotline' }))).json;
  assert.equal((await recA1.post(`/api/v1/orders/${b.id}/accept`)).status, 200);
  assert.equal((await recA1.post(`/api/v1/orders/${b.id}/assignments`, { volunteer_ids: [vol.id] })).status, 201);
  const asg = (await recA1.get(`/api/v1/orders/${b.id}/assignments`)).json.items[0];
  assert.equal((await volC.post(`/api/v1/assignments/${asg.id}/accept`)).status, 200);
  const code = b.tracking_code;
  let before = await allOrders();
  for (const [c, verb] of [[recA1, 'decline'], [recA1, 'accept']]) {
    r = await c.post(`/api/v1/orders/${b.id}/${verb}`, { reason: '试试' });
    assert.deepEqual([r.status, r.json.error.code], [409, 'order_status'], `dispatched: ${verb}`);
  }
  assert.equal(await allOrders(), before);
  r = await recA1.post(`/api/v1/orders/${b.id}/start`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'in_service');
  before = await allOrders();
  for (const verb of ['decline', 'accept', 'cancel']) {
    r = await recA1.post(`/api/v1/orders/${b.id}/${verb}`, { reason: '试试' });
    assert.deepEqual([r.status, r.json.error.code], [409, 'order_status'], `in service: ${verb}`);
  }
  r = await pub('POST', `/api/v1/public/orders/${code}/cancel`, {});
  assert.deepEqual([r.status, r.json.error.code], [409, 'order_status']);
  r = await pub('GET', `/api/v1/public/orders/${code}`);
  assert.deepEqual([r.json.status, r.json.can_cancel], ['in_service', false]);
  r = await pub('POST', `/api/v1/public/orders/${code}/cancel`, { reason: '原'.repeat(201) });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'too_long', 'reason']);
  assert.equal(await allOrders(), before);
});

// last: the escalation below moves every waiting order of this server
test('the board: overdue once the window has begun, escalated once passed up, each for its holder', async () => {
  const late = (await recA1.post('/api/v1/orders', order({ channel: 'hotline',
    preferred_from: iso(Date.now() - H), preferred_to: iso(Date.now() + 2 * H) }))).json;
  const board = async (c, col) => {
    const r = await c.get(`/api/v1/orders?board=${col}&limit=200`);
    assert.equal(r.status, 200, r.text);
    return r.json.items;
  };
  let row = (await board(recA1, 'overdue')).find((o) => o.id === late.id);
  assert.deepEqual([row?.overdue, row?.escalated_at], [true, null]);
  assert.ok((await board(recA1, 'new')).some((o) => o.id === late.id));
  assert.ok(!(await board(recA1, 'escalated')).some((o) => o.id === late.id));
  const r = await root.post('/api/v1/orders/escalation', { as_of: iso(Date.now() + 3 * H) });
  assert.equal(r.status, 200, r.text);
  // passed up to the association: on its board, gone from the station's
  row = (await board(admA, 'escalated')).find((o) => o.id === late.id);
  assert.ok(row?.escalated_at, 'escalated on the association\'s board');
  assert.equal(row.org_id, assocA.id);
  assert.ok(!(await board(recA1, 'escalated')).some((o) => o.id === late.id));
  assert.equal((await recA1.get(`/api/v1/orders/${late.id}`)).status, 404);
  assert.ok(!(await board(recB, 'escalated')).some((o) => o.id === late.id));
  const ev = (await admA.get(`/api/v1/orders/${late.id}/events`)).json.items.at(-1);
  assert.deepEqual([ev.from_status, ev.to_status, ev.actor_kind, ev.reason, ev.org_id], ['submitted', 'submitted', 'system', 'escalated', assocA.id]);
  // accepted there, it leaves the new column and stays flagged
  assert.equal((await admA.post(`/api/v1/orders/${late.id}/accept`)).status, 200);
  assert.ok(!(await board(admA, 'new')).some((o) => o.id === late.id));
  assert.ok((await board(admA, 'escalated')).some((o) => o.id === late.id));
});

// ---- round 2: closing, the sub-item's service time, the hotline that took the call ----

// Sends a request and asserts its status, error code and field, and that
// no table changed.
async function refused(send, want, what) {
  const before = await dbDigest(srv);
  const r = await send();
  assert.deepEqual([r.status, r.json?.error?.code, r.json?.error?.field ?? null], want, `${what}: ${r.text}`);
  assert.deepEqual(digestDiff(before, await dbDigest(srv)), [], `${what} changed nothing`);
  return r;
}
after(async () => { if (srv) await digestClose(srv); });

// A volunteer of stA1 who accepts offers on the phone.
let lifeVol = null, lifeSlot = 0;
async function lifeVolunteer() {
  if (lifeVol) return lifeVol;
  const phone = '13788800101', pw = 'Orders-life-7';
  const r = await new Client(srv.url).post('/api/v1/public/volunteers', {
    name: '点菜测试志愿者', id_type: 'resident_id', id_number: residentId('510115', birthForAge(40), 717), phone,
    region_code: '510115001001', org_id: stA1.id, password: pw, consent: { sensitive: true, notice_version: '2026-11' },
  });
  assert.equal(r.status, 201, r.text);
  const c = new Client(srv.url);
  await c.login(phone, pw);
  lifeVol = { id: r.json.volunteer.id, client: c };
  return lifeVol;
}

// A public order of sub taken the whole way to delivered by stA1's recorder.
async function delivered() {
  const vol = await lifeVolunteer();
  const body = order();
  let r = await pub('POST', '/api/v1/public/orders', body);
  assert.equal(r.status, 201, r.text);
  const o = { id: r.json.id, code: r.json.tracking_code, phone: body.phone };
  assert.equal(r.json.org_id, stA1.id);
  r = await recA1.post(`/api/v1/orders/${o.id}/accept`);
  assert.equal(r.status, 200, r.text);
  r = await recA1.post(`/api/v1/orders/${o.id}/assignments`, { volunteer_ids: [vol.id] });
  assert.equal(r.status, 201, r.text);
  r = await vol.client.post(`/api/v1/assignments/${r.json.items[0].id}/accept`);
  assert.equal(r.status, 200, r.text);
  const end = Date.now() - ++lifeSlot * 70 * 60 * 1000;
  r = await recA1.post(`/api/v1/orders/${o.id}/deliver`, { started_at: iso(end - H), ended_at: iso(end), notes: '已送达' });
  assert.equal(r.status, 200, r.text);
  return o;
}

test('closing: from delivered or rated only, by staff who dispatch it, not while a case is open; then masked', async () => {
  const o = await delivered();
  const path = `/api/v1/orders/${o.id}/close`;
  let d = await recA1.get(`/api/v1/orders/${o.id}`);
  assert.deepEqual([d.json.status, d.json.personal, d.json.phone.includes('*')], ['delivered', 'full', false]);

  // an order not yet delivered cannot be closed
  const early = (await pub('POST', '/api/v1/public/orders', order())).json;
  await refused(() => recA1.post(`/api/v1/orders/${early.id}/close`, {}), [409, 'order_status', null], 'submitted');
  // bad input, other roles and the other subtree
  await refused(() => recA1.post(path, { note: 5 }), [400, 'wrong_type', 'note'], 'note type');
  await refused(() => recA1.post(path, { note: '记'.repeat(501) }), [422, 'too_long', 'note'], 'note long');
  await refused(() => clerkA.post(path, {}), [403, 'forbidden', null], 'clerk');
  await refused(() => recB.post(path, {}), [404, 'not_found', null], 'other subtree');
  await refused(() => recA1.post('/api/v1/orders/999999/close', {}), [404, 'not_found', null], 'no such order');

  // a complaint opens a case: the order stays open until the case is closed
  let r = await recA1.post(`/api/v1/orders/${o.id}/complaints`, { details: '服务时间比约定晚了一小时' });
  assert.equal(r.status, 201, r.text);
  const caseId = r.json.id;
  await refused(() => recA1.post(path, { note: '已回访' }), [409, 'order_case_open', null], 'open case');
  const en = new Client(srv.url, { lang: 'en' });
  await en.login('admin', srv.adminPassword);
  r = await en.post(path, {});
  assert.match(r.json.error.message, /case about this order is still open/);
  // the sweep passes it over too, however old
  r = await root.post('/api/v1/orders/closing', { as_of: iso(Date.now() + 100 * 24 * H) });
  assert.equal(r.status, 200, r.text);
  assert.equal((await recA1.get(`/api/v1/orders/${o.id}`)).json.status, 'delivered');
  r = await root.post(`/api/v1/order-cases/${caseId}/close`, { outcome: '已致歉并回访' });
  assert.equal(r.status, 200, r.text);

  r = await recA1.post(path, { note: '回访满意，办结' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'closed');
  // closed: the personal data is masked for the dispatcher too, and no read is audited as personal
  const personalReads = async () => (await root.get('/api/v1/audit-log?action=order.read_personal&limit=200')).json.items
    .filter((x) => x.target_id === o.id).length;
  const readsBefore = await personalReads();
  assert.ok(readsBefore >= 1, 'the full read while it lived was audited');
  const closes = (await root.get('/api/v1/audit-log?action=order.close&limit=200')).json.items.filter((x) => x.target_id === o.id);
  assert.equal(closes.length, 1, 'the closing is audited');
  d = await recA1.get(`/api/v1/orders/${o.id}`);
  assert.equal(await personalReads(), readsBefore, 'a masked read is not audited');
  assert.deepEqual([d.json.status, d.json.personal, d.json.notes], ['closed', 'masked', null]);
  assert.ok(!d.text.includes(o.phone), 'phone masked');
  assert.match(d.json.phone, /\*/);
  assert.ok(!d.text.includes('3栋2单元501'), 'address masked');
  assert.ok(!d.text.includes('王秀兰'), 'name masked');
  const last = d.json.events.at(-1);
  assert.deepEqual([last.from_status, last.to_status, last.actor_kind, last.actor_user_id > 0, last.reason],
    ['delivered', 'closed', 'staff', true, '回访满意，办结']);
  // the tracking page shows it closed, without staff's note, and nothing more to do
  const t = await pub('GET', `/api/v1/public/orders/${o.code}`);
  assert.deepEqual([t.json.status, t.json.can_cancel, t.json.events.at(-1).to_status], ['closed', false, 'closed']);
  assert.ok(!t.text.includes('回访满意'), 'the note stays inside');
  // closed is final
  await refused(() => recA1.post(path, {}), [409, 'order_status', null], 'closed twice');
  await refused(() => recA1.post(`/api/v1/orders/${o.id}/cancel`, { reason: '误操作' }), [409, 'order_status', null], 'cancel closed');

  // a rated order is closed too (by a social worker of the association, no note)
  const rated = await delivered();
  r = await pub('POST', `/api/v1/public/orders/${rated.code}/rating`, { stars: 5, comment: '很好' });
  assert.equal(r.status, 201, r.text);
  r = await swA.post(`/api/v1/orders/${rated.id}/close`);
  assert.equal(r.status, 200, r.text);
  const e = r.json.events.at(-1);
  assert.deepEqual([r.json.status, e.from_status, e.to_status, e.reason ?? null], ['closed', 'rated', 'closed', null]);
});

test('delivered orders nobody rated are closed after --order-close-after days (default 14) by the sweep', async () => {
  const waiting = await delivered();
  const rated = await delivered();
  let r = await pub('POST', `/api/v1/public/orders/${rated.code}/rating`, { stars: 4, comment: '' });
  assert.equal(r.status, 201, r.text);
  const complained = await delivered();
  r = await recA1.post(`/api/v1/orders/${complained.id}/complaints`, { details: '志愿者未按约定时间到达' });
  assert.equal(r.status, 201, r.text);

  // bad input and callers other than the root's admins change nothing
  await refused(() => root.post('/api/v1/orders/closing', { as_of: 'later' }), [422, 'invalid_time', 'as_of'], 'as_of');
  await refused(() => root.post('/api/v1/orders/closing', { as_of: 5 }), [400, 'wrong_type', 'as_of'], 'as_of type');
  await refused(() => admA.post('/api/v1/orders/closing', {}), [403, 'forbidden', null], 'admin of a subtree');
  await refused(() => recA1.post('/api/v1/orders/closing', {}), [403, 'forbidden', null], 'recorder');

  // thirteen days on: too early
  r = await root.post('/api/v1/orders/closing', { as_of: iso(Date.now() + 13 * 24 * H) });
  assert.deepEqual([r.status, r.json.closed, r.json.after_days], [200, 0, 14], r.text);
  // fifteen days on: the unrated one alone (rated waits for staff, an open case blocks)
  const at = iso(Date.now() + 15 * 24 * H);
  r = await root.post('/api/v1/orders/closing', { as_of: at });
  assert.deepEqual([r.status, r.json.closed], [200, 1], r.text);
  const d = await recA1.get(`/api/v1/orders/${waiting.id}`);
  const e = d.json.events.at(-1);
  assert.deepEqual([d.json.status, d.json.personal, e.from_status, e.to_status, e.actor_kind, e.reason],
    ['closed', 'masked', 'delivered', 'closed', 'system', 'not_rated']);
  assert.equal(Date.parse(e.at), Date.parse(at));
  assert.equal((await pub('GET', `/api/v1/public/orders/${waiting.code}`)).json.status, 'closed');
  assert.equal((await recA1.get(`/api/v1/orders/${rated.id}`)).json.status, 'rated');
  assert.equal((await recA1.get(`/api/v1/orders/${complained.id}`)).json.status, 'delivered');
  // a second sweep finds nothing more
  r = await root.post('/api/v1/orders/closing', { as_of: at });
  assert.equal(r.json.closed, 0);
});

// The next China date, at least two days ahead, falling on weekday wday
// (0 Sunday … 6 Saturday), as YYYY-MM-DD.
function chinaDate(wday) {
  const d = new Date(Date.now() + 8 * H + 2 * 24 * H);
  while (d.getUTCDay() !== wday) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
const at8 = (ymd, hm) => `${ymd}T${hm}:00+08:00`;

test("the preferred window must meet the sub-item's weekdays and daily hours (China time)", async () => {
  // Wednesdays only (bit 2), 09:00–17:00
  const wedItem = await item({ name: '点菜测试周三义诊', parent_id: (await item({ name: '点菜测试义诊', parent_id: category.id })).id,
    provider_ids: [stA1.id], weekdays: 4, day_from: 540, day_to: 1020 });
  const wed = chinaDate(3), thu = chinaDate(4);
  const tue = new Date(Date.parse(`${wed}T00:00:00Z`) - 24 * H).toISOString().slice(0, 10);
  const win = (from, to) => order({ menu_item_id: wedItem.id, preferred_from: from, preferred_to: to });
  const outside = [
    ['evening', at8(wed, '17:00'), at8(wed, '20:00')],
    ['early morning', at8(wed, '06:00'), at8(wed, '09:00')],
    ['a Thursday', at8(thu, '10:00'), at8(thu, '12:00')],
    ['Tuesday night', at8(tue, '18:00'), at8(wed, '08:59')],
  ];
  for (const [what, from, to] of outside) {
    await refused(() => pub('POST', '/api/v1/public/orders', win(from, to)), [422, 'window_outside_hours', 'preferred_from'], `public ${what}`);
    await refused(() => recA1.post('/api/v1/orders', { ...win(from, to), channel: 'hotline' }), [422, 'window_outside_hours', 'preferred_from'], `intake ${what}`);
  }
  const en = new Client(srv.url, { lang: 'en' });
  const m = await en.request('POST', '/api/v1/public/orders', win(...outside[0].slice(1)), { 'X-Forwarded-For': nextAddr() });
  assert.match(m.json.error.message, /outside this service's hours/);
  // a window that meets the hours on one day, even in part, is taken
  for (const [from, to] of [[at8(wed, '10:00'), at8(wed, '11:00')], [at8(wed, '16:30'), at8(wed, '19:00')],
    [at8(tue, '20:00'), at8(wed, '09:30')], [at8(thu, '10:00'), at8(new Date(Date.parse(`${thu}T00:00:00Z`) + 6 * 24 * H).toISOString().slice(0, 10), '10:00')]]) {
    const r = await pub('POST', '/api/v1/public/orders', win(from, to));
    assert.equal(r.status, 201, `${from}–${to}: ${r.text}`);
  }
  const r = await recA1.post('/api/v1/orders', { ...win(at8(wed, '09:00'), at8(wed, '09:15')), channel: 'walk_in' });
  assert.equal(r.status, 201, r.text);
});

test('the hotline that took a call: named on a hotline intake, checked, kept and shown', async () => {
  const mid = await item({ name: '点菜测试热线项目', parent_id: category.id });
  const s1 = await item({ name: '点菜测试热线子项', parent_id: mid.id, provider_ids: [stA1.id] });
  const other = await item({ name: '点菜测试别的子项', parent_id: mid.id, provider_ids: [stA1.id] });
  const line = async (body) => {
    const r = await root.post('/api/v1/menu/hotlines', { org_id: assocA.id, ...body });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const byItem = await line({ number: '028-82719901', name: '点菜测试助老热线', item_ids: [mid.id] });
  const byCategory = await line({ number: '028-82719902', name: '点菜测试总热线', item_ids: [category.id] });
  const bySub = await line({ number: '028-82719903', name: '点菜测试子项热线', item_ids: [s1.id] });
  const elsewhere = await line({ number: '028-82719904', name: '点菜测试别处热线', item_ids: [other.id] });
  const gone = await line({ number: '028-82719905', name: '点菜测试停用热线', item_ids: [s1.id] });
  let r = await root.post(`/api/v1/menu/hotlines/${gone.id}/retire`);
  assert.equal(r.status, 200, r.text);

  const call = (extra) => ({ ...order({ menu_item_id: s1.id }), channel: 'hotline', ...extra });
  const cases = [
    [{ hotline_id: 'x' }, [400, 'wrong_type', 'hotline_id']],
    [{ hotline_id: 0 }, [422, 'invalid_id', 'hotline_id']],
    [{ hotline_id: 999999 }, [422, 'hotline_not_found', 'hotline_id']],
    [{ hotline_id: gone.id }, [422, 'hotline_inactive', 'hotline_id']],
    [{ hotline_id: elsewhere.id }, [422, 'hotline_not_taking', 'hotline_id']],
    [{ hotline_id: bySub.id, channel: 'walk_in' }, [422, 'hotline_needs_channel', 'hotline_id']],
  ];
  for (const [extra, want] of cases) await refused(() => recA1.post('/api/v1/orders', call(extra)), want, JSON.stringify(extra));

  for (const h of [bySub, byItem, byCategory]) {
    r = await recA1.post('/api/v1/orders', call({ hotline_id: h.id }));
    assert.equal(r.status, 201, r.text);
    const d = await recA1.get(`/api/v1/orders/${r.json.id}`);
    assert.deepEqual([d.json.channel, d.json.hotline_id, d.json.hotline_name, d.json.hotline_number],
      ['hotline', h.id, h.name, h.number]);
    // lists show it too (a public number, not personal data)
    const l = await recA1.get(`/api/v1/orders?menu_item_id=${s1.id}&limit=200`);
    assert.equal(l.json.items.find((x) => x.id === r.json.id).hotline_id, h.id);
  }
  // without one, and on the public page, it stays empty
  r = await recA1.post('/api/v1/orders', call({}));
  assert.equal(r.status, 201, r.text);
  assert.equal((await recA1.get(`/api/v1/orders/${r.json.id}`)).json.hotline_id, null);
});
