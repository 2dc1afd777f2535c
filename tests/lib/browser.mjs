// What the browser tests share: playwright-core from web/node_modules
// driving Debian's chromium (never a downloaded browser), time limits,
// screenshots under build/screenshots, and steps that stop at the first
// failure so a broken build fails fast instead of timing out step by step.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const requireFromWeb = createRequire(new URL('../../web/package.json', import.meta.url))
const { chromium } = requireFromWeb('playwright-core')

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const SHOTS = join(ROOT, 'build', 'screenshots')
export const STEP_TIMEOUT = 10_000

/** Rejects when a promise takes longer than ms (where no API timeout exists). */
export function withTimeout(promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/** Headless chromium with the flags this machine needs (no background networking). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    timeout: 15_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/**
 * A browser context with the suites' time limits, in China time and
 * Simplified Chinese: the console on a desktop screen, or a volunteer's
 * phone (390×844, touch) with { phone: true }. Other options pass through.
 */
export async function newContext(browser, { phone = false, ...options } = {}) {
  const screen = phone
    ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
    : { viewport: { width: 1366, height: 900 } }
  const context = await browser.newContext({ ...screen, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options })
  context.setDefaultTimeout(STEP_TIMEOUT)
  context.setDefaultNavigationTimeout(STEP_TIMEOUT)
  return context
}

/** A full-page screenshot of page as build/screenshots/NAME.png. */
export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, timeout: STEP_TIMEOUT })
}

export const byTest = (id) => `[data-test="${id}"]`
// Element Plus puts extra attributes either on the <input> or on its wrapper.
export const inputOf = (scope, id) => scope.locator(`input${byTest(id)}, ${byTest(id)} input`).first()
// The visible text of an element, trimmed.
export const text = async (locator) => (await locator.innerText()).trim()

/** Signs page in at base as username (after dropping its cookies) and waits to leave /login. */
export async function signIn(page, base, username, password) {
  await page.context().clearCookies()
  await page.goto(base + '/login')
  await inputOf(page, 'login-username').fill(username)
  await inputOf(page, 'login-password').fill(password)
  await page.locator(byTest('login-submit')).click()
  await page.waitForURL((url) => url.pathname !== '/login')
}

/**
 * A step function for one test file: steps run in order on one page; after
 * a failure the rest are skipped, and the failing page is saved as
 * build/screenshots/failed-PREFIXslug.png.
 */
export function steps(prefix, currentPage) {
  let broken = false
  return function step(t, name, fn) {
    return t.test(name, async (st) => {
      if (broken) {
        st.skip('an earlier step failed')
        return
      }
      try {
        await fn()
      } catch (error) {
        broken = true
        const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()
        await currentPage()?.screenshot({ path: join(SHOTS, `failed-${prefix}${slug}.png`), timeout: 5_000 }).catch(() => {})
        throw error
      }
    })
  }
}
