// Shared vocabulary and helpers of the points (公益银行) pages: the points
// panel of the archive and the staff ledger. Importing this merges their
// text into vue-i18n, so it travels in those pages' lazy chunks only.
import './pointsMessages.js'
import { api } from './api.js'

export const CAUSES = ['earn', 'reverse', 'adjust']
// Every cause the server records (PointMovement.cause in docs/openapi.json):
// each has a word under points.cause and a tag colour here.
export const CAUSE_TAG = {
  earn: 'success',
  reverse: 'warning',
  adjust: 'info',
  voucher: 'warning',
  redeem: 'info',
  refund: 'success',
  sale: 'warning',
  expire: 'warning',
}
// Causes explained by a note of their own (points.note.<cause>, with {n}
// the points moved): the market's movements carry no reason text.
const NOTED_CAUSES = ['voucher', 'redeem', 'refund', 'sale', 'expire']
// whole numbers ≥ 1 or empty (none): the caps, and how many days earned points last
export const RULE_CAPS = ['cap_per_activity', 'cap_per_day', 'cap_per_year', 'expiry_days']
export const MAX_ADJUST = 100000

// Points of a movement seen from the volunteer's side: positive when they
// go to the volunteer's account, negative when they leave it.
export function signedAmount(movement) {
  const amount = Number(movement?.amount) || 0
  if (movement?.from?.kind === 'volunteer') return -amount
  return movement?.to?.kind === 'volunteer' ? amount : 0
}

// "+28", "−2" (U+2212 minus sign) or "0".
export function formatSigned(n) {
  if (n > 0) return `+${n}`
  if (n < 0) return `\u2212${-n}`
  return '0'
}

// The amount of a movement as the volunteer's history shows it. A voucher
// redeemed at the counter moves its points from escrow to the store: they
// left the volunteer's balance when the voucher was issued, so the line
// changes nothing and shows the amount in brackets instead of a bare 0.
export function movementAmount(movement) {
  const n = signedAmount(movement)
  const amount = Number(movement?.amount) || 0
  return n === 0 && amount > 0 ? `(${amount})` : formatSigned(n)
}

// The message key of a movement's explanatory note, or '' when it has none.
export function causeNote(movement) {
  return NOTED_CAUSES.includes(movement?.cause) ? `points.note.${movement.cause}` : ''
}

// One page of movements (newest first).
export function fetchMovements({ volunteerId, orgId, limit = 20, cursor } = {}) {
  return api.get('/points/movements', { volunteer_id: volunteerId, org_id: orgId, limit, cursor })
}

// Whether an error means the server does not serve the points API at all
// (an older build), as opposed to a real failure.
export function notServed(error) {
  return (error?.status === 404 && error?.code === 'not_found' && !error?.field) || error?.status === 405
}

// A rate typed by hand ("1.5") as a number, or null when it is not one.
// Ranges are the server's to judge.
export function parseRate(text) {
  const s = String(text ?? '').trim()
  if (!s) return null
  const n = Number(s)
  return Number.isFinite(n) ? n : null
}

// A cap typed by hand: '' → no cap (null); a whole number → that number;
// anything else → undefined (not acceptable).
export function parseCap(text) {
  const s = String(text ?? '').trim()
  if (!s) return null
  return /^[+-]?\d{1,12}$/.test(s) ? Number(s) : undefined
}
