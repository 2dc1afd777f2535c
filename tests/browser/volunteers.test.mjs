// Browser test of the organisation and volunteer pages against the real server.
// Run from the repository root: node --test tests/browser/
// Needs build/zhiyuan and a built web/dist, like shell.test.mjs. Uses Debian's
// /usr/bin/chromium through playwright-core; no browser download is involved.
//
// Everyone registered here is synthetic: resident ID numbers are computed with
// the GB 11643 check digit for made-up people (region 510115, 温江区).
//
// ZHIYUAN_BROWSER_URL (+ ZHIYUAN_BROWSER_ADMIN_PASSWORD) runs the same steps
// against an already running server instead of starting build/zhiyuan.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { startServer } from '../lib/server.mjs'
import { residentId } from '../lib/ids.mjs'
import { xlsx } from '../lib/xlsx.mjs'
import { Client } from '../lib/client.mjs'
import { STEP_TIMEOUT, withTimeout, launchBrowser, shot, byTest, inputOf, steps, needWebBuild, watchedPage, newContext, signIn } from '../lib/browser.mjs'

const REGION = '510115'

let srv = null
let base = ''
let adminPassword = ''
let browser = null
let context = null
let page = null
const pageErrors = []

// ---- synthetic people ------------------------------------------------------
const SURNAMES = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张'
const GIVEN = '安柏晨丹芳刚海华佳静军凯兰磊敏宁鹏琴蓉森涛伟欣燕宇哲'
const pick = (s) => s[randomInt(s.length)]
const personName = () => `${pick(SURNAMES)}${pick(GIVEN)}${pick(GIVEN)}${pick(GIVEN)}`
const mobile = () => `139${String(randomInt(1e8)).padStart(8, '0')}`

// ---- harness ---------------------------------------------------------------
const step = steps('volunteers-', () => page)

const api = { client: null, rootOrg: null }

// Sets up organisations (and the region) through the API, and finds out
// whether this server build serves the volunteer API at all.
async function prepare() {
  const client = new Client(base)
  await client.login('admin', adminPassword)
  api.client = client
  const me = await client.get('/api/v1/me')
  api.rootOrg = me.json.org_id
  // Region chain, in case the server checks region codes (ignored if present or refused).
  const region = await client.get(`/api/v1/regions/${REGION}`)
  if (region.status === 404) {
    for (const [code, name, parent] of [
      ['510000', '四川省', null],
      ['510100', '成都市', '510000'],
      [REGION, '温江区', '510100'],
    ]) {
      await client.post('/api/v1/regions', { code, name, parent_code: parent, valid_from: '1990-01-01', valid_to: null })
    }
    await client.request('PUT', `/api/v1/regions/${REGION}/population/2025`, { household_population: 420000 })
  }
  const suffix = Date.now().toString(36).slice(-4)
  const assoc = await client.post('/api/v1/organizations', {
    name: `柳城街道志愿者协会${suffix}`,
    kind: 'association',
    parent_id: api.rootOrg,
    region_code: REGION,
  })
  assert.equal(assoc.status, 201, `create association: ${assoc.text}`)
  const station = await client.post('/api/v1/organizations', {
    name: `光华社区工作站${suffix}`,
    kind: 'station',
    parent_id: assoc.json.id,
    region_code: REGION,
    hotlines: [{ number: '028-82600000', hours: '工作日 9:00-17:00' }],
  })
  assert.equal(station.status, 201, `create station: ${station.text}`)
  const team = await client.post('/api/v1/organizations', {
    name: `应急救援志愿服务队${suffix}`,
    kind: 'team',
    professional: true,
    parent_id: assoc.json.id,
    region_code: REGION,
  })
  assert.equal(team.status, 201, `create team: ${team.text}`)
  api.association = assoc.json
  api.station = station.json
}

before(async () => {
  needWebBuild()
  if (process.env.ZHIYUAN_BROWSER_URL) {
    base = process.env.ZHIYUAN_BROWSER_URL.replace(/\/$/, '')
    adminPassword = process.env.ZHIYUAN_BROWSER_ADMIN_PASSWORD || ''
  } else {
    srv = await withTimeout(startServer({ backend: 'sqlite' }), 20_000, 'startServer')
    base = srv.url
    adminPassword = srv.adminPassword
  }
  await withTimeout(prepare(), 20_000, 'prepare')
  browser = await launchBrowser()
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: false })
  context.setDefaultTimeout(STEP_TIMEOUT)
  context.setDefaultNavigationTimeout(STEP_TIMEOUT)
  page = await watchedPage(context, pageErrors)
})

after(async () => {
  if (browser) await withTimeout(browser.close(), 10_000, 'browser.close').catch(() => {})
  if (srv) {
    // A server stuck in a request must not outlive the test run.
    await withTimeout(srv.stop(), 10_000, 'srv.stop').catch(() => srv.child.kill('SIGKILL'))
  }
})

test('organisation and volunteer pages', { timeout: 150_000 }, async (t) => {

  await step(t, 'admin signs in and sees the new menu entries', async () => {
    await page.goto(base + '/login')
    await inputOf(page, 'login-username').fill('admin')
    await inputOf(page, 'login-password').fill(adminPassword)
    await page.locator(byTest('login-submit')).click()
    await page.waitForURL((url) => url.pathname === '/')
    assert.match(await page.locator(byTest('nav-organizations')).innerText(), /组织网络/)
    assert.match(await page.locator(byTest('nav-volunteers')).innerText(), /志愿者/)
    await page.locator(byTest('nav-regions')).waitFor()
  })

  const name = personName()
  const sequence = 100 + randomInt(800)
  const idNumber = residentId(REGION, '19900517', sequence)
  const gender = sequence % 2 === 1 ? '男' : '女'
  let fileUrl = ''

  await step(t, 'a volunteer is registered through the form', async () => {
    await page.goto(base + '/volunteers/new')
    const form = page.locator(byTest('volunteer-form'))
    await form.waitFor()
    await inputOf(form, 'vol-name').fill(name)
    // A wrong check digit is flagged while typing…
    const wrong = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0')
    await inputOf(form, 'vol-id-number').fill(wrong)
    await form.locator(byTest('vol-id-hint')).getByText('校验位').waitFor()
    // …and the right one shows the birth date and gender it carries.
    await inputOf(form, 'vol-id-number').fill(idNumber)
    await form.locator(byTest('vol-id-ok')).waitFor()
    assert.equal((await form.locator(byTest('vol-derived-birth')).innerText()).trim(), '1990-05-17')
    assert.equal((await form.locator(byTest('vol-derived-gender')).innerText()).trim(), gender)
    assert.equal(await inputOf(form, 'vol-birth-date').inputValue(), '1990-05-17')
    await inputOf(form, 'vol-phone').fill(mobile())
    // a code typed by hand (the picker's fallback; tests/browser/regions.test.mjs picks)
    await form.locator(byTest('vol-region-mode')).click()
    await inputOf(form, 'vol-region-code').fill(REGION)
    await form.locator(byTest('vol-org')).click()
    await page.locator('.vol-org-popper').locator(byTest(`vol-org-option-${api.station.id}`)).click()
    await form.locator(byTest('vol-skills')).getByText('急救', { exact: true }).click()
    await form.locator(byTest('vol-categories')).getByText('应急救援', { exact: true }).click()
    await form.locator(byTest('vol-consent-notice')).click()
    await form.locator(byTest('vol-consent-sensitive')).click()
    await form.locator(`${byTest('vol-consent-sensitive')} input:checked`).waitFor({ state: 'attached' })
    await shot(page, 'volunteer-new')
    await page.locator(byTest('vol-submit')).click()
    await page.waitForURL((url) => /^\/volunteers\/\d+$/.test(url.pathname))
    fileUrl = new URL(page.url()).pathname
    await page.locator(byTest('volunteer-profile')).waitFor()
    assert.equal((await page.locator(byTest('volunteer-name')).innerText()).trim(), name)
    assert.match(await page.locator(byTest('volunteer-id')).innerText(), /\*/)
  })

  await step(t, 'the volunteer is found by a part of the name and the file opens', async () => {
    await page.locator(byTest('nav-volunteers')).click()
    await page.waitForURL((url) => url.pathname === '/volunteers')
    await inputOf(page, 'volunteers-search').fill(name.slice(1, 3))
    await page.locator(byTest('volunteers-search-button')).click()
    const table = page.locator(byTest('volunteers-table'))
    const link = table.getByRole('link', { name, exact: true })
    await link.waitFor()
    const rowText = await table.locator('tr', { has: page.getByRole('link', { name, exact: true }) }).first().innerText()
    assert.match(rowText, /\d{3}\*{4}\d{4}/, 'the list shows the phone masked')
    await shot(page, 'volunteers-list')
    await link.click()
    await page.waitForURL((url) => url.pathname === fileUrl)
    await page.locator(byTest('volunteer-memberships')).getByText(api.station.name).waitFor()
    // the root admin holds no read_id_number: the number stays masked, with no way to reveal it
    assert.equal(await page.locator(byTest('volunteer-reveal-id')).count(), 0, 'reveal offered without read_id_number')
    assert.doesNotMatch(await page.locator(byTest('volunteer-id')).innerText(), new RegExp(idNumber))
    await page.locator('.el-message').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => {})
    await shot(page, 'volunteer-file')
  })

  await step(t, 'an admin granted read_id_number reveals the full number, and the reading is audited', async () => {
    // granted by the root admin to an admin of the (narrower) association
    const username = `idreader${Date.now().toString(36).slice(-5)}`
    const password = 'Id-reader-2026x'
    const u = await api.client.post('/api/v1/users', { username, password, roles: ['admin'], org_id: api.association.id })
    assert.equal(u.status, 201, u.text)
    const g = await api.client.patch(`/api/v1/users/${u.json.id}`, { permissions: ['read_id_number'] })
    assert.equal(g.status, 200, g.text)
    assert.deepEqual(g.json.permissions, ['read_id_number'])
    const ctx = await newContext(browser)
    try {
      const p = await ctx.newPage()
      await signIn(p, base, username, password)
      await p.goto(base + fileUrl)
      await p.locator(byTest('volunteer-profile')).waitFor()
      assert.match(await p.locator(byTest('volunteer-id')).innerText(), /\*/, 'masked until revealed')
      await p.locator(byTest('volunteer-reveal-id')).click()
      await p.locator('.el-message-box__btns .el-button--primary').click()
      await p.locator(byTest('volunteer-id')).getByText(idNumber).waitFor()
      await p.locator(byTest('volunteer-id-audited')).waitFor()
      await shot(p, 'volunteer-file-revealed')
    } finally {
      await ctx.close()
    }
    const vid = Number(fileUrl.split('/').pop())
    const audit = (await api.client.get('/api/v1/audit-log?action=volunteer.id_number_read')).json.items
    assert.deepEqual(audit.filter((e) => e.target_id === vid).map((e) => e.actor_username), [username])
  })

  await step(t, 'the organisation page shows the tree and the summary sentence', async () => {
    await page.locator(byTest('nav-organizations')).click()
    await page.waitForURL((url) => url.pathname === '/organizations')
    const tree = page.locator(byTest('org-tree'))
    await tree.locator(byTest(`org-node-${api.rootOrg}`)).waitFor()
    const sentence = page.locator(byTest('org-summary-sentence'))
    await sentence.getByText('注册志愿者').waitFor()
    const text = await sentence.innerText()
    assert.match(text, /\d+ 个联合会、\d+ 个镇街协会、\d+ 支志愿服务队（其中专业队 \d+ 支）、\d+ 个村社区工作站/)
    assert.match(text, /注册志愿者 [\d,]+ 人/)
    // open the branch down to the station and select it
    const assocRow = tree.locator('.el-tree-node__content', { has: page.locator(byTest(`org-node-${api.association.id}`)) })
    await assocRow.locator('.el-tree-node__expand-icon').click()
    await tree.locator(byTest(`org-node-${api.station.id}`)).click()
    await page.locator(byTest('org-detail-name')).getByText(api.station.name).waitFor()
    await page.locator(byTest('org-detail-hotlines')).getByText('028-82600000').waitFor()
    await shot(page, 'organizations-zh')
    await page.locator(byTest('lang-en')).first().click()
    await sentence.getByText('registered volunteer').waitFor()
    assert.match(await sentence.innerText(), /federation, \d+ township association/)
    await shot(page, 'organizations-en')
    await page.locator(byTest('lang-zh')).first().click()
    await sentence.getByText('注册志愿者').waitFor()
  })

  await step(t, 'dissolving an organisation with volunteers shows the refusal', async () => {
    await page.locator(byTest('org-dissolve')).click()
    await page.locator('.el-message-box__btns .el-button--danger, .el-message-box__btns .el-button--primary').first().click()
    const error = page.locator(byTest('org-action-error'))
    await error.waitFor()
    assert.match(await error.innerText(), /\S/)
    assert.match(await page.locator(byTest('org-detail-status')).innerText(), /正常/)
  })

  await step(t, 'someone registers on /join from a phone', async () => {
    const phoneContext = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
    })
    phoneContext.setDefaultTimeout(STEP_TIMEOUT)
    phoneContext.setDefaultNavigationTimeout(STEP_TIMEOUT)
    const phonePage = await phoneContext.newPage()
    phonePage.on('pageerror', (error) => pageErrors.push(String(error)))
    try {
      await phonePage.goto(base + '/join')
      const form = phonePage.locator(byTest('volunteer-form'))
      await form.waitFor()
      // no side menu on this page, and nothing wider than the phone
      assert.equal(await phonePage.locator(byTest('side-menu')).count(), 0)
      const width = await phonePage.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(width <= 390, `page is ${width}px wide`)
      // a child's number brings up the guardian section
      await inputOf(form, 'vol-id-number').fill(residentId(REGION, '20160301', 124))
      await form.locator(byTest('vol-guardian')).waitFor()
      const phoneNumber = mobile()
      const joinName = personName()
      await inputOf(form, 'vol-name').fill(joinName)
      await inputOf(form, 'vol-id-number').fill(residentId(REGION, '19970812', 200 + randomInt(700)))
      await form.locator(byTest('vol-id-ok')).waitFor()
      await form.locator(byTest('vol-guardian')).waitFor({ state: 'detached' })
      await inputOf(form, 'vol-phone').fill(phoneNumber)
      // a code typed by hand (the picker's fallback; tests/browser/regions.test.mjs picks)
      await form.locator(byTest('vol-region-mode')).click()
      await inputOf(form, 'vol-region-code').fill(REGION)
      await form.locator(byTest('vol-categories')).getByText('关爱儿童', { exact: true }).click()
      await inputOf(form, 'vol-password').fill('Join-Test-2026')
      await inputOf(form, 'vol-password2').fill('Join-Test-2026')
      await form.locator(byTest('vol-consent-notice')).click()
      await form.locator(byTest('vol-consent-sensitive')).click()
      await form.locator(`${byTest('vol-consent-sensitive')} input:checked`).waitFor({ state: 'attached' })
      assert.equal(await form.locator('.el-form-item.is-error').count(), 0, 'no field complains before submitting')
      await shot(phonePage, 'join-phone-form')
      await phonePage.locator(byTest('join-submit')).click()
      const number = phonePage.locator(byTest('join-number'))
      await number.waitFor()
      assert.match((await number.innerText()).trim(), /^\d{6,}$/)
      // the success page says exactly what to type to sign in: the phone number
      assert.equal((await phonePage.locator(byTest('join-login-name')).innerText()).trim(), phoneNumber)
      assert.match(await phonePage.locator(byTest('join-success')).innerText(), /在“用户名或手机号”一栏输入您的手机号/)
      await shot(phonePage, 'join-phone-done')
      // the login button leads to the login page with the phone filled in
      await phonePage.locator(byTest('join-login')).click()
      await phonePage.waitForURL((url) => url.pathname === '/login')
      assert.equal(await inputOf(phonePage, 'login-username').inputValue(), phoneNumber)
      await inputOf(phonePage, 'login-password').fill('Join-Test-2026')
      await phonePage.locator(byTest('login-submit')).click()
      await phonePage.waitForURL((url) => url.pathname !== '/login')
      await phonePage.goto(base + '/me/volunteer')
      await phonePage.locator(byTest('volunteer-name')).getByText(joinName).waitFor()
      await shot(phonePage, 'my-volunteer-phone')
    } finally {
      await withTimeout(phoneContext.close(), 5_000, 'phoneContext.close').catch(() => {})
    }
  })

  await step(t, 'an XLSX of three people is imported and the report shown', async () => {
    const header = ['姓名', '性别', '出生日期', '证件类型', '证件号码', '手机号', '居住地区划代码', '技能', '服务类别', '可服务时间', '学历', '工作单位', '紧急联系人', '紧急联系人电话']
    const people = ['19850302', '19921130', '20010708'].map((ymd) => {
      const id = residentId(REGION, ymd, randomInt(1000))
      const birth = `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6)}`
      return [personName(), Number(id[16]) % 2 ? '男' : '女', birth, '居民身份证', id, mobile(), REGION, '驾驶、急救', '应急救援;社会公益', '周末', '本科', '', '', '']
    })
    const file = xlsx([header, ...people])
    await page.goto(base + '/volunteers/import')
    await page.locator(byTest('import-org')).click()
    await page.locator('.import-org-popper .el-select-dropdown__item', { hasText: api.station.name }).click()
    await page.locator(byTest('import-file-input')).setInputFiles({
      name: 'volunteers.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: file,
    })
    await page.locator(byTest('import-file-name')).getByText('volunteers.xlsx').waitFor()
    await page.locator(byTest('import-submit')).click()
    const report = page.locator(byTest('import-report'))
    await report.waitFor({ timeout: 20_000 })
    const rejected = await page.locator(byTest('import-rejected')).innerText().catch(() => '')
    assert.equal((await report.locator(byTest('import-total')).innerText()).trim(), '3')
    assert.equal((await report.locator(byTest('import-imported')).innerText()).trim(), '3', `rejected rows: ${rejected}`)
    assert.equal((await report.locator(byTest('import-rejected-count')).innerText()).trim(), '0')
    await shot(page, 'volunteer-import')
  })

  await step(t, 'no uncaught errors in the pages', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
