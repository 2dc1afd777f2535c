// Volunteer files: registration rules, duplicates, scope, search, edits,
// the full ID under an explicit grant, lifecycle, and the person's rights.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId, checkChar, birthForAge } from '../lib/ids.mjs';

let srv, root, rootOrg, assocA, stationA1, stationA2, admA1;
let seq = 1;
const nextId = (birth = '19900517', female = false) => {
  seq += 1;
  const s = (seq * 2 + (female ? 0 : 1)) % 1000;
  return residentId('510115', birth, s);
};
const base = (over = {}) => ({
  name: '测试志愿者', id_type: 'resident_id', id_number: nextId(), phone: '13900000000',
  region_code: '510115001001', org_id: rootOrg, skills: ['急救'], service_categories: ['扶老助残'],
  consent: { sensitive: true, notice_version: '2026-11' }, ...over,
});
const create = async (c, over) => {
  const r = await c.post('/api/v1/volunteers', base(over));
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
};

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  assocA = (await root.post('/api/v1/organizations', { name: '柳城街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115001000' })).json;
  stationA1 = (await root.post('/api/v1/organizations', { name: '光华社区工作站', kind: 'station', parent_id: assocA.id, region_code: '510115001001' })).json;
  stationA2 = (await root.post('/api/v1/organizations', { name: '东大社区工作站', kind: 'station', parent_id: assocA.id, region_code: '510115001002' })).json;
  assert.equal((await root.post('/api/v1/users', { username: 'adm_st1', password: 'station-pw1', roles: ['admin'], org_id: stationA1.id })).status, 201);
  admA1 = new Client(srv.url);
  await admA1.login('adm_st1', 'station-pw1');
});
after(async () => { await srv?.stop(); });

test('registration: derived facts, masking, volunteer number with its check digit', async () => {
  const id = residentId('510115', '19880808', 1);
  const v = await create(root, { name: '王小明', id_number: id.toLowerCase(), phone: '13812345678', org_id: stationA1.id });
  assert.equal(v.gender, 'male');
  assert.equal(v.birth_date, '1988-08-08');
  assert.equal(v.id_number_masked, id.slice(0, 4) + '*'.repeat(10) + id.slice(14));
  assert.match(v.volunteer_number, /^51011526\d{9}$|^510115\d{11}$/);
  assert.ok(!JSON.stringify(v).includes(id), 'the full ID never appears');
  assert.equal(v.phone, '13812345678', 'single reads show the phone to staff');
  assert.equal(v.home_org_id, stationA1.id);
  assert.equal(v.memberships.length, 1);
  const list = await root.get('/api/v1/volunteers?q=' + encodeURIComponent('王小'));
  assert.equal(list.json.items[0].phone, '138****5678');
});

test('ID numbers: every kind of bad number is 422 on id_number, nothing is written', async () => {
  const good = residentId('510115', '19900101', 11);
  const bad = [
    [good.slice(0, 17) + (good[17] === '1' ? '2' : '1'), 'id_checksum'],
    [residentId('510115', '19990230', 3), 'id_birth_date'],
    [residentId('990115', '19900101', 3), 'id_province'],
    [residentId('510115', '29990101', 3), 'id_birth_date'],
    ['510115900101123', 'id_legacy_15'],
    ['51011519900101AB12', 'id_format'],
    ['123', 'id_format'],
  ];
  const before = (await root.get('/api/v1/volunteers?limit=200')).json.items.length;
  for (const [number, code] of bad) {
    const r = await root.post('/api/v1/volunteers', base({ id_number: number }));
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, code, 'id_number'], number);
  }
  const cases = [
    [{ gender: 'female', id_number: residentId('510115', '19900101', 13) }, 'gender_mismatch', 'gender'],
    [{ birth_date: '1990-01-02', id_number: residentId('510115', '19900101', 13) }, 'birth_date_mismatch', 'birth_date'],
    [{ id_type: 'alien_card' }, 'invalid_id_type', 'id_type'],
    [{ consent: undefined }, 'consent_required', 'consent'],
    [{ consent: { sensitive: false, notice_version: '2026-11' } }, 'consent_required', 'consent'],
    [{ consent: { sensitive: true } }, 'required', 'consent'],
    [{ phone: '12345' }, 'invalid_phone', 'phone'],
    [{ region_code: '5101' }, 'invalid_region_code', 'region_code'],
    [{ org_id: 999999 }, 'org_not_found', 'org_id'],
    [{ skills: ['x'.repeat(21)] }, 'invalid_tag', 'skills'],
    [{ skills: 'a,b' }, 'wrong_type', 'skills'],
    [{ name: '' }, 'required', 'name'],
    [{ name: '名'.repeat(51) }, 'too_long', 'name'],
    [{ id_type: 'passport', id_number: 'E12345678' }, 'required', 'gender'],
    [{ id_type: 'passport', id_number: 'E1', gender: 'male', birth_date: '1990-01-01' }, 'id_format', 'id_number'],
    [{ id_type: 'hk_macao_permit', id_number: 'X12345678', gender: 'male', birth_date: '1990-01-01' }, 'id_format', 'id_number'],
  ];
  for (const [over, code, field] of cases) {
    const r = await root.post('/api/v1/volunteers', base(over));
    assert.ok(r.status === 422 || r.status === 400, JSON.stringify(over));
    assert.deepEqual([r.json.error.code, r.json.error.field], [code, field], JSON.stringify(over));
  }
  const after = (await root.get('/api/v1/volunteers?limit=200')).json.items.length;
  assert.equal(after, before);
  const hk = await root.post('/api/v1/volunteers', base({ id_type: 'hk_macao_permit', id_number: 'H12345678', gender: 'female', birth_date: '1985-02-03' }));
  assert.equal(hk.status, 201);
  assert.equal(hk.json.id_number_masked, '*******78');
});

test('minors: under 14 need a guardian with name, phone and consent; 14-17 the consent', async () => {
  const kid = nextId(birthForAge(10));
  let r = await root.post('/api/v1/volunteers', base({ id_number: kid }));
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'guardian_required', 'guardian']);
  r = await root.post('/api/v1/volunteers', base({ id_number: kid, guardian: { consent: true } }));
  assert.deepEqual([r.status, r.json.error.field], [422, 'guardian']);
  r = await root.post('/api/v1/volunteers', base({ id_number: kid, guardian: { name: '家长甲', phone: '13911112222', consent: false } }));
  assert.deepEqual([r.status, r.json.error.code], [422, 'guardian_required']);
  r = await root.post('/api/v1/volunteers', base({ id_number: kid, guardian: { name: '家长甲', phone: '13911112222', consent: true } }));
  assert.equal(r.status, 201);
  assert.equal(r.json.guardian.name, '家长甲');
  assert.ok(r.json.guardian.consent_at);
  const teen = nextId(birthForAge(16));
  r = await root.post('/api/v1/volunteers', base({ id_number: teen }));
  assert.equal(r.status, 422);
  r = await root.post('/api/v1/volunteers', base({ id_number: teen, guardian: { consent: true } }));
  assert.equal(r.status, 201);
});

test('the same ID twice is 409 without details, however it is typed', async () => {
  const id = residentId('510115', '19750615', 42);
  await create(root, { id_number: id, org_id: stationA2.id });
  for (const typed of [id, ' ' + id.slice(0, 6) + ' ' + id.slice(6) + ' ']) {
    const r = await root.post('/api/v1/volunteers', base({ id_number: typed }));
    assert.deepEqual([r.status, r.json.error.code], [409, 'volunteer_exists']);
    assert.ok(!r.text.includes('东大'), 'no hint where the person is registered');
  }
  const r = await admA1.post('/api/v1/volunteers', base({ id_number: id, org_id: stationA1.id }));
  assert.equal(r.status, 409, 'also for an admin who cannot see the first file');
});

test('scope: a workstation admin sees nobody outside its subtree', async () => {
  const mine = await create(admA1, { name: '站内人员', org_id: stationA1.id });
  const other = await create(root, { name: '站外人员', org_id: stationA2.id });
  assert.equal((await admA1.get(`/api/v1/volunteers/${other.id}`)).status, 403);
  assert.equal((await admA1.patch(`/api/v1/volunteers/${other.id}`, { employer: 'x' })).status, 403);
  assert.equal((await admA1.post('/api/v1/volunteers', base({ org_id: stationA2.id }))).status, 403);
  assert.equal((await admA1.get(`/api/v1/volunteers?org_id=${stationA2.id}`)).status, 403);
  const list = await admA1.get('/api/v1/volunteers?limit=200');
  assert.ok(list.json.items.some((v) => v.id === mine.id));
  assert.ok(list.json.items.every((v) => v.home_org_id === stationA1.id));
  const byName = await admA1.get('/api/v1/volunteers?q=' + encodeURIComponent('站外'));
  assert.equal(byName.json.items.length, 0);
  assert.equal((await admA1.get(`/api/v1/volunteers/${other.id}/export`)).status, 403);
});

test('search: name parts, phone, number, exact ID, tags, age, status, sort and pages', async () => {
  const a = await create(root, { name: '欧阳娜娜', phone: '13700000001', skills: ['摄影', '外语'], service_categories: ['环境保护'], id_number: nextId('20000229', true) });
  const b = await create(root, { name: 'Li Lei', phone: '13700000002', skills: ['外语'], id_number: nextId('19600101') });
  const find = async (qs) => (await root.get('/api/v1/volunteers?limit=200&' + qs)).json.items.map((v) => v.id);
  assert.deepEqual(await find('q=' + encodeURIComponent('欧')), [a.id]);
  assert.deepEqual(await find('q=' + encodeURIComponent('阳娜')), [a.id]);
  assert.deepEqual(await find('q=' + encodeURIComponent('娜娜')), [a.id]);
  assert.deepEqual(await find('q=lei'), [b.id]);
  assert.deepEqual(await find('q=13700000002'), [b.id]);
  assert.deepEqual(await find('q=' + a.volunteer_number), [a.id]);
  const full = (await root.get(`/api/v1/volunteers?q=${a.volunteer_number}`)).json.items[0];
  assert.equal(full.name, '欧阳娜娜');
  assert.deepEqual(await find('skill=' + encodeURIComponent('外语') + '&q=' + encodeURIComponent('欧')), [a.id]);
  assert.ok((await find('skill=' + encodeURIComponent('外语'))).includes(b.id));
  assert.deepEqual(await find('category=' + encodeURIComponent('环境保护')), [a.id]);
  const old = await find('age_min=60');
  assert.ok(old.includes(b.id) && !old.includes(a.id));
  const young = await find('age_max=30');
  assert.ok(young.includes(a.id) && !young.includes(b.id));
  assert.ok((await find('id_number=' + encodeURIComponent('19600101'))).length === 0, 'no partial ID search');
  // pages by name follow the cursor without repeats
  const seen = [];
  let cursor = '';
  for (let i = 0; i < 50; i++) {
    const p = await root.get('/api/v1/volunteers?sort=name&limit=3' + (cursor ? '&cursor=' + cursor : ''));
    assert.equal(p.status, 200);
    seen.push(...p.json.items.map((v) => v.name + '#' + v.id));
    if (!p.json.next_cursor) break;
    cursor = p.json.next_cursor;
  }
  const all = (await root.get('/api/v1/volunteers?sort=name&limit=200')).json.items.map((v) => v.name + '#' + v.id);
  assert.deepEqual(seen, all);
  for (const bad of ['sort=age', 'limit=0', 'cursor=zz', 'age_min=abc', 'status=x', 'org_id=x', 'q=' + 'x'.repeat(70), 'sort=name&cursor=c12']) {
    assert.equal((await root.get('/api/v1/volunteers?' + bad)).status, 400, bad);
  }
});

test('exact ID search and the full number under an explicit, audited grant', async () => {
  const id = residentId('510115', '19820304', 77);
  const v = await create(root, { id_number: id, name: '证件测试' });
  const hits = (await root.get('/api/v1/volunteers?id_number=' + id.toLowerCase())).json.items;
  assert.deepEqual(hits.map((x) => x.id), [v.id]);
  let r = await root.get(`/api/v1/volunteers/${v.id}/id-number`);
  assert.deepEqual([r.status, r.json.error.code], [403, 'permission_required']);
  const me = (await root.get('/api/v1/me')).json;
  // nobody grants themselves: another admin of the root grants it
  assert.equal((await root.patch(`/api/v1/users/${me.id}`, { permissions: ['read_id_number'] })).status, 403);
  const pw = 'Granter-root-2026';
  assert.equal((await root.post('/api/v1/users', { username: 'id_granter', password: pw, roles: ['admin'], org_id: me.org_id })).status, 201);
  const granter = new Client(srv.url);
  await granter.login('id_granter', pw);
  r = await granter.patch(`/api/v1/users/${me.id}`, { permissions: ['read_id_number'] });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.permissions, ['read_id_number']);
  assert.equal((await granter.patch(`/api/v1/users/${me.id}`, { permissions: ['god_mode'] })).status, 422);
  r = await root.get(`/api/v1/volunteers/${v.id}/id-number`);
  assert.equal(r.status, 200);
  assert.equal(r.json.id_number, id);
  const audit = await root.get('/api/v1/audit-log?action=volunteer.id_number_read');
  assert.equal(audit.json.items[0].target_id, v.id);
});

test('edit: audited before and after; the ID and home are not editable here', async () => {
  const v = await create(root, { name: '改名前' });
  let r = await root.patch(`/api/v1/volunteers/${v.id}`, { name: '改名后', phone: '13600000009', skills: ['维修'], emergency_contact: { name: '紧急人', phone: '13600000010' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.name, '改名后');
  assert.deepEqual(r.json.skills, ['维修']);
  assert.equal(r.json.emergency_contact.name, '紧急人');
  const found = (await root.get('/api/v1/volunteers?q=' + encodeURIComponent('改名后'))).json.items;
  assert.deepEqual(found.map((x) => x.id), [v.id]);
  assert.equal((await root.get('/api/v1/volunteers?q=' + encodeURIComponent('改名前'))).json.items.length, 0);
  assert.deepEqual((await root.get('/api/v1/volunteers?skill=' + encodeURIComponent('急救') + '&q=' + encodeURIComponent('改名'))).json.items, []);
  const audit = (await root.get('/api/v1/audit-log?action=volunteer.update')).json.items.find((e) => e.target_id === v.id);
  assert.equal(audit.detail.before.name, '改名前');
  assert.equal(audit.detail.after.name, '改名后');
  assert.equal(audit.detail.after.phone, '136****0009', 'phones are masked in the audit log');
  for (const [body, field] of [[{ id_number: '1' }, 'id_number'], [{ org_id: 1 }, 'org_id'], [{ gender: 'female' }, 'gender'], [{ phone: '1' }, 'phone'], [{ status: 'deleted' }, 'status']]) {
    r = await root.patch(`/api/v1/volunteers/${v.id}`, body);
    assert.deepEqual([r.status, r.json.error.field], [422, field], JSON.stringify(body));
  }
});

test('deactivate, reactivate and transfer keep the history; the tree counts follow', async () => {
  const v = await create(root, { org_id: stationA1.id, name: '转移人员' });
  const count = async (id) => {
    const t = (await root.get(`/api/v1/organizations/${rootOrg}/tree`)).json;
    return t.nodes.find((n) => n.id === id).volunteers;
  };
  const a1 = await count(stationA1.id), a2 = await count(stationA2.id);
  let r = await root.post(`/api/v1/volunteers/${v.id}/deactivate`, {});
  assert.deepEqual([r.status, r.json.error.field], [422, 'reason']);
  r = await root.post(`/api/v1/volunteers/${v.id}/deactivate`, { reason: '长期外出' });
  assert.equal(r.json.status, 'inactive');
  assert.equal(await count(stationA1.id), a1 - 1, 'inactive people are not counted');
  assert.equal((await root.post(`/api/v1/volunteers/${v.id}/deactivate`, { reason: 'x' })).status, 409);
  r = await root.post(`/api/v1/volunteers/${v.id}/reactivate`);
  assert.equal(r.json.status, 'active');
  r = await root.post(`/api/v1/volunteers/${v.id}/transfer`, { org_id: stationA2.id, role: 'leader' });
  assert.equal(r.status, 200);
  assert.equal(r.json.home_org_id, stationA2.id);
  assert.equal(r.json.memberships.length, 2);
  assert.ok(r.json.memberships[0].left_on);
  assert.equal(r.json.memberships[1].role, 'leader');
  assert.equal(await count(stationA2.id), a2 + 1);
  assert.equal((await root.post(`/api/v1/volunteers/${v.id}/transfer`, { org_id: stationA2.id })).status, 422);
  assert.equal((await admA1.post(`/api/v1/volunteers/${v.id}/transfer`, { org_id: stationA1.id })).status, 403);
  const tree = (await root.get(`/api/v1/organizations/${assocA.id}/tree`)).json;
  assert.equal(tree.summary.volunteers, tree.nodes.reduce((s, n) => s + n.volunteers, 0));
  assert.equal((await root.post(`/api/v1/organizations/${stationA2.id}/dissolve`)).status, 409, 'people still belong there');
});

test('self-registration, own file, export and deletion', async () => {
  const id = residentId('510115', '19950505', 124);
  const anon = new Client(srv.url);
  let r = await anon.post('/api/v1/public/volunteers', base({ id_number: id, name: '自助注册', phone: '13511112222', password: 'short', org_id: undefined }));
  assert.deepEqual([r.status, r.json.error.field], [422, 'password']);
  r = await anon.post('/api/v1/public/volunteers', base({ id_number: id, name: '自助注册', phone: '13511112222', password: 'my-password-1', org_id: undefined }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.username, '13511112222');
  const number = r.json.volunteer.volunteer_number;
  r = await anon.post('/api/v1/public/volunteers', base({ id_number: id, phone: '13511113333', password: 'my-password-1', org_id: undefined }));
  assert.deepEqual([r.status, r.json.error.code], [409, 'volunteer_exists']);
  r = await anon.post('/api/v1/public/volunteers', base({ phone: '13511112222', password: 'my-password-1', org_id: undefined }));
  assert.deepEqual([r.status, r.json.error.code], [409, 'phone_taken']);

  const me = new Client(srv.url);
  const login = await me.login('13511112222', 'my-password-1');
  assert.deepEqual(login.json.user.roles, ['volunteer']);
  r = await me.get('/api/v1/me/volunteer');
  assert.equal(r.json.volunteer_number, number);
  assert.equal(r.json.phone, '13511112222');
  assert.equal((await me.get('/api/v1/volunteers')).status, 403, 'volunteers do not browse others');
  r = await me.patch('/api/v1/me/volunteer', { available_time: '周末', skills: ['心理'] });
  assert.equal(r.status, 200);
  assert.equal(r.json.available_time, '周末');
  r = await me.patch('/api/v1/me/volunteer', { name: '改名' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'not_editable']);
  r = await me.get('/api/v1/me/volunteer/export');
  assert.equal(r.status, 200);
  assert.equal(r.json.volunteer.id_number, id, 'the person gets their own full ID');
  assert.ok(r.json.history.some((e) => e.action === 'volunteer.create'));
  const vid = r.json.volunteer.id;
  const staffExport = await root.get(`/api/v1/volunteers/${vid}/export`);
  assert.equal(staffExport.json.volunteer.id_number, undefined, 'staff exports keep the ID masked');

  r = await me.post('/api/v1/me/volunteer/deletion');
  assert.equal(r.status, 204);
  assert.equal((await me.get('/api/v1/me')).status, 401);
  assert.equal((await new Client(srv.url).post('/api/v1/sessions', { username: '13511112222', password: 'my-password-1' })).status, 401);
  const gone = (await root.get(`/api/v1/volunteers/${vid}`)).json;
  assert.equal(gone.status, 'deleted');
  assert.equal(gone.name, '已注销');
  assert.equal(gone.phone, null);
  assert.equal(gone.birth_date, '1995-01-01', 'the birth year stays for the statistics');
  assert.equal((await root.get('/api/v1/volunteers?q=' + encodeURIComponent('自助'))).json.items.length, 0);
  assert.equal((await root.get('/api/v1/volunteers?status=deleted')).json.items.some((v) => v.id === vid), true);
  r = await anon.post('/api/v1/public/volunteers', base({ id_number: id, name: '重新注册', phone: '13511112222', password: 'my-password-2', org_id: undefined }));
  assert.equal(r.status, 201, 'after deletion the person may register again');
});

test('self-registration is throttled per address', async () => {
  const s2 = await startServer();
  try {
    const anon = new Client(s2.url);
    let last;
    for (let i = 0; i < 12; i++) last = await anon.post('/api/v1/public/volunteers', { name: 'x' });
    assert.equal(last.status, 429);
    assert.ok(Number(last.headers.get('retry-after')) > 0);
  } finally {
    await s2.stop();
  }
});

test('check characters of the synthetic IDs follow GB 11643', () => {
  assert.equal(checkChar('11010519491231002'), 'X');
});

test('lifecycle endpoints refuse bad input and unknown files', async () => {
  const v = await create(root, { name: '坏输入' });
  const cases = [
    ['POST', `/api/v1/volunteers/${v.id}/transfer`, {}, 422],
    ['POST', `/api/v1/volunteers/${v.id}/transfer`, { org_id: 'x' }, 400],
    ['POST', `/api/v1/volunteers/${v.id}/transfer`, { org_id: 999999 }, 422],
    ['POST', `/api/v1/volunteers/${v.id}/deactivate`, { reason: 5 }, 400],
    ['POST', `/api/v1/volunteers/${v.id}/deactivate`, { reason: 'r'.repeat(201) }, 422],
    ['POST', '/api/v1/volunteers/999999/deactivate', { reason: 'x' }, 404],
    ['PATCH', '/api/v1/volunteers/999999', { name: 'x' }, 404],
    ['GET', '/api/v1/volunteers/999999', undefined, 404],
    ['GET', '/api/v1/volunteers/999999/export', undefined, 404],
    ['GET', '/api/v1/volunteers/abc', undefined, 404],
    ['PATCH', `/api/v1/volunteers/${v.id}`, { skills: [1] }, 400],
    ['PATCH', `/api/v1/volunteers/${v.id}`, { emergency_contact: 'x' }, 400],
    ['PATCH', `/api/v1/volunteers/${v.id}`, { region_code: '12' }, 422],
    ['GET', '/api/v1/me/volunteer', undefined, 404],
  ];
  for (const [method, path, body, status] of cases) {
    const r = await root.request(method, path, body);
    assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}`);
    assert.ok(r.json.error.code);
  }
});
