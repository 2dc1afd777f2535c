// Projects and recruitment: the project lifecycle and public listing,
// shifts (weekly series, requirements), sign-ups under a rush (capacity,
// waitlist order, double sign-ups, overlaps), cancellation with waitlist
// promotion, no-shows, check-in codes, and attendance becoming records.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId, birthForAge } from '../lib/ids.mjs';

const H = 3600 * 1000, M = 60 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

let srv, root, staff, outsider, st, st2, agency, project;
let phoneSeq = 0;

async function volunteer(name, birth = '19900101', seq = 1, extra = {}) {
  phoneSeq++;
  const r = await root.post('/api/v1/volunteers', { name, id_type: 'resident_id',
    id_number: residentId('510115', birth, seq % 1000), phone: '137' + String(10000000 + phoneSeq).slice(-8),
    region_code: '510115006001', org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' }, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** A volunteer with a login of their own (self-registration). */
async function selfVolunteer(name, birth, seq) {
  const anon = new Client(srv.url);
  phoneSeq++;
  const phone = '136' + String(10000000 + phoneSeq).slice(-8);
  const r = await anon.post('/api/v1/public/volunteers', { name, id_type: 'resident_id',
    id_number: residentId('510115', birth, seq), phone, region_code: '510115006001', org_id: st.id,
    password: 'vol-pass-123', consent: { sensitive: true, notice_version: '2026-11' } });
  assert.equal(r.status, 201, r.text);
  const c = new Client(srv.url);
  await c.login(phone, 'vol-pass-123');
  return { client: c, id: r.json.volunteer.id };
}

async function newProject(extra = {}) {
  const r = await staff.post('/api/v1/projects', { title: '社区敬老助餐', org_id: st.id, domain: 'social_assistance',
    category: '助老', description: '为独居老人送餐', place: '凤溪社区', ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function shift(p, startMs, endMs, extra = {}) {
  const r = await staff.post(`/api/v1/projects/${p.id}/shifts`, { starts_at: iso(startMs), ends_at: iso(endMs),
    place: '凤溪社区食堂', capacity: 10, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

before(async () => {
  // the server's own sweep is off here: the tests call it when they mean to
  srv = await startServer({ args: ['--checkin-code-period', '60', '--sweep-every', '0'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const a = (await root.post('/api/v1/organizations', { name: '涌泉街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115006000' })).json;
  st = (await root.post('/api/v1/organizations', { name: '凤溪社区工作站', kind: 'station', parent_id: a.id, region_code: '510115006001' })).json;
  st2 = (await root.post('/api/v1/organizations', { name: '光华社区工作站', kind: 'station', parent_id: a.id, region_code: '510115006002' })).json;
  agency = (await root.post('/api/v1/organizations', { name: '温江区阳光社工服务中心', kind: 'social_work_agency', parent_id: rootOrg, region_code: '510115' })).json;
  assert.ok(agency.id, JSON.stringify(agency));
  await root.post('/api/v1/users', { username: 'prec', password: 'recorder-key-1', roles: ['recorder'], org_id: st.id });
  await root.post('/api/v1/users', { username: 'padmin2', password: 'admin-two-2', roles: ['admin'], org_id: st2.id });
  staff = new Client(srv.url);
  await staff.login('prec', 'recorder-key-1');
  outsider = new Client(srv.url);
  await outsider.login('padmin2', 'admin-two-2');
});
after(async () => { await srv?.stop(); });

test('projects: bad input changes nothing, then draft → published, public listing and search', async () => {
  const base = { title: '河道巡护', org_id: st.id, domain: 'social_governance', category: '环保' };
  let r = await staff.post('/api/v1/projects', { ...base, title: undefined });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'required', 'title']);
  r = await staff.post('/api/v1/projects', { ...base, domain: 'sports' });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'invalid_domain', 'domain']);
  r = await staff.post('/api/v1/projects', { ...base, brand: 'yes' });
  assert.deepEqual([r.status, r.json.error.field], [400, 'brand']);
  r = await staff.post('/api/v1/projects', { ...base, org_id: 99999 });
  assert.deepEqual([r.status, r.json.error.code], [422, 'org_not_found']);
  r = await staff.post('/api/v1/projects', { ...base, org_id: st2.id });
  assert.equal(r.status, 403, 'outside the recorder\'s scope');
  r = await staff.post('/api/v1/projects', { ...base, agency_org_id: st2.id });
  assert.deepEqual([r.status, r.json.error.code], [422, 'agency_not_found']);
  r = await staff.post('/api/v1/projects', { ...base, starts_on: '2026-13-01' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'starts_on']);
  r = await staff.post('/api/v1/projects', { ...base, starts_on: '2026-12-10', ends_on: '2026-12-01' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'ends_before_start']);
  r = await staff.post('/api/v1/projects', { ...base, title: 'x'.repeat(101) });
  assert.deepEqual([r.status, r.json.error.code], [422, 'too_long']);
  r = await staff.post('/api/v1/projects', { ...base, social_worker_ids: [1] });
  assert.deepEqual([r.status, r.json.error.code], [422, 'social_worker_not_found'], 'the admin is no social worker');
  r = await staff.post('/api/v1/projects', { ...base, contact_phone: 'call me' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'contact_phone']);
  assert.equal((await staff.get('/api/v1/projects')).json.items.length, 0, 'nothing was created');

  // a social worker of the partner agency, paired with the project
  r = await root.post('/api/v1/users', { username: 'sw1', password: 'social-one-1', roles: ['social_worker'], org_id: agency.id, display_name: '李社工' });
  assert.equal(r.status, 201, r.text);
  const sw = new Client(srv.url);
  await sw.login('sw1', 'social-one-1');
  project = await newProject({ brand: true, agency_org_id: agency.id, social_worker_ids: [r.json.id],
    beneficiaries: '独居老人', starts_on: '2026-11-01', ends_on: '2027-06-30', contact_name: '王站长', contact_phone: '028-82722222' });
  assert.equal(project.status, 'draft');
  assert.equal(project.brand, true);
  assert.equal(project.agency_name, '温江区阳光社工服务中心');
  assert.deepEqual(project.social_workers.map((w) => w.display_name), ['李社工']);
  assert.equal(project.region_code, '510115006001', 'the owner\'s region by default');
  assert.equal((await sw.get(`/api/v1/projects/${project.id}`)).status, 200, 'the paired social worker sees it');
  // staff of a station choose a partner agency outside their scope
  const agencies = await staff.get('/api/v1/social-work-agencies');
  assert.equal(agencies.status, 200, agencies.text);
  const mine = agencies.json.items.find((a) => a.id === agency.id);
  assert.deepEqual(mine.social_workers.map((w) => w.display_name), ['李社工']);
  const anonAgencies = await new Client(srv.url).get('/api/v1/social-work-agencies');
  assert.equal(anonAgencies.status, 401);
  assert.equal((await outsider.get(`/api/v1/projects/${project.id}`)).status, 403);

  const anon = new Client(srv.url);
  assert.equal((await anon.get('/api/v1/public/projects')).json.items.length, 0, 'drafts are not public');
  assert.equal((await anon.get(`/api/v1/public/projects/${project.id}`)).status, 404);
  r = await staff.post(`/api/v1/projects/${project.id}/publish`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'published');
  assert.ok(r.json.published_at);
  r = await staff.post(`/api/v1/projects/${project.id}/publish`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'invalid_transition']);
  r = await staff.patch(`/api/v1/projects/${project.id}`, { description: '为独居老人送午餐', org_id: st2.id });
  assert.deepEqual([r.status, r.json.error.field], [422, 'org_id']);
  r = await staff.patch(`/api/v1/projects/${project.id}`, { description: '为独居老人送午餐' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.description, '为独居老人送午餐');
  assert.equal(r.json.title, '社区敬老助餐', 'untouched fields stay');

  const other = await newProject({ title: '文明交通劝导', domain: 'social_governance', category: '交通' });
  await staff.post(`/api/v1/projects/${other.id}/publish`);
  const tomorrow = Date.now() + 24 * H;
  await shift(project, tomorrow, tomorrow + 2 * H);
  const ids = async (q) => {
    const res = await anon.get('/api/v1/public/projects' + q);
    assert.equal(res.status, 200, res.text);
    return res.json.items.map((p) => p.id);
  };
  assert.deepEqual(await ids(''), [other.id, project.id]);
  assert.deepEqual(await ids('?domain=social_assistance'), [project.id]);
  assert.deepEqual(await ids('?category=' + encodeURIComponent('交通')), [other.id]);
  assert.deepEqual(await ids('?q=' + encodeURIComponent('敬老')), [project.id]);
  assert.deepEqual(await ids('?q=' + encodeURIComponent('午餐')), [project.id], 'the description is searched too');
  assert.deepEqual(await ids('?open=true'), [project.id], 'only it has places to take');
  const day = new Date(tomorrow + 8 * H).toISOString().slice(0, 10);
  assert.deepEqual(await ids('?date=' + day), [project.id]);
  assert.deepEqual(await ids('?region=510115006'), [other.id, project.id]);
  assert.deepEqual(await ids('?region=510115007'), []);
  assert.deepEqual(await ids(`?org_id=${st.id}`), [other.id, project.id]);
  assert.deepEqual(await ids(`?org_id=${st2.id}`), []);
  assert.deepEqual(await ids('?limit=1'), [other.id]);
  for (const [q, field] of [['?date=tomorrow', 'date'], ['?region=abc', 'region'], ['?open=maybe', 'open'],
    ['?limit=0', 'limit'], ['?org_id=x', 'org_id'], ['?cursor=%%%', 'cursor']]) {
    r = await anon.get('/api/v1/public/projects' + q);
    assert.deepEqual([r.status, r.json.error.field], [400, field], q);
  }
  r = await anon.get(`/api/v1/public/projects/${project.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.shifts.length, 1);
  assert.equal(r.json.shifts[0].open_places, 10);
  assert.equal(r.json.open_places, 10);
  assert.equal(r.json.contact_phone, '028-82722222');
  assert.equal(r.json.created_at, undefined, 'the public view is trimmed');
  // the status flow
  r = await staff.post(`/api/v1/projects/${other.id}/complete`);
  assert.equal(r.json.status, 'completed');
  r = await staff.patch(`/api/v1/projects/${other.id}`, { title: '改名' });
  assert.deepEqual([r.status, r.json.error.code], [409, 'invalid_transition']);
  r = await staff.post(`/api/v1/projects/${other.id}/cancel`);
  assert.deepEqual([r.status, r.json.error.code], [409, 'invalid_transition']);
  assert.equal((await staff.post('/api/v1/projects/99999/publish')).status, 404);
  assert.deepEqual(await ids(''), [project.id], 'completed projects leave the listing');
  r = await staff.get('/api/v1/projects?status=completed');
  assert.deepEqual(r.json.items.map((p) => p.id), [other.id]);
  assert.equal((await staff.get('/api/v1/projects?status=nope')).status, 400);
});

test('shifts: bad input, weekly series, requirements', async () => {
  const t0 = Date.now() + 48 * H;
  const url = `/api/v1/projects/${project.id}/shifts`;
  const base = { starts_at: iso(t0), ends_at: iso(t0 + 2 * H), place: '食堂', capacity: 5 };
  const dayAfter = (days) => new Date(t0 + 8 * H + days * 24 * H).toISOString().slice(0, 10);   // China date
  for (const [body, status, field] of [
    [{ ...base, capacity: undefined }, 422, 'capacity'], [{ ...base, capacity: 0 }, 422, 'capacity'],
    [{ ...base, capacity: '5' }, 400, 'capacity'], [{ ...base, ends_at: iso(t0 - H) }, 422, 'ends_at'],
    [{ ...base, starts_at: 'soon' }, 422, 'starts_at'], [{ ...base, place: '' }, 422, 'place'],
    [{ ...base, waitlist: -1 }, 422, 'waitlist'], [{ ...base, min_age: 30, max_age: 20 }, 422, 'max_age'],
    [{ ...base, skills: 'first aid' }, 400, 'skills'], [{ ...base, training_id: 9999 }, 422, 'training_id'],
    [{ ...base, signup_deadline: iso(t0 + 3 * H) }, 422, 'signup_deadline'],
    [{ ...base, repeat: { weekdays: [8], until: dayAfter(30) } }, 422, 'repeat.weekdays'],
    [{ ...base, repeat: { weekdays: [1] } }, 422, 'repeat.until'],
    [{ ...base, repeat: { weekdays: [1], until: dayAfter(400) } }, 422, 'repeat.until'],
    [{ ...base, repeat: 'weekly' }, 400, 'repeat'], [{ ...base, place: 'x'.repeat(201) }, 422, 'place'],
    [{ ...base, name: 'x'.repeat(101) }, 422, 'name'],
  ]) {
    const r = await staff.post(url, body);
    assert.deepEqual([r.status, r.json.error.field], [status, field], JSON.stringify(body));
  }
  assert.equal((await outsider.post(url, base)).status, 403);
  assert.equal((await staff.post('/api/v1/projects/99999/shifts', base)).status, 404);
  const before = (await staff.get(`/api/v1/projects/${project.id}`)).json.shifts.length;
  assert.equal(before, 1, 'nothing was created');

  // every Tuesday and Saturday for three weeks from the first date
  const first = new Date(t0 + 8 * H);
  const until = new Date(t0 + 8 * H + 20 * 24 * H).toISOString().slice(0, 10);
  const wd = ((first.getUTCDay() + 6) % 7) + 1;
  const r = await staff.post(url, { ...base, repeat: { weekdays: [wd, (wd % 7) + 1], until } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.series.length, 6);
  const series = await Promise.all(r.json.series.map(async (id) => (await staff.get(`/api/v1/shifts/${id}`)).json));
  assert.equal(series[0].starts_at, iso(t0));
  assert.equal(series[2].starts_at, iso(t0 + 7 * 24 * H), 'a week later, same time');
  assert.ok(series.every((s) => s.series_id === r.json.series[0] && s.capacity === 5));

  // the series counts from the date of starts_at: a weekday after it
  // keeps the time of day
  const next = (wd % 7) + 1;
  const later = await staff.post(url, { ...base, repeat: { weekdays: [next], until } });
  assert.equal(later.status, 201, later.text);
  assert.equal(later.json.starts_at, iso(t0 + 24 * H), 'the first shift is the day after, same time');
  assert.equal(later.json.series.length, 3);
  let x0 = await staff.post(url, { ...base, ends_at: iso(t0 + 25 * H) });
  assert.deepEqual([x0.status, x0.json.error.code], [422, 'shift_too_long']);
  x0 = await staff.post(url, { ...base, repeat: { weekdays: [1, 2, 3, 4, 5, 6, 7], until: new Date(t0 + 8 * H + 300 * 24 * H).toISOString().slice(0, 10) } });
  assert.deepEqual([x0.status, x0.json.error.code], [422, 'repeat_too_long'], 'more than 200 shifts');

  // a named shift: its activity (what records and files show) carries the
  // project's title too
  const named = (await staff.post(url, { ...base, name: '早班', starts_at: iso(t0 + 26 * H), ends_at: iso(t0 + 27 * H) })).json;
  assert.equal(named.name, '早班');
  assert.equal((await staff.get(`/api/v1/activities/${named.activity_id}`)).json.name, '社区敬老助餐 · 早班');

  // requirements: age, skill, training
  const young = await volunteer('小青年', birthForAge(17).slice(0, 8), 501, { guardian: { consent: true } });
  const old = await volunteer('老志愿', '19500101', 503, { skills: ['急救'] });
  const tr = (await staff.post('/api/v1/trainings', { name: '助餐安全培训', content: '食品安全', study_minutes: 60, org_id: st.id, held_on: '2026-11-01' })).json;
  const s1 = await shift(project, t0 + 3 * H, t0 + 4 * H, { min_age: 18, max_age: 70 });
  let x = await staff.post(`/api/v1/shifts/${s1.id}/signups`, { volunteer_id: young.id });
  assert.deepEqual([x.status, x.json.error.code], [422, 'requirement_age']);
  x = await staff.post(`/api/v1/shifts/${s1.id}/signups`, { volunteer_id: old.id });
  assert.deepEqual([x.status, x.json.error.code], [422, 'requirement_age']);
  const s2 = await shift(project, t0 + 5 * H, t0 + 6 * H, { skills: ['急救'], training_id: tr.id });
  x = await staff.post(`/api/v1/shifts/${s2.id}/signups`, { volunteer_id: young.id });
  assert.deepEqual([x.status, x.json.error.code], [422, 'requirement_training']);
  await staff.post(`/api/v1/trainings/${tr.id}/attendees`, { volunteer_ids: [young.id, old.id] });
  x = await staff.post(`/api/v1/shifts/${s2.id}/signups`, { volunteer_id: young.id });
  assert.deepEqual([x.status, x.json.error.code], [422, 'requirement_skill']);
  x = await staff.post(`/api/v1/shifts/${s2.id}/signups`, { volunteer_id: old.id });
  assert.equal(x.status, 201, x.text);
  for (const [body, status, field] of [[{}, 422, 'volunteer_id'], [{ volunteer_id: 'a' }, 400, 'volunteer_id'],
    [{ volunteer_id: 999999 }, 422, 'volunteer_id']]) {
    x = await staff.post(`/api/v1/shifts/${s2.id}/signups`, body);
    assert.deepEqual([x.status, x.json.error.field], [status, field], JSON.stringify(body));
  }
  assert.equal((await staff.post('/api/v1/shifts/999999/signups', { volunteer_id: old.id })).status, 404);
  assert.equal((await outsider.post(`/api/v1/shifts/${s2.id}/signups`, { volunteer_id: young.id })).status, 403);
});

test('the rush: 200 simultaneous sign-ups for 50 places', async () => {
  const t0 = Date.now() + 5 * 24 * H;
  const s = await shift(project, t0, t0 + 3 * H, { capacity: 50, waitlist: 200 });
  const vols = [];
  for (let i = 0; i < 200; i++) vols.push(await volunteer(`冲刺${i}`, '19880808', i));
  const res = await Promise.all(vols.map((v) => staff.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: v.id })));
  assert.ok(res.every((r) => r.status === 201), res.find((r) => r.status !== 201)?.text);
  const confirmed = res.filter((r) => r.json.status === 'confirmed');
  const waiting = res.filter((r) => r.json.status === 'waitlisted');
  assert.equal(confirmed.length, 50);
  assert.equal(waiting.length, 150);
  // arrival order: the first 50 to reach the shift hold its places, the
  // rest queue behind them in the order they came
  assert.deepEqual(confirmed.map((r) => r.json.arrival).sort((a, b) => a - b), [...Array(50).keys()].map((i) => i + 1));
  const byArrival = [...waiting].sort((a, b) => a.json.arrival - b.json.arrival);
  assert.deepEqual(byArrival.map((r) => r.json.position), [...Array(150).keys()].map((i) => i + 1));
  const shown = (await staff.get(`/api/v1/shifts/${s.id}`)).json;
  assert.deepEqual([shown.confirmed, shown.waitlisted, shown.open_places], [50, 150, 0]);
  const list = (await staff.get(`/api/v1/shifts/${s.id}/signups`)).json.items;
  assert.equal(list.filter((g) => g.status === 'confirmed').length, 50);
  assert.deepEqual(list.filter((g) => g.status === 'waitlisted').map((g) => g.position), [...Array(150).keys()].map((i) => i + 1));

  // signing up again is the same sign-up, even many times at once
  const again = await Promise.all(Array.from({ length: 10 }, () => staff.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: vols[0].id })));
  assert.ok(again.every((r) => r.status === 200 && r.json.id === res[0].json.id), again.map((r) => r.text).join('\n'));
  assert.equal((await staff.get(`/api/v1/shifts/${s.id}`)).json.confirmed, 50);

  // a cancelled place goes to the first on the waitlist
  const first = byArrival[0].json, second = byArrival[1].json;
  let r = await staff.del(`/api/v1/signups/${confirmed[0].json.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'cancelled');
  assert.equal(r.json.promoted_signup_id, first.id);
  r = await staff.get(`/api/v1/shifts/${s.id}/signups`);
  const after = Object.fromEntries(r.json.items.map((g) => [g.id, g]));
  assert.equal(after[first.id].status, 'confirmed');
  assert.equal(after[second.id].position, 1, 'the queue moved up');
  assert.equal((await staff.del(`/api/v1/signups/${confirmed[0].json.id}`)).status, 200, 'cancelling twice is cancelling once');
  // a waitlisted person leaving frees no place
  r = await staff.del(`/api/v1/signups/${second.id}`);
  assert.equal(r.json.promoted_signup_id, null);
  const counts = (await staff.get(`/api/v1/shifts/${s.id}`)).json;
  assert.deepEqual([counts.confirmed, counts.waitlisted], [50, 148]);
  // ten places freed at once go to the next ten in the queue, each once
  const queue = (await staff.get(`/api/v1/shifts/${s.id}/signups`)).json.items
    .filter((g) => g.status === 'waitlisted').sort((a, b) => a.arrival - b.arrival).map((g) => g.id);
  const leaving = confirmed.slice(1, 11).map((r) => r.json.id);
  const freed = await Promise.all(leaving.map((id) => staff.del(`/api/v1/signups/${id}`)));
  assert.ok(freed.every((x) => x.status === 200), freed.map((x) => x.text).join('\n'));
  assert.deepEqual(freed.map((x) => x.json.promoted_signup_id).sort((a, b) => a - b), queue.slice(0, 10).sort((a, b) => a - b));
  const now10 = (await staff.get(`/api/v1/shifts/${s.id}`)).json;
  assert.deepEqual([now10.confirmed, now10.waitlisted], [50, 138]);
  // full, no waitlist
  const tiny = await shift(project, t0 + 4 * H, t0 + 5 * H, { capacity: 1, waitlist: 0 });
  assert.equal((await staff.post(`/api/v1/shifts/${tiny.id}/signups`, { volunteer_id: vols[0].id })).status, 201);
  r = await staff.post(`/api/v1/shifts/${tiny.id}/signups`, { volunteer_id: vols[1].id });
  assert.deepEqual([r.status, r.json.error.code], [409, 'shift_full']);
});

test('overlaps, self sign-up, cancellation deadline and no-shows', async () => {
  const me = await selfVolunteer('自助报名', '19920202', 611);
  const t0 = Date.now() + 10 * 24 * H;
  const a = await shift(project, t0, t0 + 2 * H);
  const b = await shift(project, t0 + H, t0 + 3 * H);          // overlaps a by an hour
  const c = await shift(project, t0 + 2 * H, t0 + 4 * H);      // touches a
  let r = await me.client.post(`/api/v1/shifts/${a.id}/signups`, {});
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.volunteer_id, me.id, 'a volunteer signs up themselves');
  r = await me.client.post(`/api/v1/shifts/${b.id}/signups`, { volunteer_id: me.id });
  assert.deepEqual([r.status, r.json.error.code], [409, 'shift_overlap']);
  r = await me.client.post(`/api/v1/shifts/${c.id}/signups`);
  assert.equal(r.status, 201, 'back-to-back shifts are fine');
    const mine = (await me.client.get('/api/v1/me/shifts')).json.items;
  assert.deepEqual(mine.map((g) => g.shift_id).sort(), [a.id, c.id].sort());
  const none = await staff.get('/api/v1/me/shifts');
  assert.deepEqual([none.status, none.json.error.code], [404, 'no_volunteer_file'], 'staff have no volunteer file');
  // someone else's sign-up is not there for a volunteer
  const other = await selfVolunteer('旁人', '19930303', 613);
  assert.equal((await other.client.del(`/api/v1/signups/${mine[0].id}`)).status, 404);
  assert.equal((await me.client.del('/api/v1/signups/99999999')).status, 404);
  r = await me.client.post(`/api/v1/shifts/${a.id}/signups`, { volunteer_id: other.id });
  assert.equal(r.status, 403, 'not for someone else');

  // two simultaneous sign-ups of one person for overlapping shifts: one wins
  const d = await shift(project, t0 + 20 * H, t0 + 22 * H);
  const e = await shift(project, t0 + 21 * H, t0 + 23 * H);
  const both = await Promise.all([d, e, d, e].map((s) => other.client.post(`/api/v1/shifts/${s.id}/signups`)));
  const held = new Set(both.filter((x) => x.status < 300).map((x) => x.json.id));
  assert.equal(held.size, 1, both.map((x) => x.text).join('\n'));
  assert.ok(both.every((x) => x.status < 300 || x.json.error.code === 'shift_overlap'));

  // cancellation closes before the shift (120 minutes by default)
  const soon = await shift(project, Date.now() + H, Date.now() + 2 * H);
  r = await me.client.post(`/api/v1/shifts/${soon.id}/signups`);
  assert.equal(r.status, 201, r.text);
  const late = await me.client.del(`/api/v1/signups/${r.json.id}`);
  assert.deepEqual([late.status, late.json.error.code], [422, 'cancel_too_late']);
  assert.equal((await staff.del(`/api/v1/signups/${r.json.id}`)).status, 200, 'staff still can');
  r = await me.client.post(`/api/v1/shifts/${soon.id}/signups`);
  assert.equal(r.status, 201, 'signing up again after a cancellation');

  // three shifts missed block new sign-ups (--no-show-limit 3): three
  // hour-long shifts that ended hours ago (staff may still put people on
  // them), never attended; nothing waits for the clock
  const flake = await volunteer('爽约者', '19870707', 707);
  const base = Math.floor(Date.now() / 1000) * 1000 - 6 * H;
  const ones = [];
  for (let i = 0; i < 3; i++) ones.push(await shift(project, base + i * H, base + (i + 1) * H));
  for (const s of ones) {
    r = await staff.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: flake.id });
    assert.equal(r.status, 201, r.text);
  }
  r = await staff.post(`/api/v1/shifts/${d.id}/signups`, { volunteer_id: flake.id });
  assert.deepEqual([r.status, r.json.error.code], [422, 'no_show_blocked']);
  r = await root.post('/api/v1/shifts/sweep', {});
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.no_shows >= 3);
  for (const s of ones) {
    const gone = (await staff.get(`/api/v1/shifts/${s.id}/signups`)).json.items;
    assert.deepEqual(gone.map((g) => [g.volunteer_id, g.status]), [[flake.id, 'no_show']]);
  }
  assert.equal((await staff.post('/api/v1/shifts/sweep', {})).status, 403, 'the sweep is for admins of the root');
});

test('check-in codes: wrong, expired, outside the window, by hand', async () => {
  const me = await selfVolunteer('签到者', '19910101', 621);
  const now = Date.now();
  const s = await shift(project, now - 10 * M, now + 2 * H, { signup_deadline: iso(now + H) });
  const later = await shift(project, now + 26 * H, now + 28 * H);
  await me.client.post(`/api/v1/shifts/${s.id}/signups`);
  await me.client.post(`/api/v1/shifts/${later.id}/signups`);
  const code = (await staff.get(`/api/v1/shifts/${s.id}/code`)).json;
  assert.match(code.code, /^\d{6}$/);
  assert.match(code.day_code, /^\d{6}$/);
  assert.equal(code.period_seconds, 60);
  assert.equal((await me.client.get(`/api/v1/shifts/${s.id}/code`)).status, 403, 'volunteers do not read codes');
  const bad = await staff.get(`/api/v1/shifts/${s.id}/code?at=yesterday`);
  assert.deepEqual([bad.status, bad.json.error.field], [400, 'at']);
  const old = (await staff.get(`/api/v1/shifts/${s.id}/code?at=${iso(now - 5 * M)}`)).json.code;
  let r = await me.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: '12345' });
  assert.deepEqual([r.status, r.json.error.code], [422, 'invalid_code']);
  r = await me.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: 123456 });
  assert.deepEqual([r.status, r.json.error.field], [400, 'code']);
  r = await me.client.post(`/api/v1/shifts/${s.id}/check-in`, {});
  assert.deepEqual([r.status, r.json.error.field], [422, 'code']);
  r = await me.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: '1'.repeat(17) });
  assert.deepEqual([r.status, r.json.error.code, r.json.error.field], [422, 'too_long', 'code']);
  assert.equal((await outsider.get(`/api/v1/shifts/${s.id}/signups`)).status, 403, 'not their project');
  assert.equal((await me.client.get(`/api/v1/shifts/${s.id}/signups`)).status, 403, 'nor a volunteer\'s');
  assert.equal((await me.client.get('/api/v1/social-work-agencies')).status, 403);
  if (old !== code.code) {
    r = await me.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: old });
    assert.deepEqual([r.status, r.json.error.code], [422, 'code_expired']);
  }
  // a code that opens nothing and was never good: none of the windows the
  // server still knows as expired (288 of them), nor the day code
  const known = await Promise.all(Array.from({ length: 292 }, (_, k) =>
    staff.get(`/api/v1/shifts/${s.id}/code?at=${iso(now + (2 - k) * M)}`)));
  const taken = new Set([code.day_code, ...known.map((x) => x.json.code)]);
  let wrong = '000000';
  while (taken.has(wrong)) wrong = String(Number(wrong) + 1).padStart(6, '0');
  r = await me.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: wrong });
  assert.deepEqual([r.status, r.json.error.code], [422, 'invalid_code']);
  // another shift's code does not open this one
  const laterCode = (await staff.get(`/api/v1/shifts/${later.id}/code`)).json.code;
  r = await me.client.post(`/api/v1/shifts/${later.id}/check-in`, { code: laterCode });
  assert.deepEqual([r.status, r.json.error.code], [422, 'outside_shift_window'], 'tomorrow\'s shift is not open yet');
  r = await me.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: code.code, at: iso(now) });
  assert.deepEqual([r.status, r.json.error.field], [422, 'at'], 'volunteers cannot set the time');
  r = await me.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: code.code });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'checked_in');
  assert.ok(r.json.checked_in_at);
  r = await me.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: code.code });
  assert.equal(r.status, 200, 'checking in twice is checking in once');
  // the printed day code works on the day too, for someone else
  const two = await selfVolunteer('扫码者', '19910102', 623);
  await two.client.post(`/api/v1/shifts/${s.id}/signups`);
  r = await two.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: code.day_code });
  assert.equal(r.status, 200, r.text);
  // not signed up
  const three = await selfVolunteer('路人', '19910103', 625);
  r = await three.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: code.code });
  assert.deepEqual([r.status, r.json.error.code], [422, 'not_signed_up']);
  // a shift across midnight (China time) keeps its printed code after
  // midnight: it started yesterday (unless it is after 23:00 now, when a
  // shift of at most 24 hours cannot)
  const t = Date.now();
  const midnight = Math.floor((t + 8 * H) / (24 * H)) * 24 * H - 8 * H;
  const night = await shift(project, Math.max(midnight - H, t - 23 * H), t + H);
  assert.equal((await staff.post(`/api/v1/shifts/${night.id}/signups`, { volunteer_id: three.id })).status, 201);
  const nightCode = (await staff.get(`/api/v1/shifts/${night.id}/code`)).json;
  r = await three.client.post(`/api/v1/shifts/${night.id}/check-in`, { code: nightCode.day_code });
  assert.equal(r.status, 200, r.text);
  // checking out early: under 60 % of the shift, no record
  r = await me.client.post(`/api/v1/shifts/${s.id}/check-out`, { code: code.code });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.minutes, r.json.record_id], ['attended', 0, null]);
  // by hand: staff name the person and the time
  const four = await volunteer('手工签到', '19850505', 801);
  await staff.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: four.id });
  r = await staff.post(`/api/v1/shifts/${s.id}/check-in`, { volunteer_id: four.id, at: iso(now + 3 * H) });
  assert.deepEqual([r.status, r.json.error.field], [422, 'at'], 'not in the future');
  r = await staff.post(`/api/v1/shifts/${s.id}/check-in`, {});
  assert.deepEqual([r.status, r.json.error.field], [422, 'volunteer_id']);
  r = await staff.post(`/api/v1/shifts/${s.id}/check-in`, { volunteer_id: four.id });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/shifts/${s.id}/check-out`, { volunteer_id: four.id, at: 'noon' });
  assert.deepEqual([r.status, r.json.error.field], [422, 'at']);
  assert.equal((await outsider.post(`/api/v1/shifts/${s.id}/check-in`, { volunteer_id: four.id })).status, 403);
  assert.equal((await staff.post('/api/v1/shifts/999999/check-in', { volunteer_id: four.id })).status, 404);
  const site = (await staff.get(`/api/v1/shifts/${s.id}`)).json;
  assert.equal(site.checked_in, 2, 'the site leader sees who is in');
  // six digits are guessable: wrong codes bring waits
  const guesser = await selfVolunteer('猜码者', '19910104', 627);
  await guesser.client.post(`/api/v1/shifts/${s.id}/signups`);
  let last;
  for (let i = 0; i < 12; i++) {
    last = await guesser.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: String(100000 + i) === code.code ? '999999' : String(100000 + i) });
    if (last.status === 429) break;
  }
  assert.deepEqual([last.status, last.json.error.code], [429, 'too_many_codes']);
  assert.ok(Number(last.headers.get('retry-after')) > 0);
  r = await guesser.client.post(`/api/v1/shifts/${s.id}/check-in`, { code: code.code });
  assert.equal(r.status, 429, 'even the right code waits');
});

test('attendance becomes submitted records; rounding, share, auto check-out, approval', async () => {
  const now = Date.now();
  const p = await newProject({ title: '周末义诊' });
  await staff.post(`/api/v1/projects/${p.id}/publish`);
  const s0 = Math.floor((now - 3 * H) / 1000) * 1000;
  const s = await shift(p, s0, s0 + 2 * H);
  const full = await volunteer('全勤', '19800101', 901), part = await volunteer('迟到', '19800102', 903);
  const brief = await volunteer('早退', '19800103', 905);
  for (const v of [full, part, brief]) {
    const r = await staff.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: v.id });
    assert.equal(r.status, 201, r.text);
  }
  const at = (ms) => ({ at: iso(ms) });
  // on time, leaves half an hour late: 2 h (clipped to the shift)
  await staff.post(`/api/v1/shifts/${s.id}/check-in`, { volunteer_id: full.id, ...at(s0 - 10 * M) });
  let r = await staff.post(`/api/v1/shifts/${s.id}/check-out`, { volunteer_id: full.id, ...at(s0 + 2 * H + 30 * M) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.minutes, 120);
  assert.ok(r.json.record_id);
  // 35 minutes late: 85 minutes → 1 h 25 → rounds to 1 h 30
  await staff.post(`/api/v1/shifts/${s.id}/check-in`, { volunteer_id: part.id, ...at(s0 + 35 * M) });
  r = await staff.post(`/api/v1/shifts/${s.id}/check-out`, { volunteer_id: part.id, ...at(s0 + 2 * H) });
  assert.equal(r.json.minutes, 90);
  // 70 minutes of 120 is under 60 %: attended, no record
  await staff.post(`/api/v1/shifts/${s.id}/check-in`, { volunteer_id: brief.id, ...at(s0) });
  r = await staff.post(`/api/v1/shifts/${s.id}/check-out`, { volunteer_id: brief.id, ...at(s0 + 70 * M) });
  assert.deepEqual([r.json.status, r.json.minutes, r.json.record_id], ['attended', 0, null]);
  r = await staff.post(`/api/v1/shifts/${s.id}/check-out`, { volunteer_id: brief.id, ...at(s0 + 80 * M) });
  assert.equal(r.json.checked_out_at, iso(s0 + 70 * M), 'checking out twice changes nothing');

  // a record entered by hand for the first half hour of the shift: the
  // attendance record gives those minutes up
  const busy = await volunteer('已有记录', '19800110', 919);
  const other = (await staff.post('/api/v1/activities', { name: '交叉活动', org_id: st.id, starts_at: iso(s0 - 30 * M),
    ends_at: iso(s0 + 30 * M), place: '站点', content: '其他服务' })).json;
  r = await staff.post('/api/v1/records', { activity_id: other.id, volunteer_id: busy.id, minutes: 60, quality: 'good' });
  assert.equal(r.status, 201, r.text);
  await staff.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: busy.id });
  await staff.post(`/api/v1/shifts/${s.id}/check-in`, { volunteer_id: busy.id, ...at(s0) });
  r = await staff.post(`/api/v1/shifts/${s.id}/check-out`, { volunteer_id: busy.id, ...at(s0 + 2 * H) });
  assert.equal(r.json.minutes, 90);
  const clipped = (await staff.get(`/api/v1/records/${r.json.record_id}`)).json;
  assert.deepEqual([clipped.starts_at, clipped.minutes], [iso(s0 + 30 * M), 90]);

  const queue = (await staff.get('/api/v1/records?status=submitted')).json.items
    .filter((x) => x.activity_id === s.activity_id && x.volunteer_id !== busy.id);
  assert.equal(queue.length, 2);
  const rec = queue.find((x) => x.volunteer_id === full.id);
  assert.deepEqual([rec.source, rec.status, rec.minutes, rec.place], ['check_in', 'submitted', 120, '凤溪社区食堂']);
  assert.equal(rec.starts_at, iso(s0));
  assert.equal(rec.ends_at, iso(s0 + 2 * H));
  r = await staff.post(`/api/v1/records/${rec.id}/approve`);
  assert.deepEqual([r.status, r.json.error.code], [403, 'own_record'], 'the site leader who checked them out made the record');
  r = await root.post(`/api/v1/records/${rec.id}/approve`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'approved');
  const archive = (await staff.get(`/api/v1/volunteers/${full.id}/archive`)).json;
  assert.equal(archive.records[0].id, rec.id);

  // still checked in a day later: checked out by the sweep, flagged
  const y0 = Math.floor((now - 27 * H) / 1000) * 1000;
  const y = await shift(p, y0, y0 + 2 * H);
  const forgot = await volunteer('忘签退', '19800104', 907);
  // staff may still put someone on a shift that is over (a paper list
  // entered later); volunteers may not
  r = await staff.post(`/api/v1/shifts/${y.id}/signups`, { volunteer_id: forgot.id });
  assert.equal(r.status, 201, r.text);
  const z = y, z0 = y0;
  r = await staff.post(`/api/v1/shifts/${z.id}/check-in`, { volunteer_id: forgot.id, ...at(z0 - 10 * M) });
  assert.equal(r.status, 200, r.text);
  const self = await selfVolunteer('过时报名', '19800106', 911);
  r = await self.client.post(`/api/v1/shifts/${y.id}/signups`);
  assert.deepEqual([r.status, r.json.error.code], [422, 'signup_closed']);
  r = await root.post('/api/v1/shifts/sweep', { as_of: iso(now + 2 * H) });
  assert.deepEqual([r.status, r.json.error?.code], [422, 'in_the_future']);
  r = await root.post('/api/v1/shifts/sweep', {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.auto_checked_out, 1);
  const g = (await staff.get(`/api/v1/shifts/${z.id}/signups`)).json.items.find((x) => x.volunteer_id === forgot.id);
  assert.deepEqual([g.status, g.auto_checkout], ['attended', true]);
  assert.equal(g.checked_out_at, iso(z0 - 10 * M + 24 * H));
  const flagged = (await staff.get(`/api/v1/records/${g.record_id}`)).json;
  assert.equal(flagged.source, 'check_in');
  assert.match(flagged.evidence, /自动签退/);
  assert.equal((await root.post('/api/v1/shifts/sweep', { as_of: 'now' })).status, 422);

  // other activities link to the project too; the project lists them all
  const act = { name: '义诊筹备会', org_id: st.id, starts_at: iso(now - 5 * H), ends_at: iso(now - 4 * H), place: '站点', content: '筹备' };
  r = await staff.post('/api/v1/activities', { ...act, project_id: 999999 });
  assert.deepEqual([r.status, r.json.error.code], [422, 'project_not_found']);
  const foreign = (await outsider.post('/api/v1/activities', { ...act, org_id: st2.id, project_id: p.id }));
  assert.deepEqual([foreign.status, foreign.json.error.code], [422, 'project_of_another_org']);
  r = await staff.post('/api/v1/activities', { ...act, project_id: p.id });
  assert.equal(r.status, 201, r.text);
  const listed = (await staff.get(`/api/v1/projects/${p.id}`)).json.activities;
  assert.deepEqual(listed.map((a) => [a.id, a.shift]), [[y.activity_id, true], [r.json.id, false], [s.activity_id, true]]);
  assert.equal(listed.find((a) => a.id === s.activity_id).records, 3);
});

test('a person who deletes their file gives their places to the waitlist; drafts are not there for volunteers', async () => {
  const t0 = Date.now() + 60 * 24 * H;
  const s = await shift(project, t0, t0 + H, { capacity: 1 });
  const leaver = await selfVolunteer('要离开', '19800107', 913);
  const next = await volunteer('等候者', '19800108', 915);
  assert.equal((await leaver.client.post(`/api/v1/shifts/${s.id}/signups`)).json.status, 'confirmed');
  assert.equal((await staff.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: next.id })).json.status, 'waitlisted');
  const r = await leaver.client.post('/api/v1/me/volunteer/deletion');
  assert.ok(r.status < 300, r.text);
  const list = (await staff.get(`/api/v1/shifts/${s.id}/signups`)).json.items;
  assert.deepEqual(list.map((g) => [g.volunteer_id, g.status]), [[leaver.id, 'cancelled'], [next.id, 'confirmed']]);
  const counts = (await staff.get(`/api/v1/shifts/${s.id}`)).json;
  assert.deepEqual([counts.confirmed, counts.waitlisted], [1, 0]);

  const draft = await newProject({ title: '尚未发布' });
  const ds = await shift(draft, t0, t0 + H);
  const someone = await selfVolunteer('好奇者', '19800109', 917);
  const d = await someone.client.post(`/api/v1/shifts/${ds.id}/signups`);
  assert.equal(d.status, 404, 'a draft is not public yet');
  const st2 = await staff.post(`/api/v1/shifts/${ds.id}/signups`, { volunteer_id: next.id });
  assert.deepEqual([st2.status, st2.json.error.code], [422, 'project_not_open'], 'staff are told why');
});

test('a cancelled project ends its sign-ups; unknown ids are 404', async () => {
  const p = await newProject({ title: '临时活动' });
  await staff.post(`/api/v1/projects/${p.id}/publish`);
  const t0 = Date.now() + 40 * 24 * H;
  const s = await shift(p, t0, t0 + H);
  const v = await volunteer('被取消', '19800105', 909);
  assert.equal((await staff.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: v.id })).status, 201);
  const r = await staff.post(`/api/v1/projects/${p.id}/cancel`);
  assert.equal(r.json.status, 'cancelled');
  const g = (await staff.get(`/api/v1/shifts/${s.id}/signups`)).json.items[0];
  assert.equal(g.status, 'cancelled');
  assert.equal((await staff.get(`/api/v1/shifts/${s.id}`)).json.confirmed, 0);
  const x = await staff.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: v.id });
  assert.deepEqual([x.status, x.json.error.code], [422, 'project_not_open']);
  assert.equal((await staff.get('/api/v1/shifts/999999')).status, 404);
  assert.equal((await staff.get('/api/v1/shifts/abc')).status, 404);
  assert.equal((await staff.get('/api/v1/shifts/999999/code')).status, 404);
  assert.equal((await staff.get('/api/v1/projects/999999')).status, 404);
  assert.equal((await staff.del('/api/v1/signups/abc')).status, 404);
});

test('the server sweeps by itself (--sweep-every)', async () => {
  const own = await startServer({ args: ['--sweep-every', '1'] });
  try {
    const admin = new Client(own.url);
    await admin.login('admin', own.adminPassword);
    const orgId = (await admin.get('/api/v1/me')).json.org_id;
    const p = (await admin.post('/api/v1/projects', { title: '夜间巡逻', org_id: orgId, domain: 'social_governance', category: '治安' })).json;
    await admin.post(`/api/v1/projects/${p.id}/publish`);
    const t0 = Math.floor((Date.now() - 26 * H) / 1000) * 1000;
    const s = (await admin.post(`/api/v1/projects/${p.id}/shifts`, { starts_at: iso(t0), ends_at: iso(t0 + 2 * H), place: '街道', capacity: 2 })).json;
    const v = (await admin.post('/api/v1/volunteers', { name: '巡逻员', id_type: 'resident_id', id_number: residentId('510115', '19790101', 11),
      phone: '13900001111', region_code: '510115', org_id: orgId, consent: { sensitive: true, notice_version: '2026-11' } })).json;
    assert.equal((await admin.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: v.id })).status, 201);
    assert.equal((await admin.post(`/api/v1/shifts/${s.id}/check-in`, { volunteer_id: v.id, at: iso(t0) })).status, 200);
    let g;
    for (let i = 0; i < 50; i++) {
      await sleep(200);
      g = (await admin.get(`/api/v1/shifts/${s.id}/signups`)).json.items[0];
      if (g.status === 'attended') break;
    }
    assert.deepEqual([g.status, g.auto_checkout, g.minutes], ['attended', true, 120]);
  } finally {
    await own.stop();
  }
});
