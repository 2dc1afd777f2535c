// Browser test of the web console shell against the real server.
// Run from the repository root: node --test tests/browser/
// Needs build/zhiyuan (the server, which serves web/dist) and a built web/dist
// (cd web && npm ci && npm run build). Uses Debian's /usr/bin/chromium through
// playwright-core; no browser download is involved.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startServer } from '../lib/server.mjs'
import { ROOT, SHOTS, STEP_TIMEOUT, withTimeout, launchBrowser, shot as shotOf, byTest, inputOf, steps, watchedPage } from '../lib/browser.mjs'

let srv = null
let browser = null
let context = null
let page = null
const pageErrors = []

const shot = (name) => shotOf(page, name)
const step = steps('', () => page)

before(async () => {
  assert.ok(
    existsSync(join(ROOT, 'web', 'dist', 'index.html')),
    'web/dist is missing: run `npm ci && npm run build` in web/ first',
  )
  mkdirSync(SHOTS, { recursive: true })
  srv = await withTimeout(startServer({ backend: 'sqlite' }), 20_000, 'startServer')
  browser = await launchBrowser()
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
  context.setDefaultTimeout(STEP_TIMEOUT)
  context.setDefaultNavigationTimeout(STEP_TIMEOUT)
  page = await watchedPage(context, pageErrors)
})

after(async () => {
  if (browser) await withTimeout(browser.close(), 10_000, 'browser.close').catch(() => {})
  if (srv) await withTimeout(srv.stop(), 10_000, 'srv.stop').catch(() => {})
})

test('web console shell', { timeout: 80_000 }, async (t) => {
  await step(t, 'unauthenticated visit lands on the login page', async () => {
    await page.goto(srv.url + '/')
    await page.waitForURL((url) => url.pathname === '/login')
    await inputOf(page, 'login-username').waitFor()
    assert.match(await page.locator(byTest('login-submit')).innerText(), /登录/)
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
    await shot('login')
  })

  await step(t, 'a wrong password shows the server message', async () => {
    await inputOf(page, 'login-username').fill('admin')
    await inputOf(page, 'login-password').fill('definitely-not-the-password')
    await page.locator(byTest('login-submit')).click()
    const alert = page.locator(byTest('login-error'))
    await alert.waitFor()
    const text = (await alert.innerText()).trim()
    assert.ok(/[\u4e00-\u9fff]/.test(text), `expected a Chinese error message, got: ${text}`)
    assert.equal(new URL(page.url()).pathname, '/login')
  })

  await step(t, 'admin logs in through the login page', async () => {
    await inputOf(page, 'login-username').fill('admin')
    await inputOf(page, 'login-password').fill(srv.adminPassword)
    await page.locator(byTest('login-submit')).click()
    await page.waitForURL((url) => url.pathname === '/')
    await page.locator(byTest('home-welcome')).waitFor()
    assert.match(await page.locator(byTest('nav-users')).innerText(), /用户管理/)
    assert.match(await page.locator(byTest('nav-audit')).innerText(), /审计日志/)
    assert.match(await page.locator(byTest('nav-home')).innerText(), /首页/)
    assert.match(await page.locator(byTest('nav-tokens')).innerText(), /API 令牌/)
    assert.match(await page.locator(byTest('home-profile')).innerText(), /管理员/)
    assert.match(await page.locator(byTest('user-menu')).innerText(), /\S/)
    await shot('home-zh')
  })

  await step(t, 'switching to English changes the UI and survives a reload', async () => {
    await page.locator(byTest('lang-en')).first().click()
    await page.locator(byTest('nav-users')).getByText('Users', { exact: true }).waitFor()
    assert.match(await page.locator(byTest('nav-audit')).innerText(), /Audit log/)
    assert.match(await page.locator(byTest('home-welcome')).innerText(), /Welcome/)
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
    await shot('home-en')
    // The session is restored from GET /api/v1/me and the language from localStorage.
    await page.reload()
    await page.locator(byTest('nav-users')).getByText('Users', { exact: true }).waitFor()
    assert.equal(new URL(page.url()).pathname, '/')
  })

  await step(t, 'switching back to Chinese', async () => {
    await page.locator(byTest('lang-zh')).first().click()
    await page.locator(byTest('nav-users')).getByText('用户管理', { exact: true }).waitFor()
    assert.match(await page.locator(byTest('home-welcome')).innerText(), /欢迎/)
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
  })

  const username = `bt_${Date.now().toString(36)}`

  await step(t, 'admin creates a user through the dialog', async () => {
    await page.locator(byTest('nav-users')).click()
    await page.waitForURL((url) => url.pathname === '/users')
    const table = page.locator(byTest('users-table'))
    await table.getByText('admin', { exact: true }).first().waitFor()

    await page.locator(byTest('users-new')).click()
    const dialog = page.locator(byTest('user-create-dialog'))
    await dialog.waitFor()
    await inputOf(dialog, 'user-form-username').fill(username)
    await inputOf(dialog, 'user-form-display-name').fill('浏览器测试')
    await inputOf(dialog, 'user-form-phone').fill('13912345678')
    await inputOf(dialog, 'user-form-password').fill('Browser-Test-2026')

    await dialog.locator(byTest('user-form-roles')).click()
    const rolesPopper = page.locator('.user-form-roles-popper')
    await rolesPopper.getByText('志愿者', { exact: true }).click()
    await page.keyboard.press('Escape').catch(() => {})
    // Escape may close the popper only; make sure the dialog is still open.
    await dialog.waitFor()

    await dialog.locator(byTest('user-form-org')).click()
    const orgPopper = page.locator('.user-form-org-popper')
    await orgPopper.locator('.el-select-dropdown__item').first().click()

    await dialog.locator(byTest('user-form-submit')).click()
    await dialog.waitFor({ state: 'hidden' })
    const row = page.locator(byTest(`user-row-${username}`))
    await table.locator(byTest(`user-row-${username}`)).waitFor()
    const rowText = await table.locator('tr', { has: row }).first().innerText()
    assert.match(rowText, /浏览器测试/)
    assert.match(rowText, /志愿者/)
    await shot('users')
  })

  await step(t, 'the audit log lists entries', async () => {
    await page.locator(byTest('nav-audit')).click()
    await page.waitForURL((url) => url.pathname === '/audit-log')
    const table = page.locator(byTest('audit-table'))
    await table.locator('.el-table__body tr').first().waitFor()
    const rows = await table.locator('.el-table__body tr').count()
    assert.ok(rows > 0, 'expected at least one audit entry')
    // Let the "user created" toast fade so the screenshot shows the page only.
    await page.locator('.el-message').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => {})
    await shot('audit-log')
  })

  const tokenName = `浏览器令牌-${Date.now().toString(36)}`

  await step(t, 'an API token is created, shown once, listed and revoked', async () => {
    await page.locator(byTest('nav-tokens')).click()
    await page.waitForURL((url) => url.pathname === '/tokens')
    await page.locator(byTest('token-new')).click()
    const dialog = page.locator(byTest('token-create-dialog'))
    await dialog.waitFor()
    await inputOf(dialog, 'token-name').fill(tokenName)
    await dialog.locator(byTest('token-create-submit')).click()
    const result = page.locator(byTest('token-result-dialog'))
    await result.waitFor()
    const token = await inputOf(result, 'token-value').inputValue()
    assert.match(token, /^zy_[A-Za-z0-9_-]{43}$/)
    // the token works as a bearer credential
    const me = await fetch(srv.url + '/api/v1/me', { headers: { Authorization: 'Bearer ' + token } })
    assert.equal(me.status, 200)
    await result.locator(byTest('token-result-close')).click()
    await result.waitFor({ state: 'hidden' })
    const table = page.locator(byTest('tokens-table'))
    const row = table.locator('.el-table__body tr', { hasText: tokenName })
    await row.waitFor()
    assert.ok(!(await table.innerText()).includes(token), 'the list never shows the secret')
    await shot('tokens')
    await row.locator('[data-test^="token-revoke-"]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await row.waitFor({ state: 'detached' })
    const after = await fetch(srv.url + '/api/v1/me', { headers: { Authorization: 'Bearer ' + token } })
    assert.equal(after.status, 401)
  })

  const newPassword = 'Changed-In-Browser-1'

  await step(t, 'the password is changed from the user menu', async () => {
    await page.locator(byTest('user-menu')).click()
    await page.locator(byTest('menu-change-password')).click()
    const dialog = page.locator(byTest('password-dialog'))
    await dialog.waitFor()
    await inputOf(dialog, 'password-old').fill(srv.adminPassword)
    await inputOf(dialog, 'password-new').fill(newPassword)
    await inputOf(dialog, 'password-confirm').fill(newPassword)
    await dialog.locator(byTest('password-submit')).click()
    await dialog.waitFor({ state: 'hidden' })
    const old = await fetch(srv.url + '/api/v1/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: srv.adminPassword }),
    })
    assert.equal(old.status, 401, 'the old password no longer works')
  })

  await step(t, 'logging out lands on the login page', async () => {
    await page.locator(byTest('user-menu')).click()
    await page.locator(byTest('menu-logout')).click()
    await page.waitForURL((url) => url.pathname === '/login')
    await page.locator(byTest('login-submit')).waitFor()
    // The server-side session is gone: a fresh load stays on the login page.
    await page.goto(srv.url + '/users')
    await page.waitForURL((url) => url.pathname === '/login')
    await page.locator(byTest('login-submit')).waitFor()
    // and the new password signs in through the page
    await inputOf(page, 'login-username').fill('admin')
    await inputOf(page, 'login-password').fill(newPassword)
    await page.locator(byTest('login-submit')).click()
    await page.waitForURL((url) => url.pathname !== '/login')
    await page.locator(byTest('side-menu')).waitFor()
  })

  await step(t, 'no uncaught errors in the page', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
