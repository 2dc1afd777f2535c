// Prepares the redemption benchmark against a running server: a store with
// goods in stock, points for the volunteers, and N vouchers to redeem.
// Prints JSON {token, store, goods, codes} for bench/market.sh.
// Usage: node bench/market-setup.mjs URL ADMIN_PASSWORD VOUCHERS
const [url, password, nv = '20000'] = process.argv.slice(2);
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
const store = await call('POST', '/api/v1/stores', { org_id: me.org_id, name: '基准爱心超市' }, auth);
const goods = await call('POST', `/api/v1/stores/${store.id}/goods`, { name: '基准物品', price: 1 }, auth);
// 30 per voucher: stock in 100,000 at a time (the most one stock movement takes)
for (let left = Number(nv) * 30; left > 0; left -= 100000)
  await call('POST', `/api/v1/goods/${goods.id}/stock`, { delta: Math.min(left, 100000), reason: '入库' }, auth);
const vols = (await call('GET', '/api/v1/volunteers?limit=200', undefined, auth)).items.map((v) => v.id);
const per = Math.ceil(Number(nv) / vols.length);
const pool = async (items, fn, width = 16) => {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (i < items.length) await fn(items[i++]); }));
};
await pool(vols, (v) => call('POST', '/api/v1/points/adjustments', { volunteer_id: v, amount: per * 30, reason: '基准积分' }, auth));
const jobs = [];
for (let k = 0; k < Number(nv); k++) jobs.push(vols[k % vols.length]);
const codes = [];
await pool(jobs, async (v) => codes.push((await call('POST', '/api/v1/vouchers', { volunteer_id: v, value: 30 }, auth)).code));
console.log(JSON.stringify({ token, store: store.id, goods: goods.id, codes }));
