// Browser test of issue 10's account claiming on a district of the demo's
// size (startDistrict: 341 organisations, 64,318 volunteers): a volunteer
// registered by staff claims an account on a phone with the code the
// development sender printed to the server log, signs in with the phone
// number and lands on their own home (hours, points, next shift); a second
// one is invited by the staff of their station and finishes in English; a
// certificate's QR code names the configured public address.
// Run from the repository root: node --test tests/browser/claim.test.mjs
//
// Everyone here is synthetic (tests/lib/ids.mjs).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { startDistrict } from '../lib/district.mjs'
import { residentId } from '../lib/ids.mjs'
import { Client } from '../lib/client.mjs'
import { STEP_TIMEOUT, withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, signIn, text, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const PUBLIC_URL = 'https://zhiyuan.example.cn'
const STAFF = { username: 'claim_station_admin', password: 'Claim-Staff-2026' }
const suffix = Date.now().toString(36).slice(-5)
// phones unlikely to be in the demo: 199 + time-based digits
const phone = (i) => `199${String(Date.now() % 10_000_000).padStart(7, '0')}${i}`.slice(0, 11)
const ONE = { name: '司徒认领', id_number: residentId('510115', '19880216', 731), phone: phone(1), password: 'Claim-One-2026' }
const TWO = { name: '欧阳受邀', id_number: residentId('510115', '19910823', 733), phone: phone(2), password: 'Claim-Two-2026' }

let srv = null
let base = ''
let browser = null
const pages = []
const pageErrors = []
const data = { admin: null, staff: null, station: null, shift: null, one: null, two: null, approvedMinutes: 0, points: 0 }

const step = steps('claim-', () => pages[pages.length - 1])

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')
const H = 3600 * 1000

async function ok(r, what, status = 201) {
  assert.equal(r.status, status, `${what}: ${r.text}`)
  return r.json
}

// A station of the demo, an admin working there, two volunteers it
// registered, an approved service record and points for the first, and a
// shift tomorrow they are signed up for.
async function prepare() {
  const admin = new Client(base)
  await admin.login('admin', srv.adminPassword)
  data.admin = admin
  const orgs = (await admin.get('/api/v1/organizations?limit=200')).json.items
  data.station = orgs.filter((o) => o.kind === 'station' && o.status === 'active').at(-1)
  assert.ok(data.station, 'the demo has stations')
  await ok(await admin.post('/api/v1/users', { ...STAFF, display_name: '认领站管理员', roles: ['admin'], org_id: data.station.id }), 'station admin')
  const staff = new Client(base)
  await staff.login(STAFF.username, STAFF.password)
  data.staff = staff
  for (const [key, who] of [['one', ONE], ['two', TWO]]) {
    data[key] = await ok(await staff.post('/api/v1/volunteers', {
      name: who.name, id_type: 'resident_id', id_number: who.id_number, phone: who.phone,
      region_code: data.station.region_code.length === 12 ? data.station.region_code : '510115001001',
      org_id: data.station.id, consent: { sensitive: true, notice_version: '2026-11' },
    }), `register ${who.name}`)
  }
  // two hours of service, entered by the station and approved at the root
  const now = Date.now()
  const act = await ok(await staff.post('/api/v1/activities', {
    name: `认领测试活动${suffix}`, org_id: data.station.id, starts_at: iso(now - 50 * H), ends_at: iso(now - 47 * H),
    place: '社区服务中心', content: '陪伴老人',
  }), 'activity')
  const rec = await ok(await staff.post('/api/v1/records', { activity_id: act.id, volunteer_id: data.one.id, minutes: 120, quality: 'good' }), 'record')
  await ok(await admin.post(`/api/v1/records/${rec.id}/approve`), 'approve', 200)
  await ok(await admin.post('/api/v1/points/adjustments', { volunteer_id: data.one.id, amount: 45, reason: '认领测试奖励' }), 'points')
  data.approvedMinutes = (await admin.get(`/api/v1/volunteers/${data.one.id}/archive`)).json.approved_minutes
  assert.equal(data.approvedMinutes, 120)
  data.points = (await admin.get(`/api/v1/volunteers/${data.one.id}/points`)).json.balance
  assert.ok(data.points >= 45)
  // a published project with a shift the day after tomorrow, the first volunteer signed up
  const project = await ok(await staff.post('/api/v1/projects', {
    title: `认领测试助老项目${suffix}`, org_id: data.station.id, domain: 'social_assistance', category: '助老',
    description: '为独居老人送餐', place: '社区食堂',
  }), 'project')
  await ok(await staff.post(`/api/v1/projects/${project.id}/publish`), 'publish', 200)
  const start = Math.ceil((now + 48 * H) / H) * H
  data.shift = await ok(await staff.post(`/api/v1/projects/${project.id}/shifts`, {
    starts_at: iso(start), ends_at: iso(start + 2 * H), place: '社区食堂', capacity: 10,
  }), 'shift')
  data.project = project
  await ok(await staff.post(`/api/v1/shifts/${data.shift.id}/signups`, { volunteer_id: data.one.id }), 'sign-up')
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict({ args: ['--public-url', PUBLIC_URL] }), 120_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 60_000, 'prepare')
  browser = await launchBrowser()
})

after(() => closeSuite(browser, srv, 15_000))

async function phonePage(locale = 'zh-CN') {
  const context = await newContext(browser, { phone: true, locale })
  await context.addInitScript((l) => window.localStorage.setItem('zhiyuan.locale', l), locale)
  const page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(String(error)))
  pages.push(page)
  return page
}

// No message key ("claim.title") may show instead of its text.
async function noRawKeys(page) {
  const body = await page.locator('body').innerText()
  assert.doesNotMatch(body, /\b(claim|vhome|join|login|signupStatus)\.[a-zA-Z]+\b/, 'a raw message key is on the page')
}

function codeFromLog(forPhone, from) {
  const line = srv.stderr().slice(from).split('\n').find((l) => l.includes(`sms (log sender, not delivered) to ${forPhone}:`))
  assert.ok(line, `a code for ${forPhone} in the server log`)
  return line.match(/验证码 (\d{6})/)[1]
}

async function fits(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 392, `the page fits a 390 px phone (scrollWidth ${width})`)
}

test('a volunteer on file claims an account on a phone and lands on their own home', { timeout: 240_000 }, async (t) => {
  let page
  await step(t, 'the login page leads to "claim my file"', async () => {
    page = await phonePage('zh-CN')
    // from the join page too
    await page.goto(base + '/join')
    await page.locator(byTest('join-claim')).click()
    await page.waitForURL((url) => url.pathname === '/claim')
    await page.goto(base + '/login')
    await page.locator(byTest('login-claim')).click()
    await page.waitForURL((url) => url.pathname === '/claim')
    assert.match(await text(page.locator('h1')), /认领志愿者档案/)
    assert.match(await text(page.locator(byTest('claim-reset-note'))), /重新设置密码/)
    await fits(page)
    await noRawKeys(page)
    await shot(page, 'claim-start-phone')
  })

  await step(t, 'details that do not match answer exactly like a match', async () => {
    const mark = srv.stderr().length
    await inputOf(page, 'claim-id-number').fill(ONE.id_number)
    await inputOf(page, 'claim-name').fill(ONE.name + '乙')
    await inputOf(page, 'claim-phone').fill(ONE.phone)
    await page.locator(byTest('claim-send')).click()
    const sent = page.locator(byTest('claim-sent'))
    await sent.waitFor()
    assert.match(await text(sent), new RegExp(`${ONE.phone.slice(0, 3)}\\*\\*\\*\\*${ONE.phone.slice(7)}`))
    assert.ok(!srv.stderr().slice(mark).includes(ONE.phone), 'no code was sent for the wrong name')
    await page.locator(byTest('claim-restart')).click()
  })

  await step(t, 'the right details send a code to the phone on file; a wrong code is refused', async () => {
    const mark = srv.stderr().length
    await inputOf(page, 'claim-name').fill(ONE.name)
    await page.locator(byTest('claim-send')).click()
    await page.locator(byTest('claim-sent')).waitFor()
    data.code = codeFromLog(ONE.phone, mark)
    await inputOf(page, 'claim-code').fill(data.code === '000000' ? '111111' : '000000')
    await inputOf(page, 'claim-password').fill(ONE.password)
    await inputOf(page, 'claim-confirm').fill(ONE.password)
    await page.locator(byTest('claim-submit')).click()
    assert.match(await text(page.locator(byTest('claim-error'))), /验证码错误/)
  })

  await step(t, 'the right code makes the account; the page says to type the phone number', async () => {
    await inputOf(page, 'claim-code').fill(data.code)
    await page.locator(byTest('claim-submit')).click()
    await page.locator(byTest('claim-done')).waitFor()
    assert.equal(await text(page.locator(byTest('claim-login'))), ONE.phone)
    assert.match(await text(page.locator(byTest('claim-done'))), /用户名或手机号/)
    await fits(page)
    await shot(page, 'claim-done-phone')
  })

  await step(t, 'signing in lands on the volunteer home with hours, points and the next shift', async () => {
    await page.locator(byTest('claim-sign-in')).click()
    await page.waitForURL((url) => url.pathname === '/')
    await page.locator(byTest('vhome-hello')).waitFor()
    assert.match(await text(page.locator(byTest('vhome-hello'))), new RegExp(ONE.name))
    assert.equal(await page.locator(byTest('home-page')).count(), 0, 'not the console home')
    assert.doesNotMatch(await page.locator('body').innerText(), /API 令牌|管理控制台/)
    await page.locator('[data-test="volunteer-home"][data-loaded="true"]').waitFor()
    await page.locator(byTest('vhome-shifts')).waitFor()
    assert.match(await text(page.locator(byTest('vhome-hours'))), /^2\.0/)
    assert.match(await text(page.locator(byTest('vhome-points'))), new RegExp(`^${data.points}\\b`))
    assert.match(await text(page.locator(byTest('vhome-shifts'))), new RegExp(data.project.title))
    await page.locator(byTest('vhome-projects')).waitFor()
    await fits(page)
    await noRawKeys(page)
    await shot(page, 'claim-volunteer-home-phone')
  })

  await step(t, 'the phone number signs in on the login page', async () => {
    await signIn(page, base, ONE.phone, ONE.password)
    await page.locator(byTest('vhome-hello')).waitFor()
    assert.match(await text(page.locator(byTest('vhome-number'))), new RegExp(data.one.volunteer_number))
  })
})

test('staff invite a volunteer from the file; the volunteer finishes in English', { timeout: 180_000 }, async (t) => {
  let desk, phonePg, invite
  await step(t, 'the station admin sends an invitation and is shown the code (development sender)', async () => {
    const context = await newContext(browser)
    desk = await watchedPage(context, pageErrors)
    pages.push(desk)
    await signIn(desk, base, STAFF.username, STAFF.password)
    await desk.goto(`${base}/volunteers/${data.two.id}`)
    await desk.locator(byTest('volunteer-claim-invite')).click()
    const dialog = desk.locator(byTest('claim-invite-dialog'))
    await dialog.locator(byTest('claim-invite-send')).click()
    await dialog.locator(byTest('claim-invite-code')).waitFor()
    invite = {
      code: await text(dialog.locator(byTest('claim-invite-code'))),
      link: await text(dialog.locator(byTest('claim-invite-link'))),
    }
    assert.match(invite.code, /^\d{6}$/)
    assert.ok(invite.link.startsWith(`${PUBLIC_URL}/claim?ticket=zc_`), invite.link)
    await noRawKeys(desk)
    await shot(desk, 'claim-invite-dialog')
  })

  await step(t, 'the invitation link opens the code step on a phone, in English', async () => {
    phonePg = await phonePage('en')
    const ticket = new URL(invite.link).searchParams.get('ticket')
    await phonePg.goto(`${base}/claim?ticket=${encodeURIComponent(ticket)}`)
    await phonePg.locator(byTest('claim-sent')).waitFor()
    assert.match(await text(phonePg.locator(byTest('claim-sent'))), /code from the text message or from the staff member/)
    await inputOf(phonePg, 'claim-code').fill(invite.code)
    await inputOf(phonePg, 'claim-password').fill(TWO.password)
    await inputOf(phonePg, 'claim-confirm').fill(TWO.password)
    await phonePg.locator(byTest('claim-submit')).click()
    await phonePg.locator(byTest('claim-done')).waitFor()
    assert.match(await text(phonePg.locator(byTest('claim-done'))), /Your account is ready/)
    assert.match(await text(phonePg.locator(byTest('claim-done'))), /Username or phone/)
    assert.equal(await text(phonePg.locator(byTest('claim-login'))), TWO.phone)
    await fits(phonePg)
    await noRawKeys(phonePg)
    await shot(phonePg, 'claim-done-phone-en')
  })

  await step(t, 'signed in with the phone number, the home is the volunteer\'s, in English', async () => {
    await signIn(phonePg, base, TWO.phone, TWO.password)
    await phonePg.locator(byTest('vhome-hello')).waitFor()
    assert.match(await text(phonePg.locator(byTest('vhome-hello'))), /Hello/)
    // the figures arrive after the greeting
    await phonePg.locator('[data-test="volunteer-home"][data-loaded="true"]').waitFor()
    assert.match(await text(phonePg.locator(byTest('vhome-hours'))), /^0\.0\s*Hours served/)
    assert.match(await text(phonePg.locator(byTest('vhome-no-shifts'))), /No shifts/)
    await noRawKeys(phonePg)
    await shot(phonePg, 'claim-volunteer-home-phone-en')
  })

  await step(t, 'the file of a person with an account offers no invitation (the server refuses one: account_exists)', async () => {
    await desk.reload()
    await desk.locator(byTest('volunteer-actions')).waitFor()
    assert.equal(await desk.locator(byTest('volunteer-claim-invite')).count(), 0)
  })
})

test('a certificate\'s QR code names the configured public address', { timeout: 60_000 }, async (t) => {
  await step(t, 'the PDF carries https://zhiyuan.example.cn/verify/…', async () => {
    const today = new Date(Date.now() + 8 * H).toISOString().slice(0, 10)
    const cert = await ok(await data.admin.post('/api/v1/certificates', { volunteer_id: data.one.id, from: '2020-01-01', to: today }), 'certificate')
    const res = await withTimeout(fetch(`${base}${cert.pdf_url}`, { headers: { Cookie: data.admin.cookie } }), STEP_TIMEOUT, 'PDF')
    assert.equal(res.status, 200)
    const pdf = Buffer.from(await res.arrayBuffer())
    const out = spawnSync('pdftotext', ['-raw', '-', '-'], { input: pdf, encoding: 'utf8', timeout: STEP_TIMEOUT })
    assert.equal(out.status, 0, `pdftotext (poppler-utils) is needed: ${out.error || out.stderr}`)
    const flat = out.stdout.replace(/\s+/g, '')
    // the caption under the QR code prints the very string the code encodes
    assert.ok(flat.includes(`${PUBLIC_URL}/verify/${cert.serial}?code=${cert.verify_code}`), out.stdout)
    assert.ok(!flat.includes('127.0.0.1'))
  })
})

test('a volunteer of the demo itself (imported, never signed in) claims an account', { timeout: 60_000 }, async (t) => {
  await step(t, 'ID number, name and phone on file, the code from the log, then the phone signs in', async () => {
    // the root admin reads one demo person's ID number (an explicit, audited grant)
    // nobody grants themselves: a second admin of the root grants it
    const me = (await data.admin.get('/api/v1/me')).json
    await ok(await data.admin.post('/api/v1/users', { username: 'claim_granter', password: 'Granter-root-2026', roles: ['admin'], org_id: me.org_id }), 'granter', 201)
    const granter = new Client(base)
    await granter.login('claim_granter', 'Granter-root-2026')
    await ok(await granter.patch(`/api/v1/users/${me.id}`, { permissions: ['read_id_number'] }), 'grant', 200)
    const list = (await data.admin.get('/api/v1/volunteers?limit=50')).json.items
    const demo = list.find((v) => v.status === 'active' && !v.has_account && v.id !== data.one.id && v.id !== data.two.id)
    assert.ok(demo, 'a demo volunteer without a login')
    const file = (await data.admin.get(`/api/v1/volunteers/${demo.id}`)).json
    const idNumber = (await data.admin.get(`/api/v1/volunteers/${demo.id}/id-number`)).json.id_number
    const anon = new Client(base)
    const mark = srv.stderr().length
    const started = await ok(await anon.post('/api/v1/public/claims', { id_number: idNumber, name: file.name, phone: file.phone }), 'start', 202)
    const code = codeFromLog(file.phone, mark)
    const done = await ok(await anon.post('/api/v1/public/claims/complete', { claim_id: started.claim_id, code, password: 'Demo-Claim-2026' }), 'complete')
    assert.equal(done.login, file.phone)
    const signed = new Client(base)
    await signed.login(file.phone, 'Demo-Claim-2026')
    assert.equal((await signed.get('/api/v1/me/volunteer')).json.id, demo.id)
    assert.equal((await data.admin.get(`/api/v1/volunteers/${demo.id}`)).json.has_account, true)
  })
})

test('no page error on the way', () => {
  assert.deepEqual(pageErrors, [])
})
