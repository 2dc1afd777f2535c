// Browser test of star levels and awards against the real server: the root
// administrator sets custom star thresholds, starts an award round, nominates
// the top candidate and approves, rejects a second nomination, and nominates
// and approves an organisation; the award and the stars show in the
// volunteer's archive, an outside award is added with evidence, the star
// roster lists the volunteer with their level, and the public honour roll
// lists the round's awards with the volunteer's name masked.
// Run from the repository root: node --test tests/browser/
//
// Everyone here is synthetic: the resident ID number carries a valid
// GB 11643 check digit for a made-up person (region 510115).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer } from '../lib/server.mjs'
import { residentId } from '../lib/ids.mjs'
import { Client } from '../lib/client.mjs'
import { branch } from '../lib/fixtures.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, text, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const RECORDER = { username: 'awards_rec', password: 'recorder-awd-1' }
const H = 3600 * 1000
const NAME = '司马青云'

let srv = null
let base = ''
let browser = null
let context = null
let page = null
const pageErrors = []
const data = { client: null, station: null, volunteer: null, roundId: null }
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z')
const step = steps('awards-', () => page)

async function prepare() {
  const client = new Client(base)
  await client.login('admin', srv.adminPassword)
  data.client = client
  const suffix = Date.now().toString(36).slice(-4)
  const { station } = await branch(client, { association: `浣花街道志愿服务协会${suffix}`, station: `草堂社区工作站${suffix}`, town: '510115007' })
  data.station = station
  assert.equal((await client.post('/api/v1/users', { ...RECORDER, display_name: '记录员小孙', roles: ['recorder'], org_id: station.id })).status, 201)
  const v = await client.post('/api/v1/volunteers', {
    name: NAME,
    id_type: 'resident_id',
    id_number: residentId('510115', '19880809', 62),
    phone: '13812345671',
    region_code: '510115007001',
    org_id: station.id,
    consent: { sensitive: true, notice_version: '2026-11' },
  })
  assert.equal(v.status, 201, v.text)
  data.volunteer = v.json
  const recorder = new Client(base)
  await recorder.login(RECORDER.username, RECORDER.password)
  const activity = await recorder.post('/api/v1/activities', {
    name: `草堂社区环境整治${suffix}`,
    org_id: station.id,
    starts_at: iso(30 * H),
    ends_at: iso(27 * H),
    place: '草堂社区',
    content: '清理楼道杂物',
  })
  assert.equal(activity.status, 201, activity.text)
  const record = await recorder.post('/api/v1/records', { activity_id: activity.json.id, volunteer_id: data.volunteer.id, minutes: 150, quality: 'excellent' })
  assert.equal(record.status, 201, record.text)
  assert.equal((await client.post(`/api/v1/records/${record.json.id}/approve`)).status, 200)
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startServer({ backend: 'sqlite' }), 20_000, 'startServer')
  base = srv.url
  await withTimeout(prepare(), 20_000, 'prepare')
  browser = await launchBrowser()
  context = await newContext(browser)
  page = await watchedPage(context, pageErrors)
})

after(() => closeSuite(browser, srv))

test('star levels and awards', { timeout: 120_000 }, async (t) => {

  await step(t, 'the root administrator sets custom star thresholds', async () => {
    await page.goto(base + '/login')
    await inputOf(page, 'login-username').fill('admin')
    await inputOf(page, 'login-password').fill(srv.adminPassword)
    await page.locator(byTest('login-submit')).click()
    await page.waitForURL((url) => url.pathname !== '/login')
    await page.locator(byTest('nav-awards')).click()
    await page.waitForURL((url) => url.pathname === '/awards')
    await page.locator(byTest('awards-tab-stars')).click()
    await page.locator(byTest('star-settings')).waitFor()
    assert.equal(await inputOf(page, 'star-threshold-1').inputValue(), '100')
    await page.locator(byTest('star-preset-custom')).click()
    for (let i = 1; i <= 5; i++) {
      await inputOf(page, `star-threshold-${i}`).fill(String(i))
      await inputOf(page, `star-threshold-${i}`).press('Tab')
    }
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/star-levels') && r.request().method() === 'PUT')
    await page.locator(byTest('star-save')).click()
    const response = await saved
    assert.equal(response.status(), 200, await response.text())
    assert.deepEqual(JSON.parse(response.request().postData()), { preset: 'custom', min_quality: null, thresholds_hours: [1, 2, 3, 4, 5] })
    await shot(page, 'awards-star-settings')
  })

  await step(t, 'a round is started and the top candidate nominated and approved', async () => {
    await page.locator(byTest('awards-tab-rounds')).click()
    await page.locator(byTest('round-new')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('round-submit')) })
    await dialog.waitFor()
    await inputOf(dialog, 'round-name').fill('2026年度草堂社区表彰')
    await dialog.locator(byTest('round-org')).click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: data.station.name }).click()
    // the last 60 days: the default (1 January) would miss yesterday's
    // record early in January
    const from = new Date(Date.now() + 8 * 3600 * 1000 - 60 * 24 * 3600 * 1000).toISOString().slice(0, 10)
    await inputOf(dialog, 'round-from').fill(from)
    await inputOf(dialog, 'round-from').press('Enter')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/award-rounds') && r.request().method() === 'POST')
    await dialog.locator(byTest('round-submit')).click()
    const response = await created
    assert.equal(response.status(), 201, await response.text())
    assert.equal(JSON.parse(response.request().postData()).period_from, from)
    data.roundId = (await response.json()).id
    await page.waitForURL((url) => url.pathname === `/awards/${data.roundId}`)
    const candidates = page.locator(byTest('candidates-table'))
    await candidates.getByText(NAME).waitFor()
    assert.match(await text(candidates), /2\.5/)
    await page.locator(byTest(`candidate-nominate-${data.volunteer.id}`)).click()
    const nominate = page.locator('.el-dialog').filter({ has: page.locator(byTest('nominate-submit')) })
    await nominate.waitFor()
    await nominate.locator(`${byTest('nominate-reason')} textarea, textarea${byTest('nominate-reason')}`).first().fill('服务时长第一，评价优秀')
    const sent = page.waitForResponse((r) => r.url().endsWith(`/api/v1/award-rounds/${data.roundId}/nominations`))
    await nominate.locator(byTest('nominate-submit')).click()
    const nominated = await sent
    assert.equal(nominated.status(), 201, await nominated.text())
    const body = JSON.parse(nominated.request().postData())
    assert.equal(body.volunteer_id, data.volunteer.id)
    await nominate.waitFor({ state: 'hidden' })
    const nomination = (await nominated.json()).nominations[0]
    data.award = nomination.award
    await page.locator(byTest(`nomination-approve-${nomination.id}`)).click()
    await page.locator('.award-confirm-box .el-button--primary').click()
    await page.locator(byTest(`nomination-status-${nomination.id}`)).filter({ hasText: '已通过' }).waitFor()
    assert.equal(await page.locator(byTest(`nomination-approve-${nomination.id}`)).count(), 0)
    await shot(page, 'awards-round')
  })

  await step(t, 'a second nomination of the volunteer is rejected', async () => {
    await page.locator(byTest('nominate-open')).click()
    const nominate = page.locator('.el-dialog').filter({ has: page.locator(byTest('nominate-submit')) })
    await nominate.waitFor()
    await nominate.locator(byTest('nominate-type')).click()
    await page.locator('.nominate-type-popper .el-select-dropdown__item:visible', { hasText: '最具风采志愿者' }).click()
    await nominate.locator(byTest('nominate-volunteer')).click()
    await page.locator('.nominate-volunteer-popper .el-select-dropdown__item:visible', { hasText: NAME }).click()
    await nominate.locator(`${byTest('nominate-reason')} textarea, textarea${byTest('nominate-reason')}`).first().fill('热情周到')
    const sent = page.waitForResponse((r) => r.url().endsWith(`/api/v1/award-rounds/${data.roundId}/nominations`))
    await nominate.locator(byTest('nominate-submit')).click()
    const nominated = await sent
    assert.equal(nominated.status(), 201, await nominated.text())
    assert.equal(JSON.parse(nominated.request().postData()).volunteer_id, data.volunteer.id)
    await nominate.waitFor({ state: 'hidden' })
    const nomination = (await nominated.json()).nominations.find((n) => n.award === '最具风采志愿者')
    assert.ok(nomination, 'the new nomination is in the round')
    data.rejected = nomination
    await page.locator(byTest(`nomination-status-${nomination.id}`)).filter({ hasText: '待审' }).waitFor()
    const decided = page.waitForResponse((r) => r.url().endsWith(`/api/v1/nominations/${nomination.id}/reject`))
    await page.locator(byTest(`nomination-reject-${nomination.id}`)).click()
    assert.equal((await decided).status(), 200)
    await page.locator(byTest(`nomination-status-${nomination.id}`)).filter({ hasText: '未通过' }).waitFor()
    assert.equal(await page.locator(byTest(`nomination-approve-${nomination.id}`)).count(), 0)
    assert.equal(await page.locator(byTest(`nomination-reject-${nomination.id}`)).count(), 0)
    const row = page.locator(`${byTest('nominations-table')} .el-table__body tr`).filter({ has: page.locator(byTest(`nomination-status-${nomination.id}`)) })
    assert.match(await text(row), /最具风采志愿者/)
    assert.match(await text(row), new RegExp(NAME))
  })

  await step(t, 'an organisation is nominated as 优秀志愿服务组织 and approved', async () => {
    await page.locator(byTest('nominate-open')).click()
    const nominate = page.locator('.el-dialog').filter({ has: page.locator(byTest('nominate-submit')) })
    await nominate.waitFor()
    await nominate.locator(byTest('nominate-type')).click()
    await page.locator('.nominate-type-popper .el-select-dropdown__item:visible', { hasText: '优秀志愿服务组织' }).click()
    // the form asks for an organisation instead of a volunteer
    await nominate.locator(byTest('nominate-org')).waitFor()
    assert.equal(await nominate.locator(byTest('nominate-volunteer')).count(), 0)
    await nominate.locator(byTest('nominate-org')).click()
    await page.locator('.nominate-org-popper .el-select-dropdown__item:visible', { hasText: data.station.name }).click()
    await nominate.locator(`${byTest('nominate-reason')} textarea, textarea${byTest('nominate-reason')}`).first().fill('组织环境整治活动成效显著')
    const sent = page.waitForResponse((r) => r.url().endsWith(`/api/v1/award-rounds/${data.roundId}/nominations`))
    await nominate.locator(byTest('nominate-submit')).click()
    const nominated = await sent
    assert.equal(nominated.status(), 201, await nominated.text())
    const body = JSON.parse(nominated.request().postData())
    assert.equal(body.org_id, data.station.id)
    assert.equal(body.volunteer_id, undefined)
    await nominate.waitFor({ state: 'hidden' })
    const nomination = (await nominated.json()).nominations.find((n) => n.award === '优秀志愿服务组织')
    assert.ok(nomination, 'the organisation nomination is in the round')
    const row = page.locator(`${byTest('nominations-table')} .el-table__body tr`).filter({ has: page.locator(byTest(`nomination-status-${nomination.id}`)) })
    assert.match(await text(row), new RegExp(data.station.name))
    await page.locator(byTest(`nomination-approve-${nomination.id}`)).click()
    await page.locator('.award-confirm-box .el-button--primary').click()
    await page.locator(byTest(`nomination-status-${nomination.id}`)).filter({ hasText: '已通过' }).waitFor()
    assert.equal(await page.locator(byTest(`nomination-approve-${nomination.id}`)).count(), 0)
    // the rejected one stays rejected
    assert.equal(await text(page.locator(byTest(`nomination-status-${data.rejected.id}`))), '未通过')
    await shot(page, 'awards-round-decided')
  })

  await step(t, 'the archive shows the stars and the award; an outside award is added with evidence', async () => {
    await page.goto(`${base}/volunteers/${data.volunteer.id}?tab=archive`)
    const level = page.locator(byTest('archive-star-level'))
    await level.waitFor()
    assert.equal(await text(level), '★★')
    await page.locator(byTest('archive-star-2')).waitFor()
    const awards = page.locator(byTest('archive-awards-table'))
    await awards.getByText(data.award).waitFor()
    assert.match(await text(awards), /评选/)
    assert.doesNotMatch(await text(awards), /最具风采志愿者/, 'a rejected nomination is no award')
    await page.locator(byTest('archive-award-add')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('award-submit')) })
    await dialog.waitFor()
    await inputOf(dialog, 'award-name').fill('成都市优秀志愿者')
    const date = dialog.locator(`${byTest('award-granted-on-item')} input`)
    await date.fill('2026-03-05')
    await date.press('Enter')
    await inputOf(dialog, 'award-unit').fill('成都市志愿服务联合会')
    // evidence is required by the server, which says so next to the field
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/volunteers/${data.volunteer.id}/awards`))
    await dialog.locator(byTest('award-submit')).click()
    assert.equal((await answered).status(), 422)
    await dialog.locator(`${byTest('award-evidence-item')} .el-form-item__error`).waitFor()
    assert.equal(await dialog.locator('.el-form-item.is-error').count(), 1)
    await dialog.locator(`${byTest('award-evidence')} textarea, textarea${byTest('award-evidence')}`).first().fill('成志联〔2026〕12号')
    const added = page.waitForResponse((r) => r.url().endsWith(`/api/v1/volunteers/${data.volunteer.id}/awards`))
    await dialog.locator(byTest('award-submit')).click()
    assert.equal((await added).status(), 201)
    await dialog.waitFor({ state: 'hidden' })
    await awards.getByText('成都市优秀志愿者').waitFor()
    assert.match(await text(awards), /外部/)
    await shot(page, 'awards-archive')
  })

  await step(t, 'the star roster lists the volunteer with their level', async () => {
    await page.goto(base + '/awards')
    await page.locator(byTest('awards-tab-stars')).click()
    const table = page.locator(byTest('roster-table'))
    const row = table.locator('.el-table__body tr').filter({ hasText: NAME })
    await row.waitFor()
    assert.match(await text(row), new RegExp(data.volunteer.volunteer_number))
    assert.match(await text(row), /★★(?!★)/)
    assert.match(await text(row), new RegExp(data.station.name))
    assert.match(await text(page.locator(byTest('roster-counts'))), /2 星 1 人/)
    // only the two-star volunteers
    await page.locator(byTest('roster-level')).click()
    const listed = page.waitForResponse((r) => r.url().includes('/star-roster') && r.url().includes('level=2'))
    await page.locator('.el-select-dropdown__item:visible', { hasText: /^2 星$/ }).click()
    assert.equal((await listed).status(), 200)
    await row.waitFor()
    // nobody has three stars
    await page.locator(byTest('roster-level')).click()
    const none = page.waitForResponse((r) => r.url().includes('/star-roster') && r.url().includes('level=3'))
    await page.locator('.el-select-dropdown__item:visible', { hasText: /^3 星$/ }).click()
    await none
    await row.waitFor({ state: 'detached' })
    await shot(page, 'awards-star-roster')
  })

  await step(t, 'the public honour roll lists the round awards, the volunteer\'s name masked', async () => {
    const anon = await newContext(browser, { phone: true })
    try {
      const p = await anon.newPage()
      p.on('pageerror', (error) => pageErrors.push(String(error)))
      await p.goto(base + '/honour-roll')
      const list = p.locator(byTest('honour-list'))
      await list.getByText(data.award).waitFor()
      const name = await text(list.locator('li').filter({ hasText: data.award }).locator(byTest('honour-name')))
      assert.notEqual(name, NAME)
      assert.ok(name.startsWith('司'), `masked name ${name}`)
      assert.doesNotMatch(await text(list), /成都市优秀志愿者/, 'outside awards are not listed')
      assert.doesNotMatch(await text(list), /最具风采志愿者/, 'rejected nominations are not listed')
      const org = list.locator('li').filter({ hasText: '优秀志愿服务组织' })
      await org.waitFor()
      assert.equal(await text(org.locator(byTest('honour-name'))), data.station.name, 'organisations are shown by name')
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`)
      await shot(p, 'awards-honour-roll-phone')
    } finally {
      await anon.close().catch(() => {})
    }
  })

  await step(t, 'no script errors', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
