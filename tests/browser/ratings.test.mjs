// Browser test of issue 13 §4–5 (评菜 and the statistics) on a district of
// the demo's size (341 organisations, 64,318 volunteers): three residents'
// orders are delivered through the API (ordering, dispatch and delivery
// have their own suites); on a phone (390×844) the first resident rates
// two stars with a comment on the tracking page (中文) and cannot rate
// again, the second rates five stars in English, an operator records the
// third's rating given on the phone; an admin closes the case the low
// rating opened (中文), the approval queue shows the quality the ratings
// suggest, and the menu statistics show the orders and their ratings
// (English). Everyone is synthetic (tests/lib/ids.mjs).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict, allOrganizations } from '../lib/district.mjs'
import { residentId, birthForAge } from '../lib/ids.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, byTest, signIn, steps, needWebBuild, closeSuite, text, shot } from '../lib/browser.mjs'

const H = 3600 * 1000
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')
const suffix = Date.now().toString(36).slice(-4)
const ADMIN = { username: `rt_adm_${suffix}`, password: 'Ratings-Admin-2026' }
const RECORDER = { username: `rt_rec_${suffix}`, password: 'Ratings-Rec-2026' }
const VOL_PASSWORD = 'Ratings-Vol-2026'

let srv = null
let base = ''
let browser = null
let page = null
const pageErrors = []
const step = steps('ratings-', () => page)
const data = { station: null, assoc: null, orders: [], sub: null }

// The district's menu gets a sub-item the chosen station provides (a
// station past the 50th organisation); its association's admin closes
// cases, its recorder dispatches, a volunteer of the station serves.
async function prepare() {
  const root = new Client(base)
  await root.login('admin', srv.adminPassword)
  const orgs = (await allOrganizations(root)).sort((a, b) => a.id - b.id)
  const stations = orgs.filter((o) => o.kind === 'station')
  data.station = stations[stations.length - 1]
  data.assoc = orgs.find((o) => o.id === data.station.parent_id)
  assert.ok(orgs.indexOf(data.station) >= 50 && data.assoc)
  for (const [who, org, roles] of [[ADMIN, data.assoc, ['admin']], [RECORDER, data.station, ['recorder']]]) {
    const r = await root.post('/api/v1/users', { username: who.username, password: who.password, roles, org_id: org.id })
    assert.equal(r.status, 201, r.text)
  }
  const made = async (body) => {
    const r = await root.post('/api/v1/menu/items', body)
    assert.equal(r.status, 201, r.text)
    return r.json
  }
  const cat = await made({ name: `评菜浏览器测试${suffix}`, parent_id: null })
  const item = await made({ name: `上门服务${suffix}`, parent_id: cat.id })
  data.sub = await made({ name: `代购药品${suffix}`, parent_id: item.id, provider_ids: [data.station.id] })
  const phone = `1358${String(Date.now() % 1e7).padStart(7, '0')}`
  const v = await new Client(base).post('/api/v1/public/volunteers', {
    name: '评菜测试员', id_type: 'resident_id', id_number: residentId('510115', birthForAge(33), Date.now() % 997), phone,
    region_code: data.station.region_code, org_id: data.station.id, password: VOL_PASSWORD,
    consent: { sensitive: true, notice_version: '2026-11' },
  })
  assert.equal(v.status, 201, v.text)
  const vol = new Client(base)
  await vol.login(phone, VOL_PASSWORD)
  const rec = new Client(base)
  await rec.login(RECORDER.username, RECORDER.password)
  const anon = new Client(base)
  for (let i = 0; i < 3; i++) {
    let r = await anon.post('/api/v1/public/orders', {
      menu_item_id: data.sub.id, requester_name: '赵淑珍', phone: `1369${String((Date.now() + i) % 1e7).padStart(7, '0')}`,
      address: '社区12栋3单元101', region_code: data.station.region_code,
      preferred_from: iso(Date.now() + 24 * H), preferred_to: iso(Date.now() + 26 * H), consent: true,
    })
    assert.equal(r.status, 201, r.text)
    const o = { id: r.json.id, code: r.json.tracking_code }
    r = await rec.post(`/api/v1/orders/${o.id}/accept`)
    assert.equal(r.status, 200, r.text)
    r = await rec.post(`/api/v1/orders/${o.id}/assignments`, { volunteer_ids: [v.json.volunteer.id] })
    assert.equal(r.status, 201, r.text)
    const a = (r.json.items || r.json.assignments || [r.json])[0]
    r = await vol.post(`/api/v1/assignments/${a.id}/accept`)
    assert.equal(r.status, 200, r.text)
    const end = Date.now() - (i + 1) * 2 * H
    r = await rec.post(`/api/v1/orders/${o.id}/deliver`, { started_at: iso(end - H), ended_at: iso(end) })
    assert.equal(r.status, 200, r.text)
    o.record = r.json.record_ids[0]
    data.orders.push(o)
  }
  const s = await root.get(`/api/v1/menu/stats?org_id=${data.assoc.id}`)
  data.before = s.json.totals
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
})

after(() => closeSuite(browser, srv))

test('residents rate on their phones, an operator by phone, an admin closes the case, the statistics show it', { timeout: 180_000 }, async (t) => {
  const zhPhone = await newContext(browser, { phone: true })
  const enPhone = await newContext(browser, { phone: true })
  await enPhone.addInitScript(() => localStorage.setItem('zhiyuan.locale', 'en'))
  const desk = await newContext(browser)
  const enDesk = await newContext(browser)
  await enDesk.addInitScript(() => localStorage.setItem('zhiyuan.locale', 'en'))

  await step(t, 'on a phone, the first resident rates two stars with a comment (中文) and cannot rate twice', async () => {
    page = await zhPhone.newPage()
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    await page.goto(`${base}/menu/track/${data.orders[0].code}`)
    const form = page.locator(byTest('order-rating'))
    await form.waitFor()
    assert.equal(await text(form.locator('.order-rating__title')), '评价本次服务')
    // the form fits the phone's width
    const box = await form.boundingBox()
    assert.ok(box.width <= 390, `form width ${box.width}`)
    // no stars yet: the form says so and sends nothing
    await page.locator(byTest('rating-submit')).click()
    assert.equal(await text(page.locator(byTest('rating-error'))), '请先选择评分')
    await page.locator(`${byTest('rating-stars')} .el-rate__item`).nth(1).click()
    await page.locator(`textarea${byTest('rating-comment')}, ${byTest('rating-comment')} textarea`).first().fill('约好九点，十点半才到')
    await shot(page, 'ratings-phone-form')
    await page.locator(byTest('rating-submit')).click()
    await page.locator(byTest('rating-thanks')).waitFor()
    assert.match(await text(page.locator(byTest('rating-thanks'))), /工作人员会跟进处理/)
    await page.reload()
    await page.locator(byTest('rating-already')).waitFor()
    assert.equal(await page.locator(byTest('track-status')).getAttribute('data-status'), 'rated')
  })

  await step(t, 'on a phone in English, the second resident rates five stars', async () => {
    page = await enPhone.newPage()
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    await page.goto(`${base}/menu/track/${data.orders[1].code}`)
    await page.locator(byTest('order-rating')).waitFor()
    assert.equal(await text(page.locator('.order-rating__title')), 'Rate this service')
    await page.locator(`${byTest('rating-stars')} .el-rate__item`).nth(4).click()
    assert.match(await text(page.locator(byTest('rating-stars'))), /Very happy/)
    await page.locator(byTest('rating-submit')).click()
    await page.locator(byTest('rating-thanks')).waitFor()
    assert.equal(await text(page.locator(`${byTest('rating-thanks')} .el-result__title`)), 'Thank you for your rating!')
  })

  await step(t, 'the admin closes the case the low rating opened (中文)', async () => {
    page = await desk.newPage()
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    await signIn(page, base, ADMIN.username, ADMIN.password)
    await page.locator(byTest('nav-order-cases')).click()
    await page.locator(byTest('cases-page')).waitFor()
    const cases = await (async () => {
      const c = new Client(base)
      await c.login(ADMIN.username, ADMIN.password)
      return (await c.get('/api/v1/order-cases?status=open')).json
    })()
    const mine = cases.items.find((c) => c.order_id === data.orders[0].id)
    assert.ok(mine, 'the low rating opened a case')
    assert.equal(await text(page.locator(byTest('cases-open-total'))), `待办结 ${cases.open_total} 件`)
    await page.locator(byTest(`case-open-${mine.id}`)).click()
    const drawer = page.locator(byTest('case-drawer'))
    await drawer.locator(byTest('case-records')).waitFor()
    assert.match(await text(drawer), /约好九点，十点半才到/)
    assert.equal(await drawer.locator(byTest('case-order-link')).getAttribute('href'), `/orders/${data.orders[0].id}`)
    assert.match(await text(drawer.locator(byTest('case-records'))), /评菜测试员/)
    await drawer.locator(`textarea${byTest('case-outcome-input')}, ${byTest('case-outcome-input')} textarea`).first().fill('已电话致歉，提醒志愿者守时')
    await shot(page, 'ratings-case')
    await drawer.locator(byTest('case-close')).click()
    await page.locator('.el-message--success').waitFor()
    await page.locator(byTest('cases-status-closed')).click()
    await page.locator(byTest(`case-${mine.id}`)).waitFor()
  })

  await step(t, 'the approval queue shows the quality the ratings suggest (中文)', async () => {
    // page is the admin's console from the step before
    await page.locator(byTest('nav-approval')).click()
    const hint = page.locator(byTest(`rating-suggestion-${data.orders[1].record}`))
    await hint.waitFor()
    assert.equal(await text(hint.locator('.stars')), '居民评价 5 星，建议：')
    await hint.locator(byTest('quality-excellent')).waitFor()
    await page.locator(byTest(`rating-suggestion-${data.orders[0].record}`)).locator(byTest('quality-fail')).waitFor()
  })

  await step(t, 'the operator records a phone rating on the order\'s page (中文)', async () => {
    page = await desk.newPage()
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    await signIn(page, base, RECORDER.username, RECORDER.password)
    await page.goto(`${base}/orders/${data.orders[2].id}`)
    await page.locator(byTest('order-phone-rating')).click()
    const dialog = page.locator(byTest('phone-rating-dialog'))
    await dialog.locator(`${byTest('phone-rating-stars')} .el-rate__item`).nth(3).click()
    await dialog.locator(`textarea${byTest('phone-rating-comment')}, ${byTest('phone-rating-comment')} textarea`).first().fill('电话回访：满意')
    await dialog.locator(byTest('phone-rating-submit')).click()
    await page.locator('.el-message--success').waitFor()
    await page.locator(`${byTest('order-detail-status')}[data-status="rated"]`).waitFor()
    // rated: no second rating is offered
    assert.equal(await page.locator(byTest('order-phone-rating')).count(), 0)
  })

  await step(t, 'the statistics show the orders and their ratings (English)', async () => {
    page = await enDesk.newPage()
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    await signIn(page, base, ADMIN.username, ADMIN.password)
    await page.goto(`${base}/menu/stats`)
    await page.locator(byTest('menu-stats-totals')).waitFor()
    assert.equal(await text(page.locator('.zy-page-title')), 'Menu statistics')
    const b = data.before
    // the admin's scope is the association: before the ratings, then two more
    assert.equal(await text(page.locator(byTest('stats-orders'))), String(b.orders))
    const ratings = b.ratings + 3, stars = b.stars_total + 11
    assert.equal(await text(page.locator(byTest('stats-stars-mean'))), (Math.round((stars * 100) / ratings) / 100).toFixed(2))
    // the sub-item's row: three orders, all delivered, rated 2, 5 and 4
    const row = page.locator(`${byTest('menu-stats-table')} tr`, { hasText: `代购药品${suffix}` })
    await row.waitFor()
    const cells = await row.locator('td').allInnerTexts()
    assert.deepEqual(cells.slice(1, 3).map((c) => c.trim()), ['3', '100.0%'])
    assert.equal(cells[5].trim(), '3.67')
    await page.locator(byTest('menu-stats-by_provider')).click()
    await page.locator(`${byTest('menu-stats-table')} tr`, { hasText: data.station.name }).waitFor()
    assert.ok(await page.locator(`${byTest('menu-stats-chart')} canvas`).count() >= 1, 'the chart is drawn')
    // the export carries the filters shown and the reader's language
    const href = await page.locator(byTest('menu-stats-csv')).getAttribute('href')
    assert.match(href, /^\/api\/v1\/menu\/stats\.csv\?lang=en&from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/)
    const csv = await page.evaluate(async (u) => (await fetch(u)).text(), href)
    assert.match(csv, new RegExp(`^\uFEFF?Group,Key,Name,Orders,[^\r]*\r\nTotals,,,${b.orders},`))
    await shot(page, 'ratings-stats')
  })

  assert.deepEqual(pageErrors, [])
})
