// Browser test of issue 12's service floor on a district of the demo's size
// (341 organisations, 64,318 volunteers): a record entered through the one
// record writer is refused when it overlaps another of the person's
// records; approving it in the console runs the approval steps the bank
// registers at start (the star level and the points follow at once), and
// the archive shows the sections the bank adds (stars, awards) in Chinese
// and English and on a 390×844 phone; its CSV, now written from the
// archive's rows, holds the record as the clerk reads it.
// Run from the repository root: node --test tests/browser/service.test.mjs
// Needs build/zhiyuan and a built web/dist. Uses Debian's /usr/bin/chromium
// through playwright-core; no browser download is involved.
//
// Everyone made here is synthetic: the resident ID number carries a valid
// GB 11643 check digit for a made-up person (region 510115).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict } from '../lib/district.mjs'
import { residentId } from '../lib/ids.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, steps, text, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const RECORDER = { username: 'service_rec', password: 'service-rec-1' }
const H = 3600 * 1000

let srv = null
let base = ''
let browser = null
let context = null
let page = null
const pageErrors = []
const data = {}

const step = steps('service-', () => page)
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z')

// One star from 1 hour; a recorder at a station past the first page; a
// volunteer there; two activities at the same time; one entry of 120
// minutes, and a refused second one that overlaps it.
async function prepare() {
  const admin = new Client(base)
  await admin.login('admin', srv.adminPassword)
  data.admin = admin
  const stars = await admin.request('PUT', '/api/v1/star-levels', { preset: 'custom', thresholds_hours: [1, 50, 100, 200, 400] })
  assert.equal(stars.status, 200, stars.text)
  const stations = (await admin.get('/api/v1/organizations?kind=station&status=active&limit=200')).json.items
  assert.ok(stations.length > 60, `the demo has ${stations.length} stations`)
  const station = stations[70]
  const u = await admin.post('/api/v1/users', { ...RECORDER, display_name: '记录员小吴', roles: ['recorder'], org_id: station.id })
  assert.equal(u.status, 201, u.text)
  const v = await admin.post('/api/v1/volunteers', {
    name: '司徒明远', id_type: 'resident_id', id_number: residentId('510115', '19620312', 731), phone: '19958120001',
    region_code: station.region_code, org_id: station.id, consent: { sensitive: true, notice_version: '2026-11' },
  })
  assert.equal(v.status, 201, v.text)
  data.volunteer = v.json
  const rec = new Client(base)
  await rec.login(RECORDER.username, RECORDER.password)
  const acts = []
  for (const name of ['社区助老服务', '社区交通劝导']) {
    const a = await rec.post('/api/v1/activities', { name, org_id: station.id, starts_at: iso(5 * H), ends_at: iso(2 * H), place: '温江区柳城街道', content: name })
    assert.equal(a.status, 201, a.text)
    acts.push(a.json)
  }
  const r = await rec.post('/api/v1/records', { activity_id: acts[0].id, volunteer_id: v.json.id, minutes: 120, quality: 'good' })
  assert.equal(r.status, 201, r.text)
  data.record = r.json
  // the writer's rule: no time shared with another record of the person
  const clash = await rec.post('/api/v1/records', { activity_id: acts[1].id, volunteer_id: v.json.id, minutes: 60, quality: 'good' })
  assert.deepEqual([clash.status, clash.json.error.code, clash.json.error.field], [422, 'overlapping_record', 'starts_at'])
  const listed = await admin.get(`/api/v1/records?volunteer_id=${v.json.id}`)
  assert.deepEqual(listed.json.items.map((x) => x.id), [r.json.id], 'the refused entry changed nothing')
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
  context = await newContext(browser)
  page = await watchedPage(context, pageErrors)
})

after(() => closeSuite(browser, srv))

// The header's language switch.
async function setLanguage(lang) {
  await page.locator(`.header-lang ${byTest(lang === 'en' ? 'lang-en' : 'lang-zh')}`).click()
}

test('one record writer, approval steps and archive sections on a district', { timeout: 240_000 }, async (t) => {
  const id = data.record.id
  const vid = data.volunteer.id

  await step(t, 'the admin approves the entry; the star and the points follow in the same approval', async () => {
    await signIn(page, base, 'admin', srv.adminPassword)
    await page.goto(base + `/records/approval`)
    await page.locator(byTest(`approve-${id}`)).click()
    await page.locator(byTest(`approve-${id}`)).waitFor({ state: 'detached' })
    const after = await data.admin.get(`/api/v1/records/${id}`)
    assert.equal(after.json.status, 'approved')
    assert.ok(after.json.chain_seq > 0, 'the record joined the chain')
    const points = await data.admin.get(`/api/v1/volunteers/${vid}/points`)
    assert.equal(points.status, 200, points.text)
    // the points step ran inside the approval: 2 hours at the default rate
    assert.equal(points.json.balance, 2)
    data.points = points.json.balance
  })

  await step(t, 'the archive shows the hours, the star the approval gave and the awards section, in Chinese', async () => {
    await page.goto(base + `/volunteers/${vid}?tab=archive`)
    await page.locator(byTest('archive-total-hours')).waitFor()
    assert.equal(await text(page.locator(byTest('archive-total-hours'))), '2.0')
    assert.equal(await page.locator(byTest('archive-star-level')).getAttribute('data-level'), '1')
    assert.match(await text(page.locator(byTest('archive-stars'))), /1 星/)
    await page.locator(byTest('archive-awards')).waitFor()
    assert.equal(await text(page.locator(byTest('points-balance'))), String(data.points))
    await shot(page, 'service-archive-zh')
  })

  await step(t, 'the same in English', async () => {
    await setLanguage('en')
    await page.locator(byTest('archive-stars')).filter({ hasText: '1 stars' }).waitFor()
    assert.match(await page.locator(byTest('archive')).innerText(), /Approved service time/)
    await setLanguage('zh')
  })

  await step(t, 'the archive CSV holds the record as a clerk reads it', async () => {
    const href = await page.locator(byTest('archive-csv')).getAttribute('href')
    const cookies = await context.cookies(base)
    const res = await fetch(new URL(href, base), { headers: { Cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } })
    assert.equal(res.status, 200)
    const lines = (await res.text()).replace(/^\uFEFF/, '').split('\r\n')
    assert.equal(lines[0], '记录编号,活动,开始时间,结束时间,登记时长(分钟),有效时长(分钟),状态,服务质量,服务对象,地点,内容,更正的记录')
    assert.match(lines[1], new RegExp(`^${id},社区助老服务,\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d,\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d,120,120,已通过,良好,,温江区柳城街道,社区助老服务,$`))
    assert.equal(lines.length, 3, 'one record and the final line break')
  })

  await step(t, 'on a phone the star and the hours stay on screen', async () => {
    const phone = await newContext(browser, { phone: true })
    const p = await watchedPage(phone, pageErrors)
    await signIn(p, base, 'admin', srv.adminPassword)
    await p.goto(base + `/volunteers/${vid}?tab=archive`)
    const star = p.locator(byTest('archive-star-level'))
    await star.waitFor()
    await star.scrollIntoViewIfNeeded()
    const box = await star.boundingBox()
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the star fits the width: ${JSON.stringify(box)}`)
    assert.equal(await text(p.locator(byTest('archive-total-hours'))), '2.0')
    await shot(p, 'service-archive-phone')
    await phone.close()
  })

  await step(t, 'no script errors', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
