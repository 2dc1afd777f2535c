// Prepares the suggestions bench against a running demo district: an API
// token, two sub-items (one provided by the stations that hold the demo's
// people, asking for skills and a certificate; one provided by the root
// alone, so its orders are held by the root and every volunteer of the
// district is in scope: the worst case), orders across the stations' communities,
// each accepted, and a few volunteers sent, so that some candidates are
// busy in the window. Prints JSON for bench/suggest.sh.
// Usage: node bench/suggest-setup.mjs URL ADMIN_PASSWORD
const [url, password] = process.argv.slice(2);
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
const orgs = [];
for (let cursor = ''; ;) {
  const page = await call('GET', '/api/v1/organizations?limit=200' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''), undefined, auth);
  orgs.push(...page.items);
  if (!page.next_cursor) break;
  cursor = page.next_cursor;
}
// the stations holding people (the demo fills the first ones)
const stations = orgs.filter((o) => o.kind === 'station').sort((a, b) => a.id - b.id).slice(0, 10);
const cat = await call('POST', '/api/v1/menu/items', { name: '压测类别', parent_id: null }, auth);
const mid = await call('POST', '/api/v1/menu/items', { name: '压测项目', parent_id: cat.id }, auth);
const care = await call('POST', '/api/v1/menu/items', { name: '上门护理', parent_id: mid.id, provider_ids: stations.map((s) => s.id),
  skills: ['医疗', '急救'], certificates: ['心理'] }, auth);
const root = orgs.find((o) => o.parent_id === null);
const open = await call('POST', '/api/v1/menu/items', { name: '区级承接', parent_id: mid.id, provider_ids: [root.id] }, auth);
const orders = [];
let phone = 0;
const place = async (item, region, day) => {
  const from = Date.now() + (1 + day) * 24 * H;
  const o = await call('POST', '/api/v1/orders', { menu_item_id: item, requester_name: '压测居民', phone: `1390${String(++phone).padStart(7, '0')}`,
    address: '压测小区1栋', region_code: region, preferred_from: new Date(from).toISOString(), preferred_to: new Date(from + 2 * H).toISOString(),
    channel: 'hotline', consent: true, allow_duplicate: true }, auth);
  await call('POST', `/api/v1/orders/${o.id}/accept`, undefined, auth);
  return o.id;
};
for (const [i, s] of stations.entries()) orders.push(await place(care.id, s.region_code, i % 3));
for (const [i, s] of stations.slice(0, 3).entries()) orders.push(await place(open.id, s.region_code, i));
// send the top suggestions of the first orders: they are busy for the others
for (const id of orders.slice(0, 4)) {
  const s = await call('GET', `/api/v1/orders/${id}/suggestions?limit=5`, undefined, auth);
  await call('POST', `/api/v1/orders/${id}/assignments`, { volunteer_ids: s.items.map((x) => x.volunteer_id) }, auth);
}
const candidates = [];
for (const id of orders) candidates.push((await call('GET', `/api/v1/orders/${id}/suggestions`, undefined, auth)).candidates);
console.log(JSON.stringify({ token, orders, candidates }));
