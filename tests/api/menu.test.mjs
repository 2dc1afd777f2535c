// The service menu (备菜, issue 13): categories → items → sub-items with
// their providers (a fourth level is refused), editing, retiring without
// losing the row, hotlines with their organisation, hours and items, the
// public menu without sign-in, bad input for every field (nothing
// changes), and only admins of the root write the menu.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
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
  let r = await root.post('/api/v1/menu/items', { name: '社区服务', parent_id: null, description: '身边的帮助' });
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
