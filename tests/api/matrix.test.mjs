// The authorisation matrix: every route the server documents × every role
// × own subtree / sibling subtree / own path with the sibling's objects in
// the body, plus no credentials and a cookie without the CSRF header. The
// expected outcome of each cell is in src/http/route-access.json, beside
// the route table; a route or a role without an entry there fails. A
// refused request must answer 403 or 404 and change no table (the database
// is compared before and after each route's refusals); an allowed one must
// reach its handler (not 401/403/404, never ≥ 500), and a scoped answer to
// a caller of one subtree never shows the sibling's data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';
import { buildMatrixDistrict, paramObject, SIBLING_MARK, STAFF_PASSWORD } from '../lib/matrix-fixture.mjs';
import { dbDigest, digestDiff, digestClose } from '../lib/digest.mjs';

const access = JSON.parse(readFileSync(join(repoRoot, 'src/http/route-access.json'), 'utf8'));

/* Cells that may fail without failing the suite while a fix is on its
 * way, each with its finding (the suite prints the entries that now hold;
 * MATRIX_DEBUG=1 prints how each listed cell failed). Empty: the holes
 * issue 11's audit found (findings 1 and 4) are closed. */
const KNOWN_HOLES = new Map([]);

let srv, root, district, doc, roles;
before(async () => {
  srv = await startServer({ args: ['--public-url', 'https://zhiyuan.example.cn', '--address-free-failures', '100000'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  doc = (await new Client(srv.url).get('/api/v1/openapi.json')).json;
  roles = doc.components.schemas.Role?.enum || findRoleEnum(doc);
  district = await buildMatrixDistrict(srv.url, root, roles);
});
after(async () => { if (srv) await digestClose(srv); await srv?.stop(); });

/** The role names the API documents: the enum that holds "admin". */
function findRoleEnum(node) {
  if (Array.isArray(node)) {
    if (node.includes('admin') && node.every((x) => typeof x === 'string')) return node;
    for (const x of node) { const r = findRoleEnum(x); if (r) return r; }
  } else if (node && typeof node === 'object') {
    for (const x of Object.values(node)) { const r = findRoleEnum(x); if (r) return r; }
  }
  return null;
}

function documentedRoutes() {
  const out = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) out.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return out;
}

let uniq = 0;
/* Resolves "$name" / "$a.b" against a side's objects ("$@name" against
 * the side of the path: an object that belongs with the path's, like the
 * goods of a store); "$u" is a fresh word and "$idnum" a fresh resident
 * ID number. */
function resolve(value, side, pathSide = side) {
  if (typeof value === 'string' && value.startsWith('$@')) return resolve('$' + value.slice(2), pathSide);
  if (typeof value === 'string' && value.startsWith('$')) {
    const name = value.slice(1);
    if (name === 'u') return `mx${process.pid % 1000}${++uniq}`;
    if (name === 'idnum') return residentId('510115', '19800101', 300 + (++uniq % 600));
    if (name === 'date') return '2026-10-01';
    if (name === 'year') return '2025';
    if (name === 'password') return STAFF_PASSWORD;
    if (name === 'today') return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
    const v = name.split('.').reduce((o, k) => o?.[k], side);
    if (v === undefined) throw new Error(`no fixture object ${value}`);
    return v;
  }
  if (Array.isArray(value)) return value.map((x) => resolve(x, side, pathSide));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, side, pathSide)]));
  return value;
}

/* The request of one cell: path parameters from pathSide, body and query
 * from bodySide. */
function requestFor(key, entry, pathSide, bodySide) {
  const [method, pattern] = key.split(' ');
  const path = pattern.replace(/\{(\w+)\}/g, (_, name, at) => {
    const ref = entry.params?.[name] || '$' + paramObject(pattern, name, at);
    return encodeURIComponent(String(resolve(ref, pathSide)));
  }) + (entry.query ? '?' + new URLSearchParams(resolve(entry.query, bodySide)).toString() : '');
  const body = entry.body === undefined ? undefined : resolve(entry.body, bodySide, pathSide);
  return { method, path, body };
}

/* Whether a template names a fixture object (not only fresh words). */
function namesObject(value) {
  if (typeof value === 'string') return value.startsWith('$') && !value.startsWith('$@') && !['$u', '$idnum', '$date', '$year', '$password', '$today'].includes(value);
  if (value && typeof value === 'object') return Object.values(value).some(namesObject);
  return false;
}
const isWrite = (key) => !key.startsWith('GET ');

async function send(client, req, headers) {
  if (typeof req.body === 'string') return client.request(req.method, req.path, req.body, { 'Content-Type': 'text/csv', ...headers });
  return client.request(req.method, req.path, req.body, headers);
}

test('every documented route and every role has an expected outcome in src/http/route-access.json', () => {
  assert.ok(roles?.length >= 5, 'the API documents its roles');
  assert.deepEqual([...roles].sort(), [...access.roles].sort(), 'the table covers exactly the roles the API knows');
  const routes = documentedRoutes();
  const missing = routes.filter((k) => !access.routes[k]);
  assert.deepEqual(missing, [], 'routes without an entry in src/http/route-access.json');
  const stale = Object.keys(access.routes).filter((k) => !routes.includes(k));
  assert.deepEqual(stale, [], 'entries for routes that do not exist');
  for (const [key, e] of Object.entries(access.routes)) {
    if (e.public) continue;
    for (const role of roles) assert.ok(['scoped', 'any', 'deny'].includes(e[role]), `${key}: no expectation for role ${role}`);
    assert.ok(e.cross === undefined || typeof e.cross === 'number' || e.cross.every((r) => roles.includes(r)), `${key}: cross is a status or a list of roles`);
    for (const k of Object.keys(e)) {
      assert.ok(roles.includes(k) || ['body', 'params', 'query', 'last', 'note', 'cross', 'fresh', 'self'].includes(k), `${key}: unknown key ${k}`);
    }
  }
});

test('every route × role × subtree: refusals change nothing, allowed requests reach the handler', { timeout: 600_000 }, async () => {
  const { A, B } = district;
  const anon = new Client(srv.url);
  // the admin's session cookie, as a forged cross-site form would send it
  const noCsrf = new Client(srv.url);
  noCsrf.cookie = A.clients.admin.cookie;
  const failures = [], knownSeen = new Set();
  let tried = 0, refused = 0, allowed = 0;
  const fail = (cell, msg) => {
    if (KNOWN_HOLES.has(cell)) { knownSeen.add(cell); if (process.env.MATRIX_DEBUG) console.log(cell, msg); }
    else failures.push(`${cell}: ${msg}`);
  };
  const routes = Object.entries(access.routes).filter(([, e]) => !e.public);
  const later = [];

  // phase 1: every refusal, the database compared after each write
  // route's (a digest costs a psql run: reads are compared in the
  // digest of the next write route)
  let before = await dbDigest(srv), since = [];
  for (const [key, e] of routes) {
    const own = requestFor(key, e, A, A), sib = requestFor(key, e, B, B), cross = requestFor(key, e, A, B);
    since.push(key);
    const cells = [];
    // no credentials: 401 before anything else
    tried++;
    let r = await send(anon, own);
    if (r.status !== 401) fail(`${key} anonymous`, `${r.status} ${r.text.slice(0, 120)}`); else refused++;
    // a cookie session without the CSRF header may not write
    if (isWrite(key)) {
      tried++;
      r = await send(noCsrf, own);
      if (r.status !== 403 || r.json?.error?.code !== 'csrf_failed') fail(`${key} no-csrf`, `${r.status} ${r.text.slice(0, 120)}`); else refused++;
    }
    for (const role of roles) {
      const client = A.clients[role];
      cells.push([role, 'own', own, e[role] !== 'deny']);
      const pathRefs = key.includes('{'), bodyRefs = namesObject(e.body) || namesObject(e.query);
      if (pathRefs || bodyRefs) cells.push([role, 'sibling', sib, e[role] === 'any']);
      if (pathRefs && bodyRefs) cells.push([role, 'cross', cross, e[role] === 'any' || (Array.isArray(e.cross) && e.cross.includes(role))]);
      // a caller's own account: nobody grants themselves a permission
      if (e.self) cells.push([role, 'self', requestFor(key, { params: { id: `$users.${role}` }, body: e.self }, A, A), false]);
      for (const [, where, req, allow] of cells.splice(0)) {
        const cell = `${key} ${role} ${where}`;
        if (allow) { later.push({ key, e, cell, client, req, where }); continue; }
        tried++;
        r = await send(client, req);
        // a list filtered on the sibling's objects may answer with none of them
        const emptyList = r.status === 200 && !key.includes('{') && key.startsWith('GET ') && !r.text.includes(SIBLING_MARK) && e[role] !== 'deny';
        if (r.status === 403 || r.status === 404 || emptyList || (where === 'cross' && r.status === e.cross) ||
          (where === 'self' && r.status === 422 && r.json?.error?.code === 'cannot_change_self')) refused++;
        else {
          fail(cell, `expected 403/404, got ${r.status} ${r.text.slice(0, 160)}`);
          // undo a self-grant, so the rest of the matrix sees the role as it was
          if (where === 'self') await root.patch(`/api/v1/users/${A.users[role]}`, { permissions: [] });
        }
      }
    }
    if (!isWrite(key) && key !== routes[routes.length - 1][0]) continue;
    const after = await dbDigest(srv);
    const changed = digestDiff(before, after);
    if (changed.length) fail(`${key} refusals`, `changed tables ${changed.join(', ')} (refusals of ${since.join(', ')})`);
    before = after;
    since = [];
  }

  // phase 2: the allowed cells; routes that end a session or delete a
  // file run last
  later.sort((x, y) => (x.e.last || 0) - (y.e.last || 0));
  for (const { key, e, cell, client, req, where } of later) {
    tried++;
    const role = cell.split(' ')[2];
    const r = await send(e.fresh ? await district.A.signIn(role) : client, req);
    if (r.status >= 500 || [401, 403, 404].includes(r.status)) {
      fail(cell, `expected to reach the handler, got ${r.status} ${r.text.slice(0, 160)}`);
      continue;
    }
    allowed++;
    if (where === 'own' && e[role] === 'scoped' && r.text.includes(SIBLING_MARK)) {
      fail(cell, 'the answer shows the sibling subtree\'s data');
    }
  }

  const holding = [...KNOWN_HOLES.keys()].filter((k) => !knownSeen.has(k));
  console.log(`count: authorisation matrix (${srv.backend}): ${tried} requests, ${refused} refused as expected, ${allowed} allowed, ` +
    `${knownSeen.size} known holes still open${holding.length ? `; now holding, remove from KNOWN_HOLES: ${holding.join('; ')}` : ''}`);
  assert.deepEqual(failures, [], `${failures.length} cells differ from src/http/route-access.json`);
});
