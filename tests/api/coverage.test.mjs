// Every OpenAPI operation and every command-line subcommand has a test
// (issue 11 §3): a new route or command without one fails here. The scan
// reads tests/api and tests/browser as text and looks for each
// operation's path (parameters as ${…}, a literal, or a string joined with
// +) sent with its method (.get/.post/.patch/.put/.del, request('X', …),
// method: 'X' or a helper named below). Subcommands are taken from
// `zhiyuan --help`: their words quoted in that order in an argument list,
// and each option the help line names (demo [--scale N]) near them.
// Exceptions are listed in EXCEPTIONS with the reason; keep it empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../lib/server.mjs';

/** 'METHOD /path' or 'cli WORDS' → why it has no test. */
const EXCEPTIONS = {};
/** Test helpers that send a request with a fixed method: name → method. */
const HELPERS = { upload: 'POST' };

const SELF = 'coverage.test.mjs';
function sources(dirs) {
  const out = [];
  for (const d of dirs) {
    for (const f of readdirSync(join(repoRoot, d))) {
      if (f.endsWith('.mjs') && f !== SELF) out.push(readFileSync(join(repoRoot, d, f), 'utf8'));
    }
  }
  return out.join('\n');
}
const esc = (s) => s.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');

/** The methods the text sends to an OpenAPI path ('GET?' for a bare mention). */
export function methodsFor(text, path) {
  const parts = path.split(/\{[^}]+\}/);
  const param = '(?:\\$\\{[^}]+\\}|[^/`\'"?\\s$]+)';
  const end = '(?=[`\'"?]|\\s*\\+)';
  let body = parts.map(esc).join(param) + end;
  // a path that ends in a parameter may be joined: '/api/v1/tokens/' + id
  if (parts[parts.length - 1] === '') {
    body = parts.slice(0, -1).map(esc).join(param) + '(?:' + param + end + '|[\'"]\\s*\\+)';
  }
  const re = new RegExp('[`\'"](?:\\$\\{[^}]+\\})?' + body, 'g');
  const seen = new Set();
  const helpers = Object.keys(HELPERS).join('|');
  for (const m of text.matchAll(re)) {
    const before = text.slice(Math.max(0, m.index - 120), m.index + 1);
    const after = text.slice(m.index, m.index + 300);
    let k = before.match(/\.(get|post|patch|put|del|delete|head)\(\s*[`'"]$/i);
    let meth = k ? k[1].toUpperCase() : null;
    if (!meth && (k = before.match(/request\(\s*['"](\w+)['"],\s*[`'"]$/))) meth = k[1].toUpperCase();
    if (!meth && (k = before.match(new RegExp('\\b(' + helpers + ')\\([^,()]*,\\s*[`\'"]$')))) meth = HELPERS[k[1]];
    if (!meth && (k = after.match(/^[^\n]*?method:\s*['"](\w+)['"]/))) meth = k[1].toUpperCase();
    seen.add(meth === 'DEL' ? 'DELETE' : meth || 'GET?');
  }
  return seen;
}

export function untestedOperations(text, spec) {
  const missing = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const m of Object.keys(ops)) {
      const method = m.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue;
      const seen = methodsFor(text, path);
      if (!seen.has(method) && !(method === 'GET' && seen.has('GET?'))) missing.push(`${method} ${path}`);
    }
  }
  return missing;
}

/** The subcommands `zhiyuan --help` lists: { words: ['user', 'reset-password'], options: ['--scale'] }. */
export function subcommands(help) {
  const list = help.split('commands:\n')[1].split('\n\n')[0];
  const out = [];
  for (const line of list.split('\n')) {
    const m = line.match(/^ {2}(\S.*?)(?: {2,}|$)/);
    if (!m) continue;
    const tokens = m[1].split(/\s+/);
    const words = [];
    for (const t of tokens) {
      if (!/^[a-z][a-z-]*$/.test(t)) break;
      words.push(t);
    }
    const options = [...m[1].matchAll(/--[a-z][a-z-]*/g)].map((x) => x[0]);
    out.push({ words, options });
  }
  return out;
}

export function untestedSubcommands(text, cmds) {
  const missing = [];
  for (const { words, options } of cmds) {
    const re = new RegExp('\\[\\s*' + words.map((w) => `'${esc(w)}'`).join(',\\s*') + '\\s*[,\\]]', 'g');
    const near = [...text.matchAll(re)].map((m) => text.slice(m.index, m.index + 400));
    if (!near.length) { missing.push(words.join(' ')); continue; }
    for (const o of options) {
      if (!near.some((s) => s.includes(`'${o}'`))) missing.push(`${words.join(' ')} ${o}`);
    }
  }
  return missing;
}

test('every OpenAPI operation is sent with its method by some test', () => {
  const spec = JSON.parse(readFileSync(join(repoRoot, 'docs/openapi.json'), 'utf8'));
  const text = sources(['tests/api', 'tests/browser']);
  const missing = untestedOperations(text, spec).filter((x) => !(x in EXCEPTIONS));
  assert.deepEqual(missing, [], 'operations without a test');
  for (const x of Object.keys(EXCEPTIONS)) {
    if (!x.startsWith('cli ')) assert.ok(untestedOperations(text, spec).includes(x), `${x} is tested now: drop its exception`);
  }
  // the scan can fail: an operation nobody sends, a wrong method, a bare path
  const fake = { paths: { '/api/v1/no-such/{id}/thing': { post: {} }, '/api/v1/records/{id}/approve': { put: {} } } };
  assert.deepEqual(untestedOperations(text, fake), ['POST /api/v1/no-such/{id}/thing', 'PUT /api/v1/records/{id}/approve']);
  assert.deepEqual([...methodsFor("c.del('/api/v1/tokens/' + id)", '/api/v1/tokens/{id}')], ['DELETE']);
  assert.deepEqual([...methodsFor('x.post(`/api/v1/records/${r.id}/approve`)', '/api/v1/records/{id}')], []);
});

test('every subcommand that zhiyuan --help lists, with the options it names, is run by some test', () => {
  const bin = process.env.ZHIYUAN_BIN || join(repoRoot, 'build/zhiyuan');
  const help = execFileSync(bin, ['--help'], { encoding: 'utf8' });
  const cmds = subcommands(help);
  const names = cmds.map((c) => c.words.join(' '));
  for (const c of ['serve', 'migrate', 'user reset-password', 'import regions', 'import volunteers', 'demo', 'verify',
    'check-ledger', 'expire-points', 'sweep-shifts', 'version', 'help']) assert.ok(names.includes(c), `--help lists ${c}`);
  const text = sources(['tests/api', 'tests/browser', 'tests/lib']);
  const missing = untestedSubcommands(text, cmds).filter((x) => !(('cli ' + x) in EXCEPTIONS));
  assert.deepEqual(missing, [], 'subcommands without a test');
  assert.deepEqual(untestedSubcommands(text, [{ words: ['zz-not-a-command'], options: [] }, { words: ['demo'], options: ['--no-such'] }]),
    ['zz-not-a-command', 'demo --no-such']);
});
