// The service menu (备菜, issue 13): categories → items → sub-items with
// their providers (a fourth level is refused), editing, retiring without
// losing the row, hotlines with their organisation, hours and items, the
// public menu without sign-in, bad input for every field (nothing
// changes), and only admins of the root write the menu.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { branch, staffUser } from '../lib/fixtures.mjs';

let srv, root, anon, orgs, subAdmin, cat, item, sub;

// the whole staff tree and hotlines, to prove a refusal changed nothing
const snapshot = async () => JSON.stringify([(await root.get('/api/v1/menu/items')).json,
  (await root.get('/api/v1/menu/hotlines')).json]);

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  anon = new Client(srv.url);
  orgs = await branch(root, { association: '菜单测试协会', station: '菜单测试站', town: '510115003' });
  subAdmin = await staffUser(root, 'menu_sub_admin', ['admin'], orgs.association.id);
});
after(async () => { await srv?.stop(); });

test('three levels with providers; a fourth level is refused', async () => {
  let r = await root.post('/api/v1/menu/items', { name: '测试社区服务', parent_id: null, description: '身边的帮助' });
  assert.equal(r.status, 201, r.text);
  cat = r.json;
  assert.equal(cat.level, 1);
  assert.equal(cat.parent_id, null);
  r = await root.post('/api/v1/menu/items', { name: '助老服务', parent_id: cat.id });
  assert.equal(r.status, 201, r.text);
  item = r.json;
  assert.equal(item.level, 2);
  r = await root.post('/api/v1/menu/items', {
    name: '陪同就医', parent_id: item.id, description: '陪独居老人去医院',
    provider_ids: [orgs.station.id, orgs.association.id, orgs.station.id], skills: ['陪护', '陪护', '驾驶'],
    certificates: ['急救培训'], regions: ['510115003001'], vulnerable_groups: ['elderly_alone', 'disabled'],
    duration_minutes: 180, weekdays: 31, day_from: 480, day_to: 1080, needs_social_worker: true,
  });
  assert.equal(r.status, 201, r.text);
  sub = r.json;
  assert.equal(sub.level, 3);
  assert.deepEqual(sub.providers.map((p) => p.id), [orgs.association.id, orgs.station.id].sort((a, b) => a - b));
  assert.deepEqual(sub.skills, ['陪护', '驾驶']);
  assert.deepEqual([sub.certificates, sub.regions, sub.vulnerable_groups], [['急救培训'], ['510115003001'], ['elderly_alone', 'disabled']]);
  assert.deepEqual([sub.duration_minutes, sub.weekdays, sub.day_from, sub.day_to, sub.needs_social_worker, sub.status],
    [180, 31, 480, 1080, true, 'active']);

  const before4 = await snapshot();
  r = await root.post('/api/v1/menu/items', { name: '第四级', parent_id: sub.id });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'menu_too_deep', 'parent_id']);
  assert.equal(await snapshot(), before4);

  // a second sub-item goes after the first; the tree holds both in order
  r = await root.post('/api/v1/menu/items', { name: '代购药品', parent_id: item.id });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.position, sub.position + 1);
  const tree = (await root.get('/api/v1/menu/items')).json.items;
  const mine = tree.find((c) => c.id === cat.id);
  assert.deepEqual(mine.children[0].children.map((s) => s.name), ['陪同就医', '代购药品']);
});

test('the public menu: active items with providers and hotlines, without sign-in', async () => {
  let r = await anon.get('/api/v1/public/menu');
  assert.equal(r.status, 200, r.text);
  const c = r.json.items.find((x) => x.id === cat.id);
  assert.ok(c, 'the category is on the public menu');
  const s = c.children.find((x) => x.id === item.id).children.find((x) => x.id === sub.id);
  assert.deepEqual(s.providers.map((p) => p.name).sort(), ['菜单测试协会', '菜单测试站'].sort());
  assert.ok(Array.isArray(r.json.hotlines));
});

test('bad input for every field of a new item changes nothing', async () => {
  const suspended = (await root.post('/api/v1/organizations', { name: '菜单停用站', kind: 'station', parent_id: orgs.association.id, region_code: '510115003001' })).json;
  let r = await root.patch(`/api/v1/organizations/${suspended.id}`, { status: 'suspended' });
  assert.equal(r.status, 200, r.text);
  const retired = (await root.post('/api/v1/menu/items', { name: '将下架', parent_id: null })).json;
  assert.equal((await root.post(`/api/v1/menu/items/${retired.id}/retire`)).status, 200);
  const long = (n) => 'x'.repeat(n);
  const tags21 = Array.from({ length: 21 }, (_, i) => `t${i}`);
  const cases = [
    [{}, 422, 'required', 'name'],
    [{ name: 5 }, 400, 'wrong_type', 'name'],
    [{ name: long(101) }, 422, 'too_long', 'name'],
    [{ name: 'a', parent_id: 'x' }, 400, 'wrong_type', 'parent_id'],
    [{ name: 'a', parent_id: 0 }, 422, 'invalid_id', 'parent_id'],
    [{ name: 'a', parent_id: 99999999 }, 422, 'menu_parent_not_found', 'parent_id'],
    [{ name: 'a', parent_id: retired.id }, 422, 'menu_parent_retired', 'parent_id'],
    [{ name: 'a', description: long(2001) }, 422, 'too_long', 'description'],
    [{ name: 'a', description: 7 }, 400, 'wrong_type', 'description'],
    [{ name: 'a', position: -1 }, 422, 'out_of_range', 'position'],
    [{ name: 'a', position: '1' }, 400, 'wrong_type', 'position'],
    [{ name: 'a', skills: '陪护' }, 400, 'wrong_type', 'skills'],
    [{ name: 'a', skills: tags21 }, 422, 'too_long', 'skills'],
    [{ name: 'a', skills: [long(21)] }, 422, 'invalid_tag', 'skills'],
    [{ name: 'a', certificates: [1] }, 400, 'wrong_type', 'certificates'],
    [{ name: 'a', certificates: [''] }, 422, 'invalid_tag', 'certificates'],
    [{ name: 'a', regions: ['510115999999'] }, 422, 'region_not_found', 'regions'],
    [{ name: 'a', regions: {} }, 400, 'wrong_type', 'regions'],
    [{ name: 'a', vulnerable_groups: ['rich'] }, 422, 'invalid_value', 'vulnerable_groups'],
    [{ name: 'a', duration_minutes: 0 }, 422, 'out_of_range', 'duration_minutes'],
    [{ name: 'a', duration_minutes: 1441 }, 422, 'out_of_range', 'duration_minutes'],
    [{ name: 'a', weekdays: 0 }, 422, 'out_of_range', 'weekdays'],
    [{ name: 'a', weekdays: 128 }, 422, 'out_of_range', 'weekdays'],
    [{ name: 'a', weekdays: true }, 400, 'wrong_type', 'weekdays'],
    [{ name: 'a', day_from: 1440 }, 422, 'out_of_range', 'day_from'],
    [{ name: 'a', day_to: 0 }, 422, 'out_of_range', 'day_to'],
    [{ name: 'a', day_from: 600, day_to: 600 }, 422, 'invalid_window', 'day_to'],
    [{ name: 'a', needs_social_worker: 'yes' }, 400, 'wrong_type', 'needs_social_worker'],
    [{ name: 'a', provider_ids: 5 }, 400, 'wrong_type', 'provider_ids'],
    [{ name: 'a', provider_ids: ['1'] }, 400, 'wrong_type', 'provider_ids'],
    [{ name: 'a', provider_ids: [99999999] }, 422, 'org_not_found', 'provider_ids'],
    [{ name: 'a', provider_ids: [suspended.id] }, 422, 'org_inactive', 'provider_ids'],
    [{ name: 'a', provider_ids: Array.from({ length: 51 }, (_, i) => i + 1) }, 422, 'too_long', 'provider_ids'],
  ];
  const was = await snapshot();
  for (const [body, status, code, field] of cases) {
    r = await root.post('/api/v1/menu/items', body);
    assert.deepEqual([r.status, r.json?.error?.code, r.json?.error?.field], [status, code, field], JSON.stringify(body));
  }
  assert.equal(await snapshot(), was, 'no refused item was written');
  // messages follow Accept-Language
  r = await root.post('/api/v1/menu/items', { name: 'a', parent_id: sub.id }, { 'Accept-Language': 'en' });
  assert.match(r.json.error.message, /three levels/);
  r = await root.post('/api/v1/menu/items', { name: 'a', parent_id: sub.id }, { 'Accept-Language': 'zh-CN' });
  assert.match(r.json.error.message, /三级/);
});

test('only admins of the root write the menu; any signed-in user reads it', async () => {
  const was = await snapshot();
  let r = await subAdmin.post('/api/v1/menu/items', { name: '越权', parent_id: null });
  assert.equal(r.status, 403);
  r = await subAdmin.patch(`/api/v1/menu/items/${sub.id}`, { name: '越权' });
  assert.equal(r.status, 403);
  r = await subAdmin.post(`/api/v1/menu/items/${sub.id}/retire`);
  assert.equal(r.status, 403);
  r = await subAdmin.post('/api/v1/menu/hotlines', { number: '12349', name: '越权', org_id: orgs.association.id });
  assert.equal(r.status, 403);
  assert.equal((await anon.post('/api/v1/menu/items', { name: '匿名', parent_id: null })).status, 401);
  assert.equal((await anon.get('/api/v1/menu/items')).status, 401);
  assert.equal(await snapshot(), was);
  r = await subAdmin.get(`/api/v1/menu/items/${sub.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.name, '陪同就医');
  assert.equal((await subAdmin.get('/api/v1/menu/items/99999999')).status, 404);
});

test('editing an item: fields change, parent and level do not, bad input changes nothing', async () => {
  let r = await root.patch(`/api/v1/menu/items/${sub.id}`, { name: '陪同就医（含挂号）', day_from: 420, provider_ids: [orgs.station.id], duration_minutes: null });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.name, r.json.day_from, r.json.day_to, r.json.duration_minutes, r.json.providers.map((p) => p.id)],
    ['陪同就医（含挂号）', 420, 1080, null, [orgs.station.id]]);
  assert.deepEqual(r.json.skills, ['陪护', '驾驶'], 'fields not given stay');
  const was = await snapshot();
  for (const [body, status, code, field] of [
    [{ parent_id: cat.id }, 422, 'not_editable', 'parent_id'], [{ level: 2 }, 422, 'not_editable', 'level'],
    [{ status: 'retired' }, 422, 'not_editable', 'status'], [{ name: null }, 422, 'required', 'name'],
    [{ name: '' }, 422, 'required', 'name'], [{ day_from: 1080 }, 422, 'invalid_window', 'day_to'],
    [{ provider_ids: [0] }, 400, 'wrong_type', 'provider_ids'], [{ vulnerable_groups: ['x'] }, 422, 'invalid_value', 'vulnerable_groups'],
  ]) {
    r = await root.patch(`/api/v1/menu/items/${sub.id}`, body);
    assert.deepEqual([r.status, r.json?.error?.code, r.json?.error?.field], [status, code, field], JSON.stringify(body));
  }
  assert.equal((await root.patch('/api/v1/menu/items/99999999', { name: 'x' })).status, 404);
  assert.equal(await snapshot(), was);
});

test('hotlines: number, organisation, hours and items; shown on the public menu until retired', async () => {
  let r = await root.post('/api/v1/menu/hotlines', { number: '028-82710000', name: '助老热线', org_id: orgs.association.id,
    weekdays: 127, day_from: 480, day_to: 1200, item_ids: [sub.id, item.id, sub.id] });
  assert.equal(r.status, 201, r.text);
  const h = r.json;
  assert.deepEqual([h.number, h.org_name, h.day_from, h.day_to, h.status, h.item_ids],
    ['028-82710000', '菜单测试协会', 480, 1200, 'active', [item.id, sub.id].sort((a, b) => a - b)]);
  const was = await snapshot();
  for (const [body, status, code, field] of [
    [{ name: 'x', org_id: orgs.association.id }, 422, 'required', 'number'],
    [{ number: '12a45', name: 'x', org_id: orgs.association.id }, 422, 'invalid_hotline_number', 'number'],
    [{ number: '12', name: 'x', org_id: orgs.association.id }, 422, 'invalid_hotline_number', 'number'],
    [{ number: '028--1234', name: 'x', org_id: orgs.association.id }, 422, 'invalid_hotline_number', 'number'],
    [{ number: 12345, name: 'x', org_id: orgs.association.id }, 400, 'wrong_type', 'number'],
    [{ number: '028-82710000', name: 'x', org_id: orgs.association.id }, 409, 'hotline_number_taken', 'number'],
    [{ number: '12345', org_id: orgs.association.id }, 422, 'required', 'name'],
    [{ number: '12345', name: 'x' }, 422, 'required', 'org_id'],
    [{ number: '12345', name: 'x', org_id: 99999999 }, 422, 'org_not_found', 'org_id'],
    [{ number: '12345', name: 'x', org_id: orgs.association.id, weekdays: 200 }, 422, 'out_of_range', 'weekdays'],
    [{ number: '12345', name: 'x', org_id: orgs.association.id, day_from: 900, day_to: 800 }, 422, 'invalid_window', 'day_to'],
    [{ number: '12345', name: 'x', org_id: orgs.association.id, item_ids: [99999999] }, 422, 'menu_item_not_found', 'item_ids'],
    [{ number: '12345', name: 'x', org_id: orgs.association.id, item_ids: 'all' }, 400, 'wrong_type', 'item_ids'],
  ]) {
    r = await root.post('/api/v1/menu/hotlines', body);
    assert.deepEqual([r.status, r.json?.error?.code, r.json?.error?.field], [status, code, field], JSON.stringify(body));
  }
  assert.equal(await snapshot(), was);
  r = await root.patch(`/api/v1/menu/hotlines/${h.id}`, { name: '助老服务热线', item_ids: [sub.id] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.name, r.json.number, r.json.item_ids], ['助老服务热线', '028-82710000', [sub.id]]);
  assert.deepEqual([(await root.patch(`/api/v1/menu/hotlines/${h.id}`, { status: 'retired' })).json.error.code,
    (await root.patch('/api/v1/menu/hotlines/99999999', { name: 'x' })).status], ['not_editable', 404]);
  let pub = (await anon.get('/api/v1/public/menu')).json;
  assert.deepEqual(pub.hotlines.find((x) => x.id === h.id).item_ids, [sub.id]);
  assert.ok((await root.get('/api/v1/menu/hotlines')).json.items.some((x) => x.id === h.id));
  r = await root.post(`/api/v1/menu/hotlines/${h.id}/retire`);
  assert.deepEqual([r.status, r.json.status], [200, 'retired']);
  assert.deepEqual([(await root.post(`/api/v1/menu/hotlines/${h.id}/retire`)).json.error.code], ['hotline_retired']);
  pub = (await anon.get('/api/v1/public/menu')).json;
  assert.ok(!pub.hotlines.some((x) => x.id === h.id), 'a retired hotline leaves the public menu');
  // its number is free again
  r = await root.post('/api/v1/menu/hotlines', { number: '028-82710000', name: '新助老热线', org_id: orgs.station.id });
  assert.equal(r.status, 201, r.text);
});

test('retiring an item takes its subtree off the public menu and keeps its row; restore brings it back', async () => {
  let r = await root.post(`/api/v1/menu/items/${item.id}/retire`);
  assert.deepEqual([r.status, r.json.status, typeof r.json.retired_at], [200, 'retired', 'string']);
  r = await root.post(`/api/v1/menu/items/${item.id}/retire`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'menu_item_retired']);
  let pub = (await anon.get('/api/v1/public/menu')).json;
  const c = pub.items.find((x) => x.id === cat.id);
  assert.deepEqual(c.children, [], 'the item and its sub-items are off the public menu');
  // the staff tree keeps it, and a sub-item under a retired item cannot come back alone
  const staff = (await root.get('/api/v1/menu/items')).json.items.find((x) => x.id === cat.id);
  assert.equal(staff.children[0].status, 'retired');
  assert.equal(staff.children[0].children.length, 2);
  assert.equal((await root.post(`/api/v1/menu/items/${sub.id}/retire`)).status, 200);
  r = await root.post(`/api/v1/menu/items/${sub.id}/restore`);
  assert.deepEqual([r.status, r.json.error.code], [422, 'menu_parent_retired']);
  r = await root.post(`/api/v1/menu/items/${item.id}/restore`);
  assert.deepEqual([r.status, r.json.status, r.json.retired_at], [200, 'active', null]);
  r = await root.post(`/api/v1/menu/items/${item.id}/restore`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'menu_item_active']);
  pub = (await anon.get('/api/v1/public/menu')).json;
  const back = pub.items.find((x) => x.id === cat.id).children[0];
  assert.deepEqual(back.children.map((s) => s.name), ['代购药品'], 'the retired sub-item stays off');
  assert.equal((await root.post(`/api/v1/menu/items/${sub.id}/restore`)).status, 200);
  assert.equal((await root.post('/api/v1/menu/items/99999999/retire')).status, 404);
  // the audit log kept each change
  const log = (await root.get('/api/v1/audit-log?action=menu.item_retire')).json.items;
  assert.ok(log.some((e) => e.target_id === item.id));
});

// zhiyuan menu-load FILE on the server's own database and key
function menuLoad(file) {
  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  return spawnSync(bin, ['menu-load', file, '--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key'), '--log-level', 'error'],
    { encoding: 'utf8' });
}

test('menu-load: a file of items and hotlines, matched by name and number, twice is once', async () => {
  const file = join(srv.dir, 'menu.json');
  const doc = {
    categories: [{ name: '载入类别', items: [{ name: '载入项目', defaults: { providers: ['菜单测试站', '不存在的组织'], weekdays: 31 },
      subitems: [{ name: '载入子项目甲', duration_minutes: 60 }, { name: '载入子项目乙', providers: ['$root'], weekdays: 96 }] }] }],
    hotlines: [{ number: '028-86660001', name: '载入热线', org: '菜单测试协会', day_from: 540, day_to: 1050,
      items: ['载入类别/载入项目/载入子项目甲', '载入类别/载入项目'] }],
  };
  writeFileSync(file, JSON.stringify(doc));
  let run = menuLoad(file);
  assert.equal(run.status, 0, run.stderr);
  let report = JSON.parse(run.stdout);
  assert.deepEqual(report, { items_created: 4, items_updated: 0, items_unchanged: 0, hotlines_created: 1,
    hotlines_updated: 0, hotlines_unchanged: 0, orgs_missing: ['不存在的组织'] });
  const pub = (await anon.get('/api/v1/public/menu')).json;
  const c = pub.items.find((x) => x.name === '载入类别');
  const [a, b] = c.children[0].children;
  assert.deepEqual([a.name, a.weekdays, a.duration_minutes, a.providers.map((p) => p.name)], ['载入子项目甲', 31, 60, ['菜单测试站']]);
  assert.deepEqual([b.name, b.weekdays, b.providers.length], ['载入子项目乙', 96, 1]);
  const h = pub.hotlines.find((x) => x.number === '028-86660001');
  assert.deepEqual([h.org_name, h.weekdays, h.day_from, h.item_ids], ['菜单测试协会', 127, 540, [c.children[0].id, a.id].sort((x, y) => x - y)]);
  // the same file again changes nothing
  const was = await snapshot();
  run = menuLoad(file);
  assert.equal(run.status, 0, run.stderr);
  report = JSON.parse(run.stdout);
  assert.deepEqual([report.items_created, report.items_updated, report.items_unchanged, report.hotlines_unchanged], [0, 0, 4, 1]);
  assert.equal(await snapshot(), was);
  // a changed field updates that entry only
  doc.categories[0].items[0].subitems[0].duration_minutes = 90;
  writeFileSync(file, JSON.stringify(doc));
  report = JSON.parse(menuLoad(file).stdout);
  assert.deepEqual([report.items_created, report.items_updated, report.items_unchanged], [0, 1, 3]);
  // a bad entry is named and nothing is written
  const before = await snapshot();
  doc.categories[0].items[0].subitems.push({ name: '坏子项目', day_from: 900, day_to: 600 });
  doc.hotlines[0].name = '改名热线';
  writeFileSync(file, JSON.stringify(doc));
  run = menuLoad(file);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /invalid_window \(day_to\) 载入类别\/载入项目\/坏子项目/);
  writeFileSync(file, '{"categories": [');
  run = menuLoad(file);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /invalid_menu_file/);
  assert.equal(await snapshot(), before);
});

test('the shipped example menu loads: 2 categories, 23 items, 93 sub-items, 39 hotlines', async () => {
  const run = menuLoad(join(repoRoot, 'data/menu/wenjiang-menu.json'));
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual([report.items_created, report.hotlines_created], [2 + 23 + 93, 39]);
  // providers name the demo's organisations, which this server lacks
  assert.ok(report.orgs_missing.includes('柳城街道志愿服务协会'));
  const pub = (await anon.get('/api/v1/public/menu')).json;
  const cats = pub.items.filter((x) => ['社区服务', '专业服务'].includes(x.name));
  assert.equal(cats.length, 2);
  assert.equal(cats.reduce((n, c) => n + c.children.length, 0), 23);
  assert.equal(cats.reduce((n, c) => n + c.children.reduce((m, i) => m + i.children.length, 0), 0), 93);
});
