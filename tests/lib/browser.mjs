// What the browser tests share: playwright-core from web/node_modules
// driving Debian's chromium (never a downloaded browser), time limits,
// screenshots under build/screenshots, and steps that stop at the first
// failure so a broken build fails fast instead of timing out step by step.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
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

/** A suite's first check: the console is built; screenshots have a folder. */
export function needWebBuild() {
  assert.ok(existsSync(join(ROOT, 'web', 'dist', 'index.html')), 'web/dist is missing: run `make web` first')
  mkdirSync(SHOTS, { recursive: true })
}

/** A suite's after(): closes the browser and stops the server, either of
 * which may not have started; a server that will not stop is killed. */
export async function closeSuite(browser, srv, stopMs = 10_000) {
  if (browser) await withTimeout(browser.close(), 10_000, 'browser.close').catch(() => {})
  if (srv) await withTimeout(srv.stop(), stopMs, 'srv.stop').catch(() => srv.child.kill('SIGKILL'))
}

/** A new page of context whose script errors are collected in errors. */
export async function watchedPage(context, errors) {
  const page = await context.newPage()
  page.on('pageerror', (error) => errors.push(String(error)))
  return page
}

/**
 * Headless chromium with the flags this machine needs (no background
 * networking). Every page of every context it opens is watched for raw
 * message keys (see rawKeys): steps() checks the open pages after each
 * step, and a page is checked as it is closed.
 */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    timeout: 15_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const newContextOf = browser.newContext.bind(browser)
  browser.newContext = async (...args) => {
    const context = await newContextOf(...args)
    watchedContexts.add(context)
    context.on('close', () => watchedContexts.delete(context))
    context.on('page', watchPage)
    // pages that go with their context are checked first, as on page.close()
    const closeContext = context.close.bind(context)
    context.close = async (...rest) => {
      for (const page of context.pages()) await noteFindings(page)
      return closeContext(...rest)
    }
    return context
  }
  return browser
}

// ---- raw message keys on screen ----------------------------------------
// A missing translation shows its key ("points.cause.voucher", "quality.2").
// Every visible text node, placeholder, title and aria-label of a page is
// searched for words of that shape. Not keys: addresses and file names
// (preceded by / @ - or ending in a domain or file extension), numbers,
// one-letter abbreviations (e.g.), and text marked as code (.zy-mono,
// code, pre, kbd) or opted out with data-keyscan="off".
const watchedContexts = new Set()
const closedPageFindings = []

async function noteFindings(page) {
  if (page.isClosed()) return
  const found = await rawKeys(page).catch(() => [])
  if (found.length) closedPageFindings.push(`${page.url()}: ${found.join(', ')}`)
}

function watchPage(page) {
  const close = page.close.bind(page)
  page.close = async (...args) => {
    await noteFindings(page)
    return close(...args)
  }
}

/** The strings on page that look like message keys (visible text only). */
export async function rawKeys(page) {
  return page.evaluate(() => {
    const KEY = /(?<![\w./@:\-])[a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+(?![\w/@\-]|\.[A-Za-z0-9])/g
    const NOT_KEY = /\.(csv|xlsx?|pdf|png|jpe?g|svg|json|js|mjs|txt|zip|html?|com|cn|net|org|gov|edu|io|local)$/i
    const SKIP = '.zy-mono, code, pre, kbd, script, style, noscript, [data-keyscan="off"]'
    const found = new Set()
    const scan = (text) => {
      for (const m of String(text || '').matchAll(KEY)) {
        const word = m[0]
        if (!/^[a-z][a-zA-Z]+\./.test(word) || NOT_KEY.test(word)) continue
        found.add(word)
      }
    }
    const visible = (el) => el && (typeof el.checkVisibility !== 'function' || el.checkVisibility({ visibilityProperty: true }))
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement
      if (!el || el.closest(SKIP) || !visible(el)) continue
      scan(node.nodeValue)
    }
    for (const el of document.body.querySelectorAll('[placeholder], [title], [aria-label]')) {
      if (el.closest(SKIP) || !visible(el)) continue
      for (const a of ['placeholder', 'title', 'aria-label']) scan(el.getAttribute(a))
    }
    scan(document.title)
    return [...found].sort()
  })
}

/** Fails when page shows a string that looks like a message key. */
export async function expectNoRawKeys(page) {
  let found = []
  for (let attempt = 0; ; attempt++) {
    try {
      found = await rawKeys(page)
      break
    } catch (error) {
      // a navigation replaced the document mid-scan: scan the new one
      if (attempt >= 2 || page.isClosed()) return
      await page.waitForLoadState('domcontentloaded').catch(() => {})
    }
  }
  if (found.length) throw new Error(`raw message keys on ${page.url()}: ${found.join(', ')}`)
}

/** Checks every open page of the watched contexts, and those closed since the last check. */
export async function expectNoRawKeysAnywhere() {
  const closed = closedPageFindings.splice(0)
  if (closed.length) throw new Error(`raw message keys on a page before it closed: ${closed.join('; ')}`)
  for (const context of watchedContexts) {
    for (const page of context.pages()) if (!page.isClosed()) await expectNoRawKeys(page)
  }
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
 * build/screenshots/failed-PREFIXslug.png. After each step every open page
 * is checked for raw message keys (expectNoRawKeysAnywhere).
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
        await expectNoRawKeysAnywhere()
      } catch (error) {
        broken = true
        const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()
        await currentPage()?.screenshot({ path: join(SHOTS, `failed-${prefix}${slug}.png`), timeout: 5_000 }).catch(() => {})
        throw error
      }
    })
  }
}
