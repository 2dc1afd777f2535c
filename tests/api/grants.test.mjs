// Issue 11 §1 finding 4, closed in two requests too (review 11, H1): an
// account that holds (or gets) read_id_number is moved, given a password,
// enabled again or given a role that uses the permission only by an admin
// strictly above it, before and after a move; otherwise a subtree admin
// could grant it below, move the account up to their own level and sign in
// with the password they chose, or a peer could reset a holder's password.
// Creating an account never grants a permission.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { branch } from '../lib/fixtures.mjs';

let srv, root, rootOrg, town, station, townAdmin, peerAdmin, stationAdmin;

const PASS = 'Quiet-harbour-lamp-7', NEW_PASS = 'Copper-kettle-93x';

async function staff(creator, username, roles, org) {
  const r = await creator.post('/api/v1/users', { username, password: PASS, roles, org_id: org.id });
  assert.equal(r.status, 201, r.text);
  const c = new Client(srv.url);
  await c.login(username, PASS);
  return { id: r.json.id, username, client: c };
}

// whether name signs in with password (a fresh client each time)
async function signsIn(name, password) {
  return (await new Client(srv.url).post('/api/v1/sessions', { username: name, password })).status === 201;
}

// what an admin sees of user u, in the fields the refusals must leave alone
async function state(u) {
  const j = (await root.get(`/api/v1/users/${u.id}`)).json;
  return { org_id: j.org_id, status: j.status, roles: j.roles, permissions: j.permissions };
}

async function audits(action, id) {
  const items = (await root.get(`/api/v1/audit-log?action=${action}&limit=200`)).json.items;
  return items.filter((e) => e.target_id === id).length;
}

function refused(r, field) {
  assert.deepEqual([r.status, r.json?.error?.code, r.json?.error?.field], [403, 'grant_needs_wider_scope', field], r.text);
}

before(async () => {
  srv = await startServer({ args: ['--sweep-every', '0'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  ({ rootId: rootOrg, association: town, station } = await branch(root, { association: '授权街道志愿服务协会', station: '授权社区工作站', town: '510115007' }));
  townAdmin = await staff(root, 'g_town_admin', ['admin'], town);
  peerAdmin = await staff(root, 'g_town_peer', ['admin'], town);
  stationAdmin = await staff(root, 'g_station_admin', ['admin'], station);
});
after(async () => { await srv?.stop(); });

test('granted below, then moved up to the granter\'s own level: refused, nothing changes', async () => {
  const u = await staff(townAdmin.client, 'g_moved', ['recorder'], station);
  let r = await townAdmin.client.patch(`/api/v1/users/${u.id}`, { permissions: ['read_id_number'] });
  assert.equal(r.status, 200, r.text);
  const updates = await audits('user.update', u.id);
  r = await townAdmin.client.patch(`/api/v1/users/${u.id}`, { org_id: town.id });
  refused(r, 'org_id');
  // also with other edits in the same request, and in English
  const en = new Client(srv.url, { lang: 'en-US,en;q=0.9' });
  await en.login('g_town_admin', PASS);
  r = await en.patch(`/api/v1/users/${u.id}`, { org_id: town.id, display_name: '移动者' });
  refused(r, 'org_id');
  assert.match(r.json.error.message, /higher organisation/);
  assert.deepEqual(await state(u), { org_id: station.id, status: 'active', roles: ['recorder'], permissions: ['read_id_number'] });
  assert.equal((await u.client.get('/api/v1/me')).json.org_id, station.id);
  assert.equal(await audits('user.update', u.id), updates, 'a refusal writes nothing');
  // moving it down is refused to a peer as well: from below, they could take it over
  const h = await staff(root, 'g_holder_down', ['admin'], town);
  assert.equal((await root.patch(`/api/v1/users/${h.id}`, { permissions: ['read_id_number'] })).status, 200);
  refused(await peerAdmin.client.patch(`/api/v1/users/${h.id}`, { org_id: station.id }), 'org_id');
  assert.equal((await state(h)).org_id, town.id);
  // the root admin, strictly above both organisations, may move it
  r = await root.patch(`/api/v1/users/${u.id}`, { org_id: town.id });
  assert.deepEqual([r.status, r.json.org_id, r.json.permissions], [200, town.id, ['read_id_number']], r.text);
  // withdrawn in the same request, the move is an ordinary one
  r = await townAdmin.client.patch(`/api/v1/users/${h.id}`, { org_id: station.id, permissions: [] });
  assert.deepEqual([r.status, r.json.org_id, r.json.permissions], [200, station.id, []], r.text);
});

test('a holder\'s password is set only from above; the old one still signs in after a refusal', async () => {
  const h = await staff(root, 'g_holder_pw', ['admin'], town);
  assert.equal((await root.patch(`/api/v1/users/${h.id}`, { permissions: ['read_id_number'] })).status, 200);
  const rec = await staff(root, 'g_rec_pw', ['recorder'], station);
  assert.equal((await townAdmin.client.patch(`/api/v1/users/${rec.id}`, { permissions: ['read_id_number'] })).status, 200);

  // a peer admin of the same organisation, and an admin of the holder's own station
  refused(await peerAdmin.client.patch(`/api/v1/users/${h.id}`, { password: NEW_PASS }), 'password');
  refused(await stationAdmin.client.patch(`/api/v1/users/${rec.id}`, { password: NEW_PASS }), 'password');
  // sending the same permissions back (an edit form) does not help
  refused(await stationAdmin.client.patch(`/api/v1/users/${rec.id}`, { password: NEW_PASS, permissions: ['read_id_number'] }), 'password');
  for (const [u, name] of [[h, 'g_holder_pw'], [rec, 'g_rec_pw']]) {
    assert.equal(await signsIn(name, PASS), true, `${name}: the old password still signs in`);
    assert.equal(await signsIn(name, NEW_PASS), false, `${name}: the new one does not`);
    assert.equal((await u.client.get('/api/v1/me')).status, 200, 'the holder\'s session was not ended');
    assert.deepEqual((await state(u)).permissions, ['read_id_number']);
  }
  // the town admin is strictly above the station's recorder
  let r = await townAdmin.client.patch(`/api/v1/users/${rec.id}`, { password: NEW_PASS });
  assert.equal(r.status, 200, r.text);
  assert.equal(await signsIn('g_rec_pw', NEW_PASS), true);
  // the holder sets their own, as before
  r = await h.client.patch(`/api/v1/users/${h.id}`, { password: NEW_PASS });
  assert.equal(r.status, 200, r.text);
  // without the permission a peer resets a password as before
  const plain = await staff(root, 'g_plain_pw', ['admin'], town);
  assert.equal((await peerAdmin.client.patch(`/api/v1/users/${plain.id}`, { password: NEW_PASS })).status, 200);
});

test('a disabled holder is enabled again only from above; disabling stays open to peers', async () => {
  const h = await staff(root, 'g_holder_st', ['admin'], town);
  assert.equal((await root.patch(`/api/v1/users/${h.id}`, { permissions: ['read_id_number'] })).status, 200);
  let r = await peerAdmin.client.patch(`/api/v1/users/${h.id}`, { status: 'disabled' });
  assert.equal(r.status, 200, r.text);
  refused(await peerAdmin.client.patch(`/api/v1/users/${h.id}`, { status: 'active' }), 'status');
  assert.deepEqual(await state(h), { org_id: town.id, status: 'disabled', roles: ['admin'], permissions: ['read_id_number'] });
  assert.equal(await signsIn('g_holder_st', PASS), false);
  r = await root.patch(`/api/v1/users/${h.id}`, { status: 'active' });
  assert.equal(r.status, 200, r.text);
  assert.equal(await signsIn('g_holder_st', PASS), true);
  // 'active' sent back for an active account is no change
  assert.equal((await peerAdmin.client.patch(`/api/v1/users/${h.id}`, { status: 'active', display_name: '持有者' })).status, 200);
});

test('a role that can use the permission is given to a holder only from above', async () => {
  const k = await staff(root, 'g_clerk_holder', ['clerk'], station);
  assert.equal((await townAdmin.client.patch(`/api/v1/users/${k.id}`, { permissions: ['read_id_number'] })).status, 200);
  refused(await stationAdmin.client.patch(`/api/v1/users/${k.id}`, { roles: ['clerk', 'recorder'] }), 'roles');
  assert.deepEqual((await state(k)).roles, ['clerk']);
  // a role that cannot use it is an ordinary edit
  assert.equal((await stationAdmin.client.patch(`/api/v1/users/${k.id}`, { roles: ['clerk', 'social_worker'] })).status, 200);
  const r = await townAdmin.client.patch(`/api/v1/users/${k.id}`, { roles: ['recorder'] });
  assert.deepEqual([r.status, r.json.roles], [200, ['recorder']], r.text);
});

test('creating an account never grants a permission', async () => {
  for (const [creator, name] of [[townAdmin.client, 'g_created_a'], [root, 'g_created_b']]) {
    const r = await creator.post('/api/v1/users', { username: name, password: PASS, roles: ['recorder'], org_id: station.id,
      permissions: ['read_id_number'] });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.permissions, []);
    assert.equal(await audits('user.permission_grant', r.json.id), 0);
  }
});

test('a grant and a move sent at once never leave the grant at the granter\'s own level', async () => {
  // each request alone is allowed; together they would carry the grant up.
  // The one read second finds the account changed (409 user_changed) or,
  // after the other committed, refused as above (403)
  for (let i = 0; i < 12; i++) {
    const u = await staff(townAdmin.client, `g_race_${i}`, ['recorder'], station);
    const [g, m] = await Promise.all([
      townAdmin.client.patch(`/api/v1/users/${u.id}`, { permissions: ['read_id_number'] }),
      townAdmin.client.patch(`/api/v1/users/${u.id}`, { org_id: town.id })]);
    const s = await state(u);
    const won = g.status === 200 ? { org_id: station.id, permissions: ['read_id_number'] } : { org_id: town.id, permissions: [] };
    assert.deepEqual({ org_id: s.org_id, permissions: s.permissions }, won, `round ${i}: grant ${g.status} ${g.text}, move ${m.status} ${m.text}`);
    const lost = g.status === 200 ? m : g;
    assert.ok([[409, 'user_changed'], [403, 'grant_needs_wider_scope']].some(([st, code]) =>
      lost.status === st && lost.json.error.code === code), `round ${i}: ${g.status} / ${m.status} ${lost.text}`);
  }
});
