// Browser test of the menu's published documents (issue 13 §1) on a
// district of the demo's size (startDistrict: 341 organisations, 64,318
// volunteers, the example menu of 93 sub-items and 39 hotlines): a
// resident on a phone downloads the handbook 《志愿服务手册》 and the
// open-data package from the public menu page, in Chinese and in English;
// the staff's menu editor offers the same downloads.
// Run from the repository root: node --test tests/browser/handbook.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { startDistrict } from '../lib/district.mjs'
import { unzip } from '../lib/unzip.mjs'
import { launchBrowser, newContext, shot, byTest, text, steps, signIn, needWebBuild, closeSuite, watchedPage, STEP_TIMEOUT } from '../lib/browser.mjs'

let srv = null
let base = ''
let browser = null
let page = null
const pageErrors = []
const step = steps('handbook-', () => page)

before(async () => {
  needWebBuild()
  srv = await startDistrict()
  base = srv.url
  browser = await launchBrowser()
})
after(async () => { await closeSuite(browser, srv) })

/** Clicks the link and returns the downloaded file's name and bytes. */
async function download(locator) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: STEP_TIMEOUT }), locator.click()])
  const path = await dl.path()
  return { name: dl.suggestedFilename(), body: readFileSync(path) }
}

test('a resident downloads the handbook and the open data from the public menu on a phone', { timeout: 60_000 }, async (t) => {
  const context = await newContext(browser, { phone: true, acceptDownloads: true })
  page = await watchedPage(context, pageErrors)

  await step(t, 'the public menu shows the downloads, within the phone width', async () => {
    await page.goto(base + '/menu')
    const box = page.locator(byTest('menu-downloads'))
    await box.waitFor()
    assert.equal(await text(page.locator(byTest('menu-handbook-download'))), '下载《志愿服务手册》')
    assert.equal(await text(page.locator(byTest('menu-hsds-download'))), '下载开放数据包')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`)
    await shot(page, 'handbook-phone-zh')
  })

  await step(t, 'the handbook: a PDF with the contents and every category', async () => {
    const { name, body } = await download(page.locator(byTest('menu-handbook-download')))
    assert.match(name, /\.pdf$/)
    assert.equal(body.subarray(0, 5).toString(), '%PDF-')
    const info = spawnSync('pdfinfo', ['-'], { input: body, encoding: 'utf8' })
    assert.equal(info.status, 0, `pdfinfo (poppler-utils) is needed: ${info.error || info.stderr}`)
    const pages = Number(/Pages:\s+(\d+)/.exec(info.stdout)[1])
    assert.ok(pages > 10, `${pages} pages for 93 sub-items`)
    const toc = spawnSync('pdftotext', ['-layout', '-f', '2', '-l', '2', '-', '-'], { input: body, encoding: 'utf8' }).stdout
    const menu = (await (await fetch(base + '/api/v1/public/menu')).json()).items
    assert.ok(menu.length >= 2)
    for (const category of menu)
      assert.match(toc, new RegExp(`、${category.name}\\s+\\d+`), `${category.name} is in the contents`)
    assert.match(toc, /服务热线\s+\d+/)
  })

  await step(t, 'the open data: an HSDS package with one service per sub-item', async () => {
    const { name, body } = await download(page.locator(byTest('menu-hsds-download')))
    assert.match(name, /\.zip$/)
    const files = unzip(body)
    const desc = JSON.parse(files['datapackage.json'].toString('utf8'))
    assert.equal(desc.profile, 'tabular-data-package')
    const menu = (await (await fetch(base + '/api/v1/public/menu')).json())
    let subs = 0
    for (const c of menu.items) for (const i of c.children || []) subs += (i.children || []).length
    const services = files['services.csv'].toString('utf8').trim().split('\r\n')
    assert.equal(services.length - 1, subs, 'one service per sub-item on the public menu')
    const phones = files['phones.csv'].toString('utf8').trim().split('\r\n')
    assert.equal(phones.length - 1, menu.hotlines.length, 'one phone per hotline')
  })

  await step(t, 'in English the same downloads', async () => {
    await page.evaluate(() => window.localStorage.setItem('zhiyuan.locale', 'en'))
    await page.reload()
    await page.locator(byTest('menu-downloads')).waitFor()
    assert.equal(await text(page.locator(byTest('menu-handbook-download'))), 'Download the service handbook')
    assert.equal(await text(page.locator(byTest('menu-hsds-download'))), 'Download the open-data package')
    await shot(page, 'handbook-phone-en')
  })
  await context.close()
})

test('the staff menu editor offers the same downloads', { timeout: 30_000 }, async (t) => {
  const context = await newContext(browser)
  page = await watchedPage(context, pageErrors)
  await step(t, 'the editor shows both links to the public documents', async () => {
    await signIn(page, base, 'admin', srv.adminPassword)
    await page.goto(base + '/menu-editor')
    const box = page.locator(byTest('menu-downloads'))
    await box.waitFor()
    assert.equal(await page.locator(byTest('menu-handbook-download')).getAttribute('href'), '/api/v1/public/menu/handbook.pdf')
    assert.equal(await page.locator(byTest('menu-hsds-download')).getAttribute('href'), '/api/v1/public/menu/hsds.zip')
    await shot(page, 'handbook-editor')
  })
  await context.close()
})

test('no page error on the way', () => {
  assert.deepEqual(pageErrors, [])
})
