// Browser test of issue 11 §1 findings 2 and 6 on a district of the demo's
// size: a clerk of a station changes their password from the user menu on a
// phone (Chinese). A weak password is refused with the reason under the
// field; a good one is taken, and the message says how many API tokens the
// change revoked, after which the token made before really stops working.
// Then a recorder on a desktop in English sees the English reason.
// Everyone is synthetic.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict } from '../lib/district.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, signIn, steps, needWebBuild, closeSuite } from '../lib/browser.mjs'

let srv = null
let base = ''
let browser = null
let page = null
const step = steps('accounts-', () => page)
const suffix = Date.now().toString(36).slice(-5)
const CLERK = { username: `acc_clerk_${suffix}`, password: 'Harbor-lamp-2026' }
const RECORDER = { username: `acc_rec_${suffix}`, password: 'Willow-gate-2026' }
const data = { token: null }

async function openPasswordDialog(p) {
  await p.locator(byTest('user-menu')).click()
  await p.locator(byTest('menu-change-password')).click()
  await p.locator(byTest('password-dialog')).waitFor()
}

async function fillPasswords(p, oldPw, newPw) {
  await inputOf(p, 'password-old').fill(oldPw)
  await inputOf(p, 'password-new').fill(newPw)
  await inputOf(p, 'password-confirm').fill(newPw)
  await p.locator(byTest('password-submit')).click()
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  base = srv.url
  const root = new Client(base)
  await root.login('admin', srv.adminPassword)
  const orgs = (await root.get('/api/v1/organizations?limit=200')).json.items
  const station = orgs.find((o) => o.kind === 'station')
  assert.ok(station, 'a station of the district')
  for (const [who, roles] of [[CLERK, ['clerk']], [RECORDER, ['recorder']]]) {
    const r = await root.post('/api/v1/users', { username: who.username, password: who.password, roles, org_id: station.id })
    assert.equal(r.status, 201, r.text)
  }
  const clerk = new Client(base)
  await clerk.login(CLERK.username, CLERK.password)
  data.token = (await clerk.post('/api/v1/tokens', { name: 'counter scanner' })).json.token
  assert.ok(data.token)
  browser = await launchBrowser()
})
after(() => closeSuite(browser, srv))

test('a password change on a phone refuses a weak one and revokes the API tokens', { timeout: 120_000 }, async (t) => {
  const phone = await newContext(browser, { phone: true })
  const desk = await newContext(browser)
  try {
    page = await phone.newPage()
    await step(t, '中文：弱密码被拒绝并说明原因，字段下提示规则', async () => {
      await signIn(page, base, CLERK.username, CLERK.password)
      await openPasswordDialog(page)
      assert.match(await page.locator(byTest('password-hint')).innerText(), /常用密码/)
      await fillPasswords(page, CLERK.password, 'password')
      const err = page.locator(`${byTest('password-dialog')} .el-form-item__error`).first()
      await err.waitFor()
      assert.match(await err.innerText(), /密码太常见/)
      await shot(page, 'accounts-weak-zh-phone')
      const bearer = new Client(base)
      bearer.bearer = data.token
      assert.equal((await bearer.get('/api/v1/me')).status, 200, 'nothing changed: the token still works')
    })
    await step(t, '中文：合格的新密码生效，提示已作废的 API 令牌数，令牌随即失效', async () => {
      await fillPasswords(page, CLERK.password, 'Quiet-orchard-58')
      const msg = page.locator('.el-message--success')
      await msg.waitFor()
      assert.match(await msg.innerText(), /1 个 API 令牌已作废/)
      await shot(page, 'accounts-changed-zh-phone')
      const bearer = new Client(base)
      bearer.bearer = data.token
      assert.equal((await bearer.get('/api/v1/me')).status, 401)
      await new Client(base).login(CLERK.username, 'Quiet-orchard-58')
    })
    page = await desk.newPage()
    await step(t, 'English: the reason of a simple password', async () => {
      await page.goto(base + '/login')
      await page.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
      await signIn(page, base, RECORDER.username, RECORDER.password)
      await openPasswordDialog(page)
      assert.match(await page.locator(byTest('password-hint')).innerText(), /common password/)
      await fillPasswords(page, RECORDER.password, '12345678')
      const err = page.locator(`${byTest('password-dialog')} .el-form-item__error`).first()
      await err.waitFor()
      assert.match(await err.innerText(), /too simple/)
      await shot(page, 'accounts-weak-en-desk')
      await new Client(base).login(RECORDER.username, RECORDER.password)
    })
  } finally {
    await phone.close()
    await desk.close()
  }
})
