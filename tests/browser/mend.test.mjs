// Browser test of the regions and trainings pages (issue 11 §3 "untested
// surface") on a district of the demo's size (startDistrict: 341
// organisations, 64,318 volunteers): the root admin finds a town, sets its
// household population, adds a community under it by drilling down, and on
// the trainings page creates a session and records who attended; each
// change is read back through the API. Chinese first, then English.
// Run from the repository root: node --test tests/browser/mend.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict } from '../lib/district.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, text, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

let srv = null
let browser = null
let desk = null
let page = null
let api = null
const pageErrors = []
const step = steps('mend-', () => page)
const TOWN = '510115001000'
const NEW_CODE = '510115001199'

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  api = new Client(srv.url)
  await api.login('admin', srv.adminPassword)
  browser = await launchBrowser()
  desk = await newContext(browser)
  page = await watchedPage(desk, pageErrors)
})

after(async () => {
  await closeSuite(browser, srv)
})

async function english(on) {
  await page.evaluate((l) => window.localStorage.setItem('zhiyuan.locale', l), on ? 'en' : 'zh-CN')
  await page.reload()
}

test('regions and trainings pages', { timeout: 240_000 }, async (t) => {
  await step(t, 'the regions page finds a town and shows its detail', async () => {
    await signIn(page, srv.url, 'admin', srv.adminPassword)
    await page.locator(byTest('nav-regions')).click()
    await page.waitForURL((url) => url.pathname === '/regions')
    assert.equal(await text(page.locator('h1')), '行政区划')
    await inputOf(page, 'regions-search').fill('柳城街道')
    await inputOf(page, 'regions-search').press('Enter')
    const row = page.locator(byTest('regions-table')).locator('tr', { hasText: TOWN })
    await row.waitFor()
    await row.click()
    const detail = page.locator(byTest('region-detail'))
    await detail.locator('h2', { hasText: '柳城街道' }).waitFor()
    assert.match(await text(detail), new RegExp(TOWN))
    // the shipped population of 2015 is listed
    await detail.locator(byTest('region-population-table')).locator('tr', { hasText: '2015' }).waitFor()
    await shot(page, 'mend-regions-town')
  })

  await step(t, 'the household population of a year is set from the page', async () => {
    const before = (await api.get(`/api/v1/regions/${TOWN}`)).json
    await page.locator(byTest('region-population')).click()
    const dialog = page.locator(byTest('region-population-dialog'))
    await dialog.waitFor()
    const year = dialog.locator('input').first()
    await year.fill('2026')
    await inputOf(dialog, 'region-population-value').fill('80000')
    await dialog.locator(byTest('region-population-submit')).click()
    await dialog.waitFor({ state: 'hidden' })
    const table = page.locator(byTest('region-detail')).locator(byTest('region-population-table'))
    await table.locator('tr', { hasText: '2026' }).waitFor()
    const after = (await api.get(`/api/v1/regions/${TOWN}`)).json
    assert.deepEqual([after.household_population, after.population_year], [80000, 2026])
    assert.equal(after.volunteers, before.volunteers, 'only the population changed')
    assert.deepEqual(after.population.map((p) => [p.year, p.household_population]).sort(),
      [...before.population.map((p) => [p.year, p.household_population]), [2026, 80000]].sort())
  })

  await step(t, 'a community is added under the town by drilling down to it', async () => {
    assert.equal((await api.get(`/api/v1/regions/${NEW_CODE}`)).status, 404, 'the code is free in the demo')
    await page.goto(srv.url + '/regions')
    for (const code of ['510000000000', '510100000000', '510115000000', TOWN]) {
      await page.locator(byTest(`region-drill-${code}`)).click()
      await page.locator(byTest('regions-table')).locator('tr', { hasText: code === TOWN ? '510115001001' : '' }).first().waitFor()
    }
    assert.match(await text(page.locator(byTest('regions-trail'))), /柳城街道/)
    await page.locator(byTest('regions-new')).click()
    const dialog = page.locator(byTest('region-form-dialog'))
    await dialog.waitFor()
    assert.equal(await inputOf(dialog, 'region-form-parent').inputValue(), TOWN, 'the town drilled into is the parent')
    await inputOf(dialog, 'region-form-code').fill(NEW_CODE)
    await inputOf(dialog, 'region-form-name').fill('页面新社区')
    await dialog.locator(byTest('region-form-submit')).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator(byTest('regions-table')).locator('tr', { hasText: '页面新社区' }).waitFor()
    const made = (await api.get(`/api/v1/regions/${NEW_CODE}`)).json
    assert.deepEqual([made.name, made.parent_code, made.level], ['页面新社区', TOWN, 5])
    await shot(page, 'mend-regions-new')
  })

  await step(t, 'the regions page in English', async () => {
    await english(true)
    try {
      await page.locator(byTest('regions-page')).waitFor()
      assert.equal(await text(page.locator('h1')), 'Administrative regions')
      assert.equal(await inputOf(page, 'regions-search').getAttribute('placeholder'), 'Search by name or code')
    } finally {
      await english(false)
    }
  })

  let training = null
  await step(t, 'a training session is created on the trainings page', async () => {
    await page.locator(byTest('nav-trainings')).click()
    await page.waitForURL((url) => url.pathname === '/trainings')
    assert.equal(await text(page.locator('h1')), '培训')
    const chinaDay = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)
    const dayBefore = chinaDay()
    await page.locator(byTest('training-new')).click()
    const dialog = page.locator(byTest('training-dialog'))
    await dialog.waitFor()
    await inputOf(dialog, 'training-name').fill('页面急救培训')
    await dialog.locator(`textarea${byTest('training-content')}, ${byTest('training-content')} textarea`).first().fill('心肺复苏与止血包扎')
    await inputOf(dialog, 'training-minutes').fill('90')
    await dialog.locator(byTest('training-save')).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator(byTest('trainings-table')).locator('tr', { hasText: '页面急救培训' }).waitFor()
    const list = (await api.get('/api/v1/trainings?limit=5')).json.items
    training = list.find((x) => x.name === '页面急救培训')
    assert.ok(training, 'saved')
    const me = (await api.get('/api/v1/me')).json
    assert.deepEqual([training.content, training.study_minutes, training.org_id, training.attendees],
      ['心肺复苏与止血包扎', 90, me.org_id, 0])
    // the page offers the China day it runs on (the next one if midnight fell meanwhile)
    assert.ok([dayBefore, chinaDay()].includes(training.held_on), training.held_on)
  })

  await step(t, 'who attended is picked by volunteer number and counted', async () => {
    const v = (await api.get('/api/v1/volunteers?limit=1')).json.items[0]
    await page.locator(byTest(`training-attend-${training.id}`)).click()
    const dialog = page.locator(byTest('attend-dialog'))
    await dialog.waitFor()
    await inputOf(dialog, 'attend-search').fill(v.volunteer_number)
    await page.locator(byTest(`attend-search-option-${v.id}`)).click()
    await dialog.locator(byTest('attend-save')).click()
    await dialog.waitFor({ state: 'hidden' })
    assert.equal(await text(page.locator(byTest(`training-attendees-${training.id}`))), '1')
    assert.equal((await api.get(`/api/v1/trainings/${training.id}`)).json.attendees, 1)
    const arc = (await api.get(`/api/v1/volunteers/${v.id}/archive`)).json
    assert.ok(arc.training.some((x) => x.name === '页面急救培训'), 'in the volunteer\'s file')
    await shot(page, 'mend-trainings')
  })

  await step(t, 'the trainings page in English', async () => {
    await english(true)
    try {
      await page.locator(byTest('trainings-page')).waitFor()
      assert.equal(await text(page.locator('h1')), 'Training')
      await page.locator(byTest('trainings-table')).locator('tr', { hasText: '页面急救培训' }).waitFor()
    } finally {
      await english(false)
    }
  })

  await step(t, 'no uncaught errors in the pages', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
