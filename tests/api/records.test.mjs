// Activities and service records: the entry rules, idempotent retries,
// who may approve, racing approvals, and the hash chain that `zhiyuan
// verify` checks (a row edited in the database is caught).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

let srv, root, rootOrg, st, rec, vols = [];
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');
const H = 3600 * 1000, D = 24 * H;
let n = 0;
const activity = async (startAgo, hours, extra = {}) => {
  n++;
  const r = await rec.post('/api/v1/activities', { name: `活动${n}`, org_id: st.id, starts_at: iso(startAgo), ends_at: iso(startAgo - hours * H), place: '光华社区', content: '陪伴老人', ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
};

before(async () => {
  // certificates are refused without a public address (public_url_required)
  srv = await startServer({ args: ['--public-url', 'https://zhiyuan.example.cn'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const a = (await root.post('/api/v1/organizations', { name: '柳城街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115001000' })).json;
  st = (await root.post('/api/v1/organizations', { name: '光华社区工作站', kind: 'station', parent_id: a.id, region_code: '510115001001' })).json;
  await root.post('/api/v1/users', { username: 'rec1', password: 'recorder-key-1', roles: ['recorder'], org_id: st.id });
  rec = new Client(srv.url);
  await rec.login('rec1', 'recorder-key-1');
  for (let i = 0; i < 4; i++) {
    const v = await root.post('/api/v1/volunteers', { name: '记录' + i, id_type: 'resident_id', id_number: residentId('510115', '19870707', 11 + i * 2),
      phone: '1350000000' + i, region_code: '510115001001', org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' } });
    assert.equal(v.status, 201, v.text);
    vols.push(v.json);
  }
});
after(async () => { await srv?.stop(); });

test('activities: created in scope with checked times', async () => {
  const a = await activity(3 * D, 3);
  assert.equal(a.org_id, st.id);
  const bad = [
    [{ starts_at: '2026-11-01T09:00:00' }, 'starts_at', 'invalid_time'],
    [{ ends_at: iso(4 * D) }, 'ends_at', 'ends_before_start'],
    [{ ends_at: iso(-10 * D) }, 'ends_at', 'activity_too_long'],
    [{ place: undefined }, 'place', 'required'],
    [{ content: undefined }, 'content', 'required'],
    [{ name: 'n'.repeat(101) }, 'name', 'too_long'],
    [{ org_id: 424242 }, 'org_id', 'org_not_found'],
  ];
  for (const [over, field, code] of bad) {
    const r = await rec.post('/api/v1/activities', { name: 'x', org_id: st.id, starts_at: iso(3 * D), ends_at: iso(3 * D - H), place: 'p', content: 'c', ...over });
    assert.deepEqual([r.status, r.json.error.field, r.json.error.code], [422, field, code], JSON.stringify(over));
  }
  assert.equal((await rec.post('/api/v1/activities', { name: 'x', org_id: rootOrg, starts_at: iso(3 * D), ends_at: iso(3 * D - H), place: 'p', content: 'c' })).status, 403);
  assert.equal((await rec.get(`/api/v1/activities/${a.id}`)).json.name, a.name);
  assert.ok((await rec.get('/api/v1/activities')).json.items.some((x) => x.id === a.id));
});

test('records: rules refuse with a field error and write nothing; minutes are rounded', async () => {
  const a = await activity(2 * D, 4);
  const body = { activity_id: a.id, volunteer_id: vols[0].id, minutes: 100, beneficiary: '独居老人', beneficiary_count: 3, quality: 'excellent' };
  let r = await rec.post('/api/v1/records', body, { 'Idempotency-Key': 'k-1' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.minutes, 90);
  assert.equal(r.json.status, 'submitted');
  assert.equal(r.json.place, '光华社区');
  const again = await rec.post('/api/v1/records', body, { 'Idempotency-Key': 'k-1' });
  assert.equal(again.json.id, r.json.id, 'a retry returns the first record');
  r = await rec.post('/api/v1/records', body, { 'Idempotency-Key': 'k-2' });
  assert.deepEqual([r.status, r.json.error.code], [409, 'record_exists']);
  const other = await activity(2 * D - H, 2);   // overlaps the first activity in time
  r = await rec.post('/api/v1/records', { ...body, activity_id: other.id });
  assert.deepEqual([r.status, r.json.error.code], [422, 'overlapping_record']);
  const future = await rec.post('/api/v1/activities', { name: '明天', org_id: st.id, starts_at: iso(-D), ends_at: iso(-D - H), place: 'p', content: '明天的活动' });
  const long = await activity(10 * D, 14);
  const cases = [
    [{ minutes: 0 }, 'minutes', 'invalid_minutes'],
    [{ minutes: 10 }, 'minutes', 'too_short'],
    [{ minutes: 300 }, 'minutes', 'longer_than_activity'],
    [{ minutes: '60' }, 'minutes', 'wrong_type'],
    [{ quality: 'superb' }, 'quality', 'invalid_quality'],
    [{ source: 'self_declared' }, 'evidence', 'evidence_required'],
    [{ activity_id: 999999 }, 'activity_id', 'activity_not_found'],
    [{ activity_id: future.json.id }, 'activity_id', 'activity_not_over'],
    [{ volunteer_id: 999999, activity_id: long.id }, 'volunteer_id', 'volunteer_not_found'],
    [{ activity_id: long.id, minutes: 13 * 60 }, 'minutes', 'daily_limit'],
    [{ starts_at: iso(3 * D) }, 'starts_at', 'outside_activity'],
    [{ beneficiary_count: -1 }, 'beneficiary_count', 'invalid_value'],
  ];
  const count = (await rec.get('/api/v1/records?limit=200')).json.items.length;
  for (const [over, field, code] of cases) {
    const x = await rec.post('/api/v1/records', { ...body, volunteer_id: vols[1].id, ...over });
    assert.ok(x.status === 422 || x.status === 400, JSON.stringify(over) + x.text);
    assert.deepEqual([x.json.error.field, x.json.error.code], [field, code], JSON.stringify(over));
  }
  assert.equal((await rec.get('/api/v1/records?limit=200')).json.items.length, count);
});

test('records: entry after 10 working days needs a reason and is flagged', async () => {
  const old = await activity(40 * D, 2);
  const body = { activity_id: old.id, volunteer_id: vols[2].id, minutes: 60, quality: 'good' };
  let r = await rec.post('/api/v1/records', body);
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'late_reason_required', 'late_reason']);
  r = await rec.post('/api/v1/records', { ...body, late_reason: '纸质签到表补录' });
  assert.equal(r.status, 201);
  assert.equal(r.json.late, true);
});

test('approval: not by the recorder, once only, racing approvals have one winner, and the chain holds', async () => {
  const a = await activity(5 * D, 3);
  const made = [];
  for (const v of vols) {
    const r = await rec.post('/api/v1/records', { activity_id: a.id, volunteer_id: v.id, minutes: 120, quality: 'pass' });
    assert.equal(r.status, 201, r.text);
    made.push(r.json);
  }
  let r = await rec.post(`/api/v1/records/${made[0].id}/approve`);
  assert.deepEqual([r.status, r.json.error.code], [403, 'own_record']);
  r = await root.post(`/api/v1/records/${made[0].id}/approve`);
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'approved');
  assert.match(r.json.chain_hash, /^[0-9a-f]{64}$/);
  r = await root.post(`/api/v1/records/${made[0].id}/approve`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'already_decided']);
  const race = await Promise.all([1, 2, 3].map(() => root.post(`/api/v1/records/${made[1].id}/approve`)));
  assert.deepEqual(race.map((x) => x.status).sort(), [200, 409, 409]);
  r = await root.post(`/api/v1/records/${made[2].id}/reject`, {});
  assert.deepEqual([r.status, r.json.error.field], [422, 'reason']);
  r = await root.post(`/api/v1/records/${made[2].id}/reject`, { reason: '签到表无此人' });
  assert.equal(r.json.status, 'rejected');
  assert.equal(r.json.chain_seq, null, 'rejections do not join the chain');
  const head = (await root.get('/api/v1/records/chain')).json;
  assert.equal(head.seq, 2);
  assert.equal(head.hash, (await root.get(`/api/v1/records/${made[1].id}`)).json.chain_hash);
  const approved = await root.get('/api/v1/records?status=approved');
  assert.equal(approved.json.items.length, 2);
  assert.equal((await root.get('/api/v1/records?status=nope')).status, 400);
  assert.equal((await root.get('/api/v1/records/999999')).status, 404);
});

test('zhiyuan verify walks the chain and names the first broken link', async () => {
  // a server of its own with exactly two approved records, so the count
  // does not depend on the tests before, and the broken chain stays here
  const own = await startServer();
  try {
    const adm = new Client(own.url);
    await adm.login('admin', own.adminPassword);
    const top = (await adm.get('/api/v1/me')).json.org_id;
    const a = (await adm.post('/api/v1/organizations', { name: '链协会', kind: 'association', parent_id: top, region_code: '510115001000' })).json;
    const s = (await adm.post('/api/v1/organizations', { name: '链工作站', kind: 'station', parent_id: a.id, region_code: '510115001001' })).json;
    assert.equal((await adm.post('/api/v1/users', { username: 'chainrec', password: 'Chain-rec-2026x', roles: ['recorder'], org_id: s.id })).status, 201);
    const r1 = new Client(own.url);
    await r1.login('chainrec', 'Chain-rec-2026x');
    const v = (await adm.post('/api/v1/volunteers', { name: '链上人', id_type: 'resident_id', id_number: residentId('510115', '19860606', 433),
      phone: '13500009999', region_code: '510115001001', org_id: s.id, consent: { sensitive: true, notice_version: '2026-11' } })).json;
    const ids = [];
    for (const day of [3, 4]) {
      const start = Date.UTC(2026, 9, day, 1, 0, 0);
      const act = (await r1.post('/api/v1/activities', { name: '链活动' + day, org_id: s.id, starts_at: new Date(start).toISOString().replace(/\.\d+Z$/, 'Z'),
        ends_at: new Date(start + 2 * H).toISOString().replace(/\.\d+Z$/, 'Z'), place: '社区', content: '服务' })).json;
      const rec1 = await r1.post('/api/v1/records', { activity_id: act.id, volunteer_id: v.id, minutes: 60, quality: 'good', late_reason: '补录' });
      assert.equal(rec1.status, 201, rec1.text);
      assert.equal((await adm.post(`/api/v1/records/${rec1.json.id}/approve`)).status, 200);
      ids.push(rec1.json.id);
    }
    const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
    const args = ['verify', '--db', own.db, '--key-file', join(own.dir, 'zhiyuan.key'), '--log-level', 'error'];
    const out = execFileSync(bin, args, { encoding: 'utf8' });
    assert.equal(out, 'chain intact: 2 links\n');
    const edit = `UPDATE service_records SET minutes = 600 WHERE id = ${ids[1]}`;
    if (own.backend === 'sqlite') execFileSync('sqlite3', [own.db.replace(/^sqlite:/, ''), edit]);
    else execFileSync('psql', [own.db, '-qc', edit]);
    const res = spawnSync(bin, args, { encoding: 'utf8' });
    assert.equal(res.status, 1);
    assert.equal(res.stdout, `BROKEN after 1 good links: link 2 (record ${ids[1]}): the record was changed after approval\n`);
  } finally {
    await own.stop();
  }
});

test('batch entry: the sign-in sheet in one request, all or nothing, retried safely', async () => {
  const a = await activity(7 * D, 4);
  const entries = vols.map((v, i) => ({ volunteer_id: v.id, minutes: 60 + i * 30, quality: 'good', beneficiary: '社区居民' }));
  let r = await rec.post('/api/v1/records/batch', { activity_id: a.id, entries: [...entries.slice(0, 2), { ...entries[2], minutes: 999 }] });
  assert.deepEqual([r.status, r.json.error.field, r.json.error.code], [422, 'entries[2].minutes', 'longer_than_activity']);
  r = await rec.post('/api/v1/records/batch', { activity_id: a.id, entries: [entries[0], entries[0]] });
  assert.deepEqual([r.status, r.json.error.field], [422, 'entries[1].volunteer_id']);
  assert.equal((await rec.get(`/api/v1/records?activity_id=${a.id}`)).json.items.length, 0, 'nothing written');
  for (const [body, status] of [[{ activity_id: a.id }, 422], [{ activity_id: a.id, entries: [] }, 422], [{ activity_id: a.id, entries: {} }, 400], [{ activity_id: a.id, entries: [1] }, 400]]) {
    assert.equal((await rec.post('/api/v1/records/batch', body)).status, status, JSON.stringify(body));
  }
  r = await rec.post('/api/v1/records/batch', { activity_id: a.id, entries }, { 'Idempotency-Key': 'sheet-7' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.items.length, 4);
  const again = await rec.post('/api/v1/records/batch', { activity_id: a.id, entries }, { 'Idempotency-Key': 'sheet-7' });
  assert.deepEqual(again.json.items.map((x) => x.id), r.json.items.map((x) => x.id));
  assert.equal((await rec.get(`/api/v1/records?activity_id=${a.id}`)).json.items.length, 4);
});

test('amendments, training and the archive', async () => {
  const v = vols[3];
  const a = await activity(9 * D, 3, { service_category: '扶老助残' });
  let r = await rec.post('/api/v1/records', { activity_id: a.id, volunteer_id: v.id, minutes: 150, quality: 'excellent' });
  const original = r.json;
  r = await rec.post(`/api/v1/records/${original.id}/amendments`, { minutes: 60, reason: '时长登记有误' });
  assert.deepEqual([r.status, r.json.error.code], [409, 'not_approved']);
  assert.equal((await root.post(`/api/v1/records/${original.id}/approve`)).status, 200);
  r = await rec.post(`/api/v1/records/${original.id}/amendments`, { minutes: 60 });
  assert.deepEqual([r.status, r.json.error.field], [422, 'reason']);
  r = await rec.post(`/api/v1/records/${original.id}/amendments`, { minutes: 60, reason: '时长登记有误' });
  assert.equal(r.status, 201);
  assert.equal(r.json.amendment_reason, '时长登记有误');
  assert.equal(r.json.amends_id, original.id);
  assert.equal((await rec.post(`/api/v1/records/${original.id}/amendments`, { minutes: 30, reason: 'again' })).status, 409);
  assert.equal((await rec.post(`/api/v1/records/${r.json.id}/amendments`, { minutes: 30, reason: 'x' })).status, 422);
  const before = (await root.get(`/api/v1/volunteers/${v.id}/archive`)).json;
  assert.equal((await root.post(`/api/v1/records/${r.json.id}/approve`)).status, 200);
  const t = await rec.post('/api/v1/trainings', { name: '急救培训', content: '心肺复苏', org_id: st.id, study_minutes: 120, held_on: '2026-10-10' });
  assert.equal(t.status, 201, t.text);
  assert.equal((await rec.post(`/api/v1/trainings/${t.json.id}/attendees`, { volunteer_ids: [v.id, v.id] })).json.attendees, 1);
  assert.equal((await rec.post(`/api/v1/trainings/${t.json.id}/attendees`, { volunteer_ids: [999999] })).status, 422);
  assert.equal((await rec.post('/api/v1/trainings', { name: 'x', org_id: st.id, study_minutes: 0, held_on: '2026-10-10' })).status, 422);
  assert.equal((await rec.post('/api/v1/trainings', { name: 'x', org_id: st.id, study_minutes: 60, held_on: '2999-10-10' })).status, 422);
  const arc = (await root.get(`/api/v1/volunteers/${v.id}/archive`)).json;
  const entry = arc.records.find((x) => x.id === original.id);
  assert.equal(entry.amendments.length, 1);
  assert.equal(entry.effective_minutes, 60, 'the approved correction counts');
  assert.equal(arc.approved_minutes, before.approved_minutes - 150 + 60);
  assert.ok(arc.by_service_category.some((x) => x.service_category === '扶老助残' && x.minutes === 60));
  assert.ok(arc.by_org.some((x) => x.org_id === st.id));
  assert.equal(arc.training[0].name, '急救培训');
  // another record is corrected twice: the second correction voids it
  // after a complaint, so it counts 0
  const b = await activity(9 * D + 4 * H, 2, { service_category: '扶老助残' });
  const second = (await rec.post('/api/v1/records', { activity_id: b.id, volunteer_id: v.id, minutes: 120, quality: 'good' })).json;
  assert.equal((await root.post(`/api/v1/records/${second.id}/approve`)).status, 200);
  for (const [minutes, reason] of [[90, '时长登记有误'], [0, '投诉核实后作废']]) {
    r = await rec.post(`/api/v1/records/${second.id}/amendments`, { minutes, reason });
    assert.equal(r.status, 201, r.text);
    assert.equal((await root.post(`/api/v1/records/${r.json.id}/approve`)).status, 200);
  }
  const voided = (await root.get(`/api/v1/volunteers/${v.id}/archive`)).json;
  assert.equal(voided.records.find((x) => x.id === second.id).effective_minutes, 0);
  assert.deepEqual(voided.records.find((x) => x.id === second.id).amendments.map((x) => x.minutes), [90, 0]);
  assert.equal(voided.approved_minutes, arc.approved_minutes);
  await checkTotals(v.id);
  assert.ok(arc.volunteer.id_number_masked.includes('*'));
  const csv = await root.get(`/api/v1/volunteers/${v.id}/archive.csv`);
  assert.equal(csv.status, 200);
  // the rows of both corrected records, exactly: registered and effective
  // minutes, status, and the record a correction amends
  const rows = csv.text.trim().split('\r\n').map((l) => l.split(','));
  assert.deepEqual(rows[0], ['记录编号', '活动', '开始时间', '结束时间', '登记时长(分钟)', '有效时长(分钟)', '状态', '服务质量',
    '服务对象', '地点', '内容', '更正的记录']);
  const cells = (x) => [x[4], x[5], x[6], x[11]];
  const row = (id) => cells(rows.find((x) => x[0] === String(id)));
  const amending = (id) => rows.filter((x) => x[11] === String(id)).map(cells);
  assert.deepEqual(row(original.id), ['150', '60', '已通过', '']);
  assert.deepEqual(amending(original.id), [['60', '0', '已通过', String(original.id)]]);
  assert.deepEqual(row(second.id), ['120', '0', '已通过', '']);
  assert.deepEqual(amending(second.id), [['90', '0', '已通过', String(second.id)], ['0', '0', '已通过', String(second.id)]]);
  assert.equal((await new Client(srv.url).get(`/api/v1/volunteers/${v.id}/archive`)).status, 401);
  assert.equal((await root.get('/api/v1/volunteers/999999/archive')).status, 404);
});

test('an organisation may allow recorders to approve their own entries', async () => {
  const a = await activity(11 * D, 2);
  const r = await rec.post('/api/v1/records', { activity_id: a.id, volunteer_id: vols[0].id, minutes: 60, quality: 'good' });
  assert.equal((await rec.post(`/api/v1/records/${r.json.id}/approve`)).status, 403);
  const o = await root.patch(`/api/v1/organizations/${st.id}`, { allow_self_approval: true });
  assert.equal(o.json.allow_self_approval, true);
  assert.equal((await rec.post(`/api/v1/records/${r.json.id}/approve`)).status, 200);
  await root.patch(`/api/v1/organizations/${st.id}`, { allow_self_approval: false });
});

test('certificates: issued from approved hours, PDF with the facts, public check, revocation', async () => {
  const v = vols[3];
  let r = await root.post('/api/v1/certificates', { volunteer_id: v.id, from: '2020-01-01', to: iso(0).slice(0, 10) });
  assert.equal(r.status, 201, r.text);
  const cert = r.json;
  assert.match(cert.serial, /^ZY-510115-\d{4}-\d{6}$/);
  assert.equal(cert.volunteer_number, v.volunteer_number);
  const arc = (await root.get(`/api/v1/volunteers/${v.id}/archive`)).json;
  assert.equal(cert.minutes, arc.approved_minutes);
  const pdf = await fetch(`${srv.url}${cert.pdf_url}`, { headers: { Cookie: root.cookie } });
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const bytes = Buffer.from(await pdf.arrayBuffer());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  // pdftotext (poppler-utils) is required: scripts/deps.sh test installs it
  const pt = spawnSync('pdftotext', ['-layout', '-', '-'], { input: bytes, encoding: 'utf8' });
  assert.equal(pt.status, 0, `pdftotext (poppler-utils) is needed: ${pt.error || pt.stderr}`);
  const text = pt.stdout;
  for (const want of [cert.serial, v.volunteer_number, cert.hours, '志愿服务记录证明']) assert.ok(text.includes(want), want);
  // the QR code's address, printed beneath it, is the configured public one
  assert.ok(text.replace(/\s+/g, '').includes(`https://zhiyuan.example.cn/verify/${cert.serial}?code=${cert.verify_code}`), 'public URL in the PDF');
  const anon = new Client(srv.url);
  r = await anon.get(`/api/v1/public/certificates/${cert.serial}?code=${cert.verify_code}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'valid');
  assert.equal(r.json.hours, cert.hours);
  assert.match(r.json.volunteer_name_masked, /\*/);
  assert.equal((await anon.get(`/api/v1/public/certificates/${cert.serial}?code=WRONG`)).status, 404);
  assert.equal((await anon.get(`/api/v1/public/certificates/ZY-000000-2026-000000?code=${cert.verify_code}`)).status, 404);
  assert.equal((await anon.get(`/api/v1/certificates/${cert.serial}`)).status, 401);
  assert.equal((await rec.post(`/api/v1/certificates/${cert.serial}/revoke`, { reason: 'x' })).status, 403, 'recorders do not revoke');
  r = await root.post(`/api/v1/certificates/${cert.serial}/revoke`, {});
  assert.deepEqual([r.status, r.json.error.field], [422, 'reason']);
  r = await root.post(`/api/v1/certificates/${cert.serial}/revoke`, { reason: '信息有误，重新出具' });
  assert.equal(r.json.status, 'revoked');
  assert.equal((await root.post(`/api/v1/certificates/${cert.serial}/revoke`, { reason: 'again' })).status, 409);
  assert.equal((await anon.get(`/api/v1/public/certificates/${cert.serial}?code=${cert.verify_code}`)).json.status, 'revoked');
  const list = await root.get(`/api/v1/certificates?volunteer_id=${v.id}`);
  assert.equal(list.json.items[0].serial, cert.serial);
  for (const [body, field] of [[{ volunteer_id: v.id, from: '2020-02-30', to: '2021-01-01' }, 'from'],
    [{ volunteer_id: v.id, from: '2021-01-01', to: '2020-01-01' }, 'to'],
    [{ volunteer_id: v.id, from: '2000-01-01', to: '2000-12-31' }, 'from'],
    [{ volunteer_id: 999999, from: '2020-01-01', to: '2021-01-01' }, 'volunteer_id']]) {
    r = await root.post('/api/v1/certificates', body);
    assert.deepEqual([r.status, r.json.error.field], [422, field], JSON.stringify(body));
  }
  const audit = await root.get('/api/v1/audit-log?action=certificate.issue');
  assert.equal(audit.json.items.length, 1, 'the one certificate issued, none of the refusals');
});

test('volunteers declare their own service; transfers need their source; the calendar moves deadlines', async () => {
  // a login for vols[0] through self-registration of someone new
  const anon = new Client(srv.url);
  const id = residentId('510115', '19910909', 777);
  let r = await anon.post('/api/v1/public/volunteers', { name: '自报者', id_type: 'resident_id', id_number: id, phone: '13566667777',
    region_code: '510115001001', org_id: st.id, password: 'self-pass-1', consent: { sensitive: true, notice_version: '2026-11' } });
  assert.equal(r.status, 201, r.text);
  const me = new Client(srv.url);
  await me.login('13566667777', 'self-pass-1');
  const a = await activity(12 * D, 2);
  r = await me.post('/api/v1/records', { activity_id: a.id, volunteer_id: r.json.volunteer.id, minutes: 60, quality: 'good' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'evidence']);
  const mine = (await me.get('/api/v1/me/volunteer')).json.id;
  r = await me.post('/api/v1/records', { activity_id: a.id, volunteer_id: mine, minutes: 60, quality: 'good', evidence: '活动照片与组织者证明' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.source, 'self_declared');
  r = await me.post('/api/v1/records', { activity_id: a.id, volunteer_id: vols[1].id, minutes: 60, quality: 'good', evidence: 'x' });
  assert.equal(r.status, 403, 'not for someone else');
  r = await rec.post('/api/v1/records', { activity_id: a.id, volunteer_id: vols[1].id, minutes: 60, quality: 'good', source: 'transfer_in', evidence: '原系统导出' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'source_org']);
  r = await rec.post('/api/v1/records', { activity_id: a.id, volunteer_id: vols[1].id, minutes: 60, quality: 'good', source: 'transfer_in', evidence: '原系统导出', source_org: '成都市志愿服务平台' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.source_org, '成都市志愿服务平台');

  // the deadline counts working days: holidays in between give more time
  r = await root.request('PUT', '/api/v1/calendar/2026-11-28', { kind: 'holiday' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'calendar_no_change'], 'a Saturday is no working day to begin with');
  assert.equal((await rec.request('PUT', '/api/v1/calendar/2026-11-27', { kind: 'holiday' })).status, 403);
  assert.equal((await root.request('PUT', '/api/v1/calendar/2026-13-01', { kind: 'holiday' })).status, 404);
  assert.equal((await root.get('/api/v1/calendar?year=x')).status, 400);
  const today = new Date(Date.now() + 8 * H);
  const days = [];   // working days before today (China time), newest first
  for (let k = 1; days.length < 14; k++) {
    const d = new Date(today.getTime() - k * D);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.push(d.toISOString().slice(0, 10));
  }
  // ended 12 working days ago (noon, China time): late without a reason
  const ago = Date.now() - new Date(days[11] + 'T12:00:00+08:00').getTime();
  const old = await activity(ago + 2 * H, 1);
  const body = { activity_id: old.id, volunteer_id: vols[2].id, minutes: 60, quality: 'good' };
  r = await rec.post('/api/v1/records', body);
  assert.deepEqual([r.status, r.json.error.code], [422, 'late_reason_required']);
  // three of those days were public holidays: on time after all
  for (const d of days.slice(0, 3)) assert.equal((await root.request('PUT', `/api/v1/calendar/${d}`, { kind: 'holiday', note: '测试' })).status, 200);
  const cal = (await root.get(`/api/v1/calendar?year=${days[0].slice(0, 4)}`)).json.items;
  assert.deepEqual(days.slice(0, 3).map((d) => cal.find((x) => x.date === d)?.kind), ['holiday', 'holiday', 'holiday']);
  r = await rec.post('/api/v1/records', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.late, false);
  for (const d of days.slice(0, 3)) assert.equal((await root.del(`/api/v1/calendar/${d}`)).status, 204);
});

/** Every record of a file, page by page, and checks that the kept totals
 * agree with them: minutes, by year, category and organisation, and the
 * evaluations' record counts. */
async function checkTotals(volunteerId) {
  const records = [];
  let arc;
  for (let cursor = ''; ;) {
    arc = (await root.get(`/api/v1/volunteers/${volunteerId}/archive?limit=200` + (cursor ? '&cursor=' + cursor : ''))).json;
    records.push(...arc.records);
    if (!arc.next_cursor) break;
    cursor = arc.next_cursor;
  }
  const sum = (list) => list.reduce((n, x) => n + x.minutes, 0);
  const effective = records.reduce((n, x) => n + x.effective_minutes, 0);
  assert.equal(arc.approved_minutes, effective, 'totals agree with the records');
  assert.equal(sum(arc.by_year), effective);
  assert.equal(sum(arc.by_service_category), effective);
  assert.equal(sum(arc.by_org), effective);
  assert.equal(arc.evaluations.reduce((n, x) => n + x.records, 0), records.filter((x) => x.status === 'approved').length);
  return arc;
}

test('totals of records approved before the totals table are filled in once', async () => {
  const v = vols[3];
  const want = await checkTotals(v.id);
  const wipe = "DELETE FROM volunteer_totals; INSERT INTO meta (name, value) VALUES ('totals_pending', '1')";
  if (srv.backend === 'sqlite') execFileSync('sqlite3', [srv.db.replace(/^sqlite:/, ''), wipe]);
  else execFileSync('psql', [srv.db, '-qc', wipe]);
  assert.equal((await root.get(`/api/v1/volunteers/${v.id}/archive`)).json.approved_minutes, 0);
  // any command that opens the database fills them in
  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  spawnSync(bin, ['verify', '--db', srv.db, '--key-file', join(srv.dir, 'zhiyuan.key'), '--log-level', 'error']);
  const got = await checkTotals(v.id);
  assert.deepEqual([got.approved_minutes, got.by_year, got.by_service_category, got.by_org, got.evaluations],
    [want.approved_minutes, want.by_year, want.by_service_category, want.by_org, want.evaluations]);
});

test('the archive pages its records while the totals cover them all', async () => {
  // a volunteer of this test's own: two approved records and one submitted
  const made = await root.post('/api/v1/volunteers', { name: '翻页人', id_type: 'resident_id', id_number: residentId('510115', '19890909', 51),
    phone: '13500000051', region_code: '510115001001', org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' } });
  assert.equal(made.status, 201, made.text);
  const v = made.json;
  for (const [days, minutes, approve] of [[20, 60, true], [21, 90, true], [22, 120, false]]) {
    const a = await activity(days * D, 3);
    const r = await rec.post('/api/v1/records', { activity_id: a.id, volunteer_id: v.id, minutes, quality: 'good', late_reason: '补录' });
    assert.equal(r.status, 201, r.text);
    if (approve) assert.equal((await root.post(`/api/v1/records/${r.json.id}/approve`)).status, 200);
  }
  const all = (await root.get(`/api/v1/volunteers/${v.id}/archive?limit=200`)).json;
  assert.equal(all.records.length, 3);
  assert.equal(all.approved_minutes, 150);
  const seen = [];
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const p = (await root.get(`/api/v1/volunteers/${v.id}/archive?limit=1` + (cursor ? '&cursor=' + cursor : ''))).json;
    assert.equal(p.approved_minutes, all.approved_minutes);
    seen.push(...p.records.map((r) => r.id));
    if (!p.next_cursor) break;
    cursor = p.next_cursor;
  }
  assert.deepEqual(seen, all.records.map((r) => r.id));
  await checkTotals(v.id);
  // a record reads the same in the file as on its own
  for (const rec of all.records.slice(0, 3)) {
    const one = (await root.get(`/api/v1/records/${rec.id}`)).json;
    for (const [k, val] of Object.entries(one)) assert.deepEqual(rec[k], val, k);
  }
  assert.ok(seen[0] > seen[seen.length - 1], 'newest first');
  assert.equal((await root.get(`/api/v1/volunteers/${v.id}/archive?limit=0`)).status, 400);
  assert.equal((await root.get(`/api/v1/volunteers/${v.id}/archive?cursor=zz`)).status, 400);
});
