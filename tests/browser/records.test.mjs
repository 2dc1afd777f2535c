// Browser test of the service-record pages against the real server: batch
// entry by a recorder, approval by an admin, the archive, and a
// certificate, its PDF and the public check.
// Run from the repository root: node --test tests/browser/
// Needs build/zhiyuan and a built web/dist. Uses Debian's /usr/bin/chromium
// through playwright-core; no browser download is involved.
//
// Everyone here is synthetic: resident ID numbers carry a valid GB 11643
// check digit for made-up people (region 510115).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { spawnSync } from 'node:child_process'
import { startServer } from '../lib/server.mjs'
import { residentId } from '../lib/ids.mjs'
import { Client } from '../lib/client.mjs'
import { branch } from '../lib/fixtures.mjs'
import { STEP_TIMEOUT, withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const RECORDER = { username: 'rec_ui', password: 'recorder-ui-1' }

let srv = null
let base = ''
let adminPassword = ''
let browser = null
let context = null
let page = null
const pageErrors = []
const data = { client: null, station: null, volunteers: [] }

// "YYYY-MM-DD HH:mm" in China time, days from today at the given hour.
function chinaDateTime(daysFromToday, hour) {
  const now = new Date(Date.now() + 8 * 3600 * 1000)
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + daysFromToday, hour, 0))
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`
}

// ---- harness ---------------------------------------------------------------
const step = steps('records-', () => page)

// A station, a recorder working there and three volunteers, through the API.
async function prepare() {
  const client = new Client(base)
  await client.login('admin', adminPassword)
  data.client = client

  const suffix = Date.now().toString(36).slice(-4)
  const { station } = await branch(client, { association: `柳城街道志愿服务协会${suffix}`, station: `光华社区工作站${suffix}`, town: '510115001' })
  data.station = station
  const user = await client.post('/api/v1/users', { ...RECORDER, display_name: '记录员小王', roles: ['recorder'], org_id: station.id })
  assert.equal(user.status, 201, `create recorder: ${user.text}`)
  const people = [
    ['司马明远', '19850304', 21],
    ['欧阳晓雯', '19920611', 22],
    ['上官云飞', '19780923', 23],
  ]
  for (const [i, [name, birth, seq]] of people.entries()) {
    const v = await client.post('/api/v1/volunteers', {
      name,
      id_type: 'resident_id',
      id_number: residentId('510115', birth, seq),
      phone: `1371234560${i}`,
      region_code: '510115001001',
      org_id: station.id,
      consent: { sensitive: true, notice_version: '2026-11' },
    })
    assert.equal(v.status, 201, `create volunteer: ${v.text}`)
    data.volunteers.push(v.json)
  }
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startServer({ backend: 'sqlite', args: ['--public-url', 'https://zhiyuan.example.cn'] }), 20_000, 'startServer')
  base = srv.url
  adminPassword = srv.adminPassword
  await withTimeout(prepare(), 20_000, 'prepare')
  browser = await launchBrowser()
  context = await newContext(browser, { acceptDownloads: false })
  page = await watchedPage(context, pageErrors)
})

after(() => closeSuite(browser, srv))

async function signInHome(username, password) {
  await signIn(page, base, username, password)
  await page.waitForURL((url) => url.pathname === '/')
}

test('batch entry, approval, archive and certificate', { timeout: 180_000 }, async (t) => {
  const [v1, v2, v3] = data.volunteers
  const activityName = `重阳敬老探访${Date.now().toString(36).slice(-4)}`
  let serial = ''
  let code = ''

  await step(t, 'the recorder signs in and sees entry, approval and training but no admin pages', async () => {
    await signInHome(RECORDER.username, RECORDER.password)
    await page.locator(byTest('nav-record-entry')).waitFor()
    assert.match(await page.locator(byTest('nav-record-entry')).innerText(), /活动与记录/)
    assert.match(await page.locator(byTest('nav-approval')).innerText(), /审核/)
    assert.match(await page.locator(byTest('nav-trainings')).innerText(), /培训/)
    assert.equal(await page.locator(byTest('nav-users')).count(), 0)
  })

  await step(t, 'the recorder creates an activity that ended yesterday', async () => {
    await page.locator(byTest('nav-record-entry')).click()
    await page.waitForURL((url) => url.pathname === '/records/entry')
    await page.locator(byTest('entry-new-activity')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('activity-name')) })
    await dialog.waitFor()
    await inputOf(dialog, 'activity-name').fill(activityName)
    await inputOf(dialog, 'activity-starts').fill(chinaDateTime(-1, 9))
    await inputOf(dialog, 'activity-starts').press('Enter')
    await inputOf(dialog, 'activity-ends').fill(chinaDateTime(-1, 12))
    await inputOf(dialog, 'activity-ends').press('Enter')
    await inputOf(dialog, 'activity-place').fill('光华社区养老服务中心')
    await dialog.locator(`textarea${byTest('activity-content')}, ${byTest('activity-content')} textarea`).first().fill('陪伴独居老人，打扫卫生')
    await inputOf(dialog, 'activity-leader').fill('李老师')
    // The organiser defaults to the recorder's station.
    assert.match(await dialog.locator(byTest('activity-org')).innerText(), /光华社区工作站/)
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/activities') && r.request().method() === 'POST')
    await dialog.locator(byTest('activity-save')).click()
    const response = await created
    assert.equal(response.status(), 201, await response.text())
    const sent = JSON.parse(response.request().postData())
    assert.equal(sent.starts_at, `${chinaDateTime(-1, 9).replace(' ', 'T')}:00+08:00`)
    const body = JSON.parse(await response.text())
    assert.equal(new Date(body.starts_at).getTime(), new Date(sent.starts_at).getTime())
    await page.locator(byTest('entry-activity-facts')).waitFor()
    assert.match(await page.locator(byTest('entry-activity-facts')).innerText(), /3\.0 小时/)
  })

  await step(t, 'three volunteers join the sheet by name part and number with Enter', async () => {
    const search = inputOf(page, 'entry-search')
    await search.fill('明远')
    await search.press('Enter')
    await page.locator(byTest('entry-row-0-name')).waitFor()
    assert.equal(await page.locator(byTest('entry-row-0-name')).innerText(), v1.name)
    await search.fill('晓雯')
    await search.press('Enter')
    await page.locator(byTest('entry-row-1-name')).waitFor()
    assert.equal(await page.locator(byTest('entry-row-1-name')).innerText(), v2.name)
    await search.fill(v3.volunteer_number)
    await search.press('Enter')
    await page.locator(byTest('entry-row-2-name')).waitFor()
    assert.equal(await page.locator(byTest('entry-row-2-number')).innerText(), v3.volunteer_number)
    // Minutes default to the activity's length.
    assert.equal(await inputOf(page, 'entry-row-0-minutes').inputValue(), '180')
    await inputOf(page, 'entry-row-1-beneficiary').fill('独居老人')
    await shot(page, 'records-entry-sheet')
  })

  await step(t, 'the sheet is submitted once with an Idempotency-Key', async () => {
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/records/batch'))
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/records/batch'))
    await page.locator(byTest('entry-submit')).click()
    const request = await sent
    assert.match(request.headers()['idempotency-key'] || '', /^[0-9a-f-]{36}$/)
    const body = JSON.parse(request.postData())
    assert.equal(body.entries.length, 3)
    assert.deepEqual(body.entries.map((e) => e.volunteer_id), [v1.id, v2.id, v3.id])
    assert.equal((await answered).status(), 201)
    await page.locator(byTest('entry-done')).waitFor()
    assert.match(await page.locator(byTest('entry-done')).innerText(), /已提交 3 条/)
    const listed = await data.client.get(`/api/v1/records?status=submitted`)
    assert.equal(listed.json.items.filter((r) => r.activity_name === activityName).length, 3)
    await shot(page, 'records-entry-submitted')
  })

  await step(t, 'the admin approves one row, then the rest in bulk', async () => {
    await signInHome('admin', adminPassword)
    await page.locator(byTest('nav-approval')).click()
    await page.waitForURL((url) => url.pathname === '/records/approval')
    const table = page.locator(byTest('approval-table'))
    await table.locator('.el-table__body tr').nth(2).waitFor()
    assert.match(await table.innerText(), new RegExp(activityName))
    assert.match(await table.innerText(), /记录员小王/)
    await shot(page, 'records-approval-queue')
    const first = table.locator('[data-test^="approve-"]').first()
    await first.click()
    await page.locator('.el-message--success').first().waitFor()
    await page.waitForFunction(() => document.querySelectorAll('[data-test="approval-table"] .el-table__body tr').length === 2)
    await table.locator('.el-table__header .el-checkbox').click()
    // the selection count updates after the click settles
    await page.locator(byTest('approval-bulk')).filter({ hasText: '2' }).waitFor()
    await page.locator(byTest('approval-bulk')).click()
    await page.locator('.bulk-confirm-box .el-button--primary').click()
    await page.locator(byTest('approval-total')).filter({ hasText: '共 0 条待审核' }).waitFor()
    const approved = await data.client.get('/api/v1/records?status=approved')
    assert.equal(approved.json.items.filter((r) => r.activity_name === activityName).length, 3)
  })

  await step(t, "a volunteer's archive shows the approved hours", async () => {
    await page.goto(`${base}/volunteers/${v1.id}`)
    await page.locator(byTest('volunteer-tab-archive')).click()
    await page.locator(byTest('archive-total-hours')).waitFor()
    assert.equal(await page.locator(byTest('archive-total-hours')).innerText(), '3.0')
    assert.match(await page.locator(byTest('archive-records')).innerText(), new RegExp(activityName))
    assert.match(await page.locator(byTest('archive-by-year')).innerText(), /3\.0/)
    const csv = await data.client.get(`/api/v1/volunteers/${v1.id}/archive.csv`)
    assert.equal(csv.status, 200)
    await shot(page, 'records-archive')
  })

  await step(t, 'a certificate is issued and its PDF downloads', async (st) => {
    await page.locator(byTest('cert-request')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('cert-issue')) })
    await dialog.waitFor()
    await dialog.locator(byTest('cert-issue')).click()
    await page.locator(byTest('cert-serial')).waitFor()
    serial = (await page.locator(byTest('cert-serial')).innerText()).trim()
    code = (await page.locator(byTest('cert-code')).innerText()).trim()
    assert.ok(serial && code, 'serial and verification code are shown')
    assert.equal((await page.locator(byTest('cert-hours')).innerText()).trim(), '3.0')
    await shot(page, 'records-certificate-issued')
    const href = await page.locator(byTest('cert-download')).getAttribute('href')
    const cookies = await context.cookies(base)
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ')
    const res = await withTimeout(fetch(new URL(href, base), { headers: { Cookie: cookie } }), STEP_TIMEOUT, 'PDF download')
    assert.equal(res.status, 200)
    const pdf = Buffer.from(await res.arrayBuffer())
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-')
    // pdftotext (poppler-utils) is required: scripts/deps.sh test installs it
    const dir = mkdtempSync(join(tmpdir(), 'zy-cert-'))
    try {
      writeFileSync(join(dir, 'c.pdf'), pdf)
      const out = spawnSync('pdftotext', ['-layout', join(dir, 'c.pdf'), '-'], { encoding: 'utf8', timeout: STEP_TIMEOUT })
      assert.equal(out.status, 0, `pdftotext (poppler-utils) is needed: ${out.error || out.stderr}`)
      const text = out.stdout.replace(/\s+/g, ' ')
      assert.ok(text.includes(serial), `serial ${serial} in the PDF text`)
      assert.ok(text.includes(v1.volunteer_number), 'volunteer number in the PDF text')
      assert.match(text, /3\.0/, 'hours in the PDF text')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    await page.keyboard.press('Escape')
    await page.locator(byTest(`cert-row-${serial}`)).waitFor()
  })

  await step(t, 'the public check on a phone shows 有效', async () => {
    const phone = await newContext(browser, { phone: true })
    try {
      const p = await phone.newPage()
      p.on('pageerror', (error) => pageErrors.push(String(error)))
      await p.goto(`${base}/verify/${encodeURIComponent(serial)}?code=${encodeURIComponent(code)}`)
      await p.locator(byTest('verify-status')).waitFor()
      assert.match(await p.locator(byTest('verify-status')).innerText(), /有效/)
      assert.equal((await p.locator(byTest('verify-number')).innerText()).trim(), v1.volunteer_number)
      assert.match(await p.locator(byTest('verify-hours')).innerText(), /3\.0/)
      assert.equal(await p.locator(byTest('side-menu')).count(), 0, 'no side menu')
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`)
      await shot(p, 'records-verify-phone')
      await p.goto(`${base}/verify/${encodeURIComponent(serial)}?code=WRONG0`)
      await p.locator(byTest('verify-not-found')).waitFor()
      await shot(p, 'records-verify-wrong-code')
    } finally {
      await phone.close().catch(() => {})
    }
  })

  await step(t, 'no script errors', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
