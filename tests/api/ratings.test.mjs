// Rating what was delivered (评菜, issue 13 §4) and the menu statistics
// (§5): the requester rates a delivered order once through the tracking
// code (a second rating 409), an operator records a phone rating (marked
// so); 1–2 stars or a complaint open a case that admins close with the
// outcome, which may name an amendment voiding the hours made through the
// existing amendment flow; the ratings feed the approver's quality
// suggestion; GET /menu/stats counts orders per sub-item, item, provider
// and region. Every refusal is checked to change nothing, and scope to
// hide the other subtree. Orders go the whole way: public order, provider
// accept, assignment, the volunteer's accept on their phone, delivery.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { staffUser } from '../lib/fixtures.mjs';
import { residentId, birthForAge } from '../lib/ids.mjs';
import { dbDigest, digestDiff, digestClose } from '../lib/digest.mjs';

const H = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const PW = 'Ratings-pass-7';

let srv, root, anon, rootOrg;
let assocA, stA1, assocB, stB1;
let admA, recA, clerkA, admB, recB;
let sub, subB, item, volA, volB;
let addrSeq = 0, phoneSeq = 0, slot = 0;
const records = new Map();   // order id → the record its delivery made

const pub = (method, path, body, headers = {}) =>
  anon.request(method, path, body, { 'X-Forwarded-For': `203.0.113.${++addrSeq}`, ...headers });

const org = async (name, kind, parent, region) => {
  const r = await root.post('/api/v1/organizations', { name, kind, parent_id: parent, region_code: region });
  assert.equal(r.status, 201, r.text);
  return r.json;
};
const menuItem = async (body) => {
  const r = await root.post('/api/v1/menu/items', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
};

// A volunteer of home organisation orgId who signs in on the phone.
let volSeq = 300;
async function volunteer(name, orgId, region) {
  volSeq += 3;
  const phone = `1377700${String(volSeq).padStart(4, '0')}`;
  const r = await new Client(srv.url).post('/api/v1/public/volunteers', {
    name, id_type: 'resident_id', id_number: residentId('510115', birthForAge(35), volSeq), phone,
    region_code: region, org_id: orgId, password: PW, consent: { sensitive: true, notice_version: '2026-11' },
  });
  assert.equal(r.status, 201, r.text);
  const c = new Client(srv.url);
  await c.login(phone, PW);
  return { id: r.json.volunteer.id, client: c };
}

// A resident's order on the public page: { id, code, org_id }.
async function placeOrder(s = sub, region = '510115001001') {
  const r = await pub('POST', '/api/v1/public/orders', {
    menu_item_id: s.id, requester_name: '刘桂芳', phone: `1366600${String(++phoneSeq).padStart(4, '0')}`,
    address: '温江区柳城街道光华社区8栋1单元302', region_code: region,
    preferred_from: iso(Date.now() + 24 * H), preferred_to: iso(Date.now() + 26 * H), consent: true,
  });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, code: r.json.tracking_code, org_id: r.json.org_id };
}

// The order the whole way to delivered: the provider accepts, the
// dispatcher assigns vol, who accepts on the phone; the dispatcher marks
// an hour of service in the past (each order its own hour, so one
// volunteer's records never overlap). Returns the delivery's answer.
async function deliver(o, staff = recA, vol = volA) {
  let r = await staff.post(`/api/v1/orders/${o.id}/accept`);
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/orders/${o.id}/assignments`, { volunteer_ids: [vol.id] });
  assert.equal(r.status, 201, r.text);
  const assignment = (r.json.items || r.json.assignments || []).find((a) => a.volunteer_id === vol.id) || r.json;
  r = await vol.client.post(`/api/v1/assignments/${assignment.id}/accept`);
  assert.equal(r.status, 200, r.text);
  slot += 1;
  const end = Date.now() - slot * 70 * 60 * 1000;
  r = await staff.post(`/api/v1/orders/${o.id}/deliver`, { started_at: iso(end - H), ended_at: iso(end), notes: '已陪同就医' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.record_ids.length, 1);
  records.set(o.id, r.json.record_ids[0]);
  return r.json;
}

const status = async (o) => (await pub('GET', `/api/v1/public/orders/${o.code}`)).json.status;

// Sends req and asserts the error's status, code and field, and that no
// table changed.
async function refused(send, want, what) {
  const before = await dbDigest(srv);
  const r = await send();
  assert.deepEqual([r.status, r.json?.error?.code, r.json?.error?.field ?? null], want, `${what}: ${r.text}`);
  assert.deepEqual(digestDiff(before, await dbDigest(srv)), [], `${what} changed nothing`);
  return r;
}

before(async () => {
  srv = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  anon = new Client(srv.url);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  assocA = await org('评菜测试柳城协会', 'association', rootOrg, '510115001000');
  stA1 = await org('评菜测试光华站', 'station', assocA.id, '510115001001');
  assocB = await org('评菜测试永宁协会', 'association', rootOrg, '510115002000');
  stB1 = await org('评菜测试永宁站', 'station', assocB.id, '510115002001');
  admA = await staffUser(root, 'rate_adm_a', ['admin'], assocA.id);
  recA = await staffUser(root, 'rate_rec_a', ['recorder'], stA1.id);
  clerkA = await staffUser(root, 'rate_clerk_a', ['clerk'], assocA.id);
  admB = await staffUser(root, 'rate_adm_b', ['admin'], assocB.id);
  recB = await staffUser(root, 'rate_rec_b', ['recorder'], stB1.id);
  const cat = await menuItem({ name: '评菜测试社区服务', parent_id: null });
  item = await menuItem({ name: '评菜测试助老', parent_id: cat.id });
  sub = await menuItem({ name: '评菜测试陪同就医', parent_id: item.id, provider_ids: [stA1.id] });
  subB = await menuItem({ name: '评菜测试上门理发', parent_id: item.id, provider_ids: [stB1.id] });
  volA = await volunteer('评菜测试志愿者甲', stA1.id, '510115001001');
  volB = await volunteer('评菜测试志愿者乙', stB1.id, '510115002001');
});
after(async () => {
  if (srv) await digestClose(srv);
  await srv?.stop();
});

let rated, low, phoned, waiting, complained, orderB, lowDelivery;

test('the requester rates a delivered order once through the tracking code; a second rating is refused', async () => {
  rated = await placeOrder();
  waiting = await placeOrder();
  // before delivery: 409, nothing changes
  await refused(() => pub('POST', `/api/v1/public/orders/${waiting.code}/rating`, { stars: 5 }), [409, 'not_delivered', null], 'not delivered');
  await deliver(rated);
  assert.equal(await status(rated), 'delivered');
  // the code is read case-insensitively, as the tracking page does
  let r = await anon.request('POST', `/api/v1/public/orders/${rated.code.toLowerCase()}/rating`, { stars: 5, comment: '志愿者很耐心' },
    { 'X-Forwarded-For': '203.0.113.250' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json, { id: r.json.id, order_id: rated.id, stars: 5, comment: '志愿者很耐心', channel: 'web', status: 'rated', case_opened: false });
  assert.equal(await status(rated), 'rated');
  // the order's history names the step, by the requester
  r = await recA.get(`/api/v1/orders/${rated.id}/events`);
  assert.equal(r.status, 200, r.text);
  const last = (r.json.items || r.json.events).at(-1);
  assert.deepEqual([last.from_status, last.to_status, last.actor_kind], ['delivered', 'rated', 'public']);
  // a second rating, from the page or the phone: 409, nothing changes
  await refused(() => pub('POST', `/api/v1/public/orders/${rated.code}/rating`, { stars: 1, comment: '再评一次' }), [409, 'already_rated', null], 'second rating');
  await refused(() => recA.post(`/api/v1/orders/${rated.id}/rating`, { stars: 2 }), [409, 'already_rated', null], 'second rating by phone');
  // in English too
  const en = await pub('POST', `/api/v1/public/orders/${rated.code}/rating`, { stars: 4 }, { 'Accept-Language': 'en' });
  assert.equal(en.json.error.message, 'this order has been rated already: an order takes one rating');
  // no case for five stars
  r = await admA.get('/api/v1/order-cases');
  assert.deepEqual(r.json.items.filter((c) => c.order_id === rated.id), []);
});

test('bad input for every field of the public rating changes nothing', async () => {
  low = await placeOrder();
  lowDelivery = await deliver(low);
  const path = `/api/v1/public/orders/${low.code}/rating`;
  const cases = [
    [{}, [422, 'required', 'stars']],
    [{ stars: null }, [422, 'required', 'stars']],
    [{ stars: '5' }, [400, 'wrong_type', 'stars']],
    [{ stars: 4.5 }, [400, 'wrong_type', 'stars']],
    [{ stars: 0 }, [422, 'out_of_range', 'stars']],
    [{ stars: 6 }, [422, 'out_of_range', 'stars']],
    [{ stars: -1 }, [422, 'out_of_range', 'stars']],
    [{ stars: 3, comment: 7 }, [400, 'wrong_type', 'comment']],
    [{ stars: 3, comment: '很'.repeat(501) }, [422, 'too_long', 'comment']],
    [{ stars: 3, comment: 'a\u0001b' }, [422, 'invalid_text', 'comment']],
    [{ stars: 3, complaint: 'yes' }, [400, 'wrong_type', 'complaint']],
    [{ stars: 3, complaint: true }, [422, 'required', 'comment']],
    [{ stars: 3, complaint: true, comment: '' }, [422, 'required', 'comment']],
  ];
  for (const [body, want] of cases) await refused(() => pub('POST', path, body), want, JSON.stringify(body).slice(0, 60));
  await refused(() => anon.request('POST', path, '[1]'), [400, 'invalid_json', null], 'not an object');
  // unknown and malformed codes: 404
  for (const code of ['ZZZZZZZZZZZZZZZZ', 'short', 'A'.repeat(65), '%E5%A5%BD%E5%A5%BD%E5%A5%BD%E5%A5%BD%E5%A5%BD%E5%A5%BD%E5%A5%BD%E5%A5%BD']) {
    await refused(() => pub('POST', `/api/v1/public/orders/${code}/rating`, { stars: 5 }), [404, 'not_found', null], `code ${code}`);
  }
  assert.equal(await status(low), 'delivered');
});

test('1–2 stars or a complaint open a case; staff record phone ratings and complaints in their scope', async () => {
  // two stars: a low-rating case with the comment
  let r = await pub('POST', `/api/v1/public/orders/${low.code}/rating`, { stars: 2, comment: '迟到了一个小时' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.case_opened, true);
  // four stars with a complaint: a complaint case
  complained = await placeOrder();
  await deliver(complained);
  r = await pub('POST', `/api/v1/public/orders/${complained.code}/rating`, { stars: 4, comment: '服务好，但态度生硬', complaint: true });
  assert.deepEqual([r.status, r.json.case_opened], [201, true], r.text);
  // a phone rating of three stars: no case, marked as a phone rating
  phoned = await placeOrder();
  await deliver(phoned);
  const path = `/api/v1/orders/${phoned.id}/rating`;
  await refused(() => recA.post(path, { stars: 9 }), [422, 'out_of_range', 'stars'], 'phone stars');
  await refused(() => recA.post(path, { stars: 3, comment: ['x'] }), [400, 'wrong_type', 'comment'], 'phone comment');
  await refused(() => recA.post(path, {}), [422, 'required', 'stars'], 'phone stars missing');
  await refused(() => recA.post(path, { stars: 3, comment: '话'.repeat(501) }), [422, 'too_long', 'comment'], 'phone comment long');
  // a complaint only from the requester's own page: the operator records it as one
  await refused(() => clerkA.post(path, { stars: 3 }), [403, 'forbidden', null], 'clerk');
  await refused(() => volA.client.post(path, { stars: 3 }), [403, 'forbidden', null], 'volunteer');
  r = await recB.post(path, { stars: 3 });
  assert.ok([403, 404].includes(r.status), `other subtree: ${r.text}`);
  await refused(() => recA.post('/api/v1/orders/999999/rating', { stars: 3 }), [404, 'not_found', null], 'no such order');
  // the role is refused before the order is looked for
  await refused(() => clerkA.post('/api/v1/orders/999999/rating', { stars: 3 }), [403, 'forbidden', null], 'clerk, no such order');
  r = await recA.post(path, { stars: 3, comment: '电话回访：还可以' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.channel, r.json.stars, r.json.case_opened], ['phone', 3, false]);
  r = await recA.get(`/api/v1/orders/${phoned.id}/events`);
  const last = (r.json.items || r.json.events).at(-1);
  assert.deepEqual([last.to_status, last.actor_kind], ['rated', 'staff']);
  // an operator records a complaint about an order not delivered yet
  const cpath = `/api/v1/orders/${waiting.id}/complaints`;
  await refused(() => recA.post(cpath, {}), [422, 'required', 'details'], 'details missing');
  await refused(() => recA.post(cpath, { details: 5 }), [400, 'wrong_type', 'details'], 'details type');
  await refused(() => recA.post(cpath, { details: '投'.repeat(1001) }), [422, 'too_long', 'details'], 'details long');
  await refused(() => clerkA.post(cpath, { details: '无人上门' }), [403, 'forbidden', null], 'clerk complaint');
  r = await recB.post(cpath, { details: '无人上门' });
  assert.ok([403, 404].includes(r.status), `other subtree: ${r.text}`);
  r = await recA.post(`/api/v1/orders/${waiting.id}/complaints`, { details: '约好的时间无人上门' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.kind, r.json.status, r.json.order_id, r.json.details, r.json.stars], ['complaint', 'open', waiting.id, '约好的时间无人上门', null]);
});

test('cases are listed in scope and closed with an outcome and an amendment voiding the hours', async () => {
  // the other subtree's order, rated low: B's case, which A never sees
  orderB = await placeOrder(subB, '510115002001');
  await deliver(orderB, recB, volB);
  let r = await pub('POST', `/api/v1/public/orders/${orderB.code}/rating`, { stars: 1, comment: '没有按约定服务' });
  assert.equal(r.status, 201, r.text);

  r = await admA.get('/api/v1/order-cases?status=open');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((c) => [c.order_id, c.kind]), [[waiting.id, 'complaint'], [complained.id, 'complaint'], [low.id, 'low_rating']]);
  assert.equal(r.json.open_total, 3);
  const lowCase = r.json.items.find((c) => c.order_id === low.id);
  assert.deepEqual([lowCase.stars, lowCase.rating_comment, lowCase.rating_channel, lowCase.details, lowCase.menu_item_name],
    [2, '迟到了一个小时', 'web', '迟到了一个小时', '评菜测试陪同就医']);
  r = await admB.get('/api/v1/order-cases');
  assert.deepEqual(r.json.items.map((c) => [c.order_id, c.kind, c.stars]), [[orderB.id, 'low_rating', 1]]);
  // a page of one, then the next
  r = await admA.get('/api/v1/order-cases?limit=1');
  assert.equal(r.json.items.length, 1);
  const next = await admA.get(`/api/v1/order-cases?limit=1&cursor=${encodeURIComponent(r.json.next_cursor)}`);
  assert.equal(next.json.items[0].order_id, complained.id);
  // refusals: the role, the scope, bad filters
  for (const c of [recA, clerkA, volA.client]) assert.equal((await c.get('/api/v1/order-cases')).status, 403);
  assert.equal((await admB.get(`/api/v1/order-cases?org_id=${assocA.id}`)).status, 403);
  assert.deepEqual((await admA.get('/api/v1/order-cases?status=done')).json.error, { code: 'invalid_value', message: '字段值无效', field: 'status' });
  assert.equal((await admA.get('/api/v1/order-cases?limit=0')).json.error.code, 'invalid_limit');
  assert.deepEqual((await admA.get('/api/v1/order-cases?cursor=%21%21')).json.error.field, 'cursor');
  assert.equal((await admA.get('/api/v1/order-cases?org_id=x')).json.error.field, 'org_id');
  assert.equal((await admB.get(`/api/v1/order-cases/${lowCase.id}`)).status, 403);
  assert.equal((await admA.get('/api/v1/order-cases/999999')).status, 404);
  // the role is refused before the case is looked for
  assert.equal((await recA.get('/api/v1/order-cases/999999')).status, 403);
  await refused(() => recA.post('/api/v1/order-cases/999999/close', { outcome: '已核实' }), [403, 'forbidden', null], 'recorder, no such case');

  // the case shows the order's record; the approver approves it, then the
  // admin voids its hours through the amendment flow
  r = await admA.get(`/api/v1/order-cases/${lowCase.id}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.records.map((x) => [x.id, x.volunteer_id, x.status, x.amends_id]), [[lowDelivery.record_ids[0], volA.id, 'submitted', null]]);
  const record = lowDelivery.record_ids[0];
  r = await admA.post(`/api/v1/records/${record}/approve`);
  assert.equal(r.status, 200, r.text);
  r = await admA.post(`/api/v1/records/${record}/amendments`, { minutes: 0, reason: '差评核实：迟到，时长作废' });
  assert.equal(r.status, 201, r.text);
  const amendment = r.json.id;
  // an amendment of another order's record is not this case's
  const otherRecord = records.get(complained.id);

  const close = `/api/v1/order-cases/${lowCase.id}/close`;
  await refused(() => admA.post(close, {}), [422, 'required', 'outcome'], 'outcome missing');
  await refused(() => admA.post(close, { outcome: 3 }), [400, 'wrong_type', 'outcome'], 'outcome type');
  await refused(() => admA.post(close, { outcome: '办'.repeat(1001) }), [422, 'too_long', 'outcome'], 'outcome long');
  await refused(() => admA.post(close, { outcome: '已核实', amendment_id: 'x' }), [400, 'wrong_type', 'amendment_id'], 'amendment type');
  await refused(() => admA.post(close, { outcome: '已核实', amendment_id: 0 }), [422, 'invalid_id', 'amendment_id'], 'amendment zero');
  await refused(() => admA.post(close, { outcome: '已核实', amendment_id: otherRecord }), [422, 'invalid_amendment', 'amendment_id'], 'not an amendment');
  await refused(() => admA.post(close, { outcome: '已核实', amendment_id: 999999 }), [422, 'invalid_amendment', 'amendment_id'], 'no such record');
  await refused(() => recA.post(close, { outcome: '已核实' }), [403, 'forbidden', null], 'recorder closes');
  await refused(() => admB.post(close, { outcome: '已核实' }), [403, 'forbidden', null], 'other subtree closes');
  r = await admA.post(`/api/v1/order-cases/${lowCase.id}/close`, { outcome: '已回访致歉，志愿者时长作废', amendment_id: amendment });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.outcome, r.json.amendment_id, typeof r.json.closed_at], ['closed', '已回访致歉，志愿者时长作废', amendment, 'string']);
  assert.deepEqual(r.json.records.map((x) => [x.amends_id, x.minutes, x.status]), [[null, 60, 'approved'], [record, 0, 'submitted']]);
  await refused(() => admA.post(close, { outcome: '再办一次' }), [409, 'case_closed', null], 'closed twice');
  r = await admA.get('/api/v1/order-cases?status=closed');
  assert.deepEqual(r.json.items.map((c) => c.order_id), [low.id]);
  assert.equal(r.json.open_total, 2);
});

test('ratings suggest the records\' quality to the approver, in scope only', async () => {
  const ids = [rated, phoned, complained].map((o) => records.get(o.id));
  const recordB = records.get(orderB.id);
  let r = await admA.get(`/api/v1/menu/quality-suggestions?record_ids=${[...ids, recordB, 999999].join(',')}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => [x.record_id, x.stars, x.channel, x.suggested_quality]),
    [[ids[0], 5, 'web', 'excellent'], [ids[1], 3, 'phone', 'pass'], [ids[2], 4, 'web', 'good']]);
  // B's approver sees its own, 1 star: fail
  r = await admB.get(`/api/v1/menu/quality-suggestions?record_ids=${recordB},${ids[0]}`);
  assert.deepEqual(r.json.items.map((x) => [x.record_id, x.suggested_quality]), [[recordB, 'fail']]);
  for (const bad of ['', 'a', '1,,2', '1,', ',1', '0', '-3', Array.from({ length: 201 }, (_, i) => i + 1).join(',')]) {
    r = await admA.get(`/api/v1/menu/quality-suggestions?record_ids=${bad}`);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [400, 'invalid_value', 'record_ids'], `record_ids=${bad}`);
  }
  assert.equal((await clerkA.get(`/api/v1/menu/quality-suggestions?record_ids=${ids[0]}`)).status, 403);
});

test('the statistics count each sub-item, item, provider and region of a period, in scope', async () => {
  // China days: today and the day before (a test near midnight still
  // finds every order, created minutes ago, in one of them)
  const day = (off) => new Date(Date.now() + 8 * H + off * 24 * H).toISOString().slice(0, 10);
  const q = `from=${day(-1)}&to=${day(0)}`;
  // one more order of A, from another community: a second region whose
  // figures the provider's and the sub-item's rows add up
  await placeOrder(sub, '510115001002');
  let r = await admA.get(`/api/v1/menu/stats?${q}`);
  assert.equal(r.status, 200, r.text);
  const s = r.json;
  assert.deepEqual([s.from, s.to], [day(-1), day(0)]);
  // A: rated (5), waiting (submitted), low (2), complained (4), phoned (3), the new one
  const want = {
    orders: 6, delivered: 4, delivered_permille: 667, dispatched: 4, ratings: 4, stars_total: 14,
    stars_mean_centi: 350, satisfied: 2, satisfaction_permille: 500, unanswered: 2, escalated: 0, cancelled: 0,
  };
  const pick = (o) => Object.fromEntries(Object.keys(want).map((k) => [k, o[k]]));
  assert.deepEqual(pick(s.totals), want);
  assert.equal(typeof s.totals.dispatch_minutes, 'number');
  assert.equal(typeof s.totals.delivery_minutes, 'number');
  assert.deepEqual(s.by_sub_item.map((g) => [g.id, g.name, g.orders]), [[sub.id, '评菜测试陪同就医', 6]]);
  assert.deepEqual(s.by_item.map((g) => [g.id, g.name, g.orders]), [[item.id, '评菜测试助老', 6]]);
  assert.deepEqual(s.by_provider.map((g) => [g.org_id, g.name, g.orders, g.delivered]), [[stA1.id, '评菜测试光华站', 6, 4]]);
  assert.deepEqual(s.by_region.map((g) => [g.region_code, g.orders, g.delivered, g.unanswered, g.ratings]),
    [['510115001001', 5, 4, 1, 4], ['510115001002', 1, 0, 1, 0]]);
  assert.deepEqual(pick(s.by_provider[0]), want);
  assert.deepEqual(pick(s.by_sub_item[0]), want);
  // the root sees both subtrees, each list in order; B alone its one order
  r = await root.get(`/api/v1/menu/stats?${q}`);
  assert.deepEqual([r.json.totals.orders, r.json.by_sub_item.map((g) => [g.id, g.orders])], [7, [[sub.id, 6], [subB.id, 1]]]);
  assert.deepEqual(r.json.by_item.map((g) => [g.id, g.orders, g.ratings]), [[item.id, 7, 5]]);
  assert.deepEqual(r.json.by_provider.map((g) => [g.org_id, g.orders]), [[stA1.id, 6], [stB1.id, 1]]);
  assert.deepEqual(r.json.by_region.map((g) => [g.region_code, g.orders]), [['510115001001', 5], ['510115001002', 1], ['510115002001', 1]]);
  r = await admB.get(`/api/v1/menu/stats?${q}`);
  assert.deepEqual([r.json.totals.orders, r.json.totals.stars_total, r.json.totals.satisfaction_permille], [1, 1, 0]);
  r = await root.get(`/api/v1/menu/stats?${q}&org_id=${stB1.id}`);
  assert.equal(r.json.totals.orders, 1);
  // the same figures as a CSV for spreadsheets, headers in the reader's language
  r = await admA.get(`/api/v1/menu/stats.csv?${q}&lang=en`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  const lines = r.text.replace(/^\uFEFF/, '').split('\r\n');
  assert.equal(lines[0], 'Group,Key,Name,Orders,Delivered,Delivered (‰),Dispatched,Mean minutes to dispatch,Mean minutes to delivery,' +
    'Ratings,Mean stars (×100),Satisfied (4–5 stars),Satisfaction (‰),Unanswered,Escalated,Cancelled');
  const t = s.totals;
  const figs = `4,667,4,${t.dispatch_minutes},${t.delivery_minutes},4,350,2,500`;
  assert.deepEqual(lines.slice(1, -1), [
    `Totals,,,6,${figs},2,0,0`,
    `By sub-item,${sub.id},评菜测试陪同就医,6,${figs},2,0,0`,
    `By item,${item.id},评菜测试助老,6,${figs},2,0,0`,
    `By provider,${stA1.id},评菜测试光华站,6,${figs},2,0,0`,
    `By region,510115001001,${s.by_region[0].name || ''},5,${[4, 800, 4, s.by_region[0].dispatch_minutes, s.by_region[0].delivery_minutes, 4, 350, 2, 500].join(',')},1,0,0`,
    `By region,510115001002,${s.by_region[1].name || ''},1,0,0,0,,,0,0,0,0,1,0,0`,
  ]);
  assert.equal(lines.at(-1), '');
  r = await admA.get(`/api/v1/menu/stats.csv?${q}`);
  assert.match(r.text.replace(/^\uFEFF/, ''), /^分组,编号,名称,订单数,/);
  for (const [query, want2] of [['lang=fr', [400, 'invalid_value', 'lang']], ['from=2026-02-30', [400, 'invalid_day', 'from']]]) {
    r = await admA.get(`/api/v1/menu/stats.csv?${query}`);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], want2, query);
  }
  assert.equal((await admB.get(`/api/v1/menu/stats.csv?org_id=${assocA.id}`)).status, 403);
  assert.equal((await clerkA.get('/api/v1/menu/stats.csv')).status, 403);
  // a period before any order: zeros, no groups
  r = await admA.get('/api/v1/menu/stats?from=2020-01-01&to=2020-01-31');
  assert.deepEqual([r.json.totals.orders, r.json.totals.dispatch_minutes, r.json.by_sub_item], [0, null, []]);
  // refusals
  const bad = [
    ['from=2026-13-01', [400, 'invalid_day', 'from']],
    ['to=yesterday', [400, 'invalid_day', 'to']],
    [`from=${day(0)}&to=${day(-1)}`, [422, 'invalid_period', 'from']],
    ['from=2000-01-01&to=2020-01-01', [422, 'period_too_long', 'from']],
    ['org_id=abc', [400, 'invalid_id', 'org_id']],
  ];
  for (const [query, want2] of bad) {
    r = await admA.get(`/api/v1/menu/stats?${query}`);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], want2, query);
  }
  assert.equal((await admB.get(`/api/v1/menu/stats?org_id=${assocA.id}`)).status, 403);
  assert.equal((await clerkA.get('/api/v1/menu/stats')).status, 403);
  assert.equal((await volA.client.get('/api/v1/menu/stats')).status, 403);
  assert.equal((await anon.get('/api/v1/menu/stats')).status, 401);
});

// last: its rating's stars are whichever request won
test('ratings sent at once for one order: exactly one is taken, the others are 409', async () => {
  const o = await placeOrder();
  await deliver(o);
  const answers = await Promise.all([1, 2, 3, 4, 5, 1, 2, 3].map((stars, i) => (i % 2
    ? pub('POST', `/api/v1/public/orders/${o.code}/rating`, { stars })
    : recA.post(`/api/v1/orders/${o.id}/rating`, { stars }))));
  const won = answers.filter((r) => r.status === 201);
  assert.equal(won.length, 1, answers.map((r) => r.status).join(' '));
  for (const r of answers.filter((x) => x.status !== 201)) assert.deepEqual([r.status, r.json.error.code], [409, 'already_rated'], r.text);
  assert.equal(await status(o), 'rated');
  // the one rating stored is the one answered
  const r = await admA.get(`/api/v1/menu/quality-suggestions?record_ids=${records.get(o.id)}`);
  assert.deepEqual(r.json.items.map((x) => [x.stars, x.channel]), [[won[0].json.stars, won[0].json.channel]]);
});
