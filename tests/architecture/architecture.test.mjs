// The house rules of docs/architecture.md, held against the code: no file
// of src/ calls another in a loop, domains of src/app/ call only down the
// order the document draws, each table is written by the one file the
// document names, a domain includes only other domains' public headers,
// no source file is over 900 lines, and China time is computed in one
// place. Reads the object files of the build (nm), so it
// runs after `make server`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD = join(ROOT, process.env.ZHIYUAN_BUILD_DIR || 'build');
const DOC = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');

function sources(dir = 'src') {
  const out = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.[ch]$/.test(e.name)) out.push(rel);
  }
  return out.sort();
}

// The object file of each source of the library, by source path.
function objects() {
  const dir = join(BUILD, 'libzy.a.p');
  assert.ok(existsSync(dir), `no ${relative(ROOT, dir)}: build the server first (make server)`);
  const bySource = new Map();
  for (const src of sources().filter((p) => p.endsWith('.c') && p !== 'src/main.c')) {
    const obj = join(dir, `${src.replaceAll('/', '_')}.o`);
    assert.ok(existsSync(obj), `${src} has no object file in ${relative(ROOT, dir)}: is it in meson.build?`);
    bySource.set(src, obj);
  }
  return bySource;
}

// file -> Map(file it calls -> [symbols]), from what each object defines
// and what it leaves undefined.
function callGraph() {
  const defs = new Map();
  const undef = new Map();
  for (const [src, obj] of objects()) {
    const u = new Set();
    for (const line of execFileSync('nm', [obj], { encoding: 'utf8' }).split('\n')) {
      const p = line.trim().split(/\s+/);
      if (p.length === 3 && 'TDBR'.includes(p[1])) defs.set(p[2], src);
      else if (p.length === 2 && p[0] === 'U') u.add(p[1]);
    }
    undef.set(src, u);
  }
  const g = new Map();
  for (const [src, u] of undef) {
    const to = new Map();
    for (const sym of u) {
      const d = defs.get(sym);
      if (d && d !== src) to.set(d, [...(to.get(d) || []), sym]);
    }
    g.set(src, to);
  }
  return g;
}

// Strongly connected components of more than one file (Tarjan).
function circles(g) {
  let n = 0;
  const index = new Map(), low = new Map(), stack = [], on = new Set(), out = [];
  const visit = (v) => {
    index.set(v, n); low.set(v, n); n++; stack.push(v); on.add(v);
    for (const w of g.get(v)?.keys() || []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const c = [];
      let w;
      do { w = stack.pop(); on.delete(w); c.push(w); } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

// The room of a source: src/app/<domain>, or the floor (src/http, …).
function room(src) {
  const p = src.split('/');
  return p[1] === 'app' ? `app/${p[2]}` : p[1];
}

// "may call" lines of the document's rules block: `room -> room, room`.
function allowed() {
  const block = DOC.match(/```text rooms\n([\s\S]*?)```/);
  assert.ok(block, 'docs/architecture.md has no ```text rooms block');
  const may = new Map();
  for (const line of block[1].split('\n')) {
    const m = line.match(/^\s*([\w/]+)\s*->\s*(.*)$/);
    if (m) may.set(m[1], new Set(m[2].split(',').map((s) => s.trim()).filter((s) => s && s !== '(nothing)')));
  }
  return may;
}

test('no two source files of src/ call each other in a loop', () => {
  const found = circles(callGraph()).map((c) => c.join(' ↔ '));
  assert.deepEqual(found, []);
});

test('rooms call only the rooms docs/architecture.md allows', () => {
  const may = allowed();
  const wrong = [];
  for (const [from, to] of callGraph()) {
    for (const [target, syms] of to) {
      const a = room(from), b = room(target);
      if (a === b) continue;
      assert.ok(may.has(a), `docs/architecture.md does not say what ${a} may call`);
      if (!may.get(a).has(b)) wrong.push(`${from} -> ${target}: ${syms.sort().join(', ')}`);
    }
  }
  assert.deepEqual(wrong, []);
});

// Each domain of src/app/ shows other domains one public header,
// app/<domain>/<domain>.h (the kernel's is app/kernel/kernel.h); its
// module and private headers are for itself, http/ and main.c. A domain's
// headers include other domains' public headers only of rooms it may call.
test('a domain includes only other domains\' public headers', () => {
  const may = allowed();
  const wrong = [];
  for (const src of sources('src/app')) {
    const d = src.split('/')[2];
    readFileSync(join(ROOT, src), 'utf8').split('\n').forEach((line, i) => {
      const m = line.match(/^\s*#\s*include\s+"app\/(\w+)\/([\w.]+)"/);
      if (!m || m[1] === d) return;
      const at = `${src}:${i + 1}: ${line.trim()}`;
      if (m[2] !== `${m[1]}.h`) wrong.push(`${at} (not app/${m[1]}/${m[1]}.h)`);
      else if (src.endsWith('.h') && !may.get(`app/${d}`)?.has(`app/${m[1]}`)) wrong.push(`${at} (a higher room)`);
    });
  }
  assert.deepEqual(wrong, []);
  for (const d of readdirSync(join(ROOT, 'src/app'), { withFileTypes: true }).filter((e) => e.isDirectory()))
    if (d.name !== 'setup')
      assert.ok(existsSync(join(ROOT, 'src/app', d.name, `${d.name}.h`)), `src/app/${d.name} has no public header ${d.name}.h`);
});

// The table of owners: "| `table` | `src/...c` | ... |" rows under the
// heading "Who writes each table".
function owners() {
  const at = DOC.indexOf('## Who writes each table');
  assert.ok(at >= 0, 'docs/architecture.md has no "## Who writes each table" section');
  const own = new Map();
  for (const m of DOC.slice(at).matchAll(/^\| `(\w+)` \| `(src\/[\w/.]+\.c)` \|/gm)) own.set(m[1], m[2]);
  return own;
}

test('each table is written by the one file docs/architecture.md names', () => {
  const own = owners();
  const tables = new Set();
  for (const f of readdirSync(join(ROOT, 'src/store/migrations')).filter((n) => n.endsWith('.sql')))
    for (const m of readFileSync(join(ROOT, 'src/store/migrations', f), 'utf8').matchAll(/CREATE TABLE (\w+)/g))
      tables.add(m[1]);
  // tables a migration makes and drops again, for a rebuild
  for (const t of [...tables]) if (t.endsWith('_new')) tables.delete(t);
  assert.deepEqual([...tables].filter((t) => !own.has(t)).sort(), [], 'tables without an owner in the document');
  const wrong = [];
  for (const src of sources('src/app').filter((p) => p.endsWith('.c'))) {
    const text = readFileSync(join(ROOT, src), 'utf8');
    for (const m of text.matchAll(/\b(?:INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)/g)) {
      const t = m[1];
      if (!tables.has(t)) continue;
      if (own.get(t) !== src) wrong.push(`${src} writes ${t} (owner: ${own.get(t)})`);
    }
  }
  assert.deepEqual([...new Set(wrong)].sort(), []);
});

test('no source file of src/ is over 900 lines', () => {
  const long = sources().map((p) => [p, readFileSync(join(ROOT, p), 'utf8').split('\n').length - 1])
    .filter(([, n]) => n > 900).map(([p, n]) => `${p}: ${n}`);
  assert.deepEqual(long, []);
});

test('China time is computed in core/chinatime.c only', () => {
  const hand = [];
  for (const p of sources().filter((s) => !s.startsWith('src/core/chinatime.'))) {
    readFileSync(join(ROOT, p), 'utf8').split('\n').forEach((line, i) => {
      if (/\b8\s*\*\s*3600\b|\b28800\b|\b3600\s*\*\s*8\b/.test(line)) hand.push(`${p}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(hand, []);
});
