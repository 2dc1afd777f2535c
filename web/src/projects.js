// Shared vocabulary and helpers of the project pages (项目化运行): projects,
// shifts, sign-ups and check-in. Importing this merges their text into
// vue-i18n, so it travels in those pages' lazy chunks only.
import './projectsMessages.js'
import { chinaTime } from './records.js'

// 社会公益 / 社会建设 / 社会治理 / 社会援助
export const DOMAINS = ['public_welfare', 'social_construction', 'social_governance', 'social_assistance']

export const PROJECT_STATUSES = ['draft', 'published', 'in_progress', 'completed', 'cancelled']
export const PROJECT_TAG = { draft: 'info', published: 'success', in_progress: 'primary', completed: 'info', cancelled: 'danger' }

// Status changes a project allows (the server decides): action → allowed from.
export const PROJECT_ACTIONS = [
  { action: 'publish', from: ['draft'], type: 'primary' },
  { action: 'start', from: ['published'], type: 'primary' },
  { action: 'complete', from: ['in_progress'], type: 'success' },
  { action: 'cancel', from: ['draft', 'published', 'in_progress'], type: 'danger' },
]
// message key of the toast after each action
export const ACTION_DONE = { publish: 'proj.published', start: 'proj.started', complete: 'proj.completed', cancel: 'proj.cancelled' }

export const isFinal = (status) => status === 'completed' || status === 'cancelled'

export const SIGNUP_TAG = { confirmed: 'success', waitlisted: 'warning', cancelled: 'info', checked_in: 'primary', attended: 'info', no_show: 'danger' }
// sign-ups that still hold a place (or a waiting position)
export const LIVE_SIGNUPS = ['confirmed', 'waitlisted', 'checked_in']

// ISO weekdays, 1 = Monday.
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7]

// What the QR code of a shift holds: "my shifts" with the shift and a code,
// so a phone camera opens the volunteer's page, which checks in.
export function checkInUrl(shiftId, code) {
  return `${window.location.origin}/me/shifts?shift=${encodeURIComponent(shiftId)}&code=${encodeURIComponent(code)}`
}

// "2026-11-02 09:00–11:30" (China time); the end date only when it differs.
export function shiftTime(shift) {
  if (!shift) return ''
  const from = chinaTime(shift.starts_at)
  const to = chinaTime(shift.ends_at)
  return to.slice(0, 10) === from.slice(0, 10) ? `${from}–${to.slice(11)}` : `${from} – ${to}`
}

// The age, skill and training requirements of a shift as short labels.
export function requirementLabels(t, shift, trainingName) {
  const out = []
  const min = shift.min_age ?? null
  const max = shift.max_age ?? null
  if (min !== null && max !== null) out.push(t('shift.ages', { min, max }))
  else if (min !== null) out.push(t('shift.ageFrom', { min }))
  else if (max !== null) out.push(t('shift.ageTo', { max }))
  for (const s of shift.skills || []) out.push(s)
  if (shift.training_id) out.push(`${t('shift.training')}${trainingName ? `：${trainingName}` : ` #${shift.training_id}`}`)
  return out
}

// A six-digit code as typed: digits only, at most six.
export function cleanCode(text) {
  return String(text || '').replace(/\D/g, '').slice(0, 6)
}
