// Test data the browser suites share, made through the API: a town
// association with a community station under the root, and volunteers
// who register themselves. Everyone is synthetic (tests/lib/ids.mjs).
import assert from 'node:assert/strict'
import { Client } from './client.mjs'
import { residentId } from './ids.mjs'

/**
 * An association and a station under it, below the root organisation.
 * town is a 9-digit region code (510115005); the association takes its
 * 000 and the station its 001. Names should carry a suffix that keeps
 * reruns on one database apart. Returns { rootId, association, station }.
 */
export async function branch(client, { association, station, town }) {
  const rootId = (await client.get('/api/v1/me')).json.org_id
  const a = await client.post('/api/v1/organizations', { name: association, kind: 'association', parent_id: rootId, region_code: `${town}000` })
  assert.equal(a.status, 201, `create association: ${a.text}`)
  const s = await client.post('/api/v1/organizations', { name: station, kind: 'station', parent_id: a.json.id, region_code: `${town}001` })
  assert.equal(s.status, 201, `create station: ${s.text}`)
  return { rootId, association: a.json, station: s.json }
}

/**
 * A volunteer who registers on the public form with a login of their own:
 * who = { name, phone, password }, born on birth (YYYYMMDD) with ID
 * sequence seq, living in region (12 digits), joining org. Returns the
 * volunteer's file.
 */
export async function selfRegister(base, who, { birth, seq, region, org }) {
  const joined = await new Client(base).post('/api/v1/public/volunteers', {
    name: who.name,
    id_type: 'resident_id',
    id_number: residentId('510115', birth, seq),
    phone: who.phone,
    region_code: region,
    org_id: org,
    password: who.password,
    consent: { sensitive: true, notice_version: '2026-11' },
  })
  assert.equal(joined.status, 201, `self-registration: ${joined.text}`)
  return joined.json.volunteer
}

/**
 * A staff account made by root (a signed-in Client) with a password the
 * rule accepts, signed in: returns its Client, with .id the user's id.
 */
export async function staffUser(root, username, roles, orgId) {
  const password = 'Pw-' + username + '-2026x'
  const r = await root.post('/api/v1/users', { username, password, roles, org_id: orgId })
  assert.equal(r.status, 201, r.text)
  const c = new Client(root.base)
  await c.login(username, password)
  c.id = r.json.id
  return c
}
