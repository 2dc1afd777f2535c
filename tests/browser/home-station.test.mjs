// Browser test of issue 10 §2 (home organisations) on a district of the
// demo's size (341 organisations, 64,318 volunteers): a person registering
// on a phone chooses a station past the 50th organisation by searching, and
// that station's recorder then finds them on the sign-in sheet; later the
// volunteer asks to move to another station, whose admin accepts, and the
// file's organisation changes. Chinese for the first half, English for the
// second. Everyone is synthetic (tests/lib/ids.mjs).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict, allOrganizations } from '../lib/district.mjs'
import { residentId } from '../lib/ids.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, signIn, steps, needWebBuild, closeSuite } from '../lib/browser.mjs'

const H = 3600 * 1000
let srv = null
let base = ''
let browser = null
let desk = null      // the console on a desktop
let phone = null     // the volunteer's phone
let page = null      // whichever page a step works on (for failure screenshots)
const pageErrors = []

const step = steps('home-station-', () => page)
const suffix = Date.now().toString(36).slice(-4)
const person = { name: `程思远${suffix.replace(/[0-9]/g, '')}`.slice(0, 6), phone: `1350${String(Date.now() % 1e7).padStart(7, '0')}`, password: 'Home-Test-2026' }
const RECORDER = { username: `hs_rec_${suffix}`, password: 'Recorder-2026' }
const ADMIN2 = { username: `hs_adm_${suffix}`, password: 'Admin-Two-2026' }
const data = { target: null, second: null, stations: 0, volunteerId: 0, activity: null }

// Organisations of the district through the API (all pages), the station
// to choose (past the 50th organisation, in another town than the person's
// region) and the one to move to later; a recorder and an admin for them.
async function prepare() {
  const root = new Client(base)
  await root.login('admin', srv.adminPassword)
  const orgs = await allOrganizations(root)
  orgs.sort((a, b) => a.id - b.id)
  const stations = orgs.filter((o) => o.kind === 'station')
  data.stations = stations.length
  data.target = stations[stations.length - 1]
  assert.ok(orgs.indexOf(data.target) >= 50, 'the station lies past the 50th organisation')
  data.second = stations.find((s) => s.region_code.slice(0, 9) !== data.target.region_code.slice(0, 9))
  for (const [who, org, roles] of [[RECORDER, data.target, ['recorder']], [ADMIN2, data.second, ['admin']]]) {
    const r = await root.post('/api/v1/users', { username: who.username, password: who.password, roles, org_id: org.id })
    assert.equal(r.status, 201, r.text)
  }
  // the recorder's activity, ended yesterday (times relative to now)
  const rec = new Client(base)
  await rec.login(RECORDER.username, RECORDER.password)
  const a = await rec.post('/api/v1/activities', { name: `社区助老服务${suffix}`, org_id: data.target.id,
    starts_at: new Date(Date.now() - 27 * H).toISOString(), ends_at: new Date(Date.now() - 25 * H).toISOString(),
    place: '社区活动室', content: '陪伴老人' })
  assert.equal(a.status, 201, a.text)
  data.activity = a.json
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
})

after(() => closeSuite(browser, srv))

test('a self-registered volunteer chooses a station and moves to another', { timeout: 240_000 }, async (t) => {
  const phoneContext = await newContext(browser, { phone: true })
  const deskContext = await newContext(browser)
  phone = await phoneContext.newPage()
  desk = await deskContext.newPage()
  for (const p of [phone, desk]) p.on('pageerror', (error) => pageErrors.push(String(error)))

  await step(t, 'on a phone, the person registers and finds the station by searching (中文)', async () => {
    page = phone
    await phone.goto(base + '/join')
    const form = phone.locator(byTest('volunteer-form'))
    await form.waitFor()
    await inputOf(form, 'vol-name').fill(person.name)
    await inputOf(form, 'vol-id-number').fill(residentId('510115', '19930415', 500 + (Date.now() % 400)))
    await form.locator(byTest('vol-id-ok')).waitFor()
    await inputOf(form, 'vol-phone').fill(person.phone)
    // the person lives in the other station's community: the target is
    // not among the nearest ones offered before a search
    // the code typed by hand (the region picker's fallback; tests/browser/regions.test.mjs picks)
    await form.locator(byTest('vol-region-mode')).click()
    await inputOf(form, 'vol-region-code').fill(data.second.region_code)
    await inputOf(form, 'vol-password').fill(person.password)
    await inputOf(form, 'vol-password2').fill(person.password)
    await form.locator(byTest('vol-consent-notice')).click()
    await form.locator(byTest('vol-consent-sensitive')).click()
    await form.locator(`${byTest('vol-consent-sensitive')} input:checked`).waitFor({ state: 'attached' })

    const picker = phone.locator(byTest('join-home-pick'))
    await picker.scrollIntoViewIfNeeded()
    await picker.locator(byTest(`join-home-pick-option-${data.second.id}`)).waitFor()
    assert.match(await picker.locator(byTest(`join-home-pick-option-${data.second.id}`)).innerText(), /同社区/)
    assert.equal(await picker.locator(byTest(`join-home-pick-option-${data.target.id}`)).count(), 0)
    const options = await picker.locator('[role="option"]').count()
    assert.ok(options >= 10 && options <= 20, `a page of ${options}`)
    const search = inputOf(picker, 'join-home-pick-search')
    await search.fill(data.target.name.slice(0, 8))
    const option = picker.locator(byTest(`join-home-pick-option-${data.target.id}`))
    await option.waitFor()
    await option.click()
    await picker.locator(byTest('join-home-pick-chosen')).getByText(data.target.name).waitFor()
    const width = await phone.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `page is ${width}px wide`)
    await shot(phone, 'home-station-join-chosen')

    const sent = phone.waitForResponse((r) => r.url().endsWith('/api/v1/public/volunteers') && r.request().method() === 'POST')
    await phone.locator(byTest('join-submit')).click()
    const response = await sent
    assert.equal(response.status(), 201, await response.text())
    assert.equal(JSON.parse(response.request().postData()).org_id, data.target.id)
    const body = JSON.parse(await response.text())
    assert.equal(body.volunteer.home_org_id, data.target.id)
    data.volunteerId = body.volunteer.id
    await phone.locator(byTest('join-number')).waitFor()
    assert.match(await phone.locator(byTest('join-home-done')).innerText(), new RegExp(`所属组织：${data.target.name}`))
  })

  await step(t, "the station's recorder finds them on the sign-in sheet (中文)", async () => {
    page = desk
    await signIn(desk, base, RECORDER.username, RECORDER.password)
    await desk.goto(base + '/records/entry')
    await desk.locator(byTest('entry-activity')).click()
    await desk.locator('.el-select-dropdown__item', { hasText: data.activity.name }).click()
    await desk.locator(byTest('entry-activity-facts')).waitFor()
    const search = inputOf(desk, 'entry-search')
    await search.fill(person.name)
    await desk.locator(byTest(`entry-search-option-${data.volunteerId}`)).waitFor()
    await search.press('Enter')
    await desk.locator(byTest('entry-row-0-name')).waitFor()
    assert.equal(await desk.locator(byTest('entry-row-0-name')).innerText(), person.name)
    await shot(desk, 'home-station-sheet')
    const done = desk.waitForResponse((r) => r.url().endsWith('/api/v1/records/batch'))
    await desk.locator(byTest('entry-submit')).click()
    assert.equal((await done).status(), 201)
    await desk.locator(byTest('entry-done')).waitFor()
  })

  await step(t, 'in English, the volunteer asks to move to another station', async () => {
    page = phone
    await phone.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
    await signIn(phone, base, person.phone, person.password)
    await phone.goto(base + '/me/volunteer')
    const card = phone.locator(byTest('my-home'))
    await card.waitFor()
    assert.match(await card.locator(byTest('my-home-current')).innerText(), new RegExp(`Now: ${data.target.name}`))
    await card.locator(byTest('my-home-ask')).click()
    const dialog = phone.locator('.el-dialog').filter({ has: phone.locator(byTest('my-home-pick')) })
    await dialog.waitFor()
    // nearest first: the person's own community station leads the list
    await dialog.locator(byTest(`my-home-pick-option-${data.second.id}`)).getByText('Your community').waitFor()
    await inputOf(dialog, 'my-home-pick-search').fill(data.second.name)
    await dialog.locator(byTest(`my-home-pick-option-${data.second.id}`)).click()
    await dialog.locator(byTest('my-home-pick-chosen')).waitFor()
    await dialog.locator(`textarea${byTest('my-home-note')}, ${byTest('my-home-note')} textarea`).first().fill('I moved house')
    await shot(phone, 'home-station-ask')
    await dialog.locator(byTest('my-home-send')).click()
    await card.locator(byTest('my-home-open')).getByText(`Waiting: asked to join ${data.second.name}`).waitFor()
  })

  await step(t, "in English, the new station's admin sees the count and accepts", async () => {
    page = desk
    await desk.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
    await signIn(desk, base, ADMIN2.username, ADMIN2.password)
    await desk.locator(byTest('nav-join-requests-count')).getByText('1').waitFor()
    assert.match(await desk.locator(byTest('nav-join-requests')).innerText(), /Join requests/)
    await desk.locator(byTest('nav-join-requests')).click()
    await desk.waitForURL((url) => url.pathname === '/volunteers/requests')
    await desk.locator(byTest('join-requests-total')).getByText('1 in all').waitFor()
    const cell = desk.locator('[data-test^="join-request-"]', { hasText: person.name })
    await cell.waitFor()
    const id = (await cell.getAttribute('data-test')).replace('join-request-', '')
    await shot(desk, 'home-station-requests')
    await desk.locator(byTest(`join-accept-${id}`)).click()
    const box = desk.locator('.join-accept-box')
    await box.waitFor()
    assert.match(await box.innerText(), new RegExp(`Accept ${person.name} into ${data.second.name}`))
    const accepted = desk.waitForResponse((r) => r.url().endsWith(`/api/v1/join-requests/${id}/accept`))
    await box.locator('.el-button--primary').click()
    assert.equal((await accepted).status(), 200)
    await desk.locator(byTest('join-requests-total')).getByText('0 in all').waitFor()
    await desk.locator(byTest('nav-join-requests-count')).waitFor({ state: 'detached' })
  })

  await step(t, "the file's organisation has changed, for staff and for the volunteer", async () => {
    page = desk
    await desk.goto(base + `/volunteers/${data.volunteerId}`)
    await desk.getByText(data.second.name).first().waitFor()
    const admin = new Client(base)
    await admin.login(ADMIN2.username, ADMIN2.password)
    const file = await admin.get(`/api/v1/volunteers/${data.volunteerId}`)
    assert.equal(file.status, 200)
    assert.equal(file.json.home_org_id, data.second.id)
    assert.deepEqual(file.json.memberships.map((m) => m.org_id), [data.target.id, data.second.id])
    page = phone
    await phone.reload()
    await phone.locator(byTest('my-home-current')).getByText(`Now: ${data.second.name}`).waitFor()
    await phone.locator(byTest('my-home-answer')).getByText(`${data.second.name} accepted your request`).waitFor()
    await shot(phone, 'home-station-moved')
  })

  await step(t, 'in Chinese, the decided request is listed under 已同意; in English, the join page offers the picker', async () => {
    page = desk
    await desk.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'zh-CN'))
    await desk.goto(base + '/volunteers/requests')
    assert.match(await desk.locator(byTest('nav-join-requests')).innerText(), /加入申请/)
    await desk.locator(byTest('join-requests-status-accepted')).click()
    await desk.locator(byTest('join-requests-total')).getByText('共 1 条').waitFor()
    await desk.locator('[data-test^="join-request-"]', { hasText: person.name }).waitFor()
    page = phone
    await phone.context().clearCookies()
    await phone.goto(base + '/join')
    const form = phone.locator(byTest('volunteer-form'))
    await form.waitFor()
    // the code typed by hand (the region picker's fallback; tests/browser/regions.test.mjs picks)
    await form.locator(byTest('vol-region-mode')).click()
    await inputOf(form, 'vol-region-code').fill(data.target.region_code)
    const picker = phone.locator(byTest('join-home'))
    assert.match(await picker.innerText(), /Choose your station or team/)
    await picker.locator(byTest(`join-home-pick-option-${data.target.id}`)).getByText('Your community').waitFor()
    await inputOf(picker, 'join-home-pick-search').fill('no such station zzz')
    await picker.locator(byTest('join-home-pick-none')).getByText('Nothing found').waitFor()
  })

  await step(t, 'no page errors', async () => {
    assert.deepEqual(pageErrors, [])
  })

  await withTimeout(phoneContext.close(), 5_000, 'phoneContext.close').catch(() => {})
  await withTimeout(deskContext.close(), 5_000, 'deskContext.close').catch(() => {})
})
