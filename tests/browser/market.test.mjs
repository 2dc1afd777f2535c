// Browser test of the love supermarket (爱心超市) against the real server: a
// volunteer who earned points by service takes a voucher on their phone and sees its code and
// QR code; a clerk stocks goods and redeems the voucher at the counter; the
// volunteer then sees it redeemed, and the day's reconciliation balances.
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

const CLERK = { username: 'market_clerk', password: 'clerk-market-1' }
const VOLUNTEER = { phone: '13712345670', password: 'Market-Test-2026' }

let srv = null
let base = ''
let browser = null
let context = null
let phone = null
let page = null
const pageErrors = []
const data = { client: null, station: null, volunteer: null, store: null, code: '' }

const step = steps('market-', () => page)

async function prepare() {
  const client = new Client(base)
  await client.login('admin', srv.adminPassword)
  data.client = client
  const suffix = Date.now().toString(36).slice(-4)
  const { station } = await branch(client, { association: `金沙街道志愿服务协会${suffix}`, station: `青羊社区工作站${suffix}`, town: '510115005' })
  data.station = station
  const clerk = await client.post('/api/v1/users', { ...CLERK, display_name: '店员小周', roles: ['clerk'], org_id: station.id })
  assert.equal(clerk.status, 201, `create clerk: ${clerk.text}`)
  const store = await client.post('/api/v1/stores', { org_id: station.id, name: `青羊爱心超市${suffix}`, address: '青羊社区服务中心一楼' })
  assert.equal(store.status, 201, `create store: ${store.text}`)
  data.store = store.json

  data.volunteer = await selfRegister(base, { name: '欧阳明月', ...VOLUNTEER }, { birth: '19950611', seq: 52, region: '510115005001', org: station.id })
  // the volunteer earns the 75 points by service: 7.5 approved hours at
  // the station's 10 points an hour
  const rules = await client.request('PUT', `/api/v1/organizations/${station.id}/point-rules`, { points_per_hour: 10 })
  assert.equal(rules.status, 200, `point rules: ${rules.text}`)
  await client.patch(`/api/v1/organizations/${station.id}`, { allow_self_approval: true })
  const start = Date.now() - 30 * 3600 * 1000
  const activity = await client.post('/api/v1/activities', { name: '敬老院陪伴', org_id: station.id,
    starts_at: new Date(start).toISOString(), ends_at: new Date(start + 8 * 3600 * 1000).toISOString(), place: '青羊社区敬老院', content: '陪伴老人' })
  assert.equal(activity.status, 201, `activity: ${activity.text}`)
  const record = await client.post('/api/v1/records', { activity_id: activity.json.id, volunteer_id: data.volunteer.id, minutes: 450, quality: 'good' })
  assert.equal(record.status, 201, `record: ${record.text}`)
  const approved = await client.post(`/api/v1/records/${record.json.id}/approve`)
  assert.equal(approved.status, 200, `approve: ${approved.text}`)
  const earned = (await client.get(`/api/v1/volunteers/${data.volunteer.id}/points`)).json
  assert.deepEqual([earned.balance, earned.earned], [75, 75], 'earned by service')
}

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

test('love supermarket', { timeout: 120_000 }, async (t) => {
  let volunteerPage = null

  await step(t, 'the volunteer takes a 60-point voucher on their phone and sees its code and QR code', async () => {
    volunteerPage = await phone.newPage()
    page = volunteerPage
    volunteerPage.on('pageerror', (error) => pageErrors.push(String(error)))
    await signIn(volunteerPage, base, VOLUNTEER.phone, VOLUNTEER.password)
    await volunteerPage.locator(byTest('menu-toggle')).click()
    await volunteerPage.locator(byTest('drawer-nav-my-vouchers')).click()
    await volunteerPage.waitForURL((url) => url.pathname === '/me/vouchers')
    await volunteerPage.locator(byTest('my-balance')).filter({ hasText: /^75$/ }).waitFor()
    await volunteerPage.locator(byTest('vouchers-empty')).waitFor()
    const value = inputOf(volunteerPage, 'voucher-value')
    assert.equal(await value.inputValue(), '30')
    await volunteerPage.locator(`${byTest('voucher-value')} .el-input-number__increase`).click()
    assert.equal(await value.inputValue(), '60')
    // the most there is: 60 (75 points)
    await volunteerPage.locator(`${byTest('voucher-value')} .el-input-number__increase`).click()
    assert.equal(await value.inputValue(), '60')
    const sent = volunteerPage.waitForRequest((r) => r.url().endsWith('/api/v1/vouchers') && r.method() === 'POST')
    const answered = volunteerPage.waitForResponse((r) => r.url().endsWith('/api/v1/vouchers') && r.request().method() === 'POST')
    await volunteerPage.locator(byTest('voucher-take')).click()
    const request = await sent
    assert.match(request.headers()['idempotency-key'] || '', /^[0-9a-f-]{36}$/)
    assert.deepEqual(JSON.parse(request.postData()), { volunteer_id: data.volunteer.id, value: 60 })
    const response = await answered
    assert.equal(response.status(), 201)
    data.code = (await response.json()).code
    await volunteerPage.locator(byTest('my-balance')).filter({ hasText: /^15$/ }).waitFor()
    const card = volunteerPage.locator(byTest('my-vouchers')).locator('li').first()
    assert.equal(await text(card.locator(byTest('voucher-code'))), data.code)
    assert.equal(await text(card.locator(byTest('voucher-status'))), '可使用')
    const qr = card.locator(byTest('voucher-qr'))
    await qr.waitFor()
    assert.match(await qr.getAttribute('src'), /^data:image\/png;base64,/)
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 100), 'the QR image is drawn')
    assert.equal(await volunteerPage.locator(byTest('voucher-not-enough')).count(), 1, 'only 15 points left')
    const overflow = await volunteerPage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`)
    await shot(volunteerPage, 'market-my-voucher-phone')
  })

  await step(t, 'the clerk adds goods and stocks them in', async () => {
    page = await watchedPage(context, pageErrors)
    await signIn(page, base, CLERK.username, CLERK.password)
    await page.locator(byTest('nav-counter')).click()
    await page.waitForURL((url) => url.pathname === '/counter')
    assert.equal(await page.locator(byTest('counter-new-store')).count(), 0, 'only admins open stores')
    await page.locator(byTest('counter-tab-goods')).click()
    for (const [name, unit, price] of [['大米', '袋', '25'], ['洗衣液', '瓶', '10']]) {
      await inputOf(page, 'goods-name').fill(name)
      await inputOf(page, 'goods-unit').fill(unit)
      await inputOf(page, 'goods-price').fill(price)
      await inputOf(page, 'goods-price').press('Tab')
      const added = page.waitForResponse((r) => r.url().endsWith(`/api/v1/stores/${data.store.id}/goods`) && r.request().method() === 'POST')
      await page.locator(byTest('goods-add')).click()
      assert.equal((await added).status(), 201)
      await page.locator(byTest('goods-table')).getByText(name).waitFor()
    }
    const goods = (await data.client.get(`/api/v1/stores/${data.store.id}/goods`)).json.items
    data.rice = goods.find((g) => g.name === '大米')
    data.soap = goods.find((g) => g.name === '洗衣液')
    for (const g of [data.rice, data.soap]) {
      await page.locator(byTest(`goods-stock-move-${g.id}`)).click()
      const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('stock-submit')) })
      await dialog.waitFor()
      await inputOf(dialog, 'stock-delta').fill('10')
      await inputOf(dialog, 'stock-delta').press('Tab')
      await inputOf(dialog, 'stock-reason').fill('爱心企业捐赠')
      await dialog.locator(byTest('stock-submit')).click()
      await dialog.waitFor({ state: 'hidden' })
      await page.locator(byTest(`goods-stock-${g.id}`)).filter({ hasText: /^10$/ }).waitFor()
    }
    await shot(page, 'market-counter-goods')
  })

  await step(t, 'the clerk redeems the voucher typed in lower case without dashes', async () => {
    await page.locator(byTest('counter-tab-redeem')).click()
    await inputOf(page, 'counter-code').fill(data.code.replace(/-/g, '').toLowerCase())
    await page.locator(byTest('counter-look-up')).click()
    const facts = page.locator(byTest('counter-voucher'))
    await facts.waitFor()
    assert.match(await text(facts), new RegExp(data.code))
    assert.match(await text(page.locator(byTest('counter-voucher-volunteer'))), /欧阳明月/)
    assert.match(await text(page.locator(byTest('counter-voucher-value'))), /60/)
    assert.equal(await text(page.locator(byTest('counter-voucher-status'))), '可使用')
    // three bags of rice are more than the value: refused before sending
    await inputOf(page, `redeem-goods-qty-${data.rice.id}`).fill('3')
    await inputOf(page, `redeem-goods-qty-${data.rice.id}`).press('Tab')
    await page.locator(byTest('redeem-total')).filter({ hasText: '75 / 60' }).waitFor()
    assert.match(await text(page.locator(byTest('redeem-total'))), /超出面值 15 分/)
    assert.ok(await page.locator(byTest('redeem-submit')).isDisabled())
    // two bags of rice and one bottle: 60
    await inputOf(page, `redeem-goods-qty-${data.rice.id}`).fill('2')
    await inputOf(page, `redeem-goods-qty-${data.rice.id}`).press('Tab')
    await inputOf(page, `redeem-goods-qty-${data.soap.id}`).fill('1')
    await inputOf(page, `redeem-goods-qty-${data.soap.id}`).press('Tab')
    await page.locator(byTest('redeem-total')).filter({ hasText: '60 / 60' }).waitFor()
    const sent = page.waitForRequest((r) => r.url().includes('/redeem') && r.method() === 'POST')
    const answered = page.waitForResponse((r) => r.url().includes('/redeem'))
    await page.locator(byTest('redeem-submit')).click()
    const body = JSON.parse((await sent).postData())
    assert.equal(body.store_id, data.store.id)
    assert.deepEqual(body.items.sort((a, b) => a.goods_id - b.goods_id), [{ goods_id: data.rice.id, quantity: 2 }, { goods_id: data.soap.id, quantity: 1 }].sort((a, b) => a.goods_id - b.goods_id))
    assert.equal((await answered).status(), 200)
    const result = page.locator(byTest('redeem-result'))
    await result.waitFor()
    assert.match(await text(result), /大米 × 2/)
    assert.match(await text(result), /洗衣液 × 1/)
    assert.equal(await text(page.locator(byTest('counter-voucher-status'))), '已兑换')
    await shot(page, 'market-counter-redeemed')
  })

  await step(t, 'the day reconciles', async () => {
    await page.locator(byTest('counter-tab-recon')).click()
    await page.locator(byTest('recon-balanced')).waitFor()
    assert.equal(await text(page.locator(byTest('recon-vouchers'))), '1')
    assert.equal(await text(page.locator(byTest('recon-goods-points'))), '60')
    assert.equal(await text(page.locator(byTest('recon-balanced'))), '账实相符')
    await shot(page, 'market-counter-reconciliation')
  })

  await step(t, 'the volunteer sees the voucher redeemed', async () => {
    page = volunteerPage
    await volunteerPage.reload()
    const card = volunteerPage.locator(byTest('my-vouchers')).locator('li').first()
    await card.locator(byTest('voucher-status')).filter({ hasText: '已兑换' }).waitFor()
    assert.equal(await card.locator(byTest('voucher-qr')).count(), 0, 'no QR code for a used voucher')
    assert.match(await text(card.locator(byTest('voucher-spent'))), /已用 60 分/)
    assert.equal(await text(volunteerPage.locator(byTest('my-balance'))), '15')
    await shot(volunteerPage, 'market-my-voucher-redeemed')
  })

  await step(t, 'the page speaks English too', async () => {
    await volunteerPage.locator(byTest('menu-toggle')).click()
    await volunteerPage.locator(`.nav-drawer ${byTest('lang-en')}`).click()
    await volunteerPage.locator('.zy-page-title').filter({ hasText: 'My points and vouchers' }).waitFor()
    assert.equal(await text(volunteerPage.locator(byTest('my-vouchers')).locator('li').first().locator(byTest('voucher-status'))), 'Redeemed')
  })

  await step(t, 'no script errors', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
