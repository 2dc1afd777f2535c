// Prepares the sign-up rush against a running server: an API token, a
// published project with one shift per run (a week apart, so the same
// people can sign up for each), and the ids of the volunteers.
// Prints JSON for bench/signups.sh.
// Usage: node bench/signups-setup.mjs URL ADMIN_PASSWORD RUNS CAPACITY
const [url, password, runs = '3', capacity = '50000'] = process.argv.slice(2);
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
const p = await call('POST', '/api/v1/projects', { title: '温江马拉松志愿者招募', org_id: me.org_id, domain: 'public_welfare',
  category: '大型赛会', description: '赛道补给与引导' }, auth);
await call('POST', `/api/v1/projects/${p.id}/publish`, undefined, auth);
const shifts = [];
for (let r = 0; r < Number(runs); r++) {
  const start = Date.now() + (30 + 7 * r) * 24 * H;
  const s = await call('POST', `/api/v1/projects/${p.id}/shifts`, { starts_at: new Date(start).toISOString(),
    ends_at: new Date(start + 6 * H).toISOString(), place: '温江区鱼凫路', capacity: Number(capacity), waitlist: 100000 }, auth);
  shifts.push(s.id);
}
const vols = [];
for (let cursor = ''; ;) {
  const page = await call('GET', '/api/v1/volunteers?limit=200' + (cursor ? '&cursor=' + cursor : ''), undefined, auth);
  vols.push(...page.items.map((v) => v.id));
  if (!page.next_cursor) break;
  cursor = page.next_cursor;
}
console.log(JSON.stringify({ token, shifts, volunteers: vols }));
