// Account claiming (issue 10 §2): a volunteer on file proves who they are
// with ID number, name and the phone on file, gets a one-time code (here
// from the development sender's line in the server log), sets a password
// and signs in with the phone number. Enumeration-safety, code expiry,
// single use, attempt limits, throttles, audit and staff invitations; the
// phone number as the login; certificates refused without --public-url.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

const PUBLIC_URL = 'https://zhiyuan.example.cn';
let srv, root, rootOrg, assoc, station, other, staff, outsider;
let seq = 100;
let phoneSeq = 0;
const nextId = () => residentId('510115', '19850612', (seq += 2) % 1000);
const nextPhone = () => `136${String(Date.now() % 100000).padStart(5, '0')}${String(++phoneSeq).padStart(3, '0')}`;

/** A volunteer registered by staff (no login). */
async function onFile(c, over = {}) {
  const person = { name: '认领测试' + String.fromCharCode(0x4e00 + (seq % 200)), id_number: nextId(), phone: nextPhone(), ...over };
  const r = await c.post('/api/v1/volunteers', {
    name: person.name, id_type: 'resident_id', id_number: person.id_number, phone: person.phone,
    region_code: '510115001001', org_id: over.org_id || station,
    consent: { sensitive: true, notice_version: '2026-11' },
  });
  assert.equal(r.status, 201, r.text);
  return { ...person, id: r.json.id, number: r.json.volunteer_number };
}

/** The codes the development sender printed for phone since offset. */
function codesFor(server, phone, from = 0) {
  const lines = server.stderr().slice(from).split('\n').filter((l) => l.includes(`sms (log sender, not delivered) to ${phone}:`));
  return lines.map((l) => l.match(/验证码 (\d{6})/)[1]);
}

const anon = (s = srv, lang) => new Client(s.url, lang ? { lang } : undefined);
const start = (p, s = srv) => anon(s).post('/api/v1/public/claims', { id_number: p.id_number, name: p.name, phone: p.phone });
// The address of s allows exactly n more starts that lead nowhere: n are
// answered, the next one waits.
async function addressAllows(s, n) {
  for (let i = 0; i < n; i++) assert.equal((await start({ name: '某人', id_number: nextId(), phone: nextPhone() }, s)).status, 202, `start ${i}`);
  const busy = await start({ name: '某人', id_number: nextId(), phone: nextPhone() }, s);
  assert.equal(busy.status, 429);
  assert.equal(busy.json.error.code, 'too_many_claims');
}
const complete = (claimId, code, password = 'Claimed-pass-1', s = srv) =>
  anon(s).post('/api/v1/public/claims/complete', { claim_id: claimId, code, password });
const audit = async (action) => (await root.get(`/api/v1/audit-log?action=${action}&limit=200`)).json.items;

before(async () => {
  // claims from 127.0.0.1 in this file are many: the address limit is raised here
  // and checked on its own server below
  srv = await startServer({ args: ['--public-url', PUBLIC_URL + '/', '--address-free-failures', '1000'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const mk = async (name, kind, parent, region) => {
    const r = await root.post('/api/v1/organizations', { name, kind, parent_id: parent, region_code: region });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  assoc = await mk('认领测试街道协会', 'association', rootOrg, '510115001000');
  station = await mk('认领测试社区工作站', 'station', assoc, '510115001001');
  other = await mk('认领测试另一协会', 'association', rootOrg, '510115002000');
  for (const [username, org] of [['claimstaff', station], ['claimoutsider', other]]) {
    const r = await root.post('/api/v1/users', { username, password: 'Staff-pass-123', roles: ['admin'], org_id: org });
    assert.equal(r.status, 201, r.text);
  }
  staff = new Client(srv.url);
  await staff.login('claimstaff', 'Staff-pass-123');
  outsider = new Client(srv.url);
  await outsider.login('claimoutsider', 'Staff-pass-123');
});

after(async () => { await srv?.stop(); });

test('a volunteer on file claims an account and signs in with the phone number', async () => {
  const p = await onFile(root);
  // the public registration refuses them: that is why claiming exists
  const reg = await anon().post('/api/v1/public/volunteers', {
    name: p.name, id_type: 'resident_id', id_number: p.id_number, phone: p.phone, region_code: '510115001001',
    password: 'whatever-123', consent: { sensitive: true, notice_version: '2026-11' },
  });
  assert.equal(reg.status, 409);
  assert.equal(reg.json.error.code, 'volunteer_exists');

  const mark = srv.stderr().length;
  const r = await start(p);
  assert.equal(r.status, 202, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['claim_id', 'expires_in', 'phone_masked']);
  assert.equal(r.json.expires_in, 600);
  assert.equal(r.json.phone_masked, p.phone.slice(0, 3) + '****' + p.phone.slice(7));
  const codes = codesFor(srv, p.phone, mark);
  assert.equal(codes.length, 1, 'one code went to the phone on file');
  assert.ok(!srv.stderr().includes(r.json.claim_id), 'the ticket is not logged');

  const done = await complete(r.json.claim_id, codes[0]);
  assert.equal(done.status, 201, done.text);
  assert.equal(done.json.login, p.phone);
  assert.equal(done.json.reset, false);
  assert.equal(done.json.volunteer_number, p.number);

  // the phone number is the login; the session is the volunteer's own
  const me = new Client(srv.url);
  const login = await me.login(p.phone, 'Claimed-pass-1');
  assert.deepEqual(login.json.user.roles, ['volunteer']);
  assert.equal(login.json.user.phone, p.phone);
  const mine = await me.get('/api/v1/me/volunteer');
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.id, p.id);

  const starts = (await audit('claim.start')).filter((a) => a.target_id === p.id);
  assert.equal(starts.length, 1);
  assert.equal(starts[0].detail.via, 'self');
  assert.equal(starts[0].detail.phone, r.json.phone_masked);
  const completes = (await audit('claim.complete')).filter((a) => a.org_id === station);
  assert.equal(completes.length, 1);
  assert.equal(completes[0].target_id, done.json.user_id);
  assert.equal(completes[0].actor_username, p.phone);

  // a used code is refused, and the account is unchanged
  const again = await complete(r.json.claim_id, codes[0], 'Another-pass-2');
  assert.equal(again.status, 409);
  assert.equal(again.json.error.code, 'claim_used');
  assert.equal((await anon().post('/api/v1/sessions', { username: p.phone, password: 'Another-pass-2' })).status, 401);
  assert.equal((await anon().post('/api/v1/sessions', { username: p.phone, password: 'Claimed-pass-1' })).status, 201);
});

test('the start answers alike whether or not the details match', async () => {
  const p = await onFile(root);
  const unknown = { name: '无此人', id_number: nextId(), phone: p.phone };
  const cases = [
    ['real', p],
    ['wrong name', { ...p, name: p.name + '甲' }],
    ['wrong phone', { ...p, phone: '13700000001' }],
    ['unknown ID', unknown],
  ];
  const mark = srv.stderr().length;
  const unmatchedBefore = (await audit('claim.start_unmatched')).map((e) => e.id);
  const answers = {};
  for (const [what, details] of cases) {
    const t0 = performance.now();
    const r = await start(details);
    const ms = performance.now() - t0;
    assert.equal(r.status, 202, `${what}: ${r.text}`);
    assert.deepEqual(Object.keys(r.json).sort(), ['claim_id', 'expires_in', 'phone_masked'], what);
    assert.match(r.json.claim_id, /^zc_[A-Za-z0-9_-]{43}$/, what);
    assert.equal(r.json.expires_in, 600, what);
    answers[what] = { ...r.json, ms, headers: [...r.headers.keys()].filter((h) => h !== 'date').sort() };
  }
  // same headers, same masked phone for the same typed phone
  for (const [what] of cases) assert.deepEqual(answers[what].headers, answers.real.headers, what);
  assert.equal(answers['unknown ID'].phone_masked, answers.real.phone_masked);
  // about the same time: the same work is done either way
  for (const [what] of cases) {
    assert.ok(Math.abs(answers[what].ms - answers.real.ms) < 250, `${what}: ${answers[what].ms} ms vs ${answers.real.ms} ms`);
  }
  // only the real one sent a code
  assert.equal(codesFor(srv, p.phone, mark).length, 1);
  assert.equal(codesFor(srv, '13700000001', mark).length, 0);
  // and the later step cannot tell them apart either: a wrong code is a wrong code
  for (const [what] of cases) {
    const r = await complete(answers[what].claim_id, '000000');
    assert.equal(r.status, 422, what);
    assert.equal(r.json.error.code, 'claim_code_wrong', what);
    assert.equal(r.json.error.field, 'code', what);
  }
  // a failed match is audited at the root, without the ID number
  const unmatched = (await audit('claim.start_unmatched')).filter((e) => !unmatchedBefore.includes(e.id));
  assert.equal(unmatched.length, 3, 'wrong name, wrong phone, unknown ID');
  assert.equal(unmatched[0].org_id, rootOrg);
  assert.ok(!JSON.stringify(unmatched).includes(unknown.id_number));
  assert.ok(!JSON.stringify(unmatched).includes('13700000001'));
  // and nothing was made: the person still has no login
  assert.equal((await anon().post('/api/v1/sessions', { username: p.phone, password: 'Claimed-pass-1' })).status, 401);
});

test('wrong codes count, and the fifth locks the claim', async () => {
  const p = await onFile(root);
  const mark = srv.stderr().length;
  const r = await start(p);
  const [code] = codesFor(srv, p.phone, mark);
  const wrong = code === '999999' ? '999998' : '999999';
  for (let i = 1; i <= 4; i++) {
    const w = await complete(r.json.claim_id, wrong);
    assert.equal(w.status, 422);
    assert.equal(w.json.error.code, 'claim_code_wrong', `attempt ${i}`);
  }
  const fifth = await complete(r.json.claim_id, wrong);
  assert.equal(fifth.json.error.code, 'claim_locked');
  // even the right code is refused now, and no account was made
  const right = await complete(r.json.claim_id, code);
  assert.equal(right.status, 422);
  assert.equal(right.json.error.code, 'claim_locked');
  assert.equal((await anon().post('/api/v1/sessions', { username: p.phone, password: 'Claimed-pass-1' })).status, 401);
  // a new start gives a new code that works
  const mark2 = srv.stderr().length;
  const r2 = await start(p);
  const [code2] = codesFor(srv, p.phone, mark2);
  assert.equal((await complete(r2.json.claim_id, code2)).status, 201);
});

test('a new start leaves the earlier claim live (no match oracle); bad inputs change nothing', async () => {
  const p = await onFile(root);
  const mark = srv.stderr().length;
  const first = await start(p);
  const [code1] = codesFor(srv, p.phone, mark);
  const mark2 = srv.stderr().length;
  const second = await start(p);
  const [code2] = codesFor(srv, p.phone, mark2);
  // a guess sent twice: its first ticket answers as an unmatched one does
  // (had the second start ended it, claim_expired would reveal a match)
  const unknown = { name: '无此人', id_number: nextId(), phone: p.phone };
  const u1 = await start(unknown);
  await start(unknown);
  const wrong = code1 === '999999' ? '999998' : '999999';
  for (const ticket of [first.json.claim_id, u1.json.claim_id]) {
    const w = await complete(ticket, wrong);
    assert.equal(w.status, 422, w.text);
    assert.equal(w.json.error.code, 'claim_code_wrong');
  }

  const bad = [
    [{ name: p.name, phone: p.phone }, 422, 'required', 'id_number'],
    [{ id_number: p.id_number, phone: p.phone }, 422, 'required', 'name'],
    [{ id_number: p.id_number, name: p.name }, 422, 'required', 'phone'],
    [{ id_number: 12, name: p.name, phone: p.phone }, 400, 'wrong_type', 'id_number'],
    [{ id_number: 'abc', name: p.name, phone: p.phone }, 422, 'id_format', 'id_number'],
    [{ id_number: p.id_number, name: p.name, phone: '1234' }, 422, 'invalid_phone', 'phone'],
  ];
  const before = (await audit('claim.start')).length + (await audit('claim.start_unmatched')).length;
  for (const [body, status, code, field] of bad) {
    const r = await anon().post('/api/v1/public/claims', body);
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.json.error.code, code, JSON.stringify(body));
    assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  assert.equal((await audit('claim.start')).length + (await audit('claim.start_unmatched')).length, before);

  const badDone = [
    [{ code: code2, password: 'Claimed-pass-1' }, 422, 'required', 'claim_id'],
    [{ claim_id: second.json.claim_id, password: 'Claimed-pass-1' }, 422, 'required', 'code'],
    [{ claim_id: second.json.claim_id, code: code2 }, 422, 'required', 'password'],
    [{ claim_id: second.json.claim_id, code: code2, password: 'short' }, 422, 'weak_password', 'password'],
    [{ claim_id: second.json.claim_id, code: 123456, password: 'Claimed-pass-1' }, 400, 'wrong_type', 'code'],
    [{ claim_id: 'zc_nothing', code: code2, password: 'Claimed-pass-1' }, 422, 'claim_expired', 'claim_id'],
  ];
  for (const [body, status, code, field] of badDone) {
    const r = await anon().post('/api/v1/public/claims/complete', body);
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.json.error.code, code, JSON.stringify(body));
    assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  // none of that used up an attempt: the claim still completes
  const ok = await complete(second.json.claim_id, code2);
  assert.equal(ok.status, 201, ok.text);
  // a completed claim ends the volunteer's other live ones
  const old = await complete(first.json.claim_id, code1, 'Other-pass-123');
  assert.equal(old.status, 422);
  assert.equal(old.json.error.code, 'claim_expired');
});

test('starts are throttled per ID number, whether or not anyone has it', async () => {
  const p = await onFile(root);
  const unknown = { name: '无此人', id_number: nextId(), phone: nextPhone() };
  for (const who of [p, unknown]) {
    for (let i = 1; i <= 3; i++) assert.equal((await start(who)).status, 202, `start ${i}`);
    const r = await start(who);
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'too_many_claims');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  }
  // parallel starts cannot all pass a check made before any of them counted
  const burstee = { name: '无此人', id_number: nextId(), phone: nextPhone() };
  const burst = await Promise.all(Array.from({ length: 8 }, () => start(burstee)));
  assert.equal(burst.filter((b) => b.status === 202).length, 3, burst.map((b) => b.status).join(' '));
  // staff invitations do not use (nor are blocked by) the public key of the
  // ID number: whoever knows it cannot stop the person being invited
  const inv = await staff.post(`/api/v1/volunteers/${p.id}/claim-invitations`);
  assert.equal(inv.status, 201, inv.text);
  assert.equal((await complete(inv.json.claim_id, inv.json.code)).status, 201);
});

test('invitations are throttled per staff user', async () => {
  const username = 'claiminviter';
  assert.equal((await root.post('/api/v1/users', { username, password: 'Staff-pass-123', roles: ['admin'], org_id: station })).status, 201);
  const inviter = new Client(srv.url);
  await inviter.login(username, 'Staff-pass-123');
  const p = await onFile(root);
  const answers = await Promise.all(Array.from({ length: 55 }, () => inviter.post(`/api/v1/volunteers/${p.id}/claim-invitations`)));
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 201).length, 50, statuses.join(' '));
  const refused = answers.filter((a) => a.status === 429);
  assert.equal(refused.length, 5);
  assert.ok(refused.every((a) => a.json.error.code === 'too_many_claims' && Number(a.headers.get('retry-after')) >= 1));
  // another staff user, and the person themself, are not held up by it
  assert.equal((await staff.post(`/api/v1/volunteers/${p.id}/claim-invitations`)).status, 201);
  assert.equal((await start(p)).status, 202);
});

test('staff invite a volunteer of their scope; the development sender shows them the code', async () => {
  const p = await onFile(root);
  assert.equal((await outsider.post(`/api/v1/volunteers/${p.id}/claim-invitations`)).status, 403);
  assert.equal((await staff.post('/api/v1/volunteers/99999999/claim-invitations')).status, 404);
  assert.equal((await anon().post(`/api/v1/volunteers/${p.id}/claim-invitations`)).status, 401);
  const mark = srv.stderr().length;
  const r = await staff.post(`/api/v1/volunteers/${p.id}/claim-invitations`);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.sender, 'log');
  assert.equal(r.json.sent, true);
  assert.equal(r.json.has_account, false);
  assert.match(r.json.code, /^\d{6}$/);
  assert.equal(r.json.link, `${PUBLIC_URL}/claim?ticket=${r.json.claim_id}`);
  assert.deepEqual(codesFor(srv, p.phone, mark), [r.json.code]);
  assert.ok(srv.stderr().slice(mark).includes(r.json.link), 'the message names the link');
  const inv = (await audit('claim.start')).filter((a) => a.target_id === p.id);
  assert.equal(inv[0].detail.via, 'invite');
  assert.equal(inv[0].actor_username, 'claimstaff');

  const done = await complete(r.json.claim_id, r.json.code);
  assert.equal(done.status, 201, done.text);
  assert.equal(done.json.login, p.phone);
  await new Client(srv.url).login(p.phone, 'Claimed-pass-1');

  // a volunteer with an account is not invited: staff would be shown a code
  // that resets it (account_exists), and nothing is started or sent
  const mark2 = srv.stderr().length;
  const startsBefore = (await audit('claim.start')).length;
  const r2 = await staff.post(`/api/v1/volunteers/${p.id}/claim-invitations`);
  assert.equal(r2.status, 409, r2.text);
  assert.equal(r2.json.error.code, 'account_exists');
  assert.equal(r2.json.error.message, '该志愿者已有账号，请其用手机号登录；忘记密码可在认领页用账号手机号重设');
  assert.equal(r2.json.code, undefined);
  assert.equal((await audit('claim.start')).length, startsBefore);
  assert.deepEqual(codesFor(srv, p.phone, mark2), []);
  staff.lang = 'en';
  const r2en = await staff.post(`/api/v1/volunteers/${p.id}/claim-invitations`);
  staff.lang = 'zh-CN';
  assert.match(r2en.json.error.message, /already has an account/);
  // the person resets a forgotten password through the public start, with the
  // account's own phone (the code goes to that phone, not to staff)
  const session = new Client(srv.url);
  await session.login(p.phone, 'Claimed-pass-1');
  const tok = await session.post('/api/v1/tokens', { name: '旧密码时的令牌' });
  assert.equal(tok.status, 201, tok.text);
  const bearer = new Client(srv.url);
  bearer.bearer = tok.json.token;
  assert.equal((await bearer.get('/api/v1/me')).status, 200, 'the token works before the reset');
  const mark3 = srv.stderr().length;
  const s2 = await start(p);
  const [code2] = codesFor(srv, p.phone, mark3);
  const reset = await complete(s2.json.claim_id, code2, 'Reset-pass-777');
  assert.equal(reset.status, 201, reset.text);
  assert.equal(reset.json.reset, true);
  assert.equal(reset.json.user_id, done.json.user_id);
  assert.equal((await anon().post('/api/v1/sessions', { username: p.phone, password: 'Claimed-pass-1' })).status, 401);
  assert.equal((await session.get('/api/v1/me')).status, 401, 'the reset ended the old sessions');
  assert.equal((await bearer.get('/api/v1/me')).status, 401, 'and revoked the API tokens made before it');
  await new Client(srv.url).login(p.phone, 'Reset-pass-777');
  assert.equal((await audit('claim.reset')).filter((a) => a.target_id === done.json.user_id).length, 1);
});

test('a phone held by a staff login: the claimed login is named after the volunteer number', async () => {
  const phone = nextPhone();
  const u = await root.post('/api/v1/users', { username: 'staffphone', password: 'Staff-pass-123', roles: ['recorder'], org_id: station, phone });
  assert.equal(u.status, 201, u.text);
  const p = await onFile(root, { phone });
  const mark = srv.stderr().length;
  const r = await start(p);
  assert.equal(r.status, 202);
  const [code] = codesFor(srv, phone, mark);
  const done = await complete(r.json.claim_id, code);
  assert.equal(done.status, 201, done.text);
  assert.equal(done.json.login, 'v' + p.number);
  await new Client(srv.url).login('v' + p.number, 'Claimed-pass-1');
  await new Client(srv.url).login('staffphone', 'Staff-pass-123');
});

test('a staff account is never reset by a code, and the start does not say so', async () => {
  const phone = nextPhone();
  const id = nextId();
  const reg = await anon().post('/api/v1/public/volunteers', {
    name: '兼职员工', id_type: 'resident_id', id_number: id, phone, region_code: '510115001001', org_id: station,
    password: 'Self-pass-123', consent: { sensitive: true, notice_version: '2026-11' },
  });
  assert.equal(reg.status, 201, reg.text);
  const me = new Client(srv.url);
  const userId = (await me.login(phone, 'Self-pass-123')).json.user.id;
  const up = await root.patch(`/api/v1/users/${userId}`, { roles: ['volunteer', 'recorder'] });
  assert.equal(up.status, 200, up.text);
  const mark = srv.stderr().length;
  const r = await start({ name: '兼职员工', id_number: id, phone });
  assert.equal(r.status, 202);
  assert.deepEqual(Object.keys(r.json).sort(), ['claim_id', 'expires_in', 'phone_masked']);
  assert.equal(codesFor(srv, phone, mark).length, 0, 'no code for a staff account');
  const refused = (await audit('claim.start_unmatched')).find((a) => a.detail.reason === 'staff_account');
  assert.ok(refused, 'the refusal is audited');
  const inv = await staff.post(`/api/v1/volunteers/${reg.json.volunteer.id}/claim-invitations`);
  assert.equal(inv.status, 409);
  assert.equal(inv.json.error.code, 'staff_account');
  await new Client(srv.url).login(phone, 'Self-pass-123');
});

test('an account an administrator disabled is not reset (nor re-enabled) by a claim', async () => {
  const phone = nextPhone();
  const id = nextId();
  const reg = await anon().post('/api/v1/public/volunteers', {
    name: '停用账号', id_type: 'resident_id', id_number: id, phone, region_code: '510115001001', org_id: station,
    password: 'Self-pass-123', consent: { sensitive: true, notice_version: '2026-11' },
  });
  assert.equal(reg.status, 201, reg.text);
  const userId = (await new Client(srv.url).login(phone, 'Self-pass-123')).json.user.id;
  assert.equal((await root.patch(`/api/v1/users/${userId}`, { status: 'disabled' })).status, 200);
  const mark = srv.stderr().length;
  const r = await start({ name: '停用账号', id_number: id, phone });
  assert.equal(r.status, 202);
  assert.equal(codesFor(srv, phone, mark).length, 0, 'no code for a disabled account');
  assert.ok((await audit('claim.start_unmatched')).some((a) => a.detail.reason === 'account_disabled'));
  const inv = await staff.post(`/api/v1/volunteers/${reg.json.volunteer.id}/claim-invitations`);
  assert.equal(inv.status, 409);
  assert.equal(inv.json.error.code, 'account_disabled');
  assert.equal((await root.get(`/api/v1/users/${userId}`)).json.status, 'disabled');
});

test('the phone number is the login of a self-registered volunteer; usernames still work', async () => {
  const phone = nextPhone();
  const r = await anon().post('/api/v1/public/volunteers', {
    name: '自报名', id_type: 'resident_id', id_number: nextId(), phone, region_code: '510115001001',
    password: 'Self-pass-123', consent: { sensitive: true, notice_version: '2026-11' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.username, phone);
  assert.equal(r.json.login, phone);
  const byPhone = await new Client(srv.url).login(phone, 'Self-pass-123');
  assert.deepEqual(byPhone.json.user.roles, ['volunteer']);
  const byName = await new Client(srv.url).login(byPhone.json.user.username, 'Self-pass-123');
  assert.equal(byName.json.user.id, byPhone.json.user.id);
  assert.equal((await anon().post('/api/v1/sessions', { username: phone, password: 'wrong-pass-123' })).status, 401);
  // the admin still signs in by username
  await new Client(srv.url).login('admin', srv.adminPassword);
  // failures by phone and by username count against one account (five are free)
  const name = byPhone.json.user.username;
  for (const who of [phone, name, phone, name, phone, name]) {
    const r = await anon().post('/api/v1/sessions', { username: who, password: 'wrong-pass-123' });
    assert.ok([401, 429].includes(r.status), r.text);
  }
  for (const who of [phone, name]) {
    const r = await anon().post('/api/v1/sessions', { username: who, password: 'Self-pass-123' });
    assert.equal(r.status, 429, `${who} is throttled: ${r.text}`);
  }
});

test('without a public address (or with a loopback one) certificates are refused', async () => {
  for (const args of [[], ['--public-url', 'http://127.0.0.1:8080']]) {
    const s = await startServer({ args });
    try {
      assert.match(s.stderr(), /--public-url \(ZHIYUAN_PUBLIC_URL\) is .*certificates cannot be issued/);
      const c = new Client(s.url);
      await c.login('admin', s.adminPassword);
      const org = (await c.get('/api/v1/me')).json.org_id;
      const v = await c.post('/api/v1/volunteers', {
        name: '证明测试', id_type: 'resident_id', id_number: nextId(), phone: nextPhone(), region_code: '510115001001', org_id: org,
        consent: { sensitive: true, notice_version: '2026-11' },
      });
      const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
      const body = { volunteer_id: v.json.id, from: '2020-01-01', to: today };
      const r = await c.post('/api/v1/certificates', body);
      assert.equal(r.status, 409, r.text);
      assert.equal(r.json.error.code, 'public_url_required');
      assert.match(r.json.error.message, /公网访问地址/);
      c.lang = 'en';
      const en = await c.post('/api/v1/certificates', body);
      assert.match(en.json.error.message, /public address is not set/);
      assert.equal((await c.get(`/api/v1/certificates?volunteer_id=${v.json.id}`)).json.items.length, 0, 'nothing issued');
    } finally {
      await s.stop();
    }
  }
});

test('codes expire, and starts are throttled per client address', async () => {
  let s = await startServer({ args: ['--claim-code-ttl', '60', '--address-free-failures', '3'], clockAt: Date.now() });
  try {
    const c = new Client(s.url);
    await c.login('admin', s.adminPassword);
    const org = (await c.get('/api/v1/me')).json.org_id;
    const p = await onFile(c, { org_id: org });
    const mark = s.stderr().length;
    const r = await start(p, s);
    assert.equal(r.json.expires_in, 60);
    const [code] = codesFor(s, p.phone, mark);
    // three starts from this address so far would be fine; the fourth waits
    await addressAllows(s, 2);
    // 61 s later on the server's clock (a restart on the same database),
    // instead of the test sleeping through the code's life
    s = await s.restartAt(s.now() + 61_000);
    const late = await complete(r.json.claim_id, code, 'Claimed-pass-1', s);
    assert.equal(late.status, 422);
    assert.equal(late.json.error.code, 'claim_expired');
    assert.equal((await anon(s).post('/api/v1/sessions', { username: p.phone, password: 'Claimed-pass-1' })).status, 401);
  } finally {
    await s.stop();
  }
});

test('starts that lead to a completed claim are given back to the address (one proxy, a whole district)', async () => {
  const s = await startServer({ args: ['--address-free-failures', '3'] });
  try {
    const c = new Client(s.url);
    await c.login('admin', s.adminPassword);
    const org = (await c.get('/api/v1/me')).json.org_id;
    // five people claim in turn from one address that allows three starts
    for (let i = 0; i < 5; i++) {
      const q = await onFile(c, { org_id: org });
      const m = s.stderr().length;
      const st = await start(q, s);
      assert.equal(st.status, 202, `genuine start ${i}: ${st.text}`);
      const done = await complete(st.json.claim_id, codesFor(s, q.phone, m)[0], 'Claimed-pass-1', s);
      assert.equal(done.status, 201, done.text);
    }
    // an invited claim gives nothing back (it took nothing): three starts
    // that lead nowhere are allowed, the fourth waits
    const invited = await onFile(c, { org_id: org });
    const inv = await c.post(`/api/v1/volunteers/${invited.id}/claim-invitations`);
    assert.equal((await complete(inv.json.claim_id, inv.json.code, 'Claimed-pass-1', s)).status, 201);
    await addressAllows(s, 3);
  } finally {
    await s.stop();
  }
});

test('a gateway program receives PHONE TEXT; staff are not shown the code then', async () => {
  const { mkdtempSync, writeFileSync, readFileSync, existsSync, chmodSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { spawnSync } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'zy-sms-'));
  const out = join(dir, 'sent.txt');
  const prog = join(dir, 'gateway.sh');
  const envOut = join(dir, 'env.txt');
  const fdOut = join(dir, 'fds.txt');
  // the program also notes its environment and the files it has open
  writeFileSync(prog, `#!/bin/sh\nenv > '${envOut}'\nfor f in /proc/$$/fd/*; do readlink "$f"; done > '${fdOut}'\n`
    + `printf '%s|%s\\n' "$1" "$2" >> '${out}'\n`);
  chmodSync(prog, 0o755);
  // a sender that is neither log nor command:/path stops the server at start
  const bad = spawnSync(process.env.ZHIYUAN_BIN || join(process.cwd(), 'build/zhiyuan'),
    ['serve', '--db', 'sqlite:' + join(dir, 'x.db'), '--key-file', join(dir, 'x.key'), '--listen', '127.0.0.1:0', '--sms-sender', 'smtp'],
    { encoding: 'utf8', timeout: 10000, env: { ...process.env, ZHIYUAN_ADMIN_PASSWORD: 'Whatever-123' } });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--sms-sender must be log or command:/);
  const s = await startServer({ args: ['--sms-sender', `command:${prog}`, '--public-url', PUBLIC_URL],
    env: { ZHIYUAN_SMS_GATEWAY_KEY: 'gw-key-1', ZHIYUAN_DB_SECRET_LOOKALIKE: 'nope', LANG: 'C.UTF-8' } });
  try {
    const c = new Client(s.url);
    await c.login('admin', s.adminPassword);
    const org = (await c.get('/api/v1/me')).json.org_id;
    const p = await onFile(c, { org_id: org });
    const inv = await c.post(`/api/v1/volunteers/${p.id}/claim-invitations`);
    assert.equal(inv.status, 201, inv.text);
    assert.equal(inv.json.sender, 'command');
    assert.equal(inv.json.code, undefined, 'a real gateway: the code is not shown to staff');
    for (let i = 0; i < 100 && !existsSync(out); i++) await new Promise((res) => setTimeout(res, 50));
    const [line] = readFileSync(out, 'utf8').trim().split('\n');
    const [to, msg] = line.split('|');
    assert.equal(to, p.phone);
    const code = msg.match(/验证码 (\d{6})/)[1];
    assert.ok(msg.includes(`${PUBLIC_URL}/claim?ticket=${inv.json.claim_id}`));
    assert.ok(!s.stderr().includes(code), 'the code is not in the server log');
    const done = await complete(inv.json.claim_id, code, 'Claimed-pass-1', s);
    assert.equal(done.status, 201, done.text);
    // a minimal environment: PATH, LANG and ZHIYUAN_SMS_*, not the server's secrets
    const env = Object.fromEntries(readFileSync(envOut, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(env.ZHIYUAN_SMS_GATEWAY_KEY, 'gw-key-1');
    assert.equal(env.LANG, 'C.UTF-8');
    assert.equal(env.PATH, process.env.PATH);
    assert.deepEqual(Object.keys(env).filter((k) => k.startsWith('ZHIYUAN_') && !k.startsWith('ZHIYUAN_SMS_')), []);
    assert.equal(env.HOME, undefined);
    // and no file of the server's: neither the access log nor the database
    const fds = readFileSync(fdOut, 'utf8');
    assert.ok(!fds.includes('access.log'), fds);
    assert.ok(!fds.includes(s.dir), fds);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('staff who put their own phone on a file cannot take over the account behind it', async () => {
  // a volunteer who registered on the phone page: the account's login is their phone
  const phone = nextPhone();
  const id = nextId();
  const reg = await anon().post('/api/v1/public/volunteers', {
    name: '被接管者', id_type: 'resident_id', id_number: id, phone, region_code: '510115001001', org_id: station,
    password: 'Self-pass-123', consent: { sensitive: true, notice_version: '2026-11' },
  });
  assert.equal(reg.status, 201, reg.text);
  const vid = reg.json.volunteer.id;
  // a claim started while the phones agree, then the file's phone is changed
  const markA = srv.stderr().length;
  const early = await start({ name: '被接管者', id_number: id, phone });
  const [earlyCode] = codesFor(srv, phone, markA);
  assert.ok(earlyCode, 'a code went to the account phone');
  // staff who may edit the file put their own number on it
  const staffPhone = nextPhone();
  const up = await staff.patch(`/api/v1/volunteers/${vid}`, { phone: staffPhone });
  assert.equal(up.status, 200, up.text);
  // the invitation is refused (the person has an account)...
  const inv = await staff.post(`/api/v1/volunteers/${vid}/claim-invitations`);
  assert.equal(inv.status, 409, inv.text);
  assert.equal(inv.json.error.code, 'account_exists');
  // ...and the public start answers as for a mismatch: same 202, no code sent
  const mark = srv.stderr().length;
  const r = await start({ name: '被接管者', id_number: id, phone: staffPhone });
  assert.equal(r.status, 202, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['claim_id', 'expires_in', 'phone_masked']);
  assert.equal(codesFor(srv, staffPhone, mark).length, 0, 'no code to the phone staff put on the file');
  assert.ok((await audit('claim.start_unmatched')).some((a) => a.detail.reason === 'account_phone_differs'));
  const w = await complete(r.json.claim_id, '000000', 'Taken-over-1');
  assert.equal(w.json.error.code, 'claim_code_wrong');
  // the claim started before the change no longer completes either
  const late = await complete(early.json.claim_id, earlyCode, 'Taken-over-1');
  assert.equal(late.status, 422, late.text);
  assert.equal(late.json.error.code, 'claim_expired');
  // the account is the person's, with their password
  assert.equal((await anon().post('/api/v1/sessions', { username: phone, password: 'Taken-over-1' })).status, 401);
  await new Client(srv.url).login(phone, 'Self-pass-123');
});

test('the development sender is warned about at start', () => {
  assert.match(srv.stderr(), /--sms-sender \(ZHIYUAN_SMS_SENDER\) is log: one-time codes are printed to this log, not delivered/);
});

test('parallel guesses: at most five tries of a claim are judged, and the address limit holds', async () => {
  const { execFileSync } = await import('node:child_process');
  const s = await startServer({ args: ['--address-free-failures', '1000'] });
  const sql = (q) => (s.backend === 'sqlite'
    ? execFileSync('sqlite3', [s.db.replace(/^sqlite:/, ''), q], { encoding: 'utf8' })
    : execFileSync('psql', [s.db, '-At', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' })).trim();
  try {
    const c = new Client(s.url);
    await c.login('admin', s.adminPassword);
    const org = (await c.get('/api/v1/me')).json.org_id;
    const p = await onFile(c, { org_id: org });
    const mark = s.stderr().length;
    const r = await start(p, s);
    const [code] = codesFor(s, p.phone, mark);
    const wrong = code === '999999' ? '999998' : '999999';
    const answers = await Promise.all(Array.from({ length: 40 }, () => complete(r.json.claim_id, wrong, 'Claimed-pass-1', s)));
    const codes = answers.map((a) => a.json.error.code);
    assert.equal(codes.filter((x) => x === 'claim_code_wrong').length, 4, codes.join(' '));
    assert.equal(codes.filter((x) => x === 'claim_locked').length, 36, codes.join(' '));
    const rows = sql('SELECT attempts FROM account_claims');
    assert.equal(rows, '5', 'the claim used exactly its five tries');
    // the right code comes too late
    const right = await complete(r.json.claim_id, code, 'Claimed-pass-1', s);
    assert.equal(right.json.error.code, 'claim_locked');
    assert.equal((await anon(s).post('/api/v1/sessions', { username: p.phone, password: 'Claimed-pass-1' })).status, 401);
    // 20 wrong tries per address are free: five are used, so of 30 parallel
    // guessed tickets 15 are judged and 15 wait
    const guesses = await Promise.all(Array.from({ length: 30 }, (_, i) => complete(`zc_guess${i}`, '123456', 'Claimed-pass-1', s)));
    const statuses = guesses.map((g) => g.status);
    assert.equal(statuses.filter((x) => x === 422).length, 15, statuses.join(' '));
    assert.equal(statuses.filter((x) => x === 429).length, 15, statuses.join(' '));
    assert.ok(guesses.filter((g) => g.status === 429).every((g) => g.json.error.code === 'too_many_claims'));
  } finally {
    await s.stop();
  }
});
