// Browser test of issue 11 §1 finding 1 on a district of the demo's size
// (341 organisations, 64,318 volunteers): paying with points needs the
// volunteer's pay code. On a phone (390×844) the volunteer opens a code on
// the home page: twelve digits in groups, a QR of exactly those digits, a
// countdown, and a new code that voids the old one. At the counter on a
// desktop the clerk types the code read out and sells; the same code a
// second time is refused, and the phone says it was paid. A station admin
// lets the store sell on behalf and does so. Then English on the points
// page.
// Everyone is synthetic (tests/lib/ids.mjs).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { startDistrict, allOrganizations } from '../lib/district.mjs'
import { selfRegister } from '../lib/fixtures.mjs'
import { Client } from '../lib/client.mjs'
import { repoRoot } from '../lib/server.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, signIn, steps, text, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

// the web's own QR encoder: the modules it makes for a text are compared
// with the phone's image, sampled at each module's centre, so the QR is
// checked for what it carries
const QRCode = createRequire(join(repoRoot, 'web/package.json'))('qrcode')

async function qrMatches(p, code) {
  const qr = QRCode.create(code, { errorCorrectionLevel: 'M' })
  const want = Array.from(qr.modules.data, (d) => (d ? 1 : 0)).join('')
  const got = await p.locator(byTest('pay-code-qr')).evaluate(async (img, n) => {
    await img.decode()
    const c = document.createElement('canvas')
    c.width = img.naturalWidth
    c.height = img.naturalHeight
    const g = c.getContext('2d')
    g.drawImage(img, 0, 0)
    const scale = img.naturalWidth / (n + 2)   // margin 1 on each side
    let bits = ''
    for (let r = 0; r < n; r++) {
      for (let col = 0; col < n; col++) {
        const px = g.getImageData(Math.floor((col + 1.5) * scale), Math.floor((r + 1.5) * scale), 1, 1).data
        bits += px[0] < 128 ? '1' : '0'
      }
    }
    return bits
  }, qr.modules.size)
  return got === want
}

let srv = null
let base = ''
let browser = null
let phoneCtx = null
let deskCtx = null
let phone = null
let desk = null
let page = null
const pageErrors = []
const step = steps('pay-', () => page)

const suffix = Date.now().toString(36).slice(-4)
const CLERK = { username: `pay_clerk_${suffix}`, password: 'Pay-Clerk-2026' }
const ADMIN = { username: `pay_admin_${suffix}`, password: 'Pay-Admin-2026' }
const PERSON = { name: '付晓岚', phone: `1351${String(Date.now() % 1e7).padStart(7, '0')}`, password: 'Pay-Phone-2026' }
const data = { station: null, store: null, rice: null, volunteer: null, root: null }

const balance = async () => (await data.root.get(`/api/v1/volunteers/${data.volunteer.id}/points`)).json.balance
const stock = async () => (await data.root.get(`/api/v1/stores/${data.store.id}/goods`)).json.items.find((g) => g.id === data.rice.id).stock
const codeOn = async (p) => (await text(p.locator(byTest('pay-code-text')))).replace(/\s/g, '')

// a station of the district (the last one, past the 50th organisation), a
// clerk and a store there, and a volunteer of the station with 100 points
async function prepare() {
  const root = new Client(base)
  await root.login('admin', srv.adminPassword)
  data.root = root
  const orgs = await allOrganizations(root)
  const stations = orgs.filter((o) => o.kind === 'station').sort((a, b) => a.id - b.id)
  data.station = stations[stations.length - 1]
  for (const [who, name, roles] of [[CLERK, '收银员小付', ['clerk']], [ADMIN, '站长老付', ['admin']]]) {
    const u = await root.post('/api/v1/users', { ...who, display_name: name, roles, org_id: data.station.id })
    assert.equal(u.status, 201, u.text)
  }
  const s = await root.post('/api/v1/stores', { org_id: data.station.id, name: `付款码爱心超市${suffix}` })
  assert.equal(s.status, 201, s.text)
  data.store = s.json
  const g = await root.post(`/api/v1/stores/${data.store.id}/goods`, { name: '挂面', unit: '把', price: 15 })
  assert.equal(g.status, 201, g.text)
  data.rice = g.json
  assert.equal((await root.post(`/api/v1/goods/${data.rice.id}/stock`, { delta: 20, reason: '入库' })).status, 200)
  data.volunteer = await selfRegister(base, PERSON, { birth: '19950505', seq: 23, region: data.station.region_code, org: data.station.id })
  const p = await root.post('/api/v1/points/adjustments', { volunteer_id: data.volunteer.id, amount: 100, reason: '服务积分' })
  assert.equal(p.status, 201, p.text)
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
  phoneCtx = await newContext(browser, { phone: true })
  deskCtx = await newContext(browser)
})

after(() => closeSuite(browser, srv))

test('a volunteer pays at the counter with the code on their phone', { timeout: 240_000 }, async (t) => {
  let first = ''
  let code = ''

  await step(t, 'the phone shows a pay code as grouped digits, a QR of it and a countdown (中文)', async () => {
    phone = await watchedPage(phoneCtx, pageErrors)
    page = phone
    await signIn(phone, base, PERSON.phone, PERSON.password)
    await phone.locator(byTest('volunteer-home')).waitFor()
    await phone.locator(byTest('pay-code-show')).filter({ hasText: '出示付款码' }).click()
    const shown = phone.locator(byTest('pay-code-text'))
    await shown.waitFor()
    assert.match(await text(shown), /^\d{4} \d{4} \d{4}$/)
    first = await codeOn(phone)
    assert.ok(await qrMatches(phone, first), 'the QR carries the digits shown')
    assert.ok(!(await qrMatches(phone, '000000000000')), 'and not other digits')
    assert.equal(await phone.locator(byTest('pay-code-qr')).getAttribute('alt'), '付款码二维码')
    assert.match(await text(phone.locator(byTest('pay-code-left'))), /^(1[0-8]\d|\d{1,2}) 秒后失效$/)
    // the code fits the phone's width: no sideways scrolling
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scroll')
    const box = await shown.boundingBox()
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `code inside the screen (${JSON.stringify(box)})`)
    // a new code replaces the old one
    await phone.locator(byTest('pay-code-renew')).click()
    await phone.waitForFunction((old) => document.querySelector('[data-test="pay-code-text"]')?.innerText.replace(/\s/g, '') !== old, first)
    code = await codeOn(phone)
    assert.match(code, /^\d{12}$/)
    await shot(phone, 'pay-phone-zh')
  })

  await step(t, 'the counter takes the code read out; the replaced code and a reused one are refused (中文)', async () => {
    desk = await watchedPage(deskCtx, pageErrors)
    page = desk
    await signIn(desk, base, CLERK.username, CLERK.password)
    await desk.goto(base + '/counter')
    await desk.locator(byTest('counter-tab-sale')).click()
    // this store sells on nobody's behalf: no volunteer search, no balance
    assert.equal(await desk.locator(byTest('sale-on-behalf')).count(), 0)
    assert.equal(await desk.locator(byTest('sale-buyer')).count(), 0)
    await inputOf(desk, `sale-goods-qty-${data.rice.id}`).fill('2')
    await inputOf(desk, `sale-goods-qty-${data.rice.id}`).press('Tab')
    // the replaced code: refused, said at the code field
    await inputOf(desk, 'sale-code').fill(first.replace(/(\d{4})(?=\d)/g, '$1 '))
    await desk.locator(byTest('sale-submit')).click()
    assert.equal(await text(desk.locator(byTest('sale-code-error'))), '付款码无效或已过期，请志愿者刷新付款码')
    assert.equal(await balance(), 100)
    // the live code, typed in groups as read out
    await inputOf(desk, 'sale-code').fill(code.replace(/(\d{4})(?=\d)/g, '$1 '))
    const answered = desk.waitForResponse((r) => r.url().endsWith(`/api/v1/stores/${data.store.id}/sales`) && r.request().method() === 'POST')
    await desk.locator(byTest('sale-submit')).click()
    const response = await answered
    assert.equal(response.status(), 201, await response.text())
    assert.deepEqual(JSON.parse(response.request().postData()), { pay_code: code.replace(/(\d{4})(?=\d)/g, '$1 '), items: [{ goods_id: data.rice.id, quantity: 2 }] })
    assert.deepEqual([await balance(), await stock()], [70, 18])
    await desk.locator(byTest('sale-total')).filter({ hasText: '合计 0 分' }).waitFor()
    // the phone notices within seconds, and no longer shows the code
    await phone.locator(byTest('pay-code-paid')).filter({ hasText: `已付款 30 分 · ${data.store.name}` }).waitFor()
    assert.equal(await phone.locator(byTest('pay-code-text')).count(), 0)
    await phone.locator(`${byTest('vhome-points')} .value`).filter({ hasText: /^70$/ }).waitFor()
    await shot(phone, 'pay-phone-paid-zh')
    // the same code again
    await inputOf(desk, `sale-goods-qty-${data.rice.id}`).fill('1')
    await inputOf(desk, `sale-goods-qty-${data.rice.id}`).press('Tab')
    await inputOf(desk, 'sale-code').fill(code)
    await desk.locator(byTest('sale-submit')).click()
    await desk.locator(byTest('sale-code-error')).filter({ hasText: '付款码无效或已过期' }).waitFor()
    assert.deepEqual([await balance(), await stock()], [70, 18], 'nothing more taken')
    await shot(desk, 'pay-counter-zh')
  })

  await step(t, "the station's admin lets the store sell on behalf, and sells for the volunteer without a code (中文)", async () => {
    page = desk
    await signIn(desk, base, ADMIN.username, ADMIN.password)
    await desk.goto(base + '/counter')
    await desk.locator(byTest('counter-store')).filter({ hasText: data.store.name }).waitFor()
    const patched = desk.waitForResponse((r) => r.url().endsWith(`/api/v1/stores/${data.store.id}`) && r.request().method() === 'PATCH')
    await desk.locator(byTest('counter-allow-on-behalf')).click()
    assert.equal((await patched).status(), 200)
    const listed = (await data.root.get('/api/v1/stores')).json.items.find((x) => x.id === data.store.id)
    assert.equal(listed.allow_on_behalf, true)
    await desk.locator(byTest('counter-tab-sale')).click()
    await desk.locator(byTest('sale-on-behalf')).filter({ hasText: '代志愿者结算' }).click()
    await inputOf(desk, 'sale-volunteer').fill(PERSON.name)
    await desk.locator(byTest(`sale-volunteer-option-${data.volunteer.id}`)).click()
    await desk.locator(byTest('sale-buyer')).filter({ hasText: '可用 70 分' }).waitFor()
    await inputOf(desk, `sale-goods-qty-${data.rice.id}`).fill('1')
    await inputOf(desk, `sale-goods-qty-${data.rice.id}`).press('Tab')
    const answered = desk.waitForResponse((r) => r.url().endsWith(`/api/v1/stores/${data.store.id}/sales`) && r.request().method() === 'POST')
    await desk.locator(byTest('sale-submit')).click()
    const response = await answered
    assert.equal(response.status(), 201, await response.text())
    assert.deepEqual(JSON.parse(response.request().postData()), { volunteer_id: data.volunteer.id, on_behalf: true, items: [{ goods_id: data.rice.id, quantity: 1 }] })
    await desk.locator(byTest('sale-buyer')).filter({ hasText: '可用 55 分' }).waitFor()
    assert.deepEqual([await balance(), await stock()], [55, 17])
    const audit = (await data.root.get('/api/v1/audit-log?action=sale.on_behalf')).json.items
    assert.deepEqual(audit.map((a) => [a.actor_username, a.detail.volunteer_id, a.detail.points]), [[ADMIN.username, data.volunteer.id, 15]])
    await shot(desk, 'pay-on-behalf-zh')
  })

  await step(t, 'in English: the points page shows a code, the counter asks for one', async () => {
    page = phone
    await phone.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
    await phone.goto(base + '/me/vouchers')
    await phone.locator(byTest('pay-code-show')).filter({ hasText: 'Show pay code' }).click()
    await phone.locator(byTest('pay-code-text')).waitFor()
    assert.match(await text(phone.locator(byTest('pay-code-left'))), /^Expires in \d{1,3} s$/)
    const english = await codeOn(phone)
    assert.notEqual(english, code)
    assert.equal(await phone.locator(byTest('pay-code-qr')).getAttribute('alt'), 'Pay code QR')
    assert.ok(await qrMatches(phone, english), 'the QR carries the new digits')
    await shot(phone, 'pay-phone-en')

    page = desk
    await signIn(desk, base, CLERK.username, CLERK.password)
    await desk.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
    await desk.goto(base + '/counter')
    await desk.locator(byTest('counter-tab-sale')).click()
    await inputOf(desk, `sale-goods-qty-${data.rice.id}`).fill('1')
    await inputOf(desk, `sale-goods-qty-${data.rice.id}`).press('Tab')
    await desk.locator(byTest('sale-submit')).click()
    assert.equal(await text(desk.locator(byTest('sale-code-error'))), 'Enter a pay code or a voucher code')
    await inputOf(desk, 'sale-code').fill(english)
    await desk.locator(byTest('sale-submit')).click()
    await desk.locator(byTest('sale-total')).filter({ hasText: /\b0\b/ }).waitFor()
    assert.deepEqual([await balance(), await stock()], [40, 16])
    await shot(desk, 'pay-counter-en')
  })

  await step(t, 'no script errors', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
