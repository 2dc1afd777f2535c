// Guards that `make mutants` (scripts/mutants.mjs) found no test for: each
// test here fails when one authorisation check or guard in src/app is
// removed, and checks the state after the refusal, not only the status.
// The mutant each test kills is named in its title.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, randomAdminPassword } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

const pw = () => randomAdminPassword();
let srv, root, rootOrg, orgA, orgB, stA, stB;
const staff = {};   // role + 'A' / 'B' -> { client, id, username }

async function user(role, org, tag) {
  const username = `g_${role}_${tag}`.toLowerCase().slice(0, 30);
  const password = pw();
  const r = await root.post('/api/v1/users', { username, password, roles: [role], org_id: org.id });
  assert.equal(r.status, 201, r.text);
  const client = new Client(srv.url);
  await client.login(username, password);
  return { client, id: r.json.id, username };
}

let seq = 0;
async function volunteer(org, region) {
  seq++;
  const r = await root.post('/api/v1/volunteers', { name: '守卫' + seq, id_type: 'resident_id',
    id_number: residentId('510115', '19800101', 100 + seq * 2), phone: '1370000' + String(1000 + seq).slice(-4),
    region_code: region, org_id: org.id, consent: { sensitive: true, notice_version: '2026-11' } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// Gives volunteer v an account through the claim flow's staff invitation
// (the development sender shows staff the code) and signs it in.
async function volunteerLogin(v) {
  const inv = await root.post(`/api/v1/volunteers/${v.id}/claim-invitations`);
  assert.equal(inv.status, 201, inv.text);
  const password = pw();
  const done = await new Client(srv.url).post('/api/v1/public/claims/complete', { claim_id: inv.json.claim_id, code: inv.json.code, password });
  assert.equal(done.status, 201, done.text);
  const c = new Client(srv.url);
  await c.login(v.phone, password);
  return c;
}

before(async () => {
  // certificates are refused without a public address
  srv = await startServer({ args: ['--public-url', 'https://zhiyuan.example.cn'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const org = async (name, kind, parent, region) => {
    const r = await root.post('/api/v1/organizations', { name, kind, parent_id: parent, region_code: region });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  orgA = await org('柳城街道志愿服务协会', 'association', rootOrg, '510115001000');
  orgB = await org('公平街道志愿服务协会', 'association', rootOrg, '510115002000');
  stA = await org('光华社区工作站', 'station', orgA.id, '510115001001');
  stB = await org('公平社区工作站', 'station', orgB.id, '510115002001');
  for (const role of ['admin', 'recorder', 'clerk', 'social_worker']) {
    staff[role + 'A'] = await user(role, orgA, role + 'A');
    staff[role + 'B'] = await user(role, orgB, role + 'B');
  }
});
after(async () => { await srv?.stop(); });

test('users.c target_org: an admin cannot create an account in a sibling subtree', async () => {
  const username = 'g_intruder';
  const r = await staff.adminA.client.post('/api/v1/users', { username, password: pw(), roles: ['admin'], org_id: orgB.id });
  assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden']);
  const found = await root.get('/api/v1/users?q=' + username);
  assert.deepEqual(found.json.items, [], 'no account was made');
  // in the own subtree the same request works, so the refusal is the scope
  const ok = await staff.adminA.client.post('/api/v1/users', { username, password: pw(), roles: ['recorder'], org_id: stA.id });
  assert.equal(ok.status, 201, ok.text);
});

test('users.c users_create / load_user: non-admins are refused before their input is read', async () => {
  for (const who of ['recorderA', 'clerkA', 'social_workerA']) {
    const c = staff[who].client;
    let r = await c.post('/api/v1/users', {});
    assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], `${who} POST /users {}`);
    r = await c.post('/api/v1/users', { username: 'g_' + who.toLowerCase(), password: pw(), roles: ['admin'], org_id: 999999 });
    assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], `${who} POST /users, unknown org`);
    // whether an account id exists is not told to someone who may not read accounts
    r = await c.get('/api/v1/users/999999');
    assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], `${who} GET /users/999999`);
    r = await c.patch('/api/v1/users/999999', { display_name: 'x' });
    assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], `${who} PATCH /users/999999`);
  }
});

test('authz.c scope prefix: the subtree of /1/5/ does not hold /1/50/', async () => {
  // organisations under the root until one's id extends another's digits
  const made = [];
  let short, long;
  for (let i = 0; i < 120 && !long; i++) {
    const r = await root.post('/api/v1/organizations', { name: '前缀队' + i, kind: 'team', professional: true, parent_id: rootOrg, region_code: '510115' });
    assert.equal(r.status, 201, r.text);
    made.push(r.json);
    if (!short && r.json.id >= 2 && r.json.id <= 9) short = r.json;
    if (short && r.json.id === short.id * 10) long = r.json;
  }
  if (!short) {   // ids past 9 already: take a two-digit one and wait for its ×10
    short = made[0];
    for (let i = 0; i < 2000 && !long; i++) {
      const r = await root.post('/api/v1/organizations', { name: '前缀队x' + i, kind: 'team', professional: true, parent_id: rootOrg, region_code: '510115' });
      if (r.json.id === short.id * 10) long = r.json;
    }
  }
  assert.ok(long, `an organisation ${short.id}0 beside ${short.id}`);
  // both sit right under the root: paths /r/5/ and /r/50/
  assert.deepEqual([short.parent_id, long.parent_id], [rootOrg, rootOrg]);
  const adm = await user('admin', short, 'prefix');
  let r = await adm.client.get('/api/v1/organizations/' + long.id);
  assert.equal(r.status, 403);
  r = await adm.client.patch('/api/v1/organizations/' + long.id, { name: '被改名' });
  assert.equal(r.status, 403);
  assert.equal((await root.get('/api/v1/organizations/' + long.id)).json.name, long.name, 'unchanged');
  r = await adm.client.post('/api/v1/users', { username: 'g_prefix_in', password: pw(), roles: ['admin'], org_id: long.id });
  assert.equal(r.status, 403);
  assert.deepEqual((await root.get('/api/v1/users?q=g_prefix_in')).json.items, []);
  // its own organisation stays readable
  assert.equal((await adm.client.get('/api/v1/organizations/' + short.id)).status, 200);
});

const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);   // China time

test('awards.c rounds: created by admins only, listed within the scope', async () => {
  const body = { name: '守卫表彰', org_id: stA.id, period_from: '2026-01-01', period_to: today() };
  for (const who of ['recorderA', 'clerkA', 'social_workerA']) {
    const r = await staff[who].client.post('/api/v1/award-rounds', {});
    assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], `${who} POST /award-rounds {}`);
  }
  const made = await staff.adminA.client.post('/api/v1/award-rounds', body);
  assert.equal(made.status, 201, made.text);
  const ids = async (c) => (await c.get('/api/v1/award-rounds')).json.items.map((x) => x.id);
  assert.ok((await ids(staff.adminA.client)).includes(made.json.id));
  assert.ok(!(await ids(staff.adminB.client)).includes(made.json.id), 'a sibling admin does not list it');
  assert.equal((await staff.adminB.client.get('/api/v1/award-rounds/' + made.json.id)).status, 403);
  // a volunteer reads no rounds at all
  const v = await volunteer(stA, '510115001001');
  const vc = await volunteerLogin(v);
  const r = await vc.get('/api/v1/award-rounds');
  assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden']);
});

test('certificates.c issue: not for a volunteer outside the caller\'s scope', async () => {
  const v = await volunteer(stA, '510115001001');
  const r = await staff.adminB.client.post('/api/v1/certificates', { volunteer_id: v.id, from: '2020-01-01', to: today() });
  assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden']);
  const list = await root.get('/api/v1/certificates?volunteer_id=' + v.id);
  assert.deepEqual(list.json.items.filter((c) => c.volunteer_id === v.id), [], 'no certificate issued');
  // the own admin gets past the scope (to the missing hours)
  const ok = await staff.adminA.client.post('/api/v1/certificates', { volunteer_id: v.id, from: '2020-01-01', to: today() });
  assert.deepEqual([ok.status, ok.json.error.code], [422, 'no_service_in_period'], ok.text);
});

test('claims.c invite: only those who may edit files, and only within their scope', async () => {
  const v = await volunteer(stA, '510115001001');
  for (const who of ['clerkA', 'social_workerA']) {
    let r = await staff[who].client.post(`/api/v1/volunteers/${v.id}/claim-invitations`);
    assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], who);
    r = await staff[who].client.post('/api/v1/volunteers/999999/claim-invitations');
    assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], `${who}, no such file`);
  }
  const r = await staff.adminB.client.post(`/api/v1/volunteers/${v.id}/claim-invitations`);
  assert.equal(r.status, 403);
  const starts = (await root.get('/api/v1/audit-log?action=claim.start&limit=200')).json.items;
  assert.deepEqual(starts.filter((a) => a.target_id === v.id), [], 'no claim was started');
});

// A role without the right to an action is refused before the object is
// looked up, so it learns nothing about which ids exist (403, never 404).
// Each row kills a role pre-check that a later scoped check would mask.
const NO_SUCH = 999999;
const prechecks = [
  // [roles refused, method, path, body]
  [['recorderA', 'clerkA', 'social_workerA'], 'POST', `/api/v1/join-requests/${NO_SUCH}/accept`, undefined],   // homes.c decide
  [['recorderA', 'clerkA', 'social_workerA'], 'POST', `/api/v1/join-requests/${NO_SUCH}/decline`, undefined],
  [['clerkA', 'social_workerA'], 'POST', `/api/v1/imports/volunteers?org_id=${NO_SUCH}`, 'name\n'],   // imports.c
  [['clerkA', 'social_workerA'], 'POST', '/api/v1/imports/volunteers', 'name\n'],
  [['clerkA', 'social_workerA'], 'POST', '/api/v1/activities', {}],   // records.c activities_create
  [['clerkA', 'volunteer'], 'GET', `/api/v1/activities/${NO_SUCH}`, undefined],   // records.c activities_get
  [['clerkA', 'social_workerA'], 'POST', '/api/v1/records/batch', {}],   // records.c records_create_batch
  [['clerkA', 'social_workerA'], 'POST', `/api/v1/records/${NO_SUCH}/amendments`, {}],   // records.c records_amend
  [['clerkA', 'social_workerA'], 'POST', `/api/v1/records/${NO_SUCH}/approve`, undefined],   // records.c decide
  [['clerkA', 'social_workerA'], 'POST', `/api/v1/records/${NO_SUCH}/reject`, { reason: '不对' }],
  [['clerkA', 'social_workerA'], 'POST', '/api/v1/trainings', {}],   // training.c
  [['clerkA', 'social_workerA'], 'POST', `/api/v1/trainings/${NO_SUCH}/attendees`, {}],
  [['recorderA', 'clerkA', 'social_workerA'], 'POST', '/api/v1/points/adjustments', {}],   // points.c
  [['recorderA', 'clerkA', 'social_workerA'], 'POST', '/api/v1/stores', {}],   // market.c store create
  [['recorderA', 'clerkA', 'social_workerA'], 'PATCH', `/api/v1/stores/${NO_SUCH}`, { allow_on_behalf: true }],   // market.c store update
  [['recorderA', 'social_workerA'], 'POST', '/api/v1/vouchers/ZZZZZZZZZZZZZZZZ/redeem', {}],   // market.c redeem
  [['recorderA', 'social_workerA'], 'POST', `/api/v1/stores/${NO_SUCH}/sales`, {}],   // market.c sale
  [['clerkA'], 'POST', '/api/v1/projects', {}],   // projects.c create
  [['adminA', 'recorderA', 'clerkA', 'social_workerA'], 'POST', '/api/v1/regions', {}],   // regions.c: root only
  [['adminA', 'recorderA', 'clerkA', 'social_workerA'], 'PATCH', '/api/v1/regions/510115999999', {}],
  [['adminA', 'recorderA', 'clerkA', 'social_workerA'], 'PUT', '/api/v1/regions/510115999999/population/2025', {}],
  [['adminA', 'recorderA', 'clerkA', 'social_workerA'], 'PUT', '/api/v1/star-levels', {}],   // stars.c
  [['adminA', 'recorderA', 'clerkA', 'social_workerA'], 'POST', '/api/v1/shifts/sweep', undefined],   // shifts.c: root only
  [['adminA', 'recorderA', 'clerkA', 'social_workerA'], 'PUT', '/api/v1/calendar/2026-10-01', {}],   // records.c calendar
  [['adminA', 'recorderA', 'clerkA', 'social_workerA'], 'DELETE', '/api/v1/calendar/2026-10-01', undefined],
  [['volunteer'], 'GET', `/api/v1/volunteers/${NO_SUCH}`, undefined],   // volunteers.c load_vol
  [['volunteer'], 'PATCH', `/api/v1/volunteers/${NO_SUCH}`, {}],
  [['volunteer'], 'GET', `/api/v1/users/${NO_SUCH}`, undefined],
  [['clerkA', 'volunteer'], 'GET', '/api/v1/social-work-agencies', undefined],   // projects.c agencies
  [['recorderA', 'clerkA', 'social_workerA', 'volunteer'], 'POST', '/api/v1/organizations', {}],   // orgs.c create
  [['clerkA', 'social_workerA', 'volunteer'], 'POST', '/api/v1/volunteers', {}],   // volunteers.c create
];
test('role pre-checks: a refused role gets 403 on ids that do not exist', async () => {
  staff.volunteer = { client: await volunteerLogin(await volunteer(stA, '510115001001')) };
  for (const [roles, method, path, body] of prechecks) {
    for (const who of roles) {
      const r = await staff[who].client.request(method, path, body);
      assert.deepEqual([r.status, r.json?.error?.code], [403, 'forbidden'], `${who} ${method} ${path}`);
    }
  }
});

test('market.c stores: which counters a user may work, and an admin opens stores only in the scope', async () => {
  const r0 = await staff.adminB.client.post('/api/v1/stores', { org_id: stA.id, name: '越界超市' });
  assert.equal(r0.status, 403);
  const made = await staff.adminA.client.post('/api/v1/stores', { org_id: stA.id, name: '光华爱心超市' });
  assert.equal(made.status, 201, made.text);
  const id = made.json.id;
  const names = async (c) => (await c.get('/api/v1/stores')).json.items.map((x) => x.name);
  assert.ok(!(await names(root)).includes('越界超市'), 'no store opened outside the scope');
  const row = async (c, q = '') => (await c.get('/api/v1/stores' + q)).json.items.find((x) => x.id === id);
  assert.equal((await row(staff.clerkA.client)).usable, true);
  assert.equal((await row(staff.clerkB.client)).usable, false, 'a sibling clerk may not work this counter');
  assert.equal((await row(staff.recorderA.client)).usable, false, 'a recorder works no counter');
  assert.ok(await row(staff.clerkA.client, '?usable=true'));
  assert.equal(await row(staff.clerkB.client, '?usable=true'), undefined, 'not offered to a sibling clerk');
  const rec = await staff.recorderA.client.get('/api/v1/stores?usable=true');
  assert.deepEqual([rec.status, rec.json.items], [200, []], 'a recorder is offered no counter');
});

test('market.c vouchers: a code is looked up only by its owner, staff of their scope, or a clerk', async () => {
  const owner = await volunteer(stA, '510115001001');
  const oc = await volunteerLogin(owner);
  const stranger = await volunteerLogin(await volunteer(stB, '510115002001'));
  assert.equal((await root.post('/api/v1/points/adjustments', { volunteer_id: owner.id, amount: 30, reason: '守卫测试' })).status, 201);
  const v = await root.post('/api/v1/vouchers', { volunteer_id: owner.id, value: 30 });
  assert.equal(v.status, 201, v.text);
  const path = `/api/v1/vouchers/${v.json.code}`;
  assert.equal((await oc.get(path)).json.code, v.json.code);
  assert.equal((await staff.clerkB.client.get(path)).status, 200, 'any clerk at a counter');
  assert.equal((await staff.social_workerA.client.get(path)).status, 200, 'staff of the scope');
  let r = await stranger.get(path);
  assert.equal(r.status, 403, 'another volunteer');
  assert.equal(r.json.error.code, 'forbidden');
  r = await staff.social_workerB.client.get(path);
  assert.equal(r.status, 403, 'staff of a sibling subtree without a counter');
  // refused lookups changed nothing
  assert.equal((await oc.get(path)).json.status, 'issued');
});

test('orgs.c create: not under a parent outside the scope', async () => {
  const r = await staff.adminB.client.post('/api/v1/organizations', { name: '越界工作站', kind: 'station', parent_id: orgA.id, region_code: '510115001009' });
  assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden']);
  const kids = (await root.get('/api/v1/organizations?parent_id=' + orgA.id)).json.items.map((o) => o.name);
  assert.ok(!kids.includes('越界工作站'), 'nothing created');
  assert.ok(kids.includes(stA.name), 'the listing works');
});

test('training.c: trainings are read by record readers of the scope only', async () => {
  const t = await staff.recorderA.client.post('/api/v1/trainings', { name: '守卫培训', content: '消防', org_id: stA.id, study_minutes: 60, held_on: '2026-10-10' });
  assert.equal(t.status, 201, t.text);
  const ids = async (c) => (await c.get('/api/v1/trainings')).json.items.map((x) => x.id);
  assert.ok((await ids(staff.social_workerA.client)).includes(t.json.id));
  assert.ok(!(await ids(staff.adminB.client)).includes(t.json.id), 'not listed in a sibling subtree');
  let r = await staff.adminB.client.get('/api/v1/trainings/' + t.json.id);
  assert.equal(r.status, 403);
  for (const who of ['clerkA', 'volunteer']) {
    const c = who === 'volunteer' ? await volunteerLogin(await volunteer(stA, '510115001001')) : staff[who].client;
    r = await c.get('/api/v1/trainings');
    assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], `${who} lists`);
    r = await c.get('/api/v1/trainings/' + t.json.id);
    assert.equal(r.status, 403, `${who} reads`);
    r = await c.get(`/api/v1/trainings/${NO_SUCH}`);
    assert.equal(r.status, 403, `${who} reads one that does not exist`);
  }
  // nobody outside attended it
  const v = await volunteer(stB, '510115002001');
  r = await staff.adminB.client.post(`/api/v1/trainings/${t.json.id}/attendees`, { volunteer_ids: [v.id] });
  assert.equal(r.status, 403);
});

const isoAgo = (ms) => new Date(Date.now() - ms).toISOString().replace(/\.\d+Z$/, 'Z');

// An activity of station A (3 h, two days ago) with one submitted record
// entered by A's recorder.
async function submittedRecord() {
  const a = await staff.recorderA.client.post('/api/v1/activities', { name: '守卫活动', org_id: stA.id,
    starts_at: isoAgo(48 * 3600e3), ends_at: isoAgo(45 * 3600e3), place: '光华社区', content: '陪伴老人' });
  assert.equal(a.status, 201, a.text);
  const v = await volunteer(stA, '510115001001');
  const rec = await staff.recorderA.client.post('/api/v1/records', { activity_id: a.json.id, volunteer_id: v.id, minutes: 120, quality: 'pass' });
  assert.equal(rec.status, 201, rec.text);
  return { activity: a.json, record: rec.json, volunteer: v };
}

test('records.c: records and activities out of scope are neither decided nor read nor listed', async () => {
  const { activity, record, volunteer: v } = await submittedRecord();
  const state = async () => (await root.get('/api/v1/records/' + record.id)).json.status;
  for (const who of ['adminB', 'recorderB']) {
    const c = staff[who].client;
    let r = await c.post(`/api/v1/records/${record.id}/approve`);
    assert.equal(r.status, 403, `${who} approves`);
    r = await c.post(`/api/v1/records/${record.id}/reject`, { reason: '越界' });
    assert.equal(r.status, 403, `${who} rejects`);
    assert.equal(await state(), 'submitted', `after ${who}'s refusals`);
    assert.equal((await c.get('/api/v1/records/' + record.id)).status, 403, `${who} reads the record`);
    assert.ok(!(await c.get('/api/v1/records')).json.items.some((x) => x.id === record.id), `${who} lists it`);
    assert.equal((await c.get('/api/v1/activities/' + activity.id)).status, 403, `${who} reads the activity`);
    assert.ok(!(await c.get('/api/v1/activities')).json.items.some((x) => x.id === activity.id), `${who} lists the activity`);
    assert.equal((await c.get(`/api/v1/volunteers/${v.id}/archive`)).status, 403, `${who} reads the archive`);
    r = await c.post(`/api/v1/records/${record.id}/amendments`, { minutes: 60, reason: '越界' });
    assert.equal(r.status, 403, `${who} amends`);
  }
  // no record role at all
  for (const who of ['clerkA']) {
    const c = staff[who].client;
    assert.deepEqual([(await c.get('/api/v1/records')).status, (await c.get('/api/v1/activities')).status,
      (await c.get('/api/v1/records/' + record.id)).status, (await c.get('/api/v1/activities/' + activity.id)).status,
      (await c.get('/api/v1/records/chain')).status], [403, 403, 403, 403, 403], who);
  }
  assert.equal(await state(), 'submitted');
  // a recorder never decides on another's entry; the admin of the scope does
  const other = await user('recorder', stA, 'recorderA2');
  let r = await other.client.post(`/api/v1/records/${record.id}/approve`);
  assert.equal(r.status, 403, 'another recorder');
  assert.equal(await state(), 'submitted');
  r = await staff.adminA.client.post(`/api/v1/records/${record.id}/approve`);
  assert.equal(r.status, 200, r.text);
  assert.equal(await state(), 'approved');
});

test('volunteers.c / util.c: files are listed, filtered and revealed only within the scope', async () => {
  const v = await volunteer(stA, '510115001001');
  const listed = async (c, q = '') => (await c.get('/api/v1/volunteers' + q)).json.items?.some((x) => x.id === v.id);
  assert.equal(await listed(staff.clerkA.client), true);
  assert.equal(await listed(staff.adminB.client), false, 'a sibling admin does not list it');
  let r = await staff.adminB.client.get('/api/v1/volunteers?org_id=' + stA.id);
  assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], 'nor asks for its organisation');
  r = await staff.clerkA.client.get('/api/v1/volunteers?include=served&q=' + encodeURIComponent(v.name));
  assert.equal(r.status, 403, 'the counter does not search people served');
  const vc = await volunteerLogin(await volunteer(stA, '510115001001'));
  r = await vc.get('/api/v1/volunteers');
  assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden'], 'a volunteer lists no files');
  // the full ID number: the grant and the scope both count
  r = await root.patch(`/api/v1/users/${staff.adminB.id}`, { permissions: ['read_id_number'] });
  assert.equal(r.status, 200, r.text);
  const b = new Client(srv.url);
  r = await b.get(`/api/v1/volunteers/${v.id}/id-number`);   // unauthenticated
  assert.equal(r.status, 401);
  const adminB = staff.adminB.client;
  r = await adminB.get(`/api/v1/volunteers/${v.id}/id-number`);
  assert.equal(r.status, 403, 'granted, but outside the scope');
  assert.equal(r.json.id_number, undefined, 'nothing of the number');
  r = await staff.adminA.client.get(`/api/v1/volunteers/${v.id}/id-number`);
  assert.equal(r.status, 403, 'in the scope, without the grant');
  const reads = (await root.get('/api/v1/audit-log?action=volunteer.id_number_read&limit=200')).json.items;
  assert.deepEqual(reads.filter((a) => a.target_id === v.id), [], 'no read was audited, none happened');
});

test('projects.c: a paired project opens to its social workers, not to other staff outside the scope', async () => {
  const agency = (await root.post('/api/v1/organizations', { name: '守卫社工服务中心', kind: 'social_work_agency', parent_id: rootOrg, region_code: '510115' })).json;
  const sw = await user('social_worker', agency, 'swAgency');
  const p = await staff.adminA.client.post('/api/v1/projects', { title: '守卫项目', org_id: stA.id, domain: 'social_governance', category: '环保',
    agency_org_id: agency.id, social_worker_ids: [sw.id] });
  assert.equal(p.status, 201, p.text);
  const path = '/api/v1/projects/' + p.json.id;
  assert.equal((await sw.client.get(path)).status, 200, 'the paired social worker');
  for (const who of ['adminB', 'recorderB', 'clerkB']) {
    const c = staff[who].client;
    assert.equal((await c.get(path)).status, 403, `${who} reads`);
    assert.equal((await c.patch(path, { title: '改名' })).status, 403, `${who} edits`);
    assert.equal((await c.post(path + '/publish')).status, 403, `${who} publishes`);
  }
  const now = (await root.get(path)).json;
  assert.deepEqual([now.title, now.status], ['守卫项目', 'draft'], 'unchanged');
  // the pairing opens the project to a social worker, not to the person:
  // made a clerk, they lose it
  const changed = await root.patch(`/api/v1/users/${sw.id}`, { roles: ['clerk'] });
  assert.equal(changed.status, 200, changed.text);
  assert.equal((await sw.client.get(path)).status, 403, 'a former social worker');
  // listing projects is for those who read records
  const r = await staff.clerkA.client.get('/api/v1/projects');
  assert.deepEqual([r.status, r.json.error.code], [403, 'forbidden']);
  assert.ok(!(await staff.adminB.client.get('/api/v1/projects')).json.items.some((x) => x.id === p.json.id));
});
