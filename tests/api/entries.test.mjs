// Scope the console must not let users get wrong (issue 10, §3 and §5):
// a clerk is offered only the stores whose counter they may work; a
// recorder lists their own entries, rejected ones first with the reason,
// and corrects them (resubmits_id); the approval lists say whether the
// caller may decide and why not, and approve refuses exactly those; a
// certificate's end after today counts as today.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

let srv, root, town, town2, clerk, rec1, rec2, worker, mover, moverUser;
let A, S1, S2, B, S3, stores = {}, vols = [], act1, act2, rec = {};
const H = 3600 * 1000, D = 24 * H;
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');
const chinaDay = (ms = Date.now()) => new Date(ms + 8 * H).toISOString().slice(0, 10);

async function user(username, roles, org) {
  const r = await root.post('/api/v1/users', { username, password: `${username}-pass-1`, roles, org_id: org.id });
  assert.equal(r.status, 201, r.text);
  const c = new Client(srv.url);
  await c.login(username, `${username}-pass-1`);
  return [c, r.json];
}

async function org(name, kind, parent, region) {
  const r = await root.post('/api/v1/organizations', { name, kind, parent_id: parent, region_code: region });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function enter(client, activity, vol, minutes = 60, extra = {}) {
  const r = await client.post('/api/v1/records', { activity_id: activity.id, volunteer_id: vol.id, minutes, quality: 'good', ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const mine = async (client, query = '') => {
  const r = await client.get(`/api/v1/me/entries${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};

before(async () => {
  srv = await startServer({ args: ['--public-url', 'https://zhiyuan.example.cn'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  A = await org('永宁镇志愿服务协会', 'association', rootOrg, '510115102000');
  S1 = await org('永宁社区工作站', 'station', A.id, '510115102001');
  S2 = await org('八角社区工作站', 'station', A.id, '510115102002');
  B = await org('和盛镇志愿服务协会', 'association', rootOrg, '510115103000');
  S3 = await org('和盛社区工作站', 'station', B.id, '510115103001');
  [town] = await user('town1', ['admin'], A);
  [town2] = await user('town2', ['admin'], A);
  [clerk] = await user('clerk1', ['clerk'], S1);
  [rec1] = await user('rec1', ['recorder'], S1);
  [rec2] = await user('rec2', ['recorder'], S1);
  [worker] = await user('worker1', ['social_worker'], A);
  [mover, moverUser] = await user('mover1', ['recorder'], S1);
  for (const [key, o] of [['S1', S1], ['S2', S2], ['A', A], ['S3', S3]]) {
    const r = await root.post('/api/v1/stores', { org_id: o.id, name: `${o.name}爱心超市` });
    assert.equal(r.status, 201, r.text);
    stores[key] = r.json;
  }
  for (let i = 0; i < 4; i++) {
    const r = await root.post('/api/v1/volunteers', { name: '录入' + i, id_type: 'resident_id', id_number: residentId('510115', '19880808', 31 + i * 2),
      phone: '1370000010' + i, region_code: '510115102001', org_id: S1.id, consent: { sensitive: true, notice_version: '2026-11' } });
    assert.equal(r.status, 201, r.text);
    vols.push(r.json);
  }
  const mk = async (name, ago) => {
    const r = await town.post('/api/v1/activities', { name, org_id: S1.id, starts_at: iso(ago), ends_at: iso(ago - 3 * H), place: '永宁社区', content: '环境整治' });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  act1 = await mk('河道清洁', 3 * D);
  act2 = await mk('敬老探访', 2 * D);
});
after(async () => { await srv?.stop(); });

test('stores: a clerk of one station is offered only their store; usable and own say why', async () => {
  let r = await clerk.get('/api/v1/stores?usable=true');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((s) => s.id), [stores.S1.id]);
  assert.deepEqual([r.json.items[0].usable, r.json.items[0].own], [true, true]);
  // the town admin: their association's store first, then the stations' below it; never another town's
  r = await town.get('/api/v1/stores?usable=true');
  assert.deepEqual(r.json.items.map((s) => s.id), [stores.A.id, stores.S1.id, stores.S2.id]);
  assert.deepEqual(r.json.items.map((s) => s.own), [true, false, false]);
  // no counter role: nothing to offer
  assert.deepEqual((await rec1.get('/api/v1/stores?usable=true')).json.items, []);
  // the plain list is unchanged (every active store) and flags each one
  r = await clerk.get('/api/v1/stores');
  const flags = Object.fromEntries(r.json.items.map((s) => [s.id, s.usable]));
  assert.deepEqual([flags[stores.S1.id], flags[stores.S2.id], flags[stores.A.id], flags[stores.S3.id]], [true, false, false, false]);
  assert.deepEqual((await clerk.get('/api/v1/stores?usable=false')).json.items.length, r.json.items.length);
  // the counter's own rule agrees: the usable store takes goods, another refuses
  assert.equal((await clerk.post(`/api/v1/stores/${stores.S1.id}/goods`, { name: '毛巾', price: 5 })).status, 201);
  r = await clerk.post(`/api/v1/stores/${stores.S2.id}/goods`, { name: '毛巾', price: 5 });
  assert.equal(r.status, 403);
  assert.equal((await clerk.get(`/api/v1/stores/${stores.S2.id}/goods`)).json.items.length, 0, 'the refusal added nothing');
  for (const bad of ['yes', '1', 'TRUE']) {
    r = await clerk.get(`/api/v1/stores?usable=${bad}`);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [400, 'invalid_value', 'usable'], bad);
  }
  assert.equal((await new Client(srv.url).get('/api/v1/stores?usable=true')).status, 401);
});

test('my entries: rejected first with the reason, then submitted, then approved; only my own', async () => {
  rec.r1 = await enter(rec1, act1, vols[0]);
  rec.r2 = await enter(rec1, act1, vols[1]);
  rec.r3 = await enter(rec1, act1, vols[2]);
  rec.r4 = await enter(rec1, act2, vols[0]);
  rec.r5 = await enter(rec2, act2, vols[1]);
  rec.r6 = await enter(town, act2, vols[2]);
  let r = await town.post(`/api/v1/records/${rec.r1.id}/reject`, { reason: '时长与签到表不符' });
  assert.equal(r.status, 200, r.text);
  assert.equal((await town.post(`/api/v1/records/${rec.r2.id}/approve`)).status, 200);

  let page = await mine(rec1);
  assert.deepEqual(page.items.map((x) => x.id), [rec.r1.id, rec.r4.id, rec.r3.id, rec.r2.id]);
  assert.deepEqual(page.items.map((x) => x.status), ['rejected', 'submitted', 'submitted', 'approved']);
  assert.equal(page.items[0].reject_reason, '时长与签到表不符');
  assert.equal(page.items[0].resubmitted_as, null);
  assert.equal(page.items[0].recorder_name, 'rec1');
  assert.deepEqual([page.total, page.page, page.limit], [4, 1, 50]);
  assert.deepEqual(page.counts, { to_fix: 1, submitted: 2, approved: 1, rejected: 1 });
  assert.ok(!page.items.some((x) => x.id === rec.r5.id || x.id === rec.r6.id), "others' entries are not mine");
  assert.deepEqual((await mine(rec2)).items.map((x) => x.id), [rec.r5.id]);

  page = await mine(rec1, '?limit=2&page=2');
  assert.deepEqual(page.items.map((x) => x.id), [rec.r3.id, rec.r2.id]);
  assert.equal(page.total, 4);
  assert.deepEqual((await mine(rec1, '?limit=2&page=3')).items, []);
  page = await mine(rec1, '?status=submitted');
  assert.deepEqual([page.items.map((x) => x.id), page.total], [[rec.r4.id, rec.r3.id], 2]);

  for (const [q, status, code, field] of [['?page=0', 400, 'invalid_value', 'page'], ['?page=x', 400, 'invalid_value', 'page'],
    ['?page=100001', 400, 'invalid_value', 'page'], ['?status=done', 400, 'invalid_status', 'status'],
    ['?limit=0', 400, 'invalid_limit', 'limit'], ['?limit=201', 400, 'invalid_limit', 'limit']]) {
    r = await rec1.get(`/api/v1/me/entries${q}`);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [status, code, field], q);
  }
  assert.equal((await new Client(srv.url).get('/api/v1/me/entries')).status, 401);
  assert.deepEqual((await mine(worker)).items, [], 'someone who entered nothing has an empty list');
});

test('a rejected entry is corrected once (resubmits_id); bad corrections change nothing', async () => {
  const before = await mine(rec1);
  const base = { activity_id: act1.id, volunteer_id: vols[0].id, minutes: 90, quality: 'excellent' };
  for (const [extra, status, code] of [
    [{ resubmits_id: 999999 }, 422, 'record_not_found'],
    [{ resubmits_id: rec.r2.id }, 422, 'resubmit_mismatch'],             // another volunteer's record
    [{ resubmits_id: 'x' }, 400, 'wrong_type'],
    [{ activity_id: act2.id, resubmits_id: rec.r4.id }, 409, 'not_rejected'],   // awaiting a decision
  ]) {
    const r = await rec1.post('/api/v1/records', { ...base, ...extra });
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [status, code, 'resubmits_id'], JSON.stringify(extra));
  }
  assert.deepEqual(await mine(rec1), before, 'the refusals entered nothing');

  const fixed = await enter(rec1, act1, vols[0], 90, { quality: 'excellent', resubmits_id: rec.r1.id });
  assert.deepEqual([fixed.status, fixed.minutes], ['submitted', 90]);
  const page = await mine(rec1);
  // the correction waits with the others; the corrected rejection goes last
  assert.deepEqual(page.items.map((x) => x.id), [fixed.id, rec.r4.id, rec.r3.id, rec.r2.id, rec.r1.id]);
  assert.equal(page.items.at(-1).resubmitted_as, fixed.id);
  assert.deepEqual(page.counts, { to_fix: 0, submitted: 3, approved: 1, rejected: 1 });

  // the same rejection cannot be corrected twice, even once its correction is rejected too
  assert.equal((await town.post(`/api/v1/records/${fixed.id}/reject`, { reason: '仍不符' })).status, 200);
  let r = await rec1.post('/api/v1/records', { ...base, resubmits_id: rec.r1.id });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [409, 'already_resubmitted', 'resubmits_id']);
  assert.equal((await mine(rec1)).counts.to_fix, 1, 'the rejected correction is now the one to fix');
  rec.fixed2 = await enter(rec1, act1, vols[0], 60, { resubmits_id: fixed.id });
  const after = await mine(rec1);
  assert.deepEqual(after.items.map((x) => x.id), [rec.fixed2.id, rec.r4.id, rec.r3.id, rec.r2.id, fixed.id, rec.r1.id]);
  assert.deepEqual(after.items.slice(-2).map((x) => x.resubmitted_as), [rec.fixed2.id, fixed.id]);
  assert.equal(after.counts.to_fix, 0);
  // pages read run by run give the same order, whatever their size
  const walked = [];
  for (let p = 1; p <= 7; p++) walked.push(...(await mine(rec1, `?limit=1&page=${p}`)).items.map((x) => x.id));
  assert.deepEqual(walked, after.items.map((x) => x.id));
  assert.deepEqual((await mine(rec1, '?limit=4&page=2')).items.map((x) => x.id), [fixed.id, rec.r1.id]);
  const rejected = await mine(rec1, '?status=rejected');
  assert.deepEqual([rejected.items.map((x) => x.id), rejected.total], [[fixed.id, rec.r1.id], 2]);
});

const list = async (client, query) => {
  const r = await client.get(`/api/v1/records${query}`);
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.json.items.map((x) => [x.id, x]));
};
const block = (items, id) => [items[id].can_approve, items[id].approve_block];

test('the queue says who may approve and why not, and approve refuses exactly those', async () => {
  // the mover enters a record at S1, then moves to another town's station
  rec.m = await enter(mover, act2, vols[3]);
  const moved = await root.patch(`/api/v1/users/${moverUser.id}`, { org_id: S3.id });
  assert.equal(moved.status, 200, moved.text);
  await mover.login('mover1', 'mover1-pass-1');

  let q = await list(town, '?status=submitted');
  assert.deepEqual(block(q, rec.r3.id), [true, null]);
  assert.deepEqual(block(q, rec.r6.id), [false, 'own_record'], 'the town admin entered it');
  assert.equal(q[rec.r6.id].recorder_name, 'town1');
  q = await list(rec1, '?status=submitted');
  assert.deepEqual(block(q, rec.r3.id), [false, 'own_record']);
  assert.deepEqual(block(q, rec.r5.id), [false, 'admin_required'], "a recorder does not decide on another recorder's entry");
  q = await list(worker, '?status=submitted');
  assert.deepEqual(block(q, rec.r3.id), [false, 'not_approver']);
  q = await list(town, '?status=approved');
  assert.deepEqual(block(q, rec.r2.id), [false, 'already_decided']);
  const m = (await mine(mover)).items.find((x) => x.id === rec.m.id);
  assert.deepEqual([m.can_approve, m.approve_block], [false, 'out_of_scope']);

  // approve answers as the lists said, and the refusals change nothing
  const refusals = [
    [town, rec.r6.id, 403, 'own_record'],
    [rec1, rec.r3.id, 403, 'own_record'],
    [rec1, rec.r5.id, 403, 'forbidden'],
    [worker, rec.r3.id, 403, 'forbidden'],
    [town, rec.r2.id, 409, 'already_decided'],
    [mover, rec.m.id, 403, 'forbidden'],
  ];
  for (const [client, id, status, code] of refusals) {
    const r = await client.post(`/api/v1/records/${id}/approve`);
    assert.deepEqual([r.status, r.json.error.code], [status, code], `record ${id}`);
  }
  for (const id of [rec.r6.id, rec.r3.id, rec.r5.id, rec.m.id])
    assert.equal((await root.get(`/api/v1/records/${id}`)).json.status, 'submitted', `record ${id} is still waiting`);
  // the second town admin may approve the first one's entry
  q = await list(town2, '?status=submitted');
  assert.deepEqual(block(q, rec.r6.id), [true, null]);
  assert.equal((await town2.post(`/api/v1/records/${rec.r6.id}/approve`)).status, 200);
  assert.equal((await town.post(`/api/v1/records/${rec.r3.id}/approve`)).status, 200);
});

test('certificates: an end after today counts as today; a start after today is refused', async () => {
  const later = new Date(Date.now() + 3 * D + 8 * H).toISOString().slice(0, 10);
  const day0 = chinaDay();
  let r = await root.post('/api/v1/certificates', { volunteer_id: vols[1].id, from: '2020-01-01', to: later });
  const day1 = chinaDay();
  assert.equal(r.status, 201, r.text);
  assert.ok([day0, day1].includes(r.json.to), `${r.json.to} is today`);
  assert.equal(r.json.from, '2020-01-01');
  assert.equal(r.json.minutes, 60);
  const count = (await root.get(`/api/v1/certificates?volunteer_id=${vols[1].id}`)).json.items.length;
  r = await root.post('/api/v1/certificates', { volunteer_id: vols[1].id, from: later, to: later });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'invalid_date', 'from']);
  assert.equal((await root.get(`/api/v1/certificates?volunteer_id=${vols[1].id}`)).json.items.length, count, 'nothing issued');
});

test('only the recorder of a rejected entry (or an admin over it) corrects it', async () => {
  const vol = vols[3];
  const theirs = await enter(rec2, act1, vol, 60);
  assert.equal((await town.post(`/api/v1/records/${theirs.id}/reject`, { reason: '人数不符' })).status, 200);
  const before = await mine(rec1);
  const body = { activity_id: act1.id, volunteer_id: vol.id, minutes: 30, quality: 'good', resubmits_id: theirs.id };
  // another recorder of the same station may enter records, but not "correct" this one
  let r = await rec1.post('/api/v1/records', body);
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [403, 'resubmit_not_yours', 'resubmits_id'], r.text);
  assert.match(r.json.error.message, /只能更正自己登记的/);
  assert.deepEqual(await mine(rec1), before, 'the refusal entered nothing');
  assert.equal((await mine(rec2)).items.find((x) => x.id === theirs.id).resubmitted_as, null);
  // an admin whose scope holds it may
  const fixed = await town2.post('/api/v1/records', body);
  assert.equal(fixed.status, 201, fixed.text);
  assert.equal((await mine(rec2)).items.find((x) => x.id === theirs.id).resubmitted_as, fixed.json.id);
  // (the recorder's own corrections: the test above)
});
