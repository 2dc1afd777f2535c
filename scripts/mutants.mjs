#!/usr/bin/env node
// `make mutants`: disables each authorisation check in src/app in turn (and
// a few other guards), rebuilds, runs the API suites that cover the file,
// and lists the mutants that no test noticed ("survived").
//
// The production code carries no markers. Mutation points are found by
// pattern in a mirror of the sources (build-mutants/tree; the worktree is
// never written):
//   - every authz_check(...) call, except AUTHZ_SELF (the HTTP layer answers
//     401 before a ROUTE_AUTH handler runs, so removing it changes nothing)
//     becomes (0 && authz_check(...)): allowed;
//   - every authz_refusal(...) outside authz.c becomes (0 ? authz_refusal(...) : NULL);
//   - every authz_in_scope(...) outside authz.c becomes (1 || authz_in_scope(...));
//   - every list filter arena_printf(.., "%s%%", r->who->org_path) binds "/"
//     (the whole tree) instead of the caller's subtree;
//   - the hand list GUARDS below: role tests, the rule table's dimensions in
//     authz.c, shift capacity, points balance, once-only approval and
//     redemption. Each names unique text in its file; the tool stops if the
//     text is gone or not unique, so the list cannot rot silently.
// A mutant is named file:line:function:what; line numbers are the
// worktree's at the time of the run. Survivors that no test can tell apart
// are listed in EQUIVALENT with the reason. Every mutant first runs the
// guards suite (and an authorisation matrix suite when there is one).
//
// Usage: node scripts/mutants.mjs [--list] [--only SUBSTR] [--full]
//          [--backend sqlite|postgresql] [--no-baseline] [--max N]
//          [--suites a,b] [--out DIR]
//   --only    run the mutants whose name contains SUBSTR (repeatable)
//   --suites  run these tests/api suites instead of the mapped ones
//   --out     the mirror, build and report directory (build-mutants); a
//             second directory lets a check run beside a long one
//   --full    a mutant that survives its mapped suites is tried against
//             every other API suite too before it counts as a survivor
// The worktree's src/app must not change while a run lasts (each mutant
// starts from the worktree's text of its file).
// Results: build-mutants/results.json and build-mutants/report.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, resolve, relative, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = { only: [], list: false, full: false, backend: 'sqlite', baseline: true, max: Infinity, out: 'build-mutants', suites: null };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--list') opt.list = true;
  else if (a === '--full') opt.full = true;
  else if (a === '--no-baseline') opt.baseline = false;
  else if (a === '--only') opt.only.push(args[++i]);
  else if (a === '--backend') opt.backend = args[++i];
  else if (a === '--max') opt.max = Number(args[++i]);
  else if (a === '--out') opt.out = args[++i];
  else if (a === '--suites') opt.suites = args[++i].split(',');
  else { console.error(`unknown option ${a}`); process.exit(2); }
}
const out = resolve(root, opt.out);
const tree = join(out, 'tree');
const bdir = join(tree, 'build');

// Which API suites exercise each file of src/app, most relevant first.
const SUITES = {
  'accounts.c': ['accounts', 'auth', 'users', 'claims'],
  'audit.c': ['users', 'auth', 'records'],
  'authz.c': ['users', 'volunteers', 'records', 'orgs', 'points', 'market', 'projects', 'stars'],
  'awards.c': ['awards', 'stars', 'homes'],
  'certificates.c': ['records', 'claims', 'entries'],
  'claims.c': ['claims'],
  'homes.c': ['homes'],
  'imports.c': ['imports', 'words', 'regions-shipped'],
  'shops.c': ['market', 'pay'],
  'goods.c': ['market', 'pay', 'ledger-property'],
  'vouchers.c': ['market', 'pay', 'points', 'entries', 'ledger-property'],
  'sales.c': ['pay', 'market', 'points', 'ledger-property'],
  'reconcile.c': ['market', 'pay'],
  'paycodes.c': ['pay', 'market'],
  'orgs.c': ['orgs', 'users', 'auth', 'orgsearch'],
  'orgsearch.c': ['orgsearch', 'orgs'],
  'orgref.c': ['volunteers', 'records', 'users', 'points', 'orgs', 'market', 'auth', 'orgsearch', 'projects'],
  'points.c': ['points', 'market', 'ledger-property', 'homes'],
  'ledger.c': ['points', 'market', 'ledger-property', 'pay', 'homes'],
  'projects.c': ['projects', 'homes'],
  'records.c': ['records', 'approvals', 'entries', 'chain', 'awards', 'stars'],
  'activities.c': ['records', 'entries', 'projects'],
  'entry.c': ['records', 'entries', 'approvals'],
  'writer.c': ['records', 'entries', 'projects', 'demo'],
  'decisions.c': ['approvals', 'records', 'entries', 'chain', 'points', 'stars'],
  'amendments.c': ['records', 'approvals', 'chain', 'points'],
  'record_json.c': ['records', 'approvals', 'entries', 'exports', 'words'],
  'approval.c': ['approvals', 'chain', 'points', 'stars', 'demo'],
  'chain.c': ['chain', 'approvals', 'records'],
  'totals.c': ['records', 'stars', 'approvals'],
  'archive.c': ['records', 'homes', 'stars', 'awards', 'exports'],
  'calendar.c': ['records', 'entries'],
  'regions.c': ['regions-shipped', 'imports', 'demo'],
  'rows.c': ['volunteers', 'records', 'users', 'points', 'orgs', 'market'],
  'shifts.c': ['projects', 'homes'],
  'signups.c': ['projects', 'signup-race', 'homes'],
  'attendance.c': ['projects', 'homes'],
  'projref.c': ['projects', 'homes'],
  'stars.c': ['stars', 'awards'],
  'training.c': ['records', 'projects'],
  'users.c': ['grants', 'accounts', 'users', 'auth'],
  'volunteers.c': ['volunteers', 'claims', 'imports', 'homes'],
  'volindex.c': ['volunteers', 'imports', 'claims'],
  'volfile.c': ['volunteers', 'claims', 'homes'],
  'volsearch.c': ['volunteers', 'claims'],
  'voledit.c': ['volunteers'],
  'vollife.c': ['volunteers', 'homes'],
  'volrights.c': ['volunteers', 'projects', 'homes'],
  'catalog.c': ['menu'],
  'menutree.c': ['menu'],
  'menuload.c': ['menu'],
  'orders.c': ['orders'],
  'orderview.c': ['orders'],
  'orderbook.c': ['orders'],
  'ratings.c': ['ratings'],
  'stats.c': ['ratings'],
  'suggest.c': ['dispatch'],
  'dispatch.c': ['dispatch'],
  'escalate.c': ['dispatch'],
};
// Suites a mutant also runs, wherever it is (added by other work on the
// issue: the guards suite and, when merged, the authorisation matrix).
const EXTRA = ['guards', 'matrix', 'authz-matrix'].filter((n) => existsSync(join(root, `tests/api/${n}.test.mjs`)));

// Other guards, and role tests that are not authz_check calls. find must
// occur exactly once in file; all edits of a mutant apply together.
const GUARDS = [
  { file: 'authz.c', name: 'rule-roles', edits: [['if (rules[i].roles && !(who->roles & rules[i].roles))', 'if (0)']] },
  { file: 'authz.c', name: 'rule-scoped', edits: [['if (rules[i].scoped && target_path && !authz_in_scope(who, target_path))', 'if (0)']] },
  { file: 'authz.c', name: 'rule-permission', edits: [['if (rules[i].permission && !authz_list_has(who->permissions, rules[i].permission))', 'if (0)']] },
  { file: 'authz.c', name: 'rule-root-only', edits: [['if (rules[i].root_only && who->org_parent_id != 0)', 'if (0)']] },
  // "/1/7/" must not contain "/1/70/": the trailing slash is the guard
  { file: 'authz.c', name: 'scope-prefix-slash', edits: [['size_t n = strlen(who->org_path);', 'size_t n = strlen(who->org_path) - 1;']] },
  { file: 'records.c', name: 'approve-admin-for-others', edits: [['if (!own && !(who->roles & ROLE_ADMIN))', 'if (0)']] },
  { file: 'records.c', name: 'approve-own-record', edits: [['if (own && !self_ok)', 'if (0)']] },
  { file: 'records.c', name: 'resubmit-admin-role', edits: [['!((r->who->roles & ROLE_ADMIN) && authz_in_scope', '!((1) && authz_in_scope']] },
  { file: 'records.c', name: 'self-declare-own-volunteer', edits: [['|| !owns_volunteer(r, vid))', '|| 0)']] },
  { file: 'records.c', name: 'approve-once (both layers)', edits: [
    ['if (strcmp(status, "submitted") != 0)\n\t\treturn "already_decided";', 'if (0)\n\t\treturn "already_decided";'],
    ['" WHERE id = $1 AND status = \'submitted\' RETURNING " CHAIN_COLUMNS', '" WHERE id = $1 RETURNING " CHAIN_COLUMNS']] },
  { file: 'records.c', name: 'approve-once (check)', edits: [['if (strcmp(status, "submitted") != 0)\n\t\treturn "already_decided";', 'if (0)\n\t\treturn "already_decided";']] },
  { file: 'records.c', name: 'approve-once (update)', edits: [['" WHERE id = $1 AND status = \'submitted\' RETURNING " CHAIN_COLUMNS', '" WHERE id = $1 RETURNING " CHAIN_COLUMNS']] },
  { file: 'market.c', name: 'voucher-lookup-clerk-only', edits: [['if (!(r->who->roles & ROLE_CLERK) && volunteer_access(', 'if (0 && volunteer_access(']] },
  { file: 'vouchers.c', name: 'redeem-once', edits: [['" WHERE id = $1 AND status = \'issued\' RETURNING spent");\n\tif (!st)\n\t\treturn STORE_ERROR;\n\tstore_bind_int(st, 1, c->id);\n\tstore_bind_int(st, 2, c->store_id);',
    '" WHERE id = $1 RETURNING spent");\n\tif (!st)\n\t\treturn STORE_ERROR;\n\tstore_bind_int(st, 1, c->id);\n\tstore_bind_int(st, 2, c->store_id);']] },
  { file: 'market.c', name: 'voucher-own-volunteer', edits: [['return own ? 0 : authz_check(r, (enum authz_action)action, *path);', 'return own ? 0 : (0 && authz_check(r, (enum authz_action)action, *path));'],
    ['if (authz_check(r, AUTHZ_SELF, NULL) != 0)\n\t\treturn -1;\n\treturn own ? 0', 'if (0)\n\t\treturn -1;\n\treturn own ? 0']] },
  { file: 'points.c', name: 'balance-not-negative', edits: [['" AND (kind <> \'volunteer\' OR balance >= $2) RETURNING kind, owner_id, balance");', '" RETURNING kind, owner_id, balance");']] },
  { file: 'signups.c', name: 'capacity', edits: [['" WHERE id = $1 AND confirmed < capacity RETURNING arrivals, confirmed, capacity");', '" WHERE id = $1 RETURNING arrivals, confirmed, capacity");']] },
  { file: 'signups.c', name: 'waitlist-capacity', edits: [['" WHERE id = $1 AND waitlisted < waitlist RETURNING arrivals, waitlisted, waitlist");', '" WHERE id = $1 RETURNING arrivals, waitlisted, waitlist");']] },
  { file: 'projref.c', name: 'paired-social-worker-role', edits: [['if (paired && r->who && (r->who->roles & ROLE_SOCIAL_WORKER))', 'if (paired && r->who)']] },
  { file: 'projects.c', name: 'pair-only-social-workers', edits: [['bool ok = rc == STORE_ROW && (roles_from_csv(store_col_text(st, 0)) & ROLE_SOCIAL_WORKER) &&', 'bool ok = rc == STORE_ROW &&']] },
  // issue 11: nobody widens their own access; sensitive grants from above
  { file: 'users.c', name: 'no-own-roles', edits: [['if (c.set_roles && c.roles != old_roles)', 'if (0)']] },
  { file: 'users.c', name: 'no-own-permissions', edits: [['if (c.set_permissions && strcmp(c.permissions, c.was_perms) != 0)', 'if (0)']] },
  { file: 'users.c', name: 'sensitive-needs-wider-scope', edits: [['if (guarded && !(wider_than(r->who, old_path) && wider_than(r->who, c.org_path))) {', 'if (0) {']] },
  { file: 'accounts.c', name: 'password-change-revokes-tokens', edits: [['rc = tokens_revoke_all(s, r->who->user_id, &c->tokens_revoked);', 'rc = STORE_OK;']] },
  // issue 11: points are paid with the volunteer's proof
  { file: 'sales.c', name: 'sale-needs-proof', edits: [['\tif (on_behalf) {\n\t\tif (!c.volunteer_id)', '\tif (on_behalf || !pay_code) {\n\t\tif (!c.volunteer_id)']] },
  { file: 'sales.c', name: 'on-behalf-scope', edits: [['if (on_behalf_check(r, &c) != 0)', 'if (0)']] },
  { file: 'sales.c', name: 'pay-code-throttle', edits: [['parallel guesses cannot all pass; a code that held is given back */\n\t\tif (wrong_proof_take(r, key) != 0)', 'parallel guesses cannot all pass; a code that held is given back */\n\t\tif (0)']] },
  { file: 'paycodes.c', name: 'pay-code-once', edits: [['"UPDATE pay_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL"', '"UPDATE pay_codes SET used_at = $2 WHERE code_hash = $1"']] },
  { file: 'paycodes.c', name: 'pay-code-expiry', edits: [['" AND expires_at > $2 RETURNING id, volunteer_id");', '" AND $2 > 0 RETURNING id, volunteer_id");']] },
  { file: 'claims.c', name: 'claim-no-staff-account', edits: [['if (has_account && roles != ROLE_VOLUNTEER)\n\t\treturn "staff_account";', 'if (0)\n\t\treturn "staff_account";']] },
  { file: 'claims.c', name: 'claim-no-disabled-account', edits: [['if (has_account && disabled)', 'if (0)']] },
];

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

// The C function a position lies in: the last definition line above it
// (column 0, "type name(" not ending in ';').
function functionAt(text, index) {
  const lines = text.slice(0, index).split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = lines[i].match(/^[a-z][\w ]*?[ *](\w+)\(/);
    if (m && !lines[i].trimEnd().endsWith(';')) return m[1];
  }
  return '?';
}

// Mutants that cannot change what a client sees, with the reason; keyed by
// file:function:kind so line moves do not matter. Reported as "equivalent".
const EQUIVALENT = {
  'orgs.c:orgs_list:authz_check(AUTHZ_ORGS_READ)': 'AUTHZ_ORGS_READ allows every signed-in role, and the HTTP layer already requires sign-in; the list is filtered on the subtree',
  'orgsearch.c:orgs_search:authz_check(AUTHZ_ORGS_READ)': 'AUTHZ_ORGS_READ allows every signed-in role, and the HTTP layer already requires sign-in; the search is filtered on the subtree',
  'users.c:users_update:authz_check(AUTHZ_USERS_WRITE)': 'load_user checked AUTHZ_USERS_READ on the same organisation just before, and the two rules are the same (admins, scoped); it keeps the write rule if they part',
  'service/entry.c:resubmit_check:authz_in_scope()': 'records_create checked AUTHZ_RECORDS_WRITE on the activity\'s organisation, and a correction must name the same activity, whose organisation is the record\'s; the role part is mutant resubmit-admin-role',
  'menu/menuload.c:menu_load:authz_check(AUTHZ_MENU_WRITE)': 'zhiyuan menu-load is its only caller and runs as the command line\'s principal, an admin of the root (app_cli_principal); the check keeps the rule if another caller comes',
  'service/decisions.c:decision_block:approve-once (check)': 'decide_tx updates only a submitted record and answers the same 409 already_decided; the pair is mutant approve-once (both layers)',
};

// The end of the call whose '(' is at open (strings in the arguments do not
// hold parentheses in these call sites; checked by the build).
function closeParen(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  throw new Error('unbalanced call at ' + open);
}

// Every .c file under src/app as a path relative to it ("kernel/authz.c").
function appFiles(dir = '') {
  const out = [];
  for (const e of readdirSync(join(root, 'src/app', dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...appFiles(rel));
    else if (e.name.endsWith('.c')) out.push(rel);
  }
  return out;
}

// The one file of src/app holding the first edit of guard g.
function guardFile(g) {
  const find = g.edits[0][0];
  const hits = appFiles().filter((f) => readFileSync(join(root, 'src/app', f), 'utf8').includes(find));
  if (hits.length !== 1)
    throw new Error(`mutants: "${find.split('\n')[0]}" is ${hits.length ? 'in several files of' : 'gone from'} src/app (${g.name}): update GUARDS in scripts/mutants.mjs`);
  return hits[0];
}

function enumerate() {
  const list = [];
  const skipped = [];
  for (const f of appFiles()) {
    const text = readFileSync(join(root, 'src/app', f), 'utf8');
    const calls = [
      { fn: 'authz_check', wrap: (c) => `(0 && ${c})` },
      { fn: 'authz_refusal', wrap: (c) => `(0 ? ${c} : NULL)` },
      { fn: 'authz_in_scope', wrap: (c) => `(1 || ${c})` },
    ];
    for (const { fn, wrap } of calls) {
      if (basename(f) === 'authz.c') continue;
      const re = new RegExp(`\\b${fn}\\(`, 'g');
      let m;
      while ((m = re.exec(text))) {
        const before = text.slice(Math.max(0, m.index - 40), m.index);
        if (/(^|\n)\s*(static\s+)?(int|bool|const char \*)\s*$/.test(before)) continue;   // a definition
        const end = closeParen(text, m.index + fn.length);
        const call = text.slice(m.index, end + 1);
        const action = (call.match(/AUTHZ_[A-Z_]+/g) || []).join('|') || (fn === 'authz_check' ? 'action' : '');
        const name = `${f}:${lineOf(text, m.index)}:${functionAt(text, m.index)}:${fn}(${action})`;
        if (fn === 'authz_check' && /AUTHZ_SELF/.test(call) && !/\?/.test(call)) {
          skipped.push({ name, why: 'AUTHZ_SELF: the HTTP layer refuses unauthenticated requests first' });
          continue;
        }
        list.push({ name, file: f, splices: [[m.index, end + 1, wrap(call)]] });
      }
    }
    const scope = /arena_printf\(r->arena, "%s%%", r->who->org_path\)/g;
    let m;
    while ((m = scope.exec(text))) {
      const call = m[0];
      list.push({ name: `${f}:${lineOf(text, m.index)}:${functionAt(text, m.index)}:scope_filter`, file: f,
        splices: [[m.index, m.index + call.length, 'arena_printf(r->arena, "%s%%", "/")']] });
    }
    const def = text.indexOf('*scope = r->who->org_path;');
    if (def >= 0)
      list.push({ name: `${f}:${lineOf(text, def)}:${functionAt(text, def)}:scope_default`, file: f,
        splices: [[def, def + '*scope = r->who->org_path;'.length, '*scope = "/";']] });
  }
  for (const g0 of GUARDS) {
    // A guard is found by its text wherever it lives in src/app, so that
    // moving code between rooms does not lose it; g.file is a hint only.
    const file = guardFile(g0);
    const g = { ...g0, file };
    // each edit where its text is: one layer of a guard may live in
    // another file than the first (approve-once: decisions.c's rule, the
    // writer's UPDATE); the others are applied with it as `also`
    const byFile = new Map();
    for (const [find, repl] of g.edits) {
      const f = guardFile({ ...g, edits: [[find, repl]] });
      const text = readFileSync(join(root, 'src/app', f), 'utf8');
      const at = text.indexOf(find);
      if (at < 0 || text.indexOf(find, at + 1) >= 0)
        throw new Error(`mutants: "${find.split('\n')[0]}" is ${at < 0 ? 'gone from' : 'not unique in'} src/app/${f}: update GUARDS in scripts/mutants.mjs`);
      if (!byFile.has(f)) byFile.set(f, []);
      byFile.get(f).push([at, at + find.length, repl]);
    }
    const text = readFileSync(join(root, 'src/app', g.file), 'utf8');
    const splices = byFile.get(g.file);
    const also = [...byFile].filter(([f]) => f !== g.file).map(([f, s]) => ({ file: f, splices: s }));
    const first = Math.min(...splices.map((s) => s[0]));
    list.push({ name: `${g.file}:${lineOf(text, first)}:${functionAt(text, first)}:${g.name}`, file: g.file, splices, also });
  }
  list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { list, skipped };
}

function applySplices(text, splices) {
  let s = text;
  for (const [a, b, repl] of [...splices].sort((x, y) => y[0] - x[0])) s = s.slice(0, a) + repl + s.slice(b);
  return s;
}

// Mirrors what the build reads into build-mutants/tree, writing only files
// whose content changed, so ninja's rebuild stays incremental.
function syncTree() {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', 'meson.build', 'meson_options.txt',
    'src', 'tools', 'data', 'docs/openapi.json', 'tests/unit'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const f of files) {
    const src = join(root, f);
    if (!existsSync(src) || !statSync(src).isFile()) continue;
    const dst = join(tree, f);
    const data = readFileSync(src);
    if (existsSync(dst) && readFileSync(dst).equals(data)) continue;
    mkdirSync(dirname(dst), { recursive: true });
    writeFileSync(dst, data);
  }
  if (!existsSync(join(bdir, 'build.ninja')))
    execFileSync('meson', ['setup', bdir, tree, '--buildtype=debugoptimized', '-Dwerror=false'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function build() {
  const r = spawnSync('ninja', ['-C', bdir, 'zhiyuan'], { encoding: 'utf8' });
  return { ok: r.status === 0, log: (r.stdout || '') + (r.stderr || '') };
}

// Runs one API suite against the mutant binary; the first failing test's name.
function runSuite(suite) {
  const t0 = Date.now();
  const env = { ...process.env, ZHIYUAN_BIN: join(bdir, 'zhiyuan'), ZHIYUAN_TEST_BACKEND: opt.backend };
  const r = spawnSync('node', ['--test', '--test-reporter=tap', `tests/api/${suite}.test.mjs`],
    { cwd: root, env, encoding: 'utf8', timeout: 300000, maxBuffer: 64 << 20 });
  const failed = r.status !== 0;
  let test = null;
  if (failed) {
    const m = (r.stdout || '').match(/^\s*not ok \d+ - (.*)$/m);
    test = m ? m[1].trim() : r.signal ? `timed out (${r.signal})` : `exit ${r.status}`;
  }
  return { failed, test, ms: Date.now() - t0 };
}

const started = Date.now();
const { list: all, skipped } = enumerate();
let mutants = opt.only.length ? all.filter((m) => opt.only.some((s) => m.name.includes(s))) : all;
mutants = mutants.slice(0, opt.max);
if (opt.list) {
  for (const m of mutants) console.log(m.name);
  for (const s of skipped) console.log(`(not mutated) ${s.name}: ${s.why}`);
  console.log(`${mutants.length} mutants, ${skipped.length} call sites not mutated`);
  process.exit(0);
}

mkdirSync(out, { recursive: true });
syncTree();
let b = build();
if (!b.ok) { console.error(b.log); console.error('mutants: the unmutated tree does not build'); process.exit(1); }

const allSuites = readdirSync(join(root, 'tests/api')).filter((n) => n.endsWith('.test.mjs')).map((n) => n.replace('.test.mjs', ''));
const broken = new Set();   // suites that fail without a mutant: not used
const baselined = new Set();
function usable(suite) {
  if (!opt.baseline || baselined.has(suite)) return !broken.has(suite);
  baselined.add(suite);
  const r = runSuite(suite);
  if (r.failed) {
    broken.add(suite);
    console.log(`  baseline: ${suite} fails without a mutant (${r.test}); not used`);
  }
  return !r.failed;
}

const results = [];
for (const [i, m] of mutants.entries()) {
  const t0 = Date.now();
  const path = join(tree, 'src/app', m.file);
  const original = readFileSync(join(root, 'src/app', m.file), 'utf8');
  let res = { name: m.name, status: 'survived', killer: null, suites: [] };
  try {
    // the baseline runs on the unmutated binary, so before the edit
    const suites = (opt.suites || [...new Set([...EXTRA, ...(SUITES[basename(m.file)] || allSuites)])]).filter((s) => allSuites.includes(s));
    const rest = opt.full ? allSuites.filter((s) => !suites.includes(s) && s !== 'i18n-keys') : [];
    if (opt.baseline) {
      const need = [...suites, ...rest].filter((s) => !baselined.has(s));
      if (need.length) {
        writeFileSync(path, original);
        if (!(b = build()).ok) throw new Error(b.log);
        need.forEach(usable);
      }
    }
    writeFileSync(path, applySplices(original, m.splices));
    for (const a of m.also || [])
      writeFileSync(join(tree, 'src/app', a.file), applySplices(readFileSync(join(root, 'src/app', a.file), 'utf8'), a.splices));
    b = build();
    if (!b.ok) {
      res.status = 'not_built';
      res.killer = b.log.split('\n').find((l) => /error/.test(l)) || 'build failed';
    } else {
      for (const s of [...suites, ...rest]) {
        if (broken.has(s)) continue;
        const r = runSuite(s);
        res.suites.push(s);
        if (r.failed) { res.status = 'killed'; res.killer = `${s}: ${r.test}`; break; }
      }
    }
  } finally {
    writeFileSync(path, original);
    for (const a of m.also || [])
      writeFileSync(join(tree, 'src/app', a.file), readFileSync(join(root, 'src/app', a.file), 'utf8'));
  }
  const key = m.name.replace(/:\d+:/, ':');
  if (res.status === 'survived' && EQUIVALENT[key]) { res.status = 'equivalent'; res.killer = EQUIVALENT[key]; }
  res.seconds = Math.round((Date.now() - t0) / 1000);
  results.push(res);
  console.log(`[${i + 1}/${mutants.length}] ${res.status.padEnd(9)} ${m.name}${res.killer ? '  <- ' + res.killer : ''}  (${res.seconds} s)`);
}
build();   // leave the mirror's binary unmutated

const count = (s) => results.filter((r) => r.status === s).length;
const secs = Math.round((Date.now() - started) / 1000);
const summary = `${results.length} mutants: ${count('killed')} killed, ${count('survived')} survived, ${count('equivalent')} equivalent, ${count('not_built')} not built; ${skipped.length} call sites not mutated; backend ${opt.backend}; ${secs} s`;
const when = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
writeFileSync(join(out, 'results.json'), JSON.stringify({ when, backend: opt.backend, seconds: secs, results, skipped, broken: [...broken] }, null, 2));
const md = [`# Mutants, ${when}`, '', summary, '', '| mutant | result | killed by / suites run |', '|---|---|---|',
  ...results.map((r) => `| ${r.name} | ${r.status} | ${r.killer ? r.killer.replace(/\|/g, '/') : r.suites.join(', ')} |`),
  '', ...skipped.map((s) => `- not mutated: ${s.name}: ${s.why}`), ''].join('\n');
writeFileSync(join(out, 'report.md'), md);
console.log('\nSurvivors:');
for (const r of results.filter((x) => x.status === 'survived')) console.log(`  ${r.name}  (ran ${r.suites.join(', ')})`);
console.log(summary);
console.log(`report: ${relative(root, join(out, 'report.md'))}`);
process.exit(0);
