// Browser test of issue 10's scope points on a district of the demo's size
// (341 organisations, 64,318 volunteers): a clerk is offered only their own
// station's store at the counter, chosen already; a recorder finds a
// rejected entry first in "my entries" with its reason and corrects it; a
// town admin sees why a record is not theirs to approve (Chinese and
// English); bulk approval asks first (cancel changes nothing, confirm
// approves exactly the selection); the sign-in sheet on a 390×844 phone
// keeps minutes and quality on screen; the certificate dialog opens with a
// period.
// Run from the repository root: node --test tests/browser/entries.test.mjs
// Needs build/zhiyuan and a built web/dist. Uses Debian's /usr/bin/chromium
// through playwright-core; no browser download is involved.
//
// Everyone made here is synthetic: resident ID numbers carry a valid
// GB 11643 check digit for made-up people (region 510115).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict } from '../lib/district.mjs'
import { residentId } from '../lib/ids.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, text, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const CLERK = { username: 'entries_clerk', password: 'entries-clerk-1' }
const RECORDER = { username: 'entries_rec', password: 'entries-rec-1' }
const TOWN = { username: 'entries_town', password: 'entries-town-1' }
const REASON = '服务时长与签到表不符，应为 2 小时'
const H = 3600 * 1000
const D = 24 * H

let srv = null
let base = ''
let browser = null
let context = null
let phoneContext = null
let page = null
const pageErrors = []
const data = { station: null, association: null, stores: [], volunteers: [], records: {}, activity: null, sheetActivity: null }

const step = steps('entries-', () => page)
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z')
const chinaDate = (t) => new Date(new Date(t).getTime() + 8 * H).toISOString().slice(0, 10)

// Stores at the clerk's station, its association and two other stations;
// a clerk and a recorder at the station, a town admin at the association;
// three volunteers; an activity with three entries, one rejected and one
// approved, and one entry of the town admin's own.
async function prepare() {
  const admin = new Client(base)
  await admin.login('admin', srv.adminPassword)
  const stations = (await admin.get('/api/v1/organizations?kind=station&status=active&limit=200')).json.items
  assert.ok(stations.length > 60, `the demo has ${stations.length} stations`)
  // a station past the first page of 50 organisations
  const station = stations[60]
  data.station = station
  data.association = (await admin.get(`/api/v1/organizations/${station.parent_id}`)).json
  for (const [org, name] of [[station, '本站爱心超市'], [data.association, '镇协会爱心超市'], [stations[10], '别站爱心超市甲'], [stations[90], '别站爱心超市乙']]) {
    const r = await admin.post('/api/v1/stores', { org_id: org.id, name, address: org.name })
    assert.equal(r.status, 201, `create store: ${r.text}`)
    data.stores.push(r.json)
  }
  for (const [u, roles, org, display] of [[CLERK, ['clerk'], station, '店员小林'], [RECORDER, ['recorder'], station, '记录员小周'], [TOWN, ['admin'], data.association, '镇管理员老何']]) {
    const r = await admin.post('/api/v1/users', { ...u, display_name: display, roles, org_id: org.id })
    assert.equal(r.status, 201, `create user: ${r.text}`)
  }
  const region = station.region_code
  for (const [i, name] of ['闻人思远', '东方若溪', '慕容青山'].entries()) {
    const v = await admin.post('/api/v1/volunteers', {
      name, id_type: 'resident_id', id_number: residentId('510115', '19580817', 601 + i * 2), phone: `1995810000${i}`,
      region_code: region, org_id: station.id, consent: { sensitive: true, notice_version: '2026-11' },
    })
    assert.equal(v.status, 201, `create volunteer: ${v.text}`)
    data.volunteers.push(v.json)
  }
  const rec = new Client(base)
  await rec.login(RECORDER.username, RECORDER.password)
  const town = new Client(base)
  await town.login(TOWN.username, TOWN.password)
  data.town = town
  data.admin = admin
  const act = await rec.post('/api/v1/activities', { name: '江安河清洁行动', org_id: station.id, starts_at: iso(2 * D + 3 * H), ends_at: iso(2 * D), place: '江安河', content: '清理河岸垃圾' })
  assert.equal(act.status, 201, act.text)
  data.activity = act.json
  const sheet = await rec.post('/api/v1/activities', { name: '社区义诊签到', org_id: station.id, starts_at: iso(D + 3 * H), ends_at: iso(D), place: '社区卫生站', content: '协助义诊' })
  assert.equal(sheet.status, 201, sheet.text)
  data.sheetActivity = sheet.json
  const enter = async (client, v) => {
    const r = await client.post('/api/v1/records', { activity_id: act.json.id, volunteer_id: v.id, minutes: 180, quality: 'good' })
    assert.equal(r.status, 201, r.text)
    return r.json
  }
  data.records.rejected = await enter(rec, data.volunteers[0])
  data.records.approved = await enter(rec, data.volunteers[1])
  data.records.waiting = await enter(rec, data.volunteers[2])
  assert.equal((await town.post(`/api/v1/records/${data.records.rejected.id}/reject`, { reason: REASON })).status, 200)
  assert.equal((await town.post(`/api/v1/records/${data.records.approved.id}/approve`)).status, 200)
  // the town admin checked someone out at their own project: their entry
  const own = await town.post('/api/v1/activities', { name: '镇志愿服务日', org_id: station.id, starts_at: iso(3 * D + 3 * H), ends_at: iso(3 * D), place: '镇广场', content: '志愿服务集市' })
  assert.equal(own.status, 201, own.text)
  const r = await town.post('/api/v1/records', { activity_id: own.json.id, volunteer_id: data.volunteers[1].id, minutes: 120, quality: 'excellent' })
  assert.equal(r.status, 201, r.text)
  data.records.own = r.json
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict({ args: ['--public-url', 'https://zhiyuan.example.cn'] }), 120_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
  context = await newContext(browser)
  page = await watchedPage(context, pageErrors)
})

after(() => closeSuite(browser, srv))

// The header's language switch (on a phone it sits in the menu drawer).
async function setLanguage(lang) {
  const button = page.locator(`.header-lang ${byTest(lang === 'en' ? 'lang-en' : 'lang-zh')}`)
  if (await button.isVisible()) {
    await button.click()
    return
  }
  await page.locator(byTest('menu-toggle')).click()
  await page.locator(`.drawer-lang ${byTest(lang === 'en' ? 'lang-en' : 'lang-zh')}`).click()
  await page.keyboard.press('Escape')
}

// The box of a locator lies inside the page's viewport (after scrolling to it).
async function inViewport(p, locator, what) {
  await locator.scrollIntoViewIfNeeded()
  const box = await locator.boundingBox()
  const vp = p.viewportSize()
  assert.ok(box, `${what} is rendered`)
  assert.ok(box.x >= 0 && box.x + box.width <= vp.width, `${what} fits the width: x ${box.x}, width ${box.width} of ${vp.width}`)
  assert.ok(box.y >= 0 && box.y + box.height <= vp.height, `${what} is on screen: y ${box.y}, height ${box.height} of ${vp.height}`)
}

test('scope at the counter and in records: clerk, recorder, approver; confirmations; phone sheet; certificate period', { timeout: 300_000 }, async (t) => {
  const [v1, v2, v3] = data.volunteers

  await step(t, "the clerk is offered only their station's store, already chosen", async () => {
    await signIn(page, base, CLERK.username, CLERK.password)
    await page.goto(base + '/counter')
    const select = page.locator(byTest('counter-store'))
    await select.filter({ hasText: '本站爱心超市' }).waitFor()
    await select.click()
    const options = page.locator('.counter-store-popper .el-select-dropdown__item')
    await options.first().waitFor()
    assert.equal(await options.count(), 1, 'one store offered')
    assert.match(await text(options.first()), /本站爱心超市/)
    assert.match(await text(options.first()), /本组织/)
    await page.keyboard.press('Escape')
    // the goods tab works for that store: no 403 at the last step
    await page.locator(byTest('counter-tab-redeem')).waitFor()
    await shot(page, 'entries-counter-clerk')
  })

  await step(t, 'the recorder finds the rejected entry first, with its reason, and corrects it', async () => {
    await signIn(page, base, RECORDER.username, RECORDER.password)
    // the entry page points at the rejection to correct
    await page.locator(byTest('nav-record-entry')).click()
    assert.match(await text(page.locator(byTest('entry-to-fix'))), /待更正 1/)
    await page.locator(byTest('nav-my-entries')).click()
    await page.waitForURL((url) => url.pathname === '/records/mine')
    const table = page.locator(byTest('entries-table'))
    const rows = table.locator('.el-table__body tr')
    await rows.nth(2).waitFor()
    const first = rows.first()
    assert.match(await text(first), /闻人思远/)
    assert.match(await text(first), /已驳回/)
    assert.equal(await text(page.locator(byTest(`entry-reason-${data.records.rejected.id}`))), `驳回原因：${REASON}`)
    assert.match(await text(rows.nth(1)), /慕容青山[\s\S]*待审核/)
    assert.match(await text(rows.nth(2)), /东方若溪[\s\S]*已通过/)
    assert.match(await text(page.locator(byTest('entries-to-fix'))), /待更正 1/)
    await shot(page, 'entries-my-entries')

    await page.locator(byTest(`entry-fix-${data.records.rejected.id}`)).click()
    const dialog = page.locator(byTest('entry-fix-dialog'))
    await dialog.locator(byTest('entry-fix-reason')).waitFor()
    assert.match(await text(dialog.locator(byTest('entry-fix-reason'))), new RegExp(REASON))
    await inputOf(dialog, 'entry-fix-minutes').fill('120')
    await inputOf(dialog, 'entry-fix-minutes').press('Tab')
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/records') && r.request().method() === 'POST')
    await dialog.locator(byTest('entry-fix-submit')).click()
    const response = await sent
    assert.equal(response.status(), 201, await response.text())
    const body = JSON.parse(response.request().postData())
    assert.deepEqual([body.resubmits_id, body.minutes, body.volunteer_id], [data.records.rejected.id, 120, v1.id])
    data.records.fixed = JSON.parse(await response.text())
    await page.locator(byTest(`entry-status-${data.records.fixed.id}`)).waitFor()
    // nothing left to correct: the correction waits first, the rejection goes last
    assert.equal(await page.locator(byTest('entries-to-fix')).count(), 0)
    assert.equal(await page.locator(byTest(`entry-fix-${data.records.rejected.id}`)).count(), 0)
    assert.match(await text(rows.first()), /闻人思远[\s\S]*待审核/)
    assert.match(await text(rows.last()), /已更正重提/)
    // the recorder's own entries wait for someone else, and say so
    assert.match(await text(page.locator(byTest(`entry-why-${data.records.fixed.id}`))), /另一位管理员/)
  })

  await step(t, 'the town admin sees why their own entry is not theirs to approve, in Chinese and English', async () => {
    await signIn(page, base, TOWN.username, TOWN.password)
    await page.goto(base + '/records/approval')
    const own = data.records.own.id
    await page.locator(byTest(`approval-block-${own}`)).waitFor()
    assert.equal(await text(page.locator(byTest(`approval-block-${own}`))), '本人录入')
    assert.match(await text(page.locator(byTest(`approval-why-${own}`))), /您录入的.*签退.*另一位管理员/)
    assert.ok(await page.locator(byTest(`approve-${own}`)).isDisabled(), 'approve is off for their own entry')
    assert.equal(await text(page.locator(byTest(`approval-block-${data.records.waiting.id}`))), '可审核')
    assert.ok(await page.locator(byTest(`approve-${data.records.waiting.id}`)).isEnabled())
    assert.match(await text(page.locator(byTest('approval-blocked-note'))), /1 条您不能审核/)
    await shot(page, 'entries-approval-why-zh')
    await setLanguage('en')
    await page.locator(byTest(`approval-block-${own}`)).filter({ hasText: 'Own entry' }).waitFor()
    assert.match(await text(page.locator(byTest(`approval-why-${own}`))), /You entered this record .*another admin/)
    assert.match(await page.locator(byTest('approval-page')).innerText(), /Can you approve\?/)
    await shot(page, 'entries-approval-why-en')
    await setLanguage('zh')
    await page.locator(byTest(`approval-block-${own}`)).filter({ hasText: '本人录入' }).waitFor()
  })

  await step(t, 'bulk approval asks first: cancel changes nothing, confirm approves exactly the selection', async () => {
    const pick = [data.records.waiting.id, data.records.fixed.id]
    const table = page.locator(byTest('approval-table'))
    for (const id of pick) {
      const row = table.locator('.el-table__body tr').filter({ has: page.locator(byTest(`approve-${id}`)) })
      await row.locator('.el-checkbox').first().click()
    }
    // the own entry cannot be selected
    const ownRow = table.locator('.el-table__body tr').filter({ has: page.locator(byTest(`approve-${data.records.own.id}`)) })
    assert.ok(await ownRow.locator('.el-checkbox.is-disabled').count() === 1, 'own entry is not selectable')
    await page.locator(byTest('approval-bulk')).filter({ hasText: '2' }).click()
    const box = page.locator('.bulk-confirm-box')
    await box.waitFor()
    const message = await text(box)
    assert.match(message, /批准所选的 2 条服务记录，共 5\.0 小时/)
    assert.match(message, /慕容青山·江安河清洁行动/)
    assert.match(message, /闻人思远·江安河清洁行动/)
    await box.locator('.el-button').filter({ hasText: '取消' }).click()
    await box.waitFor({ state: 'hidden' })
    for (const id of pick) assert.equal((await data.admin.get(`/api/v1/records/${id}`)).json.status, 'submitted', 'cancel approved nothing')
    await page.locator(byTest('approval-bulk')).filter({ hasText: '2' }).click()
    await box.waitFor()
    const approvals = []
    page.on('request', (r) => { if (r.url().endsWith('/approve')) approvals.push(r.url()) })
    await box.locator('.el-button--primary').click()
    await page.locator(byTest(`approve-${data.records.waiting.id}`)).waitFor({ state: 'detached' })
    await page.locator(byTest(`approve-${data.records.fixed.id}`)).waitFor({ state: 'detached' })
    assert.deepEqual(approvals.map((u) => Number(u.split('/').at(-2))).sort(), [...pick].sort())
    for (const id of pick) assert.equal((await data.admin.get(`/api/v1/records/${id}`)).json.status, 'approved')
    assert.equal((await data.admin.get(`/api/v1/records/${data.records.own.id}`)).json.status, 'submitted', 'the own entry still waits')
    await page.locator(byTest(`approve-${data.records.own.id}`)).waitFor()
  })

  await step(t, 'the certificate dialog opens with a period: first service to today', async () => {
    await page.goto(base + `/volunteers/${v1.id}?tab=archive`)
    await page.locator(byTest('cert-request')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('cert-issue')) })
    await dialog.waitFor()
    const before = chinaDate(Date.now())
    assert.equal(await inputOf(dialog, 'cert-from').inputValue(), chinaDate(data.activity.starts_at))
    const to = await inputOf(dialog, 'cert-to').inputValue()
    assert.ok([before, chinaDate(Date.now())].includes(to), `${to} is today`)
    assert.match(await text(dialog.locator(byTest('cert-hint'))), /不能晚于今天/)
    await shot(page, 'entries-certificate-period')
    const issued = page.waitForResponse((r) => r.url().endsWith('/api/v1/certificates') && r.request().method() === 'POST')
    await dialog.locator(byTest('cert-issue')).click()
    const response = await issued
    assert.equal(response.status(), 201, await response.text())
    assert.equal(JSON.parse(await response.text()).minutes, 120)
    await page.keyboard.press('Escape')
  })

  await step(t, "the sign-in sheet on a 390×844 phone keeps minutes and quality on screen", async () => {
    phoneContext = await newContext(browser, { phone: true })
    page = await watchedPage(phoneContext, pageErrors)
    await signIn(page, base, RECORDER.username, RECORDER.password)
    await page.goto(base + '/records/entry')
    await page.locator(byTest('entry-activity')).click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '社区义诊签到' }).click()
    await page.locator(byTest('entry-activity-facts')).waitFor()
    const search = inputOf(page, 'entry-search')
    // a slow network: the second number is typed and entered before the
    // first one's answer arrives, and neither may be lost
    await page.route('**/api/v1/volunteers?*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 700))
      await route.continue()
    })
    for (const v of [v2, v3]) {
      await search.fill(v.volunteer_number)
      await search.press('Enter')
    }
    await page.locator(byTest('entry-card-1')).waitFor()
    await page.unrouteAll({ behavior: 'wait' })
    assert.equal(await text(page.locator(byTest('entry-card-0'))).then((s) => s.includes(v2.volunteer_number)), true)
    assert.equal(await text(page.locator(byTest('entry-card-1'))).then((s) => s.includes(v3.volunteer_number)), true)
    for (const i of [0, 1]) {
      await inViewport(page, page.locator(byTest(`entry-row-${i}-minutes`)), `row ${i + 1} minutes`)
      await inViewport(page, page.locator(byTest(`entry-row-${i}-quality`)), `row ${i + 1} quality`)
      await inViewport(page, page.locator(byTest(`entry-row-${i}-beneficiary`)), `row ${i + 1} beneficiary`)
    }
    assert.equal(await inputOf(page, 'entry-row-0-minutes').inputValue(), '180')
    await inputOf(page, 'entry-row-1-minutes').fill('120')
    await inputOf(page, 'entry-row-1-minutes').press('Tab')
    await page.locator(byTest('entry-row-1-quality')).click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '优秀' }).click()
    const doc = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(doc <= 390, `the page does not scroll sideways (${doc} px wide)`)
    await shot(page, 'entries-sheet-phone')
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/records/batch'))
    await inViewport(page, page.locator(byTest('entry-submit')), 'submit')
    await page.locator(byTest('entry-submit')).click()
    const response = await answered
    assert.equal(response.status(), 201, await response.text())
    const entries = JSON.parse(response.request().postData()).entries
    assert.deepEqual(entries.map((e) => [e.volunteer_id, e.minutes, e.quality]), [[v2.id, 180, 'good'], [v3.id, 120, 'excellent']])
    await page.locator(byTest('entry-done')).waitFor()
  })

  await step(t, 'my entries in English on the phone', async () => {
    await page.goto(base + '/records/mine')
    await setLanguage('en')
    await page.locator(byTest('my-entries-page')).filter({ hasText: 'My entries' }).waitFor()
    assert.match(await page.locator(byTest('entries-filter')).innerText(), /To correct|Awaiting approval/)
    await setLanguage('zh')
    assert.deepEqual(pageErrors, [])
  })
})
