// Regions from the first start: a new installation rooted in Wenjiang
// (510115) has its streets, towns, communities and villages with town
// household populations, projects accept a town code without any import,
// pickers on public pages read a region's children through
// GET /public/regions, and the volunteer list says how many match
// (exact up to 10,000, then "10,000+").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

let srv, root, rootOrg, assoc, station, other, stationAdmin;
before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  assoc = (await root.post('/api/v1/organizations', { name: '和盛镇志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115101000' })).json;
  station = (await root.post('/api/v1/organizations', { name: '百花村志愿服务工作站', kind: 'station', parent_id: assoc.id, region_code: '510115101201' })).json;
  other = (await root.post('/api/v1/organizations', { name: '两河社区志愿服务工作站', kind: 'station', parent_id: assoc.id, region_code: '510115101002' })).json;
  assert.ok(station.id && other.id);
  await root.post('/api/v1/users', { username: 'bh_admin', password: 'baihua-admin-1', roles: ['admin'], org_id: station.id });
  stationAdmin = new Client(srv.url);
  await stationAdmin.login('bh_admin', 'baihua-admin-1');
});
after(async () => { await srv?.stop(); });

const shipped = readFileSync(join(repoRoot, 'data/regions/wenjiang.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));

test('a new server has the district\'s towns and communities, with town populations adding up to the district', async () => {
  const towns = shipped.filter((r) => r[2] === '510115000000');
  const communities = shipped.filter((r) => r[0].endsWith('000') === false);
  assert.equal(towns.length, 11);
  assert.equal(communities.length, 114, 'one per village/community workstation of the Wenjiang model');
  const r = await root.get('/api/v1/regions?parent_code=510115&limit=200');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((x) => [x.code, x.name]), towns.map((t) => [t[0], t[1]]));
  let sum = 0;
  for (const t of towns) {
    const g = (await root.get(`/api/v1/regions/${t[0]}`)).json;
    assert.equal(g.population_year, 2015, t[1]);
    sum += g.household_population;
  }
  assert.equal(sum, 380000);
  assert.equal((await root.get('/api/v1/regions/510115')).json.household_population, 380000);
  const heSheng = await root.get('/api/v1/regions?parent_code=510115101000&limit=200');
  assert.deepEqual(heSheng.json.items.map((x) => x.name), ['和盛社区', '两河社区', '园艺社区', '百花村', '东岳村', '友爱村', '新桥村', '长兴村', '永兴村', '金山村']);
  assert.ok(heSheng.json.items.every((x) => x.level === 5));
  // the coverage of a town is there without anybody importing anything
  const tree = (await root.get(`/api/v1/organizations/${assoc.id}/tree`)).json.summary;
  assert.deepEqual([tree.household_population, tree.population_year], [33000, 2015]);
});

test('a project with a town or community code works without an import; unknown codes are still refused', async () => {
  const base = { title: '和盛河道巡护', org_id: station.id, domain: 'social_governance', category: '环保' };
  let r = await root.post('/api/v1/projects', { ...base, region_code: '510115101000' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.region_code, '510115101000');
  r = await root.post('/api/v1/projects', { ...base, title: '百花村助老', region_code: '510115101201' });
  assert.equal(r.status, 201, r.text);
  r = await root.post('/api/v1/projects', { ...base, title: '区级项目', region_code: '510115' });
  assert.equal(r.status, 201, 'a 6-digit county code is its 12-digit row: ' + r.text);
  assert.equal(r.json.region_code, '510115', 'stored as given, as before');
  const before = (await root.get(`/api/v1/projects?org_id=${station.id}&limit=100`)).json.items.length;
  r = await root.post('/api/v1/projects', { ...base, title: '不存在', region_code: '510115101299' });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'region_not_found', 'region_code']);
  r = await root.post('/api/v1/projects', { ...base, title: '不存在', region_code: '5101151012' });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'invalid_region_code', 'region_code']);
  assert.equal((await root.get(`/api/v1/projects?org_id=${station.id}&limit=100`)).json.items.length, before, 'nothing was created');
});

test('GET /public/regions: children of a code for pickers, no sign-in, limited fields', async () => {
  const anon = new Client(srv.url);
  let r = await anon.get('/api/v1/public/regions');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.parent_code, '510115000000', 'the installation\'s own region by default');
  assert.equal(r.json.parent_name, '温江区');
  assert.equal(r.json.items.length, 11);
  assert.deepEqual(r.json.items[0], { code: '510115001000', name: '柳城街道', level: 4, has_children: true });
  r = await anon.get('/api/v1/public/regions?parent_code=510115001000');
  assert.equal(r.json.items.length, 11);
  assert.deepEqual(r.json.items[0], { code: '510115001001', name: '光华社区', level: 5, has_children: false });
  assert.deepEqual(Object.keys(r.json.items[0]).sort(), ['code', 'has_children', 'level', 'name'], 'no population, dates or counts');
  r = await anon.get('/api/v1/public/regions?parent_code=510115001001');
  assert.deepEqual(r.json.items, [], 'a community has no children');
  r = await anon.get('/api/v1/public/regions?parent_code=990000');
  assert.deepEqual([r.status, r.json.parent_name, r.json.items], [200, null, []]);
  for (const bad of ['abc', '5101', '51011500100', '0000000000000', '00', '510115%25']) {
    r = await anon.request('GET', `/api/v1/public/regions?parent_code=${bad}`, undefined, { 'Accept-Language': 'en' });
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [400, 'invalid_region_code', 'parent_code'], bad);
    assert.match(r.json.error.message, /[a-z]/, 'English message');
  }
  // a region retired by its end date is no longer offered
  const upd = await root.patch('/api/v1/regions/510115001011', { valid_to: '2020-01-01' });
  assert.equal(upd.status, 200, upd.text);
  r = await anon.get('/api/v1/public/regions?parent_code=510115001000');
  assert.deepEqual(r.json.items.map((x) => x.code).includes('510115001011'), false);
  assert.equal(r.json.items.length, 10);
  assert.equal((await anon.request('POST', '/api/v1/public/regions', {})).status, 405);
});

const HEADER = '姓名,性别,证件号码,手机号,居住地区划代码,技能,服务类别\n';

async function importPeople(orgId, first, count, name, skill) {
  let csv = HEADER;
  for (let i = first; i < first + count; i++) {
    const birth = `19${String(50 + (i % 40)).padStart(2, '0')}0${1 + (i % 9)}1${i % 9}`;
    const seq = Math.floor(i / 360) % 1000;
    csv += `${name}${i},,${residentId('510115', birth, seq)},13${String(i).padStart(9, '0')},510115101201,${skill},扶老助残\n`;
  }
  const r = await root.request('POST', `/api/v1/imports/volunteers?org_id=${orgId}`, csv, { 'Content-Type': 'text/csv' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.rejected_count, 0, JSON.stringify(r.json.rejected?.slice(0, 3)));
  return r.json.imported;
}

test('the volunteer list counts matches: exact up to 10,000, capped beyond, with filters', async () => {
  let r = await root.get('/api/v1/volunteers?limit=5');
  assert.deepEqual([r.json.total, r.json.total_capped], [0, false]);
  assert.equal(await importPeople(other.id, 0, 7, '两河居民', '医疗'), 7);
  r = await root.get('/api/v1/volunteers?limit=5');
  assert.deepEqual([r.json.items.length, r.json.total, r.json.total_capped], [5, 7, false]);
  assert.ok(r.json.next_cursor);
  const next = await root.get('/api/v1/volunteers?limit=5&cursor=' + encodeURIComponent(r.json.next_cursor));
  assert.equal(next.json.items.length, 2);
  assert.equal(next.json.total, undefined, 'later pages do not count again');
  // 10,001 more people: the count stops at the cap
  assert.equal(await importPeople(station.id, 100, 10001, '百花居民', '驾驶'), 10001);
  assert.equal((await root.get('/api/v1/regions/510115101201')).json.volunteers, 10008, 'all of them live in 百花村');
  r = await root.get('/api/v1/volunteers?limit=20');
  assert.deepEqual([r.json.items.length, r.json.total, r.json.total_capped], [20, 10000, true]);
  for (const [qs, total] of [
    [`org_id=${other.id}`, 7],
    ['skill=医疗', 7],
    ['q=两河居民', 7],
    ['q=百花居民1000', 11],           // 1000 and 10000–10009
    ['q=13000000100', 1],             // an exact phone
    ['status=inactive', 0],
    [`org_id=${assoc.id}&skill=医疗`, 7],
  ]) {
    r = await root.get(`/api/v1/volunteers?limit=20&${qs}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.total, r.json.total_capped], [total, false], qs);
    assert.equal(r.json.items.length, Math.min(total, 20), qs);
  }
  r = await root.get(`/api/v1/volunteers?limit=20&org_id=${station.id}&sort=name`);
  assert.deepEqual([r.json.total, r.json.total_capped], [10000, true]);
  // scope: the station's admin counts only the station's people
  r = await stationAdmin.get('/api/v1/volunteers?limit=20&skill=医疗');
  assert.deepEqual([r.json.total, r.json.total_capped], [0, false]);
  r = await stationAdmin.get('/api/v1/volunteers?limit=20&q=百花居民1000');
  assert.deepEqual([r.json.total, r.json.total_capped], [11, false]);
  // bad filters still answer 400 before counting
  r = await root.get('/api/v1/volunteers?limit=20&age_min=abc');
  assert.deepEqual([r.status, r.json.error.field], [400, 'age_min']);
});

test('another district has none of Wenjiang\'s regions and loads its own with `zhiyuan import regions FILE`', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zhiyuan-regions-'));
  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  const common = ['--db', 'sqlite:' + join(dir, 'z.db'), '--key-file', join(dir, 'k'), '--root-region', '510116', '--log-level', 'error'];
  const env = { ...process.env, ZHIYUAN_ADMIN_PASSWORD: 'other-district-1' };
  try {
    execFileSync(bin, ['migrate', ...common], { env });
    let srv2 = await startServer({ backend: 'sqlite', adminPassword: 'other-district-1', args: common.slice(0, 6) });
    let anon = new Client(srv2.url);
    let r = await anon.get('/api/v1/public/regions');
    assert.deepEqual([r.json.parent_code, r.json.parent_name, r.json.items], ['510116000000', null, []], 'nothing shipped for 510116');
    await srv2.stop();
    const csv = ['code,name,parent_code,population_year,household_population',
      '510116000000,测试区,,2025,90000',
      '510116001000,甲街道,510116000000,2025,50000',
      '510116002000,乙镇,510116000000,2025,40000',
      '510116001001,甲一社区,510116001000,,',
      '510116002201,乙一村,510116002000,,'].join('\n') + '\n';
    writeFileSync(join(dir, 'other.csv'), csv);
    const out = JSON.parse(execFileSync(bin, ['import', 'regions', join(dir, 'other.csv'), ...common], { env, encoding: 'utf8' }));
    assert.deepEqual([out.total_rows, out.imported, out.rejected_count], [5, 5, 0]);
    srv2 = await startServer({ backend: 'sqlite', adminPassword: 'other-district-1', args: common.slice(0, 6) });
    try {
      anon = new Client(srv2.url);
      r = await anon.get('/api/v1/public/regions');
      assert.deepEqual([r.json.parent_name, r.json.items.map((x) => x.name)], ['测试区', ['甲街道', '乙镇']]);
      r = await anon.get('/api/v1/public/regions?parent_code=510116002000');
      assert.deepEqual(r.json.items.map((x) => [x.code, x.name]), [['510116002201', '乙一村']]);
      r = await anon.get('/api/v1/public/regions?parent_code=510115');
      assert.deepEqual(r.json.items, [], 'Wenjiang was never loaded here');
    } finally {
      await srv2.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
