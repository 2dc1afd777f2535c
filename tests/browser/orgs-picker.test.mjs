// Browser test of the organisation pickers and the tree on a district of
// the demo's size (341 organisations, tests/lib/district.mjs): every picker
// searches the whole tree on the server, so a station created far past the
// 50th organisation is found by its name, its pinyin initials and its
// path, with the path shown; a town admin is offered only the town; the
// tree lists associations before teams, 第9社区 before 第10社区, and folds
// the district's 80 teams into one node. In Chinese and in English.
// Run from the repository root: node --test tests/browser/orgs-picker.test.mjs
// Needs build/zhiyuan and a built web/dist.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDistrict } from '../lib/district.mjs'
import { Client } from '../lib/client.mjs'
import { withTimeout, launchBrowser, newContext, shot, byTest, inputOf, steps, text, signIn, needWebBuild, closeSuite, watchedPage } from '../lib/browser.mjs'

const ROOT_NAME = '温江区志愿服务联合会'
const STATION = '白马社区志愿服务工作站'
const TEAM = '区级部门志愿服务队41'          // the 80th district team, id far past 50
const AGENCY = '温江区社会工作服务中心9'     // the last organisation the demo makes
const TOWN_ADMIN = { username: 'liucheng_admin', password: 'Liucheng-Admin-2026' }

let srv = null
let base = ''
let browser = null
let zh = null
let en = null
let page = null
const pageErrors = []
const data = {}

const step = steps('orgs-picker-', () => page)

// The tree node (.el-tree-node) whose own row holds the element testId.
const treeNode = (testId) => page.locator(byTest(testId))
  .locator('xpath=ancestor::div[contains(concat(" ", normalize-space(@class), " "), " el-tree-node ")][1]')

// One organisation by exact name, through the search API.
async function orgNamed(client, name) {
  const r = await client.get('/api/v1/organizations/search?' + new URLSearchParams({ q: name, limit: '5' }))
  assert.equal(r.status, 200, r.text)
  const hit = r.json.items.find((o) => o.name === name)
  assert.ok(hit, `no organisation named ${name}`)
  return hit
}

async function prepare() {
  const client = new Client(base)
  await client.login('admin', srv.adminPassword)
  data.client = client
  data.rootId = (await client.get('/api/v1/me')).json.org_id
  const all = (await client.get('/api/v1/organizations/search?limit=200')).json
  assert.equal(all.more, true)
  data.yongquan = await orgNamed(client, '涌泉街道志愿服务协会')
  data.liucheng = await orgNamed(client, '柳城街道志愿服务协会')
  const created = await client.post('/api/v1/organizations', { name: STATION, kind: 'station', parent_id: data.yongquan.id, region_code: '510115003012' })
  assert.equal(created.status, 201, created.text)
  data.station = created.json
  assert.ok(data.station.id > 300, `the new station is organisation ${data.station.id}`)
  data.team = await orgNamed(client, TEAM)
  data.agency = await orgNamed(client, AGENCY)
  data.hesheng10 = await orgNamed(client, '和盛镇第10社区志愿服务工作站')
  data.lc3 = await orgNamed(client, '柳城街道第3社区志愿服务工作站')
  assert.ok(data.team.id > 50 && data.agency.id > 50 && data.hesheng10.id > 50)
  const admin = await client.post('/api/v1/users', { ...TOWN_ADMIN, display_name: '柳城管理员', roles: ['admin'], org_id: data.liucheng.id })
  assert.equal(admin.status, 201, admin.text)
  // the town's subtree, to compare the town admin's picker with
  const town = new Client(base)
  await town.login(TOWN_ADMIN.username, TOWN_ADMIN.password)
  data.townOrgs = (await town.get('/api/v1/organizations/search?limit=200')).json.items
}

before(async () => {
  needWebBuild()
  srv = await withTimeout(startDistrict(), 120_000, 'startDistrict')
  base = srv.url
  await withTimeout(prepare(), 20_000, 'prepare')
  browser = await launchBrowser()
  zh = await newContext(browser)
  en = await newContext(browser, { locale: 'en-GB' })
  await en.addInitScript(() => localStorage.setItem('zhiyuan.locale', 'en'))
})

after(() => closeSuite(browser, srv))

// Types into an organisation picker and waits for the server's answer.
async function typeInPicker(scope, testId, query) {
  await scope.locator(byTest(testId)).click()
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/organizations/search') &&
    new URL(r.url()).searchParams.get('q') === query)
  await inputOf(scope, testId).fill(query)
  const response = await answered
  assert.equal(response.status(), 200)
  return (await response.json()).items
}

// The visible options of a picker's popper, [{ name, path }], when there
// are count of them, read in one go in the page (the list re-renders after
// each response, so reading option by option could see it half drawn).
function readOptions([cls, count]) {
  const items = [...document.querySelectorAll(`.${cls} .el-select-dropdown__item`)].filter((e) => e.offsetParent !== null)
  if (items.length !== count) return null
  return items.map((e) => ({
    name: (e.querySelector('.org-name')?.innerText || '').trim(),
    path: (e.querySelector('.org-path')?.innerText || '').trim(),
  }))
}

// Waits until a popper shows exactly n options (the list re-renders after
// the response arrives) and returns them, read in that same moment.
async function waitForOptions(popperClass, n) {
  const handle = await page.waitForFunction(readOptions, [popperClass, n])
  return handle.jsonValue()
}

test('organisation pickers and tree on a demo-sized district', { timeout: 240_000 }, async (t) => {

  await step(t, 'a new recorder gets the newest organisation (past the 300th), found by name, pinyin initials and path', async () => {
    page = await watchedPage(zh, pageErrors)
    await signIn(page, base, 'admin', srv.adminPassword)
    await page.locator(byTest('nav-users')).click()
    await page.waitForURL((url) => url.pathname === '/users')
    await page.locator(byTest('users-new')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('user-form-submit')) })
    await dialog.waitFor()
    await inputOf(dialog, 'user-form-username').fill('baima_recorder')
    await inputOf(dialog, 'user-form-display-name').fill('白马记录员')
    await inputOf(dialog, 'user-form-password').fill('Baima-Recorder-2026')
    await dialog.locator(byTest('user-form-roles')).click()
    await page.locator('.user-form-roles-popper').getByText('记录员', { exact: true }).click()
    await page.keyboard.press('Escape').catch(() => {})
    await dialog.waitFor()

    // the picker's placeholder says what it searches by
    assert.equal(await text(dialog.locator(`${byTest('user-form-org')} .el-select__placeholder`)), '输入名称、拼音首字母或上级名称搜索')
    // by path: the town, then 第1 — 第1, 第10, 第11 first, each with its path
    let items = await typeInPicker(dialog, 'user-form-org', '柳城 第1')
    assert.deepEqual(items.slice(0, 3).map((o) => o.name), ['柳城街道第1社区志愿服务工作站', '柳城街道第10社区志愿服务工作站', '柳城街道第11社区志愿服务工作站'])
    let shown = await waitForOptions('user-form-org-popper', items.length)
    assert.deepEqual(shown.slice(0, 3), [
      { name: '柳城街道第1社区志愿服务工作站', path: `${ROOT_NAME} › 柳城街道志愿服务协会` },
      { name: '柳城街道第10社区志愿服务工作站', path: `${ROOT_NAME} › 柳城街道志愿服务协会` },
      { name: '柳城街道第11社区志愿服务工作站', path: `${ROOT_NAME} › 柳城街道志愿服务协会` },
    ])
    // by pinyin initials
    items = await typeInPicker(dialog, 'user-form-org', 'bmsq')
    assert.deepEqual(items.map((o) => o.id), [data.station.id])
    assert.deepEqual(await waitForOptions('user-form-org-popper', 1), [{ name: STATION, path: `${ROOT_NAME} › 涌泉街道志愿服务协会` }])
    // by name, and picked with the keyboard
    items = await typeInPicker(dialog, 'user-form-org', '白马')
    assert.deepEqual(items.map((o) => o.id), [data.station.id])
    shown = await waitForOptions('user-form-org-popper', 1)
    assert.deepEqual(shown, [{ name: STATION, path: `${ROOT_NAME} › 涌泉街道志愿服务协会` }])
    await inputOf(dialog, 'user-form-org').press('ArrowDown')
    await inputOf(dialog, 'user-form-org').press('Enter')
    await dialog.locator(byTest('user-form-org')).filter({ hasText: STATION }).waitFor()

    const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/users') && r.request().method() === 'POST')
    await dialog.locator(byTest('user-form-submit')).click()
    const response = await sent
    assert.equal(response.status(), 201, await response.text())
    assert.equal(JSON.parse(response.request().postData()).org_id, data.station.id)
    await dialog.waitFor({ state: 'hidden' })
    const row = page.locator(`${byTest('users-table')} tr`, { has: page.locator(byTest('user-row-baima_recorder')) }).first()
    assert.match(await text(row), new RegExp(STATION))

    // editing shows the current organisation's name before any search
    await page.locator(byTest('user-edit-baima_recorder')).click()
    const edit = page.locator('.el-dialog').filter({ has: page.locator(byTest('user-form-submit')) })
    await edit.locator(byTest('user-form-org')).filter({ hasText: STATION }).waitFor()
    await shot(page, 'orgs-picker-user-edit')
    await page.keyboard.press('Escape')
    await edit.waitFor({ state: 'hidden' })
  })

  await step(t, 'the users filter finds organisations past the 50th too', async () => {
    await typeInPicker(page, 'users-org-filter', 'hszd10')
    assert.deepEqual(await waitForOptions('users-org-filter-popper', 1), [{ name: '和盛镇第10社区志愿服务工作站', path: `${ROOT_NAME} › 和盛镇志愿服务协会` }])
    const listed = page.waitForResponse((r) => r.url().includes('/api/v1/users?') && r.url().includes(`org_id=${data.hesheng10.id}`))
    await page.locator(`.users-org-filter-popper ${byTest(`users-org-filter-option-${data.hesheng10.id}`)}`).click()
    assert.equal((await listed).status(), 200)
  })

  await step(t, 'the tree: associations in pinyin order, then the teams folded, then agencies; 第9 before 第10', async () => {
    await page.locator(byTest('nav-organizations')).click()
    await page.waitForURL((url) => url.pathname === '/organizations')
    const rootNode = treeNode(`org-node-${data.rootId}`)
    const level1 = rootNode.locator(':scope > .el-tree-node__children > .el-tree-node > .el-tree-node__content')
    await level1.first().waitFor()
    const names = await level1.locator('.node-name').allInnerTexts()
    // in pinyin order: gong, hai, he, jin, liu, nong, shou, tian, wan, yong quan, yong ning
    const associations = ['公平街道志愿服务协会', '海峡科技园志愿服务协会', '和盛镇志愿服务协会', '金马街道志愿服务协会',
      '柳城街道志愿服务协会', '农业科技园志愿服务协会', '寿安镇志愿服务协会', '天府街道志愿服务协会', '万春镇志愿服务协会',
      '涌泉街道志愿服务协会', '永宁街道志愿服务协会']
    assert.deepEqual(names, [...associations, '志愿服务队（80）', ...Array.from({ length: 9 }, (_, i) => `温江区社会工作服务中心${i + 1}`)])
    assert.equal(await text(page.locator(byTest(`org-group-${data.rootId}-team`))), '志愿服务队（80）')
    // the group opens to its 80 teams
    await page.locator(byTest(`org-group-${data.rootId}-team`)).click()
    const group = treeNode(`org-group-${data.rootId}-team`)
    await group.locator(':scope > .el-tree-node__content .el-tree-node__expand-icon').click()
    const teams = group.locator(':scope > .el-tree-node__children > .el-tree-node > .el-tree-node__content .node-name')
    await teams.first().waitFor()
    assert.equal(await teams.count(), 80)
    const teamNames = await teams.allInnerTexts()
    assert.ok(teamNames.indexOf('区级部门志愿服务队9') < teamNames.indexOf('区级部门志愿服务队10'))
    assert.equal(teamNames.indexOf(TEAM), teamNames.indexOf('区级部门志愿服务队40') + 1)
    // 柳城: its teams, then its stations in natural order
    const lc = treeNode(`org-node-${data.liucheng.id}`)
    await lc.locator(':scope > .el-tree-node__content .el-tree-node__expand-icon').click()
    const lcKids = lc.locator(':scope > .el-tree-node__children > .el-tree-node > .el-tree-node__content .node-name')
    await lcKids.first().waitFor()
    assert.deepEqual(await lcKids.allInnerTexts(), [
      ...[1, 2, 3, 4, 5].map((n) => `柳城街道志愿服务队${n}`),
      ...Array.from({ length: 11 }, (_, i) => `柳城街道第${i + 1}社区志愿服务工作站`),
    ])
    await shot(page, 'orgs-tree')

    // moving 柳城第3社区 offers only associations, never its own parent
    await page.locator(byTest(`org-node-${data.lc3.id}`)).click()
    await page.locator(byTest('org-detail-name')).filter({ hasText: '柳城街道第3社区志愿服务工作站' }).waitFor()
    await page.locator(byTest('org-move')).click()
    const move = page.locator(byTest('org-move-dialog'))
    await move.waitFor()
    const found = await typeInPicker(move, 'org-move-target', '街道')
    assert.ok(found.every((o) => o.kind === 'association'), JSON.stringify(found.map((o) => o.kind)))
    const offered = (await waitForOptions('org-move-popper', found.length - 1)).map((o) => o.name)
    assert.deepEqual(offered, ['公平街道志愿服务协会', '金马街道志愿服务协会', '天府街道志愿服务协会', '涌泉街道志愿服务协会', '永宁街道志愿服务协会'])
    await page.keyboard.press('Escape')
    await move.locator('.el-dialog__headerbtn').click()
    await move.waitFor({ state: 'hidden' })
  })

  await step(t, 'English: the counter opens a store for the 80th district team', async () => {
    page = await watchedPage(en, pageErrors)
    await signIn(page, base, 'admin', srv.adminPassword)
    await page.locator(byTest('nav-counter')).click()
    await page.waitForURL((url) => url.pathname === '/counter')
    await page.locator(byTest('counter-new-store')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('store-submit')) })
    await dialog.waitFor()
    // the current value (the admin's own organisation) shows by name
    await dialog.locator(byTest('store-org')).filter({ hasText: ROOT_NAME }).waitFor()
    const items = await typeInPicker(dialog, 'store-org', '部门志愿服务队4')
    assert.deepEqual(items.map((o) => o.name), ['区级部门志愿服务队4', ...Array.from({ length: 2 }, (_, i) => `区级部门志愿服务队${40 + i}`)])
    const shown = await waitForOptions('store-org-popper', 3)
    assert.deepEqual(shown[2], { name: TEAM, path: ROOT_NAME })
    assert.equal(await text(page.locator(`.store-org-popper ${byTest(`org-option-${data.team.id}`)} .el-tag`)), 'Volunteer team')
    await page.locator(`.store-org-popper ${byTest(`org-option-${data.team.id}`)}`).click()
    await inputOf(dialog, 'store-name').fill('区级部门爱心超市')
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/stores') && r.request().method() === 'POST')
    await dialog.locator(byTest('store-submit')).click()
    const response = await sent
    assert.equal(response.status(), 201, await response.text())
    assert.equal(JSON.parse(response.request().postData()).org_id, data.team.id)
    await dialog.waitFor({ state: 'hidden' })
  })

  await step(t, 'English: award round and star roster pickers reach the last organisation', async () => {
    await page.locator(byTest('nav-awards')).click()
    await page.waitForURL((url) => url.pathname === '/awards')
    await page.locator(byTest('awards-tab-stars')).click()
    const roster = page.locator(byTest('star-roster'))
    await roster.locator(byTest('roster-org')).filter({ hasText: ROOT_NAME }).waitFor()
    await typeInPicker(roster, 'roster-org', 'wjqshgzfwzx9')
    assert.deepEqual(await waitForOptions('roster-org-popper', 1), [{ name: AGENCY, path: ROOT_NAME }])
    const loaded = page.waitForResponse((r) => r.url().includes(`/api/v1/organizations/${data.agency.id}/star-roster`))
    await page.locator(`.roster-org-popper ${byTest(`org-option-${data.agency.id}`)}`).click()
    assert.equal((await loaded).status(), 200)

    await page.locator(byTest('awards-tab-rounds')).click()
    await page.locator(byTest('round-new')).click()
    const dialog = page.locator('.el-dialog').filter({ has: page.locator(byTest('round-submit')) })
    await dialog.waitFor()
    await inputOf(dialog, 'round-name').fill('2026 Baima commendation')
    assert.deepEqual(await typeInPicker(dialog, 'round-org', 'zzzz'), [])
    await page.locator('.round-org-popper').getByText('No matching organisation').waitFor()
    await typeInPicker(dialog, 'round-org', '涌泉 白马')
    assert.deepEqual(await waitForOptions('round-org-popper', 1), [{ name: STATION, path: `${ROOT_NAME} › 涌泉街道志愿服务协会` }])
    await page.locator(`.round-org-popper ${byTest(`org-option-${data.station.id}`)}`).click()
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/award-rounds') && r.request().method() === 'POST')
    await dialog.locator(byTest('round-submit')).click()
    const response = await created
    assert.equal(response.status(), 201, await response.text())
    assert.equal(JSON.parse(response.request().postData()).org_id, data.station.id)
    const roundId = (await response.json()).id
    await page.waitForURL((url) => url.pathname === `/awards/${roundId}`)

    // nominating an organisation: the picker starts at the round's organisation
    await page.locator(byTest('nominate-open')).click()
    const nominate = page.locator('.el-dialog').filter({ has: page.locator(byTest('nominate-submit')) })
    await nominate.waitFor()
    await nominate.locator(byTest('nominate-type')).click()
    await page.locator('.nominate-type-popper .el-select-dropdown__item:visible', { hasText: '优秀志愿服务组织' }).click()
    await nominate.locator(byTest('nominate-org')).filter({ hasText: STATION }).waitFor()
    await shot(page, 'orgs-picker-nominate-en')

    // the tree's folded group in English
    await page.goto(base + '/organizations')
    assert.equal(await text(page.locator(byTest(`org-group-${data.rootId}-team`))), 'Volunteer team (80)')
  })

  await step(t, 'a town admin is offered only the town', async () => {
    page = await watchedPage(zh, pageErrors)
    await signIn(page, base, TOWN_ADMIN.username, TOWN_ADMIN.password)
    await page.locator(byTest('nav-users')).click()
    await page.waitForURL((url) => url.pathname === '/users')
    // the whole town is 23 organisations: the first 20 and a note
    assert.equal(data.townOrgs.length, 23)
    const opened = page.waitForResponse((r) => r.url().includes('/api/v1/organizations/search'))
    await page.locator(byTest('users-org-filter')).click()
    await opened
    const shown = await waitForOptions('users-org-filter-popper', 20)
    assert.equal(shown[0].name, '柳城街道志愿服务协会')
    assert.ok(shown.slice(1).every((o) => o.path.startsWith(`${ROOT_NAME} › 柳城街道志愿服务协会`)), JSON.stringify(shown))
    assert.equal(await text(page.locator('.users-org-filter-popper [data-test="org-picker-more"]')), '只显示前 20 个，请输入更多文字缩小范围')
    // another town's stations are not offered
    const items = await typeInPicker(page, 'users-org-filter', '白马')
    assert.deepEqual(items, [])
    await page.locator('.users-org-filter-popper').getByText('没有匹配的组织').waitFor()
    assert.deepEqual(await typeInPicker(page, 'users-org-filter', '涌泉'), [])
    const mine = await typeInPicker(page, 'users-org-filter', '第9')
    assert.deepEqual(mine.filter((o) => o.kind === 'station').map((o) => o.name), ['柳城街道第9社区志愿服务工作站'])
    assert.deepEqual(pageErrors, [])
  })
})
