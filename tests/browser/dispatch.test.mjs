// Browser test of issue 13 §3 (送菜) on a district of the demo's size
// (341 organisations, 64,318 volunteers): on an order a station accepted,
// the dispatcher sees the suggested volunteers with their reasons among the
// station's hundreds of people, sends the one who holds the rare skill; the
// volunteer accepts on a phone (390×844), sees the contact details only
// then, starts, and in English marks the service done; the dispatcher's
// panel then shows the submitted service record. Everyone is synthetic.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict, allOrganizations } from '../lib/district.mjs'
import { Client } from '../lib/client.mjs'
import { residentId } from '../lib/ids.mjs'
import { withTimeout, launchBrowser, newContext, byTest, inputOf, signIn, steps, needWebBuild, closeSuite, text, shot } from '../lib/browser.mjs'

const H = 3600 * 1000
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')
let srv = null
let base = ''
let browser = null
let page = null
const pageErrors = []
const step = steps('dispatch-', () => page)
const suffix = Date.now().toString(36).slice(-4)
const SKILL = `手语护理${suffix}`
const RECORDER = { username: `dp_rec_${suffix}`, password: 'Dispatch-Rec-2026' }
const VOL = { name: '派单测试员', phone: `1351${String(Date.now() % 1e7).padStart(7, '0')}`, password: 'Dispatch-Vol-2026' }
const data = { station: null, order: 0, volunteer: null, record: 0 }

async function prepare() {
  const root = new Client(base)
  await root.login('admin', srv.adminPassword)
  const orgs = await allOrganizations(root)
  // the first station: 5,000 people of its own in the demo
  const stations = orgs.filter((o) => o.kind === 'station').sort((a, b) => a.id - b.id)
  data.station = stations[0]
  assert.ok(orgs.length > 300)
  let r = await root.post('/api/v1/users', { username: RECORDER.username, password: RECORDER.password, roles: ['recorder'], org_id: data.station.id })
  assert.equal(r.status, 201, r.text)
  const cat = (await root.post('/api/v1/menu/items', { name: `派单测试类别${suffix}`, parent_id: null })).json
  const mid = (await root.post('/api/v1/menu/items', { name: `派单测试项目${suffix}`, parent_id: cat.id })).json
  r = await root.post('/api/v1/menu/items', { name: `上门手语陪护${suffix}`, parent_id: mid.id, provider_ids: [data.station.id], skills: [SKILL] })
  assert.equal(r.status, 201, r.text)
  const sub = r.json
  // the volunteer who answers on the phone, in the station's community
  r = await new Client(base).post('/api/v1/public/volunteers', {
    name: VOL.name, id_type: 'resident_id', id_number: residentId('510115', '19930708', 300 + (Date.now() % 600)),
    phone: VOL.phone, region_code: data.station.region_code, org_id: data.station.id, password: VOL.password,
    consent: { sensitive: true, notice_version: '2026-11' },
  }, { 'X-Forwarded-For': '203.0.113.9' })
  assert.equal(r.status, 201, r.text)
  data.volunteer = r.json.volunteer
  r = await root.patch(`/api/v1/volunteers/${data.volunteer.id}`, { skills: [SKILL] })
  assert.equal(r.status, 200, r.text)
  // the order, taken by the station's hotline and accepted there
  const rec = new Client(base)
  await rec.login(RECORDER.username, RECORDER.password)
  const from = Date.now() + 26 * H
  r = await rec.post('/api/v1/orders', {
    menu_item_id: sub.id, requester_name: '周淑华', phone: '13912345678', address: '幸福小区8栋2单元601',
    region_code: data.station.region_code, preferred_from: iso(from), preferred_to: iso(from + 2 * H),
    notes: '听力障碍，请用文字沟通', consent: true, channel: 'hotline',
  })
  assert.equal(r.status, 201, r.text)
  data.order = r.json.id
  r = await rec.post(`/api/v1/orders/${data.order}/accept`)
  assert.equal(r.status, 200, r.text)
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
})

after(() => closeSuite(browser, srv))

test('the dispatcher sends a suggested volunteer, who accepts and delivers on a phone', { timeout: 120_000 }, async (t) => {
  const desk = await (await newContext(browser)).newPage()
  const phone = await (await newContext(browser, { phone: true })).newPage()
  for (const p of [desk, phone]) p.on('pageerror', (error) => pageErrors.push(String(error)))

  await step(t, 'the dispatcher sees ranked suggestions with reasons and sends the skilled volunteer (中文)', async () => {
    page = desk
    await signIn(desk, base, RECORDER.username, RECORDER.password)
    await desk.goto(`${base}/orders/${data.order}`)
    const panel = desk.locator(byTest('order-dispatch'))
    await panel.waitFor()
    const first = panel.locator(`${byTest('dispatch-suggestions')} li`).first()
    await first.waitFor()
    // the holder of the rare skill comes first, with the reasons in Chinese
    assert.equal(await first.getAttribute('data-test'), `suggestion-${data.volunteer.id}`)
    const line = await text(first)
    for (const why of ['技能齐全', '同社区', '该时段有空']) assert.ok(line.includes(why), `${why} in ${line}`)
    // the station's people were all considered, not a first page of them
    const lead = await text(panel.locator(byTest('dispatch-candidates')))
    const n = Number(lead.match(/(\d+)/)[1])
    assert.ok(n > 50, `candidates: ${lead}`)
    await panel.locator(byTest(`suggestion-pick-${data.volunteer.id}`)).click()
    await panel.locator(byTest('dispatch-assign')).click()
    await panel.locator(byTest(`assignment-status-${data.volunteer.id}`)).waitFor()
    assert.equal(await text(panel.locator(byTest(`assignment-status-${data.volunteer.id}`))), '待确认')
    await shot(desk, 'dispatch-panel')
  })

  await step(t, 'on a phone, the volunteer accepts and only then sees the contact details', async () => {
    page = phone
    await signIn(phone, base, VOL.phone, VOL.password)
    await phone.goto(`${base}/me/orders`)
    const card = phone.locator(byTest(`my-order-${data.order}`))
    await card.waitFor()
    assert.ok(!(await text(card)).includes('幸福小区'), 'no address before accepting')
    await card.locator(byTest(`my-order-accept-${data.order}`)).click()
    await card.locator(byTest(`my-order-person-${data.order}`)).waitFor()
    const person = await text(card.locator(byTest(`my-order-person-${data.order}`)))
    assert.ok(person.includes('周淑华') && person.includes('13912345678') && person.includes('幸福小区8栋2单元601'), person)
    const width = await phone.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the page fits the phone: ${width}`)
    await shot(phone, 'dispatch-my-orders')
    await card.locator(byTest(`my-order-start-${data.order}`)).waitFor()
  })

  await step(t, 'the dispatcher marks the start, two hours back', async () => {
    page = desk
    await desk.reload()
    const panel = desk.locator(byTest('order-dispatch'))
    await panel.locator(byTest(`assignment-status-${data.volunteer.id}`)).waitFor()
    assert.equal(await text(panel.locator(byTest(`assignment-status-${data.volunteer.id}`))), '已接单')
    const wall = new Date(Date.now() + 8 * H - 2 * H).toISOString().slice(0, 16)
    await inputOf(panel, 'dispatch-started').fill(wall)
    await panel.locator(byTest('dispatch-start')).click()
    await desk.locator(byTest('order-detail-status') + '[data-status="in_service"]').waitFor()
  })

  await step(t, 'in English, the volunteer marks the service done', async () => {
    page = phone
    await phone.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
    await phone.reload()
    const card = phone.locator(byTest(`my-order-${data.order}`))
    const done = card.locator(byTest(`my-order-deliver-${data.order}`))
    await done.waitFor()
    assert.equal(await text(done), 'Service done')
    // the end defaults to now: two hours of service
    await done.click()
    await phone.locator(byTest('my-orders-past')).waitFor()
    const past = await text(phone.locator(byTest('my-orders-past')))
    assert.ok(past.includes('Delivered') && past.includes('Service record made'), past)
  })

  await step(t, 'the dispatcher sees the submitted record on the order', async () => {
    page = desk
    await desk.reload()
    const made = desk.locator(byTest(`assignment-record-${data.volunteer.id}`))
    await made.waitFor()
    data.record = Number((await text(made)).match(/#(\d+)/)[1])
    const root = new Client(base)
    await root.login('admin', srv.adminPassword)
    const r = await root.get(`/api/v1/records/${data.record}`)
    assert.equal(r.status, 200, r.text)
    assert.deepEqual([r.json.status, r.json.volunteer_id, r.json.minutes], ['submitted', data.volunteer.id, 120])
    assert.deepEqual(pageErrors, [])
  })
})
