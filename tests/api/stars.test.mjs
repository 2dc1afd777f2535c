// Star levels: thresholds (presets or custom, optionally a minimum
// quality), levels and the dates they were reached following approvals
// and corrections, recomputed when thresholds change; the star roster.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

let srv, root, rootOrg, st, st2, rec, other, vols = [];
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');
const H = 3600 * 1000, D = 24 * H;
let n = 0;

async function approved(v, daysAgo, minutes, quality = 'good') {
  n++;
  const a = await rec.post('/api/v1/activities', { name: `星级活动${n}`, org_id: st.id, starts_at: iso(daysAgo * D),
    ends_at: iso(daysAgo * D - 3 * H), place: '社区', content: '服务' });
  assert.equal(a.status, 201, a.text);
  const r = await rec.post('/api/v1/records', { activity_id: a.json.id, volunteer_id: v.id, minutes, quality, late_reason: '补录' });
  assert.equal(r.status, 201, r.text);
  assert.equal((await root.post(`/api/v1/records/${r.json.id}/approve`)).status, 200);
  return r.json;
}

const archive = async (v) => (await root.get(`/api/v1/volunteers/${v.id}/archive`)).json;
const setLevels = (body, who = root) => who.request('PUT', '/api/v1/star-levels', body);

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const a = (await root.post('/api/v1/organizations', { name: '公平街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115003000' })).json;
  st = (await root.post('/api/v1/organizations', { name: '东街社区工作站', kind: 'station', parent_id: a.id, region_code: '510115003001' })).json;
  st2 = (await root.post('/api/v1/organizations', { name: '西街社区工作站', kind: 'station', parent_id: a.id, region_code: '510115003002' })).json;
  await root.post('/api/v1/users', { username: 'srec', password: 'recorder-key-1', roles: ['recorder'], org_id: st.id });
  await root.post('/api/v1/users', { username: 'sadmin', password: 'admin-two-2', roles: ['admin'], org_id: st2.id });
  rec = new Client(srv.url);
  await rec.login('srec', 'recorder-key-1');
  other = new Client(srv.url);
  await other.login('sadmin', 'admin-two-2');
  for (let i = 0; i < 2; i++) {
    const v = await root.post('/api/v1/volunteers', { name: '星级' + i, id_type: 'resident_id', id_number: residentId('510115', '19850505', 51 + i * 2),
      phone: '1380000000' + i, region_code: '510115003001', org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' } });
    assert.equal(v.status, 201, v.text);
    vols.push(v.json);
  }
});
after(async () => { await srv?.stop(); });

test('thresholds: the national preset by default; presets, custom hours and bad input', async () => {
  let r = await root.get('/api/v1/star-levels');
  assert.deepEqual([r.json.preset, r.json.thresholds_hours, r.json.min_quality], ['national', [100, 300, 600, 1000, 1500], null]);
  assert.deepEqual(r.json.presets.beijing, [100, 200, 500, 800, 1000]);
  r = await setLevels({ preset: 'beijing' });
  assert.deepEqual([r.status, r.json.thresholds_hours], [200, [100, 200, 500, 800, 1000]]);
  const bad = [
    [{}, 422, 'preset'],
    [{ preset: 7 }, 400, 'preset'],
    [{ preset: 'shanghai' }, 422, 'preset'],
    [{ preset: 'custom' }, 422, 'thresholds_hours'],
    [{ preset: 'custom', thresholds_hours: [5, 4, 3, 2, 1] }, 422, 'thresholds_hours'],
    [{ preset: 'custom', thresholds_hours: [1, 2, 3] }, 422, 'thresholds_hours'],
    [{ preset: 'custom', thresholds_hours: ['1', 2, 3, 4, 5] }, 400, 'thresholds_hours'],
    [{ preset: 'custom', thresholds_hours: 'x' }, 400, 'thresholds_hours'],
    [{ preset: 'national', thresholds_hours: [1, 2, 3, 4, 5] }, 422, 'thresholds_hours'],
    [{ preset: 'national', min_quality: 'fail' }, 422, 'min_quality'],
    [{ preset: 'national', min_quality: 5 }, 400, 'min_quality'],
  ];
  for (const [body, status, field] of bad) {
    r = await setLevels(body);
    assert.deepEqual([r.status, r.json.error.field], [status, field], JSON.stringify(body));
  }
  assert.equal((await setLevels({ preset: 'national' }, other)).status, 403, 'admins of the root only');
  assert.equal((await root.get('/api/v1/star-levels')).json.preset, 'beijing', 'nothing changed');
});

test('levels follow approved hours and corrections, with the date each was reached', async () => {
  assert.equal((await setLevels({ preset: 'custom', thresholds_hours: [1, 2, 3, 4, 5] })).status, 200);
  const v = vols[0];
  assert.deepEqual([(await archive(v)).star_level, (await archive(v)).stars], [0, []]);
  const r = await approved(v, 3, 150, 'pass');     // 2.5 hours: two stars at once
  let arc = await archive(v);
  assert.equal(arc.star_level, 2);
  assert.deepEqual(arc.stars.map((s) => s.level), [1, 2]);
  assert.equal(arc.stars[0].reached_at, arc.stars[1].reached_at);
  await approved(v, 4, 60, 'excellent');
  arc = await archive(v);
  assert.deepEqual([arc.star_level, arc.stars.length], [3, 3]);
  assert.ok(arc.stars[2].reached_at >= arc.stars[1].reached_at);
  assert.equal((await root.get(`/api/v1/volunteers/${v.id}`)).json.star_level, 3);
  assert.ok((await root.get('/api/v1/volunteers?limit=50')).json.items.some((x) => x.id === v.id && x.star_level === 3));
  // a correction takes hours away: the level and its date go
  const am = await rec.post(`/api/v1/records/${r.id}/amendments`, { minutes: 60, reason: '时长登记有误' });
  await root.post(`/api/v1/records/${am.json.id}/approve`);
  arc = await archive(v);
  assert.deepEqual([arc.star_level, arc.stars.map((s) => s.level)], [2, [1, 2]]);
  // only service rated good or better: 1 hour excellent counts, 1 hour pass not
  assert.equal((await setLevels({ preset: 'custom', thresholds_hours: [1, 2, 3, 4, 5], min_quality: 'good' })).status, 200);
  arc = await archive(v);
  assert.deepEqual([arc.star_level, arc.stars.map((s) => s.level)], [1, [1]]);
  assert.equal((await setLevels({ preset: 'national' })).status, 200);
  assert.equal((await archive(v)).star_level, 0);
  assert.equal((await setLevels({ preset: 'custom', thresholds_hours: [1, 2, 3, 4, 5] })).status, 200);
  assert.equal((await archive(v)).star_level, 2, 'recomputed from the records');
});

test('the star roster of an organisation', async () => {
  await approved(vols[1], 5, 60);
  let r = await root.get(`/api/v1/organizations/${st.id}/star-roster`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.counts, { 1: 1, 2: 1, 3: 0, 4: 0, 5: 0 });
  assert.deepEqual(r.json.items.map((x) => [x.volunteer_id, x.star_level]), [[vols[1].id, 1], [vols[0].id, 2]]);
  assert.ok(r.json.items[0].reached_at);
  r = await root.get(`/api/v1/organizations/${st.id}/star-roster?level=2`);
  assert.deepEqual(r.json.items.map((x) => x.volunteer_id), [vols[0].id]);
  assert.equal((await root.get(`/api/v1/organizations/${rootOrg}/star-roster`)).json.counts['2'], 1, 'rolls up the tree');
  assert.equal((await root.get(`/api/v1/organizations/${st2.id}/star-roster`)).json.items.length, 0);
  assert.equal((await root.get(`/api/v1/organizations/${st.id}/star-roster?level=9`)).status, 400);
  assert.equal((await root.get(`/api/v1/organizations/${st.id}/star-roster?level=x`)).status, 400);
  assert.equal((await root.get('/api/v1/organizations/999999/star-roster')).status, 404);
  assert.equal((await other.get(`/api/v1/organizations/${st.id}/star-roster`)).status, 403);
});
