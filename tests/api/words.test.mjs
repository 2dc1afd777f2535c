// Words and numbers people read (issue 10 §4): the archive CSV in China
// time with labels in the reader's language, and import errors that say
// what is wrong and how to fix it (phone numbers with spaces, ID numbers
// Excel turned into numbers), for CSV and XLSX files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId, checkChar } from '../lib/ids.mjs';
import { xlsx } from '../lib/xlsx.mjs';

let srv, root, rec, st, vol;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const upload = (c, path, body, type = 'text/csv') => c.request('POST', path, body, { 'Content-Type': type });
const as = (client, lang) => Object.assign(new Client(srv.url, { lang }), { cookie: client.cookie, csrf: client.csrf });

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const a = (await root.post('/api/v1/organizations', { name: '公平街道志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115002000' })).json;
  st = (await root.post('/api/v1/organizations', { name: '红桥社区工作站', kind: 'station', parent_id: a.id, region_code: '510115002001' })).json;
  assert.equal((await root.post('/api/v1/users', { username: 'wordsrec', password: 'recorder-key-1', roles: ['recorder'], org_id: st.id })).status, 201);
  rec = new Client(srv.url);
  await rec.login('wordsrec', 'recorder-key-1');
  const v = await root.post('/api/v1/volunteers', { name: '字词甲', id_type: 'resident_id', id_number: residentId('510115', '19800808', 17),
    phone: '13700000017', region_code: '510115002001', org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' } });
  assert.equal(v.status, 201, v.text);
  vol = v.json;
  // Fixed dates long past, so the expected China times never depend on
  // when the test runs: 14:00–16:00 China time is 06:00–08:00 UTC, and
  // 23:30 China time on 5 November is 15:30 UTC, already the 6th at 00:30.
  const activity = async (name, starts_at, ends_at) => {
    const r = await rec.post('/api/v1/activities', { name, org_id: st.id, starts_at, ends_at, place: '红桥社区', content: '陪伴老人' });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const a1 = await activity('重阳敬老', '2026-11-02T06:00:00Z', '2026-11-02T08:00:00Z');
  const a2 = await activity('夜间巡逻', '2026-11-05T15:30:00Z', '2026-11-05T16:30:00Z');
  const r1 = await rec.post('/api/v1/records', { activity_id: a1.id, volunteer_id: vol.id, minutes: 120, quality: 'excellent', late_reason: '纸质签到表补录' });
  assert.equal(r1.status, 201, r1.text);
  assert.equal((await root.post(`/api/v1/records/${r1.json.id}/approve`)).status, 200);
  const r2 = await rec.post('/api/v1/records', { activity_id: a2.id, volunteer_id: vol.id, minutes: 60, quality: 'good', late_reason: '纸质签到表补录' });
  assert.equal(r2.status, 201, r2.text);
  vol.records = [r1.json.id, r2.json.id];
});
after(async () => { await srv?.stop(); });

async function csvOf(path, headers = {}) {
  const res = await fetch(srv.url + path, { headers: { Cookie: root.cookie, ...headers } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), bytes, lines: bytes.toString('utf8').replace(/^\uFEFF/, '').split('\r\n') };
}

test('archive CSV: China time and Chinese words by default, with a BOM', async () => {
  const csv = await csvOf(`/api/v1/volunteers/${vol.id}/archive.csv`, { 'Accept-Language': 'zh-CN' });
  assert.equal(csv.status, 200);
  assert.equal(csv.type, 'text/csv; charset=utf-8');
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
  const [r1, r2] = vol.records;
  assert.deepEqual(csv.lines, [
    '记录编号,活动,开始时间,结束时间,登记时长(分钟),有效时长(分钟),状态,服务质量,服务对象,地点,内容,更正的记录',
    `${r2},夜间巡逻,2026-11-05 23:30,2026-11-06 00:30,60,0,待审核,良好,,红桥社区,陪伴老人,`,
    `${r1},重阳敬老,2026-11-02 14:00,2026-11-02 16:00,120,120,已通过,优秀,,红桥社区,陪伴老人,`,
    '',
  ]);
  // no header at all reads Chinese too
  assert.deepEqual((await csvOf(`/api/v1/volunteers/${vol.id}/archive.csv`)).lines, csv.lines);
});

test('archive CSV: English with Accept-Language en or ?lang=en', async () => {
  const [r1, r2] = vol.records;
  const expected = [
    'Record no.,Activity,Start (China time),End (China time),Minutes entered,Minutes counted,Status,Quality,Beneficiary,Place,Content,Corrects record no.',
    `${r2},夜间巡逻,2026-11-05 23:30,2026-11-06 00:30,60,0,Awaiting approval,Good,,红桥社区,陪伴老人,`,
    `${r1},重阳敬老,2026-11-02 14:00,2026-11-02 16:00,120,120,Approved,Excellent,,红桥社区,陪伴老人,`,
    '',
  ];
  assert.deepEqual((await csvOf(`/api/v1/volunteers/${vol.id}/archive.csv`, { 'Accept-Language': 'en-GB,en;q=0.9' })).lines, expected);
  assert.deepEqual((await csvOf(`/api/v1/volunteers/${vol.id}/archive.csv?lang=en`, { 'Accept-Language': 'zh-CN' })).lines, expected);
  // ?lang wins over the header both ways
  const zh = await csvOf(`/api/v1/volunteers/${vol.id}/archive.csv?lang=zh-CN`, { 'Accept-Language': 'en' });
  assert.equal(zh.lines[0].split(',')[0], '记录编号');
  // an unknown language is refused, in the header's language
  const bad = await rec.get(`/api/v1/volunteers/${vol.id}/archive.csv?lang=fr`, { 'Accept-Language': 'en' });
  assert.deepEqual([bad.status, bad.json.error.code, bad.json.error.field], [400, 'invalid_value', 'lang']);
  // the JSON API keeps UTC and enum values for machines
  const arc = (await root.get(`/api/v1/volunteers/${vol.id}/archive`)).json;
  const first = arc.records.find((x) => x.id === r1);
  assert.deepEqual([first.starts_at, first.status, first.quality], ['2026-11-02T06:00:00Z', 'approved', 'excellent']);
});

test('archive CSV: a cell that starts like a formula is kept as text', async () => {
  const a = await rec.post('/api/v1/activities', { name: '=1+2', org_id: st.id, starts_at: '2026-11-03T01:00:00Z', ends_at: '2026-11-03T02:00:00Z', place: '红桥社区', content: '陪伴老人' });
  assert.equal(a.status, 201, a.text);
  const other = await root.post('/api/v1/volunteers', { name: '字词乙', id_type: 'resident_id', id_number: residentId('510115', '19800808', 19),
    phone: '13700000019', region_code: '510115002001', org_id: st.id, consent: { sensitive: true, notice_version: '2026-11' } });
  const r = await rec.post('/api/v1/records', { activity_id: a.json.id, volunteer_id: other.json.id, minutes: 60, quality: 'pass', late_reason: '补录' });
  assert.equal(r.status, 201, r.text);
  const csv = await csvOf(`/api/v1/volunteers/${other.json.id}/archive.csv`);
  assert.match(csv.lines[1], /^\d+,"'=1\+2",2026-11-03 09:00,2026-11-03 10:00,60,0,待审核,合格,/);
});

// ---- import messages ----

const HEADER = ['姓名', '证件号码', '手机号'];
const id = (seq) => residentId('510115', '19920304', seq);

async function imported(client, body, type) {
  const r = await upload(client, `/api/v1/imports/volunteers?org_id=${st.id}`, body, type);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const PHONE_ZH = '手机号须为以 1 开头的 11 位数字，如 13800138000；请检查是否多了或少了数字、混入了字母或其他符号';
const PHONE_EN = 'a mobile number is 11 digits starting with 1, e.g. 13800138000: check for missing or extra digits, letters or other signs';
const EXCEL_ZH = "证件号码被 Excel 当成了数字（显示为 5.10115E+17 这样的科学计数法，或末三位变成了 000），号码已无法还原。请在 Excel 中选中证件号码列，右键“设置单元格格式”选“文本”，重新输入完整号码（或在号码前加英文单引号 '），保存后再导入";
const EXCEL_EN = "Excel stored the ID number as a number (shown like 5.10115E+17, or its last three digits became 000) and the number is lost: in Excel select the ID number column, right-click, Format Cells, choose Text, type the full numbers again (or start each with an apostrophe '), save and import again";

for (const format of ['csv', 'xlsx']) {
  const file = (rows) => (format === 'csv'
    ? [HEADER, ...rows].map((r) => r.map((c) => (typeof c === 'object' ? c.number : c)).join(',')).join('\n') + '\n'
    : xlsx([HEADER, ...rows]));
  const type = format === 'csv' ? 'text/csv' : XLSX_TYPE;
  const base = format === 'csv' ? 100 : 200;

  test(`${format} import: phone numbers with spaces, dashes or +86 are read as their digits`, async () => {
    const rows = [
      [`空格${format}`, id(base + 1), '138 0013 8101'],
      [`横线${format}`, id(base + 3), '138-0013-8103'],
      [`全角${format}`, id(base + 5), '+86\u3000138 0013 8105'],
    ];
    const j = await imported(root, file(rows), type);
    assert.deepEqual([j.imported, j.rejected_count], [3, 0], JSON.stringify(j.rejected));
    for (const [name, , phone] of rows) {
      const found = (await root.get('/api/v1/volunteers?q=' + encodeURIComponent(name))).json.items[0];
      const full = (await root.get(`/api/v1/volunteers/${found.id}`)).json;
      assert.equal(full.phone, '138' + phone.replace(/\D/g, '').slice(-8), name);
    }
  });

  test(`${format} import: a wrong phone says what a mobile number is; a number Excel mangled says how to fix the column`, async () => {
    const rows = [
      [`长号${format}`, id(base + 21), '138 0013 81210'],          // 12 digits once the spaces go
      [`短号${format}`, id(base + 23), '138-0013-812'],
      [`科学${format}`, { number: '5.10115E+17' }, '13800138125'],
      [`全精${format}`, { number: '5.1011519920304197E+17' }, '13800138127'],
      [`丢位${format}`, { number: id(base + 29).slice(0, 15) + '000' }, '13800138129'],
      [`正常${format}`, id(base + 31), '13800138131'],
    ];
    // the 000 case must not be a valid number by accident
    assert.notEqual(checkChar(id(base + 29).slice(0, 15) + '00'), '0');
    const zh = await imported(root, file(rows), type);
    assert.deepEqual([zh.total_rows, zh.imported, zh.rejected_count], [6, 1, 5]);
    const report = (j) => j.rejected.map((x) => [x.row, x.column_letter, x.column, x.code, x.message]);
    assert.deepEqual(report(zh), [
      [2, 'C', '手机号', 'invalid_phone', PHONE_ZH],
      [3, 'C', '手机号', 'invalid_phone', PHONE_ZH],
      [4, 'B', '证件号码', 'id_excel_number', EXCEL_ZH],
      [5, 'B', '证件号码', 'id_excel_number', EXCEL_ZH],
      [6, 'B', '证件号码', 'id_excel_number', EXCEL_ZH],
    ]);
    // the same file in English: nothing more is imported, the words change
    const en = await imported(as(root, 'en'), file(rows), type);
    assert.deepEqual([en.imported, en.unchanged, en.rejected_count, en.already_imported], [0, 1, 5, true]);
    assert.deepEqual(report(en).map((x) => x[4]), [PHONE_EN, PHONE_EN, EXCEL_EN, EXCEL_EN, EXCEL_EN]);
    for (const [name] of rows.slice(0, 5)) {
      assert.equal((await root.get('/api/v1/volunteers?q=' + encodeURIComponent(name))).json.items.length, 0, `${name} was not registered`);
    }
  });
}

test('import: an ID number that is only wrong, not mangled by Excel, keeps its own code', async () => {
  const good = id(301);
  const wrongCheck = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
  const j = await imported(root, ['姓名,证件号码,手机号', `校验,${wrongCheck},13800138301`, '短,12345,13800138303'].join('\n') + '\n', 'text/csv');
  assert.deepEqual(j.rejected.map((x) => [x.row, x.code]), [[2, 'id_checksum'], [3, 'id_format']]);
});
