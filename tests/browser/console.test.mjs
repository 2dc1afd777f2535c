// Browser test of the console's shared parts on a district of the demo's
// size (64,318 volunteers, 341 organisations; tests/lib/district.mjs): the
// paged lists (usePagedList) append page after page in the server's order
// and drop an answer that arrives after a newer search started; the points
// ledger names the organisations of its rows (useOrgNames) without loading
// the tree; the archive reads its records page by page under its totals;
// the counter's task panels (components/counter/) work together
// on one store's goods; and the public pages share one header (brand on the
// list, a back link on a project), on a phone, in English.
// Run from the repository root: node --test tests/browser/console.test.mjs
// Needs build/zhiyuan and a built web/dist.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict } from '../lib/district.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, byTest, inputOf, steps, text, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const PROJECTS = 21   // one more than the public list's page of 20

let srv = null
let base = ''
let browser = null
let zh = null
let enPhone = null
let page = null
const pageErrors = []
const data = {}

const step = steps('console-', () => page)

async function ok(response, what, status = 200) {
  assert.equal(response.status, status, `${what}: ${response.text}`)
  return response.json
}

async function prepare() {
  const client = new Client(base)
  await client.login('admin', srv.adminPassword)
  const suffix = Date.now().toString(36).slice(-4)
  // the volunteers list's first two pages, as the server orders them
  const first = await ok(await client.get('/api/v1/volunteers?limit=50'), 'volunteers page 1')
  const second = await ok(await client.get('/api/v1/volunteers?' + new URLSearchParams({ limit: '50', cursor: first.next_cursor })), 'volunteers page 2')
  data.firstTwo = [...first.items, ...second.items].map((v) => v.id)
  assert.equal(new Set(data.firstTwo).size, 100)
  // the newest volunteer's station and the first volunteer's (the demo
  // fills a few stations, thousands each)
  const newest = await ok(await client.get(`/api/v1/volunteers/${first.items[0].id}`), 'newest')
  const oldestId = (await ok(await client.get('/api/v1/volunteers?limit=1&sort=volunteer_number'), 'oldest')).items[0].id
  const oldest = await ok(await client.get(`/api/v1/volunteers/${oldestId}`), 'oldest')
  data.station = { id: oldest.home_org_id, name: oldest.home_org_name }
  assert.notEqual(newest.home_org_id, oldest.home_org_id)
  data.stationFirst = (await ok(await client.get(`/api/v1/volunteers?limit=50&org_id=${data.station.id}`), 'station volunteers')).items.map((v) => v.id)
  assert.equal(data.stationFirst.length, 50)
  assert.notDeepEqual(data.stationFirst, data.firstTwo.slice(0, 50))

  // a grant to each of the two: the ledger shows their organisations by name
  data.grants = []
  for (const v of [newest, oldest]) {
    const reason = `控制台测试补记${suffix}-${v.id}`
    await ok(await client.post('/api/v1/points/adjustments', { volunteer_id: v.id, amount: 5, reason }), 'grant', 201)
    const movement = (await ok(await client.get(`/api/v1/points/movements?volunteer_id=${v.id}&limit=1`), 'movements')).items[0]
    assert.equal(movement.reason, reason)
    const org = await ok(await client.get(`/api/v1/organizations/${movement.org_id}`), 'movement org')
    data.grants.push({ reason, orgName: org.name })
  }
  assert.notEqual(data.grants[0].orgName, data.grants[1].orgName)

  // five approved records of the first volunteer, for the archive read
  // two at a time (the demo district comes without records)
  await ok(await client.patch(`/api/v1/organizations/${data.station.id}`, { allow_self_approval: true }), 'self approval')
  const day = 86400 * 1000
  for (let i = 1; i <= 5; i++) {
    const from = Date.now() - (i + 1) * day
    const activity = await ok(await client.post('/api/v1/activities', { name: `社区巡访${suffix}-${i}`, org_id: data.station.id,
      starts_at: new Date(from).toISOString(), ends_at: new Date(from + 2 * 3600 * 1000).toISOString(), place: '社区服务中心', content: '走访独居老人' }), 'activity', 201)
    const record = await ok(await client.post('/api/v1/records', { activity_id: activity.id, volunteer_id: oldest.id, minutes: 60 + i, quality: 'good' }), 'record', 201)
    await ok(await client.post(`/api/v1/records/${record.id}/approve`), 'approve')
  }
  const archive = await ok(await client.get(`/api/v1/volunteers/${oldest.id}/archive?limit=200`), 'archive')
  assert.equal(archive.records.length, 5)
  data.archived = { id: oldest.id, records: archive.records.map((r) => r.id), orgNames: [data.station.name] }
  assert.deepEqual(archive.by_org.map((x) => x.org_id), [data.station.id])

  // a store with one kind of goods (no stock yet)
  data.store = await ok(await client.post('/api/v1/stores', { org_id: data.station.id, name: `社区爱心超市${suffix}`, address: '社区服务中心一楼' }), 'store', 201)
  data.goods = await ok(await client.post(`/api/v1/stores/${data.store.id}/goods`, { name: `大米${suffix}`, unit: '袋', price: 20 }), 'goods', 201)
  assert.equal(data.goods.stock, 0)

  // 21 published projects: the public list's first page and one more
  data.projects = []
  for (let i = 1; i <= PROJECTS; i++) {
    const p = await ok(await client.post('/api/v1/projects', { title: `社区助老${suffix}第${i}期`, org_id: data.station.id, domain: 'public_welfare', category: '扶老助残' }), 'project', 201)
    await ok(await client.post(`/api/v1/projects/${p.id}/publish`), 'publish')
    data.projects.push(p.id)
  }
  const listed = await ok(await client.get('/api/v1/public/projects?limit=100'), 'public projects')
  assert.deepEqual(listed.items.map((p) => p.id).sort((a, b) => a - b), [...data.projects].sort((a, b) => a - b), 'the demo publishes no projects of its own')
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
  zh = await newContext(browser)
  enPhone = await newContext(browser, { phone: true, locale: 'en-GB' })
  await enPhone.addInitScript(() => localStorage.setItem('zhiyuan.locale', 'en'))
})

after(() => closeSuite(browser, srv))

// The ids of the volunteers the table shows, in order.
const shownVolunteers = () => page.$$eval('[data-test^="volunteer-link-"]', (links) => links.map((a) => Number(a.dataset.test.slice('volunteer-link-'.length))))

test('the console on a demo-sized district', { timeout: 240_000 }, async (t) => {

  await step(t, 'the volunteers list appends its second page in the server order', async () => {
    page = await watchedPage(zh, pageErrors)
    await signIn(page, base, 'admin', srv.adminPassword)
    await page.goto(base + '/volunteers')
    await page.waitForFunction((n) => document.querySelectorAll('[data-test^="volunteer-link-"]').length === n, 50)
    assert.deepEqual(await shownVolunteers(), data.firstTwo.slice(0, 50))
    await page.locator(byTest('volunteers-more')).click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-test^="volunteer-link-"]').length === n, 100)
    assert.deepEqual(await shownVolunteers(), data.firstTwo)
  })

  await step(t, 'an answer that arrives after a newer search is dropped', async () => {
    // the next unfiltered list is held back 1.5 s; meanwhile the user picks
    // a station, whose list comes at once
    let held = 0
    await page.route((url) => url.pathname === '/api/v1/volunteers' && !url.searchParams.has('org_id'), async (route) => {
      held++
      await new Promise((resolve) => setTimeout(resolve, 1500))
      await route.continue()
    })
    const slow = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/volunteers' && !new URL(r.url()).searchParams.has('org_id'))
    await page.locator(byTest('volunteers-search-button')).click()
    await page.locator(byTest('volunteers-org')).click()
    const searched = page.waitForResponse((r) => r.url().includes('/api/v1/organizations/search') && new URL(r.url()).searchParams.get('q') === data.station.name)
    await inputOf(page, 'volunteers-org').fill(data.station.name)
    await searched
    const filtered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/volunteers' && new URL(r.url()).searchParams.get('org_id') === String(data.station.id))
    await page.locator(`.volunteers-org-popper ${byTest(`org-option-${data.station.id}`)}`).click()
    await filtered
    await slow
    assert.equal(held, 1)
    await page.unrouteAll({ behavior: 'ignoreErrors' })
    await page.waitForTimeout(300)   // the late answer has had its chance to land
    assert.deepEqual(await shownVolunteers(), data.stationFirst)
    await page.locator(byTest('volunteers-more')).waitFor()
  })

  await step(t, 'the ledger names the organisations of its rows', async () => {
    await page.goto(base + '/points')
    for (const g of data.grants) {
      const row = page.locator(`${byTest('ledger-table')} .el-table__body tr`, { hasText: g.reason })
      await row.filter({ hasText: g.orgName }).waitFor()
      // the volunteer's name arrives in its own answer, after the row: wait
      // for it (a name that never comes times the step out)
      await row.filter({ hasNotText: /#\d+/ }).waitFor()
      assert.doesNotMatch(await text(row), /#\d+/)
    }
  })

  await step(t, 'the archive reads its records page by page under its totals', async () => {
    // the console asks for the server's default page (50); two at a time here
    await page.route((url) => url.pathname === `/api/v1/volunteers/${data.archived.id}/archive`, (route) => {
      const url = new URL(route.request().url())
      url.searchParams.set('limit', '2')
      return route.continue({ url: url.toString() })
    })
    const shownRecords = () => page.$$eval('.archive-records .el-table__body tr', (rows) =>
      rows.map((tr) => /archive-row-(\d+)/.exec(tr.className)?.[1]).filter(Boolean).map(Number))
    await page.goto(base + `/volunteers/${data.archived.id}?tab=archive`)
    await page.locator(byTest('archive-more')).waitFor()
    assert.deepEqual(await shownRecords(), data.archived.records.slice(0, 2))
    await page.locator(byTest('archive-more')).click()
    await page.waitForFunction(() => document.querySelectorAll('.archive-records .el-table__body tr[class*="archive-row-"]').length >= 4)
    assert.deepEqual(await shownRecords(), data.archived.records.slice(0, 4))
    // the totals by organisation name each organisation
    const byOrg = page.locator(byTest('archive-by-org'))
    for (const name of data.archived.orgNames) await byOrg.filter({ hasText: name }).waitFor()
    assert.doesNotMatch(await text(byOrg), /#\d+/)
    await page.unrouteAll({ behavior: 'ignoreErrors' })
  })

  await step(t, 'the counter: stock moved in the goods task shows in the sale and the reconciliation', async () => {
    await page.goto(base + '/counter')
    await page.locator(byTest('counter-store')).filter({ hasText: data.store.name }).waitFor()
    // the voucher and sale tasks each check their own input
    await page.locator(byTest('counter-look-up')).click()
    assert.equal(await text(page.locator(byTest('counter-code-error'))), '此项为必填项')
    await page.locator(byTest('counter-tab-goods')).click()
    await page.locator(byTest(`goods-stock-move-${data.goods.id}`)).click()
    const dialog = page.locator(byTest('stock-dialog'))
    await inputOf(dialog, 'stock-delta').fill('3')
    await inputOf(dialog, 'stock-reason').fill('社区捐赠入库')
    await dialog.locator(byTest('stock-submit')).click()
    await page.locator(byTest(`goods-stock-${data.goods.id}`)).filter({ hasText: /^3$/ }).waitFor()
    await page.locator(byTest('counter-tab-sale')).click()
    await page.locator(byTest(`sale-goods-price-${data.goods.id}`)).filter({ hasText: '库存 3' }).waitFor()
    await page.locator(byTest('sale-submit')).click()
    assert.equal(await text(page.locator(byTest('sale-code-error'))), '请输入付款码或兑换券码')
    await page.locator(byTest('counter-tab-recon')).click()
    const goodsRow = page.locator(`${byTest('recon-goods')} .el-table__body tr`, { hasText: data.goods.name })
    await goodsRow.waitFor()
    assert.deepEqual((await goodsRow.locator('td').allInnerTexts()).map((s) => s.trim()), [data.goods.name, '0', '3', '0', '3'])
    assert.equal(await text(page.locator(byTest('recon-balanced'))), '账实相符')
  })

  await step(t, 'public pages on a phone, in English: one header, a list paged by 20', async () => {
    page = await watchedPage(enPhone, pageErrors)
    await page.goto(base + '/p/projects')
    const header = page.locator(`${byTest('public-projects-page')} header.top`)
    assert.equal(await text(header.locator('.brand')), '志愿 Zhiyuan')
    assert.equal(await header.locator('svg').count(), 1)
    await header.locator(byTest('lang-switch')).waitFor()
    await page.waitForFunction((n) => document.querySelectorAll('[data-test^="public-project-"][href]').length === n, 20)
    await page.locator(byTest('public-more')).click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-test^="public-project-"][href]').length === n, PROJECTS)
    const ids = await page.$$eval('[data-test^="public-project-"][href]', (links) => links.map((a) => Number(a.dataset.test.slice('public-project-'.length))))
    assert.deepEqual([...ids].sort((a, b) => a - b), [...data.projects].sort((a, b) => a - b))
    assert.equal(await page.locator(byTest('public-more')).count(), 0)
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the list fits the phone (${width}px)`)

    await page.locator(byTest(`public-project-${data.projects[0]}`)).click()
    const top = page.locator(`${byTest('public-project-page')} header.top`)
    await top.locator(byTest('public-back')).filter({ hasText: 'All projects' }).waitFor()
    assert.equal(await top.locator('.mark').count(), 0)
    await top.locator(byTest('lang-switch')).waitFor()
    await top.locator(byTest('public-login')).filter({ hasText: /\S/ }).waitFor()
    assert.deepEqual(pageErrors, [])
  })
})
