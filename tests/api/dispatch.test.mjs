// Dispatch of residents' orders (送菜, issue 13 §3): suggestions ranked by
// skills, certificates, closeness in the region tree, availability,
// recent load and ratings, each with its reasons; offers to volunteers,
// their answers on the phone (of concurrent accepts exactly one wins),
// decline and withdraw, start and delivery (one activity and one
// SUBMITTED record per accepted volunteer), the volunteer's "my orders"
// with audited personal data, escalation with a clock the test sets, scope
// and bad input for every field (nothing changes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { staffUser, selfRegister } from '../lib/fixtures.mjs';
import { residentId } from '../lib/ids.mjs';

const H = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
// the preferred windows lie days ahead, whatever the time of day
const DAY = 24 * H;

let srv, root, rootOrg, assocA, stA1, stA2, assocB, stB1;
let recA1, swA, clerkA, recB, admA;
let sub, volA, volA2, volB, meA, meA2, meB;
const v = {};
let phoneSeq = 0, idSeq = 0;

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
// a volunteer on file (no login) made by the root
const volunteer = async (name, orgId, region, skills) => {
  const r = await root.post('/api/v1/volunteers', {
    name, id_type: 'resident_id', id_number: residentId('510115', '19850317', 100 + 2 * ++idSeq),
    phone: '13700000000', region_code: region, org_id: orgId, skills,
    consent: { sensitive: true, notice_version: '2026-11' },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
};
// a volunteer who signs in on their phone
const withLogin = async (name, phone, orgId, region, skills, seq) => {
  const who = { name, phone, password: 'Disp-vol-2026x' };
  const file = await selfRegister(srv.url, who, { birth: '19920405', seq, region, org: orgId });
  if (skills.length) {
    const r = await root.patch(`/api/v1/volunteers/${file.id}`, { skills });
    assert.equal(r.status, 200, r.text);
  }
  const c = new Client(srv.url);
  await c.login(phone, who.password);
  return [file, c];
};
// an order taken by the hotline of station A1, accepted there
const acceptedOrder = async (fromDays = 1, hours = 3, extra = {}) => {
  const from = Date.now() + fromDays * DAY;
  let r = await recA1.post('/api/v1/orders', {
    menu_item_id: sub.id, requester_name: '赵桂芳', phone: `1380013${String(++phoneSeq).padStart(4, '0')}`,
    address: '温江区柳城街道光华社区5栋1单元302', region_code: '510115001001',
    preferred_from: iso(from), preferred_to: iso(from + hours * H), notes: '腿脚不便', consent: true,
    channel: 'hotline', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  assert.equal(r.json.org_id, stA1.id);
  r = await recA1.post(`/api/v1/orders/${id}/accept`);
  assert.equal(r.status, 200, r.text);
  return id;
};
const orderOf = async (id) => {
  const r = await root.get(`/api/v1/orders/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const assignments = async (id) => {
  const r = await root.get(`/api/v1/orders/${id}/assignments`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
};
// what an order and its offers look like: "nothing changed" compares these
const state = async (id) => {
  const o = await orderOf(id);
  return JSON.stringify([o.status, o.org_id, o.started_at, o.ended_at, o.activity_id,
    (await assignments(id)).map((a) => [a.id, a.volunteer_id, a.status, a.record_id])]);
};
const err = (r, status, code, field) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
};

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  assocA = await org('送菜测试柳城协会', 'association', rootOrg, '510115001000');
  stA1 = await org('送菜测试光华站', 'station', assocA.id, '510115001001');
  stA2 = await org('送菜测试东大站', 'station', assocA.id, '510115001002');
  assocB = await org('送菜测试永宁协会', 'association', rootOrg, '510115002000');
  stB1 = await org('送菜测试永宁站', 'station', assocB.id, '510115002001');
  recA1 = await staffUser(root, 'disp_rec_a1', ['recorder'], stA1.id);
  swA = await staffUser(root, 'disp_sw_a', ['social_worker'], assocA.id);
  admA = await staffUser(root, 'disp_adm_a', ['admin'], assocA.id);
  clerkA = await staffUser(root, 'disp_clerk_a', ['clerk'], assocA.id);
  recB = await staffUser(root, 'disp_rec_b', ['recorder'], assocB.id);
  const cat = await item({ name: '送菜测试专业服务', parent_id: null });
  const mid = await item({ name: '送菜测试护理', parent_id: cat.id });
  sub = await item({ name: '送菜测试上门护理', parent_id: mid.id, provider_ids: [stA1.id, stA2.id, stB1.id],
    skills: ['急救', '护理'], certificates: ['护理证'], duration_minutes: 90 });
  // under station A1: the ranking's candidates
  v.full = await volunteer('近邻全能', stA1.id, '510115001001', ['急救', '护理', '护理证']);
  v.town = await volunteer('同镇急救', stA1.id, '510115001002', ['急救']);
  v.bare = await volunteer('近邻无技能', stA1.id, '510115001001', []);
  [volA, meA] = await withLogin('接单甲', '13600001001', stA1.id, '510115001001', ['急救', '护理'], 11);
  [volA2, meA2] = await withLogin('接单乙', '13600001002', stA1.id, '510115003001', ['护理'], 13);
  // outside station A1's subtree: never suggested for its orders
  v.sibling = await volunteer('东大站志愿者', stA2.id, '510115001001', ['急救', '护理', '护理证']);
  [volB, meB] = await withLogin('永宁志愿者', '13600001003', stB1.id, '510115002001', ['急救'], 15);
});
after(async () => { await srv?.stop(); });

let o1;   // the order followed from suggestion to delivery

test('suggestions: ranked with exact scores and reasons; scope, status and bad input', async () => {
  o1 = await acceptedOrder(2);
  const r = await recA1.get(`/api/v1/orders/${o1}/suggestions`);
  assert.equal(r.status, 200, r.text);
  const got = r.json.items.map((x) => [x.name, x.score, x.distance, x.reasons.join(' ')]);
  assert.deepEqual(got, [
    ['近邻全能', 95, 0, 'skills_all certificates_all same_community available light_load not_rated'],
    ['接单甲', 75, 0, 'skills_all certificates_missing same_community available light_load not_rated'],
    ['同镇急救', 52, 1, 'skills_some certificates_missing same_town available light_load not_rated'],
    ['近邻无技能', 45, 0, 'skills_none certificates_missing same_community available light_load not_rated'],
    ['接单乙', 44, 2, 'skills_some certificates_missing same_district available light_load not_rated'],
  ]);
  assert.equal(r.json.candidates, 5);
  assert.deepEqual(r.json.teams.map((t) => [t.org_id, t.candidates, t.available]), [[stA1.id, 5, 5]]);
  assert.ok(!r.text.includes('东大站志愿者') && !r.text.includes('永宁志愿者'), 'only the holding subtree');
  // limit cuts the list, not the candidates
  const two = await recA1.get(`/api/v1/orders/${o1}/suggestions?limit=2`);
  assert.deepEqual(two.json.items.map((x) => x.name), ['近邻全能', '接单甲']);
  for (const bad of ['0', 'x', '101', '-1']) err(await recA1.get(`/api/v1/orders/${o1}/suggestions?limit=${bad}`), 400, 'invalid_limit', 'limit');
  // outside the subtree, a clerk, a volunteer: refused
  for (const c of [recB, clerkA, meA]) assert.ok([403, 404].includes((await c.get(`/api/v1/orders/${o1}/suggestions`)).status));
  err(await recA1.get('/api/v1/orders/99999999/suggestions'), 404, 'not_found');
  // an order not yet accepted by its provider
  const o = await recA1.post('/api/v1/orders', {
    menu_item_id: sub.id, requester_name: '钱多', phone: '13800139999', address: '光华社区1栋', region_code: '510115001001',
    preferred_from: iso(Date.now() + 3 * DAY), preferred_to: iso(Date.now() + 3 * DAY + H), consent: true, channel: 'hotline',
  });
  err(await recA1.get(`/api/v1/orders/${o.json.id}/suggestions`), 409, 'order_not_dispatchable');
});

test('assign: bad input for every field changes nothing; then offers and the order is dispatched', async () => {
  const before = await state(o1);
  const cases = [
    [{}, 422, 'required'],
    [{ volunteer_ids: null }, 422, 'required'],
    [{ volunteer_ids: 'x' }, 400, 'wrong_type'],
    [{ volunteer_ids: [] }, 422, 'required'],
    [{ volunteer_ids: ['1'] }, 400, 'wrong_type'],
    [{ volunteer_ids: [0] }, 400, 'wrong_type'],
    [{ volunteer_ids: Array.from({ length: 21 }, (_, i) => i + 1) }, 422, 'too_many'],
    [{ volunteer_ids: [volA.id, volA.id] }, 422, 'duplicate_entry'],
    [{ volunteer_ids: [volA.id, 99999999] }, 422, 'volunteer_not_found'],
    [{ volunteer_ids: [volA.id, v.sibling.id] }, 422, 'volunteer_out_of_scope'],
    [{ volunteer_ids: [volB.id] }, 422, 'volunteer_out_of_scope'],
  ];
  for (const [body, status, code] of cases) {
    err(await recA1.post(`/api/v1/orders/${o1}/assignments`, body), status, code, 'volunteer_ids');
    assert.equal(await state(o1), before, `nothing changed after ${JSON.stringify(body).slice(0, 60)}`);
  }
  // outside the subtree or without the role: refused, nothing changed
  for (const c of [recB, clerkA, meA]) {
    const r = await c.post(`/api/v1/orders/${o1}/assignments`, { volunteer_ids: [volA.id] });
    assert.ok([403, 404].includes(r.status), r.text);
  }
  assert.equal(await state(o1), before);

  const r = await swA.post(`/api/v1/orders/${o1}/assignments`, { volunteer_ids: [volA.id, volA2.id] });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.items.map((a) => [a.volunteer_id, a.status]), [[volA.id, 'offered'], [volA2.id, 'offered']]);
  assert.equal((await orderOf(o1)).status, 'dispatched');
  // once offered, twice is refused; the suggestions leave them out
  err(await recA1.post(`/api/v1/orders/${o1}/assignments`, { volunteer_ids: [volA.id] }), 409, 'already_assigned', 'volunteer_ids');
  // at most 20 people out on one order at once: with 2 offered, 19 more are
  // refused before anyone is looked at, and nothing changes
  const held = await state(o1);
  const more = Array.from({ length: 19 }, (_, i) => 90000000 + i);
  err(await recA1.post(`/api/v1/orders/${o1}/assignments`, { volunteer_ids: more }), 422, 'too_many', 'volunteer_ids');
  assert.equal(await state(o1), held);
  const s = await recA1.get(`/api/v1/orders/${o1}/suggestions`);
  assert.deepEqual(s.json.items.map((x) => x.name), ['近邻全能', '同镇急救', '近邻无技能']);
});

test('answers on the phone: only the volunteer offered; of concurrent accepts exactly one wins', async () => {
  const [a1, a2] = await assignments(o1);
  // not theirs (another volunteer, staff without a file): not found, nothing changed
  const before = await state(o1);
  err(await meA2.post(`/api/v1/assignments/${a1.id}/accept`), 404, 'not_found');
  err(await meB.post(`/api/v1/assignments/${a1.id}/accept`), 404, 'not_found');
  assert.ok([403, 404].includes((await recA1.post(`/api/v1/assignments/${a1.id}/accept`)).status));
  err(await meA.post('/api/v1/assignments/99999999/accept'), 404, 'not_found');
  err(await meA2.post(`/api/v1/assignments/${a2.id}/decline`, { reason: 'x'.repeat(201) }), 422, 'too_long', 'reason');
  err(await meA2.post(`/api/v1/assignments/${a2.id}/decline`, { reason: 5 }), 400, 'wrong_type', 'reason');
  assert.equal(await state(o1), before);

  const answers = await Promise.all(Array.from({ length: 6 }, () => meA.post(`/api/v1/assignments/${a1.id}/accept`)));
  assert.deepEqual(answers.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409]);
  for (const r of answers.filter((x) => x.status === 409)) assert.equal(r.json.error.code, 'assignment_changed');
  const events = await root.get('/api/v1/audit-log?action=assignment.accept');
  assert.equal(events.json.items.filter((e) => e.target_id === a1.id).length, 1);

  let r = await meA2.post(`/api/v1/assignments/${a2.id}/decline`, { reason: '那天要上班' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.decline_reason], ['declined', '那天要上班']);
  // an answered offer cannot be answered as if it were open
  err(await meA2.post(`/api/v1/assignments/${a2.id}/accept`), 409, 'assignment_changed');
  assert.deepEqual((await assignments(o1)).map((a) => a.status), ['accepted', 'declined']);
  assert.equal((await orderOf(o1)).status, 'dispatched');
});

test('my orders: full personal data only once accepted, each such read audited; others masked', async () => {
  let r = await meA.get('/api/v1/me/orders');
  assert.equal(r.status, 200, r.text);
  const mine = r.json.items.find((x) => x.order_id === o1);
  assert.deepEqual([mine.status, mine.order_status, mine.personal_data, mine.requester_name, mine.address, mine.item_name],
    ['accepted', 'dispatched', true, '赵桂芳', '温江区柳城街道光华社区5栋1单元302', '送菜测试上门护理']);
  assert.match(mine.phone, /^1380013\d{4}$/);
  const audit = await root.get('/api/v1/audit-log?action=order.read_personal');
  assert.ok(audit.json.items.some((e) => e.target_id === o1), 'the read is audited');

  r = await meA2.get('/api/v1/me/orders');
  const declined = r.json.items.find((x) => x.order_id === o1);
  assert.deepEqual([declined.status, declined.personal_data, declined.requester_name, declined.address],
    ['declined', false, '赵*芳', null]);
  assert.match(declined.phone, /^138\*{4}\d{4}$/);
  assert.ok(!r.text.includes('光华社区5栋'));
  // filters and their bad input; staff without a file
  assert.deepEqual((await meA2.get('/api/v1/me/orders?status=accepted')).json.items, []);
  err(await meA.get('/api/v1/me/orders?status=done'), 400, 'invalid_value', 'status');
  err(await meA.get('/api/v1/me/orders?limit=0'), 400, 'invalid_limit', 'limit');
  err(await meA.get('/api/v1/me/orders?cursor=zz'), 400, 'invalid_cursor', 'cursor');
  assert.equal((await recA1.get('/api/v1/me/orders')).status, 404);
});

test('a volunteer holding an order overlapping the window ranks last as busy, and cannot accept a clash', async () => {
  const o2 = await acceptedOrder(2, 2);
  const r = await recA1.get(`/api/v1/orders/${o2}/suggestions`);
  const a = r.json.items.find((x) => x.volunteer_id === volA.id);
  // 75 less a fifth of the load part for the order they hold (1 of 6), less 200 for being busy
  assert.equal(a.score, 30 + 0 + 25 + 12 + 5 - 200);
  assert.equal(a.recent_services, 1);
  assert.equal(a.available, false);
  assert.ok(a.reasons.includes('busy_order') && !a.reasons.includes('available'));
  assert.equal(r.json.items.at(-1).volunteer_id, volA.id);
  let x = await recA1.post(`/api/v1/orders/${o2}/assignments`, { volunteer_ids: [volA.id] });
  assert.equal(x.status, 201, x.text);
  err(await meA.post(`/api/v1/assignments/${x.json.items[0].id}/accept`), 409, 'assignment_overlap');
  // the dispatcher takes the offer back: nobody left, the order waits again
  x = await recA1.post(`/api/v1/assignments/${x.json.items[0].id}/withdraw`);
  assert.equal(x.status, 200, x.text);
  assert.equal(x.json.status, 'withdrawn');
  assert.equal((await orderOf(o2)).status, 'accepted');
  err(await recB.post(`/api/v1/assignments/${x.json.id}/withdraw`), 403, 'forbidden');
});

test('start and delivery: bad input changes nothing; one submitted record per accepted volunteer', async () => {
  const start = Date.now() - 3 * H;
  // nobody may start what is not theirs
  err(await meA2.post(`/api/v1/orders/${o1}/start`, {}), 404, 'not_found');
  assert.ok([403, 404].includes((await recB.post(`/api/v1/orders/${o1}/start`, {})).status));
  err(await meA.post(`/api/v1/orders/${o1}/start`, { started_at: 'soon' }), 422, 'invalid_time', 'started_at');
  err(await meA.post(`/api/v1/orders/${o1}/start`, { started_at: iso(Date.now() + H) }), 422, 'in_the_future', 'started_at');
  let r = await meA.post(`/api/v1/orders/${o1}/start`, { started_at: iso(start) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'in_service');
  err(await meA.post(`/api/v1/orders/${o1}/start`, {}), 409, 'order_not_startable');

  const before = await state(o1);
  const cases = [
    [{}, 422, 'required', 'ended_at'],
    [{ ended_at: 5 }, 400, 'wrong_type', 'ended_at'],
    [{ ended_at: 'later' }, 422, 'invalid_time', 'ended_at'],
    [{ ended_at: iso(Date.now() + 2 * H) }, 422, 'in_the_future', 'ended_at'],
    [{ ended_at: iso(start - H) }, 422, 'ends_before_start', 'ended_at'],
    [{ started_at: iso(start - 30 * H), ended_at: iso(start) }, 422, 'service_too_long', 'ended_at'],
    [{ started_at: 'x', ended_at: iso(start + H) }, 422, 'invalid_time', 'started_at'],
    [{ ended_at: iso(start + H), notes: 'x'.repeat(501) }, 422, 'too_long', 'notes'],
    [{ ended_at: iso(start + H), notes: 7 }, 400, 'wrong_type', 'notes'],
  ];
  for (const [body, status, code, field] of cases) {
    err(await recA1.post(`/api/v1/orders/${o1}/deliver`, body), status, code, field);
    assert.equal(await state(o1), before, `nothing changed after ${JSON.stringify(body)}`);
  }
  err(await meA2.post(`/api/v1/orders/${o1}/deliver`, { ended_at: iso(start + H) }), 404, 'not_found');
  assert.equal(await state(o1), before);

  r = await recA1.post(`/api/v1/orders/${o1}/deliver`, { ended_at: iso(start + 90 * 60 * 1000), notes: '测量血压、换药' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'delivered');
  assert.equal(r.json.record_ids.length, 1, 'one record: the one volunteer who accepted');
  const rec = await root.get(`/api/v1/records/${r.json.record_ids[0]}`);
  assert.equal(rec.status, 200, rec.text);
  assert.deepEqual([rec.json.status, rec.json.volunteer_id, rec.json.minutes, rec.json.activity_id],
    ['submitted', volA.id, 90, r.json.activity_id]);
  assert.ok(!rec.text.includes('光华社区5栋'), 'the address stays out of the record');
  const o = await orderOf(o1);
  assert.deepEqual([o.status, o.activity_id], ['delivered', r.json.activity_id]);
  assert.deepEqual((await assignments(o1)).map((a) => [a.status, a.record_id]),
    [['accepted', r.json.record_ids[0]], ['declined', null]]);
  err(await recA1.post(`/api/v1/orders/${o1}/deliver`, { ended_at: iso(start + H) }), 409, 'order_not_deliverable');
  // the order is over: my orders masks it again
  const mine = (await meA.get('/api/v1/me/orders')).json.items.find((x) => x.order_id === o1);
  assert.deepEqual([mine.personal_data, mine.address, mine.record_id], [false, null, r.json.record_ids[0]]);
});

test('all offers declined: the order goes back to accepted; a dispatched order goes straight to delivered', async () => {
  const o3 = await acceptedOrder(5, 1);
  let r = await recA1.post(`/api/v1/orders/${o3}/assignments`, { volunteer_ids: [volA2.id] });
  assert.equal(r.status, 201, r.text);
  r = await meA2.post(`/api/v1/assignments/${r.json.items[0].id}/decline`, {});
  assert.equal(r.status, 200, r.text);
  const o = await orderOf(o3);
  assert.equal(o.status, 'accepted');
  const ev = await root.get(`/api/v1/orders/${o3}/events`);
  assert.ok(JSON.stringify(ev.json).includes('all_declined'), ev.text);
  // start and delivery without an accepted volunteer are refused
  err(await recA1.post(`/api/v1/orders/${o3}/deliver`, { started_at: iso(Date.now() - 2 * H), ended_at: iso(Date.now() - H) }), 409, 'order_not_deliverable');
  r = await recA1.post(`/api/v1/orders/${o3}/assignments`, { volunteer_ids: [volA2.id] });
  assert.equal(r.status, 201, r.text);
  err(await recA1.post(`/api/v1/orders/${o3}/start`, {}), 409, 'no_accepted_volunteer');
  r = await meA2.post(`/api/v1/assignments/${r.json.items[0].id}/accept`);
  assert.equal(r.status, 200, r.text);
  // the volunteer delivers from dispatched: started_at is then required
  err(await meA2.post(`/api/v1/orders/${o3}/deliver`, { ended_at: iso(Date.now() - H) }), 422, 'required', 'started_at');
  r = await meA2.post(`/api/v1/orders/${o3}/deliver`, { started_at: iso(Date.now() - 2 * H), ended_at: iso(Date.now() - H) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.record_ids.length, 1);
  const st = (await root.get(`/api/v1/orders/${o3}/events`)).text;
  assert.ok(st.indexOf('in_service') >= 0);
});

test('escalation: orders nobody took go one level up after the set time, by the clock the test sets', async () => {
  const waiting = await recA1.post('/api/v1/orders', {
    menu_item_id: sub.id, requester_name: '孙立', phone: '13800137777', address: '光华社区9栋', region_code: '510115001001',
    preferred_from: iso(Date.now() + 4 * DAY), preferred_to: iso(Date.now() + 4 * DAY + H), consent: true, channel: 'hotline',
  });
  assert.equal(waiting.status, 201, waiting.text);
  const w = waiting.json.id;
  const noAnswer = await acceptedOrder(6, 1);
  let r = await recA1.post(`/api/v1/orders/${noAnswer}/assignments`, { volunteer_ids: [v.bare.id] });
  assert.equal(r.status, 201, r.text);
  const now = Date.now();
  // only admins of the root; bad as_of changes nothing
  for (const c of [admA, recA1, meA]) err(await c.post('/api/v1/orders/escalation', { as_of: iso(now + 3 * H) }), 403, 'forbidden');
  err(await root.post('/api/v1/orders/escalation', { as_of: 'tomorrow' }), 422, 'invalid_time', 'as_of');
  err(await root.post('/api/v1/orders/escalation', { as_of: 12 }), 400, 'wrong_type', 'as_of');
  // not yet due (the default is 120 minutes)
  r = await root.post('/api/v1/orders/escalation', { as_of: iso(now + 100 * 60 * 1000) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.after_minutes, 120);
  assert.deepEqual([(await orderOf(w)).org_id, (await orderOf(noAnswer)).org_id], [stA1.id, stA1.id]);
  r = await root.post('/api/v1/orders/escalation', { as_of: iso(now + 3 * H) });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.escalated >= 2);
  let a = await orderOf(w), b = await orderOf(noAnswer);
  assert.deepEqual([a.status, a.org_id, b.status, b.org_id], ['submitted', assocA.id, 'dispatched', assocA.id]);
  assert.ok(a.escalated_at, 'flagged for the board');
  assert.ok((await root.get(`/api/v1/orders/${w}/events`)).text.includes('escalated'));
  // the new level waits as long again: the same clock changes nothing
  r = await root.post('/api/v1/orders/escalation', { as_of: iso(now + 3 * H) });
  a = await orderOf(w);
  assert.equal(a.org_id, assocA.id);
  // the station no longer holds it; the association's staff do
  assert.ok([403, 404].includes((await recA1.get(`/api/v1/orders/${w}/assignments`)).status));
  assert.equal((await swA.get(`/api/v1/orders/${noAnswer}/assignments`)).status, 200);
  r = await root.post('/api/v1/orders/escalation', { as_of: iso(now + 5 * H + 60 * 1000) });
  assert.equal((await orderOf(w)).org_id, rootOrg);
  // the root has no level above: it stays
  r = await root.post('/api/v1/orders/escalation', { as_of: iso(now + 9 * H) });
  assert.equal((await orderOf(w)).org_id, rootOrg);
});

test('a certificate is held through a training of that name', async () => {
  const t = await recA1.post('/api/v1/trainings', { name: '护理证', content: '居家护理', org_id: stA1.id, study_minutes: 120, held_on: '2026-10-10' });
  assert.equal(t.status, 201, t.text);
  const a = await recA1.post(`/api/v1/trainings/${t.json.id}/attendees`, { volunteer_ids: [v.town.id] });
  assert.equal(a.status, 200, a.text);
  const o = await acceptedOrder(8, 1);
  const r = await recA1.get(`/api/v1/orders/${o}/suggestions`);
  const town = r.json.items.find((x) => x.volunteer_id === v.town.id);
  assert.deepEqual([town.score, town.certificates_held, town.reasons.slice(0, 3)],
    [15 + 20 + 17 + 15 + 5, 1, ['skills_some', 'certificates_all', 'same_town']]);
});

test('refused moves: sending to an order not accepted, answering an offer of a cancelled order', async () => {
  const sub2 = await recA1.post('/api/v1/orders', {
    menu_item_id: sub.id, requester_name: '李芳', phone: '13800136666', address: '光华社区2栋', region_code: '510115001001',
    preferred_from: iso(Date.now() + 9 * DAY), preferred_to: iso(Date.now() + 9 * DAY + H), consent: true, channel: 'hotline',
  });
  assert.equal(sub2.status, 201, sub2.text);
  const before = await state(sub2.json.id);
  err(await recA1.post(`/api/v1/orders/${sub2.json.id}/assignments`, { volunteer_ids: [volA2.id] }), 409, 'order_not_dispatchable');
  err(await recA1.post(`/api/v1/orders/${sub2.json.id}/start`, {}), 409, 'order_not_startable');
  assert.equal(await state(sub2.json.id), before);

  const o = await acceptedOrder(10, 1);
  let r = await recA1.post(`/api/v1/orders/${o}/assignments`, { volunteer_ids: [volA2.id] });
  assert.equal(r.status, 201, r.text);
  const offer = r.json.items[0].id;
  r = await recA1.post(`/api/v1/orders/${o}/cancel`, { reason: '居民已另行安排' });
  assert.equal(r.status, 200, r.text);
  const after = await state(o);
  err(await meA2.post(`/api/v1/assignments/${offer}/accept`), 409, 'order_changed');
  err(await meA2.post(`/api/v1/assignments/${offer}/decline`, {}), 409, 'order_changed');
  err(await recA1.post(`/api/v1/assignments/${offer}/withdraw`), 409, 'order_changed');
  err(await recA1.get(`/api/v1/orders/${o}/suggestions`), 409, 'order_not_dispatchable');
  assert.equal(await state(o), after);
});
