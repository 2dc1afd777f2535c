// Routes no other suite reached (issue 11 §3 "untested surface"): the
// training list and reading, a round with its nominations, rejecting a
// nomination, starting a project, and reading a certificate and its PDF
// as staff, as the volunteer and as a sibling subtree. Each test makes its
// own data; dates are fixed days in the past, so the hour of the run does
// not matter. tests/api/coverage.test.mjs fails when a route has no test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';
import { staffUser } from '../lib/fixtures.mjs';

let srv, root, rec, adminA, outsider, SA, SB;
const consent = { sensitive: true, notice_version: '2026-11' };
const refused = (r) => r.status === 403 || r.status === 404;
let seq = 601, nAct = 0;

const user = (username, roles, orgId) => staffUser(root, username, roles, orgId);

/** A volunteer of SA with a login of their own. */
async function volunteer(name) {
  seq += 2;
  const phone = '138' + String(20000000 + seq);
  const r = await new Client(srv.url).post('/api/v1/public/volunteers', { name, id_type: 'resident_id',
    id_number: residentId('510115', '19790505', seq), phone, region_code: '510115001001', org_id: SA.id,
    password: 'Vol-pass-2026x', consent });
  assert.equal(r.status, 201, r.text);
  const c = new Client(srv.url);
  await c.login(phone, 'Vol-pass-2026x');
  return { ...r.json.volunteer, client: c };
}

/** An approved record of minutes for vol on 2026-10-(1+nAct), 09:00 China time. */
async function approved(vol, minutes) {
  nAct++;
  const start = Date.UTC(2026, 9, 1 + nAct, 1, 0, 0);
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const a = await rec.post('/api/v1/activities', { name: '面活动' + nAct, org_id: SA.id, starts_at: iso(start),
    ends_at: iso(start + 3 * 3600 * 1000), place: '社区', content: '服务' });
  assert.equal(a.status, 201, a.text);
  const r = await rec.post('/api/v1/records', { activity_id: a.json.id, volunteer_id: vol.id, minutes, quality: 'good', late_reason: '补录' });
  assert.equal(r.status, 201, r.text);
  assert.equal((await root.post(`/api/v1/records/${r.json.id}/approve`)).status, 200);
}

before(async () => {
  srv = await startServer({ args: ['--public-url', 'https://zhiyuan.example.cn'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const mk = async (name, kind, parent, region) => {
    const r = await root.post('/api/v1/organizations', { name, kind, parent_id: parent, region_code: region });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const A = await mk('面甲街道协会', 'association', rootOrg, '510115001000');
  SA = await mk('面甲社区工作站', 'station', A.id, '510115001001');
  const B = await mk('面乙街道协会', 'association', rootOrg, '510115002000');
  SB = await mk('面乙社区工作站', 'station', B.id, '510115002001');
  rec = await user('srec', ['recorder'], SA.id);
  adminA = await user('sadminA', ['admin'], A.id);
  outsider = await user('sadminB', ['admin'], B.id);
});
after(async () => { await srv?.stop(); });

test('GET /trainings and /trainings/{id}: in scope only, paged, with the attendee count', async () => {
  const made = [];
  for (const [name, minutes, day] of [['消防培训', 90, '2026-09-01'], ['急救培训', 120, '2026-09-02'], ['助老培训', 60, '2026-09-03']]) {
    const r = await rec.post('/api/v1/trainings', { name, content: name + '内容', org_id: SA.id, study_minutes: minutes, held_on: day });
    assert.equal(r.status, 201, r.text);
    made.push(r.json);
  }
  const theirs = await outsider.post('/api/v1/trainings', { name: '乙培训', org_id: SB.id, study_minutes: 30, held_on: '2026-09-04' });
  assert.equal(theirs.status, 201, theirs.text);
  const v = await volunteer('培训面');
  assert.equal((await rec.post(`/api/v1/trainings/${made[1].id}/attendees`, { volunteer_ids: [v.id] })).status, 200);

  let r = await rec.get(`/api/v1/trainings/${made[1].id}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.id, r.json.org_id, r.json.name, r.json.content, r.json.study_minutes, r.json.held_on, r.json.attendees],
    [made[1].id, SA.id, '急救培训', '急救培训内容', 120, '2026-09-02', 1]);
  // newest first, two to a page, then the rest
  r = await rec.get('/api/v1/trainings?limit=2');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((t) => t.id), [made[2].id, made[1].id]);
  assert.equal(typeof r.json.next_cursor, 'string');
  r = await rec.get(`/api/v1/trainings?limit=2&cursor=${encodeURIComponent(r.json.next_cursor)}`);
  assert.deepEqual(r.json.items.map((t) => t.id), [made[0].id], 'the sibling subtree\'s training is not listed');
  assert.equal(r.json.next_cursor, null);
  // the root sees all four
  assert.deepEqual((await root.get('/api/v1/trainings')).json.items.map((t) => t.id), [theirs.json.id, made[2].id, made[1].id, made[0].id]);
  // out of scope, missing, bad paging, no credentials, a volunteer
  assert.ok(refused(await outsider.get(`/api/v1/trainings/${made[0].id}`)));
  assert.deepEqual((await outsider.get('/api/v1/trainings')).json.items.map((t) => t.id), [theirs.json.id]);
  r = await rec.get('/api/v1/trainings/999999');
  assert.deepEqual([r.status, r.json.error.code], [404, 'not_found']);
  r = await rec.get('/api/v1/trainings?limit=0');
  assert.deepEqual([r.status, r.json.error.field], [400, 'limit']);
  r = await rec.get('/api/v1/trainings?cursor=zz!');
  assert.deepEqual([r.status, r.json.error.field], [400, 'cursor']);
  assert.equal((await new Client(srv.url).get('/api/v1/trainings')).status, 401);
  assert.equal((await v.client.get('/api/v1/trainings')).status, 403);
  assert.ok(refused(await v.client.get(`/api/v1/trainings/${made[1].id}`)));
});

test('GET /award-rounds/{id} and POST /nominations/{id}/reject: only the round\'s admins decide, once', async () => {
  const v = await volunteer('表彰面');
  await approved(v, 120);
  const types = (await root.get('/api/v1/award-types')).json.items;
  const star = types.find((t) => t.target === 'volunteer');
  let r = await adminA.post('/api/v1/award-rounds', { name: '2026年十月表彰', org_id: SA.id, period_from: '2026-10-01', period_to: '2026-10-31' });
  assert.equal(r.status, 201, r.text);
  const round = r.json;
  r = await rec.post(`/api/v1/award-rounds/${round.id}/nominations`, { type_id: star.id, volunteer_id: v.id, reason: '服务认真' });
  assert.equal(r.status, 201, r.text);
  const nom = r.json.nominations[0];

  r = await rec.get(`/api/v1/award-rounds/${round.id}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.id, r.json.name, r.json.org_id, r.json.period_from, r.json.period_to],
    [round.id, '2026年十月表彰', SA.id, '2026-10-01', '2026-10-31']);
  assert.deepEqual(r.json.nominations.map((n) => [n.id, n.volunteer_id, n.reason, n.status]), [[nom.id, v.id, '服务认真', 'nominated']]);
  assert.ok(refused(await outsider.get(`/api/v1/award-rounds/${round.id}`)));
  r = await root.get('/api/v1/award-rounds/999999');
  assert.deepEqual([r.status, r.json.error.code], [404, 'not_found']);
  assert.equal((await new Client(srv.url).get(`/api/v1/award-rounds/${round.id}`)).status, 401);

  const stateOf = async () => (await root.get(`/api/v1/award-rounds/${round.id}`)).json.nominations[0].status;
  // a recorder and a sibling subtree's admin may not reject; nothing changes
  for (const c of [rec, outsider]) {
    r = await c.post(`/api/v1/nominations/${nom.id}/reject`);
    assert.ok(refused(r), r.text);
    assert.equal(await stateOf(), 'nominated');
  }
  r = await adminA.post('/api/v1/nominations/999999/reject');
  assert.deepEqual([r.status, r.json.error.code], [404, 'not_found']);
  r = await adminA.post(`/api/v1/nominations/${nom.id}/reject`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.nominations[0].status, 'rejected');
  assert.equal(await stateOf(), 'rejected');
  r = await adminA.post(`/api/v1/nominations/${nom.id}/reject`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'already_decided']);
  r = await adminA.post(`/api/v1/nominations/${nom.id}/approve`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'already_decided'], 'a rejected nomination is not approved later');
  const audit = (await root.get('/api/v1/audit-log?action=award.reject')).json.items;
  assert.deepEqual(audit.map((e) => e.target_id), [nom.id]);
  const arc = (await root.get(`/api/v1/volunteers/${v.id}/archive`)).json;
  assert.deepEqual(arc.awards, [], 'a rejected nomination grants nothing');
});

test('POST /projects/{id}/start: published → in_progress once, not from a draft, not by a sibling subtree', async () => {
  const r0 = await rec.post('/api/v1/projects', { title: '开工测试项目', org_id: SA.id, domain: 'social_assistance', category: '助老' });
  assert.equal(r0.status, 201, r0.text);
  const p = r0.json;
  const status = async () => (await root.get(`/api/v1/projects/${p.id}`)).json.status;
  let r = await rec.post(`/api/v1/projects/${p.id}/start`);
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [409, 'invalid_transition', 'status']);
  assert.equal(await status(), 'draft');
  assert.equal((await rec.post(`/api/v1/projects/${p.id}/publish`)).status, 200);
  r = await outsider.post(`/api/v1/projects/${p.id}/start`);
  assert.ok(refused(r), r.text);
  assert.equal(await status(), 'published');
  assert.equal((await new Client(srv.url).post(`/api/v1/projects/${p.id}/start`)).status, 401);
  assert.equal(await status(), 'published');
  r = await rec.post('/api/v1/projects/999999/start');
  assert.deepEqual([r.status, r.json.error.code], [404, 'not_found']);
  r = await rec.post(`/api/v1/projects/${p.id}/start`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'in_progress');
  assert.equal(await status(), 'in_progress');
  r = await rec.post(`/api/v1/projects/${p.id}/start`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'invalid_transition']);
  const audit = (await root.get('/api/v1/audit-log?action=project.status')).json.items.filter((e) => e.target_id === p.id);
  assert.equal(audit.length, 2, 'publish and start, nothing for the refusals');
});

test('GET /certificates/{serial} and its PDF: staff of the scope and the volunteer, nobody else', async () => {
  const v = await volunteer('证明面');
  await approved(v, 150);
  await approved(v, 90);
  let r = await rec.post('/api/v1/certificates', { volunteer_id: v.id, from: '2026-10-01', to: '2026-10-31' });
  assert.equal(r.status, 201, r.text);
  const serial = r.json.serial;
  for (const c of [rec, root, v.client]) {
    r = await c.get(`/api/v1/certificates/${serial}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.serial, r.json.volunteer_id, r.json.volunteer_number, r.json.minutes, r.json.status],
      [serial, v.id, v.volunteer_number, 240, 'valid']);
  }
  r = await outsider.get(`/api/v1/certificates/${serial}`);
  assert.ok(refused(r), r.text);
  assert.equal(r.json.serial, undefined);
  const other = await volunteer('旁人');
  assert.ok(refused(await other.client.get(`/api/v1/certificates/${serial}`)), 'another volunteer');
  r = await root.get('/api/v1/certificates/ZY-510115-2026-999999');
  assert.deepEqual([r.status, r.json.error.code], [404, 'not_found']);
  r = await root.get('/api/v1/certificates/' + 'Z'.repeat(41));
  assert.deepEqual([r.status, r.json.error.code], [404, 'not_found']);

  // the PDF: the same people, with the facts in its text
  for (const c of [rec, v.client]) {
    const pdf = await fetch(`${srv.url}/api/v1/certificates/${serial}.pdf`, { headers: { Cookie: c.cookie } });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    const out = spawnSync('pdftotext', ['-layout', '-', '-'], { input: bytes, encoding: 'utf8' });
    assert.equal(out.status, 0, `pdftotext (poppler-utils, scripts/deps.sh) is needed: ${out.error || out.stderr}`);
    for (const want of [serial, v.volunteer_number, '4', '志愿服务记录证明']) assert.ok(out.stdout.includes(want), want);
  }
  assert.ok(refused(await outsider.get(`/api/v1/certificates/${serial}.pdf`)));
  assert.equal((await new Client(srv.url).get(`/api/v1/certificates/${serial}.pdf`)).status, 401);
  r = await root.get('/api/v1/certificates/ZY-510115-2026-999999.pdf');
  assert.equal(r.status, 404);
});
