// Browser test of issue 10 §5 (regions and the volunteer list's total) on a
// district of the demo's size (startDistrict: 341 organisations, 64,318
// volunteers). The regions ship with the server, so nobody imports
// anything: staff register a volunteer by picking town → community in the
// form, a person registers on the phone join page the same way (Chinese,
// then English), a station recorder creates a project for a town with the
// picker, and the volunteer list shows how many match: "10,000+" for the
// whole district, an exact small figure for a search. No region code is
// typed anywhere.
// Run from the repository root: node --test tests/browser/regions.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { startDistrict, DISTRICT_VOLUNTEERS } from '../lib/district.mjs'
import { Client } from '../lib/client.mjs'
import { residentId } from '../lib/ids.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, text, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

let srv = null
let browser = null
let desk = null
let page = null
const pageErrors = []
const data = {}
const step = steps('regions-', () => page)

// Waits until an input shows value (lazy pickers fill their text late).
async function inputShows(input, value) {
  const until = Date.now() + 5_000
  let seen = ''
  while (Date.now() < until) {
    seen = await input.inputValue()
    if (seen === value) return
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.equal(seen, value)
}

const mobile = () => `139${String(randomInt(1e8)).padStart(8, '0')}`
const grouped = (n) => new Intl.NumberFormat('en-US').format(n)

// Picks town → community in the cascader with data-test id inside scope;
// with a town only (anyLevel pickers), its radio is clicked instead.
async function pickRegion(p, scope, id, town, community, shotName) {
  await scope.locator(byTest(id)).click()
  const panel = p.locator('.zy-region-popper:visible .el-cascader-panel')
  await panel.waitFor()
  const townNode = panel.locator('.el-cascader-menu').nth(0).locator('.el-cascader-node', { hasText: town })
  if (!community) {
    await townNode.locator('.el-radio').click()
  } else {
    await townNode.click()
    const node = panel.locator('.el-cascader-menu').nth(1).locator('.el-cascader-node', { hasText: community })
    await node.waitFor()
    if (shotName) {
      // both columns of the open picker fit the screen
      const box = await panel.boundingBox()
      const width = await p.evaluate(() => window.innerWidth)
      assert.ok(box.x >= 0 && box.x + box.width <= width + 1, `picker ${box.x}+${box.width} within ${width}px`)
      await shot(p, shotName)
    }
    await node.click()
  }
  await p.locator('.zy-region-popper').first().waitFor({ state: 'hidden' }).catch(async () => {
    await p.keyboard.press('Escape')
  })
}

async function prepare() {
  const client = new Client(srv.url)
  await client.login('admin', srv.adminPassword)
  data.client = client
  const me = (await client.get('/api/v1/me')).json
  const nodes = (await client.get(`/api/v1/organizations/${me.org_id}/tree`)).json.nodes
  data.nodes = nodes
  data.station = nodes.find((n) => n.name === '和盛镇第1社区志愿服务工作站')
  assert.ok(data.station, 'the demo has 和盛镇第1社区志愿服务工作站')
  const suffix = Date.now().toString(36).slice(-4)
  data.recorder = { username: `reg_rec_${suffix}`, password: 'recorder-regions-1' }
  const u = await client.post('/api/v1/users', { ...data.recorder, display_name: '记录员小何', roles: ['recorder'], org_id: data.station.id })
  assert.equal(u.status, 201, u.text)
  // an exact, small count for a search: people whose name holds 王伟
  const r = await client.get('/api/v1/volunteers?limit=1&q=' + encodeURIComponent('王伟'))
  assert.equal(r.json.total_capped, false)
  assert.ok(r.json.total > 0 && r.json.total < 10000, `王伟: ${r.json.total}`)
  data.wangwei = r.json.total
  const all = await client.get('/api/v1/volunteers?limit=1')
  assert.deepEqual([all.json.total, all.json.total_capped], [10000, true], `the demo has ${DISTRICT_VOLUNTEERS} volunteers`)
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  await withTimeout(prepare(), 30_000, 'prepare')
  browser = await launchBrowser()
  desk = await newContext(browser)
  page = await watchedPage(desk, pageErrors)
})

after(() => closeSuite(browser, srv))

async function volunteerByPhone(phone) {
  const r = await data.client.get('/api/v1/volunteers?limit=5&q=' + phone)
  assert.equal(r.json.items.length, 1, `one volunteer with phone ${phone}`)
  return (await data.client.get(`/api/v1/volunteers/${r.json.items[0].id}`)).json
}

// The phone join page: name, ID, phone, residence picked, password, consent.
async function joinOnPhone(t, locale, who) {
  const phone = await newContext(browser, { phone: true })
  if (locale === 'en') await phone.addInitScript(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
  const p = await phone.newPage()
  p.on('pageerror', (error) => pageErrors.push(String(error)))
  try {
    await p.goto(srv.url + '/join')
    const form = p.locator(byTest('volunteer-form'))
    await form.waitFor()
    await inputOf(form, 'vol-name').fill(who.name)
    await inputOf(form, 'vol-id-number').fill(residentId('510115', who.birth, who.seq))
    await form.locator(byTest('vol-id-ok')).waitFor()
    await inputOf(form, 'vol-phone').fill(who.phone)
    const label = form.locator('.el-form-item', { has: p.locator(byTest('vol-region')) }).locator('.el-form-item__label')
    assert.equal(await text(label), locale === 'en' ? 'Residence (town / community)' : '居住地（镇街 / 村社区）')
    await pickRegion(p, form, 'vol-region', who.town, who.community, `regions-join-picker-${locale}`)
    assert.equal(await text(form.locator(byTest('vol-region-value'))), (locale === 'en' ? 'Code ' : '代码 ') + who.code)
    assert.equal(await inputOf(form, 'vol-region').inputValue(), `${who.town} / ${who.community}`)
    // nothing wider than the phone, the open picker included
    const width = await p.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `page is ${width}px wide`)
    await form.locator(byTest('vol-categories')).locator('.el-checkbox-button').first().click()
    await inputOf(form, 'vol-password').fill('Join-Regions-2026')
    await inputOf(form, 'vol-password2').fill('Join-Regions-2026')
    await form.locator(byTest('vol-consent-notice')).click()
    await form.locator(byTest('vol-consent-sensitive')).click()
    await form.locator(`${byTest('vol-consent-sensitive')} input:checked`).waitFor({ state: 'attached' })
    await shot(p, `regions-join-${locale}`)
    await p.locator(byTest('join-submit')).click()
    await p.locator(byTest('join-number')).waitFor()
  } finally {
    await withTimeout(phone.close(), 5_000, 'phone.close').catch(() => {})
  }
  const v = await volunteerByPhone(who.phone)
  assert.equal(v.region_code, who.code)
}

test('regions and the volunteer total on a demo-sized district', { timeout: 240_000 }, async (t) => {
  await step(t, 'the volunteer list shows 10,000+ for the district and an exact count for a search', async () => {
    await signIn(page, srv.url, 'admin', srv.adminPassword)
    await page.goto(srv.url + '/volunteers')
    const total = page.locator(byTest('volunteers-total'))
    await total.filter({ hasText: '10,000+' }).waitFor()
    assert.equal(await text(total), '共 10,000+ 人')
    await inputOf(page, 'volunteers-search').fill('王伟')
    await page.locator(byTest('volunteers-search-button')).click()
    await total.filter({ hasText: `共 ${grouped(data.wangwei)} 人` }).waitFor()
    assert.equal(await text(total), `共 ${grouped(data.wangwei)} 人`)
    await shot(page, 'regions-volunteers-total')
  })

  await step(t, 'staff register a volunteer by picking town → community', async () => {
    data.staffPhone = mobile()
    await page.goto(srv.url + `/volunteers/new?org_id=${data.station.id}`)
    const form = page.locator(byTest('volunteer-form'))
    await form.waitFor()
    await inputOf(form, 'vol-name').fill('欧阳区选')
    await inputOf(form, 'vol-id-number').fill(residentId('510115', '19880614', 500 + randomInt(400)))
    await form.locator(byTest('vol-id-ok')).waitFor()
    await inputOf(form, 'vol-phone').fill(data.staffPhone)
    // no input for a code is shown: the picker is a cascader
    assert.equal(await form.locator(byTest('vol-region-code')).count(), 0)
    await pickRegion(page, form, 'vol-region', '和盛镇', '百花村')
    assert.equal(await text(form.locator(byTest('vol-region-value'))), '代码 510115101201')
    await form.locator(byTest('vol-categories')).locator('.el-checkbox-button').first().click()
    await form.locator(byTest('vol-consent-notice')).click()
    await form.locator(byTest('vol-consent-sensitive')).click()
    await form.locator(`${byTest('vol-consent-sensitive')} input:checked`).waitFor({ state: 'attached' })
    await shot(page, 'regions-staff-form')
    await page.locator(byTest('vol-submit')).click()
    await page.waitForURL((url) => /^\/volunteers\/\d+$/.test(url.pathname))
    // the file names the place, not just its code
    await page.locator(byTest('region-name')).filter({ hasText: '和盛镇 / 百花村' }).waitFor()
    const v = await volunteerByPhone(data.staffPhone)
    assert.deepEqual([v.region_code, v.name], ['510115101201', '欧阳区选'])
  })

  await step(t, 'a person registers on the phone join page by picking town → community (Chinese)', async () => {
    await joinOnPhone(t, 'zh', { name: '司徒选区', birth: '19950321', seq: 611, phone: mobile(), town: '永宁街道', community: '白马社区', code: '510115006003' })
  })

  await step(t, 'and in English', async () => {
    await joinOnPhone(t, 'en', { name: '上官英文', birth: '19960422', seq: 613, phone: mobile(), town: '柳城街道', community: '凤溪社区', code: '510115001002' })
  })

  await step(t, 'a station recorder creates a project for a town with the picker, no import needed', async () => {
    await signIn(page, srv.url, data.recorder.username, data.recorder.password)
    await page.goto(srv.url + '/projects')
    await page.locator(byTest('project-new')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('project-save')) })
    await dialog.waitFor()
    data.title = `和盛镇河道巡护${Date.now().toString(36).slice(-4)}`
    await inputOf(dialog, 'project-title').fill(data.title)
    await dialog.locator(byTest('project-category')).click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '环境保护' }).click()
    await dialog.locator(byTest('project-title')).click()
    // the district itself is offered, then towns; a town is chosen by its radio
    await dialog.locator(byTest('project-region')).click()
    const first = page.locator('.zy-region-popper:visible .el-cascader-menu').first().locator('.el-cascader-node').first()
    assert.equal(await text(first), '温江区（全区）')
    await page.keyboard.press('Escape')
    await pickRegion(page, dialog, 'project-region', '和盛镇')
    assert.equal(await text(dialog.locator(byTest('project-region-value'))), '代码 510115101000')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/projects') && r.request().method() === 'POST')
    await dialog.locator(byTest('project-save')).click()
    const response = await created
    assert.equal(response.status(), 201, await response.text())
    assert.equal((await response.json()).region_code, '510115101000')
    await shot(page, 'regions-project')
  })

  await step(t, 'an admin adds a workstation whose region is a community picked in the organisation form', async () => {
    await signIn(page, srv.url, 'admin', srv.adminPassword)
    await page.goto(srv.url + '/organizations')
    const assoc = data.nodes.find((n) => n.name === '和盛镇志愿服务协会')
    await page.locator(byTest(`org-node-${assoc.id}`)).click()
    await page.locator(byTest('org-detail-name')).filter({ hasText: assoc.name }).waitFor()
    await page.locator(byTest('org-add-child')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('org-form-region')) })
    await dialog.waitFor()
    // the parent's town is there already, shown by name
    await inputShows(inputOf(dialog, 'org-form-region'), '和盛镇')
    data.orgName = `两河社区第二工作站${Date.now().toString(36).slice(-4)}`
    await inputOf(dialog, 'org-form-name').fill(data.orgName)
    await dialog.locator(byTest('org-form-kind-station')).click()
    await pickRegion(page, dialog, 'org-form-region', '和盛镇', '两河社区')
    assert.equal(await inputOf(dialog, 'org-form-region').inputValue(), '和盛镇 / 两河社区')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST')
    await dialog.locator(byTest('org-form-submit')).click()
    const response = await created
    assert.equal(response.status(), 201, await response.text())
    const org = await response.json()
    assert.deepEqual([org.name, org.region_code], [data.orgName, '510115101002'])
    // editing it later shows the community by name (the same dialog, filled again)
    await page.locator(byTest(`org-node-${org.id}`)).click()
    await page.locator(byTest('org-detail-name')).filter({ hasText: data.orgName }).waitFor()
    await page.locator(byTest('org-edit')).click()
    await dialog.waitFor()
    await inputShows(inputOf(dialog, 'org-form-region'), '和盛镇 / 两河社区')
    await page.keyboard.press('Escape')
  })

  await step(t, 'the English list says "10,000+ volunteers" and an exact figure for a search', async () => {
    await signIn(page, srv.url, 'admin', srv.adminPassword)
    await page.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
    await page.goto(srv.url + '/volunteers')
    const total = page.locator(byTest('volunteers-total'))
    await total.filter({ hasText: '10,000+ volunteers' }).waitFor()
    await inputOf(page, 'volunteers-search').fill('王伟')
    await page.locator(byTest('volunteers-search-button')).click()
    await total.filter({ hasText: `${grouped(data.wangwei)} volunteers` }).waitFor()
    assert.equal(await text(total), `${grouped(data.wangwei)} volunteers`)
    // the picker in English, where a project is edited: its prompt and its first choice
    await page.goto(srv.url + '/projects')
    await page.locator(byTest('project-new')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('project-save')) })
    await dialog.waitFor()
    const label = dialog.locator('.el-form-item', { has: page.locator(byTest('project-region')) }).locator('.el-form-item__label')
    assert.equal(await text(label), 'Region')
    assert.equal(await text(dialog.locator(byTest('project-region-mode'))), 'Enter a code')
    await dialog.locator(byTest('project-region')).click()
    const first = page.locator('.zy-region-popper:visible .el-cascader-menu').first().locator('.el-cascader-node').first()
    assert.equal(await text(first), '温江区 (whole district)')
    await page.keyboard.press('Escape')
    await page.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'zh-CN'))
  })

  await step(t, 'no page error', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
