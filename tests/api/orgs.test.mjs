// The organisation network: details, edit, move, dissolve and the tree
// with its counts, within scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

let srv, root, rootOrg;
const mk = async (body) => {
  const r = await root.post('/api/v1/organizations', body);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
};
before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
});
after(async () => { await srv?.stop(); });

test('details are stored and returned', async () => {
  const a = await mk({ name: '天府街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115003000',
    address: '温江区天府街道 1 号', contact_name: '李联络', contact_phone: '028-82700000',
    hotlines: [{ number: '12345', hours: '8:30-17:30' }, { number: '028-82711111' }], founded_on: '2014-03-05' });
  assert.equal(a.address, '温江区天府街道 1 号');
  assert.deepEqual(a.hotlines, [{ number: '12345', hours: '8:30-17:30' }, { number: '028-82711111', hours: '' }]);
  assert.equal(a.founded_on, '2014-03-05');
  const bad = [
    [{ contact_phone: 'abc' }, 'contact_phone'],
    [{ founded_on: '2014-02-30' }, 'founded_on'],
    [{ founded_on: '2999-01-01' }, 'founded_on'],
    [{ hotlines: 'x' }, 'hotlines'],
    [{ hotlines: [{ hours: '8-5' }] }, 'hotlines'],
    [{ hotlines: [{ number: 'xx' }] }, 'hotlines'],
    [{ hotlines: Array.from({ length: 21 }, () => ({ number: '12345' })) }, 'hotlines'],
    [{ address: 'a'.repeat(201) }, 'address'],
  ];
  for (const [extra, field] of bad) {
    const r = await root.post('/api/v1/organizations', { name: 'x', kind: 'team', parent_id: rootOrg, region_code: '510115', ...extra });
    assert.ok(r.status === 400 || r.status === 422, JSON.stringify(extra));
    assert.equal(r.json.error.field, field, JSON.stringify(extra));
  }
});

test('edit: details, status, refusals; audited with the values before', async () => {
  const t = await mk({ name: '文明劝导队', kind: 'team', parent_id: rootOrg, region_code: '510115' });
  let r = await root.patch(`/api/v1/organizations/${t.id}`, { name: '文明交通劝导队', professional: true, hotlines: [{ number: '12345', hours: '全天' }] });
  assert.equal(r.status, 200);
  assert.equal(r.json.name, '文明交通劝导队');
  assert.equal(r.json.professional, true);
  r = await root.patch(`/api/v1/organizations/${t.id}`, { status: 'suspended' });
  assert.equal(r.json.status, 'suspended');
  r = await root.patch(`/api/v1/organizations/${t.id}`, { status: 'dissolved' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'status']);
  r = await root.patch(`/api/v1/organizations/${t.id}`, { kind: 'station' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'not_editable']);
  r = await root.patch(`/api/v1/organizations/${rootOrg}`, { status: 'suspended' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'root_stays_active']);
  r = await root.patch(`/api/v1/organizations/99999`, { name: 'x' });
  assert.equal(r.status, 404);
  const audit = await root.get('/api/v1/audit-log?action=org.update');
  const mine = audit.json.items.filter((e) => e.target_id === t.id);
  assert.equal(mine.length, 2);
  assert.equal(mine[1].detail.before.name, '文明劝导队', 'the first edit kept the old name');
});

test('move re-parents a subtree and scope follows it', async () => {
  const a1 = await mk({ name: '永宁街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115004000' });
  const a2 = await mk({ name: '涌泉街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115005000' });
  const st = await mk({ name: '某社区工作站', kind: 'station', parent_id: a1.id, region_code: '510115004001' });
  const team = await mk({ name: '社区服务队', kind: 'team', parent_id: st.id, region_code: '510115004001' });
  assert.equal((await root.post('/api/v1/users', { username: 'adm_a2', password: 'adm-a2-secret-1', roles: ['admin'], org_id: a2.id })).status, 201);
  const a2admin = new Client(srv.url);
  await a2admin.login('adm_a2', 'adm-a2-secret-1');
  assert.equal((await a2admin.get(`/api/v1/organizations/${team.id}`)).status, 403);

  let r = await root.post(`/api/v1/organizations/${st.id}/move`, { parent_id: team.id });
  assert.deepEqual([r.status, r.json.error.code], [422, 'move_into_own_subtree']);
  r = await root.post(`/api/v1/organizations/${st.id}/move`, { parent_id: rootOrg });
  assert.deepEqual([r.status, r.json.error.code], [422, 'invalid_parent_kind']);
  r = await root.post(`/api/v1/organizations/${rootOrg}/move`, { parent_id: a1.id });
  assert.deepEqual([r.status, r.json.error.code], [422, 'root_cannot_move']);
  r = await root.post(`/api/v1/organizations/${st.id}/move`, {});
  assert.deepEqual([r.status, r.json.error.field], [422, 'parent_id']);
  r = await root.post(`/api/v1/organizations/${st.id}/move`, { parent_id: 424242 });
  assert.deepEqual([r.status, r.json.error.code], [422, 'parent_not_found']);
  r = await a2admin.post(`/api/v1/organizations/${st.id}/move`, { parent_id: a2.id });
  assert.equal(r.status, 403, 'the mover needs scope over the organisation too');

  r = await root.post(`/api/v1/organizations/${st.id}/move`, { parent_id: a2.id });
  assert.equal(r.status, 200);
  assert.equal(r.json.parent_id, a2.id);
  assert.equal((await a2admin.get(`/api/v1/organizations/${team.id}`)).status, 200, 'the grandchild moved along');
  const kids = await root.get(`/api/v1/organizations?parent_id=${a2.id}`);
  assert.deepEqual(kids.json.items.map((o) => o.id), [st.id]);
  const tree = await a2admin.get(`/api/v1/organizations/${a2.id}/tree`);
  assert.deepEqual(tree.json.nodes.map((n) => n.id), [a2.id, st.id, team.id]);
});

test('dissolve: refused while children remain, never deletes', async () => {
  const a = await mk({ name: '和盛镇志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115103000' });
  const s1 = await mk({ name: '和盛社区工作站', kind: 'station', parent_id: a.id, region_code: '510115103001' });
  let r = await root.post(`/api/v1/organizations/${a.id}/dissolve`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'org_not_empty']);
  r = await root.post(`/api/v1/organizations/${s1.id}/dissolve`);
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'dissolved');
  r = await root.post(`/api/v1/organizations/${s1.id}/dissolve`);
  assert.equal(r.status, 409);
  r = await root.post(`/api/v1/organizations/${a.id}/dissolve`);
  assert.equal(r.status, 200);
  assert.equal((await root.get(`/api/v1/organizations/${s1.id}`)).json.status, 'dissolved', 'still readable');
  r = await root.post('/api/v1/organizations', { name: 'x', kind: 'station', parent_id: a.id, region_code: '510115103002' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'parent_inactive']);
  r = await root.post(`/api/v1/organizations/${rootOrg}/dissolve`);
  assert.equal(r.status, 422);
  const dissolved = await root.get('/api/v1/organizations?status=dissolved');
  assert.ok(dissolved.json.items.some((o) => o.id === a.id));
});

test('tree counts kinds (dissolved ones excluded), volunteers and coverage of its own subtree, and the list filters', async () => {
  // a subtree of its own, counted by hand: 1 association, 2 stations, 2 teams
  // (1 professional), 1 dissolved station that does not count; 2 active
  // volunteers and 1 deactivated; 1,200 households in the town this year
  const x = await mk({ name: '树计数街道协会', kind: 'association', parent_id: rootOrg, region_code: '510115001000' });
  const s1 = await mk({ name: '树计数一站', kind: 'station', parent_id: x.id, region_code: '510115001001' });
  const s2 = await mk({ name: '树计数二站', kind: 'station', parent_id: x.id, region_code: '510115001002' });
  const gone = await mk({ name: '树计数撤站', kind: 'station', parent_id: x.id, region_code: '510115001003' });
  assert.equal((await root.post(`/api/v1/organizations/${gone.id}/dissolve`)).status, 200);
  const t1 = await mk({ name: '树计数巡河护鸟队', kind: 'team', professional: true, parent_id: x.id, region_code: '510115001000' });
  await mk({ name: '树计数助老队', kind: 'team', parent_id: x.id, region_code: '510115001000' });
  const people = [];
  for (const [i, org] of [[1, s1], [2, t1], [3, s2]]) {
    const r = await root.post('/api/v1/volunteers', { name: '树计数' + i, id_type: 'resident_id', id_number: residentId('510115', '19750101', 500 + i),
      phone: '1390000100' + i, region_code: '510115001001', org_id: org.id, consent: { sensitive: true, notice_version: '2026-11' } });
    assert.equal(r.status, 201, r.text);
    people.push(r.json);
  }
  let r = await root.post(`/api/v1/volunteers/${people[2].id}/deactivate`, { reason: '迁出' });
  assert.equal(r.status, 200, r.text);
  r = await root.request('PUT', '/api/v1/regions/510115001000/population/2026', { household_population: 1200 });
  assert.equal(r.status, 200, r.text);

  const tree = await root.get(`/api/v1/organizations/${x.id}/tree`);
  assert.equal(tree.status, 200);
  assert.deepEqual(tree.json.summary, { federation: 0, association: 1, team: 2, team_professional: 1, station: 2,
    social_work_agency: 0, social_org: 0, volunteers: 2, household_population: 1200, population_year: 2026,
    coverage: 0.001 }, '2 of 1,200 households is 0.17%, shown to three decimals rounded down');
  assert.equal(tree.json.nodes[0].id, x.id);
  const byId = new Map(tree.json.nodes.map((n) => [n.id, n]));
  assert.deepEqual([s1.id, s2.id, t1.id, x.id].map((id) => [byId.get(id).volunteers, byId.get(id).subtree_volunteers]),
    [[1, 1], [0, 0], [1, 1], [0, 2]]);
  const seen = new Set();
  for (const n of tree.json.nodes) {
    if (n.id !== x.id) assert.ok(seen.has(n.parent_id), 'parents come first');
    seen.add(n.id);
  }
  // the root's tree has the one federation
  assert.equal((await root.get(`/api/v1/organizations/${rootOrg}/tree`)).json.summary.federation, 1);

  const teams = await root.get(`/api/v1/organizations?kind=team&parent_id=${x.id}&limit=200`);
  assert.deepEqual(teams.json.items.map((o) => o.name).sort(), ['树计数巡河护鸟队', '树计数助老队'].sort());
  const named = await root.get('/api/v1/organizations?q=' + encodeURIComponent('巡河护鸟'));
  assert.deepEqual(named.json.items.map((o) => o.id), [t1.id]);
  assert.equal((await root.get('/api/v1/organizations?kind=club')).status, 400);
  assert.equal((await root.get('/api/v1/organizations?parent_id=x')).status, 400);
  assert.equal((await root.get('/api/v1/organizations?status=gone')).status, 400);
  assert.equal((await root.get('/api/v1/organizations/99999/tree')).status, 404);
});

test('/me tells the parent of the caller\'s organisation and permissions', async () => {
  const me = await root.get('/api/v1/me');
  assert.equal(me.json.org_parent_id, null);
  assert.deepEqual(me.json.permissions, []);
});
