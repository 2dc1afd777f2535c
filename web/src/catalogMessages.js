// The service menu's pages (the menu editor and the public menu): their
// text merged into vue-i18n when one of them loads, and how a menu item's
// days and hours read.
import { i18n } from './i18n.js'
import zhCN from './locales/catalog-zh-CN.js'
import en from './locales/catalog-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)

export const VULNERABLE_GROUPS = ['elderly_alone', 'elderly', 'disabled', 'left_behind_children', 'low_income', 'seriously_ill']
export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] // bit i: Monday + i

// 540 → "09:00"; 1440 → "24:00"
export function hhmm(minutes) {
  const m = Number(minutes) || 0
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
}

// "09:00" → 540 (null when it does not read)
export function minutesOf(text) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(String(text || '').trim())
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59) return null
  const v = Number(m[1]) * 60 + Number(m[2])
  return v <= 1440 ? v : null
}

// The days of a weekday bit set: "每天", "周一至周五", "周六、周日".
export function weekdaysText(t, bits) {
  const b = Number(bits) || 0
  if (b === 127) return t('catalog.everyDay')
  const days = WEEKDAYS.filter((d) => b & (1 << d))
  // a run of three or more days reads as a range
  const runs = []
  for (const d of days) {
    const last = runs[runs.length - 1]
    if (last && last[1] === d - 1) last[1] = d
    else runs.push([d, d])
  }
  return runs
    .flatMap(([a, z]) => (z - a >= 2 ? [t('catalog.dayRange', { from: t(`catalog.day.${a}`), to: t(`catalog.day.${z}`) })]
      : Array.from({ length: z - a + 1 }, (_, k) => t(`catalog.day.${a + k}`))))
    .join(t('catalog.listSep'))
}

// "周一至周五 09:00–17:30" (the whole day: just the days)
export function hoursText(t, x) {
  const days = weekdaysText(t, x.weekdays)
  return x.day_from === 0 && x.day_to === 1440 ? t('catalog.allDay', { days }) : `${days} ${hhmm(x.day_from)}–${hhmm(x.day_to)}`
}
