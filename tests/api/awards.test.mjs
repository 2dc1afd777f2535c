// Awards and commendations: types, rounds, candidates ranked by hours,
// nominations of volunteers and organisations, approval into the file,
// awards from elsewhere with evidence, and the public honour roll.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, chinaNoon } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

let srv, root, st, st2, rec, other, vols = [], round;
const iso = (msAgo) => new Date(srv.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');
const H = 3600 * 1000, D = 24 * H;
// the server's China day: its clock is pinned to noon (before()), so no day
// ends between an approval and this reading
const today = () => new Date(srv.now() + 8 * H).toISOString().slice(0, 10);
let n = 0;

async function approved(v, daysAgo, minutes, quality) {
  n++;
  const a = (await rec.post('/api/v1/activities', { name: `表彰活动${n}`, org_id: st.id, starts_at: iso(daysAgo * D),
    ends_at: iso(daysAgo * D - 4 * H), place: '社区', content: '服务' })).json;
  const r = await rec.post('/api/v1/records', { activity_id: a.id, volunteer_id: v.id, minutes, quality, late_reason: '补录' });
  assert.equal(r.status, 201, r.text);
  assert.equal((await root.post(`/api/v1/records/${r.json.id}/approve`)).status, 200);
}

before(async () => {
  srv = await startServer({ clockAt: chinaNoon() });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const a = (await root.post('/api/v1/organizations', { name: '涌泉街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115006000' })).json;
  st = (await root.post('/api/v1/organizations', { name: '凤溪社区工作站', kind: 'station', parent_id: a.id, region_code: '510115006001' })).json;
  st2 = (await root.post('/api/v1/organizations', { name: '光华社区工作站', kind: 'station', parent_id: a.id, region_code: '510115006002' })).json;
  await root.post('/api/v1/users', { username: 'arec', password: 'recorder-key-1', roles: ['recorder'], org_id: st.id });
  await root.post('/api/v1/users', { username: 'aadmin2', password: 'admin-two-2', roles: ['admin'], org_id: st2.id });
  rec = new Client(srv.url);
  await rec.login('arec', 'recorder-key-1');
  other = new Client(srv.url);
  await other.login('aadmin2', 'admin-two-2');
  for (let i = 0; i < 3; i++) {
    vols.push((await root.post('/api/v1/volunteers', { name: ['王小明', '李雷', '张三丰'][i], id_type: 'resident_id',
      id_number: residentId('510115', '19910303', 91 + i * 2), phone: '1350000010' + i, region_code: '510115006001',
      org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' } })).json);
  }
  await approved(vols[0], 10, 240, 'good');
  await approved(vols[1], 11, 240, 'excellent');
  await approved(vols[1], 12, 60, 'good');
  await approved(vols[2], 13, 60, 'pass');
  await approved(vols[2], 400, 240, 'excellent');   // outside the period
});
after(async () => { await srv?.stop(); });

test('award types: the Wenjiang list, and new ones from the root', async () => {
  const types = (await root.get('/api/v1/award-types')).json.items;
  assert.deepEqual(types.map((t) => t.name).slice(0, 6), ['志愿者之星', '最具风采志愿者', '最活泼志愿者', '最吃苦耐劳志愿者', '最具亲和力志愿者', '优秀志愿服务组织']);
  let r = await root.post('/api/v1/award-types', { name: '最美志愿家庭', target: 'volunteer' });
  assert.equal(r.status, 201, r.text);
  assert.equal((await root.post('/api/v1/award-types', { name: '最美志愿家庭', target: 'volunteer' })).status, 409);
  r = await root.post('/api/v1/award-types', { name: 'x', target: 'team' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'target']);
  assert.equal((await other.post('/api/v1/award-types', { name: 'y', target: 'org' })).status, 403);
});

test('a round: candidates ranked by hours in the period, nominations, approval into the file', async () => {
  // the shipped types, read here rather than left by the test before
  const types = (await root.get('/api/v1/award-types')).json.items;
  const star = types.find((t) => t.name === '志愿者之星');
  const orgAward = types.find((t) => t.name === '优秀志愿服务组织');
  const from = new Date(srv.now() - 60 * D).toISOString().slice(0, 10);
  let r = await root.post('/api/v1/award-rounds', { name: '2026年度表彰', org_id: st.id, period_from: from, period_to: today() });
  assert.equal(r.status, 201, r.text);
  round = r.json;
  for (const [body, status, field] of [[{ name: 'x', org_id: st.id, period_from: '2026-13-01', period_to: today() }, 422, 'period_from'],
    [{ name: 'x', org_id: st.id, period_from: today(), period_to: '2020-01-01' }, 422, 'period_to'],
    [{ org_id: st.id, period_from: from, period_to: today() }, 422, 'name'],
    [{ name: 'x', org_id: 999999, period_from: from, period_to: today() }, 422, 'org_id']]) {
    r = await root.post('/api/v1/award-rounds', body);
    assert.deepEqual([r.status, r.json.error.field], [status, field], JSON.stringify(body));
  }
  assert.equal((await rec.post('/api/v1/award-rounds', { name: 'x', org_id: st.id, period_from: from, period_to: today() })).status, 403);

  const c = (await root.get(`/api/v1/award-rounds/${round.id}/candidates`)).json.items;
  assert.deepEqual(c.map((x) => [x.volunteer_id, x.minutes, x.records]), [[vols[1].id, 300, 2], [vols[0].id, 240, 1], [vols[2].id, 60, 1]]);
  assert.equal(c[0].quality, 2.5);
  assert.equal((await other.get(`/api/v1/award-rounds/${round.id}/candidates`)).status, 403);

  r = await rec.post(`/api/v1/award-rounds/${round.id}/nominations`, { type_id: star.id, volunteer_id: vols[1].id, reason: '服务时长第一' });
  assert.equal(r.status, 201, r.text);
  const nom = r.json.nominations[0];
  r = await root.post(`/api/v1/award-rounds/${round.id}/nominations`, { type_id: orgAward.id, org_id: st.id, reason: '组织有力' });
  assert.equal(r.status, 201, r.text);
  const orgNom = r.json.nominations[1];
  for (const [body, status, code] of [[{ type_id: star.id, org_id: st.id, reason: 'x' }, 422, 'wrong_nominee'],
    [{ type_id: orgAward.id, volunteer_id: vols[0].id, reason: 'x' }, 422, 'wrong_nominee'],
    [{ type_id: star.id, volunteer_id: vols[0].id }, 422, 'required'],
    [{ type_id: 999999, volunteer_id: vols[0].id, reason: 'x' }, 422, 'award_type_not_found'],
    [{ type_id: orgAward.id, org_id: st2.id, reason: 'x' }, 422, 'outside_round']]) {
    r = await rec.post(`/api/v1/award-rounds/${round.id}/nominations`, body);
    assert.deepEqual([r.status, r.json.error.code], [status, code], JSON.stringify(body));
  }
  assert.equal((await rec.post(`/api/v1/nominations/${nom.id}/approve`)).status, 403, 'admins decide');
  r = await root.post(`/api/v1/nominations/${nom.id}/approve`);
  assert.deepEqual([r.status, r.json.nominations[0].status], [200, 'approved']);
  assert.equal((await root.post(`/api/v1/nominations/${nom.id}/approve`)).status, 409, 'decided once');
  assert.equal((await root.post(`/api/v1/nominations/${orgNom.id}/approve`)).status, 200);
  assert.equal((await root.post('/api/v1/nominations/999999/approve')).status, 404);
  const arc = (await root.get(`/api/v1/volunteers/${vols[1].id}/archive`)).json;
  assert.deepEqual(arc.awards.map((a) => [a.name, a.granted_on, a.granting_unit, a.source]), [['志愿者之星', today(), '凤溪社区工作站', 'round']]);
  assert.ok((await root.get('/api/v1/award-rounds')).json.items.some((x) => x.id === round.id));
});

test('awards from elsewhere need evidence; the public honour roll masks names', async () => {
  const v = vols[0];
  let r = await root.post(`/api/v1/volunteers/${v.id}/awards`, { name: '成都市优秀志愿者', granted_on: '2025-12-05', granting_unit: '成都市志愿服务联合会', evidence: '市志联〔2025〕12号' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.items.map((a) => [a.name, a.source]), [['成都市优秀志愿者', 'external']]);
  for (const [body, status, field] of [[{ name: 'x', granted_on: '2025-12-05', granting_unit: 'u' }, 422, 'evidence'],
    [{ name: 'x', granted_on: '2999-01-01', granting_unit: 'u', evidence: 'e' }, 422, 'granted_on'],
    [{ name: 'x', granted_on: 'yesterday', granting_unit: 'u', evidence: 'e' }, 422, 'granted_on']]) {
    r = await root.post(`/api/v1/volunteers/${v.id}/awards`, body);
    assert.deepEqual([r.status, r.json.error.field], [status, field], JSON.stringify(body));
  }
  assert.equal((await other.post(`/api/v1/volunteers/${v.id}/awards`, { name: 'x', granted_on: '2025-12-05', granting_unit: 'u', evidence: 'e' })).status, 403);
});

test('the public honour roll lists this year\'s approved awards with masked names, not outside ones', async () => {
  // a server of its own, so the roll holds exactly what this test approved
  const own = await startServer({ clockAt: chinaNoon() });
  try {
    const adm = new Client(own.url);
    await adm.login('admin', own.adminPassword);
    const top = (await adm.get('/api/v1/me')).json.org_id;
    const a = (await adm.post('/api/v1/organizations', { name: '荣誉协会', kind: 'association', parent_id: top, region_code: '510115006000' })).json;
    const s = (await adm.post('/api/v1/organizations', { name: '荣誉社区工作站', kind: 'station', parent_id: a.id, region_code: '510115006001' })).json;
    const mkVol = async (name, seq) => {
      const r = await adm.post('/api/v1/volunteers', { name, id_type: 'resident_id', id_number: residentId('510115', '19930303', seq),
        phone: '1350000020' + (seq % 10), region_code: '510115006001', org_id: s.id, consent: { sensitive: true, notice_version: '2026-11' } });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    const [li, wang] = [await mkVol('李雷', 301), await mkVol('王小明', 303)];
    const types = (await adm.get('/api/v1/award-types')).json.items;
    const star = types.find((t) => t.name === '志愿者之星');
    const orgAward = types.find((t) => t.name === '优秀志愿服务组织');
    const day = new Date(own.now() + 8 * H).toISOString().slice(0, 10);
    const round = (await adm.post('/api/v1/award-rounds', { name: '年度表彰', org_id: s.id, period_from: `${day.slice(0, 4)}-01-01`, period_to: day })).json;
    const nominate = async (body) => {
      const r = await adm.post(`/api/v1/award-rounds/${round.id}/nominations`, { reason: '表现突出', ...body });
      assert.equal(r.status, 201, r.text);
      return r.json.nominations.at(-1).id;
    };
    const ids = [await nominate({ type_id: star.id, volunteer_id: li.id }), await nominate({ type_id: orgAward.id, org_id: s.id }),
      await nominate({ type_id: star.id, volunteer_id: wang.id })];
    assert.equal((await adm.post(`/api/v1/nominations/${ids[0]}/approve`)).status, 200);
    assert.equal((await adm.post(`/api/v1/nominations/${ids[1]}/approve`)).status, 200);
    assert.equal((await adm.post(`/api/v1/nominations/${ids[2]}/reject`)).status, 200);
    assert.equal((await adm.post(`/api/v1/volunteers/${wang.id}/awards`, { name: '成都市优秀志愿者', granted_on: `${day.slice(0, 4)}-01-01`,
      granting_unit: '成都市志愿服务联合会', evidence: '市志联〔2026〕1号' })).status, 201);
    const anon = new Client(own.url);
    const r = await anon.get('/api/v1/public/honour-roll');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((x) => [x.award, x.name, x.kind]).sort(),
      [['优秀志愿服务组织', '荣誉社区工作站', 'org'], ['志愿者之星', '李*', 'volunteer']], 'not the rejected one, not the outside award');
    assert.equal((await anon.get(`/api/v1/public/honour-roll?year=${Number(day.slice(0, 4)) - 1}`)).json.items.length, 0);
    assert.equal((await anon.get('/api/v1/public/honour-roll?year=abc')).status, 400);
  } finally {
    await own.stop();
  }
});
