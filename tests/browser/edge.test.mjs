// Browser test of issue 11 finding 3 (throttling behind a proxy) on a
// district of the demo's size (startDistrict: 341 organisations, 64,318
// volunteers). The server runs behind a "proxy" (--trusted-proxy 127.0.0.1;
// each browser context sends the X-Forwarded-For a proxy would add for
// it): someone guessing names on a phone is told to wait, in Chinese and
// then in English, while the admin, from another address behind the same
// proxy, signs in and finds both addresses in the audit log.
// Run from the repository root: node --test tests/browser/edge.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict } from '../lib/district.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, text, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const GUESSER = '203.0.113.50'
const ADMIN_AT = '198.51.100.60'
let srv = null
let base = ''
let browser = null
let page = null
const pageErrors = []
const step = steps('edge-', () => page)

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict({ args: ['--trusted-proxy', '127.0.0.1', '--address-free-failures', '3'] }), 120_000, 'startDistrict')
  base = srv.url
  browser = await launchBrowser()
})

after(() => closeSuite(browser, srv, 15_000))

async function pageFrom(address, { phone = false, locale = 'zh-CN' } = {}) {
  const context = await newContext(browser, { phone, locale, extraHTTPHeaders: { 'X-Forwarded-For': address } })
  await context.addInitScript((l) => window.localStorage.setItem('zhiyuan.locale', l), locale)
  page = await watchedPage(context, pageErrors)
  return page
}

async function tryLogin(p, username, password) {
  await inputOf(p, 'login-username').fill(username)
  await inputOf(p, 'login-password').fill(password)
  const answer = p.waitForResponse((r) => r.url().endsWith('/api/v1/sessions') && r.request().method() === 'POST')
  await p.locator(byTest('login-submit')).click()
  return (await answer).status()
}

// Tries wrong passwords until the server says wait (429). A block lasts
// from 1 s (doubling), so a slow page may find it over: that try fails
// (401), is counted, and the next one waits again.
async function untilWait(p, username) {
  const seen = []
  for (let i = 0; i < 3; i++) {
    const status = await tryLogin(p, username, 'not-the-password')
    seen.push(status)
    if (status === 429) return seen
    assert.equal(status, 401)
  }
  assert.fail(`never told to wait: ${seen}`)
}

test('a guesser behind the proxy waits; the admin behind the same proxy signs in', { timeout: 180_000 }, async (t) => {
  let guess
  await step(t, 'made-up names on a phone: three are wrong, the fourth is told to wait (Chinese)', async () => {
    guess = await pageFrom(GUESSER, { phone: true })
    await guess.goto(base + '/login')
    for (let i = 1; i <= 3; i++) {
      assert.equal(await tryLogin(guess, `guess-${i}-${Date.now() % 1000}`, 'not-the-password'), 401)
      await guess.locator(byTest('login-error')).waitFor()
    }
    await untilWait(guess, 'admin')
    const error = guess.locator(byTest('login-error'))
    await error.filter({ hasText: '登录失败次数过多' }).waitFor()
    assert.match(await text(error), /请在 \d+ 秒后重试/)
    const width = await guess.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 392, `the login page fits a 390 px phone (scrollWidth ${width})`)
    await shot(guess, 'edge-guesser-waits-zh')
  })
  await step(t, 'the same wait in English', async () => {
    const en = await pageFrom(GUESSER, { phone: true, locale: 'en' })
    await en.goto(base + '/login')
    await untilWait(en, 'guess-en')
    const error = en.locator(byTest('login-error'))
    await error.filter({ hasText: 'too many failed sign-ins' }).waitFor()
    assert.match(await text(error), /try again in \d+ s/i)
    await shot(en, 'edge-guesser-waits-en')
  })
  await step(t, 'the admin from another address behind the proxy signs in and sees both addresses in the audit log', async () => {
    const desk = await pageFrom(ADMIN_AT)
    await signIn(desk, base, 'admin', srv.adminPassword)
    await desk.goto(base + '/audit-log')
    const table = desk.locator(byTest('audit-table'))
    await table.locator('.el-table__row').first().waitFor()
    await table.locator('.el-table__row', { hasText: ADMIN_AT }).first().waitFor()
    await table.locator('.el-table__row', { hasText: GUESSER }).first().waitFor()
    assert.equal(await table.locator('.el-table__row', { hasText: '127.0.0.1' }).count(), 0,
      'no entry of this run carries the proxy\'s own address')
    await shot(desk, 'edge-audit-forwarded')
  })
  assert.deepEqual(pageErrors, [])
})
