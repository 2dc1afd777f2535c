// The menu's published documents (issue 13 §1): the handbook PDF
// 《志愿服务手册》 (page count, the table of contents' page numbers checked
// against the pages they name, each sub-item's facts, retired entries
// left out, the download throttle) and the Open Referral HSDS data
// package (every table's exact rows for a small menu, identifiers as
// UUIDs that resolve and stay put, the same bytes for the same menu).
// Both are public: no sign-in. pdftotext (poppler-utils) is required.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { branch } from '../lib/fixtures.mjs';
import { unzip } from '../lib/unzip.mjs';

let srv, root, orgs, m, madeBy;

const ok = async (p, status = 201) => {
  const r = await p;
  assert.equal(r.status, status, r.text);
  return r.json;
};

/** The bytes of a public download. */
async function download(path) {
  const res = await fetch(srv.url + path, { headers: { 'Accept-Language': 'en' } });
  return { status: res.status, type: res.headers.get('content-type'), retry: res.headers.get('retry-after'),
    disposition: res.headers.get('content-disposition'), body: Buffer.from(await res.arrayBuffer()) };
}

function pdftext(pdf, args = []) {
  const out = spawnSync('pdftotext', ['-layout', ...args, '-', '-'], { input: pdf, encoding: 'utf8' });
  assert.equal(out.status, 0, `pdftotext (poppler-utils) is needed: ${out.error || out.stderr}`);
  return out.stdout;
}

function pdfpages(pdf) {
  const out = spawnSync('pdfinfo', ['-'], { input: pdf, encoding: 'utf8' });
  assert.equal(out.status, 0, `pdfinfo (poppler-utils) is needed: ${out.error || out.stderr}`);
  return Number(/Pages:\s+(\d+)/.exec(out.stdout)[1]);
}

before(async () => {
  srv = await startServer({ args: ['--public-url', 'https://zhiyuan.example.cn'] });
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  orgs = await branch(root, { association: '手册测试协会', station: '手册测试站', town: '510115003' });
  await ok(root.patch(`/api/v1/organizations/${orgs.association.id}`, { address: '温江区手册路1号', founded_on: '2015-06-01' }), 200);
  const item = (body) => ok(root.post('/api/v1/menu/items', body));
  m = {};
  m.c1 = await item({ name: '社区服务', parent_id: null, description: '身边的帮助' });
  m.i1 = await item({ name: '助老服务', parent_id: m.c1.id });
  m.s1 = await item({ name: '上门陪伴', parent_id: m.i1.id, description: '陪独居老人聊天、读报',
    provider_ids: [orgs.station.id], regions: ['510115003001'], vulnerable_groups: ['elderly_alone'],
    duration_minutes: 90, weekdays: 31, day_from: 480, day_to: 1080, skills: ['陪伴'] });
  m.s2 = await item({ name: '代购代办', parent_id: m.i1.id, description: '代购生活用品, 代办"小事"',
    provider_ids: [orgs.association.id], needs_social_worker: true });
  m.gone = await item({ name: '已下架的子项', parent_id: m.i1.id, provider_ids: [orgs.association.id] });
  await ok(root.post(`/api/v1/menu/items/${m.gone.id}/retire`), 200);
  m.c2 = await item({ name: '专业服务', parent_id: null });
  m.i2 = await item({ name: '法律援助', parent_id: m.c2.id });
  m.s3 = await item({ name: '法律咨询', parent_id: m.i2.id, certificates: ['法律职业资格证'],
    provider_ids: [orgs.association.id], weekdays: 96, day_from: 540, day_to: 720 });
  m.h1 = await ok(root.post('/api/v1/menu/hotlines', { number: '028-82631234', name: '手册助老热线',
    org_id: orgs.association.id, weekdays: 31, day_from: 510, day_to: 1050, item_ids: [m.s1.id, m.s2.id, m.gone.id] }));
  m.h2 = await ok(root.post('/api/v1/menu/hotlines', { number: '028-82630000', name: '手册法律热线',
    org_id: orgs.rootId, item_ids: [m.i2.id] }));
  madeBy = Date.now();
});
after(async () => { await srv?.stop(); });

test('the handbook PDF: cover, contents whose page numbers are the pages named, every sub-item, hotlines', async () => {
  const r = await download('/api/v1/public/menu/handbook.pdf');
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.type, 'application/pdf');
  assert.match(r.disposition, /attachment; filename="handbook\.pdf"/);
  assert.equal(r.body.subarray(0, 5).toString(), '%PDF-');
  // cover, contents, one page per category, the hotlines
  assert.equal(pdfpages(r.body), 5);

  const page = (n) => pdftext(r.body, ['-f', String(n), '-l', String(n)]);
  assert.match(page(1), /志愿服务手册/);
  assert.match(page(1), /温江区志愿服务联合会/);
  assert.match(page(1), /2 类 2 项 3 个服务子项 · 2 条服务热线/);
  assert.match(page(1), /扫码在线点单：https:\/\/zhiyuan\.example\.cn\/menu/, 'the cover names the public menu under its QR code');

  const toc = page(2);
  assert.match(toc, /目\s*录/);
  const entries = [['一、社区服务', '一、社区服务'], ['（一）助老服务', '（一）助老服务'],
    ['二、专业服务', '二、专业服务'], ['（一）法律援助', '（一）法律援助'], ['服务热线', '服务热线']];
  const numbers = entries.map(([label]) => {
    const hit = new RegExp(label.replace(/[()（）]/g, (c) => '\\' + c) + '\\s+(\\d+)\\s*$', 'm').exec(toc);
    assert.ok(hit, `${label} is in the contents:\n${toc}`);
    return Number(hit[1]);
  });
  assert.deepEqual(numbers, [3, 3, 4, 4, 5]);
  entries.forEach(([, heading], i) => assert.ok(page(numbers[i]).includes(heading), `${heading} is on page ${numbers[i]}`));

  const p3 = page(3);
  for (const text of ['1. 上门陪伴', '陪独居老人聊天、读报', '服务时间：周一至周五 08:00–18:00', '服务时长：约 90 分钟',
    '服务对象：独居老人', '提供单位：手册测试站', '志愿者要求：陪伴', '2. 代购代办', '服务时间：每天 全天',
    '服务范围：全区', '需社会工作者参与'])
    assert.ok(p3.includes(text), `page 3 shows ${text}:\n${p3}`);
  assert.match(p3, /服务范围：\S*社区/, 'the region is named, not coded');
  assert.match(p3, /第\s*3\s*页/, 'the page number is printed');
  const p4 = page(4);
  for (const text of ['1. 法律咨询', '服务时间：周六、周日 09:00–12:00', '志愿者要求：持法律职业资格证', '提供单位：手册测试协会'])
    assert.ok(p4.includes(text), `page 4 shows ${text}:\n${p4}`);
  const p5 = page(5);
  for (const text of ['028-82631234', '手册助老热线', '接听单位：手册测试协会', '服务时间：周一至周五 08:30–17:30',
    '受理项目：上门陪伴、代购代办', '028-82630000', '接听单位：温江区志愿服务联合会', '受理项目：法律援助'])
    assert.ok(p5.includes(text), `page 5 shows ${text}:\n${p5}`);
  assert.ok(!pdftext(r.body).includes('已下架的子项'), 'a retired sub-item is left out');
});

test('the HSDS package: datapackage.json and every table, exactly, for a small menu', async () => {
  const r = await download('/api/v1/public/menu/hsds.zip');
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.type, 'application/zip');
  assert.match(r.disposition, /attachment; filename="hsds\.zip"/);
  const files = unzip(r.body);
  const tables = ['organizations', 'services', 'locations', 'service_at_location', 'phones', 'schedules',
    'service_areas', 'taxonomies', 'taxonomy_terms', 'attributes'];
  assert.deepEqual(Object.keys(files).sort(), ['datapackage.json', ...tables.map((t) => t + '.csv')].sort());

  const desc = JSON.parse(files['datapackage.json'].toString('utf8'));
  assert.equal(desc.profile, 'tabular-data-package');
  assert.equal(desc.hsds_version, '3.0');
  assert.equal(desc.homepage, 'https://zhiyuan.example.cn/menu');
  assert.deepEqual(desc.resources.map((x) => x.path), tables.map((t) => t + '.csv'));

  // CSV text as rows of cells (RFC 4180); quoting checked on the raw text
  const parse = (text) => {
    const rows = [];
    let row = [], cell = '', q = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (q) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
      } else if (c === '"') q = true;
      else if (c === ',') { row.push(cell); cell = ''; }
      else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
      else cell += c;
    }
    return rows;
  };
  const csv = {};
  for (const t of tables) {
    const text = files[t + '.csv'].toString('utf8');
    csv[t] = parse(text);
    // each table's header is the descriptor's field list
    const res = desc.resources.find((x) => x.path === t + '.csv');
    assert.deepEqual(csv[t][0], res.schema.fields.map((f) => f.name), t);
  }
  assert.ok(files['services.csv'].toString('utf8').includes('"代购生活用品, 代办""小事"""'), 'quotes are doubled');

  // identifiers: UUIDs (version 8), unique; every reference resolves
  const label = new Map();
  const short = { organizations: 'org', services: 'svc', locations: 'loc', service_at_location: 'sal', phones: 'ph',
    schedules: 'sch', service_areas: 'area', taxonomies: 'tax', taxonomy_terms: 'term', attributes: 'attr' };
  for (const t of tables)
    csv[t].slice(1).forEach((row, i) => {
      assert.match(row[0], /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.ok(!label.has(row[0]), 'ids are unique');
      label.set(row[0], short[t] + (i + 1));
    });
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const sym = {};
  for (const t of tables)
    sym[t] = csv[t].slice(1).map((row) => row.map((c) => (uuid.test(c) ? (label.get(c) || 'DANGLING') : c))
      .join('|'));

  const day = (iso) => new Date(Date.parse(iso) + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const items = (await root.get('/api/v1/menu/items')).json.items;
  const updated = {};
  const walk = (list) => list.forEach((x) => { updated[x.id] = x.updated_at; walk(x.children || []); });
  walk(items);
  const how = '在线点单或拨打受理该项目的服务热线；提供单位接单后派志愿者上门服务，服务后请评价。';

  assert.deepEqual(sym.organizations, [
    'org1|温江区志愿服务联合会||志愿服务联合会|||||||',
    'org2|手册测试站||村（社区）志愿服务工作站|||||||org3',
    'org3|手册测试协会||镇（街道）志愿服务协会|||2015||||org1',
  ]);
  assert.deepEqual(sym.services, [
    `svc1|org1||上门陪伴||陪独居老人聊天、读报|https://zhiyuan.example.cn/menu/order/${m.s1.id}||active||${how}|免费||优先服务：独居老人|||${day(updated[m.s1.id])}||`,
    `svc2|org1||代购代办||代购生活用品, 代办"小事"|https://zhiyuan.example.cn/menu/order/${m.s2.id}||active||${how}|免费|||||${day(updated[m.s2.id])}||`,
    `svc3|org1||法律咨询|||https://zhiyuan.example.cn/menu/order/${m.s3.id}||active||${how}|免费|||||${day(updated[m.s3.id])}||`,
  ]);
  assert.deepEqual(sym.locations, [
    'loc1|physical||org2|手册测试站||||||510115003001|cn_region_code',
    'loc2|physical||org3|手册测试协会||温江区手册路1号||||510115003000|cn_region_code',
    'loc3|virtual||org3|手册助老热线||服务热线 028-82631234|||||',
    'loc4|virtual||org1|手册法律热线||服务热线 028-82630000|||||',
  ]);
  assert.deepEqual(sym.phones, [
    'ph1|loc3||org3|||028-82631234||voice|手册助老热线',
    'ph2|loc4||org1|||028-82630000||voice|手册法律热线',
  ]);
  // the first sub-item at its provider and the hotline; the legal one
  // through the hotline that takes its whole item
  assert.deepEqual(sym.service_at_location, [
    'sal1|svc1|loc1|提供单位', 'sal2|svc1|loc3|服务热线受理',
    'sal3|svc2|loc2|提供单位', 'sal4|svc2|loc3|服务热线受理',
    'sal5|svc3|loc2|提供单位', 'sal6|svc3|loc4|服务热线受理',
  ]);
  assert.deepEqual(sym.schedules, [
    'sch1||loc3|||||8||||WEEKLY|1|MO,TU,WE,TH,FR||||周一至周五 08:30–17:30|08:30+08:00|17:30+08:00|||',
    'sch2||loc4|||||8||||WEEKLY|1|MO,TU,WE,TH,FR,SA,SU||||每天 全天|00:00+08:00|23:59+08:00|||',
    'sch3|svc1||||||8||||WEEKLY|1|MO,TU,WE,TH,FR||||周一至周五 08:00–18:00|08:00+08:00|18:00+08:00|||',
    'sch4|svc2||||||8||||WEEKLY|1|MO,TU,WE,TH,FR,SA,SU||||每天 全天|00:00+08:00|23:59+08:00|||',
    'sch5|svc3||||||8||||WEEKLY|1|SA,SU||||周六、周日 09:00–12:00|09:00+08:00|12:00+08:00|||',
  ]);
  const station = csv.service_areas[1][2];
  assert.ok(station.length > 0 && station !== '510115003001', 'the area is named');
  assert.deepEqual(sym.service_areas, [
    `area1|svc1|${station}|区划代码 510115003001|||`,
    'area2|svc2|温江区|区划代码 510115（全域）|||',
    'area3|svc3|温江区|区划代码 510115（全域）|||',
  ]);
  assert.deepEqual(sym.taxonomies, [
    'tax1|志愿服务菜单|本区志愿服务菜单的类别与项目（类别 → 项目）||',
    'tax2|服务对象|志愿服务菜单优先服务的困难群体||',
  ]);
  assert.deepEqual(sym.taxonomy_terms, [
    `term1|${m.c1.id}|社区服务|身边的帮助||志愿服务菜单|zh|tax1|`,
    `term2|${m.i1.id}|助老服务|助老服务|term1|志愿服务菜单|zh|tax1|`,
    `term3|${m.c2.id}|专业服务|专业服务||志愿服务菜单|zh|tax1|`,
    `term4|${m.i2.id}|法律援助|法律援助|term3|志愿服务菜单|zh|tax1|`,
    'term5|elderly_alone|独居老人|独居老人||服务对象|zh|tax2|',
  ]);
  assert.deepEqual(sym.attributes, [
    'attr1|svc1|term2|service_category|service|', 'attr2|svc1|term5|eligibility|service|',
    'attr3|svc2|term2|service_category|service|', 'attr4|svc3|term4|service_category|service|',
  ]);
  // the menu's last change: no earlier than the latest shown entry, no
  // later than the end of before() (hotlines do not show their own time)
  const shown = [m.c1, m.i1, m.s1, m.s2, m.c2, m.i2, m.s3].map((x) => updated[x.id]).sort().at(-1);
  assert.ok(desc.created >= shown && Date.parse(desc.created) <= madeBy, `${desc.created} vs ${shown}`);
});

test('the HSDS package is the same bytes for the same menu; an edit keeps the identifiers', async () => {
  const a = (await download('/api/v1/public/menu/hsds.zip')).body;
  const b = (await download('/api/v1/public/menu/hsds.zip')).body;
  assert.ok(a.equals(b), 'the same menu gives the same zip');
  const before = unzip(a)['services.csv'].toString('utf8').split('\r\n')[1].split(',')[0];
  await ok(root.patch(`/api/v1/menu/items/${m.s1.id}`, { name: '上门陪伴聊天' }), 200);
  const after = unzip((await download('/api/v1/public/menu/hsds.zip')).body)['services.csv'].toString('utf8').split('\r\n')[1];
  assert.equal(after.split(',')[0], before, 'the service keeps its id');
  assert.equal(after.split(',')[3], '上门陪伴聊天');
  await ok(root.patch(`/api/v1/menu/items/${m.s1.id}`, { name: '上门陪伴' }), 200);
});

test('handbook downloads are throttled per address: the 21st in 15 minutes is refused', async () => {
  // the first test took one; 19 more pass, the next waits
  for (let i = 0; i < 19; i++)
    assert.equal((await download('/api/v1/public/menu/handbook.pdf')).status, 200, `download ${i + 2}`);
  const r = await download('/api/v1/public/menu/handbook.pdf');
  assert.equal(r.status, 429);
  const err = JSON.parse(r.body.toString('utf8')).error;
  assert.deepEqual([err.code, err.field ?? null], ['too_many_downloads', null]);
  assert.ok(Number(r.retry) > 0, 'Retry-After is set');
  // the open-data package is not throttled
  assert.equal((await download('/api/v1/public/menu/hsds.zip')).status, 200);
});
