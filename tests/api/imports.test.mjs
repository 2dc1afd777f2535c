// Regions with household population and coverage, and spreadsheet imports
// of regions and volunteers (CSV in UTF-8 and GB18030, XLSX), with their
// row reports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';
import { xlsx } from '../lib/xlsx.mjs';

let srv, root, rootOrg, assoc, admA;
before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  assoc = (await root.post('/api/v1/organizations', { name: '公平街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115002000' })).json;
  await root.post('/api/v1/users', { username: 'adm_gp', password: 'adm-gp-secret-1', roles: ['admin'], org_id: assoc.id });
  admA = new Client(srv.url);
  await admA.login('adm_gp', 'adm-gp-secret-1');
});
after(async () => { await srv?.stop(); });

const upload = (c, path, body, type = 'text/csv') => c.request('POST', path, body, { 'Content-Type': type });

test('regions: the shipped Wenjiang codes are there from the first start; importing them again changes nothing', async () => {
  const csv = readFileSync(join(repoRoot, 'data/regions/wenjiang.csv'));
  const rows = csv.toString('utf8').trim().split('\n').length - 1;
  let r = await upload(admA, '/api/v1/imports/regions', csv);
  assert.equal(r.status, 403, 'only admins of the root maintain regions');
  r = await upload(root, '/api/v1/imports/regions', csv);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.total_rows, r.json.imported, r.json.updated, r.json.unchanged, r.json.rejected_count], [rows, 0, 0, rows, 0]);
  const kids = await root.get('/api/v1/regions?parent_code=510115&limit=200');
  assert.equal(kids.json.items.length, 11);
  assert.ok(kids.json.items.every((x) => x.level === 4 && x.parent_code === '510115000000'));
  const wj = await root.get('/api/v1/regions/510115');
  assert.equal(wj.json.name, '温江区');
  assert.equal(wj.json.household_population, 380000);
  assert.equal(wj.json.population_year, 2015);
  assert.equal((await root.get('/api/v1/regions/999999')).status, 404);
  assert.equal((await root.get('/api/v1/regions/abc')).status, 404);
});

test('regions: maintained by hand with checks; coverage follows volunteers', async () => {
  let r = await root.post('/api/v1/regions', { code: '510115002091', name: '测试社区', parent_code: '510115002000' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.level, 5);
  r = await root.post('/api/v1/regions', { code: '510115002091', name: 'x', parent_code: '510115002000' });
  assert.deepEqual([r.status, r.json.error.code], [409, 'region_exists']);
  r = await root.post('/api/v1/regions', { code: '510116002001', name: 'x', parent_code: '510115002000' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'invalid_parent_region']);
  r = await root.post('/api/v1/regions', { code: '510115009001', name: 'x', parent_code: '510115009000' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'parent_not_found']);
  r = await root.post('/api/v1/regions', { code: '51', name: 'x' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'code']);
  r = await root.post('/api/v1/regions', { code: '510115002008', name: 'x', parent_code: '510115002000', valid_from: '2020-02-30' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'valid_from']);
  r = await root.patch('/api/v1/regions/510115002001', { name: '测试社区（新）', valid_to: '2030-12-31' });
  assert.equal(r.json.name, '测试社区（新）');
  assert.equal(r.json.valid_to, '2030-12-31');
  assert.equal((await root.patch('/api/v1/regions/510115002001', { code: '1' })).status, 422);
  assert.equal((await admA.patch('/api/v1/regions/510115002001', { name: 'x' })).status, 403);
  r = await root.request('PUT', '/api/v1/regions/510115002000/population/2025', { household_population: 1000 });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.population, [{ year: 2015, household_population: 48000 }, { year: 2025, household_population: 1000 }]);
  for (const [path, body, status] of [
    ['/api/v1/regions/510115002000/population/1800', { household_population: 5 }, 404],
    ['/api/v1/regions/510115002000/population/2025', { household_population: -5 }, 422],
    ['/api/v1/regions/510115002000/population/2025', { household_population: '5' }, 400],
    ['/api/v1/regions/510115002000/population/2025', {}, 422],
  ]) {
    assert.equal((await root.request('PUT', path, body)).status, status, path + JSON.stringify(body));
  }
  for (let i = 0; i < 3; i++) {
    const v = await root.post('/api/v1/volunteers', { name: '公平居民' + i, id_type: 'resident_id', id_number: residentId('510115', '19800101', 501 + i * 2),
      phone: '1370000010' + i, region_code: '510115002091', org_id: assoc.id, consent: { sensitive: true, notice_version: '2026-11' } });
    assert.equal(v.status, 201, v.text);
  }
  const town = await root.get('/api/v1/regions/510115002000');
  assert.equal(town.json.volunteers, 3, 'people living in the town, counted through its communities');
  assert.equal(town.json.coverage, 0.003);
  const tree = await root.get(`/api/v1/organizations/${assoc.id}/tree`);
  assert.equal(tree.json.summary.household_population, 1000);
  assert.equal(tree.json.summary.coverage, 0.003);
});

const HEADER = '姓名,性别,证件号码,手机号,技能,服务类别\n';
const row = (i, birth = '19910203') => `导入${i},,${residentId('510115', birth, (i * 2 + 1) % 1000)},139${String(i).padStart(8, '0')},医疗、驾驶,扶老助残;环境保护\n`;

test('volunteers: a CSV imports, and the same file again changes nothing', async () => {
  const csv = HEADER + row(1) + row(2) + row(3);
  let r = await upload(admA, `/api/v1/imports/volunteers?org_id=${assoc.id}`, csv);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.total_rows, r.json.imported, r.json.unchanged, r.json.rejected_count, r.json.already_imported], [3, 3, 0, 0, false]);
  assert.equal(r.json.format, 'csv-utf8');
  r = await upload(admA, `/api/v1/imports/volunteers?org_id=${assoc.id}`, csv);
  assert.deepEqual([r.json.imported, r.json.unchanged, r.json.already_imported], [0, 3, true]);
  const found = (await admA.get('/api/v1/volunteers?q=' + encodeURIComponent('导入2'))).json.items[0];
  assert.deepEqual(found.skills, ['医疗', '驾驶']);
  assert.deepEqual(found.service_categories, ['扶老助残', '环境保护']);
  assert.equal(found.home_org_id, assoc.id);
  assert.equal(found.source, 'import');
  const audit = (await admA.get('/api/v1/audit-log?action=import.volunteers')).json.items;
  assert.equal(audit.length, 2, 'each imported file is audited once');
  assert.equal(audit[1].detail.imported, 3);
  assert.equal((await upload(admA, `/api/v1/imports/volunteers?org_id=${rootOrg}`, csv)).status, 403, 'only into one\'s scope');
  assert.equal((await upload(admA, '/api/v1/imports/volunteers', csv)).status, 422);
  assert.equal((await upload(admA, '/api/v1/imports/volunteers?org_id=x', csv)).status, 400);
  const t = await admA.get('/api/v1/imports/volunteers/template.csv');
  assert.equal(t.status, 200);
  assert.match(t.headers.get('content-type'), /text\/csv/);
  assert.ok(t.text.includes('姓名') && t.text.includes('证件号码'));
});

test('volunteers: GB18030 as Excel writes it, and a multipart upload', async () => {
  const utf8 = HEADER + row(21) + row(22);
  const gb = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: utf8 });
  assert.notDeepEqual(gb, Buffer.from(utf8));
  let r = await upload(admA, `/api/v1/imports/volunteers?org_id=${assoc.id}`, gb, 'application/octet-stream');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.format, r.json.imported], ['csv-gb18030', 2]);
  assert.equal((await admA.get('/api/v1/volunteers?q=' + encodeURIComponent('导入21'))).json.items.length, 1);
  const form = new FormData();
  form.append('file', new Blob([HEADER + row(23)], { type: 'text/csv' }), '志愿者.csv');
  const res = await fetch(`${srv.url}/api/v1/imports/volunteers?org_id=${assoc.id}`, {
    method: 'POST', body: form, headers: { Cookie: admA.cookie, 'X-CSRF-Token': admA.csrf },
  });
  const j = await res.json();
  assert.equal(res.status, 200, JSON.stringify(j));
  assert.equal(j.imported, 1);
});

test('volunteers: an XLSX imports', async () => {
  const book = xlsx([['姓名', '证件号码', '手机号', '技能'],
    ['表格甲', residentId('510115', '19851111', 301), '13600000301', '摄影'],
    ['表格乙', residentId('510115', '19851111', 303), '13600000303', ''],
    ['表格丙', '12345', '13600000305', '']]);
  const r = await upload(admA, `/api/v1/imports/volunteers?org_id=${assoc.id}`, book, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.format, r.json.imported, r.json.rejected_count], ['xlsx', 2, 1]);
  assert.deepEqual([r.json.rejected[0].row, r.json.rejected[0].column, r.json.rejected[0].code], [4, '证件号码', 'id_format']);
  assert.ok(r.json.rejected[0].message.length > 0);
});

test('broken files: bad encoding, missing column, garbage, empty', async () => {
  const path = `/api/v1/imports/volunteers?org_id=${assoc.id}`;
  let r = await upload(admA, path, Buffer.from([0x81, 0x30, 0xff, 0xff, 0xfe, 0x0a, 0x41]));
  assert.deepEqual([r.status, r.json.error.code], [422, 'unreadable_file']);
  r = await upload(admA, path, '姓名,手机号\n张三,13900000000\n');
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'missing_column', '证件号码']);
  r = await upload(admA, path, Buffer.from('PK\x03\x04garbage-not-a-zip'));
  assert.deepEqual([r.status, r.json.error.code], [422, 'unreadable_file']);
  r = await upload(admA, path, '');
  assert.equal(r.status, 400);
  r = await upload(admA, path, HEADER);
  assert.equal(r.status, 200);
  assert.equal(r.json.total_rows, 0);
  const en = new Client(srv.url, { lang: 'en' });
  en.cookie = admA.cookie;
  en.csrf = admA.csrf;
  r = await upload(en, path, 'name,phone\nx,1\n');
  assert.match(r.json.error.message, /required column/);
});

test('10,000 rows of which 3 are bad: 9,997 registered, 3 reported by row and column', async () => {
  const lines = [HEADER];
  for (let i = 0; i < 10000; i++) {
    const birth = `19${String(50 + (i % 40)).padStart(2, '0')}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`;
    let id = residentId('510115', birth, (i % 500) * 2 + 1);
    let phone = `158${String(i).padStart(8, '0')}`;
    if (i === 10) id = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    if (i === 5000) phone = '12345';
    const name = i === 9998 ? '' : `批量${i}`;
    lines.push(`${name},,${id},${phone},,\n`);
  }
  const t0 = Date.now();
  const r = await upload(admA, `/api/v1/imports/volunteers?org_id=${assoc.id}`, lines.join(''));
  const ms = Date.now() - t0;
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.json.total_rows, 10000);
  assert.equal(r.json.rejected_count, 3);
  assert.equal(r.json.imported + r.json.unchanged, 9997);
  assert.deepEqual(r.json.rejected.map((x) => [x.row, x.column, x.code]),
    [[12, '证件号码', 'id_checksum'], [5002, '手机号', 'invalid_phone'], [10000, '姓名', 'required']]);
  console.log(`# 10,000-row import on ${srv.backend}: ${ms} ms`);
});

test('regions: bad list queries and unknown codes', async () => {
  for (const qs of ['parent_code=12', 'limit=0', 'cursor=zz', 'q=' + 'x'.repeat(80)]) {
    assert.equal((await root.get('/api/v1/regions?' + qs)).status, 400, qs);
  }
  assert.equal((await root.patch('/api/v1/regions/999999', { name: 'x' })).status, 404);
  assert.equal((await root.request('PUT', '/api/v1/regions/999999/population/2020', { household_population: 1 })).status, 404);
  assert.equal((await root.post('/api/v1/regions', { code: 510115, name: 'x' })).status, 400);
  assert.equal((await new Client(srv.url).get('/api/v1/regions')).status, 401);
});
