// Prepares the record benchmarks against a running server: activities in
// the past (1 hour long, 2 hours apart, so no two overlap), the ids of
// the volunteers to record, and one volunteer with 1,000 approved records
// for the archive. Prints JSON for bench/records.sh.
// Usage: node bench/records-setup.mjs URL ADMIN_PASSWORD ACTIVITIES
const [url, password, nact = '60'] = process.argv.slice(2);
const H = 3600 * 1000;
async function call(method, path, body, headers = {}) {
  const r = await fetch(url + path, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body && JSON.stringify(body) });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
const login = await fetch(url + '/api/v1/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
const cookie = login.headers.get('set-cookie').match(/zy_session=[^;]+/)[0];
const csrf = (await login.json()).csrf_token;
const token = (await call('POST', '/api/v1/tokens', { name: 'bench' }, { Cookie: cookie, 'X-CSRF-Token': csrf })).token;
const auth = { Authorization: 'Bearer ' + token };
const me = await call('GET', '/api/v1/me', undefined, auth);
// the benchmark enters and approves as one account
await call('PATCH', `/api/v1/organizations/${me.org_id}`, { allow_self_approval: true }, auth);
// activities 2 hours apart, the newest ending 2 hours ago
async function activities(n, offsetHours) {
  const ids = [];
  for (let k = 0; k < n; k++) {
    const start = Date.now() - (offsetHours + 2 * k + 3) * H;
    const a = await call('POST', '/api/v1/activities', { name: `基准活动${offsetHours}-${k}`, org_id: me.org_id,
      starts_at: new Date(start).toISOString(), ends_at: new Date(start + H).toISOString(), place: '温江区', content: '基准测试服务' }, auth);
    ids.push(a.id);
  }
  return ids;
}
const acts = await activities(Number(nact), 0);
const vols = [];
for (let cursor = ''; vols.length < 20000;) {
  const page = await call('GET', '/api/v1/volunteers?sort=created_at&limit=200' + (cursor ? '&cursor=' + cursor : ''), undefined, auth);
  vols.push(...page.items.map((v) => v.id));
  if (!page.next_cursor) break;
  cursor = page.next_cursor;
}
// the archive volunteer: 1,000 approved records on activities of their own
const archiveVolunteer = vols.pop();
const archActs = await activities(1000, 10000);
const pool = async (items, fn, width = 16) => {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (i < items.length) await fn(items[i++]); }));
};
await pool(archActs, async (a) => {
  const rec = await call('POST', '/api/v1/records', { activity_id: a, volunteer_id: archiveVolunteer, minutes: 60, quality: 'good', late_reason: '基准数据' }, auth);
  await call('POST', `/api/v1/records/${rec.id}/approve`, undefined, auth);
});
console.log(JSON.stringify({ token, activities: acts, volunteers: vols, archiveVolunteer }));
