// Browser test of issue 10 §4 on a district of the demo's size: the words
// and numbers people read. A volunteer's points history with a voucher, a
// redemption and a refund shows words, not message keys, and a redemption
// shows its amount instead of a bare 0; award candidates show quality
// words in their colours (良好 blue, not the brand red); goods prices are
// headed in points; the archive's CSV link asks for the console's
// language. In Chinese and in English, and on the volunteer's phone.
// Every page the browser suites visit is also scanned for raw keys
// (tests/lib/browser.mjs): the first step checks that the scan finds one.
// Run from the repository root: node --test tests/browser/words.test.mjs
// Needs build/zhiyuan and a built web/dist. Everyone here is synthetic.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict } from '../lib/district.mjs'
import { branch, selfRegister } from '../lib/fixtures.mjs'
import { Client } from '../lib/client.mjs'
import { residentId } from '../lib/ids.mjs'
import { xlsx } from '../lib/xlsx.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, steps, text, signIn, rawKeys, expectNoRawKeys, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const RECORDER = { username: 'words_rec', password: 'recorder-words-1' }
const CLERK = { username: 'words_clerk', password: 'clerk-words-1' }
const STATION_ADMIN = { username: 'words_admin', password: 'admin-words-1' }
const VOLUNTEER = { name: '欧阳字词', phone: '13912345607', password: 'Words-Phone-2026' }
const H = 3600 * 1000
const D = 24 * H

let srv = null
let base = ''
let browser = null
let zh = null
let en = null
let phone = null
let page = null
const pageErrors = []
const data = {}
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z')
const chinaDate = (ms) => new Date(ms + 8 * H).toISOString().slice(0, 10)
const step = steps('words-', () => page)

async function prepare() {
  const admin = new Client(base)
  await admin.login('admin', srv.adminPassword)
  data.admin = admin
  const suffix = Date.now().toString(36).slice(-4)
  const { station } = await branch(admin, { association: `海峡字词协会${suffix}`, station: `字词社区工作站${suffix}`, town: '510115007' })
  data.station = station
  for (const [who, roles] of [[RECORDER, ['recorder']], [CLERK, ['clerk']], [STATION_ADMIN, ['admin']]]) {
    const u = await admin.post('/api/v1/users', { ...who, display_name: who.username, roles, org_id: station.id })
    assert.equal(u.status, 201, u.text)
  }
  data.v1 = await selfRegister(base, VOLUNTEER, { birth: '19960405', seq: 71, region: '510115007001', org: station.id })
  const v2 = await admin.post('/api/v1/volunteers', { name: '上官优秀', id_type: 'resident_id', id_number: residentId('510115', '19900102', 73),
    phone: '13912345609', region_code: '510115007001', org_id: station.id, consent: { sensitive: true, notice_version: '2026-11' } })
  assert.equal(v2.status, 201, v2.text)
  data.v2 = v2.json

  // service: v1 rated good, v2 excellent, both approved (the recorder
  // enters, the admin approves); 30 hours ago is inside the round's period
  const recorder = new Client(base)
  await recorder.login(RECORDER.username, RECORDER.password)
  const activity = await recorder.post('/api/v1/activities', { name: `字词社区助老${suffix}`, org_id: station.id, starts_at: iso(30 * H), ends_at: iso(27 * H), place: '字词社区', content: '陪伴独居老人' })
  assert.equal(activity.status, 201, activity.text)
  for (const [v, quality, minutes] of [[data.v1, 'good', 150], [data.v2, 'excellent', 180]]) {
    const r = await recorder.post('/api/v1/records', { activity_id: activity.json.id, volunteer_id: v.id, minutes, quality })
    assert.equal(r.status, 201, r.text)
    assert.equal((await admin.post(`/api/v1/records/${r.json.id}/approve`)).status, 200)
  }
  const round = await admin.post('/api/v1/award-rounds', { name: `字词表彰${suffix}`, org_id: station.id, period_from: chinaDate(Date.now() - 10 * D), period_to: chinaDate(Date.now()) })
  assert.equal(round.status, 201, round.text)
  data.roundId = round.json.id

  // points: 100 granted, a voucher of 60, redeemed for goods worth 35: the
  // other 25 come back
  const store = await admin.post('/api/v1/stores', { org_id: station.id, name: `字词爱心超市${suffix}`, address: '字词社区服务中心' })
  assert.equal(store.status, 201, store.text)
  data.store = store.json
  const clerk = new Client(base)
  await clerk.login(CLERK.username, CLERK.password)
  data.goods = []
  for (const [name, unit, price] of [['大米', '袋', 25], ['洗衣液', '瓶', 10]]) {
    const g = await clerk.post(`/api/v1/stores/${store.json.id}/goods`, { name, unit, price })
    assert.equal(g.status, 201, g.text)
    assert.equal((await clerk.post(`/api/v1/goods/${g.json.id}/stock`, { delta: 5, reason: '爱心企业捐赠' })).status, 200)
    data.goods.push(g.json)
  }
  assert.equal((await admin.post('/api/v1/points/adjustments', { volunteer_id: data.v1.id, amount: 100, reason: '优秀志愿者奖励' })).status, 201)
  const me = new Client(base)
  await me.login(VOLUNTEER.phone, VOLUNTEER.password)
  const voucher = await me.post('/api/v1/vouchers', { volunteer_id: data.v1.id, value: 60 })
  assert.equal(voucher.status, 201, voucher.text)
  const redeemed = await clerk.post(`/api/v1/vouchers/${voucher.json.code}/redeem`, { store_id: store.json.id, items: data.goods.map((g) => ({ goods_id: g.id, quantity: 1 })) })
  assert.equal(redeemed.status, 200, redeemed.text)
  const moves = (await admin.get(`/api/v1/points/movements?volunteer_id=${data.v1.id}`)).json.items
  data.moves = Object.fromEntries(moves.map((m) => [m.cause, m]))
  assert.deepEqual(moves.map((m) => [m.cause, m.amount]).slice(0, 4), [['refund', 25], ['redeem', 35], ['voucher', 60], ['adjust', 100]])
  assert.equal(moves[4].cause, 'earn')
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 90_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
  zh = await newContext(browser, { acceptDownloads: false })
  en = await newContext(browser, { acceptDownloads: false })
  await en.addInitScript(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
  phone = await newContext(browser, { phone: true })
})

after(() => closeSuite(browser, srv))

const EXPECT = {
  zh: { refund: ['退回', '+25'], redeem: ['兑换商品', '(35)'], voucher: ['领兑换券', '\u221260'], adjust: ['调整', '+100'], redeemNote: /用兑换券兑换了 35 分的商品/, good: '良好', excellent: '优秀', price: '单价（积分）', priceCell: '25' },
  en: { refund: ['Refunded', '+25'], redeem: ['Redeemed', '(35)'], voucher: ['Voucher', '\u221260'], adjust: ['Adjusted', '+100'], redeemNote: /Voucher used for goods worth 35 points/, good: 'Good', excellent: 'Excellent', price: 'Price (points)', priceCell: '25' },
}

async function checkMovements(p, words) {
  for (const cause of ['refund', 'redeem', 'voucher', 'adjust']) {
    const row = p.locator(byTest(`points-movement-${data.moves[cause].id}`))
    await row.waitFor()
    const [word, amount] = words[cause]
    assert.equal(await text(row.locator('.cause')), word, cause)
    assert.equal(await text(row.locator(byTest('points-movement-amount'))), amount, cause)
  }
  assert.match(await text(p.locator(byTest(`points-note-${data.moves.redeem.id}`))), words.redeemNote)
  assert.doesNotMatch(await text(p.locator(byTest('points-movements'))), /points\.|quality\./)
}

test('words and numbers people read, on a demo-sized district', { timeout: 240_000 }, async (t) => {
  await step(t, 'the key scan finds a raw key and leaves addresses, file names and numbers alone', async () => {
    page = await watchedPage(zh, pageErrors)
    await signIn(page, base, 'admin', srv.adminPassword)
    await expectNoRawKeys(page)
    await page.evaluate(() => {
      const div = document.createElement('div')
      div.id = 'keyscan-probe'
      div.textContent = '邮箱 li.ming@example.com，网址 https://zhiyuan.example.cn/verify/AB12，文件 archive.csv，12.50 元，e.g. 第 1.2 节'
      document.body.append(div)
    })
    assert.deepEqual(await rawKeys(page), [])
    await page.evaluate(() => {
      document.getElementById('keyscan-probe').textContent += ' 类型：points.cause.voucher'
      const input = document.createElement('input')
      input.placeholder = 'quality.2'
      document.body.append(input)
    })
    assert.deepEqual(await rawKeys(page), ['points.cause.voucher', 'quality.2'])
    await assert.rejects(expectNoRawKeys(page), /raw message keys on .*points\.cause\.voucher, quality\.2/)
    await page.evaluate(() => {
      document.getElementById('keyscan-probe').remove()
      document.querySelector('input[placeholder="quality.2"]').remove()
    })
  })

  await step(t, "a volunteer's points history names every movement (Chinese)", async () => {
    await page.goto(`${base}/volunteers/${data.v1.id}?tab=archive`)
    await checkMovements(page, EXPECT.zh)
    // the record's quality: 良好 in blue, not the brand red of errors
    const good = page.locator(byTest('archive-records')).locator(byTest('quality-good')).first()
    await good.waitFor()
    assert.equal(await text(good), '良好')
    assert.equal(await good.evaluate((el) => getComputedStyle(el).color), 'rgb(43, 108, 176)')
    // the CSV link asks for the console's language
    assert.match(await page.locator(byTest('archive-csv')).getAttribute('href'), /archive\.csv\?lang=zh-CN$/)
    await shot(page, 'words-points-zh')
  })

  await step(t, 'award candidates show quality words in their colours (Chinese)', async () => {
    await page.goto(`${base}/awards/${data.roundId}`)
    const table = page.locator(byTest('candidates-table'))
    const rowOf = (v) => table.locator('tr').filter({ has: page.locator(byTest(`candidate-nominate-${v.id}`)) })
    await rowOf(data.v2).waitFor()
    const excellent = rowOf(data.v2).locator(byTest('quality-excellent'))
    const good = rowOf(data.v1).locator(byTest('quality-good'))
    assert.equal(await text(excellent), EXPECT.zh.excellent)
    assert.equal(await text(good), EXPECT.zh.good)
    assert.ok((await excellent.getAttribute('class')).includes('el-tag--success'))
    assert.equal(await good.evaluate((el) => getComputedStyle(el).color), 'rgb(43, 108, 176)')
    assert.notEqual(await good.evaluate((el) => getComputedStyle(el).color), await page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--el-color-danger')))
    assert.doesNotMatch(await text(table), /quality\.\d/)
    await shot(page, 'words-candidates-zh')
  })

  await step(t, 'goods prices are headed in points (Chinese)', async () => {
    await signIn(page, base, CLERK.username, CLERK.password)
    await page.goto(`${base}/counter`)
    await page.locator(byTest('counter-tab-goods')).click()
    const table = page.locator(byTest('goods-table'))
    await table.getByText('大米').waitFor()
    const head = await text(table.locator('thead'))
    assert.match(head, /单价（积分）/)
    assert.doesNotMatch(head, /（分）/)
    await shot(page, 'words-goods-zh')
  })

  await step(t, 'the import report says what is wrong in which cell and how to fix it', async () => {
    await signIn(page, base, STATION_ADMIN.username, STATION_ADMIN.password)
    await page.goto(`${base}/volunteers/import`)
    await page.locator(byTest('import-org')).click()
    await page.locator('.import-org-popper .el-select-dropdown__item', { hasText: data.station.name }).click()
    // the ID column is where Excel left it as a number; the phone has spaces
    const file = xlsx([['姓名', '手机号', '证件号码'],
      ['令狐空格', '139 1234 5611', residentId('510115', '19930506', 75)],
      ['令狐科学', '13912345613', { number: '5.1011519930506E+17' }],
      ['令狐短号', '139 1234 561', residentId('510115', '19930506', 77)]])
    await page.locator(byTest('import-file-input')).setInputFiles({ name: 'people.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: file })
    await page.locator(byTest('import-submit')).click()
    const report = page.locator(byTest('import-report'))
    await report.waitFor({ timeout: 20_000 })
    assert.equal(await text(report.locator(byTest('import-imported'))), '1')
    assert.equal(await text(report.locator(byTest('import-rejected-count'))), '2')
    assert.equal(await text(page.locator(byTest('import-column-3'))), 'C证件号码')
    assert.match(await text(page.locator(byTest('import-message-3'))), /^证件号码被 Excel 当成了数字.*设置单元格格式.*文本/)
    assert.equal(await text(page.locator(byTest('import-column-4'))), 'B手机号')
    assert.match(await text(page.locator(byTest('import-message-4'))), /^手机号须为以 1 开头的 11 位数字/)
    await shot(page, 'words-import-zh')
  })

  await step(t, 'the same pages in English', async () => {
    await page.close()
    page = await watchedPage(en, pageErrors)
    await signIn(page, base, 'admin', srv.adminPassword)
    await page.goto(`${base}/volunteers/${data.v1.id}?tab=archive`)
    await checkMovements(page, EXPECT.en)
    assert.match(await page.locator(byTest('archive-csv')).getAttribute('href'), /archive\.csv\?lang=en$/)
    await page.goto(`${base}/awards/${data.roundId}`)
    const table = page.locator(byTest('candidates-table'))
    await table.locator(byTest('quality-excellent')).first().waitFor()
    const row = table.locator('tr').filter({ has: page.locator(byTest(`candidate-nominate-${data.v1.id}`)) })
    assert.equal(await text(row.locator(byTest('quality-good'))), 'Good')
    await signIn(page, base, CLERK.username, CLERK.password)
    await page.goto(`${base}/counter`)
    await page.locator(byTest('counter-tab-goods')).click()
    await page.locator(byTest('goods-table')).getByText('大米').waitFor()
    assert.match(await text(page.locator(byTest('goods-table')).locator('thead')), /Price \(points\)/)
    await shot(page, 'words-goods-en')
  })

  await step(t, 'the volunteer sees the same history on their phone', async () => {
    await page.close()
    page = await watchedPage(phone, pageErrors)
    await signIn(page, base, VOLUNTEER.phone, VOLUNTEER.password)
    await page.goto(`${base}/me/volunteer`)
    await checkMovements(page, EXPECT.zh)
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the page scrolls sideways: ${width}px`)
    await shot(page, 'words-points-phone')
  })

  await step(t, 'no script errors', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
