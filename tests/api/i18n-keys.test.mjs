// Every message key the web console uses exists in both locales (zh-CN and
// en), so no page shows a raw key such as points.cause.voucher. Reads the
// sources, no server: static keys (t('…'), $t('…'), te('…'), i18n-t
// keypath), key-like string literals kept in tables (ACTION_DONE, menu
// labels), and keys built from a prefix and a value (`points.cause.${c}`),
// checked against every value the server can send (docs/openapi.json and
// the C source) or the console offers (its own lists).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = join(ROOT, 'web', 'src');
const LOCALES = join(WEB, 'locales');

// ---- the messages, merged as the console merges them ----

function merge(into, from) {
  for (const [k, v] of Object.entries(from)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) merge((into[k] ??= {}), v);
    else into[k] = v;
  }
  return into;
}

function flatten(obj, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v, key, out);
    else out.set(key, v);
  }
  return out;
}

async function loadLocale(tag) {
  // zh-CN.js / en.js and every <area>-zh-CN.js / <area>-en.js beside them
  const files = readdirSync(LOCALES).filter((f) => f === `${tag}.js` || f.endsWith(`-${tag}.js`)).sort();
  const messages = {};
  for (const f of files) merge(messages, (await import(pathToFileURL(join(LOCALES, f)))).default);
  return { files, messages, leaves: flatten(messages) };
}

const zh = await loadLocale('zh-CN');
const en = await loadLocale('en');
const NAMESPACES = new Set([...Object.keys(zh.messages), ...Object.keys(en.messages)]);

// A key as a message (a leaf) or, for prefixes, as a group of messages.
function hasLeaf(locale, key) {
  return typeof locale.leaves.get(key) === 'string';
}
function hasGroup(locale, key) {
  return [...locale.leaves.keys()].some((k) => k.startsWith(`${key}.`));
}

// ---- the sources ----

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (p === LOCALES) continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(vue|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

// Comments say things like "points.cause.<cause>"; only code counts.
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1').replace(/<!--[\s\S]*?-->/g, '');
}

const SOURCES = walk(WEB).map((p) => ({ path: relative(ROOT, p), text: stripComments(readFileSync(p, 'utf8')) }));
const lineOf = (text, index) => text.slice(0, index).split('\n').length;

// t('a.b'), $t("a.b"), te('a.b'), tm('a.b'), i18n.global.t('a.b')
const STATIC_CALL = /(?<![\w$.])(?:\$?t|te|tm|i18n\.global\.t)\(\s*(['"])([^'"\n]+)\1/g;
// <i18n-t keypath="a.b"> (and the <I18nT> spelling)
const KEYPATH = /<(?:i18n-t|I18nT)\b[^>]*?\bkeypath=(['"])([^'"]+)\1/g;
// t(`a.${x}.b`)
const TEMPLATE_CALL = /(?<![\w$.])(?:\$?t|te)\(\s*`([^`]*)`/g;
// any 'word.word' literal (single quotes: in templates, double quotes hold
// expressions such as v-if="archive.next_cursor")
const LITERAL = /(')([a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)\1/g;
// any `ns.…${…}…` template whose first word is a message namespace, wherever
// it stands (t(n === 1 ? `a.${k}One` : `a.${k}`) has two)
const TEMPLATE_ANY = /`([a-z][A-Za-z0-9_]*\.[^`]*\$\{[^`]*)`/g;

function staticKeys() {
  const found = [];
  for (const { path, text } of SOURCES) {
    for (const re of [STATIC_CALL, KEYPATH]) {
      for (const m of text.matchAll(re)) found.push({ key: m[2], where: `${path}:${lineOf(text, m.index)}`, leaf: true });
    }
    for (const m of text.matchAll(LITERAL)) {
      const key = m[2];
      if (!NAMESPACES.has(key.split('.')[0]) || /\.(js|mjs|vue|css|json|csv|xlsx|pdf)$/.test(key)) continue;
      found.push({ key, where: `${path}:${lineOf(text, m.index)}`, leaf: false });
    }
  }
  return found;
}

function templateKeys() {
  const found = [];
  for (const { path, text } of SOURCES) {
    const seen = new Set();
    for (const re of [TEMPLATE_CALL, TEMPLATE_ANY]) {
      for (const m of text.matchAll(re)) {
        if (!m[1].includes('${') || seen.has(m.index + m[0].indexOf(m[1]))) continue;
        if (re === TEMPLATE_ANY && !NAMESPACES.has(m[1].split('.')[0])) continue;
        seen.add(m.index + m[0].indexOf(m[1]));
        const pattern = m[1].replace(/\$\{[^}]*\}/g, '${}');
        found.push({ pattern, expr: m[1], where: `${path}:${lineOf(text, m.index)}` });
      }
    }
  }
  return found;
}

// ---- where the values of dynamic keys come from ----

const openapi = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
// The enum of components.schemas.<schema>.<a.b.c> (through properties and items).
function apiEnum(schema, path) {
  let node = openapi.components.schemas[schema];
  for (const part of path.split('.')) {
    node = node?.properties?.[part] ?? node?.items?.properties?.[part];
    if (node?.type === 'array' && node.items?.enum) node = node.items;
  }
  assert.ok(Array.isArray(node?.enum), `docs/openapi.json has no enum at ${schema}.${path}`);
  return node.enum.filter((v) => v !== null);
}

// A constant list of the console: export const NAME = [ … ] in a source file
// (literals only), or one field of its objects.
function uiList(file, name, field) {
  const text = readFileSync(join(WEB, file), 'utf8');
  const start = text.search(new RegExp(`const ${name} = \\[`));
  assert.ok(start >= 0, `${file} has no list ${name}`);
  let depth = 0;
  let i = text.indexOf('[', start);
  const from = i;
  for (; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']' && --depth === 0) break;
  }
  const list = new Function(`return ${text.slice(from, i + 1)}`)();
  return field ? list.map((x) => x[field]) : list;
}

// The point movement causes the C source writes (".cause = …" with every
// string of the expression): the API document must list them all.
function causesInC() {
  const dir = join(ROOT, 'src', 'app');
  const causes = new Set();
  for (const f of readdirSync(dir, { recursive: true }).filter((n) => n.endsWith('.c'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/\.cause\s*=\s*([^,;}]+)/g)) for (const s of m[1].matchAll(/"(\w+)"/g)) causes.add(s[1]);
  }
  return [...causes];
}

function orgCounts() {
  const text = readFileSync(join(WEB, 'views', 'OrganizationsView.vue'), 'utf8');
  return [...text.matchAll(/\bcount\('(\w+)'/g)].map((m) => m[1]);
}

// Dynamic keys, by their shape with ${} for each value: the values each
// can take. A new dynamic key fails this test until it is listed here.
const keysOf = (pattern, values) => values.map((v) => pattern.replace('${}', String(v)));
const DYNAMIC = {
  'points.cause.${}': () => keysOf('points.cause.${}', [...new Set([...apiEnum('PointMovement', 'cause'), ...causesInC()])]),
  'points.note.${}': () => keysOf('points.note.${}', uiList('points.js', 'NOTED_CAUSES')),
  'quality.${}': () => keysOf('quality.${}', apiEnum('Record', 'quality')),
  'recStatus.${}': () => keysOf('recStatus.${}', apiEnum('Record', 'status')),
  'signupStatus.${}': () => keysOf('signupStatus.${}', apiEnum('Signup', 'status')),
  'projectStatus.${}': () => keysOf('projectStatus.${}', apiEnum('Project', 'status')),
  'domain.${}': () => keysOf('domain.${}', apiEnum('Project', 'domain')),
  'volStatus.${}': () => keysOf('volStatus.${}', apiEnum('Volunteer', 'status')),
  'orgStatus.${}': () => keysOf('orgStatus.${}', apiEnum('Org', 'status')),
  'kinds.${}': () => keysOf('kinds.${}', apiEnum('Org', 'kind')),
  'gender.${}': () => keysOf('gender.${}', apiEnum('Volunteer', 'gender')),
  'idTypes.${}': () => keysOf('idTypes.${}', apiEnum('Volunteer', 'id_type')),
  'roles.${}': () => keysOf('roles.${}', apiEnum('User', 'roles')),
  'status.${}': () => keysOf('status.${}', apiEnum('User', 'status')),
  'market.status.${}': () => keysOf('market.status.${}', apiEnum('Voucher', 'status')),
  'cert.${}': () => keysOf('cert.${}', apiEnum('Certificate', 'status')),
  'awards.status.${}': () => keysOf('awards.status.${}', apiEnum('AwardRound', 'nominations.status')),
  'awards.source.${}': () => keysOf('awards.source.${}', apiEnum('Archive', 'awards.source')),
  'awards.kind.${}': () => keysOf('awards.kind.${}', [...new Set([...apiEnum('AwardType', 'target'), ...apiEnum('HonourRoll', 'items.kind')])]),
  'stars.presets.${}': () => keysOf('stars.presets.${}', apiEnum('StarLevels', 'preset')),
  'memberRoles.${}': () => keysOf('memberRoles.${}', uiList('components/VolunteerProfile.vue', 'MEMBER_ROLES')),
  'idcheck.${}': () => keysOf('idcheck.${}', [...readFileSync(join(WEB, 'idcard.js'), 'utf8').matchAll(/code: '(\w+)'/g)].map((m) => m[1])),
  'skills.${}': () => keysOf('skills.${}', uiList('volunteer.js', 'SKILLS', 'key')),
  'categories.${}': () => keysOf('categories.${}', uiList('volunteer.js', 'CATEGORIES', 'key')),
  'education.${}': () => keysOf('education.${}', uiList('volunteer.js', 'EDUCATIONS', 'key')),
  'pointRules.${}': () => keysOf('pointRules.${}', uiList('points.js', 'RULE_CAPS')),
  'weekday.d${}': () => keysOf('weekday.d${}', uiList('projects.js', 'WEEKDAYS')),
  'proj.${}': () => keysOf('proj.${}', uiList('projects.js', 'PROJECT_ACTIONS', 'action')),
  'proj.${}Confirm': () => keysOf('proj.${}Confirm', uiList('projects.js', 'PROJECT_ACTIONS', 'action')),
  'homeOrg.kind.${}': () => keysOf('homeOrg.kind.${}', apiEnum('PublicOrg', 'kind')),
  'homeOrg.near.${}': () => keysOf('homeOrg.near.${}', apiEnum('PublicOrg', 'near')),
  'homeOrg.status.${}': () => keysOf('homeOrg.status.${}', [...new Set([...apiEnum('JoinRequest', 'status'), ...uiList('views/JoinRequestsView.vue', 'STATUSES')])]),
  'entries.why.${}': () => keysOf('entries.why.${}', apiEnum('Record', 'approve_block')),
  'entries.block.${}': () => keysOf('entries.block.${}', apiEnum('Record', 'approve_block')),
  'entries.${}': () => keysOf('entries.${}', uiList('views/MyEntriesView.vue', 'FILTERS')),
  // residents' orders (点菜)
  'order.status.${}': () => keysOf('order.status.${}', apiEnum('Order', 'status')),
  'order.channel.${}': () => keysOf('order.channel.${}', apiEnum('Order', 'channel')),
  'order.group.${}': () => keysOf('order.group.${}', apiEnum('OrderNew', 'vulnerable_groups')),
  'order.eventActor.${}': () => keysOf('order.eventActor.${}', apiEnum('OrderEvent', 'actor_kind')),
  'order.reasonKey.${}': () => keysOf('order.reasonKey.${}', uiList('orders.js', 'SYSTEM_REASONS')),
  'order.col.${}': () => keysOf('order.col.${}', uiList('views/OrdersBoardView.vue', 'COLUMNS')),
  'order.slot.${}': () => keysOf('order.slot.${}', uiList('orders.js', 'SLOT_KEYS')),
  'catalog.day.${}': () => keysOf('catalog.day.${}', uiList('catalogMessages.js', 'WEEKDAYS')),
  'catalog.level.${}': () => keysOf('catalog.level.${}', apiEnum('MenuItem', 'level')),
  'catalog.group.${}': () => keysOf('catalog.group.${}', apiEnum('MenuItem', 'vulnerable_groups')),
  // dispatch (送菜): offers, the reasons of suggestions, the order's status on "my orders"
  'assignmentStatus.${}': () => keysOf('assignmentStatus.${}', apiEnum('Assignment', 'status')),
  'dispatchReason.${}': () => keysOf('dispatchReason.${}', apiEnum('Suggestion', 'reasons')),
  'dispatchOrderStatus.${}': () => keysOf('dispatchOrderStatus.${}', apiEnum('Order', 'status')),
  // RegionsView shows levels 1–5 by name and any other as a number
  'regions.level${}': () => keysOf('regions.level${}', [1, 2, 3, 4, 5]),
  // count('federation', n) in OrganizationsView: `orgSummary.${key}` and its One form
  'orgSummary.${}': () => orgCounts().map((k) => `orgSummary.${k}`),
  'orgSummary.${}One': () => orgCounts().map((k) => `orgSummary.${k}One`),
  // vocabLabel(t, LIST, 'prefix', value) in volunteer.js: every call's list and prefix
  '${}.${}': () => {
    const keys = [];
    for (const { text } of SOURCES) {
      for (const m of text.matchAll(/vocabLabel\(\s*t\s*,\s*(\w+)\s*,\s*'(\w+)'/g)) {
        keys.push(...uiList('volunteer.js', m[1], 'key').map((k) => `${m[2]}.${k}`));
      }
    }
    assert.ok(keys.length > 0, 'no vocabLabel calls found');
    return keys;
  },
};

// ---- the tests ----

test('both locales have the same keys, each a text', () => {
  const onlyZh = [...zh.leaves.keys()].filter((k) => !en.leaves.has(k));
  const onlyEn = [...en.leaves.keys()].filter((k) => !zh.leaves.has(k));
  assert.deepEqual(onlyZh, [], 'keys missing from the English locale');
  assert.deepEqual(onlyEn, [], 'keys missing from the Chinese locale');
  for (const locale of [zh, en]) {
    // an empty message is allowed (orgSummary.end: Chinese needs no full stop there)
    const notText = [...locale.leaves].filter(([, v]) => typeof v !== 'string').map(([k]) => k);
    assert.deepEqual(notText, [], 'messages that are not text');
  }
  const pairs = (files, tag) => files.map((f) => f.slice(0, -`${tag}.js`.length) + 'X.js').sort();
  assert.deepEqual(pairs(zh.files, 'zh-CN'), pairs(en.files, 'en'), 'locale files come in pairs');
});

test('every static key used in web/src exists in both locales', () => {
  const keys = staticKeys();
  assert.ok(keys.filter((k) => k.leaf).length > 500, `only ${keys.length} keys found: the scan is broken`);
  const missing = [];
  for (const { key, where, leaf } of keys) {
    for (const [name, locale] of [['zh-CN', zh], ['en', en]]) {
      const ok = hasLeaf(locale, key) || (!leaf && hasGroup(locale, key));
      if (!ok) missing.push(`${name}: ${key} (${where})`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every key built from a prefix and a value exists for every value', () => {
  const found = templateKeys();
  assert.ok(found.some((f) => f.pattern === 'points.cause.${}'), 'the scan finds no dynamic keys');
  const unknown = found.filter((f) => !DYNAMIC[f.pattern]).map((f) => `${f.expr} (${f.where})`);
  assert.deepEqual(unknown, [], 'dynamic keys whose values this test does not know: add them to DYNAMIC');
  const missing = [];
  for (const pattern of new Set(found.map((f) => f.pattern))) {
    const keys = DYNAMIC[pattern]();
    assert.ok(keys.length > 0, `no values for ${pattern}`);
    for (const key of keys) {
      for (const [name, locale] of [['zh-CN', zh], ['en', en]]) if (!hasLeaf(locale, key)) missing.push(`${name}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('the API document lists every point movement cause the server writes', () => {
  const causes = causesInC();
  assert.ok(causes.includes('redeem') && causes.includes('earn'), `causes found: ${causes}`);
  assert.deepEqual(causes.filter((c) => !apiEnum('PointMovement', 'cause').includes(c)), []);
});
