// Who may decide on a service record (issue 11 §3): staff of a sibling
// subtree may not approve, reject, read or list a record, and a recorder
// who is no admin may not approve or reject another recorder's record even
// where the organisation lets recorders approve their own. Every refusal
// is checked by reading the record back as the root admin: still
// submitted, no approver, not in the chain, no audit entry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';
import { staffUser } from '../lib/fixtures.mjs';

let srv, root;
const H = 3600 * 1000, D = 24 * H;
// a fixed past morning (China time), so no test depends on the hour it runs at
const day = (n) => new Date(Date.UTC(2026, 9, 1 + n, 1, 0, 0));
const iso = (d) => d.toISOString().replace(/\.\d+Z$/, 'Z');
const consent = { sensitive: true, notice_version: '2026-11' };
let seq = 401;

async function org(name, kind, parent, region) {
  const r = await root.post('/api/v1/organizations', { name, kind, parent_id: parent, region_code: region });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const user = (username, roles, orgId) => staffUser(root, username, roles, orgId);

async function volunteer(orgId, region) {
  seq += 2;
  const r = await root.post('/api/v1/volunteers', { name: '审批' + seq, id_type: 'resident_id',
    id_number: residentId('510115', '19820303', seq), phone: '139' + String(10000000 + seq), region_code: region,
    org_id: orgId, consent });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

let nAct = 0;
/** A two-hour activity of orgId on past day n, and a 60-minute record of vol in it by recorder. */
async function record(recorder, orgId, vol) {
  nAct++;
  const a = await recorder.post('/api/v1/activities', { name: '审批活动' + nAct, org_id: orgId,
    starts_at: iso(day(nAct)), ends_at: iso(new Date(day(nAct).getTime() + 2 * H)), place: '社区', content: '陪伴老人' });
  assert.equal(a.status, 201, a.text);
  const r = await recorder.post('/api/v1/records', { activity_id: a.json.id, volunteer_id: vol.id, minutes: 60, quality: 'good',
    late_reason: '纸质签到表补录' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'submitted');
  return r.json;
}

/** The record as the root admin reads it, and whether it left a decision's audit entry. */
async function state(id) {
  const r = await root.get(`/api/v1/records/${id}`);
  assert.equal(r.status, 200, r.text);
  const audit = (await root.get('/api/v1/audit-log?limit=200')).json.items
    .filter((e) => (e.action === 'record.approve' || e.action === 'record.reject') && e.target_id === id);
  return { status: r.json.status, approver_id: r.json.approver_id, reject_reason: r.json.reject_reason,
    chain_seq: r.json.chain_seq, decided_at: r.json.decided_at, audited: audit.length };
}
const untouched = { status: 'submitted', approver_id: null, reject_reason: null, chain_seq: null, decided_at: null, audited: 0 };

let A, SA, B, SB, adminA, recA1, recA2, recB, volA, volB;
before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  A = await org('审批甲街道协会', 'association', rootOrg, '510115001000');
  SA = await org('审批甲社区工作站', 'station', A.id, '510115001001');
  B = await org('审批乙街道协会', 'association', rootOrg, '510115002000');
  SB = await org('审批乙社区工作站', 'station', B.id, '510115002001');
  // recorders of SA may approve their own entries: the admin-only rule is then the only guard
  const o = await root.patch(`/api/v1/organizations/${SA.id}`, { allow_self_approval: true });
  assert.equal(o.json.allow_self_approval, true);
  adminA = await user('adminA', ['admin'], A.id);
  recA1 = await user('recA1', ['recorder'], SA.id);
  recA2 = await user('recA2', ['recorder'], SA.id);
  recB = await user('recB', ['recorder'], SB.id);
  volA = await volunteer(SA.id, '510115001001');
  volB = await volunteer(SB.id, '510115002001');
});
after(async () => { await srv?.stop(); });

test('a sibling subtree may not approve, reject, read or list a record, and the record stays submitted', async () => {
  const rb = await record(recB, SB.id, volB);
  const head = (await root.get('/api/v1/records/chain')).json;
  for (const c of [adminA, recA1]) {
    let r = await c.post(`/api/v1/records/${rb.id}/approve`);
    assert.ok(r.status === 403 || r.status === 404, `approve: ${r.status} ${r.text}`);
    assert.deepEqual(await state(rb.id), untouched, 'an out-of-scope approval changed the record');
    r = await c.post(`/api/v1/records/${rb.id}/reject`, { reason: '不在本辖区' });
    assert.ok(r.status === 403 || r.status === 404, `reject: ${r.status} ${r.text}`);
    assert.deepEqual(await state(rb.id), untouched, 'an out-of-scope rejection changed the record');
    r = await c.get(`/api/v1/records/${rb.id}`);
    assert.ok(r.status === 403 || r.status === 404, `read: ${r.status}`);
    assert.equal(r.json.id, undefined, 'a refused read shows nothing of the record');
    r = await c.get('/api/v1/records?limit=200');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items.filter((x) => x.id === rb.id), [], 'listed out of scope');
    r = await c.get(`/api/v1/records?volunteer_id=${volB.id}`);
    assert.ok(r.status === 200 ? r.json.items.length === 0 : r.status === 403 || r.status === 404, r.text);
  }
  assert.deepEqual((await root.get('/api/v1/records/chain')).json, head, 'the chain moved');
  // the same record can still be decided by its own subtree's admin (the root here)
  const ok = await root.post(`/api/v1/records/${rb.id}/approve`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await state(rb.id)).status, 'approved');
});

test('a recorder who is not an admin may not approve or reject another recorder\'s record', async () => {
  const r1 = await record(recA1, SA.id, volA);
  let r = await recA2.post(`/api/v1/records/${r1.id}/approve`);
  assert.equal(r.status, 403, r.text);
  assert.deepEqual(await state(r1.id), untouched, 'a non-admin approved another recorder\'s record');
  r = await recA2.post(`/api/v1/records/${r1.id}/reject`, { reason: '不是我录的' });
  assert.equal(r.status, 403, r.text);
  assert.deepEqual(await state(r1.id), untouched, 'a non-admin rejected another recorder\'s record');
  // the queue tells recA2 beforehand, with the same rule
  const listed = (await recA2.get('/api/v1/records?status=submitted&limit=200')).json.items.find((x) => x.id === r1.id);
  assert.deepEqual([listed.can_approve, listed.approve_block], [false, 'admin_required']);
  // the paths that are open: a recorder's own entry where allowed, and the subtree's admin
  const own = (await recA1.get('/api/v1/records?status=submitted&limit=200')).json.items.find((x) => x.id === r1.id);
  assert.deepEqual([own.can_approve, own.approve_block], [true, null]);
  r = await adminA.post(`/api/v1/records/${r1.id}/approve`);
  assert.equal(r.status, 200, r.text);
  const after = await state(r1.id);
  assert.deepEqual([after.status, after.approver_id, after.audited], ['approved', adminA.id, 1]);
  assert.equal(typeof after.chain_seq, 'number');
  const r2 = await record(recA2, SA.id, volA);
  r = await recA2.post(`/api/v1/records/${r2.id}/reject`, { reason: '重复录入' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual((await state(r2.id)).status, 'rejected');
});

test('racing decisions on one record: exactly one wins, one chain link, points earned once', async () => {
  // the check before the transaction passes for every racer; only the
  // update's own "still submitted" condition keeps the second one out
  for (let round = 0; round < 3; round++) {
    const rec = await record(recA1, SA.id, volA);
    const points = async () => (await root.get(`/api/v1/volunteers/${volA.id}/points`)).json.balance;
    const before = await points();
    const head = (await root.get('/api/v1/records/chain')).json.seq;
    const racers = [];
    for (let i = 0; i < 12; i++) {
      const who = i % 2 ? root : adminA;
      racers.push(i % 3 === 2 ? who.post(`/api/v1/records/${rec.id}/reject`, { reason: '重复' })
        : who.post(`/api/v1/records/${rec.id}/approve`));
    }
    const answers = await Promise.all(racers);
    const won = answers.filter((r) => r.status === 200);
    assert.equal(won.length, 1, answers.map((r) => r.status).join(' '));
    assert.ok(answers.every((r) => r.status === 200 || (r.status === 409 && r.json.error.code === 'already_decided')),
      answers.map((r) => r.text).join('\n'));
    const after = await state(rec.id);
    assert.equal(after.status, won[0].json.status);
    assert.equal(after.audited, 1, 'one decision audited');
    const approved = after.status === 'approved';
    assert.equal((await root.get('/api/v1/records/chain')).json.seq, head + (approved ? 1 : 0), 'one chain link at most');
    assert.equal(await points(), before + (approved ? 1 : 0), 'one hour earns one point, once');
  }
});
