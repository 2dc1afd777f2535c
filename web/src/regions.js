// The region table as pickers and labels read it: children of a code from
// GET /public/regions (no sign-in), cached for the page load since the
// table changes rarely, and the names along a code's path.
import { api } from './api.js'

const cache = new Map()

// { parent_code, parent_name, items: [{ code, name, level, has_children }] }
export function regionChildren(parent) {
  const key = parent || ''
  if (!cache.has(key)) {
    const p = api.get('/public/regions', parent ? { parent_code: parent } : undefined, { skipAuthRedirect: true })
    p.catch(() => cache.delete(key))
    cache.set(key, p)
  }
  return cache.get(key)
}

export const code12 = (v) => (/^\d{6}$/.test(v) ? v + '000000' : v)

// "和盛镇 / 百花村" for 510115101201, "温江区" for 510115; '' when the code
// is not in the table (or the table did not load).
export async function regionLabel(code) {
  if (!/^(\d{6}|\d{12})$/.test(code || '')) return ''
  const c = code12(code)
  try {
    const county = c.slice(0, 6) + '000000'
    if (c === county) return (await regionChildren(county)).parent_name || ''
    const town = c.slice(0, 9) + '000'
    const towns = await regionChildren(county)
    const t = towns.items.find((x) => x.code === town)
    if (!t) return ''
    if (c === town) return t.name
    const v = (await regionChildren(town)).items.find((x) => x.code === c)
    return v ? `${t.name} / ${v.name}` : ''
  } catch {
    return ''
  }
}
