// User administration, organisations and scope, and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';

let srv, root, rootOrg, orgA, orgB, adminA;
before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  orgA = (await root.post('/api/v1/organizations', { name: '柳城街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115001000' })).json;
  orgB = (await root.post('/api/v1/organizations', { name: '公平街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115002000' })).json;
  assert.equal((await root.post('/api/v1/users', { username: 'admin_a', password: 'adm-a-secret-1', roles: ['admin'], org_id: orgA.id })).status, 201);
  adminA = new Client(srv.url);
  await adminA.login('admin_a', 'adm-a-secret-1');
});
after(async () => { await srv?.stop(); });

test('organisations: create with kind rules, read, list', async () => {
  let r = await root.post('/api/v1/organizations', { name: '光华社区工作站', kind: 'station', parent_id: orgA.id, region_code: '510115001001' });
  assert.equal(r.status, 201);
  assert.equal(r.json.parent_id, orgA.id);
  r = await root.post('/api/v1/organizations', { name: '错层工作站', kind: 'station', parent_id: rootOrg, region_code: '510115001001' });
  assert.equal(r.status, 422);
  assert.deepEqual([r.json.error.code, r.json.error.field], ['invalid_parent_kind', 'parent_id']);
  r = await root.post('/api/v1/organizations', { name: '医疗专业队', kind: 'team', professional: true, parent_id: rootOrg, region_code: '510115' });
  assert.equal(r.status, 201);
  assert.equal(r.json.professional, true);
  r = await root.post('/api/v1/organizations', { name: 'x', kind: 'federation', parent_id: rootOrg, region_code: '510115' });
  assert.equal(r.json.error.field, 'kind');
  r = await root.post('/api/v1/organizations', { name: 'x', kind: 'team', parent_id: rootOrg, region_code: '5101' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'region_code']);
  r = await root.post('/api/v1/organizations', { name: 'x', kind: 'team', parent_id: 999999, region_code: '510115' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'parent_not_found']);
  r = await root.post('/api/v1/organizations', { name: '', kind: 'team', parent_id: rootOrg, region_code: '510115' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'name']);
  r = await root.post('/api/v1/organizations', { name: 'x', kind: 'team', parent_id: '1', region_code: '510115' });
  assert.deepEqual([r.status, r.json.error.field], [400, 'parent_id']);
  r = await root.post('/api/v1/organizations', { name: '名'.repeat(101), kind: 'team', parent_id: rootOrg, region_code: '510115' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'too_long']);
  assert.equal((await root.get('/api/v1/organizations/' + orgA.id)).json.name, '柳城街道志愿服务协会');
  // the root, the two associations of before(), and the station and team made here
  const list = await root.get('/api/v1/organizations?limit=200');
  assert.equal(list.json.items.length, 5);
});

test('users: create, read with full phone, list with masked phone, edit', async () => {
  let r = await root.post('/api/v1/users', { username: 'rec_a', password: 'rec-a-secret-1', roles: ['recorder'], org_id: orgA.id, display_name: '记录员甲', phone: '13800001111' });
  assert.equal(r.status, 201);
  assert.equal(r.json.phone, '13800001111');
  assert.equal(r.json.org_name, '柳城街道志愿服务协会');
  const id = r.json.id;
  const list = await root.get('/api/v1/users?q=rec_');
  const row = list.json.items.find((u) => u.id === id);
  assert.equal(row.phone, '138****1111');
  assert.equal((await root.get('/api/v1/users?q=记录员')).json.items.length, 1);
  assert.equal((await root.get('/api/v1/users?q=13800001111')).json.items.length, 1);
  assert.equal((await root.get('/api/v1/users?q=%25')).json.items.length, 0, 'LIKE wildcards are literal');
  r = await root.patch('/api/v1/users/' + id, { display_name: '记录员乙', roles: ['recorder', 'social_worker'] });
  assert.equal(r.status, 200);
  assert.equal(r.json.display_name, '记录员乙');
  assert.deepEqual(r.json.roles, ['recorder', 'social_worker']);
  r = await root.patch('/api/v1/users/' + id, { roles: [] });
  assert.deepEqual([r.status, r.json.error.field], [422, 'roles']);
  r = await root.patch('/api/v1/users/' + id, { status: 'gone' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'status']);
  r = await root.patch('/api/v1/users/' + id, { phone: '123' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'phone']);
});

test('users: bad inputs are refused and nothing is written', async () => {
  const count = async () => (await root.get('/api/v1/users?limit=200')).json.items.length;
  const n = await count();
  const base = { username: 'newbie', password: 'long-enough', roles: ['volunteer'], org_id: orgA.id };
  const cases = [
    [{ ...base, username: 'admin' }, 409, 'username', 'username_taken'],
    [{ ...base, username: 'ADMIN' }, 409, 'username', 'username_taken'],
    [{ ...base, username: '1abc' }, 422, 'username', 'invalid_username'],
    [{ ...base, username: 'ab' }, 422, 'username', 'invalid_username'],
    [{ ...base, username: 'x'.repeat(40) }, 422, 'username', 'too_long'],
    [{ ...base, password: 'short' }, 422, 'password', 'weak_password'],
    [{ ...base, password: 'p'.repeat(300) }, 422, 'password', 'too_long'],
    [{ ...base, roles: ['king'] }, 422, 'roles', 'invalid_role'],
    [{ ...base, roles: 'admin' }, 400, 'roles', 'wrong_type'],
    [{ ...base, org_id: 424242 }, 422, 'org_id', 'org_not_found'],
    [{ ...base, org_id: undefined }, 422, 'org_id', 'required'],
    [{ ...base, org_id: 'A' }, 400, 'org_id', 'wrong_type'],
    [{ ...base, phone: '12345' }, 422, 'phone', 'invalid_phone'],
    [{ ...base, display_name: 'a\u0001b' }, 422, 'display_name', 'invalid_text'],
  ];
  for (const [body, status, field, code] of cases) {
    const r = await root.post('/api/v1/users', body);
    assert.deepEqual([r.status, r.json.error.field, r.json.error.code], [status, field, code], JSON.stringify(body).slice(0, 80));
  }
  assert.equal(await count(), n);
  assert.equal((await root.get('/api/v1/users?limit=0')).status, 400);
  assert.equal((await root.get('/api/v1/users?limit=201')).status, 400);
  assert.equal((await root.get('/api/v1/users?cursor=zzz')).status, 400);
  assert.equal((await root.get('/api/v1/users?org_id=x')).status, 400);
});

test('users: pages follow the cursor', async () => {
  for (let i = 0; i < 3; i++) {
    assert.equal((await root.post('/api/v1/users', { username: 'page' + i, password: 'long-enough', roles: ['volunteer'], org_id: orgB.id })).status, 201);
  }
  const p1 = await root.get(`/api/v1/users?org_id=${orgB.id}&limit=2`);
  assert.equal(p1.json.items.length, 2);
  assert.ok(p1.json.next_cursor);
  const p2 = await root.get(`/api/v1/users?org_id=${orgB.id}&limit=2&cursor=${p1.json.next_cursor}`);
  assert.equal(p2.json.items.length, 1);
  assert.equal(p2.json.next_cursor, null);
});

test('scope: an admin of one organisation gets 403 on another one', async () => {
  const b = await root.post('/api/v1/users', { username: 'user_b', password: 'usr-b-secret-1', roles: ['volunteer'], org_id: orgB.id });
  assert.equal(b.status, 201);
  let r = await adminA.get('/api/v1/users/' + b.json.id);
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'forbidden');
  r = await adminA.patch('/api/v1/users/' + b.json.id, { display_name: 'hijack' });
  assert.equal(r.status, 403);
  r = await adminA.post('/api/v1/users', { username: 'sneaky', password: 'sneak-secret-1', roles: ['admin'], org_id: orgB.id });
  assert.equal(r.status, 403);
  r = await adminA.get('/api/v1/organizations/' + orgB.id);
  assert.equal(r.status, 403);
  r = await adminA.get('/api/v1/users?org_id=' + orgB.id);
  assert.equal(r.status, 403);
  r = await adminA.post('/api/v1/organizations', { name: '越权', kind: 'station', parent_id: orgB.id, region_code: '510115002001' });
  assert.equal(r.status, 403);
  r = await adminA.patch('/api/v1/users/' + (await adminA.get('/api/v1/me')).json.id, { org_id: orgB.id });
  assert.equal(r.status, 422, 'cannot move oneself');
  // exactly the accounts of A's subtree, as the root admin counts them
  const mine = await adminA.get('/api/v1/users?limit=200');
  const ofA = (await root.get(`/api/v1/users?org_id=${orgA.id}&limit=200`)).json.items;
  assert.deepEqual(mine.json.items.map((u) => u.id).sort(), ofA.map((u) => u.id).sort());
  assert.ok(mine.json.items.some((u) => u.username === 'admin_a'));
  assert.ok(mine.json.items.every((u) => u.org_id !== orgB.id && u.org_id !== rootOrg));
  const orgs = await adminA.get('/api/v1/organizations');
  assert.ok(orgs.json.items.every((o) => o.id !== orgB.id));
  const audit = await adminA.get('/api/v1/audit-log?limit=200');
  assert.equal(audit.status, 200);
  assert.ok(audit.json.items.length > 0);
  assert.ok(audit.json.items.every((e) => e.org_id !== orgB.id), 'audit log is scoped');
  assert.equal((await root.get(`/api/v1/users/${b.json.id}`)).status, 200, 'the federation admin sees everything');
});

test('non-admin roles cannot administer users or read the audit log', async () => {
  assert.equal((await root.post('/api/v1/users', { username: 'clerk_a', password: 'clerk-pass', roles: ['clerk'], org_id: orgA.id })).status, 201);
  const clerk = new Client(srv.url);
  await clerk.login('clerk_a', 'clerk-pass');
  assert.equal((await clerk.get('/api/v1/users')).status, 403);
  assert.equal((await clerk.post('/api/v1/users', { username: 'nope1', password: 'password', roles: ['admin'], org_id: orgA.id })).status, 403);
  assert.equal((await clerk.get('/api/v1/audit-log')).status, 403);
  assert.equal((await clerk.get('/api/v1/me')).status, 200);
});

test('disabling a user ends their sessions and refuses sign-in', async () => {
  const u = await root.post('/api/v1/users', { username: 'leaver', password: 'leaver-pass', roles: ['recorder'], org_id: orgA.id });
  const c = new Client(srv.url);
  await c.login('leaver', 'leaver-pass');
  let r = await adminA.patch('/api/v1/users/' + u.json.id, { status: 'disabled' });
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'disabled');
  assert.equal((await c.get('/api/v1/me')).status, 401);
  r = await new Client(srv.url).post('/api/v1/sessions', { username: 'leaver', password: 'leaver-pass' });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'account_disabled');
  const self = (await adminA.get('/api/v1/me')).json.id;
  r = await adminA.patch('/api/v1/users/' + self, { status: 'disabled' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'cannot_change_self']);
  assert.equal((await adminA.patch('/api/v1/users/' + u.json.id, { status: 'active' })).status, 200);
  await new Client(srv.url).login('leaver', 'leaver-pass');
});

test('every write is in the audit log with actor, time, target and address', async () => {
  // each write below leaves exactly one new entry: its action, target and actor
  const newest = async () => (await root.get('/api/v1/audit-log?limit=1')).json.items[0].id;
  const since = async (id) => (await root.get('/api/v1/audit-log?limit=20')).json.items.filter((x) => x.id > id);
  const expectOne = async (mark, action, targetType, targetId, actor) => {
    const got = await since(mark);
    // a session's id is not shown anywhere else: any number will do
    assert.deepEqual(got.map((x) => [x.action, x.target_type, targetId === undefined ? typeof x.target_id : x.target_id, x.actor_username]),
      [[action, targetType, targetId === undefined ? 'number' : targetId, actor]], action);
    return got[0];
  };
  const first = (await root.get('/api/v1/audit-log?action=system.bootstrap')).json.items;
  assert.deepEqual(first.map((x) => x.action), ['system.bootstrap']);

  let mark = await newest();
  let r = await root.post('/api/v1/organizations', { name: '审计工作站', kind: 'station', parent_id: orgA.id, region_code: '510115001009' });
  assert.equal(r.status, 201, r.text);
  const org = r.json;
  await expectOne(mark, 'org.create', 'org', org.id, 'admin');
  mark = await newest();
  assert.equal((await root.patch(`/api/v1/organizations/${org.id}`, { name: '审计工作站二' })).status, 200);
  await expectOne(mark, 'org.update', 'org', org.id, 'admin');
  mark = await newest();
  r = await root.post('/api/v1/users', { username: 'audited', password: 'audited-pass-1', roles: ['recorder'], org_id: org.id });
  assert.equal(r.status, 201, r.text);
  const uid = r.json.id;
  const e = await expectOne(mark, 'user.create', 'user', uid, 'admin');
  assert.equal(e.client_addr, '127.0.0.1');
  assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(e.detail.roles, ['recorder']);
  assert.equal(e.actor_id, (await root.get('/api/v1/me')).json.id);
  mark = await newest();
  assert.equal((await root.patch(`/api/v1/users/${uid}`, { display_name: '审计员' })).status, 200);
  await expectOne(mark, 'user.update', 'user', uid, 'admin');
  mark = await newest();
  assert.equal((await root.patch(`/api/v1/users/${uid}`, { password: 'audited-pass-2' })).status, 200);
  const reset = await expectOne(mark, 'user.update', 'user', uid, 'admin');
  assert.deepEqual(reset.detail.fields, ['password'], 'which field, never the password itself');

  // the user's own writes: signing in, a token, a password change, signing out
  const u = new Client(srv.url);
  mark = await newest();
  await u.login('audited', 'audited-pass-2');
  await expectOne(mark, 'session.create', 'session', undefined, 'audited');
  mark = await newest();
  r = await u.post('/api/v1/tokens', { name: '审计令牌' });
  assert.equal(r.status, 201, r.text);
  await expectOne(mark, 'token.create', 'api_token', r.json.id, 'audited');
  mark = await newest();
  assert.equal((await u.del(`/api/v1/tokens/${r.json.id}`)).status, 204);
  await expectOne(mark, 'token.revoke', 'api_token', r.json.id, 'audited');
  mark = await newest();
  // 204, or 200 with the count of API tokens revoked (issue 11 §1.2)
  const pw = await u.post('/api/v1/me/password', { old_password: 'audited-pass-2', new_password: 'audited-pass-3' });
  assert.ok(pw.status === 204 || pw.status === 200, pw.text);
  await expectOne(mark, 'user.password_change', 'user', uid, 'audited');
  await u.login('audited', 'audited-pass-3');
  mark = await newest();
  assert.equal((await u.del('/api/v1/sessions/current')).status, 204);
  await expectOne(mark, 'session.delete', 'session', undefined, 'audited');
  // a refused write leaves nothing
  mark = await newest();
  assert.equal((await adminA.patch(`/api/v1/organizations/${orgB.id}`, { name: 'x' })).status, 403);
  assert.deepEqual(await since(mark), []);
  const only = await root.get('/api/v1/audit-log?action=org.create');
  assert.ok(only.json.items.every((x) => x.action === 'org.create'));
  const p1 = await root.get('/api/v1/audit-log?limit=1');
  const p2 = await root.get('/api/v1/audit-log?limit=1&cursor=' + p1.json.next_cursor);
  assert.ok(p2.json.items[0].id < p1.json.items[0].id);
  assert.equal((await root.get('/api/v1/audit-log?actor_id=abc')).status, 400);
  assert.equal((await root.get('/api/v1/audit-log?limit=-1')).status, 400);
});
