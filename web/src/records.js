// Shared vocabulary and helpers of the service-record pages (entry, approval,
// archive, training, certificates). Importing this merges their text into
// vue-i18n, so it travels in those pages' lazy chunks only.
import './recordsMessages.js'
import { api } from './api.js'
import { session } from './session.js'

export const QUALITIES = ['excellent', 'good', 'pass', 'fail']
export const RECORD_STATUSES = ['submitted', 'approved', 'rejected']
export const CHINA_OFFSET = '+08:00'

// Minutes shown as hours with one decimal ("12.5").
export function hours(minutes) {
  const n = Number(minutes) || 0
  return (Math.round(n / 6) / 10).toFixed(1)
}

// Default minutes of a record: the activity's length, down to a multiple of
// 30 (the server refuses minutes longer than the activity), at least 30.
export function defaultMinutes(activity) {
  if (!activity) return 60
  const ms = new Date(activity.ends_at).getTime() - new Date(activity.starts_at).getTime()
  if (!Number.isFinite(ms) || ms <= 0) return 60
  return Math.max(30, Math.floor(ms / 60000 / 30) * 30)
}

const pad = (n) => String(n).padStart(2, '0')

// Wall-clock time in China (UTC+8) of a Date as "YYYY-MM-DDTHH:mm:ss".
export function chinaWallTime(date) {
  const d = new Date(date.getTime() + 8 * 3600 * 1000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00`
}

// A picked wall time ("YYYY-MM-DDTHH:mm:ss", China time) as ISO 8601 with the offset.
export function withChinaOffset(wall) {
  return wall ? `${wall}${CHINA_OFFSET}` : ''
}

// "2026-11-02 09:00" in China time for an ISO instant.
export function chinaTime(iso) {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  return chinaWallTime(d).slice(0, 16).replace('T', ' ')
}

export function chinaDate(iso) {
  return chinaTime(iso).slice(0, 10)
}

// Today in China as "YYYY-MM-DD".
export function chinaToday() {
  return chinaWallTime(new Date()).slice(0, 10)
}

// A random UUID (v4); crypto.randomUUID needs a secure context, so fall back
// to getRandomValues on plain-http LAN addresses.
export function uuid() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

// "entries[2].minutes" → { index: 2, field: 'minutes' }.
export function entryField(field) {
  const m = typeof field === 'string' ? field.match(/^entries\[(\d+)\](?:\.(\w+))?$/) : null
  return m ? { index: Number(m[1]), field: m[2] || '' } : null
}

// Colour of each quality level: excellent green, good blue, pass grey,
// fail orange. Show a quality with components/QualityTag.vue, which also
// gives good its blue (QUALITY_CLASS): the console's primary colour is the
// brand red, which reads as an error. QUALITY_TAG stays a map of Element
// tag types for code that sets :type itself.
export const QUALITY_TAG = { excellent: 'success', good: 'primary', pass: 'info', fail: 'warning' }
export const QUALITY_CLASS = { good: 'zy-tag-blue' }

// A record's grade, or the nearest grade of an average (3 excellent … 0
// fail, as the award candidates carry it); '' when there is none.
export function qualityLevel(quality) {
  if (typeof quality === 'string') return QUALITIES.includes(quality) ? quality : ''
  if (typeof quality !== 'number' || !Number.isFinite(quality)) return ''
  if (quality >= 2.5) return 'excellent'
  if (quality >= 1.5) return 'good'
  if (quality >= 0.5) return 'pass'
  return 'fail'
}
export const STATUS_TAG = { submitted: 'warning', approved: 'success', rejected: 'danger' }
