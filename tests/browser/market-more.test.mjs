// Browser test of the love supermarket (爱心超市) beyond the voucher path in
// market.test.mjs: a clerk takes points directly at the counter for goods,
// takes stock out with a reason, and sees the day balanced; the volunteer
// cancels an unused voucher on their phone and gets the points back.
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

const CLERK = { username: 'market_clerk2', password: 'clerk-market-2' }
const VOLUNTEER = { phone: '13712345681', password: 'Market-More-2026' }
const NAME = '诸葛晓雪'

let srv = null
let base = ''
let browser = null
let context = null
let phone = null
let page = null
const pageErrors = []
const data = { client: null, station: null, volunteer: null, store: null, rice: null, soap: null, voucher: null }

const step = steps('market-more-', () => page)

async function prepare() {
  const client = new Client(base)
  await client.login('admin', srv.adminPassword)
  data.client = client
  const suffix = Date.now().toString(36).slice(-4)
  const { station } = await branch(client, { association: `府南街道志愿服务协会${suffix}`, station: `光华社区工作站${suffix}`, town: '510115006' })
  data.station = station
  const clerkUser = await client.post('/api/v1/users', { ...CLERK, display_name: '店员小吴', roles: ['clerk'], org_id: station.id })
  assert.equal(clerkUser.status, 201, `create clerk: ${clerkUser.text}`)
  // the store lets staff of the volunteer's own area sell on their behalf
  // (tests/browser/pay.test.mjs has the pay code at the counter)
  const store = await client.post('/api/v1/stores', { org_id: station.id, name: `光华爱心超市${suffix}`, address: '光华社区服务中心', allow_on_behalf: true })
  assert.equal(store.status, 201, `create store: ${store.text}`)
  data.store = store.json

  const clerk = new Client(base)
  await clerk.login(CLERK.username, CLERK.password)
  for (const [key, name, unit, price] of [['rice', '大米', '袋', 25], ['soap', '洗衣液', '瓶', 10]]) {
    const g = await clerk.post(`/api/v1/stores/${store.json.id}/goods`, { name, unit, price })
    assert.equal(g.status, 201, `add goods: ${g.text}`)
    const s = await clerk.post(`/api/v1/goods/${g.json.id}/stock`, { delta: 10, reason: '爱心企业捐赠' })
    assert.equal(s.status, 200, `stock in: ${s.text}`)
    data[key] = g.json
  }

  data.volunteer = await selfRegister(base, { name: NAME, ...VOLUNTEER }, { birth: '19970302', seq: 41, region: '510115006001', org: station.id })
  const granted = await client.post('/api/v1/points/adjustments', { volunteer_id: data.volunteer.id, amount: 100, reason: '优秀志愿者奖励' })
  assert.equal(granted.status, 201, `grant points: ${granted.text}`)
  const me = new Client(base)
  await me.login(VOLUNTEER.phone, VOLUNTEER.password)
  const voucher = await me.post('/api/v1/vouchers', { volunteer_id: data.volunteer.id, value: 30 })
  assert.equal(voucher.status, 201, `take a voucher: ${voucher.text}`)
  data.voucher = voucher.json
}

const balance = async () => (await data.client.get(`/api/v1/volunteers/${data.volunteer.id}/points`)).json.balance
const stockOf = async (g) => (await data.client.get(`/api/v1/stores/${data.store.id}/goods`)).json.items.find((x) => x.id === g.id).stock

before(async () => {
  needWebBuild()
  srv = await withTimeout(startServer({ backend: 'sqlite' }), 20_000, 'startServer')
  base = srv.url
  await withTimeout(prepare(), 20_000, 'prepare')
  browser = await launchBrowser()
  context = await newContext(browser)
  phone = await newContext(browser, { phone: true })
})

after(() => closeSuite(browser, srv))

async function setQty(p, id, n) {
  await inputOf(p, id).fill(String(n))
  await inputOf(p, id).press('Tab')
}

test('love supermarket: paying with points, stock out, reconciliation, cancelling a voucher', { timeout: 120_000 }, async (t) => {

  await step(t, 'the clerk finds the volunteer and takes points for goods directly', async () => {
    page = await watchedPage(context, pageErrors)
    await signIn(page, base, CLERK.username, CLERK.password)
    await page.locator(byTest('nav-counter')).click()
    await page.waitForURL((url) => url.pathname === '/counter')
    await page.locator(byTest('counter-tab-sale')).click()
    await page.locator(byTest('sale-on-behalf')).click()
    assert.equal(await balance(), 70)
    const search = inputOf(page, 'sale-volunteer')
    await search.fill('诸葛')
    const option = page.locator(byTest(`sale-volunteer-option-${data.volunteer.id}`))
    await option.waitFor()
    assert.match(await text(option), new RegExp(NAME))
    await option.click()
    const buyer = page.locator(byTest('sale-buyer'))
    await buyer.filter({ hasText: '可用 70 分' }).waitFor()
    assert.match(await text(buyer), new RegExp(`${NAME}（${data.volunteer.volunteer_number}）`))
    // nothing picked: said so, nothing sent
    await page.locator(byTest('sale-submit')).click()
    assert.equal(await text(page.locator(byTest('sale-error'))), '请至少选择一件商品')
    // one bag of rice and two bottles: 45 points
    await setQty(page, `sale-goods-qty-${data.rice.id}`, 1)
    await setQty(page, `sale-goods-qty-${data.soap.id}`, 2)
    await page.locator(byTest('sale-total')).filter({ hasText: '合计 45 分' }).waitFor()
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/stores/${data.store.id}/sales`) && r.request().method() === 'POST')
    await page.locator(byTest('sale-submit')).click()
    const response = await answered
    assert.equal(response.status(), 201, await response.text())
    const body = JSON.parse(response.request().postData())
    assert.deepEqual([body.volunteer_id, body.on_behalf], [data.volunteer.id, true])
    assert.deepEqual(body.items.sort((a, b) => a.goods_id - b.goods_id),
      [{ goods_id: data.rice.id, quantity: 1 }, { goods_id: data.soap.id, quantity: 2 }].sort((a, b) => a.goods_id - b.goods_id))
    await buyer.filter({ hasText: '可用 25 分' }).waitFor()
    await page.locator(byTest('sale-total')).filter({ hasText: '合计 0 分' }).waitFor()
    assert.equal(await balance(), 25)
    assert.equal(await stockOf(data.rice), 9)
    assert.equal(await stockOf(data.soap), 8)
    // more than the balance: the total turns red and the server refuses
    await setQty(page, `sale-goods-qty-${data.rice.id}`, 2)
    await page.locator(`${byTest('sale-total')}.over`).filter({ hasText: '合计 50 分' }).waitFor()
    await page.locator(byTest('sale-submit')).click()
    await page.locator(byTest('sale-error')).waitFor()
    assert.equal(await balance(), 25, 'nothing taken')
    await shot(page, 'market-more-sale')
  })

  await step(t, 'the clerk takes goods out of stock with a reason', async () => {
    await page.locator(byTest('counter-tab-goods')).click()
    await page.locator(byTest(`goods-stock-${data.rice.id}`)).filter({ hasText: /^9$/ }).waitFor()
    await page.locator(byTest(`goods-stock-move-${data.rice.id}`)).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('stock-submit')) })
    await dialog.waitFor()
    await dialog.locator(byTest('stock-out')).click()
    await inputOf(dialog, 'stock-delta').fill('2')
    await inputOf(dialog, 'stock-delta').press('Tab')
    // the reason is required
    await dialog.locator(byTest('stock-submit')).click()
    await dialog.locator('.el-form-item.is-error').waitFor()
    await inputOf(dialog, 'stock-reason').fill('过期报损')
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/goods/${data.rice.id}/stock`) && r.request().method() === 'POST')
    await dialog.locator(byTest('stock-submit')).click()
    const response = await answered
    assert.equal(response.status(), 200, await response.text())
    assert.deepEqual(JSON.parse(response.request().postData()), { delta: -2, reason: '过期报损' })
    await dialog.waitFor({ state: 'hidden' })
    await page.locator(byTest(`goods-stock-${data.rice.id}`)).filter({ hasText: /^7$/ }).waitFor()
    assert.equal(await stockOf(data.rice), 7)
    await shot(page, 'market-more-stock-out')
  })

  await step(t, 'the reconciliation shows the day balanced', async () => {
    await page.locator(byTest('counter-tab-recon')).click()
    await page.locator(byTest('recon-balanced')).waitFor()
    assert.equal(await text(page.locator(byTest('recon-balanced'))), '账实相符')
    assert.equal(await text(page.locator(byTest('recon-vouchers'))), '0')
    assert.equal(await text(page.locator(byTest('recon-points-in'))), '45')
    assert.equal(await text(page.locator(byTest('recon-goods-points'))), '45')
    const figures = await text(page.locator(byTest('recon-figures')))
    assert.match(figures, /积分支付笔数\s*1/)
    assert.match(figures, /积分支付\s*45/)
    // rice: handed out 1, stocked in 10, taken out 2, 7 left
    const riceRow = page.locator(`${byTest('recon-goods')} .el-table__body tr`).filter({ hasText: '大米' })
    const cells = (await riceRow.locator('td').allInnerTexts()).map((s) => s.trim())
    assert.deepEqual(cells, ['大米', '1', '10', '2', '7'])
    const soapRow = page.locator(`${byTest('recon-goods')} .el-table__body tr`).filter({ hasText: '洗衣液' })
    assert.deepEqual((await soapRow.locator('td').allInnerTexts()).map((s) => s.trim()), ['洗衣液', '2', '10', '0', '8'])
    await shot(page, 'market-more-reconciliation')
  })

  await step(t, 'the volunteer cancels an unused voucher and gets the points back', async () => {
    page = await watchedPage(phone, pageErrors)
    await signIn(page, base, VOLUNTEER.phone, VOLUNTEER.password)
    await page.goto(base + '/me/vouchers')
    await page.locator(byTest('my-balance')).filter({ hasText: /^25$/ }).waitFor()
    const card = page.locator(byTest(`voucher-${data.voucher.id}`))
    await card.waitFor()
    assert.equal(await text(card.locator(byTest('voucher-status'))), '可使用')
    assert.equal(await text(card.locator(byTest('voucher-code'))), data.voucher.code)
    // thinking better of it first: nothing happens
    await card.locator(byTest('voucher-cancel')).click()
    let box = page.locator('.el-message-box')
    await box.waitFor()
    assert.match(await text(box), /作废这张 30 分的兑换券/)
    await box.getByRole('button', { name: '取消' }).click()
    await box.waitFor({ state: 'hidden' })
    assert.equal(await text(card.locator(byTest('voucher-status'))), '可使用')
    assert.equal(await balance(), 25)
    // then for real
    await card.locator(byTest('voucher-cancel')).click()
    box = page.locator('.el-message-box')
    await box.waitFor()
    const answered = page.waitForResponse((r) => r.url().includes(`/api/v1/vouchers/${encodeURIComponent(data.voucher.code)}/cancel`))
    await box.getByRole('button', { name: '确定' }).click()
    assert.equal((await answered).status(), 200)
    await page.locator(byTest('my-balance')).filter({ hasText: /^55$/ }).waitFor()
    await card.locator(byTest('voucher-status')).filter({ hasText: '已作废' }).waitFor()
    assert.equal(await card.locator(byTest('voucher-cancel')).count(), 0, 'a cancelled voucher cannot be cancelled again')
    assert.equal(await card.locator(byTest('voucher-qr')).count(), 0, 'no QR code for a cancelled voucher')
    assert.equal(await balance(), 55)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`)
    await shot(page, 'market-more-voucher-cancelled-phone')
  })

  await step(t, 'no script errors', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
