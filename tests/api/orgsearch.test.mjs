// Organisation search for pickers (GET /organizations/search): by name, by
// pinyin initials and by path, each hit with its path, ranked, within the
// caller's subtree; the path names follow renames and moves; bad input is
// refused with the field named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';

const ROOT = '温江区志愿服务联合会';
let srv, root, rootOrg, rootName;
const org = {};
const mk = async (name, kind, parent, extra = {}) => {
  const r = await root.post('/api/v1/organizations', { name, kind, parent_id: parent, region_code: '510115', ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
};
const search = (c, params) => c.get('/api/v1/organizations/search?' + new URLSearchParams(params));
const names = (r) => r.json.items.map((o) => o.name);

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  rootName = (await root.get(`/api/v1/organizations/${rootOrg}`)).json.name;
  // the root's name depends on the configuration; give it the demo's
  assert.equal((await root.patch(`/api/v1/organizations/${rootOrg}`, { name: ROOT })).status, 200);
  org.lc = await mk('柳城街道志愿服务协会', 'association', rootOrg);
  org.yh = await mk('涌泉街道志愿服务协会', 'association', rootOrg);
  for (const n of [10, 9, 3, 30]) org[`lc${n}`] = await mk(`柳城街道第${n}社区志愿服务工作站`, 'station', org.lc.id);
  org.yh3 = await mk('涌泉街道第3社区志愿服务工作站', 'station', org.yh.id);
  org.bm = await mk('白马社区志愿服务工作站', 'station', org.yh.id);
  org.team = await mk('柳城街道志愿服务队1', 'team', org.lc.id);
  org.gone = await mk('柳城街道撤销工作站', 'station', org.lc.id);
  assert.equal((await root.post(`/api/v1/organizations/${org.gone.id}/dissolve`)).status, 200);
  for (const [user, o] of [['lc_admin', org.lc], ['yh_admin', org.yh]])
    assert.equal((await root.post('/api/v1/users', { username: user, password: 'town-admin-1', roles: ['admin'], org_id: o.id })).status, 201);
});
after(async () => { await srv?.stop(); });

test('by name: a substring, each hit with its path from the root', async () => {
  const r = await search(root, { q: '白马' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { items: [{ id: org.bm.id, parent_id: org.yh.id, name: '白马社区志愿服务工作站', kind: 'station',
    status: 'active', professional: false, region_code: '510115',
    path_names: [ROOT, '涌泉街道志愿服务协会', '白马社区志愿服务工作站'] }], more: false });
  // GET /organizations/{id} and the list carry the path too
  assert.deepEqual((await root.get(`/api/v1/organizations/${org.bm.id}`)).json.path_names,
    [ROOT, '涌泉街道志愿服务协会', '白马社区志愿服务工作站']);
  const list = (await root.get('/api/v1/organizations?q=白马')).json;
  assert.deepEqual(list.items.map((o) => o.path_names), [[ROOT, '涌泉街道志愿服务协会', '白马社区志愿服务工作站']]);
  assert.equal(list.next_cursor, null);
});

test('by pinyin initials, upper or lower case', async () => {
  assert.deepEqual(names(await search(root, { q: 'bm' })), ['白马社区志愿服务工作站']);
  assert.deepEqual(names(await search(root, { q: 'BMSQ' })), ['白马社区志愿服务工作站']);
  // initials of the path: 柳城 (lc) … 第3 (d3)
  assert.deepEqual(names(await search(root, { q: 'lc d3' })), ['柳城街道第3社区志愿服务工作站', '柳城街道第30社区志愿服务工作站']);
});

test('by path: terms may match an ancestor; separators like › and / split terms', async () => {
  assert.deepEqual(names(await search(root, { q: '柳城 第3' })), ['柳城街道第3社区志愿服务工作站', '柳城街道第30社区志愿服务工作站']);
  assert.deepEqual(names(await search(root, { q: '涌泉街道志愿服务协会 › 第3' })), ['涌泉街道第3社区志愿服务工作站']);
  assert.deepEqual(names(await search(root, { q: '涌泉/白马' })), ['白马社区志愿服务工作站']);
  // an ancestor's name finds its descendants, the ancestor first (its own
  // name matches), then nearer the root, by kind, and 第9 before 第10
  assert.deepEqual(names(await search(root, { q: '柳城街道志愿服务协会' })), ['柳城街道志愿服务协会',
    '柳城街道志愿服务队1', '柳城街道第3社区志愿服务工作站', '柳城街道第9社区志愿服务工作站',
    '柳城街道第10社区志愿服务工作站', '柳城街道第30社区志愿服务工作站']);
});

test('equal matches in pinyin order, numbers as numbers', async () => {
  // 白 (bai) before 柳 (liu) before 涌 (yong), unlike their code points
  assert.deepEqual(names(await search(root, { q: '社区', kind: 'station' })), ['白马社区志愿服务工作站',
    '柳城街道第3社区志愿服务工作站', '柳城街道第9社区志愿服务工作站', '柳城街道第10社区志愿服务工作站',
    '柳城街道第30社区志愿服务工作站', '涌泉街道第3社区志愿服务工作站']);
});

test('no q: the whole scope, nearest the root first; limit and more', async () => {
  let r = await search(root, { limit: '3' });
  assert.deepEqual(names(r), [ROOT, '柳城街道志愿服务协会', '涌泉街道志愿服务协会']);
  assert.equal(r.json.more, true);
  r = await search(root, {});
  assert.equal(r.json.items.length, 10);   // all but the dissolved one
  assert.equal(r.json.more, false);
});

test('kind filter and status', async () => {
  assert.deepEqual(names(await search(root, { q: '柳城', kind: 'association,team' })), ['柳城街道志愿服务协会', '柳城街道志愿服务队1']);
  assert.deepEqual(names(await search(root, { q: '柳城', kind: 'team' })), ['柳城街道志愿服务队1']);
  assert.deepEqual(names(await search(root, { q: '撤销' })), []);
  assert.deepEqual(names(await search(root, { q: '撤销', status: 'dissolved' })), ['柳城街道撤销工作站']);
});

test('the tree lists siblings by kind, then by name in pinyin order with numbers as numbers, each after its parent', async () => {
  const r = await root.get(`/api/v1/organizations/${rootOrg}/tree`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.nodes.map((n) => n.name), [ROOT,
    '柳城街道志愿服务协会', '柳城街道志愿服务队1', '柳城街道撤销工作站', '柳城街道第3社区志愿服务工作站',
    '柳城街道第9社区志愿服务工作站', '柳城街道第10社区志愿服务工作站', '柳城街道第30社区志愿服务工作站',
    '涌泉街道志愿服务协会', '白马社区志愿服务工作站', '涌泉街道第3社区志愿服务工作站']);
  // the fields stay as they were
  assert.deepEqual(Object.keys(r.json.nodes[1]).sort(), ['id', 'kind', 'name', 'parent_id', 'professional', 'region_code',
    'status', 'subtree_volunteers', 'volunteers']);
  assert.equal(r.json.summary.station, 6);
});

test('scope: a town admin finds only their own subtree', async () => {
  const lc = new Client(srv.url);
  await lc.login('lc_admin', 'town-admin-1');
  assert.deepEqual(names(await search(lc, { q: '第3' })), ['柳城街道第3社区志愿服务工作站', '柳城街道第30社区志愿服务工作站']);
  assert.deepEqual(names(await search(lc, { q: '白马' })), []);
  assert.deepEqual(names(await search(lc, { q: 'bm' })), []);
  assert.deepEqual(names(await search(lc, { q: '温江' })), ['柳城街道志愿服务协会', '柳城街道志愿服务队1',
    '柳城街道第3社区志愿服务工作站', '柳城街道第9社区志愿服务工作站', '柳城街道第10社区志愿服务工作站',
    '柳城街道第30社区志愿服务工作站']);
  const yh = new Client(srv.url);
  await yh.login('yh_admin', 'town-admin-1');
  const all = await search(yh, {});
  assert.deepEqual(names(all), ['涌泉街道志愿服务协会', '白马社区志愿服务工作站', '涌泉街道第3社区志愿服务工作站']);
  const anon = new Client(srv.url);
  assert.equal((await search(anon, { q: '白马' })).status, 401);
});

test('renames and moves carry into the path names and the search', async () => {
  const a = await mk('永宁街道志愿服务协会', 'association', rootOrg);
  const s = await mk('永宁第1社区志愿服务工作站', 'station', a.id);
  assert.equal((await root.patch(`/api/v1/organizations/${a.id}`, { name: '永宁镇志愿服务协会' })).status, 200);
  let r = await search(root, { q: '永宁镇 第1' });
  assert.deepEqual(r.json.items.map((o) => o.path_names), [[ROOT, '永宁镇志愿服务协会', '永宁第1社区志愿服务工作站']]);
  assert.deepEqual(names(await search(root, { q: 'ynz' })), ['永宁镇志愿服务协会', '永宁第1社区志愿服务工作站']);
  assert.deepEqual(names(await search(root, { q: 'ynjd' })), []);
  assert.equal((await root.post(`/api/v1/organizations/${s.id}/move`, { parent_id: org.lc.id })).status, 200);
  r = await search(root, { q: '柳城 永宁' });
  assert.deepEqual(r.json.items.map((o) => o.path_names), [[ROOT, '柳城街道志愿服务协会', '永宁第1社区志愿服务工作站']]);
  assert.deepEqual(names(await search(root, { q: '永宁镇 第1' })), []);
});

test('bad input: 400 with the field named, nothing found or changed', async () => {
  const before = (await root.get('/api/v1/organizations?limit=200')).json.items;
  const bad = [
    [{ q: '柳'.repeat(65) }, 'too_long', 'q'],
    [{ q: 'a\u0001b' }, 'invalid_value', 'q'],
    [{ q: 'a b c d e f g' }, 'invalid_value', 'q'],
    [{ kind: 'village' }, 'invalid_org_kind', 'kind'],
    [{ kind: 'team,' }, 'invalid_org_kind', 'kind'],
    [{ status: 'gone' }, 'invalid_status', 'status'],
    [{ limit: '0' }, 'invalid_limit', 'limit'],
    [{ limit: '201' }, 'invalid_limit', 'limit'],
    [{ limit: 'ten' }, 'invalid_limit', 'limit'],
  ];
  for (const [params, code, field] of bad) {
    const r = await search(root, params);
    assert.equal(r.status, 400, JSON.stringify([params, r.json]));
    assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [400, code, field], JSON.stringify(params));
  }
  // 64 characters are fine; the message follows Accept-Language
  assert.equal((await search(root, { q: '柳'.repeat(64) })).status, 200);
  const en = await root.get('/api/v1/organizations/search?kind=village', { 'Accept-Language': 'en' });
  assert.equal(en.json.error.message, 'organisation kind is invalid');
  assert.deepEqual((await root.get('/api/v1/organizations?limit=200')).json.items, before);
});
