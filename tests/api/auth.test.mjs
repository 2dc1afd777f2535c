// Sign-in, sessions, CSRF, throttling, bearer tokens and password change,
// against a real server on the backend named by ZHIYUAN_TEST_BACKEND.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, chinaNoon } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { const st = await srv?.stop(); assert.equal(st.code, 0, 'server exits cleanly on SIGTERM'); });

const admin = async () => { const c = new Client(srv.url); await c.login('admin', srv.adminPassword); return c; };

test('healthz, readyz and metrics answer', async () => {
  const c = new Client(srv.url);
  assert.equal((await c.get('/healthz')).status, 200);
  const ready = await c.get('/readyz');
  assert.equal(ready.status, 200);
  assert.equal(ready.json.database, srv.backend);
  await c.get('/api/v1/me');
  // a request is counted when its connection finishes with it, which may
  // be just after the client has the answer
  let m;
  for (let i = 0; i < 50; i++) {
    m = await c.get('/metrics');
    if (/route="GET \/api\/v1\/me",status="401"/.test(m.text)) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /text\/plain/);
  assert.match(m.text, /zhiyuan_http_requests_total\{route="GET \/api\/v1\/me",status="401"\} \d+/);
  assert.match(m.text, /zhiyuan_http_request_duration_seconds_bucket\{route="GET \/healthz",le="\+Inf"\} \d+/);
});

test('login sets an HttpOnly SameSite=Strict cookie and returns user and csrf token', async () => {
  const c = new Client(srv.url);
  const r = await c.post('/api/v1/sessions', { username: 'admin', password: srv.adminPassword });
  assert.equal(r.status, 201);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /zy_session=zs_/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.equal(r.json.user.username, 'admin');
  assert.deepEqual(r.json.user.roles, ['admin']);
  assert.equal(typeof r.json.user.org_id, 'number');
  assert.ok(r.json.csrf_token.length >= 32);
  c.csrf = r.json.csrf_token;
  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.deepEqual(me.json.roles, ['admin']);
  assert.equal(me.json.org_id, r.json.user.org_id);
  assert.equal(me.json.org_name, '温江区志愿服务联合会');
  assert.equal(me.json.csrf_token, r.json.csrf_token);
});

test('wrong credentials are 401 with a localised message', async () => {
  const c = new Client(srv.url);
  let r = await c.post('/api/v1/sessions', { username: 'admin', password: 'not-the-password' });
  assert.equal(r.status, 401);
  assert.equal(r.json.error.code, 'invalid_credentials');
  assert.equal(r.json.error.message, '用户名或密码错误');
  const en = new Client(srv.url, { lang: 'en-US,en;q=0.9' });
  r = await en.post('/api/v1/sessions', { username: 'nobody-here', password: 'whatever1' });
  assert.equal(r.status, 401);
  assert.equal(r.json.error.message, 'wrong username or password');
});

test('login input errors name the field and are 400/422', async () => {
  const c = new Client(srv.url);
  let r = await c.post('/api/v1/sessions', { password: 'x' });
  assert.equal(r.status, 422);
  assert.deepEqual([r.json.error.code, r.json.error.field], ['required', 'username']);
  r = await c.post('/api/v1/sessions', { username: 'admin', password: 12345678 });
  assert.equal(r.status, 400);
  assert.deepEqual([r.json.error.code, r.json.error.field], ['wrong_type', 'password']);
  r = await c.post('/api/v1/sessions', { username: 'a'.repeat(65), password: 'x' });
  assert.equal(r.status, 422);
  assert.deepEqual([r.json.error.code, r.json.error.field], ['too_long', 'username']);
  r = await c.post('/api/v1/sessions', '{"username": "admin", ');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'invalid_json');
  r = await c.post('/api/v1/sessions', '[1,2]');
  assert.equal(r.status, 400);
  r = await c.post('/api/v1/sessions', '{"username":"a","username":"b","password":"x"}');
  assert.equal(r.status, 400, 'duplicate keys are refused');
  r = await c.post('/api/v1/sessions', '{"a":' + '['.repeat(40) + ']'.repeat(40) + '}');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'too_deep');
  r = await c.post('/api/v1/sessions', 'username=admin', { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(r.status, 415);
  r = await c.request('POST', '/api/v1/sessions');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'body_required');
});

test('a body over 1 MiB is 413 and the server keeps serving', async () => {
  const c = new Client(srv.url);
  const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(1024 * 1024 + 10) });
  const r = await c.post('/api/v1/sessions', big);
  assert.equal(r.status, 413);
  assert.equal(r.json.error.code, 'body_too_large');
  assert.equal((await c.get('/healthz')).status, 200);
});

test('writes with a session cookie need the CSRF token', async () => {
  const c = await admin();
  const before = (await c.get('/api/v1/tokens')).json.items.length;
  let r = await c.post('/api/v1/tokens', { name: 'no csrf' }, { 'X-CSRF-Token': '' });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'csrf_failed');
  r = await c.post('/api/v1/tokens', { name: 'wrong csrf' }, { 'X-CSRF-Token': 'x'.repeat(43) });
  assert.equal(r.status, 403);
  r = await c.del('/api/v1/sessions/current', { 'X-CSRF-Token': 'nope' });
  assert.equal(r.status, 403);
  assert.equal((await c.get('/api/v1/tokens')).json.items.length, before, 'nothing was written');
  assert.equal((await c.get('/api/v1/me')).status, 200, 'session still alive');
});

test('logout ends the session', async () => {
  const c = await admin();
  const cookie = c.cookie;
  const r = await c.del('/api/v1/sessions/current');
  assert.equal(r.status, 204);
  assert.match(r.headers.get('set-cookie'), /Max-Age=0/);
  const stale = new Client(srv.url);
  stale.cookie = cookie;
  const me = await stale.get('/api/v1/me');
  assert.equal(me.status, 401);
  assert.equal(me.json.error.code, 'unauthenticated');
  assert.equal((await new Client(srv.url).get('/api/v1/me')).status, 401);
});

test('bearer tokens: shown once, work without CSRF, listed without secret, revocable', async () => {
  const c = await admin();
  let r = await c.post('/api/v1/tokens', {});
  assert.equal(r.status, 422);
  assert.equal(r.json.error.field, 'name');
  r = await c.post('/api/v1/tokens', { name: 42 });
  assert.equal(r.status, 400);
  r = await c.post('/api/v1/tokens', { name: 'n'.repeat(65) });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'too_long');
  r = await c.post('/api/v1/tokens', { name: '同步系统' });
  assert.equal(r.status, 201);
  const { token, id } = r.json;
  assert.match(token, /^zy_[A-Za-z0-9_-]{43}$/);

  const api = new Client(srv.url);
  api.bearer = token;
  const me = await api.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.username, 'admin');
  assert.equal(me.json.csrf_token, undefined);
  r = await api.post('/api/v1/organizations', { name: '令牌建的协会', kind: 'association', parent_id: me.json.org_id, region_code: '510115002000' });
  assert.equal(r.status, 201, 'a bearer write needs no CSRF token');

  const list = await c.get('/api/v1/tokens');
  const item = list.json.items.find((t) => t.id === id);
  assert.equal(item.name, '同步系统');
  assert.equal(item.token, undefined);
  assert.ok(!list.text.includes(token));

  assert.equal((await c.del('/api/v1/tokens/' + id)).status, 204);
  assert.equal((await c.del('/api/v1/tokens/' + id)).status, 404);
  assert.equal((await api.get('/api/v1/me')).status, 401);
  const bad = new Client(srv.url);
  bad.bearer = 'zy_' + 'A'.repeat(43);
  assert.equal((await bad.get('/api/v1/me')).status, 401);
  assert.equal((await bad.get('/api/v1/me', { Authorization: 'Basic abc' })).status, 401);
});

test('failed logins back off per account with 429 and Retry-After', async () => {
  // the wait passes on a clock the test sets: a server on the same database
  // started Retry-After + 1 s later, instead of sleeping through it
  let s = await startServer({ clockAt: chinaNoon() });
  try {
    const c = new Client(s.url);
    await c.login('admin', s.adminPassword);
    const org = (await c.get('/api/v1/me')).json.org_id;
    const made = await c.post('/api/v1/users', { username: 'throttled', password: 'right-password', roles: ['recorder'], org_id: org });
    assert.equal(made.status, 201);
    const u = new Client(s.url);
    for (let i = 0; i < 5; i++) {
      const r = await u.post('/api/v1/sessions', { username: 'throttled', password: 'wrong-password' });
      assert.equal(r.status, 401, `attempt ${i + 1}`);
    }
    const r = await u.post('/api/v1/sessions', { username: 'throttled', password: 'right-password' });
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'too_many_attempts');
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 900, `Retry-After ${wait}`);
    // other accounts are not affected
    assert.equal((await new Client(s.url).post('/api/v1/sessions', { username: 'admin', password: s.adminPassword })).status, 201);
    s = await s.restartAt(s.now() + (wait + 1) * 1000);
    assert.equal((await new Client(s.url).post('/api/v1/sessions', { username: 'throttled', password: 'right-password' })).status, 201);
    const root = new Client(s.url);
    await root.login('admin', s.adminPassword);
    const audit = (await root.get('/api/v1/audit-log?action=session.login_failed&limit=200')).json.items
      .filter((e) => e.target_id === made.json.id);
    assert.equal(audit.length, 5, 'the five wrong passwords, each audited once against the account');
  } finally {
    await s.stop();
  }
});

test('password change checks the old password and ends other sessions', async () => {
  const c = await admin();
  const org = (await c.get('/api/v1/me')).json.org_id;
  assert.equal((await c.post('/api/v1/users', { username: 'changer', password: 'first-password', roles: ['clerk'], org_id: org })).status, 201);
  const a = new Client(srv.url);
  await a.login('changer', 'first-password');
  const b = new Client(srv.url);
  await b.login('changer', 'first-password');
  let r = await a.post('/api/v1/me/password', { old_password: 'wrong-one', new_password: 'second-password' });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.field, 'old_password');
  r = await a.post('/api/v1/me/password', { old_password: 'first-password', new_password: 'short' });
  assert.equal(r.status, 422);
  assert.deepEqual([r.json.error.code, r.json.error.field], ['weak_password', 'new_password']);
  r = await a.post('/api/v1/me/password', { old_password: 'first-password' });
  assert.equal(r.status, 422);
  r = await a.post('/api/v1/me/password', { old_password: 'first-password', new_password: 'second-password' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { tokens_revoked: 0 });
  assert.equal((await a.get('/api/v1/me')).status, 200, 'this session stays');
  assert.equal((await b.get('/api/v1/me')).status, 401, 'the other session ends');
  assert.equal((await new Client(srv.url).post('/api/v1/sessions', { username: 'changer', password: 'first-password' })).status, 401);
  await new Client(srv.url).login('changer', 'second-password');
});

test('login by phone number works', async () => {
  const c = await admin();
  const org = (await c.get('/api/v1/me')).json.org_id;
  assert.equal((await c.post('/api/v1/users', { username: 'byphone', password: 'phone-password', roles: ['volunteer'], org_id: org, phone: '13912345678' })).status, 201);
  const u = new Client(srv.url);
  const r = await u.login('13912345678', 'phone-password');
  assert.equal(r.json.user.username, 'byphone');
  assert.equal(r.json.user.phone, '13912345678');
});

test('sessions expire after --session-ttl', async () => {
  let s2 = await startServer({ args: ['--session-ttl', '60'], clockAt: Date.now() });
  try {
    const c = new Client(s2.url);
    const r = await c.login('admin', s2.adminPassword);
    assert.match(r.headers.get('set-cookie'), /Max-Age=60;/);
    assert.equal((await c.get('/api/v1/me')).status, 200);
    // the server's clock moves 61 s on instead of the test sleeping
    s2 = await s2.restartAt(s2.now() + 61_000);
    c.base = s2.url;
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 401);
    assert.equal(me.json.error.code, 'session_expired');
  } finally {
    await s2.stop();
  }
});

test('failed logins back off per client address across accounts', async () => {
  let s2 = await startServer({ clockAt: chinaNoon(), args: ['--address-free-failures', '3'] });
  try {
    let c = new Client(s2.url);
    for (const name of ['guess1', 'guess2', 'guess3']) {
      assert.equal((await c.post('/api/v1/sessions', { username: name, password: 'wrong-password' })).status, 401);
    }
    const r = await c.post('/api/v1/sessions', { username: 'admin', password: s2.adminPassword });
    assert.equal(r.status, 429, 'the address is blocked even for a right password');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    // the wait passes on the server's clock, not the test's
    s2 = await s2.restartAt(s2.now() + (Number(r.headers.get('retry-after')) + 1) * 1000);
    c = new Client(s2.url);
    await c.login('admin', s2.adminPassword);
    const audit = await c.get('/api/v1/audit-log?action=session.login_failed');
    // at the root, without what was typed (it may be a password)
    const unknown = audit.json.items.filter((e) => e.target_id === null);
    assert.deepEqual(unknown.map((e) => e.detail), [{ known_account: false }, { known_account: false }, { known_account: false }]);
    assert.ok(!JSON.stringify(audit.json).includes('guess1'), 'unknown names are audited without the name');
  } finally {
    await s2.stop();
  }
});
