// Home organisations chosen by volunteers (issue 10 §2): the public
// station/team picker (nearest by region first), join/move requests that
// the organisation's admins accept or decline, and the limited view of
// volunteers for staff of organisations where they served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

const H = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const consent = { sensitive: true, notice_version: '2026-11' };

let srv, root, anon, rootOrg;
let assocA, stA1, stA2, teamA, assocB, stB1, teamB, agency, closed;
let admA1, admA2, recA1, recA2, admAssocA, clerkA1, recB1;

const staffLogin = async (username, roles, org) => {
  const r = await root.post('/api/v1/users', { username, password: username + '-pw-1', roles, org_id: org });
  assert.equal(r.status, 201, r.text);
  const c = new Client(srv.url);
  await c.login(username, username + '-pw-1');
  return c;
};

let seq = 100;
// A volunteer who registers on the phone page, with a login.
const selfJoin = async (name, phone, extra = {}) => {
  seq += 2;
  const r = await anon.post('/api/v1/public/volunteers', { name, id_type: 'resident_id',
    id_number: residentId('510115', '19900304', seq + 1), phone, region_code: '510115002001',
    password: 'vol-pass-1', consent, ...extra });
  assert.equal(r.status, 201, r.text);
  const c = new Client(srv.url);
  await c.login(phone, 'vol-pass-1');
  return { client: c, file: r.json.volunteer };
};

const org = async (name, kind, parent, region) => {
  const r = await root.post('/api/v1/organizations', { name, kind, parent_id: parent, region_code: region });
  assert.equal(r.status, 201, r.text);
  return r.json;
};

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  anon = new Client(srv.url);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  assocA = await org('柳城街道志愿服务协会', 'association', rootOrg, '510115001000');
  stA1 = await org('光华社区工作站', 'station', assocA.id, '510115001001');
  stA2 = await org('东大社区工作站', 'station', assocA.id, '510115001002');
  teamA = await org('柳城街道青年志愿服务队', 'team', assocA.id, '510115001000');
  assocB = await org('永宁街道志愿服务协会', 'association', rootOrg, '510115002000');
  stB1 = await org('永宁社区工作站', 'station', assocB.id, '510115002001');
  teamB = await org('永宁街道助老志愿服务队', 'team', assocB.id, '510115002000');
  agency = await org('温江区阳光社工服务中心', 'social_work_agency', rootOrg, '510115');
  closed = await org('已停用社区工作站', 'station', assocB.id, '510115002003');
  assert.equal((await root.patch(`/api/v1/organizations/${closed.id}`, { status: 'suspended' })).status, 200);
  admA1 = await staffLogin('adm_a1', ['admin'], stA1.id);
  admA2 = await staffLogin('adm_a2', ['admin'], stA2.id);
  recA1 = await staffLogin('rec_a1', ['recorder'], stA1.id);
  recA2 = await staffLogin('rec_a2', ['recorder'], stA2.id);
  recB1 = await staffLogin('rec_b1', ['recorder'], stB1.id);
  admAssocA = await staffLogin('adm_town_a', ['admin'], assocA.id);
  clerkA1 = await staffLogin('clerk_a1', ['clerk'], stA1.id);
});
after(async () => { await srv?.stop(); });

test('public picker: stations and teams only, nearest by region first, then by name', async () => {
  let r = await anon.get('/api/v1/public/organizations?region=510115002001');
  assert.equal(r.status, 200, r.text);
  const names = r.json.items.map((o) => o.name);
  // the community's station, then the town's team, then the rest: stations before teams, by name
  assert.deepEqual(names, ['永宁社区工作站', '永宁街道助老志愿服务队', '东大社区工作站', '光华社区工作站', '柳城街道青年志愿服务队']);
  assert.deepEqual(r.json.items.map((o) => o.near), ['community', 'town', null, null, null]);
  assert.equal(r.json.more, false);
  const first = r.json.items[0];
  assert.deepEqual(Object.keys(first).sort(), ['id', 'kind', 'name', 'near', 'parent_name', 'region_code'].sort()
    .concat(first.region_name === undefined ? [] : ['region_name']).sort());
  assert.deepEqual([first.id, first.kind, first.parent_name, first.region_code], [stB1.id, 'station', '永宁街道志愿服务协会', '510115002001']);
  for (const hidden of [rootOrg, assocA.id, assocB.id, agency.id, closed.id])
    assert.ok(!r.json.items.some((o) => o.id === hidden), `organisation ${hidden} is not offered`);

  // the other town ranks its own first; a 6-digit district code ranks nothing
  r = await anon.get('/api/v1/public/organizations?region=510115001002');
  assert.deepEqual(r.json.items.map((o) => o.name).slice(0, 3), ['东大社区工作站', '光华社区工作站', '柳城街道青年志愿服务队']);
  assert.deepEqual(r.json.items.map((o) => o.near).slice(0, 4), ['community', 'town', 'town', null]);
  r = await anon.get('/api/v1/public/organizations?region=510115');
  assert.ok(r.json.items.every((o) => o.near === null));

  // search by name, or by the parent's name
  r = await anon.get('/api/v1/public/organizations?q=' + encodeURIComponent('东大'));
  assert.deepEqual(r.json.items.map((o) => o.id), [stA2.id]);
  r = await anon.get('/api/v1/public/organizations?q=' + encodeURIComponent('柳城街道'));
  assert.deepEqual(r.json.items.map((o) => o.id).sort(), [stA1.id, stA2.id, teamA.id].sort());
  r = await anon.get('/api/v1/public/organizations?q=' + encodeURIComponent('不存在的名字'));
  assert.deepEqual([r.status, r.json.items.length, r.json.more], [200, 0, false]);
  r = await anon.get('/api/v1/public/organizations?kind=team');
  assert.deepEqual(r.json.items.map((o) => o.id).sort(), [teamA.id, teamB.id].sort());

  // page size: limited, with "more" telling a search would narrow it
  r = await anon.get('/api/v1/public/organizations?limit=2&region=510115002001');
  assert.deepEqual([r.json.items.length, r.json.more], [2, true]);
  assert.deepEqual(r.json.items.map((o) => o.id), [stB1.id, teamB.id]);
  r = await anon.get('/api/v1/public/organizations?limit=50');
  assert.equal(r.json.items.length, 5);

  for (const [query, field, code] of [
    ['limit=0', 'limit', 'invalid_value'], ['limit=51', 'limit', 'invalid_value'], ['limit=x', 'limit', 'invalid_value'],
    ['region=12345', 'region', 'invalid_region_code'], ['kind=association', 'kind', 'invalid_value'],
    ['q=' + 'x'.repeat(33), 'q', 'invalid_value'],
  ]) {
    r = await anon.get('/api/v1/public/organizations?' + query);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [400, code, field], query);
  }
  r = await new Client(srv.url, { lang: 'en' }).get('/api/v1/public/organizations?kind=x');
  assert.match(r.json.error.message, /invalid/);
});

test('self-registration: the chosen station is the home; without a choice the root as before', async () => {
  const chosen = await selfJoin('选站者', '13700000001', { org_id: stB1.id });
  assert.equal(chosen.file.home_org_id, stB1.id);
  assert.equal((await recB1.get(`/api/v1/volunteers?q=${encodeURIComponent('选站者')}`)).json.items[0].id, chosen.file.id,
    'the station recorder finds them');
  const plain = await selfJoin('未选站者', '13700000002');
  assert.equal(plain.file.home_org_id, rootOrg);
});

test('self-registration: only a station or team may be chosen (as for join requests)', async () => {
  // its own server: registrations per address are limited, and this file makes many
  const s = await startServer();
  try {
    const adm = new Client(s.url);
    await adm.login('admin', s.adminPassword);
    const top = (await adm.get('/api/v1/me')).json.org_id;
    const mk = async (name, kind, parent, region) => {
      const r = await adm.post('/api/v1/organizations', { name, kind, parent_id: parent, region_code: region });
      assert.equal(r.status, 201, r.text);
      return r.json.id;
    };
    const assoc = await mk('柳城街道志愿服务协会', 'association', top, '510115001000');
    const station = await mk('光华社区工作站', 'station', assoc, '510115001001');
    const team = await mk('柳城街道青年志愿服务队', 'team', assoc, '510115001000');
    const ag = await mk('温江区阳光社工服务中心', 'social_work_agency', top, '510115');
    const pub = new Client(s.url);
    const body = (org_id, n) => ({ name: '选机构者' + n, id_type: 'resident_id', id_number: residentId('510115', '19900101', 700 + n),
      phone: '1370000007' + n, region_code: '510115001001', org_id, password: 'Self-pass-123', consent });
    for (const bad of [top, assoc, ag]) {
      const r = await pub.post('/api/v1/public/volunteers', body(bad, 1));
      assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'org_not_joinable', 'org_id'], String(bad));
      assert.match(r.json.error.message, /工作站或志愿服务队/);
    }
    // the refusals made nobody: the same person then registers at a station
    assert.equal((await adm.get(`/api/v1/volunteers?q=${encodeURIComponent('选机构者1')}`)).json.items.length, 0);
    let r = await pub.post('/api/v1/public/volunteers', body(station, 1));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.volunteer.home_org_id, station);
    r = await pub.post('/api/v1/public/volunteers', body(team, 2));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.volunteer.home_org_id, team);
  } finally {
    await s.stop();
  }
});

test('join requests: ask, refusals change nothing, the organisation accepts and the file moves', async () => {
  const v = await selfJoin('申请加入者', '13700000011');
  const me = v.client;
  let r = await me.get('/api/v1/me/volunteer/join-requests');
  assert.deepEqual([r.status, r.json.items], [200, []]);

  r = await me.post('/api/v1/me/volunteer/join-requests', { org_id: stA2.id, note: '住在东大社区' });
  assert.equal(r.status, 201, r.text);
  const req = r.json;
  assert.deepEqual([req.status, req.org_id, req.org_name, req.from_org_id, req.volunteer_id, req.note],
    ['open', stA2.id, '东大社区工作站', rootOrg, v.file.id, '住在东大社区']);

  // bad inputs: refused with code and field; still exactly one open request
  for (const [body, status, code, field] of [
    [{ org_id: stA1.id }, 409, 'join_request_open', 'org_id'],
    [{}, 422, 'required', 'org_id'],
    [{ org_id: 'x' }, 400, 'wrong_type', 'org_id'],
    [{ org_id: 999999 }, 422, 'org_not_found', 'org_id'],
    [{ org_id: assocA.id }, 422, 'org_not_joinable', 'org_id'],
    [{ org_id: agency.id }, 422, 'org_not_joinable', 'org_id'],
    [{ org_id: closed.id }, 422, 'org_inactive', 'org_id'],
    [{ org_id: stA1.id, note: '长'.repeat(201) }, 422, 'too_long', 'note'],
  ]) {
    r = await me.post('/api/v1/me/volunteer/join-requests', body);
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [status, code, field], JSON.stringify(body));
  }
  r = await me.get('/api/v1/me/volunteer/join-requests');
  assert.deepEqual(r.json.items.map((x) => [x.id, x.status]), [[req.id, 'open']]);
  const same = await selfJoin('同站申请者', '13700000012', { org_id: stA1.id });
  r = await same.client.post('/api/v1/me/volunteer/join-requests', { org_id: stA1.id });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'same_org', 'org_id']);
  assert.equal((await root.post('/api/v1/me/volunteer/join-requests', { org_id: stA1.id })).json.error.code, 'no_volunteer_file');

  // who sees it: admins of the organisation asked (and above), nobody else
  r = await admA2.get('/api/v1/join-requests');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.total, r.json.items.map((x) => x.id)], [1, [req.id]]);
  assert.equal(r.json.items[0].volunteer_name, '申请加入者');
  assert.deepEqual((await admAssocA.get('/api/v1/join-requests')).json.items.map((x) => x.id), [req.id]);
  r = await admA1.get('/api/v1/join-requests');
  assert.deepEqual([r.json.total, r.json.items.length], [0, 0]);
  assert.equal((await recA2.get('/api/v1/join-requests')).status, 403, 'recorders do not decide');
  assert.equal((await me.get('/api/v1/join-requests')).status, 403);
  assert.equal((await admA2.get('/api/v1/join-requests?status=maybe')).json.error.field, 'status');
  assert.equal((await admA1.get(`/api/v1/join-requests?org_id=${stA2.id}`)).status, 403);

  // deciding outside one's scope is refused and changes nothing
  assert.equal((await admA1.post(`/api/v1/join-requests/${req.id}/accept`)).status, 403);
  assert.equal((await admA1.post(`/api/v1/join-requests/${req.id}/decline`, { reason: 'x' })).status, 403);
  assert.equal((await recA2.post(`/api/v1/join-requests/${req.id}/accept`)).status, 403);
  assert.equal((await admA2.post('/api/v1/join-requests/999999/accept')).status, 404);
  r = await admA2.post(`/api/v1/join-requests/${req.id}/decline`, { reason: '理'.repeat(201) });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'too_long', 'reason']);
  assert.equal((await admA2.get(`/api/v1/volunteers/${v.file.id}`)).status, 403, 'not theirs before acceptance');
  assert.equal((await me.get('/api/v1/me/volunteer')).json.home_org_id, rootOrg);
  assert.equal((await admA2.get('/api/v1/join-requests')).json.items[0].status, 'open');

  // acceptance moves the file like a transfer: memberships and audit
  r = await admA2.post(`/api/v1/join-requests/${req.id}/accept`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'accepted');
  assert.ok(r.json.decided_at);
  r = await admA2.get(`/api/v1/volunteers/${v.file.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.home_org_id, stA2.id);
  assert.deepEqual(r.json.memberships.map((m) => [m.org_id, m.left_on === null]), [[rootOrg, false], [stA2.id, true]]);
  const audit = (await root.get(`/api/v1/audit-log?limit=50`)).json.items.map((e) => e.action);
  for (const action of ['join_request.create', 'join_request.accept', 'volunteer.transfer_out', 'volunteer.transfer_in'])
    assert.ok(audit.includes(action), action);
  r = await admA2.post(`/api/v1/join-requests/${req.id}/accept`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'join_request_closed']);
  r = await admA2.post(`/api/v1/join-requests/${req.id}/decline`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'join_request_closed']);
  assert.equal((await admA2.get('/api/v1/join-requests')).json.total, 0);
  assert.equal((await admA2.get('/api/v1/join-requests?status=accepted')).json.total, 1);

  // withdrawal by the person; nobody else can withdraw it
  r = await me.post('/api/v1/me/volunteer/join-requests', { org_id: stB1.id });
  assert.equal(r.status, 201, r.text);
  const second = r.json;
  assert.equal((await same.client.post(`/api/v1/me/volunteer/join-requests/${second.id}/withdraw`)).status, 404);
  r = await me.post(`/api/v1/me/volunteer/join-requests/${second.id}/withdraw`);
  assert.deepEqual([r.status, r.json.status], [200, 'withdrawn']);
  r = await me.post(`/api/v1/me/volunteer/join-requests/${second.id}/withdraw`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'join_request_closed']);

  // a decline keeps the home and tells the reason
  r = await me.post('/api/v1/me/volunteer/join-requests', { org_id: stA1.id });
  assert.equal(r.status, 201, r.text);
  r = await admA1.post(`/api/v1/join-requests/${r.json.id}/decline`, { reason: '本站名额已满' });
  assert.deepEqual([r.status, r.json.status, r.json.reason], [200, 'declined', '本站名额已满']);
  assert.equal((await me.get('/api/v1/me/volunteer')).json.home_org_id, stA2.id);
  r = await me.get('/api/v1/me/volunteer/join-requests');
  assert.deepEqual(r.json.items.map((x) => x.status), ['declined', 'withdrawn', 'accepted']);
  assert.ok((await root.get('/api/v1/audit-log?limit=50')).json.items.some((e) => e.action === 'join_request.decline'));
});

test('served volunteers: name and number for staff where they served, nothing more, nowhere else', async () => {
  // filed at station B1; serves at station A1
  const r0 = await root.post('/api/v1/volunteers', { name: '跨站服务者', id_type: 'resident_id',
    id_number: residentId('510115', '19850607', 311), phone: '13711112222', region_code: '510115002001',
    org_id: stB1.id, consent });
  assert.equal(r0.status, 201, r0.text);
  const s = r0.json;
  const find = (c, q, extra = '') => c.get(`/api/v1/volunteers?q=${encodeURIComponent(q)}&include=served${extra}`);

  let r = await find(recA1, '跨站服务者');
  assert.deepEqual([r.status, r.json.items.length], [200, 0], 'not before serving');

  const a = await recA1.post('/api/v1/activities', { name: '敬老活动', org_id: stA1.id, starts_at: iso(Date.now() - 5 * H),
    ends_at: iso(Date.now() - 3 * H), place: '光华社区', content: '陪伴老人' });
  assert.equal(a.status, 201, a.text);
  r = await recA1.post('/api/v1/records', { activity_id: a.json.id, volunteer_id: s.id, minutes: 120, quality: 'good' });
  assert.equal(r.status, 201, r.text);

  r = await find(recA1, '跨站服务者');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items, [{ id: s.id, volunteer_number: s.volunteer_number, name: '跨站服务者', status: 'active', limited: true }]);
  r = await find(recA1, s.volunteer_number);
  assert.deepEqual(r.json.items.map((x) => [x.id, x.limited]), [[s.id, true]]);
  r = await find(admAssocA, '跨站');
  assert.deepEqual(r.json.items.map((x) => [x.id, x.limited]), [[s.id, true]], 'the town above the station too');
  r = await find(recB1, '跨站服务者');
  assert.equal(r.json.items[0].limited, false, 'their own station sees the whole entry');
  assert.equal(r.json.items[0].phone, '137****2222');

  // nothing else: no phone, ID, tags; no file, points, archive; no other organisation
  assert.equal((await recA1.get(`/api/v1/volunteers?q=${encodeURIComponent('跨站服务者')}`)).json.items.length, 0, 'only when asked for');
  assert.equal((await find(recA1, '13711112222')).json.items.length, 0, 'a phone finds nobody outside the scope');
  assert.equal((await find(recA1, '跨站', `&id_number=${residentId('510115', '19850607', 311)}`)).json.items.length, 0);
  for (const path of ['', '/points', '/archive', '/id-number', '/export'])
    assert.equal((await recA1.get(`/api/v1/volunteers/${s.id}${path}`)).status, 403, path);
  assert.equal((await admAssocA.get(`/api/v1/volunteers/${s.id}`)).status, 403);
  assert.equal((await find(recA2, '跨站服务者')).json.items.length, 0, 'a station where they did not serve');
  assert.equal((await find(clerkA1, '跨站服务者')).status, 403, 'not for the counter');

  // the town's award round: a candidate with what they served there, and a nominee
  const rec = (await recA1.get(`/api/v1/records?volunteer_id=${s.id}`)).json.items[0];
  assert.equal((await admA1.post(`/api/v1/records/${rec.id}/approve`)).status, 200);
  const chinaDay = (ms) => new Date(ms + 8 * H).toISOString().slice(0, 10);
  r = await root.post('/api/v1/award-rounds', { name: '柳城街道年度表彰', org_id: assocA.id,
    period_from: chinaDay(Date.now() - 30 * 24 * H), period_to: chinaDay(Date.now()) });
  assert.equal(r.status, 201, r.text);
  const round = r.json;
  r = await admAssocA.get(`/api/v1/award-rounds/${round.id}/candidates`);
  assert.deepEqual(r.json.items.map((x) => [x.volunteer_id, x.minutes, x.limited]), [[s.id, 120, true]]);
  r = await root.get(`/api/v1/award-rounds/${round.id}/candidates`);
  assert.equal(r.json.items.length, 1);
  const star = (await root.get('/api/v1/award-types')).json.items.find((x) => x.target === 'volunteer');
  r = await admAssocA.post(`/api/v1/award-rounds/${round.id}/nominations`, { type_id: star.id, volunteer_id: s.id, reason: '跨站服务' });
  assert.equal(r.status, 201, r.text);
  const stranger = await selfJoin('未服务者', '13700000031', { org_id: stB1.id });
  r = await admAssocA.post(`/api/v1/award-rounds/${round.id}/nominations`, { type_id: star.id, volunteer_id: stranger.file.id, reason: 'x' });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'outside_round', 'volunteer_id']);
  assert.equal((await admAssocA.get(`/api/v1/volunteers/${s.id}`)).status, 403, 'still not their file');

  r = await recA1.get('/api/v1/volunteers?include=everyone&q=x');
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [400, 'invalid_value', 'include']);
  r = await recA1.get('/api/v1/volunteers?include=served');
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'required', 'q']);
});

test('served volunteers: a rejected record does not count, a submitted one does', async () => {
  const r0 = await root.post('/api/v1/volunteers', { name: '驳回记录者', id_type: 'resident_id',
    id_number: residentId('510115', '19850607', 313), phone: '13711113333', region_code: '510115002001',
    org_id: stB1.id, consent });
  assert.equal(r0.status, 201, r0.text);
  const s = r0.json;
  const find = () => recA2.get(`/api/v1/volunteers?q=${encodeURIComponent('驳回记录者')}&include=served`);
  assert.equal((await find()).json.items.length, 0, 'not before serving');
  const a = await recA2.post('/api/v1/activities', { name: '东大巡河', org_id: stA2.id, starts_at: iso(Date.now() - 6 * H),
    ends_at: iso(Date.now() - 4 * H), place: '东大社区', content: '巡河' });
  assert.equal(a.status, 201, a.text);
  let r = await recA2.post('/api/v1/records', { activity_id: a.json.id, volunteer_id: s.id, minutes: 60, quality: 'good' });
  assert.equal(r.status, 201, r.text);
  // submitted: the recorder must find them for approval
  assert.deepEqual((await find()).json.items.map((x) => [x.id, x.limited]), [[s.id, true]]);
  r = await admA2.post(`/api/v1/records/${r.json.id}/reject`, { reason: '并未到场' });
  assert.equal(r.status, 200, r.text);
  // rejected: no trace of service here, so not findable any more
  assert.deepEqual((await find()).json.items, []);
  assert.deepEqual((await admA2.get(`/api/v1/volunteers?q=${encodeURIComponent('驳回记录者')}&include=served`)).json.items, []);
});

test('served volunteers: a sign-up for a shift of the organisation\'s project counts too', async () => {
  const v = await selfJoin('报名服务者', '13700000021', { org_id: stA1.id });
  const find = () => recB1.get(`/api/v1/volunteers?q=${encodeURIComponent('报名服务者')}&include=served`);
  assert.equal((await find()).json.items.length, 0);
  let r = await root.post('/api/v1/projects', { title: '永宁助老', org_id: stB1.id, domain: 'social_assistance',
    category: '助老', description: '送餐', place: '永宁社区' });
  assert.equal(r.status, 201, r.text);
  const p = r.json;
  assert.equal((await root.post(`/api/v1/projects/${p.id}/publish`)).status, 200);
  r = await root.post(`/api/v1/projects/${p.id}/shifts`, { starts_at: iso(Date.now() + 48 * H), ends_at: iso(Date.now() + 50 * H),
    place: '永宁社区食堂', capacity: 5 });
  assert.equal(r.status, 201, r.text);
  r = await v.client.post(`/api/v1/shifts/${r.json.id}/signups`);
  assert.equal(r.status, 201, r.text);
  r = await find();
  assert.deepEqual(r.json.items.map((x) => [x.id, x.limited, x.phone]), [[v.file.id, true, undefined]]);
  assert.equal((await recB1.get(`/api/v1/volunteers/${v.file.id}`)).status, 403);
});

test('join requests: a suspended organisation cannot accept, an inactive file cannot ask, a deleted one withdraws', async () => {
  const st = await org('临时社区工作站', 'station', assocB.id, '510115002004');
  const adm = await staffLogin('adm_tmp', ['admin'], st.id);
  const v = await selfJoin('暂停测试者', '13700000041');
  let r = await v.client.post('/api/v1/me/volunteer/join-requests', { org_id: st.id });
  assert.equal(r.status, 201, r.text);
  const req = r.json;
  assert.equal((await root.patch(`/api/v1/organizations/${st.id}`, { status: 'suspended' })).status, 200);
  r = await adm.post(`/api/v1/join-requests/${req.id}/accept`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'org_inactive']);
  assert.equal((await v.client.get('/api/v1/me/volunteer')).json.home_org_id, rootOrg);
  assert.equal((await v.client.get('/api/v1/me/volunteer/join-requests')).json.items[0].status, 'open');
  r = await adm.post(`/api/v1/join-requests/${req.id}/decline`, { reason: '站点暂停' });
  assert.deepEqual([r.status, r.json.status], [200, 'declined'], 'declining still works');

  // a deactivated file cannot ask
  assert.equal((await root.post(`/api/v1/volunteers/${v.file.id}/deactivate`, { reason: '测试' })).status, 200);
  r = await v.client.post('/api/v1/me/volunteer/join-requests', { org_id: stA1.id });
  assert.deepEqual([r.status, r.json.error.code], [409, 'volunteer_inactive']);
  assert.equal((await v.client.get('/api/v1/me/volunteer/join-requests')).json.items.length, 1);
  assert.equal((await root.post(`/api/v1/volunteers/${v.file.id}/reactivate`)).status, 200);

  // deleting one's file withdraws the open request
  r = await v.client.post('/api/v1/me/volunteer/join-requests', { org_id: stA1.id });
  assert.equal(r.status, 201, r.text);
  const open = r.json;
  assert.equal((await v.client.post('/api/v1/me/volunteer/deletion')).status, 204);
  r = await admA1.get('/api/v1/join-requests');
  assert.ok(!r.json.items.some((x) => x.id === open.id), 'no longer waiting');
  r = await admA1.post(`/api/v1/join-requests/${open.id}/accept`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'join_request_closed']);
});
