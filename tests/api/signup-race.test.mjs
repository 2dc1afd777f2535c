// Cancelling a waitlisted sign-up while the confirmed one before it is
// cancelled too: the first cancel promotes the waitlisted person, so the
// second must cancel a confirmed place, not take one off the waitlist
// count (which answered 500 from the shift's CHECK, or left the counts
// wrong). Found by the crash loop (crash.test.mjs); here without kills,
// many shifts at once so that the two cancels meet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

const H = 3600 * 1000, D = 24 * H;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const PAIRS = 40;
let srv, root, org, project;

before(async () => {
  srv = await startServer({ args: ['--sweep-every', '0'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const assoc = (await root.post('/api/v1/organizations', { name: '和盛镇志愿服务协会', kind: 'association', parent_id: rootOrg,
    region_code: '510115008000' })).json;
  org = (await root.post('/api/v1/organizations', { name: '和盛社区工作站', kind: 'station', parent_id: assoc.id,
    region_code: '510115008001' })).json;
  project = (await root.post('/api/v1/projects', { title: '排队取消', org_id: org.id, domain: 'social_assistance',
    category: '助老', description: '并发取消', place: '和盛社区' })).json;
  assert.equal((await root.post(`/api/v1/projects/${project.id}/publish`)).status, 200);
});
after(async () => { await srv?.stop(); });

test(`${PAIRS} shifts of one place and one waitlist place: both cancelled at once, the counts stay right`, async () => {
  const pairs = [];
  for (let i = 0; i < PAIRS; i++) {
    const t0 = Date.now() + (3 + i) * D;
    const s = (await root.post(`/api/v1/projects/${project.id}/shifts`, { starts_at: iso(t0), ends_at: iso(t0 + 2 * H),
      place: '和盛社区食堂', capacity: 1, waitlist: 1 })).json;
    const ids = [];
    for (const k of [0, 1]) {
      const seq = i * 2 + k;
      const v = await root.post('/api/v1/volunteers', { name: `排队${seq}`, id_type: 'resident_id',
        id_number: residentId('510115', '19850505', seq), phone: '134' + String(60000000 + seq).slice(-8),
        region_code: '510115008001', org_id: org.id, consent: { sensitive: true, notice_version: '2026-11' } });
      assert.equal(v.status, 201, v.text);
      const g = await root.post(`/api/v1/shifts/${s.id}/signups`, { volunteer_id: v.json.id });
      assert.deepEqual([g.status, g.json.status], [201, k === 0 ? 'confirmed' : 'waitlisted'], g.text);
      ids.push(g.json.id);
    }
    pairs.push({ shift: s.id, ids });
  }
  const answers = await Promise.all(pairs.flatMap((p) => p.ids.map((id) => root.del(`/api/v1/signups/${id}`))));
  for (const r of answers) assert.deepEqual([r.status, r.json.status], [200, 'cancelled'], r.text);
  for (const p of pairs) {
    const shown = (await root.get(`/api/v1/shifts/${p.shift}`)).json;
    const list = (await root.get(`/api/v1/shifts/${p.shift}/signups`)).json.items;
    assert.deepEqual(list.map((g) => g.status), ['cancelled', 'cancelled'], `shift ${p.shift}`);
    assert.deepEqual([shown.confirmed, shown.waitlisted, shown.open_places], [0, 0, 1], `shift ${p.shift}`);
  }
});
