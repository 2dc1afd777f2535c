// The HTTP edge (issue 11 findings 3, 7, 8): the client address behind a
// trusted proxy (--trusted-proxy, X-Forwarded-For, also when padded past
// 2 KB) for throttles, the audit log and the access log, each matched to its
// request, the account throttle keyed on the account, the per-address
// connection limit and the header timeout, and refused framing (400 for
// duplicate Content-Length or Transfer-Encoding with it, 431 for a header
// too large, also on a reused keep-alive connection). Other peer addresses
// are loopback ones (127.0.0.2 and up), which Linux routes without setup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';

const PER_IP = 20;
let srv, port;
before(async () => {
  srv = await startServer({
    args: ['--trusted-proxy', '127.0.0.1, 10.0.0.0/8', '--address-free-failures', '3',
      '--max-connections-per-ip', String(PER_IP), '--header-timeout', '2'],
  });
  port = Number(new URL(srv.url).port);
});
after(async () => { const st = await srv?.stop(); assert.equal(st.code, 0, 'server exits cleanly on SIGTERM'); });

const admin = async () => { const c = new Client(srv.url); await c.login('admin', srv.adminPassword); return c; };

/** One request from the local address `from` (a new connection). */
function send(from, method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== undefined) {
      body = JSON.stringify(body);
      h['Content-Type'] = 'application/json';
      h['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: h, localAddress: from, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const login = (from, xff, username, password) =>
  send(from, 'POST', '/api/v1/sessions', xff ? { 'X-Forwarded-For': xff } : {}, { username, password });

/** Writes raw bytes on a new connection from `from`; resolves with what came back when the server closes or after ms. */
function raw(data, { from = '127.0.0.1', ms = 3000 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from });
    let out = '';
    let error = null;
    const t = setTimeout(() => s.destroy(), ms);
    s.on('data', (d) => { out += d; });
    s.on('error', (e) => { error = e.code; });
    s.on('close', () => { clearTimeout(t); resolve({ out, error, status: Number((out.match(/^HTTP\/1\.1 (\d+)/) || [])[1]) }); });
    s.write(data);
  });
}

const auditFor = async (c, action) => (await c.get(`/api/v1/audit-log?action=${action}&limit=200`)).json.items;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Polls cond() every 50 ms until it returns something truthy (returned), or fails after ms. */
async function until(what, cond, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

test('behind a trusted proxy the client is the rightmost untrusted X-Forwarded-For hop; others are not believed', async () => {
  const c = await admin();
  const org = (await c.get('/api/v1/me')).json.org_id;
  // what a client writes on the left of the chain, past the 2 KB the server keeps
  const pad = '6.6.6.6, '.repeat(400);
  const cases = [
    // [what, peer, X-Forwarded-For, the client the server must record]
    ['from the trusted proxy: the client it names', '127.0.0.1', '198.51.100.20', '198.51.100.20'],
    ['a chain: the left is not believed, trusted hops on the right are skipped', '127.0.0.1', '6.6.6.6, 198.51.100.21, 10.1.2.3', '198.51.100.21'],
    ['from a peer that is not trusted the header is ignored', '127.0.0.2', '198.51.100.22', '127.0.0.2'],
    ['garbage in the chain: the hop that appended it (the proxy) is the client', '127.0.0.1', 'not-an-address', '127.0.0.1'],
    ['a chain padded past 2 KB on the left still names its client', '127.0.0.1', `${pad}198.51.100.23, 10.1.2.3`, '198.51.100.23'],
    ['padding in a header line of its own does not hide the client either', '127.0.0.1', [pad, '198.51.100.24'], '198.51.100.24'],
  ];
  // one account per case, so that each failed login is found by its target
  const ids = [];
  for (let i = 0; i < cases.length; i++) {
    const r = await c.post('/api/v1/users', { username: `edge-xff-${i}`, password: 'Right-pass-4711', roles: ['clerk'], org_id: org });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  for (const [i, [what, from, xff]] of cases.entries()) {
    assert.equal((await login(from, xff, `edge-xff-${i}`, 'wrong-password-1')).status, 401, what);
    // and a request of its own for the access log (one path per case)
    assert.equal((await send(from, 'GET', `/api/v1/edge-probe-${i}`, { 'X-Forwarded-For': xff })).status, 404, what);
  }
  const items = await auditFor(c, 'session.login_failed');
  for (const [i, [what, , , want]] of cases.entries()) {
    assert.deepEqual(items.filter((e) => e.target_id === ids[i]).map((e) => e.client_addr), [want], what);
  }
  // the access log names the same client for each (it is flushed within a second or so)
  const log = await until('every probe in the access log', () => {
    const text = srv.accessLog();
    return cases.every((_, i) => text.includes(`"GET /api/v1/edge-probe-${i}"`)) && text;
  });
  for (const [i, [what, , , want]] of cases.entries()) {
    const lines = log.split('\n').filter((l) => l.includes(`"GET /api/v1/edge-probe-${i}"`));
    assert.deepEqual(lines.map((l) => l.split(' ').slice(1, 5).join(' ')), [`${want} "GET /api/v1/edge-probe-${i}" 404`], what);
  }
});

test('made-up names from one forwarded client do not lock the admin out from another', async () => {
  // 3 free failures per address in this server: the guesser is throttled...
  for (let i = 1; i <= 3; i++) assert.equal((await login('127.0.0.1', '203.0.113.5', `edge-guess-${i}`, 'wrong-password-1')).status, 401);
  let r = await login('127.0.0.1', '203.0.113.5', 'edge-guess-4', 'wrong-password-1');
  assert.equal(r.status, 429);
  assert.equal(r.json.error.code, 'too_many_attempts');
  // ...and cannot shake it off by writing another address in front of its own
  r = await login('127.0.0.1', '192.0.2.99, 203.0.113.5', 'admin', srv.adminPassword);
  assert.equal(r.status, 429, 'a forged left-hand hop changes nothing');
  // the admin behind the same proxy signs in
  r = await login('127.0.0.1', '203.0.113.6', 'admin', srv.adminPassword);
  assert.equal(r.status, 201, r.text);
});

test('self-registration is throttled per forwarded client, not for everyone behind the proxy', async () => {
  const register = (from, xff) => send(from, 'POST', '/api/v1/public/volunteers', xff ? { 'X-Forwarded-For': xff } : {}, {});
  // every attempt counts, valid or not; ten are free per address
  for (let i = 1; i <= 10; i++) {
    const r = await register('127.0.0.1', '203.0.113.70');
    assert.notEqual(r.status, 429, `attempt ${i}: ${r.text}`);
  }
  const r = await register('127.0.0.1', '203.0.113.70');
  assert.equal(r.status, 429);
  assert.equal(r.json.error.code, 'too_many_registrations');
  // another client behind the proxy, and the proxy's own address, go on
  for (const [from, xff] of [['127.0.0.1', '203.0.113.71'], ['127.0.0.1', undefined], ['127.0.0.6', '203.0.113.70']]) {
    const other = await register(from, xff);
    assert.notEqual(other.status, 429, `${from} ${xff}: ${other.text}`);
    assert.deepEqual([other.status, other.json.error.code], [422, 'required'], 'refused for its empty body only');
  }
});

test('a username (in any case) and the phone number of one account share its throttle', async () => {
  const c = await admin();
  const org = (await c.get('/api/v1/me')).json.org_id;
  const phone = '139' + String(Date.now() % 100000000).padStart(8, '0');
  assert.equal((await c.post('/api/v1/users', { username: 'edgeThrottled', password: 'Right-pass-4711', roles: ['clerk'], org_id: org, phone })).status, 201);
  // five failures are free per account; each from its own forwarded address so the address throttle stays out of it
  const typed = [phone, 'edgethrottled', phone, 'EDGETHROTTLED', 'edgeThrottled'];
  for (let i = 0; i < typed.length; i++) {
    const r = await login('127.0.0.1', `198.51.100.${100 + i}`, typed[i], 'wrong-password-1');
    assert.equal(r.status, 401, `failure ${i + 1} (${typed[i]}): ${r.text}`);
  }
  for (const [i, who] of [phone, 'edgeThrottled', 'EdgeThrottled'].entries()) {
    const r = await login('127.0.0.1', `198.51.100.${110 + i}`, who, 'Right-pass-4711');
    assert.equal(r.status, 429, `${who} is throttled: ${r.text}`);
  }
  // another account is not
  assert.equal((await login('127.0.0.1', '198.51.100.120', 'admin', srv.adminPassword)).status, 201);
});

test('ambiguous framing is refused with 400 and nothing is written; a header of 100 KB gets 431', async () => {
  const c = await admin();
  const tok = await c.post('/api/v1/tokens', { name: 'edge raw' });
  assert.equal(tok.status, 201);
  const count = async () => (await c.get('/api/v1/tokens')).json.items.length;
  const before = await count();
  const body = JSON.stringify({ name: 'smuggled' });
  const head = `POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok.json.token}\r\nContent-Type: application/json\r\nAccept-Language: en\r\n`;
  const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  const cases = {
    'two different Content-Length': `${head}Content-Length: ${body.length}\r\nContent-Length: 4\r\n\r\n${body}`,
    'two equal Content-Length': `${head}Content-Length: ${body.length}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    'Transfer-Encoding and Content-Length': `${head}Transfer-Encoding: chunked\r\nContent-Length: ${body.length}\r\n\r\n${chunked}`,
    'Content-Length and Transfer-Encoding': `${head}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
  };
  for (const [name, data] of Object.entries(cases)) {
    const r = await raw(data);
    assert.equal(r.status, 400, `${name}: ${r.out.slice(0, 200)}`);
    const json = JSON.parse(r.out.slice(r.out.indexOf('\r\n\r\n') + 4));
    assert.equal(json.error.code, 'ambiguous_framing', name);
    assert.match(json.error.message, /ambiguous/);
    assert.match(r.out, /\r\nConnection: close\r\n/i, `${name}: the connection is not reused`);
  }
  assert.equal(await count(), before, 'nothing was written');
  // the same request with one length is fine (the cases above failed for their framing only)
  const ok = await raw(`${head}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  assert.equal(ok.status, 201, ok.out.slice(0, 300));
  assert.equal(await count(), before + 1);

  const big = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`);
  assert.equal(big.status, 431, big.out.slice(0, 200) || big.error);
  assert.equal((await send('127.0.0.1', 'GET', '/healthz')).status, 200, 'and the server serves on');
});

/**
 * Sends data in pieces of `piece` bytes (8 KB, as a client on a real
 * network does) and reads only after the last one; resolves with the answer
 * and any socket error. A server that closes with the rest unread makes the
 * kernel reset the connection, and the client never reads its answer.
 * With `first`, that request goes first on the same (keep-alive)
 * connection and its whole answer is read before data is sent.
 */
function piecewise(data, { first, piece = 8192, gap = 2 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let out = '';
    let error = null;
    let firstAnswer = null;
    let off = 0;
    const next = () => {
      if (s.destroyed) return;
      if (off >= data.length) { s.end(); return; }
      const p = data.slice(off, off + piece);
      off += p.length;
      s.write(p, () => setTimeout(next, gap));
    };
    s.on('data', (d) => {
      out += d;
      if (first && firstAnswer === null) {
        const end = out.indexOf('\r\n\r\n');
        const len = Number((out.match(/\r\ncontent-length: *(\d+)/i) || [])[1]);
        if (end >= 0 && Number.isInteger(len) && out.length >= end + 4 + len) {
          firstAnswer = out.slice(0, end + 4 + len);
          out = out.slice(end + 4 + len);
          next();
        }
      }
    });
    s.on('error', (e) => { error = e.code; });
    s.on('close', () => resolve({ out, error, firstAnswer, status: Number((out.match(/^HTTP\/1\.1 (\d+)/) || [])[1]) }));
    if (first) s.write(first); else next();
  });
}

test('a client still sending a refused request reads its 431 or 400, not a reset', async () => {
  const header = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`;
  for (let i = 0; i < 3; i++) {
    const r = await piecewise(header);
    assert.deepEqual([r.status, r.error], [431, null], `try ${i + 1}: ${r.out.slice(0, 80)}`);
  }
  const body = 'x'.repeat(200 * 1024);
  const r = await piecewise(`POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\nContent-Length: 5\r\n\r\n${body}`);
  assert.deepEqual([r.status, r.error], [400, null], r.out.slice(0, 80));
});

test('on a keep-alive connection, a later request refused with 431 is read too, not reset', async () => {
  // the first request is answered in full; the second's header is too
  // large, and MHD refuses it before the server sees it. Pieces of 1 KB
  // 10 ms apart leave nothing unread when MHD closes, which is when a
  // connection still taken for settled by its first request was closed
  // without the drain (EPIPE on every try before the fix; about 1 s each)
  const header = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`;
  for (let i = 0; i < 2; i++) {
    const r = await piecewise(header, { first: 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', piece: 1024, gap: 10 });
    assert.match(r.firstAnswer || '', /^HTTP\/1\.1 200/, `try ${i + 1}: the first request is answered`);
    assert.deepEqual([r.status, r.error], [431, null], `try ${i + 1}: ${r.out.slice(0, 80)}`);
  }
});

test('connections per address are limited; other addresses (and this one, later) are served', async () => {
  // 127.0.0.3 is used by this test only: PER_IP keep-alive connections are answered and stay open
  const from = '127.0.0.3';
  const socks = [];
  const answers = [];
  for (let i = 0; i < PER_IP + 5; i++) {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from });
    socks.push(s);
    answers.push(new Promise((resolve) => {
      let out = '';
      s.on('data', (d) => { out += d; if (out.includes('\r\n\r\n')) resolve(out); });
      s.on('error', () => {});
      s.on('close', () => resolve(out));
    }));
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  }
  const outs = await Promise.all(answers);
  const served = outs.filter((o) => o.startsWith('HTTP/1.1 200')).length;
  assert.equal(served, PER_IP, `answered ${served} of ${PER_IP + 5}`);
  assert.equal(outs.filter((o) => o === '').length, 5, 'the rest are closed unanswered');
  // meanwhile another address is served
  assert.equal((await send('127.0.0.4', 'GET', '/healthz')).status, 200);
  for (const s of socks) s.destroy();
  // once they are gone, the address is served again
  let status = 0;
  for (let i = 0; i < 20 && status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    status = await send(from, 'GET', '/healthz').then((r) => r.status, () => 0);
  }
  assert.equal(status, 200);
});

test('a client silent while its headers are awaited is closed after --header-timeout; a slow body is not', async () => {
  // A timeout can only be tested in real time. The bounds are wide on
  // purpose (CI shares two cores, and MHD checks timeouts about once a
  // second): closed no sooner than 1 s (the 2 s header timeout less that
  // granularity: not refused at once) and within 12 s (well before the
  // 30 s idle timeout, the one that would apply if the header timeout did
  // not). The slow body is judged by order, not by a clock: it must
  // outlive the slow header by more than a whole header timeout.
  const started = Date.now();
  const open = (data) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.5' });
    const w = { out: '', closedAfter: null, socket: s };
    w.closed = new Promise((resolve) => s.on('close', () => { w.closedAfter = Date.now() - started; resolve(); }));
    s.on('data', (d) => { w.out += d; });
    s.on('error', () => {});
    s.write(data);
    return w;
  };
  const within = (w, ms) => {
    let t;
    return Promise.race([w.closed, new Promise((r) => { t = setTimeout(r, ms); })]).finally(() => clearTimeout(t));
  };
  // half a request line, then nothing
  const slowHeader = open('GET /healthz HTTP/1.1\r\nHost: x\r\n');
  // one full request, then silence before the next
  const keptAlive = open('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  // headers in, the body comes slowly: the idle timeout (30 s) applies
  const slowBody = open('POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"user');
  await Promise.all([within(slowHeader, 12000), within(keptAlive, 12000)]);
  for (const [what, w] of [['slow header', slowHeader], ['idle keep-alive', keptAlive]]) {
    assert.ok(w.closedAfter !== null && w.closedAfter >= 1000 && w.closedAfter <= 12000, `${what} closed after ${w.closedAfter} ms`);
  }
  assert.equal(slowHeader.out, '', 'closed without an answer');
  assert.match(keptAlive.out, /^HTTP\/1\.1 200/);
  // a whole header timeout (2 s) and MHD's granularity (1 s) after the last of them
  await within(slowBody, Math.max(slowHeader.closedAfter, keptAlive.closedAfter) + 3000 - (Date.now() - started));
  assert.equal(slowBody.closedAfter, null, 'a body in progress is given the longer idle timeout');
  for (const w of [slowHeader, keptAlive, slowBody]) w.socket.destroy();
});
