// The authorisation matrix's district: two sibling associations under the
// root ("A", the callers' own subtree, and "B", the sibling), each with
// staff of every role, a volunteer who signs in, a volunteer on file, an
// activity with a pending and an approved record, a published project
// with a shift and a sign-up, a store with goods, a voucher, a training,
// a certificate, an award round with a nomination, a join request and an
// API token: every {id} a route takes can be filled from either side.
// Everything in B carries the marker SIBLING_MARK in its names, so a
// response to a caller of A can be searched for it.
import assert from 'node:assert/strict';
import { Client } from './client.mjs';
import { residentId, birthForAge } from './ids.mjs';

export const SIBLING_MARK = '乙侧标记';
export const STAFF_PASSWORD = 'Matrix-staff-pass-7';

const H = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// the object a path parameter stands for, by the segment before it
const PARAM_BY_SEGMENT = {
  tokens: 'token', users: 'users.recorder', organizations: 'leaf', volunteers: 'volunteer', records: 'record',
  stores: 'store', goods: 'goods', 'award-rounds': 'round', nominations: 'nomination', trainings: 'training',
  certificates: 'serial', projects: 'project', shifts: 'shift', signups: 'signup', 'join-requests': 'joinRequest',
  regions: 'code', vouchers: 'voucher', calendar: 'date', population: 'year',
  items: 'menuItem', hotlines: 'hotline',
  orders: 'order', assignments: 'assignment',
  'order-cases': 'orderCase',
};

/** The fixture object ("record", "users.recorder") that fills path
 * parameter name found at offset at of pattern. */
export function paramObject(pattern, name, at) {
  const seg = pattern.slice(0, at).split('/').filter(Boolean).pop();
  return PARAM_BY_SEGMENT[seg] || name;
}

/** pattern with every parameter filled from side (date and year fixed). */
export function fillPath(pattern, side) {
  return pattern.replace(/\{(\w+)\}/g, (_, name, at) => {
    const obj = paramObject(pattern, name, at);
    const v = obj === 'date' ? '2026-10-01' : obj === 'year' ? '2025' : obj.split('.').reduce((o, k) => o?.[k], side);
    return encodeURIComponent(String(v));
  });
}

async function ok(p, what, status = [200, 201]) {
  const r = await p;
  assert.ok([].concat(status).includes(r.status), `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

/**
 * Builds one side. root is a signed-in root admin; roles the role names
 * the server knows; side 'A' or 'B'; town a 9-digit region code.
 * Returns the side's objects and a signed-in Client per role.
 */
async function buildSide(base, root, rootId, roles, side, town, seq) {
  const mark = side === 'B' ? SIBLING_MARK : '甲侧';
  const s = { side, mark, region: `${town}001`, clients: {}, users: {}, logins: {} };
  s.org = (await ok(root.post('/api/v1/organizations', { name: `${mark}协会`, kind: 'association', parent_id: rootId, region_code: `${town}000` }), 'association')).id;
  s.leaf = (await ok(root.post('/api/v1/organizations', { name: `${mark}社区站`, kind: 'station', parent_id: s.org, region_code: `${town}001` }), 'station')).id;
  s.leaf2 = (await ok(root.post('/api/v1/organizations', { name: `${mark}第二站`, kind: 'station', parent_id: s.org, region_code: `${town}001` }), 'station 2')).id;
  for (const role of roles) {
    if (role === 'volunteer') continue;
    const username = `m${side.toLowerCase()}_${role}`;
    const u = await ok(root.post('/api/v1/users', { username, password: STAFF_PASSWORD, roles: [role], org_id: s.org, display_name: `${mark}${role}` }), `user ${role}`);
    s.users[role] = u.id;
    const c = new Client(base);
    await c.login(username, STAFF_PASSWORD);
    s.clients[role] = c;
    s.logins[role] = username;
  }
  // a volunteer who signs in, registered on the public form
  const phone = `139${side === 'A' ? '1' : '2'}000${String(seq).padStart(4, '0')}`;
  const joined = await ok(new Client(base).post('/api/v1/public/volunteers', {
    name: `${mark}自助`, id_type: 'resident_id', id_number: residentId('510115', birthForAge(30), seq),
    phone, region_code: s.region, org_id: s.leaf, password: STAFF_PASSWORD,
    consent: { sensitive: true, notice_version: '2026-11' },
  }), 'self-registration', 201);
  s.selfVolunteer = joined.volunteer.id;
  const vc = new Client(base);
  await vc.login(phone, STAFF_PASSWORD);
  s.clients.volunteer = vc;
  s.logins.volunteer = phone;
  /** A new session of role's user, for requests that end the old one. */
  s.signIn = async (role) => {
    const c = new Client(base);
    await c.login(s.logins[role], STAFF_PASSWORD);
    return c;
  };
  s.users.volunteer = (await ok(vc.get('/api/v1/me'), 'me')).id;
  // a volunteer on file, entered by staff
  s.volunteer = (await ok(root.post('/api/v1/volunteers', {
    name: `${mark}志愿者`, id_type: 'resident_id', id_number: residentId('510115', birthForAge(40), seq + 2),
    phone: `138${side === 'A' ? '1' : '2'}000${String(seq).padStart(4, '0')}`, region_code: s.region, org_id: s.org,
    consent: { sensitive: true, notice_version: '2026-11' },
  }), 'volunteer')).id;
  // an activity two days ago with an approved and a pending record
  const t0 = Date.now() - 48 * H;
  s.activity = (await ok(root.post('/api/v1/activities', { name: `${mark}活动`, org_id: s.org, starts_at: iso(t0), ends_at: iso(t0 + 3 * H), place: `${mark}广场`, content: `${mark}服务` }), 'activity')).id;
  s.activity2 = (await ok(root.post('/api/v1/activities', { name: `${mark}活动二`, org_id: s.org, starts_at: iso(t0 + 4 * H), ends_at: iso(t0 + 5 * H), place: `${mark}广场`, content: `${mark}服务` }), 'activity 2')).id;
  const approved = await ok(s.clients.recorder.post('/api/v1/records', { activity_id: s.activity, volunteer_id: s.volunteer, minutes: 120, quality: 'good' }), 'record');
  await ok(root.post(`/api/v1/records/${approved.id}/approve`), 'approve');
  s.record = (await ok(root.post('/api/v1/records', { activity_id: s.activity, volunteer_id: s.selfVolunteer, minutes: 60, quality: 'good' }), 'pending record')).id;
  s.record2 = (await ok(root.post('/api/v1/records', { activity_id: s.activity2, volunteer_id: s.selfVolunteer, minutes: 30, quality: 'pass' }), 'second pending record')).id;
  // points, a store with goods, a voucher
  await ok(root.post('/api/v1/points/adjustments', { volunteer_id: s.volunteer, amount: 300, reason: `${mark}奖励` }), 'points');
  await ok(root.post('/api/v1/points/adjustments', { volunteer_id: s.selfVolunteer, amount: 300, reason: `${mark}奖励` }), 'points');
  s.store = (await ok(root.post('/api/v1/stores', { org_id: s.org, name: `${mark}爱心超市`, allow_on_behalf: true }), 'store')).id;
  s.goods = (await ok(root.post(`/api/v1/stores/${s.store}/goods`, { name: `${mark}大米`, price: 10 }), 'goods')).id;
  await ok(root.post(`/api/v1/goods/${s.goods}/stock`, { delta: 100, reason: '入库' }), 'stock');
  s.voucher = (await ok(root.post('/api/v1/vouchers', { volunteer_id: s.volunteer, value: 30 }), 'voucher')).code;
  // a training, a certificate
  s.training = (await ok(root.post('/api/v1/trainings', { name: `${mark}培训`, org_id: s.org, study_minutes: 60, held_on: iso(t0).slice(0, 10) }), 'training')).id;
  s.serial = (await ok(root.post('/api/v1/certificates', { volunteer_id: s.volunteer, from: '2020-01-01', to: iso(Date.now() + 8 * H).slice(0, 10) }), 'certificate')).serial;
  // a published project with a shift next week and a sign-up
  s.project = (await ok(root.post('/api/v1/projects', { title: `${mark}项目`, org_id: s.org, domain: 'social_assistance', category: '助老' }), 'project')).id;
  await ok(root.post(`/api/v1/projects/${s.project}/publish`), 'publish');
  const t1 = Date.now() + 7 * 24 * H;
  const shift = await ok(root.post(`/api/v1/projects/${s.project}/shifts`, { starts_at: iso(t1), ends_at: iso(t1 + 2 * H), place: `${mark}食堂`, capacity: 50 }), 'shift');
  s.shift = (shift.items ? shift.items[0] : shift).id;
  s.signup = (await ok(root.post(`/api/v1/shifts/${s.shift}/signups`, { volunteer_id: s.volunteer }), 'sign-up')).id;
  // an award round with a nomination
  s.round = (await ok(root.post('/api/v1/award-rounds', { name: `${mark}年度表彰`, org_id: s.org, period_from: '2020-01-01', period_to: iso(Date.now() + 8 * H).slice(0, 10) }), 'round')).id;
  // a join request of the self-registered volunteer to the station
  s.joinRequest = (await ok(vc.post('/api/v1/me/volunteer/join-requests', { org_id: s.leaf2, note: `${mark}申请` }), 'join request')).id;
  // an API token of the side's admin
  s.token = (await ok(s.clients.admin.post('/api/v1/tokens', { name: `${mark}令牌` }), 'token')).id;
  s.code = `${town}001`;
  // the district's menu is the root's: a category and a hotline per side
  s.menuItem = (await ok(root.post('/api/v1/menu/items', { name: `${mark}菜单类别`, parent_id: null }), 'menu item', 201)).id;
  s.hotline = (await ok(root.post('/api/v1/menu/hotlines', { number: `028-8${side === 'A' ? 1 : 2}${String(seq).padStart(6, '0')}`, name: `${mark}热线`, org_id: s.org }), 'hotline', 201)).id;
  // residents' orders of a sub-item the side's organisations provide:
  // one to read and accept, one each to decline (offered on to leaf2,
  // then org, then up to the root: three declines stay in the subtree)
  // and to cancel
  const menuItem2 = (await ok(root.post('/api/v1/menu/items', { name: `${mark}菜单项目`, parent_id: s.menuItem }), 'menu item 2', 201)).id;
  s.orderItem = (await ok(root.post('/api/v1/menu/items', { name: `${mark}菜单子项目`, parent_id: menuItem2, provider_ids: [s.leaf, s.leaf2, s.org] }), 'sub-item', 201)).id;
  const placeOrder = async (n) => (await ok(root.post('/api/v1/orders', {
    menu_item_id: s.orderItem, requester_name: `${mark}居民${n}`, phone: `137${side === 'A' ? 1 : 2}000${String(seq + n).padStart(4, '0')}`,
    address: `${mark}小区${n}栋`, region_code: s.region, preferred_from: iso(Date.now() + 24 * H), preferred_to: iso(Date.now() + 26 * H),
    channel: 'hotline', consent: true,
  }), `order ${n}`, 201)).id;
  s.order = await placeOrder(1);
  s.orderDecline = await placeOrder(2);
  s.orderCancel = await placeOrder(3);
  // dispatch: an order the side's station accepted, offered to the
  // volunteer who signs in (accept, decline, withdraw)
  const dispatchItem = (await ok(root.post('/api/v1/menu/items', { name: `${mark}派单子项目`, parent_id: menuItem2, provider_ids: [s.leaf] }), 'dispatch sub-item', 201)).id;
  s.orderDispatch = (await ok(root.post('/api/v1/orders', {
    menu_item_id: dispatchItem, requester_name: `${mark}居民4`, phone: `137${side === 'A' ? 1 : 2}000${String(seq + 4).padStart(4, '0')}`,
    address: `${mark}小区4栋`, region_code: s.region, preferred_from: iso(Date.now() + 24 * H), preferred_to: iso(Date.now() + 26 * H),
    channel: 'hotline', consent: true,
  }), 'order 4', 201)).id;
  await ok(root.post(`/api/v1/orders/${s.orderDispatch}/accept`), 'accept for dispatch');
  s.assignment = (await ok(root.post(`/api/v1/orders/${s.orderDispatch}/assignments`, { volunteer_ids: [s.selfVolunteer] }), 'offer', 201)).items[0].id;
  // a complaint about the first order: a case to read and close
  s.orderCase = (await ok(root.post(`/api/v1/orders/${s.order}/complaints`, { details: `${mark}投诉` }), 'case', 201)).id;
  return s;
}

/** Builds both sides; returns { A, B, rootId, typeId }. */
export async function buildMatrixDistrict(base, root, roles) {
  const rootId = (await root.get('/api/v1/me')).json.org_id;
  const types = (await root.get('/api/v1/award-types')).json.items;
  const A = await buildSide(base, root, rootId, roles, 'A', '510115002', 101);
  const B = await buildSide(base, root, rootId, roles, 'B', '510115003', 201);
  for (const s of [A, B]) {
    const type = types.find((t) => t.target === 'volunteer');
    s.type = type.id;
    s.nomination = (await ok(root.post(`/api/v1/award-rounds/${s.round}/nominations`, { type_id: type.id, volunteer_id: s.volunteer, reason: `${s.mark}服务时长` }), 'nomination')).id;
  }
  return { A, B, rootId };
}
