// Browser test of issue 12 (network below projects, a hook between them)
// on a district of the demo's size (startDistrict: 341 organisations,
// 64,318 volunteers). Two people sign up on their phones for a shift of
// one place: the first gets it (Chinese), the second waits (English).
// The first deletes their own file on the phone; the network domain runs
// the projects domain's leave handler inside that deletion, so the place
// goes to the one waiting, which the site desk and the second person's
// own list show.
// Run from the repository root: node --test tests/browser/leavers.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { startDistrict } from '../lib/district.mjs'
import { Client } from '../lib/client.mjs'
import { residentId } from '../lib/ids.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, steps, text, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

let srv = null
let browser = null
let page = null
const pageErrors = []
const data = {}
const step = steps('leavers-', () => page)
const H = 3600 * 1000
const iso = (ms) => new Date(ms).toISOString()
const PASSWORD = 'Leaver-Test-2026'

// A person registered on the public page, with a login named by their phone.
async function person(name, birth) {
  const phone = `137${String(randomInt(1e8)).padStart(8, '0')}`
  const r = await new Client(srv.url).post('/api/v1/public/volunteers', { name, id_type: 'resident_id',
    id_number: residentId('510115', birth, 100 + 2 * randomInt(400)), phone, region_code: '510115101201',
    org_id: data.station.id, password: PASSWORD, consent: { sensitive: true, notice_version: '2026-11' } })
  assert.equal(r.status, 201, r.text)
  return { phone, id: r.json.volunteer.id, number: r.json.volunteer.volunteer_number }
}

async function prepare() {
  const admin = new Client(srv.url)
  await admin.login('admin', srv.adminPassword)
  data.admin = admin
  const me = (await admin.get('/api/v1/me')).json
  const nodes = (await admin.get(`/api/v1/organizations/${me.org_id}/tree`)).json.nodes
  data.station = nodes.find((n) => n.name === '和盛镇第1社区志愿服务工作站')
  assert.ok(data.station, 'the demo has 和盛镇第1社区志愿服务工作站')
  data.title = `河道清洁${Date.now().toString(36).slice(-4)}`
  let r = await admin.post('/api/v1/projects', { title: data.title, org_id: data.station.id, domain: 'public_welfare',
    category: '环境保护', description: '清理河道垃圾', place: '百花村' })
  assert.equal(r.status, 201, r.text)
  data.project = r.json
  assert.equal((await admin.post(`/api/v1/projects/${data.project.id}/publish`)).status, 200)
  // a month ahead, so no time of day makes it closed
  const t0 = Date.now() + 30 * 24 * H
  r = await admin.post(`/api/v1/projects/${data.project.id}/shifts`, { starts_at: iso(t0), ends_at: iso(t0 + 2 * H),
    place: '百花村河边', capacity: 1, waitlist: 5 })
  assert.equal(r.status, 201, r.text)
  data.shift = r.json
  data.first = await person('离开者', '19870312')
  data.second = await person('候补人', '19900415')
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
})

after(() => closeSuite(browser, srv))

// Signs who up on a phone in locale; returns the sign-up the server made.
async function signUpOnPhone(who, locale) {
  const context = await newContext(browser, { phone: true })
  if (locale === 'en') await context.addInitScript(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
  const p = await watchedPage(context, pageErrors)
  page = p
  await signIn(p, srv.url, who.phone, PASSWORD)
  await p.goto(`${srv.url}/p/projects/${data.project.id}`)
  await p.locator(byTest('public-project-title')).filter({ hasText: data.title }).waitFor()
  const signed = p.waitForResponse((r) => r.url().endsWith(`/api/v1/shifts/${data.shift.id}/signups`) && r.request().method() === 'POST')
  await p.locator(byTest(`public-signup-${data.shift.id}`)).click()
  const response = await signed
  assert.equal(response.status(), 201, await response.text())
  const signup = await response.json()
  await p.locator(byTest(`public-result-${data.shift.id}`)).waitFor()
  const width = await p.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 390, `page is ${width}px wide`)
  return { context, page: p, signup, result: await text(p.locator(byTest(`public-result-${data.shift.id}`))) }
}

test('a person who deletes their file gives their place to the waitlist', { timeout: 240_000 }, async (t) => {
  await step(t, 'the first person takes the one place on their phone (Chinese)', async () => {
    data.a = await signUpOnPhone(data.first, 'zh')
    assert.equal(data.a.signup.status, 'confirmed')
    assert.match(data.a.result, /报名成功/)
    await shot(data.a.page, 'leavers-first-signed-up')
  })

  await step(t, 'the second waits, first on the list (English)', async () => {
    data.b = await signUpOnPhone(data.second, 'en')
    assert.deepEqual([data.b.signup.status, data.b.signup.position], ['waitlisted', 1])
    assert.match(data.b.result, /number 1 on the waiting list/)
    await shot(data.b.page, 'leavers-second-waiting')
  })

  await step(t, 'the first deletes their own file on the phone and is signed out', async () => {
    const p = data.a.page
    page = p
    await p.goto(srv.url + '/me/volunteer')
    await p.locator(byTest('my-delete')).click()
    const box = p.locator('.my-delete-box')
    await box.waitFor()
    await box.locator('input').fill(data.first.number)
    const deleted = p.waitForResponse((r) => r.url().endsWith('/api/v1/me/volunteer/deletion'))
    await box.locator('.el-button--danger').click()
    assert.equal((await deleted).status(), 204)
    await p.waitForURL((url) => url.pathname === '/login')
    await withTimeout(data.a.context.close(), 5_000, 'phone.close').catch(() => {})
  })

  await step(t, 'the place went to the one waiting: the site desk and their own list say so', async () => {
    const desk = await newContext(browser)
    page = await watchedPage(desk, pageErrors)
    await signIn(page, srv.url, 'admin', srv.adminPassword)
    await page.goto(`${srv.url}/shifts/${data.shift.id}/site`)
    await page.locator(byTest('site-confirmed')).filter({ hasText: '1/1' }).waitFor()
    assert.equal(await text(page.locator(byTest('site-waitlisted'))), '0')
    await shot(page, 'leavers-site-desk')
    const list = (await data.admin.get(`/api/v1/shifts/${data.shift.id}/signups`)).json.items
    assert.deepEqual(list.map((g) => [g.volunteer_id, g.status]),
      [[data.first.id, 'cancelled'], [data.second.id, 'confirmed']])

    const p = data.b.page
    page = p
    await p.goto(srv.url + '/me/shifts')
    await p.locator(byTest(`my-shift-status-${data.b.signup.id}`)).filter({ hasText: 'Signed up' }).waitFor()
    assert.equal(await p.locator(byTest(`my-shift-position-${data.b.signup.id}`)).count(), 0, 'no longer waiting')
    await shot(p, 'leavers-second-confirmed')
    await withTimeout(data.b.context.close(), 5_000, 'phone.close').catch(() => {})
    await withTimeout(desk.close(), 5_000, 'desk.close').catch(() => {})
    assert.deepEqual(pageErrors, [])
  })
})
