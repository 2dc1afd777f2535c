// A district of the demo's size for the browser suites: `zhiyuan demo`
// (1 federation, 11 associations, 204 teams, 114 stations, 9 agencies,
// 64,318 synthetic volunteers) loaded into an SQLite file, and a server
// started on a copy of it. Pickers and lists break only with real numbers
// of organisations and people, so the suites that check them use this.
//
// The demo is generated once per build of the server (about 7 s) into
// build/test-district/ and copied for each suite, so suites never share a
// database. It is always loaded with the release binary, which is much
// faster than the ASan one; the server that serves it is ZHIYUAN_BIN.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { startServer, repoRoot } from './server.mjs'

export const DISTRICT_ADMIN_PASSWORD = 'District-Admin-2026'
export const DISTRICT_VOLUNTEERS = 64318

function cachedDemo() {
  const bin = join(repoRoot, 'build/zhiyuan')
  if (!existsSync(bin)) throw new Error(`server binary ${bin} not built`)
  const st = statSync(bin)
  const stamp = `${st.size}-${st.mtimeMs}`
  const root = join(repoRoot, 'build', 'test-district')
  const dir = join(root, 'current')
  if (existsSync(join(dir, 'stamp')) && readFileSync(join(dir, 'stamp'), 'utf8') === stamp) return dir
  mkdirSync(root, { recursive: true })
  const tmp = mkdtempSync(join(root, 'new-'))
  execFileSync(bin, ['demo', '--db', 'sqlite:' + join(tmp, 'demo.db'), '--key-file', join(tmp, 'zhiyuan.key'), '--log-level', 'error'], {
    env: { ...process.env, ZHIYUAN_ADMIN_PASSWORD: DISTRICT_ADMIN_PASSWORD },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  // fold the WAL into the file so that copying demo.db alone is complete
  execFileSync(bin, ['migrate', '--db', 'sqlite:' + join(tmp, 'demo.db'), '--key-file', join(tmp, 'zhiyuan.key'), '--log-level', 'error'])
  writeFileSync(join(tmp, 'stamp'), stamp)
  // another suite may have made one meanwhile: whichever rename lands is used
  rmSync(dir, { recursive: true, force: true })
  try {
    renameSync(tmp, dir)
  } catch {
    return tmp
  }
  return dir
}

/**
 * Starts a server on a fresh copy of the demo district. Options as for
 * startServer (args, env). Returns the server, whose adminPassword signs
 * in as `admin` at the root (温江区志愿服务联合会).
 */
export async function startDistrict(opts = {}) {
  const src = cachedDemo()
  const srv0 = mkdtempSync(join(repoRoot, 'build', 'test-district', 'run-'))
  for (const f of ['demo.db', 'zhiyuan.key']) copyFileSync(join(src, f), join(srv0, f))
  for (const f of ['demo.db-wal', 'demo.db-shm']) if (existsSync(join(src, f))) copyFileSync(join(src, f), join(srv0, f))
  const srv = await startServer({
    ...opts,
    backend: 'sqlite',
    adminPassword: DISTRICT_ADMIN_PASSWORD,
    args: ['--db', 'sqlite:' + join(srv0, 'demo.db'), '--key-file', join(srv0, 'zhiyuan.key'), ...(opts.args || [])],
  })
  const stop = srv.stop.bind(srv)
  srv.stop = async () => {
    const st = await stop()
    rmSync(srv0, { recursive: true, force: true })
    return st
  }
  return srv
}

/**
 * Every organisation of the district through GET /organizations, page by
 * page (200 a page), as client sees them; the district has more than 300.
 */
export async function allOrganizations(client) {
  const orgs = []
  let cursor = ''
  for (let i = 0; i < 20; i++) {
    const r = await client.get('/api/v1/organizations?limit=200' + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''))
    assert.equal(r.status, 200, r.text)
    orgs.push(...r.json.items)
    cursor = r.json.next_cursor
    if (!cursor) break
  }
  assert.ok(orgs.length > 300, `the demo district (${orgs.length} organisations)`)
  return orgs
}
