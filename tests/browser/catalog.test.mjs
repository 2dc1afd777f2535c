// Browser test of issue 13 §1 (备菜, the service menu) on a district of the
// demo's size (startDistrict: 341 organisations, 64,318 volunteers, and the
// example menu the demo loads: 2 categories, 23 items, 93 sub-items, 39
// hotlines). The root admin adds a sub-item in the menu editor, picks its
// provider among all organisations, sets its days and hours, and retires
// it; opens a hotline; a station admin only reads the menu; a resident
// reads the public menu on a phone in Chinese and English, searches it and
// finds the order link of each sub-item.
// Run from the repository root: node --test tests/browser/catalog.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict } from '../lib/district.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, text, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

let srv = null
let browser = null
let page = null
const pageErrors = []
const data = {}
const step = steps('catalog-', () => page)

const subitems = (menu) => menu.items.flatMap((c) => c.children.flatMap((i) => i.children))

async function prepare() {
  const client = new Client(srv.url)
  await client.login('admin', srv.adminPassword)
  data.client = client
  const menu = (await new Client(srv.url).get('/api/v1/public/menu')).json
  data.menu = menu
  assert.deepEqual(menu.items.map((c) => c.name), ['社区服务', '专业服务'])
  assert.equal(menu.items.reduce((n, c) => n + c.children.length, 0), 23)
  assert.equal(subitems(menu).length, 93)
  assert.equal(menu.hotlines.length, 39)
  data.elder = menu.items[0].children.find((i) => i.name === '助老服务')
  data.escort = data.elder.children.find((s) => s.name === '陪同就医')
  assert.equal(data.escort.providers.length, 11, 'the demo associations provide community services')
  const me = (await client.get('/api/v1/me')).json
  const nodes = (await client.get(`/api/v1/organizations/${me.org_id}/tree`)).json.nodes
  data.station = nodes.find((n) => n.name === '寿安镇第3社区志愿服务工作站')
  assert.ok(data.station, 'the demo has 寿安镇第3社区志愿服务工作站')
  const u = await client.post('/api/v1/users', { username: 'menu_station_admin', password: 'Menu-Station-2026', roles: ['admin'], org_id: data.station.id })
  assert.equal(u.status, 201, u.text)
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
  page = await watchedPage(await newContext(browser), pageErrors)
})

after(() => closeSuite(browser, srv))

async function publicMenuOnPhone(locale) {
  const phone = await newContext(browser, { phone: true })
  if (locale === 'en') await phone.addInitScript(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
  const p = await phone.newPage()
  p.on('pageerror', (error) => pageErrors.push(String(error)))
  try {
    await p.goto(srv.url + '/menu')
    await p.locator(byTest('public-menu-tabs')).waitFor()
    assert.equal(await text(p.locator('h1')), locale === 'en' ? 'Volunteer service menu' : '志愿服务菜单')
    assert.equal(await p.locator('.el-tabs__item').count(), 2)
    await p.locator(byTest(`public-item-${data.elder.id}`)).locator('.el-collapse-item__header').click()
    const sub = p.locator(byTest(`public-sub-${data.escort.id}`))
    await sub.waitFor()
    assert.equal(await p.locator(byTest(`public-order-${data.escort.id}`)).getAttribute('href'), `/menu/order/${data.escort.id}`)
    assert.equal(await text(sub.locator(byTest('public-sub-hours'))),
      locale === 'en' ? 'Every day 08:00–18:00 · about 180 min' : '每天 08:00–18:00 · 约 180 分钟')
    // the district and town hotlines that take community services are offered
    assert.ok(await sub.locator('a.tel').count() >= 1)
    assert.equal(await p.locator(`${byTest('public-hotlines')} > li`).count(), 40, 'the 39 shipped and the one opened above')
    const width = await p.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `page is ${width}px wide`)
    await shot(p, `catalog-public-menu-${locale}`)
    // a search across both categories
    await inputOf(p, 'public-menu-search').fill('法律')
    const found = p.locator(`${byTest('public-menu-found')} > li`)
    await found.first().waitFor()
    const legal = subitems(data.menu).filter((s) => s.name.includes('法律') || s.description.includes('法律')).length
    assert.ok(await found.count() >= legal && legal > 0)
  } finally {
    await withTimeout(phone.close(), 5_000, 'phone.close').catch(() => {})
  }
}

test('the service menu on a demo-sized district', { timeout: 180_000 }, async (t) => {
  await step(t, 'the root admin adds a sub-item with a provider picked among all organisations', async () => {
    await signIn(page, srv.url, 'admin', srv.adminPassword)
    await page.locator(byTest('nav-menu-editor')).click()
    await page.waitForURL((url) => url.pathname === '/menu-editor')
    await page.locator(byTest(`menu-node-${data.elder.id}`)).click()
    assert.equal(await text(page.locator(byTest('menu-form-title'))), '助老服务')
    await page.locator(byTest('menu-add-child')).click()
    assert.equal(await text(page.locator(byTest('menu-providers'))), '还没有提供方：居民暂时不能点这项服务')
    await inputOf(page, 'menu-name').fill('陪同散步')
    await page.locator(`textarea${byTest('menu-description')}, ${byTest('menu-description')} textarea`).first().fill('陪腿脚不便的老人在小区散步')
    const picker = page.locator(byTest('menu-provider-picker'))
    await picker.click()
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/organizations/search') && new URL(r.url()).searchParams.get('q') === '寿安镇第3社区')
    await inputOf(page, 'menu-provider-picker').fill('寿安镇第3社区')
    await answered
    await page.locator(`.menu-provider-popper ${byTest(`menu-provider-option-${data.station.id}`)}`).click()
    await page.locator(byTest(`menu-provider-${data.station.id}`)).waitFor()
    // Saturday and Sunday only, 09:00–11:30
    const days = page.locator(byTest('menu-weekdays')).locator('.el-checkbox')
    for (let d = 0; d < 5; d++) await days.nth(d).click()
    await inputOf(page, 'menu-day-from').fill('9:00')
    await inputOf(page, 'menu-day-to').fill('11:30')
    await page.locator(byTest('menu-group-elderly_alone')).click()
    await shot(page, 'catalog-editor-new')
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/menu/items') && r.request().method() === 'POST')
    await page.locator(byTest('menu-save')).click()
    const made = await (await sent).json()
    data.walk = made
    assert.deepEqual([made.level, made.parent_id, made.weekdays, made.day_from, made.day_to, made.vulnerable_groups, made.providers.map((p) => p.id)],
      [3, data.elder.id, 96, 540, 690, ['elderly_alone'], [data.station.id]])
    await page.locator(byTest('menu-form-title')).filter({ hasText: '陪同散步' }).waitFor()
    assert.equal(await text(page.locator(byTest('menu-summary'))), '周六、周日 09:00–11:30')
    // it came last among 助老服务's sub-items; one place up puts it before 陪伴聊天
    await page.locator(byTest('menu-move-up')).click()
    const lastTwo = async () => (await data.client.get('/api/v1/menu/items')).json.items[0].children
      .find((i) => i.id === data.elder.id).children.slice(-2).map((s) => s.name)
    for (let i = 0; i < 50 && (await lastTwo()).join() !== '陪同散步,陪伴聊天'; i++) await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(await lastTwo(), ['陪同散步', '陪伴聊天'])
    await page.locator(`${byTest('menu-move-up')}:not([disabled])`).waitFor()
    // a bad time is caught before it is sent
    await inputOf(page, 'menu-day-to').fill('25:00')
    await page.locator(byTest('menu-save')).click()
    await page.locator('.el-form-item__error', { hasText: '时间格式为 时:分' }).waitFor()
  })

  await step(t, 'retiring the sub-item takes it off the public menu; the editor keeps it', async () => {
    await page.locator(byTest('menu-retire')).click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.locator(byTest('menu-restore')).waitFor()
    await page.locator(`${byTest(`menu-node-${data.walk.id}`)}.retired`).waitFor()
    const menu = (await new Client(srv.url).get('/api/v1/public/menu')).json
    assert.ok(!subitems(menu).some((s) => s.id === data.walk.id))
    assert.equal((await data.client.get(`/api/v1/menu/items/${data.walk.id}`)).json.status, 'retired')
  })

  await step(t, 'the root admin opens a hotline answered by a station', async () => {
    await page.locator('.el-tabs__item', { hasText: '服务热线' }).click()
    await page.locator(byTest('hotline-table')).locator('.el-table__row').nth(38).waitFor()
    await page.locator(byTest('hotline-new')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('hotline-save')) })
    await dialog.waitFor()
    await inputOf(dialog, 'hotline-number').fill('028-82999003')
    await inputOf(dialog, 'hotline-name').fill('寿安镇第3社区助老热线')
    await dialog.locator(byTest('hotline-org')).click()
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/organizations/search') && new URL(r.url()).searchParams.get('q') === '寿安镇第3社区')
    await inputOf(dialog, 'hotline-org').fill('寿安镇第3社区')
    await answered
    await page.locator(`.hotline-org-popper ${byTest(`hotline-org-option-${data.station.id}`)}`).click()
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/menu/hotlines') && r.request().method() === 'POST')
    await dialog.locator(byTest('hotline-save')).click()
    const h = await (await sent).json()
    assert.deepEqual([h.number, h.org_id, h.weekdays, h.day_from, h.day_to], ['028-82999003', data.station.id, 31, 540, 1050])
    await page.locator(byTest(`hotline-number-${h.id}`)).waitFor()
    await shot(page, 'catalog-hotlines')
  })

  await step(t, 'in English the editor reads in English', async () => {
    await page.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
    await page.reload()
    await page.locator(byTest('menu-tree')).waitFor()
    assert.equal(await text(page.locator('h1.zy-page-title')), 'Service menu')
    await page.locator(byTest(`menu-node-${data.elder.id}`)).waitFor()
    await page.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'zh-CN'))
  })

  await step(t, 'a station admin reads the menu but cannot edit it', async () => {
    await signIn(page, srv.url, 'menu_station_admin', 'Menu-Station-2026')
    await page.goto(srv.url + '/menu-editor')
    await page.locator(byTest('menu-readonly')).waitFor()
    assert.equal(await page.locator(byTest('menu-new-category')).count(), 0)
    await page.locator(byTest(`menu-node-${data.elder.id}`)).click()
    assert.equal(await page.locator(byTest('menu-save')).count(), 0)
  })

  await step(t, 'a resident reads the public menu on a phone, in Chinese and in English', async () => {
    await publicMenuOnPhone('zh-CN')
    await publicMenuOnPhone('en')
    assert.deepEqual(pageErrors, [])
  })
})
