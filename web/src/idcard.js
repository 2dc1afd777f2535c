// Client-side check of mainland resident ID numbers (GB 11643-1999), used to
// help while typing. The server stays the authority: it validates again and
// its answer is what counts.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'
// Two-digit province-level codes (GB/T 2260), including 71 Taiwan, 81 Hong
// Kong and 82 Macao (used on residence permits).
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62,
  63, 64, 65, 71, 81, 82,
])

// Spaces dropped, letters upper-cased, as the server does.
export function normalizeId(value) {
  return String(value || '').replace(/\s+/g, '').toUpperCase()
}

// The check character for the first 17 digits.
export function checkChar(first17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

function pad(n) {
  return String(n).padStart(2, '0')
}

// Whole years between birth (YYYY-MM-DD) and today (a Date, local time).
export function ageOn(birthDate, today = new Date()) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate || '')
  if (!m) return null
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  let age = today.getFullYear() - y
  const month = today.getMonth() + 1
  if (month < mo || (month === mo && today.getDate() < d)) age -= 1
  return age
}

// Checks a resident ID. Returns { state, code?, birthDate?, gender? }:
// state 'empty' | 'partial' (still typing) | 'invalid' | 'valid'; code names
// the problem like the server's error codes (id_format, id_checksum,
// id_birth_date, id_province, id_legacy_15).
export function checkResidentId(raw, today = new Date()) {
  const id = normalizeId(raw)
  if (!id) return { state: 'empty' }
  if (!/^\d{0,17}[\dX]?$/.test(id) || (id.length < 18 && id.includes('X'))) return { state: 'invalid', code: 'id_format' }
  if (id.length >= 2 && !PROVINCES.has(Number(id.slice(0, 2)))) return { state: 'invalid', code: 'id_province' }
  if (id.length < 18) return { state: 'partial', length: id.length }
  const year = Number(id.slice(6, 10))
  const month = Number(id.slice(10, 12))
  const day = Number(id.slice(12, 14))
  const date = new Date(Date.UTC(year, month - 1, day))
  const valid =
    year >= 1900 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  const todayYmd = today.getFullYear() * 10000 + (today.getMonth() + 1) * 100 + today.getDate()
  if (!valid || year * 10000 + month * 100 + day > todayYmd) return { state: 'invalid', code: 'id_birth_date' }
  if (checkChar(id.slice(0, 17)) !== id[17]) return { state: 'invalid', code: 'id_checksum' }
  return {
    state: 'valid',
    birthDate: `${year}-${pad(month)}-${pad(day)}`,
    gender: Number(id[16]) % 2 === 1 ? 'male' : 'female',
  }
}

// A 15-digit all-numeric number is a first-generation card (no longer accepted).
export function isLegacy15(raw) {
  return /^\d{15}$/.test(normalizeId(raw))
}
