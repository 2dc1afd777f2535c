// Browser test of the points pages (公益银行·志愿积分) against the real server:
// the points panel of a volunteer's archive (balance, movements, an admin's
// grant and a refused deduction), the staff ledger at /points and the
// earning rules of a station, and the volunteer's own view on a phone.
// Run from the repository root: node --test tests/browser/
// Needs build/zhiyuan and a built web/dist. Uses Debian's /usr/bin/chromium
// through playwright-core; no browser download is involved.
//
// Everyone here is synthetic: the resident ID number carries a valid
// GB 11643 check digit for a made-up person (region 510115).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer } from '../lib/server.mjs'
import { branch, selfRegister } from '../lib/fixtures.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, text, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const RECORDER = { username: 'points_rec', password: 'recorder-pts-1' }
const SOCIAL = { username: 'points_sw', password: 'social-pts-1' }
const VOLUNTEER = { phone: '13612345678', password: 'Points-Test-2026' }
const H = 3600 * 1000

let srv = null
let base = ''
let adminPassword = ''
let browser = null
let context = null
let page = null
const pageErrors = []
const data = { client: null, station: null, volunteer: null, activity: null, record: null }

const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z')

// ---- harness ---------------------------------------------------------------
const step = steps('points-', () => page)

// A station, a recorder there, a volunteer who registered themselves there,
// and one approved record of 120 minutes: 2 points under the default rules.
async function prepare() {
  const client = new Client(base)
  await client.login('admin', adminPassword)
  data.client = client
  const suffix = Date.now().toString(36).slice(-4)
  const { association, station } = await branch(client, { association: `永宁街道志愿服务协会${suffix}`, station: `八角社区工作站${suffix}`, town: '510115003' })
  data.station = station
  const user = await client.post('/api/v1/users', { ...RECORDER, display_name: '记录员小李', roles: ['recorder'], org_id: station.id })
  assert.equal(user.status, 201, `create recorder: ${user.text}`)
  const social = await client.post('/api/v1/users', { ...SOCIAL, display_name: '社工小赵', roles: ['social_worker'], org_id: association.id })
  assert.equal(social.status, 201, `create social worker: ${social.text}`)

  data.volunteer = await selfRegister(base, { name: '诸葛晓岚', ...VOLUNTEER }, { birth: '19930417', seq: 42, region: '510115003001', org: station.id })

  // An activity of two hours that ended yesterday (no late entry reason needed).
  const recorder = new Client(base)
  await recorder.login(RECORDER.username, RECORDER.password)
  const activity = await recorder.post('/api/v1/activities', {
    name: `八角社区助老探访${suffix}`,
    org_id: station.id,
    starts_at: iso(30 * H),
    ends_at: iso(28 * H),
    place: '八角社区日间照料中心',
    content: '陪伴老人聊天，协助整理房间',
  })
  assert.equal(activity.status, 201, `create activity: ${activity.text}`)
  data.activity = activity.json
  const record = await recorder.post('/api/v1/records', { activity_id: activity.json.id, volunteer_id: data.volunteer.id, minutes: 120, quality: 'good' })
  assert.equal(record.status, 201, `enter record: ${record.text}`)
  data.record = record.json
  const approved = await client.post(`/api/v1/records/${record.json.id}/approve`)
  assert.equal(approved.status, 200, `approve: ${approved.text}`)
  const points = await client.get(`/api/v1/volunteers/${data.volunteer.id}/points`)
  assert.deepEqual(points.json, { volunteer_id: data.volunteer.id, balance: 2, earned: 2, shortfall: 0, voucher_points: 30 })
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startServer({ backend: 'sqlite' }), 20_000, 'startServer')
  base = srv.url
  adminPassword = srv.adminPassword
  await withTimeout(prepare(), 20_000, 'prepare')
  browser = await launchBrowser()
  context = await newContext(browser, { acceptDownloads: false })
  page = await watchedPage(context, pageErrors)
})

after(() => closeSuite(browser, srv))

test('points panel, adjustment, ledger and earning rules', { timeout: 180_000 }, async (t) => {
  const v = data.volunteer
  const reason = '优秀志愿者季度奖励'

  await step(t, 'the admin signs in and sees the points menu entry', async () => {
    await signIn(page, base, 'admin', adminPassword)
    await page.locator(byTest('nav-points')).waitFor()
    assert.match(await page.locator(byTest('nav-points')).innerText(), /志愿积分/)
  })

  await step(t, "the volunteer's archive shows 2 points earned by the approved record", async () => {
    await page.goto(`${base}/volunteers/${v.id}`)
    await page.locator(byTest('volunteer-tab-archive')).click()
    const balance = page.locator(byTest('points-balance'))
    await balance.waitFor()
    assert.equal(await text(balance), '2')
    assert.equal(await text(page.locator(byTest('points-earned'))), '2')
    assert.equal(await page.locator(byTest('points-shortfall')).count(), 0, 'no shortfall shown at 0')
    const list = page.locator(byTest('points-movements'))
    await list.locator('li').first().waitFor()
    assert.equal(await list.locator('li').count(), 1)
    const first = list.locator('li').first()
    assert.equal(await text(first.locator(byTest('points-movement-amount'))), '+2')
    assert.match(await first.innerText(), /获得/)
    assert.match(await first.innerText(), new RegExp(data.activity.name), 'the record is named by its activity')
    await shot(page, 'points-archive-earned')
  })

  await step(t, 'the admin grants 28 points with a reason and the balance becomes 30', async () => {
    await page.locator(byTest('points-adjust')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('points-adjust-submit')) })
    await dialog.waitFor()
    await inputOf(dialog, 'points-adjust-amount').fill('28')
    await inputOf(dialog, 'points-adjust-amount').press('Tab')
    await dialog.locator(`textarea${byTest('points-adjust-reason')}, ${byTest('points-adjust-reason')} textarea`).first().fill(reason)
    await shot(page, 'points-adjust-dialog')
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/points/adjustments') && r.method() === 'POST')
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/points/adjustments'))
    await dialog.locator(byTest('points-adjust-submit')).click()
    const request = await sent
    assert.match(request.headers()['idempotency-key'] || '', /^[0-9a-f-]{36}$/)
    assert.deepEqual(JSON.parse(request.postData()), { volunteer_id: v.id, amount: 28, reason })
    assert.equal((await answered).status(), 201)
    await dialog.waitFor({ state: 'hidden' })
    await page.locator(byTest('points-balance')).filter({ hasText: /^30$/ }).waitFor()
    const first = page.locator(byTest('points-movements')).locator('li').first()
    await first.filter({ hasText: reason }).waitFor()
    assert.equal(await text(first.locator(byTest('points-movement-amount'))), '+28')
    assert.match(await first.innerText(), /调整/)
    assert.equal(await page.locator(byTest('points-movements')).locator('li').count(), 2)
    await shot(page, 'points-archive-adjusted')
  })

  await step(t, 'a deduction larger than the balance is refused next to the amount', async () => {
    await page.locator(byTest('points-adjust')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('points-adjust-submit')) })
    await dialog.waitFor()
    assert.match(await dialog.innerText(), /当前可用 30 分/)
    await dialog.locator(byTest('points-adjust-deduct')).click()
    await inputOf(dialog, 'points-adjust-amount').fill('1000')
    await inputOf(dialog, 'points-adjust-amount').press('Tab')
    await dialog.locator(`textarea${byTest('points-adjust-reason')}, ${byTest('points-adjust-reason')} textarea`).first().fill('兑换测试')
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/points/adjustments'))
    await dialog.locator(byTest('points-adjust-submit')).click()
    const response = await answered
    assert.equal(response.status(), 409)
    const error = dialog.locator(`${byTest('points-adjust-amount-item')} .el-form-item__error`)
    await error.waitFor()
    assert.match(await error.innerText(), /积分余额不足/)
    await shot(page, 'points-adjust-refused')
    await dialog.getByRole('button', { name: '取消' }).click()
    await dialog.waitFor({ state: 'hidden' })
    const balance = await data.client.get(`/api/v1/volunteers/${v.id}/points`)
    assert.equal(balance.json.balance, 30, 'nothing moved')
    assert.equal(await text(page.locator(byTest('points-balance'))), '30')
  })

  await step(t, 'the ledger at /points lists the movements of the scope', async () => {
    await page.locator(byTest('nav-points')).click()
    await page.waitForURL((url) => url.pathname === '/points')
    const table = page.locator(byTest('ledger-table'))
    await table.locator('.el-table__body tr').nth(1).waitFor()
    const rows = table.locator('.el-table__body tr')
    assert.equal(await rows.count(), 2)
    assert.match(await rows.nth(0).innerText(), new RegExp(reason))
    assert.match(await rows.nth(0).innerText(), /\+28/)
    assert.match(await rows.nth(0).innerText(), /调整/)
    assert.match(await rows.nth(1).innerText(), /\+2/)
    assert.match(await rows.nth(1).innerText(), /获得/)
    // volunteer names are looked up
    await rows.nth(0).getByText(v.name).waitFor()
    assert.match(await rows.nth(1).innerText(), new RegExp(data.station.name))
    // filtered by the station: the same two
    await page.locator(byTest('ledger-org')).click()
    const filtered = page.waitForResponse((r) => r.url().includes(`/api/v1/points/movements?org_id=${data.station.id}`))
    await page.locator('.ledger-org-popper .el-select-dropdown__item', { hasText: data.station.name }).click()
    assert.equal((await filtered).status(), 200)
    await page.locator(byTest('ledger-count')).filter({ hasText: '已显示 2 条' }).waitFor()
    await shot(page, 'points-ledger')
  })

  await step(t, 'the station gets 1.5 points per hour', async () => {
    await page.locator(byTest('points-tab-rules')).click()
    await page.locator(byTest('rules-org')).waitFor()
    await page.locator(byTest('rules-org')).click()
    const loaded = page.waitForResponse((r) => r.url().endsWith(`/api/v1/organizations/${data.station.id}/point-rules`))
    await page.locator('.rules-org-popper .el-select-dropdown__item', { hasText: data.station.name }).click()
    await loaded
    await page.locator(byTest('rules-source')).filter({ hasText: '系统默认规则' }).waitFor()
    const perHour = inputOf(page, 'rules-per-hour')
    assert.equal(await perHour.inputValue(), '1')
    assert.equal(await inputOf(page, 'rules-quality-fail').inputValue(), '0')
    assert.match(await page.locator(byTest('rules-quality-item')).innerText(), /优秀[\s\S]*良好[\s\S]*合格[\s\S]*不合格/)
    await perHour.fill('1.5')
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/organizations/${data.station.id}/point-rules`) && r.request().method() === 'PUT')
    await page.locator(byTest('rules-save')).click()
    const response = await saved
    assert.equal(response.status(), 200, await response.text())
    const body = JSON.parse(response.request().postData())
    assert.equal(body.points_per_hour, 1.5)
    assert.deepEqual(body.quality_multipliers, { excellent: 1, good: 1, pass: 1, fail: 0 })
    assert.deepEqual([body.cap_per_activity, body.cap_per_day, body.cap_per_year], [null, null, null])
    await page.locator('.el-message--success').first().waitFor()
    await page.locator(byTest('rules-source')).filter({ hasText: '本组织自定的规则' }).waitFor()
    assert.equal(await perHour.inputValue(), '1.5')
    const rules = await data.client.get(`/api/v1/organizations/${data.station.id}/point-rules`)
    assert.deepEqual([rules.json.points_per_hour, rules.json.inherited_from], [1.5, data.station.id])
    await shot(page, 'points-rules-saved')
  })

  await step(t, 'a negative rate is refused by the server next to the field', async () => {
    const perHour = inputOf(page, 'rules-per-hour')
    await perHour.fill('-1')
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/organizations/${data.station.id}/point-rules`) && r.request().method() === 'PUT')
    await page.locator(byTest('rules-save')).click()
    const response = await saved
    assert.equal(response.status(), 422)
    const error = page.locator(`${byTest('rules-per-hour-item')} .el-form-item__error`)
    await error.waitFor()
    assert.match(await error.innerText(), /\S/)
    assert.equal(await page.locator('.el-form-item.is-error').count(), 1, 'only that field complains')
    await shot(page, 'points-rules-refused')
    const rules = await data.client.get(`/api/v1/organizations/${data.station.id}/point-rules`)
    assert.equal(rules.json.points_per_hour, 1.5, 'nothing changed')
    // a cap that is not a whole number is caught before sending
    await page.locator(byTest('rules-reset')).click()
    assert.equal(await perHour.inputValue(), '1.5')
    await inputOf(page, 'rules-cap-per-day').fill('2.5')
    await page.locator(byTest('rules-save')).click()
    await page.locator(`${byTest('rules-cap-per-day-item')} .el-form-item__error`).waitFor()
    await page.locator(byTest('rules-reset')).click()
    assert.equal(await page.locator('.el-form-item.is-error').count(), 0)
  })

  await step(t, 'category coefficients and caps are saved, and an empty cap means none', async () => {
    await page.locator(byTest('rules-category-add')).click()
    await page.locator(byTest('rules-category-0')).click()
    await page.locator('.rules-category-popper .el-select-dropdown__item', { hasText: '扶老助残' }).click()
    await inputOf(page, 'rules-coefficient-0').fill('2')
    await inputOf(page, 'rules-cap-per-day').fill('10')
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/organizations/${data.station.id}/point-rules`) && r.request().method() === 'PUT')
    await page.locator(byTest('rules-save')).click()
    const response = await saved
    assert.equal(response.status(), 200, await response.text())
    const body = JSON.parse(response.request().postData())
    assert.deepEqual(body.category_coefficients, { 扶老助残: 2 })
    assert.deepEqual([body.points_per_hour, body.cap_per_activity, body.cap_per_day, body.cap_per_year], [1.5, null, 10, null])
    const rules = (await data.client.get(`/api/v1/organizations/${data.station.id}/point-rules`)).json
    assert.deepEqual([rules.points_per_hour, rules.category_coefficients, rules.cap_per_day, rules.cap_per_year], [1.5, { 扶老助残: 2 }, 10, null])
    // the saved rules come back into the form
    assert.equal(await inputOf(page, 'rules-coefficient-0').inputValue(), '2')
    assert.equal(await inputOf(page, 'rules-cap-per-day').inputValue(), '10')
    await shot(page, 'points-rules-categories')
  })

  await step(t, 'the page speaks English too', async () => {
    await page.locator(byTest('lang-en')).first().click()
    await page.locator(byTest('points-tab-rules')).filter({ hasText: 'Earning rules' }).waitFor()
    assert.match(await page.locator(byTest('rules-source')).innerText(), /own rules/)
    assert.match(await page.locator(byTest('nav-points')).innerText(), /Points ledger/)
    await page.locator(byTest('lang-zh')).first().click()
    await page.locator(byTest('points-tab-rules')).filter({ hasText: '积分规则' }).waitFor()
  })

  await step(t, 'a social worker reads the ledger and the rules but changes nothing', async () => {
    await signIn(page, base, SOCIAL.username, SOCIAL.password)
    await page.locator(byTest('nav-points')).click()
    await page.waitForURL((url) => url.pathname === '/points')
    await page.locator(byTest('ledger-table')).locator('.el-table__body tr').nth(1).waitFor()
    assert.match(await page.locator(byTest('ledger-table')).innerText(), new RegExp(reason))
    await page.locator(byTest('points-tab-rules')).click()
    await page.locator(byTest('rules-org')).click()
    await page.locator('.rules-org-popper .el-select-dropdown__item', { hasText: data.station.name }).click()
    await page.locator(byTest('rules-per-hour-value')).filter({ hasText: /^1\.5$/ }).waitFor()
    assert.match(await page.locator(byTest('rules-readonly')).innerText(), /每日上限\s*10/)
    assert.equal(await page.locator(byTest('rules-save')).count(), 0)
    await shot(page, 'points-rules-readonly')
    await page.goto(`${base}/volunteers/${v.id}?tab=archive`)
    await page.locator(byTest('points-balance')).filter({ hasText: /^30$/ }).waitFor()
    assert.equal(await page.locator(byTest('points-adjust')).count(), 0, 'only admins adjust')
  })

  await step(t, 'the volunteer sees their points on a phone, without the adjust button', async () => {
    const phone = await newContext(browser, { phone: true })
    try {
      const p = await phone.newPage()
      p.on('pageerror', (error) => pageErrors.push(String(error)))
      await signIn(p, base, VOLUNTEER.phone, VOLUNTEER.password)
      assert.equal(await p.locator(byTest('nav-points')).count(), 0, 'no ledger for volunteers')
      await p.goto(base + '/me/volunteer')
      const balance = p.locator(byTest('points-balance'))
      await balance.waitFor()
      assert.equal(await text(balance), '30')
      const list = p.locator(byTest('points-movements'))
      await list.locator('li').nth(1).waitFor()
      assert.equal(await text(list.locator('li').first().locator(byTest('points-movement-amount'))), '+28')
      assert.equal(await p.locator(byTest('points-adjust')).count(), 0)
      await p.locator(byTest('points-panel')).scrollIntoViewIfNeeded()
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`)
      await shot(p, 'points-my-file-phone')
      // and /points is not theirs
      await p.goto(base + '/points')
      await p.waitForURL((url) => url.pathname === '/')
    } finally {
      await phone.close().catch(() => {})
    }
  })

  await step(t, 'no script errors', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
