// Residents' orders in the console and on the public pages: the preferred
// time slots (China time), the vulnerable groups an order may flag, the
// sub-items of the public menu as a flat list, and the communities of the
// district for the keyboard-only intake.
import { api } from './api.js'
import { withChinaOffset, chinaToday } from './records.js'
import { regionChildren } from './regions.js'

export const GROUPS = ['elderly_alone', 'elderly', 'disabled', 'left_behind_children', 'low_income', 'seriously_ill']
export const STATUSES = ['submitted', 'accepted', 'dispatched', 'in_service', 'delivered', 'rated', 'closed', 'declined', 'cancelled']
// slot → [from, to] as "HH:MM" China time
export const SLOTS = { morning: ['08:00', '12:00'], afternoon: ['14:00', '18:00'], evening: ['18:00', '21:00'], day: ['08:00', '18:00'] }
export const SLOT_KEYS = ['morning', 'afternoon', 'evening', 'day']
// The reasons the server itself gives a move (not staff's words).
export const SYSTEM_REASONS = ['offered', 'no_provider', 'escalated', 'not_rated']

// The preferred window of a day ("YYYY-MM-DD") and a slot, as the API takes it.
export function slotWindow(day, slot) {
  const [from, to] = SLOTS[slot] || SLOTS.day
  return { preferred_from: withChinaOffset(`${day}T${from}:00`), preferred_to: withChinaOffset(`${day}T${to}:00`) }
}

// Tomorrow in China as "YYYY-MM-DD" (the default day of an order).
export function chinaTomorrow() {
  const d = new Date(`${chinaToday()}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

// The public menu's sub-items: [{ id, name, item, category, description,
// orderable, itemId, categoryId, weekdays, dayFrom, dayTo }] (orderable: a
// provider takes it; weekdays/dayFrom/dayTo: its service time).
let menuPromise = null
function publicMenu() {
  if (!menuPromise) {
    menuPromise = api.get('/public/menu', undefined, { skipAuthRedirect: true })
    menuPromise.catch(() => (menuPromise = null))
  }
  return menuPromise
}
export async function publicSubItems() {
  const menu = await publicMenu()
  const out = []
  for (const c of menu.items || []) {
    for (const i of c.children || []) {
      for (const s of i.children || []) {
        out.push({
          id: s.id, name: s.name, item: i.name, category: c.name, description: s.description || '',
          orderable: !Array.isArray(s.providers) || s.providers.length > 0,
          itemId: i.id, categoryId: c.id, weekdays: s.weekdays ?? 127, dayFrom: s.day_from ?? 0, dayTo: s.day_to ?? 1440,
        })
      }
    }
  }
  return out
}
// The active hotlines of the public menu: [{ id, number, name, item_ids, … }].
export async function publicHotlines() {
  return (await publicMenu()).hotlines || []
}
// Whether hotline h takes sub-item s (named itself, or its item or category).
export function hotlineTakes(h, s) {
  return !!s && (h.item_ids || []).some((id) => id === s.id || id === s.itemId || id === s.categoryId)
}

const hm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
// the weekdays' names in the order of the menu's bits (bit 0 Monday)
const WEEKDAY_KEYS = ['orderLife.weekday.mon', 'orderLife.weekday.tue', 'orderLife.weekday.wed', 'orderLife.weekday.thu',
  'orderLife.weekday.fri', 'orderLife.weekday.sat', 'orderLife.weekday.sun']
// A sub-item's service time as people read it: "周一、周三 09:00–17:00"
// (t: vue-i18n's t).
export function serviceHoursText(t, weekdays, dayFrom, dayTo) {
  const days = weekdays === 127 ? t('orderLife.everyDay')
    : WEEKDAY_KEYS.filter((k, b) => weekdays & (1 << b)).map((k) => t(k)).join(t('orderLife.daySep'))
  return `${days} ${hm(dayFrom)}–${hm(dayTo)}`
}

// Every community (and town) of the district: [{ code, label }], towns
// first by name, each followed by its communities.
export async function districtCommunities() {
  const top = await regionChildren(null)
  const out = []
  const towns = await Promise.all(top.items.map((town) => (town.has_children ? regionChildren(town.code) : Promise.resolve({ items: [] }))))
  top.items.forEach((town, i) => {
    out.push({ code: town.code, label: town.name })
    for (const v of towns[i].items) out.push({ code: v.code, label: `${town.name} / ${v.name}` })
  })
  return out
}

// Whether an order's status counts as still being worked on.
export const OPEN_STATUSES = ['submitted', 'accepted', 'dispatched', 'in_service', 'declined']
