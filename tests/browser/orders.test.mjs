// Browser test of issue 13 §2 (点菜) on a district of the demo's size (341
// organisations, 64,318 volunteers): a resident finds a sub-item on the
// public menu and orders it on a phone (390×844, Chinese) and follows it
// with the tracking code; an operator takes a phone order on the hotline
// intake with the keyboard alone (English), finding the caller's earlier order and the duplicate
// warning; the providing station's recorder finds the order on the board,
// reads it in full in the detail and accepts it, declines the duplicate
// (Chinese), and the
// resident sees it accepted (English); once delivered the recorder closes
// it with a note (Chinese: the detail masks the resident from then on) and
// the resident's tracking page shows it closed (English); the operator's
// hotline, picked once on the intake, is preselected on the next visit.
// Everyone is synthetic.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict, allOrganizations } from '../lib/district.mjs'
import { Client } from '../lib/client.mjs'
import { residentId, birthForAge } from '../lib/ids.mjs'
import { withTimeout, launchBrowser, newContext, byTest, inputOf, signIn, steps, needWebBuild, closeSuite, text } from '../lib/browser.mjs'

let srv = null
let base = ''
let browser = null
let page = null
const pageErrors = []
const step = steps('orders-', () => page)
const suffix = Date.now().toString(36).slice(-4)
const RECORDER = { username: `or_rec_${suffix}`, password: 'Orders-Recorder-2026' }
const resident = { name: '林桂芳', phone: `1370${String(Date.now() % 1e7).padStart(7, '0')}`, address: '幸福小区5栋1单元302' }
const data = { station: null, sub: null, code: '', orderId: 0 }
const H = 3600 * 1000
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')

// A sub-item provided by a station past the 50th organisation, and that
// station's recorder.
async function prepare() {
  const root = new Client(base)
  await root.login('admin', srv.adminPassword)
  const orgs = (await allOrganizations(root)).sort((a, b) => a.id - b.id)
  const stations = orgs.filter((o) => o.kind === 'station')
  data.station = stations[stations.length - 1]
  assert.ok(orgs.indexOf(data.station) >= 50, 'the providing station lies past the 50th organisation')
  const post = async (body) => {
    const r = await root.post('/api/v1/menu/items', body)
    assert.equal(r.status, 201, r.text)
    return r.json
  }
  const cat = await post({ name: `社区服务${suffix}`, parent_id: null })
  const item = await post({ name: `助老服务${suffix}`, parent_id: cat.id })
  data.sub = await post({ name: `陪同就医${suffix}`, parent_id: item.id, description: '陪老人去医院看病', provider_ids: [data.station.id] })
  const r = await root.post('/api/v1/users', { username: RECORDER.username, password: RECORDER.password, roles: ['recorder'], org_id: data.station.id })
  assert.equal(r.status, 201, r.text)
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
})

after(() => closeSuite(browser, srv))

test('a resident orders on a phone, an operator takes a phone order, the provider accepts', { timeout: 180_000 }, async (t) => {
  const phoneContext = await newContext(browser, { phone: true })
  await phoneContext.addInitScript(() => { if (!sessionStorage.getItem('lang-set')) { localStorage.setItem('zhiyuan.locale', 'zh-CN'); sessionStorage.setItem('lang-set', '1') } })
  const deskContext = await newContext(browser)
  await deskContext.addInitScript(() => { if (!sessionStorage.getItem('lang-set')) { localStorage.setItem('zhiyuan.locale', 'en'); sessionStorage.setItem('lang-set', '1') } })
  const phone = await phoneContext.newPage()
  const desk = await deskContext.newPage()
  for (const p of [phone, desk]) p.on('pageerror', (error) => pageErrors.push(String(error)))

  await step(t, '手机上居民点单，拿到查询码并查看进度', async () => {
    page = phone
    // from the public menu: the service found by its name, then 点单
    await phone.goto(`${base}/menu`)
    await inputOf(phone, 'public-menu-search').fill(`陪同就医${suffix}`)
    await phone.locator(byTest(`public-order-${data.sub.id}`)).click()
    await phone.waitForURL((url) => url.pathname === `/menu/order/${data.sub.id}`)
    await phone.locator(byTest('order-item')).waitFor()
    assert.match(await text(phone.locator(byTest('order-item'))), new RegExp(`陪同就医${suffix}`))
    assert.equal(await text(phone.locator(byTest('order-hours'))), '服务时间：每天 00:00–24:00')
    // consent is asked for before anything is sent
    await inputOf(phone, 'order-name').fill(resident.name)
    await inputOf(phone, 'order-phone').fill(resident.phone)
    await phone.locator(byTest('order-region-mode')).click()
    await inputOf(phone, 'order-region-code').fill(data.station.region_code)
    await inputOf(phone, 'order-address').fill(resident.address)
    await phone.locator(byTest('order-slot-afternoon')).click()
    await phone.locator(byTest('order-group-elderly_alone')).click()
    await phone.locator(byTest('order-submit')).click()
    assert.equal(await text(phone.locator(byTest('order-error'))), '请先阅读并同意个人信息的使用说明')
    await phone.locator(byTest('order-consent')).click()
    await phone.locator(byTest('order-submit')).click()
    const code = phone.locator(byTest('order-tracking-code'))
    await code.waitFor()
    data.code = await text(code)
    assert.match(data.code, /^[0-9A-Z]{16}$/)
    // the phone page does not scroll sideways
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scroll at 390 px')
    await phone.locator(byTest('order-track-link')).click()
    const status = phone.locator(byTest('track-status'))
    await status.waitFor()
    assert.equal(await status.getAttribute('data-status'), 'submitted')
    assert.equal(await text(status), '待接单')
    assert.equal(await text(phone.locator(byTest('track-provider'))), data.station.name)
    const body = await phone.locator('main').innerText()
    for (const secret of [resident.name, resident.phone, resident.address]) assert.ok(!body.includes(secret), `tracking shows ${secret}`)
  })

  await step(t, 'the operator takes a phone order with the keyboard alone and is warned of the duplicate', async () => {
    page = desk
    await signIn(desk, base, 'admin', srv.adminPassword)
    await desk.goto(`${base}/orders/intake`)
    const phoneField = inputOf(desk, 'intake-phone')
    await phoneField.waitFor()
    // the caller's number has focus on arrival; Enter finds earlier orders
    assert.ok(await phoneField.evaluate((el) => el === document.activeElement), 'the phone field has focus')
    await desk.keyboard.type(resident.phone)
    await desk.keyboard.press('Enter')
    const earlier = desk.locator(byTest('intake-earlier'))
    await earlier.locator('li').first().waitFor()
    assert.match(await text(earlier), new RegExp(`陪同就医${suffix}`))
    assert.ok(!(await text(earlier)).includes(resident.name), 'earlier orders are masked')
    // the service, typed and picked with Enter
    await inputOf(desk, 'intake-item').focus()
    await desk.keyboard.type(`陪同就医${suffix}`)
    await desk.locator('.el-select-dropdown__item', { hasText: `陪同就医${suffix}` }).first().waitFor()
    await desk.keyboard.press('Enter')
    await desk.locator(byTest('intake-duplicate')).waitFor()
    await inputOf(desk, 'intake-name').focus()
    await desk.keyboard.type(resident.name)
    // a community typed by name: the station's own
    const region = (await new Client(base).get(`/api/v1/public/regions?parent_code=${data.station.region_code.slice(0, 9)}000`)).json
    const community = region.items.find((x) => x.code === data.station.region_code)
    await inputOf(desk, 'intake-region').focus()
    await desk.keyboard.type(community.name)
    await desk.locator('.el-select-dropdown__item', { hasText: community.name }).first().waitFor()
    await desk.keyboard.press('Enter')
    await inputOf(desk, 'intake-address').focus()
    await desk.keyboard.type(resident.address)
    await desk.locator(`${byTest('intake-consent')} input`).focus()
    await desk.keyboard.press('Space')
    await desk.keyboard.press('Control+Enter')
    // the same caller and service: asked once more, then taken
    const box = desk.locator('.order-duplicate-box')
    await box.waitFor()
    await box.locator('.el-button--primary').focus()
    await desk.keyboard.press('Enter')
    const code = desk.locator(byTest('intake-code'))
    await code.waitFor()
    assert.match(await text(code), /^[0-9A-Z]{16}$/)
    assert.notEqual(await text(code), data.code)
    assert.match(await desk.locator(byTest('order-intake')).innerText(), /Read the tracking code to the caller/)
  })

  await step(t, '服务站记录员在看板上看到新订单，查看完整信息并接单', async () => {
    page = desk
    await desk.evaluate(() => localStorage.setItem('zhiyuan.locale', 'zh-CN'))
    await signIn(desk, base, RECORDER.username, RECORDER.password)
    await desk.goto(`${base}/orders`)
    const table = desk.locator(byTest('orders-table'))
    await table.locator('.el-table__row').first().waitFor()
    const rows = await table.locator('.el-table__row').count()
    assert.equal(rows, 2, 'the web order and the phone order wait at the station')
    assert.ok(!(await text(table)).includes(resident.phone), 'the board masks the phone')
    const status = await new Client(base).get(`/api/v1/public/orders/${data.code}`)
    data.orderId = status.json.id
    await desk.locator(byTest(`order-row-${data.orderId}`)).click()
    await desk.locator(byTest('order-detail')).locator(byTest('order-personal')).waitFor()
    assert.equal(await desk.locator(byTest('order-personal')).getAttribute('data-personal'), 'full')
    assert.equal(await text(desk.locator(byTest('order-detail-phone'))), resident.phone)
    assert.equal(await text(desk.locator(byTest('order-detail-name'))), resident.name)
    await desk.locator(byTest('order-accept')).click()
    await desk.locator(`${byTest('order-detail-status')}[data-status="accepted"]`).waitFor()
    assert.equal(await text(desk.locator(byTest('order-detail-status'))), '已接单')
    assert.match(await text(desk.locator(byTest('order-history'))), /待接单 → 已接单/)
    // the phone order taken twice: the station declines it with a reason,
    // and it goes up to the station's parent, out of the recorder's sight
    await desk.goto(`${base}/orders`)
    const other = table.locator('.el-table__row', { hasNot: desk.locator(byTest(`order-row-${data.orderId}`)) }).first()
    await other.click()
    await desk.locator(byTest('order-decline')).click()
    const box = desk.locator('.order-decline-box')
    await box.locator('input').fill('本站本周人手不足')
    await box.locator('.el-button--primary').click()
    await desk.waitForURL((url) => url.pathname === '/orders')
    await table.locator('.el-table__empty-text').waitFor()
    await desk.locator(byTest('orders-col-all')).click()
    await table.locator(byTest(`order-row-${data.orderId}`)).waitFor()
    assert.equal(await table.locator('.el-table__row').count(), 1, 'only the accepted order stays at the station')
    // the resident sees it on the phone
    page = phone
    await phone.locator(byTest('lang-en')).click()
    await phone.reload()
    await phone.locator(`${byTest('track-status')}[data-status="accepted"]`).waitFor()
    assert.equal(await text(phone.locator(byTest('track-status'))), 'Accepted')
    assert.match(await text(phone.locator(byTest('track-history'))), /Waiting for a provider/)
  })

  await step(t, '送达后记录员办结订单，居民信息不再完整显示；居民看到已办结', async () => {
    // delivered through the API: a volunteer of the station accepts, the station marks the hour
    const rec = new Client(base)
    await rec.login(RECORDER.username, RECORDER.password)
    const vPhone = `1371${String((Date.now() + 7) % 1e7).padStart(7, '0')}`
    let r = await new Client(base).post('/api/v1/public/volunteers', {
      name: '办结测试员', id_type: 'resident_id', id_number: residentId('510115', birthForAge(34), Date.now() % 991), phone: vPhone,
      region_code: data.station.region_code, org_id: data.station.id, password: 'Orders-Volunteer-2026',
      consent: { sensitive: true, notice_version: '2026-11' },
    }, { 'X-Forwarded-For': '203.0.113.41' })
    assert.equal(r.status, 201, r.text)
    const vol = new Client(base)
    await vol.login(vPhone, 'Orders-Volunteer-2026')
    r = await rec.post(`/api/v1/orders/${data.orderId}/assignments`, { volunteer_ids: [r.json.volunteer.id] })
    assert.equal(r.status, 201, r.text)
    r = await vol.post(`/api/v1/assignments/${r.json.items[0].id}/accept`)
    assert.equal(r.status, 200, r.text)
    const end = Date.now() - 2 * H
    r = await rec.post(`/api/v1/orders/${data.orderId}/deliver`, { started_at: iso(end - H), ended_at: iso(end), notes: '已陪同' })
    assert.equal(r.status, 200, r.text)

    page = desk
    await desk.goto(`${base}/orders/${data.orderId}`)
    await desk.locator(`${byTest('order-detail-status')}[data-status="delivered"]`).waitFor()
    assert.equal(await desk.locator(byTest('order-personal')).getAttribute('data-personal'), 'full')
    await desk.locator(byTest('order-close')).click()
    const box = desk.locator('.order-close-box')
    await box.locator('textarea').fill('电话回访，居民满意')
    await box.locator('.el-button--primary').click()
    await desk.locator(`${byTest('order-detail-status')}[data-status="closed"]`).waitFor()
    assert.equal(await text(desk.locator(byTest('order-detail-status'))), '已办结')
    assert.equal(await desk.locator(byTest('order-personal')).getAttribute('data-personal'), 'masked')
    assert.notEqual(await text(desk.locator(byTest('order-detail-phone'))), resident.phone)
    const history = await text(desk.locator(byTest('order-history')))
    assert.match(history, /已送达 → 已办结/)
    assert.match(history, /电话回访，居民满意/)
    assert.equal(await desk.locator(byTest('order-close')).count(), 0, 'nothing more to close')

    page = phone
    await phone.reload()
    await phone.locator(`${byTest('track-status')}[data-status="closed"]`).waitFor()
    assert.equal(await text(phone.locator(byTest('track-status'))), 'Closed')
    assert.equal(await text(phone.locator(byTest('track-closed'))), 'This order is closed. Thank you.')
    assert.ok(!(await phone.locator('main').innerText()).includes('电话回访'), 'the note stays inside')
  })

  await step(t, 'the operator picks their hotline once; the intake preselects it next time', async () => {
    page = desk
    await signIn(desk, base, 'admin', srv.adminPassword)
    await desk.evaluate(() => localStorage.setItem('zhiyuan.locale', 'en'))
    await desk.goto(`${base}/orders/intake`)
    await desk.locator(byTest('intake-hotline')).click()
    const option = desk.locator('.el-select-dropdown__item:visible').first()
    await option.waitFor()
    const label = await text(option)
    await option.click()
    const saved = await desk.evaluate(() => localStorage.getItem('zhiyuan.intake.hotline'))
    assert.match(saved || '', /^\d+$/)
    await desk.reload()
    const number = label.split(' ')[0]
    await desk.locator(byTest('intake-hotline'), { hasText: number }).waitFor()
  })

  assert.deepEqual(pageErrors, [])
})
