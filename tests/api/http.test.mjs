// HTTP behaviour: unknown routes, methods, the OpenAPI document, the web
// console's static files, graceful shutdown, and hostile input to every
// write route and path parameter (nothing answered ≥ 500, nothing written).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { connect } from 'node:net';
import { buildMatrixDistrict, fillPath } from '../lib/matrix-fixture.mjs';
import { dbDigest, digestDiff, digestClose } from '../lib/digest.mjs';

function rawGet(base, path) {
  const u = new URL(base);
  return new Promise((res, rej) => {
    const sock = connect(Number(u.port), u.hostname, () => {
      sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    sock.setTimeout(5000, () => { sock.destroy(); rej(new Error('raw request timed out')); });
    sock.on('data', (d) => { data += d; });
    sock.on('end', () => res(data));
    sock.on('error', rej);
  });
}

let srv, c;
before(async () => {
  srv = await startServer({ args: ['--public-url', 'https://zhiyuan.example.cn'] });
  c = new Client(srv.url);
  await c.login('admin', srv.adminPassword);
});
after(async () => { if (srv) await digestClose(srv); await srv?.stop(); });

test('404 for unknown API paths and ids, 405 with Allow for wrong methods', async () => {
  let r = await c.get('/api/v1/nothing-here');
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  r = await c.get('/api/v1/users/abc');
  assert.equal(r.status, 404);
  r = await c.get('/api/v1/users/99999');
  assert.equal(r.status, 404);
  r = await c.request('PUT', '/api/v1/users', { a: 1 });
  assert.equal(r.status, 405);
  assert.match(r.headers.get('allow'), /GET/);
  assert.match(r.headers.get('allow'), /POST/);
  r = await c.request('DELETE', '/healthz');
  assert.equal(r.status, 405);
  r = await new Client(srv.url).get('/api/v1/users');
  assert.equal(r.status, 401);
});

test('the OpenAPI document is served and matches docs/openapi.json', async () => {
  const r = await c.get('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  const doc = JSON.parse(readFileSync(join(repoRoot, 'docs/openapi.json'), 'utf8'));
  assert.deepEqual(r.json, doc);
  assert.match(doc.openapi, /^3\.1/);
  for (const p of ['/healthz', '/api/v1/sessions', '/api/v1/sessions/current', '/api/v1/me', '/api/v1/tokens', '/api/v1/users', '/api/v1/audit-log']) {
    assert.ok(doc.paths[p], p);
  }
});

const built = existsSync(join(repoRoot, 'web/dist/index.html'));

test('the web console: types, ETag, gzip and SPA fallback', { skip: !built && 'web/dist not built' }, async () => {
  let r = await fetch(srv.url + '/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  const etag = r.headers.get('etag');
  assert.ok(etag);
  const html = await r.text();
  r = await fetch(srv.url + '/', { headers: { 'If-None-Match': etag } });
  assert.equal(r.status, 304);
  r = await fetch(srv.url + '/users/anything');
  assert.equal(r.status, 200);
  assert.equal(await r.text(), html, 'client routes fall back to index.html');
  const js = html.match(/src="(\/assets\/[^"]+\.js)"/);
  assert.ok(js, 'index.html links a script');
  r = await fetch(srv.url + js[1], { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /javascript/);
  assert.match(r.headers.get('cache-control'), /immutable/);
  r = await fetch(srv.url + '/assets/missing-file.js');
  assert.equal(r.status, 404);
  r = await fetch(srv.url + '/../../etc/passwd');
  assert.notEqual(r.status, 500);
});

test('SIGTERM finishes the request in flight, then exits 0', { timeout: 60_000 }, async () => {
  const s2 = await startServer();
  const cl = new Client(s2.url), probe = new Client(s2.url);
  // a login costs an argon2id verification: long enough to be in flight.
  // The signal goes once the server has it (its in-flight gauge counts
  // the login and the probe): a fixed wait raced a slow machine.
  let pending, inFlight = false;
  for (let attempt = 0; attempt < 10 && !inFlight; attempt++) {
    let done = false;
    pending = cl.post('/api/v1/sessions', { username: 'admin', password: s2.adminPassword });
    pending.finally(() => { done = true; }).catch(() => {});
    while (!done && !inFlight) {
      const m = await probe.get('/metrics');
      inFlight = !done && Number(m.text.match(/^zhiyuan_http_in_flight (\d+)$/m)?.[1]) >= 2;
      if (!inFlight) await new Promise((res) => setTimeout(res, 5));
    }
  }
  assert.ok(inFlight, 'a login was seen in flight');
  const stopping = s2.stop();
  const r = await pending;
  assert.equal(r.status, 201);
  const st = await stopping;
  assert.equal(st.code, 0);
});

test('with two database connections, forty requests at once are all answered', async () => {
  await assert.rejects(startServer({ args: ['--db-connections', '-1'] }), /exited \(2\)/);
  await assert.rejects(startServer({ args: ['--db-connections', 'many'] }), /exited \(2\)/);
  const s2 = await startServer({ args: ['--db-connections', '2'] });
  try {
    const a = new Client(s2.url);
    await a.login('admin', s2.adminPassword);
    const root = (await a.get('/api/v1/me')).json.org_id;
    const writes = Array.from({ length: 20 }, (_, i) => a.post('/api/v1/organizations',
      { name: `并发协会${i}`, kind: 'association', parent_id: root, region_code: '510115002000' }));
    const reads = Array.from({ length: 20 }, () => a.get('/api/v1/me'));
    const all = await Promise.all([...writes, ...reads]);
    assert.ok(all.every((r) => r.status === 201 || r.status === 200), all.map((r) => r.status).join(' '));
    const tree = await a.get('/api/v1/organizations?limit=100');
    assert.equal(tree.json.items.filter((o) => o.name.startsWith('并发协会')).length, 20);
  } finally {
    assert.equal((await s2.stop()).code, 0);
  }
});

test('the access log records requests without query strings', async () => {
  await c.get('/api/v1/users?q=13800001111');
  await c.get('/healthz');
  // the server flushes its access log at least once a second
  let log = '';
  for (let i = 0; i < 30 && !/"GET \/healthz" 200/.test(log); i++) {
    await new Promise((res) => setTimeout(res, 200));
    log = srv.accessLog();
  }
  assert.match(log, /"GET \/healthz" 200/);
  assert.ok(!log.includes('13800001111'));
});

// Write routes that end the caller's session or file: hostile input goes
// to them last, so every other route is reached signed in.
const ENDS_SESSION = ['DELETE /api/v1/sessions/current', 'POST /api/v1/me/password', 'POST /api/v1/me/volunteer/deletion'];

test('no input crashes the server or writes: hostile bodies to every write, hostile path parameters to every route', { timeout: 300_000 }, async () => {
  const doc = JSON.parse(readFileSync(join(repoRoot, 'docs/openapi.json'), 'utf8'));
  // a district where every {id} names a real object, so requests reach
  // their handlers instead of stopping at a missing row
  const { A } = await buildMatrixDistrict(srv.url, c, ['admin', 'recorder', 'social_worker', 'clerk', 'volunteer']);
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  // bodies no route may accept: refused with 4xx, nothing written
  const refused = {
    malformed: '{"a":', truncated: '{"name":"x"', nul: '{"name":"a\u0000b"}', rawNul: '\u0000',
    badUtf8: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]),
    loneSurrogate: '{"name":"\\ud800"}', deep, deepObject: '{"a":'.repeat(3000) + '1' + '}'.repeat(3000),
    duplicateKeys: '{"name":"a","name":"b","reason":"x","reason":"y","org_id":1,"org_id":2}',
    overLong: JSON.stringify({ name: 'x'.repeat(70000), reason: 'y'.repeat(70000), title: 'z'.repeat(70000) }),
    hugeNumber: '{"org_id":1e309,"volunteer_id":99999999999999999999999,"amount":-1e400}',
    manyKeys: '{' + '"k":1,'.repeat(5000) + '"z":0}',
  };
  // bodies that are JSON but the wrong shape: answered < 500
  const odd = ['', 'null', '{}', '[]', '"x"', '0', 'true', '{"username":{"$ne":1}}', '{"roles":[[[[1]]]],"org_id":1e309}',
    '{"name":12,"org_id":"1","volunteer_id":[1],"items":"x","minutes":"60","capacity":-1,"reason":null}',
    '{"id_number":"../../etc/passwd","code":"\' OR 1=1 --","name":"<script>alert(1)</script>"}'];
  const writes = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'get' || method === 'parameters') continue;
      writes.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path: fillPath(path, A), body: !!op.requestBody });
    }
  }
  writes.sort((x, y) => ENDS_SESSION.includes(x.key) - ENDS_SESSION.includes(y.key));
  const problems = [];
  let tried = 0, reached = 0;
  const statuses = {};
  const check = (what, r) => {
    tried++;
    statuses[r.status] = (statuses[r.status] || 0) + 1;
    if (r.status >= 500) problems.push(`${what} → ${r.status} ${r.text.slice(0, 100)}`);
    // the caller stays signed in: the request got past authentication
    if (r.status === 401) problems.push(`${what} → 401: the request never reached its handler`);
    else reached++;
  };

  // 1. bodies nobody may accept, to every write route that reads one,
  //    and hostile path parameters to every route: 4xx, nothing written
  const before = await dbDigest(srv);
  for (const w of writes.filter((x) => x.body && !ENDS_SESSION.includes(x.key))) {
    for (const [name, b] of Object.entries(refused)) {
      const r = await c.request(w.method, w.path, b);
      check(`${w.key} ${name}`, r);
      if (r.status < 400) problems.push(`${w.key} ${name} → ${r.status}: accepted`);
    }
  }
  const hostileParams = ['abc', '99999999999999999999999', '-1', '0', '1.5', '1e3', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..', '%00', '%ff%fe', '%20', 'x'.repeat(3000)];
  let params = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.includes('{')) continue;
    for (const method of Object.keys(item)) {
      const key = `${method.toUpperCase()} ${path}`;
      if (method === 'parameters' || ENDS_SESSION.includes(key)) continue;
      for (const v of hostileParams) {
        // one parameter hostile at a time, the others real
        for (const name of path.match(/\{\w+\}/g)) {
          const p = fillPath(path.replace(name, '\u0001'), A).replace('%01', v);
          const r = await c.request(method.toUpperCase(), p, item[method].requestBody ? '{}' : undefined);
          check(`${key} ${name}=${v.slice(0, 20)}`, r);
          params++;
          if (r.status < 400) problems.push(`${key} ${name}=${v.slice(0, 20)} → ${r.status}: accepted`);
        }
      }
    }
  }
  const changed = digestDiff(before, await dbDigest(srv));
  assert.deepEqual(changed, [], 'hostile bodies and path parameters changed tables');

  // 2. JSON of the wrong shape to every write (some routes rightly take
  //    an empty body): never ≥ 500, and always past authentication
  for (const w of writes) {
    for (const b of odd) {
      // a route that ends the session gets a new one for every body
      if (ENDS_SESSION.includes(w.key)) await c.login('admin', srv.adminPassword);
      check(`${w.key} ${JSON.stringify(b).slice(0, 40)}`, await c.request(w.method, w.path, b));
    }
  }
  await c.login('admin', srv.adminPassword);
  console.log(`count: hostile input (${srv.backend}): ${tried} requests (${Object.keys(refused).length} malformed bodies to each of ${writes.filter((x) => x.body).length} write routes that read one, ${odd.length} wrong-shaped bodies to all ${writes.length}, ${params} hostile path parameters), ${reached} past authentication, answers ${JSON.stringify(statuses)}, ${problems.length} problems`);
  assert.deepEqual(problems, []);
  for (const q of ['?limit=abc', '?limit=99999999999999999999', '?cursor=%00', '?q=%ff%fe', '?org_id=-1', '?action=' + 'x'.repeat(100)]) {
    for (const p of ['/api/v1/users', '/api/v1/audit-log', '/api/v1/organizations']) {
      const r = await c.get(p + q);
      assert.ok(r.status < 500, `${p}${q} → ${r.status}`);
    }
  }
  for (const p of ['/api/v1/users/%00', '/api/v1/users/99999999999999999999999', '/api/v1//users', '/' + 'a'.repeat(5000)]) {
    const r = await fetch(srv.url + p);
    assert.ok(r.status < 500, `${p.slice(0, 50)} → ${r.status}`);
  }
  // raw requests, so no client normalises the path first
  for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc/passwd', '/\\..\\etc\\passwd']) {
    const reply = await rawGet(srv.url, p);
    assert.ok(!reply.includes('root:'), `${p} leaked a file`);
    assert.ok(!/^HTTP\/1\.1 5/.test(reply), `${p} → ${reply.slice(0, 20)}`);
  }
  assert.equal((await c.get('/healthz')).status, 200);
});
