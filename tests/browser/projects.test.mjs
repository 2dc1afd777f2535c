// Browser test of projects, shifts, sign-up and check-in (issue 6) against
// the real server: a recorder creates a project and a shift that is running
// now through the console and publishes it; a volunteer on a phone finds it
// on the public pages, is sent to the login by the sign-up button and comes
// back signed up; the recorder starts the project and reads the rotating
// code on the check-in desk, the volunteer types it under "my shifts"; a
// walk-in signed up at the desk checks in by opening the printed QR code's
// address (day code) and is checked out at the desk; the first volunteer
// checks out from the QR code with one tap. For a service record without
// waiting hours, a second shift in the past is attended with check-in and
// check-out times through the API, and the recorder finds the record
// (source check_in) in the approval queue. At the end the project is
// completed, and a second one cancelled from its page ends its sign-up.
// Run from the repository root: node --test tests/browser/projects.test.mjs
// Needs build/zhiyuan and a built web/dist. Uses Debian's /usr/bin/chromium
// through playwright-core; no browser download is involved.
//
// Everyone here is synthetic: the resident ID numbers carry a valid
// GB 11643 check digit for made-up people (region 510115).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer } from '../lib/server.mjs'
import { branch, selfRegister } from '../lib/fixtures.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, text, needWebBuild, closeSuite } from '../lib/browser.mjs'

const RECORDER = { username: 'proj_rec', password: 'recorder-proj-1' }
const ALICE = { name: '慕容雪晴', phone: '13712345681', password: 'Shift-Test-2026a' }
const BOB = { name: '诸葛远山', phone: '13712345682', password: 'Shift-Test-2026b' }
const CAROL = { name: '东方晓月', phone: '13712345683', password: 'Shift-Test-2026c' }
const MIN = 60 * 1000
const H = 60 * MIN

let srv = null
let base = ''
let browser = null
let desk = null
let phoneA = null
let phoneB = null
let phoneC = null
let page = null
const pageErrors = []
const data = { client: null, station: null, alice: null, bob: null, title: '', project: null, shift: null, signupA: null, signupB: null, code: '', dayCode: '' }

const step = steps('projects-', () => page)

// "YYYY-MM-DD HH:mm" in China time of an instant (what the pickers take).
function chinaMinute(ms) {
  const d = new Date(ms + 8 * H)
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`
}
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')

async function prepare() {
  const client = new Client(base)
  await client.login('admin', srv.adminPassword)
  data.client = client
  const suffix = Date.now().toString(36).slice(-4)
  const { rootId, station } = await branch(client, { association: `涌泉街道志愿服务协会${suffix}`, station: `踏水社区工作站${suffix}`, town: '510115006' })
  data.station = station
  // a partner agency under the root, outside the recorder's scope, and its social worker
  const agency = await client.post('/api/v1/organizations', { name: `阳光社工服务中心${suffix}`, kind: 'social_work_agency', parent_id: rootId, region_code: '510115' })
  assert.equal(agency.status, 201, `create agency: ${agency.text}`)
  data.agency = agency.json
  const worker = await client.post('/api/v1/users', { username: `proj_sw_${suffix}`, password: 'social-worker-1', display_name: '社工小周', roles: ['social_worker'], org_id: agency.json.id })
  assert.equal(worker.status, 201, `create social worker: ${worker.text}`)
  data.worker = worker.json
  const user = await client.post('/api/v1/users', { ...RECORDER, display_name: '记录员小林', roles: ['recorder'], org_id: station.id })
  assert.equal(user.status, 201, `create recorder: ${user.text}`)
  const home = { birth: '19930517', region: '510115006001', org: station.id }
  data.alice = await selfRegister(base, ALICE, { ...home, seq: 72 })
  data.bob = await selfRegister(base, BOB, { ...home, seq: 73 })
  data.carol = await selfRegister(base, CAROL, { ...home, seq: 74 })
  data.title = `踏水社区助老餐桌${suffix}`
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startServer({ backend: 'sqlite' }), 20_000, 'startServer')
  base = srv.url
  await withTimeout(prepare(), 20_000, 'prepare')
  browser = await launchBrowser()
  desk = await newContext(browser)
  phoneA = await newContext(browser, { phone: true })
  phoneB = await newContext(browser, { phone: true })
  phoneC = await newContext(browser, { phone: true })
})

after(() => closeSuite(browser, srv))

async function newPage(context) {
  const p = await context.newPage()
  p.on('pageerror', (error) => pageErrors.push(String(error)))
  return p
}

async function fillLogin(p, username, password) {
  await inputOf(p, 'login-username').fill(username)
  await inputOf(p, 'login-password').fill(password)
  await p.locator(byTest('login-submit')).click()
}

async function noSidewaysScroll(p) {
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`)
}

// The desk's current code, waiting for the next one when this one is about
// to run out (so the volunteer has time to type it).
async function deskCode(p) {
  const left = async () => Number(((await text(p.locator(byTest('site-code-left')))).match(/\d+/) || ['0'])[0])
  await p.locator(byTest('site-code')).filter({ hasText: /^\d{6}$/ }).waitFor()
  if ((await left()) < 8) {
    const old = await text(p.locator(byTest('site-code')))
    await p.waitForFunction((c) => {
      const el = document.querySelector('[data-test="site-code"]')
      return el && /^\d{6}$/.test(el.textContent.trim()) && el.textContent.trim() !== c
    }, old, { timeout: 20_000 })
  }
  return text(p.locator(byTest('site-code')))
}

test('projects, shifts, sign-up and check-in', { timeout: 240_000 }, async (t) => {
  let staff = null
  let alice = null
  let bob = null
  // a few minutes ago, but not before midnight in China: the printed day
  // code belongs to the day the shift starts
  const china = new Date(Date.now() + 8 * H)
  const chinaMidnight = Date.UTC(china.getUTCFullYear(), china.getUTCMonth(), china.getUTCDate()) - 8 * H
  const startsAt = Math.max(Date.now() - 5 * MIN, chinaMidnight + MIN)
  const endsAt = Date.now() + 2 * H

  await step(t, 'the recorder creates a project in the console', async () => {
    staff = await newPage(desk)
    page = staff
    await staff.goto(base + '/login')
    await fillLogin(staff, RECORDER.username, RECORDER.password)
    await staff.waitForURL((url) => url.pathname !== '/login')
    await staff.locator(byTest('nav-projects')).click()
    await staff.waitForURL((url) => url.pathname === '/projects')
    assert.match(await text(staff.locator(byTest('nav-projects'))), /志愿项目/)
    await staff.locator(byTest('project-new')).click()
    const dialog = staff.locator('.el-dialog').filter({ has: staff.locator(byTest('project-save')) })
    await dialog.waitFor()
    await inputOf(dialog, 'project-title').fill(data.title)
    // the organisation defaults to the recorder's station
    assert.match(await text(dialog.locator(byTest('project-org'))), /踏水社区工作站/)
    await dialog.locator(byTest('project-domain-social_assistance')).click()
    await dialog.locator(byTest('project-category')).click()
    await staff.locator('.el-select-dropdown__item:visible', { hasText: '扶老助残' }).click()
    await dialog.locator(byTest('project-brand')).click()
    await dialog.locator(`textarea${byTest('project-description')}, ${byTest('project-description')} textarea`).first().fill('为社区独居老人送餐、陪餐，每周三次。')
    await inputOf(dialog, 'project-beneficiaries').fill('社区独居老人')
    await inputOf(dialog, 'project-place').fill('踏水社区长者食堂')
    await inputOf(dialog, 'project-starts').fill(chinaMinute(Date.now() - 24 * H).slice(0, 10))
    await inputOf(dialog, 'project-starts').press('Enter')
    await inputOf(dialog, 'project-ends').fill(chinaMinute(Date.now() + 60 * 24 * H).slice(0, 10))
    await inputOf(dialog, 'project-ends').press('Enter')
    // the partner agency and its social worker (社工+义工)
    await dialog.locator(byTest('project-agency')).click()
    await staff.locator('.el-select-dropdown__item:visible', { hasText: data.agency.name }).click()
    await dialog.locator(byTest('project-social-workers')).click()
    await staff.locator('.el-select-dropdown__item:visible', { hasText: '社工小周' }).click()
    await dialog.locator(byTest('project-title')).click()
    await inputOf(dialog, 'project-contact-name').fill('林老师')
    await inputOf(dialog, 'project-contact-phone').fill('028-82712345')
    const created = staff.waitForResponse((r) => r.url().endsWith('/api/v1/projects') && r.request().method() === 'POST')
    await dialog.locator(byTest('project-save')).click()
    const response = await created
    assert.equal(response.status(), 201, await response.text())
    const sent = JSON.parse(response.request().postData())
    assert.equal(sent.domain, 'social_assistance')
    assert.equal(sent.category, '扶老助残')
    assert.equal(sent.brand, true)
    assert.equal(sent.org_id, data.station.id)
    assert.equal(sent.agency_org_id, data.agency.id)
    assert.deepEqual(sent.social_worker_ids, [data.worker.id])
    data.project = await response.json()
    await staff.waitForURL((url) => url.pathname === `/projects/${data.project.id}`)
    assert.equal(await text(staff.locator(byTest('project-status'))), '草稿')
    assert.match(await text(staff.locator(byTest('project-facts'))), /踏水社区长者食堂/)
  })

  await step(t, 'the recorder adds a shift that is running now', async () => {
    await staff.locator(byTest('shift-add')).click()
    const dialog = staff.locator('.el-dialog').filter({ has: staff.locator(byTest('shift-save')) })
    await dialog.waitFor()
    assert.equal(await inputOf(dialog, 'shift-place').inputValue(), '踏水社区长者食堂', 'the place comes from the project')
    await inputOf(dialog, 'shift-name').fill('午餐班')
    await inputOf(dialog, 'shift-starts').fill(chinaMinute(startsAt))
    await inputOf(dialog, 'shift-starts').press('Enter')
    await inputOf(dialog, 'shift-ends').fill(chinaMinute(endsAt))
    await inputOf(dialog, 'shift-ends').press('Enter')
    // sign-up stays open for an hour (by default it closes when the shift starts)
    await inputOf(dialog, 'shift-deadline').fill(chinaMinute(Date.now() + H))
    await inputOf(dialog, 'shift-deadline').press('Enter')
    await inputOf(dialog, 'shift-capacity').fill('2')
    await inputOf(dialog, 'shift-capacity').press('Tab')
    const created = staff.waitForResponse((r) => r.url().endsWith(`/api/v1/projects/${data.project.id}/shifts`) && r.request().method() === 'POST')
    await dialog.locator(byTest('shift-save')).click()
    const response = await created
    assert.equal(response.status(), 201, await response.text())
    const sent = JSON.parse(response.request().postData())
    assert.equal(sent.starts_at, `${chinaMinute(startsAt).replace(' ', 'T')}:00+08:00`)
    assert.equal(sent.capacity, 2)
    assert.equal(sent.name, '午餐班')
    data.shift = await response.json()
    await dialog.waitFor({ state: 'hidden' })
    await staff.locator(byTest(`shift-confirmed-${data.shift.id}`)).filter({ hasText: '0/2' }).waitFor()
    await shot(staff, 'projects-project-draft')
  })

  await step(t, 'the recorder publishes the project', async () => {
    await staff.locator(byTest('project-publish')).click()
    await staff.locator('.el-message-box__btns .el-button--primary').click()
    await staff.locator(byTest('project-status')).filter({ hasText: '招募中' }).waitFor()
    await staff.locator(byTest('project-start')).waitFor()
    assert.equal(await staff.locator(byTest('project-publish')).count(), 0)
  })

  await step(t, 'a volunteer on a phone finds the project and is sent to the login by the sign-up button', async () => {
    alice = await newPage(phoneA)
    page = alice
    await alice.goto(base + '/p/projects')
    await inputOf(alice, 'public-q').fill(data.title.slice(-8))
    await alice.locator(byTest('public-search')).click()
    await alice.waitForURL((url) => url.searchParams.get('q') === data.title.slice(-8))
    const card = alice.locator(byTest(`public-project-${data.project.id}`))
    await card.waitFor()
    assert.match(await text(card), /余 2 个名额/)
    assert.match(await text(card), /社会援助/)
    await noSidewaysScroll(alice)
    await shot(alice, 'projects-public-list-phone')
    await card.click()
    await alice.waitForURL((url) => url.pathname === `/p/projects/${data.project.id}`)
    await alice.locator(byTest('public-project-title')).filter({ hasText: data.title }).waitFor()
    const button = alice.locator(byTest(`public-signup-${data.shift.id}`))
    assert.equal(await text(button), '登录后报名')
    await noSidewaysScroll(alice)
    await shot(alice, 'projects-public-project-phone')
    await button.click()
    await alice.waitForURL((url) => url.pathname === '/login')
  })

  await step(t, 'after the login the volunteer is back on the project and signed up', async () => {
    const signed = alice.waitForResponse((r) => r.url().endsWith(`/api/v1/shifts/${data.shift.id}/signups`) && r.request().method() === 'POST')
    await fillLogin(alice, ALICE.phone, ALICE.password)
    const response = await signed
    assert.equal(response.status(), 201, await response.text())
    assert.deepEqual(JSON.parse(response.request().postData()), { volunteer_id: data.alice.id })
    data.signupA = await response.json()
    assert.equal(data.signupA.status, 'confirmed')
    await alice.waitForURL((url) => url.pathname === `/p/projects/${data.project.id}`)
    const result = alice.locator(byTest(`public-result-${data.shift.id}`))
    await result.waitFor()
    assert.match(await text(result), /报名成功/)
    await alice.locator(byTest(`public-mine-${data.shift.id}`)).filter({ hasText: '已报名' }).waitFor()
    await alice.locator(byTest(`public-open-${data.shift.id}`)).filter({ hasText: '余 1 个名额' }).waitFor()
    await noSidewaysScroll(alice)
    await shot(alice, 'projects-signed-up-phone')
  })

  await step(t, 'the recorder starts the project and opens the check-in desk', async () => {
    page = staff
    await staff.locator(byTest('project-start')).click()
    await staff.locator('.el-message-box__btns .el-button--primary').click()
    await staff.locator(byTest('project-status')).filter({ hasText: '进行中' }).waitFor()
    await staff.locator(byTest(`shift-confirmed-${data.shift.id}`)).filter({ hasText: '1/2' }).waitFor()
    await staff.locator(byTest(`shift-site-${data.shift.id}`)).click()
    await staff.waitForURL((url) => url.pathname === `/shifts/${data.shift.id}/site`)
    assert.equal(await text(staff.locator(byTest('site-project'))), data.title)
    await staff.locator(byTest(`site-status-${data.signupA.id}`)).filter({ hasText: '已报名' }).waitFor()
    const qr = staff.locator(byTest('site-qr'))
    await qr.waitFor()
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 100), 'the QR image is drawn')
    const code = await deskCode(staff)
    const api = await data.client.get(`/api/v1/shifts/${data.shift.id}/code`)
    assert.equal(api.status, 200, api.text)
    assert.match(code, /^\d{6}$/)
    await shot(staff, 'projects-site-desk')
  })

  await step(t, 'the volunteer checks in under "my shifts" with the code from the desk', async () => {
    page = alice
    await alice.locator(byTest('public-my-shifts')).click()
    await alice.waitForURL((url) => url.pathname === '/me/shifts')
    const item = alice.locator(byTest(`my-shift-${data.signupA.id}`))
    await item.waitFor()
    assert.match(await text(item), new RegExp(data.title))
    // a wrong code is refused with the server's message
    await inputOf(alice, `my-shift-code-${data.signupA.id}`).fill(String((Number((await deskCode(staff))[0]) + 1) % 10).repeat(6))
    await alice.locator(byTest(`my-shift-check-in-${data.signupA.id}`)).click()
    await alice.locator(byTest(`my-shift-error-${data.signupA.id}`)).waitFor()
    const code = await deskCode(staff)
    await inputOf(alice, `my-shift-code-${data.signupA.id}`).fill(code)
    const answered = alice.waitForResponse((r) => r.url().endsWith(`/api/v1/shifts/${data.shift.id}/check-in`))
    await alice.locator(byTest(`my-shift-check-in-${data.signupA.id}`)).click()
    const response = await answered
    assert.equal(response.status(), 200, await response.text())
    assert.deepEqual(JSON.parse(response.request().postData()), { code })
    await alice.locator(byTest(`my-shift-status-${data.signupA.id}`)).filter({ hasText: '已签到' }).waitFor()
    await noSidewaysScroll(alice)
    await shot(alice, 'projects-checked-in-phone')
  })

  await step(t, 'a walk-in is signed up at the desk, and the desk sees the check-in', async () => {
    page = staff
    await staff.locator(byTest('site-refresh')).click()
    await staff.locator(byTest(`site-status-${data.signupA.id}`)).filter({ hasText: '已签到' }).waitFor()
    const search = inputOf(staff, 'site-add')
    await search.fill(BOB.name)
    const signed = staff.waitForResponse((r) => r.url().endsWith(`/api/v1/shifts/${data.shift.id}/signups`) && r.request().method() === 'POST')
    await search.press('Enter')
    const response = await signed
    assert.equal(response.status(), 201, await response.text())
    data.signupB = await response.json()
    await staff.locator(byTest(`site-status-${data.signupB.id}`)).filter({ hasText: '已报名' }).waitFor()
    await staff.locator(byTest('site-confirmed')).filter({ hasText: '2/2' }).waitFor()
  })

  await step(t, 'on the full shift a third volunteer gets a place on the waiting list, and gives it back', async () => {
    const carol = await newPage(phoneC)
    page = carol
    await carol.goto(`${base}/login?redirect=${encodeURIComponent(`/p/projects/${data.project.id}`)}`)
    await fillLogin(carol, CAROL.phone, CAROL.password)
    await carol.waitForURL((url) => url.pathname === `/p/projects/${data.project.id}`)
    await carol.locator(byTest(`public-open-${data.shift.id}`)).filter({ hasText: '名额已满' }).waitFor()
    const button = carol.locator(byTest(`public-signup-${data.shift.id}`))
    assert.equal(await text(button), '候补报名')
    const signed = carol.waitForResponse((r) => r.url().endsWith(`/api/v1/shifts/${data.shift.id}/signups`) && r.request().method() === 'POST')
    await button.click()
    const response = await signed
    assert.equal(response.status(), 201, await response.text())
    const signup = await response.json()
    assert.deepEqual([signup.status, signup.position], ['waitlisted', 1])
    assert.match(await text(carol.locator(byTest(`public-result-${data.shift.id}`))), /候补，排在第 1 位/)
    await carol.locator(byTest(`public-mine-${data.shift.id}`)).filter({ hasText: '候补' }).waitFor()
    await shot(carol, 'projects-waitlisted-phone')
    await carol.locator(byTest('public-my-shifts')).click()
    await carol.waitForURL((url) => url.pathname === '/me/shifts')
    assert.match(await text(carol.locator(byTest(`my-shift-position-${signup.id}`))), /候补第 1 位/)
    await carol.locator(byTest(`my-shift-cancel-${signup.id}`)).click()
    const cancelled = carol.waitForResponse((r) => r.url().endsWith(`/api/v1/signups/${signup.id}`) && r.request().method() === 'DELETE')
    await carol.locator('.el-message-box__btns .el-button--primary').click()
    assert.equal((await cancelled).status(), 200)
    await carol.locator(byTest('my-shifts-past')).locator(byTest(`my-shift-status-${signup.id}`)).filter({ hasText: '已取消' }).waitFor()
    await carol.close()
    page = staff
  })

  await step(t, 'the printable QR code shows the day code without the console around it', async () => {
    const print = await newPage(desk)
    page = print
    await print.goto(`${base}/shifts/${data.shift.id}/print`)
    await print.locator(byTest('print-title')).filter({ hasText: data.title }).waitFor()
    data.dayCode = await text(print.locator(byTest('print-day-code')))
    assert.match(data.dayCode, /^\d{6}$/)
    const api = (await data.client.get(`/api/v1/shifts/${data.shift.id}/code`)).json
    assert.equal(data.dayCode, api.day_code)
    assert.equal(await print.locator(byTest('side-menu')).count(), 0, 'no side menu')
    const qr = print.locator(byTest('print-qr'))
    await qr.waitFor()
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 300), 'a big QR image')
    await print.emulateMedia({ media: 'print' })
    assert.equal(await print.locator(byTest('print-button')).isVisible(), false, 'the print button does not print')
    await shot(print, 'projects-print-qr')
    await print.close()
    page = staff
  })

  await step(t, 'the walk-in opens the QR code address, signs in and is checked in straight away', async () => {
    bob = await newPage(phoneB)
    page = bob
    await bob.goto(`${base}/me/shifts?shift=${data.shift.id}&code=${data.dayCode}`)
    await bob.waitForURL((url) => url.pathname === '/login')
    const answered = bob.waitForResponse((r) => r.url().endsWith(`/api/v1/shifts/${data.shift.id}/check-in`))
    await fillLogin(bob, BOB.phone, BOB.password)
    const response = await answered
    assert.equal(response.status(), 200, await response.text())
    assert.deepEqual(JSON.parse(response.request().postData()), { code: data.dayCode })
    await bob.locator(byTest('scan-done')).waitFor()
    assert.match(await text(bob.locator(byTest('scan-done'))), /签到成功/)
    await bob.locator(byTest(`my-shift-status-${data.signupB.id}`)).filter({ hasText: '已签到' }).waitFor()
    assert.equal(new URL(bob.url()).search, '', 'the code leaves the address')
    await noSidewaysScroll(bob)
    await shot(bob, 'projects-scanned-check-in-phone')
  })

  await step(t, 'the desk checks the walk-in out by hand', async () => {
    page = staff
    await staff.locator(byTest('site-refresh')).click()
    await staff.locator(byTest(`site-status-${data.signupB.id}`)).filter({ hasText: '已签到' }).waitFor()
    const answered = staff.waitForResponse((r) => r.url().endsWith(`/api/v1/shifts/${data.shift.id}/check-out`))
    await staff.locator(byTest(`site-check-out-${data.signupB.id}`)).click()
    const response = await answered
    assert.equal(response.status(), 200, await response.text())
    assert.deepEqual(JSON.parse(response.request().postData()), { volunteer_id: data.bob.id })
    await staff.locator(byTest(`site-status-${data.signupB.id}`)).filter({ hasText: '已完成' }).waitFor()
    await shot(staff, 'projects-site-checked-out')
  })

  await step(t, 'the first volunteer checks out with one tap from the QR code', async () => {
    page = alice
    await alice.goto(`${base}/me/shifts?shift=${data.shift.id}&code=${data.dayCode}`)
    const button = alice.locator(byTest('scan-check-out'))
    await button.waitFor()
    const answered = alice.waitForResponse((r) => r.url().endsWith(`/api/v1/shifts/${data.shift.id}/check-out`))
    await button.click()
    const response = await answered
    assert.equal(response.status(), 200, await response.text())
    await alice.locator(byTest('scan-done')).waitFor()
    await alice.locator(byTest(`my-shift-status-${data.signupA.id}`)).filter({ hasText: '已完成' }).waitFor()
    await shot(alice, 'projects-checked-out-phone')
  })

  await step(t, 'a shift attended in the past makes a service record that waits in the approval queue', async () => {
    const client = data.client
    const from = Date.now() - 3 * H
    const to = Date.now() - H
    const shift = await client.post(`/api/v1/projects/${data.project.id}/shifts`, {
      name: '早餐班', starts_at: iso(from), ends_at: iso(to), place: '踏水社区长者食堂', capacity: 5,
    })
    assert.equal(shift.status, 201, `past shift: ${shift.text}`)
    const signup = await client.post(`/api/v1/shifts/${shift.json.id}/signups`, { volunteer_id: data.alice.id })
    assert.ok([200, 201].includes(signup.status), `sign-up for the past shift: ${signup.text}`)
    const checkIn = await client.post(`/api/v1/shifts/${shift.json.id}/check-in`, { volunteer_id: data.alice.id, at: iso(from) })
    assert.equal(checkIn.status, 200, `check-in: ${checkIn.text}`)
    const checkOut = await client.post(`/api/v1/shifts/${shift.json.id}/check-out`, { volunteer_id: data.alice.id, at: iso(to) })
    assert.equal(checkOut.status, 200, `check-out: ${checkOut.text}`)
    assert.equal(checkOut.json.status, 'attended')
    assert.ok(checkOut.json.record_id, `a record is made: ${checkOut.text}`)
    data.recordId = checkOut.json.record_id

    page = staff
    await staff.locator(byTest('nav-approval')).click()
    await staff.waitForURL((url) => url.pathname === '/records/approval')
    const tag = staff.locator(byTest(`approval-source-${data.recordId}`))
    await tag.waitFor()
    assert.equal(await text(tag), '签到')
    const row = staff.locator(`${byTest('approval-table')} .el-table__body tr`).filter({ has: tag })
    assert.match(await text(row), new RegExp(ALICE.name))
    assert.equal(await text(staff.locator(byTest(`approval-minutes-${data.recordId}`))), String(checkOut.json.minutes))
    await shot(staff, 'projects-approval-check-in-record')

    // the project page lists the shift's activity with its record
    await staff.goto(`${base}/projects/${data.project.id}`)
    const count = staff.locator(byTest(`activity-records-${shift.json.activity_id}`))
    await count.waitFor()
    assert.equal(await text(count), '1')
  })

  await step(t, "the volunteer's history shows both shifts and a place that never came, and the pages speak English", async () => {
    // a full shift yesterday on which Alice only ever waited
    const client = data.client
    const from = Date.now() - 30 * H
    const full = await client.post(`/api/v1/projects/${data.project.id}/shifts`, {
      starts_at: iso(from), ends_at: iso(from + H), place: '踏水社区长者食堂', capacity: 1, waitlist: 3,
    })
    assert.equal(full.status, 201, full.text)
    assert.equal((await client.post(`/api/v1/shifts/${full.json.id}/signups`, { volunteer_id: data.bob.id })).json.status, 'confirmed')
    const waited = await client.post(`/api/v1/shifts/${full.json.id}/signups`, { volunteer_id: data.alice.id })
    assert.equal(waited.json.status, 'waitlisted', waited.text)
    page = alice
    await alice.reload()
    await alice.locator(byTest('my-shifts-past')).waitFor()
    await alice.locator(byTest('my-shifts-past')).locator(byTest(`my-shift-status-${waited.json.id}`)).filter({ hasText: '候补未轮到' }).waitFor()
    await alice.locator(byTest('menu-toggle')).click()
    await alice.locator(`.nav-drawer ${byTest('lang-en')}`).click()
    await alice.locator('.zy-page-title').filter({ hasText: 'My shifts' }).waitFor()
    await alice.keyboard.press('Escape')
    await alice.goto(`${base}/p/projects/${data.project.id}`)
    await alice.locator(byTest('public-shifts')).waitFor()
    assert.match(await text(alice.locator(byTest('public-project-page'))), /Shifts and sign-up/)
  })

  await step(t, 'the recorder completes the project; another one is cancelled and its sign-up ends with it', async () => {
    page = staff
    await staff.goto(`${base}/projects/${data.project.id}`)
    await staff.locator(byTest('project-complete')).click()
    await staff.locator('.el-message-box__btns .el-button--primary').click()
    await staff.locator(byTest('project-status')).filter({ hasText: '已结项' }).waitFor()
    assert.equal(await staff.locator(byTest('project-cancel')).count(), 0, 'a completed project is not cancelled')
    assert.equal(await staff.locator(byTest('project-edit')).count(), 0, 'nor edited')

    const client = data.client
    const other = await client.post('/api/v1/projects', { title: `临时取消的活动${data.title.slice(-4)}`, org_id: data.station.id, domain: 'public_welfare', category: '扶老助残' })
    assert.equal(other.status, 201, other.text)
    assert.equal((await client.post(`/api/v1/projects/${other.json.id}/publish`)).status, 200)
    const from = Date.now() + 3 * 24 * H
    const shift = await client.post(`/api/v1/projects/${other.json.id}/shifts`, { starts_at: iso(from), ends_at: iso(from + H), place: '踏水社区', capacity: 3 })
    assert.equal(shift.status, 201, shift.text)
    const signup = await client.post(`/api/v1/shifts/${shift.json.id}/signups`, { volunteer_id: data.bob.id })
    assert.equal(signup.status, 201, signup.text)
    await staff.goto(`${base}/projects/${other.json.id}`)
    await staff.locator(byTest('project-cancel')).click()
    await staff.locator('.el-message-box__btns .el-button--primary').click()
    await staff.locator(byTest('project-status')).filter({ hasText: '已取消' }).waitFor()
    await staff.locator(byTest(`shift-confirmed-${shift.json.id}`)).filter({ hasText: '0/3' }).waitFor()
    assert.ok(await staff.locator(byTest('shift-add')).isDisabled(), 'no new shifts on a cancelled project')
    const list = await client.get(`/api/v1/shifts/${shift.json.id}/signups`)
    assert.deepEqual(list.json.items.map((g) => g.status), ['cancelled'])
    await shot(staff, 'projects-cancelled')
  })

  await step(t, 'no script errors', async () => {
    assert.deepEqual(pageErrors, [])
  })
})
