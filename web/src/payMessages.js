// Adds the pay code text to vue-i18n when a page with it loads, and the
// helpers the phone and the counter share.
import { i18n } from './i18n.js'
import zhCN from './locales/pay-zh-CN.js'
import en from './locales/pay-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)

// "123456789012" → "1234 5678 9012", for reading aloud.
export function groupPayCode(code) {
  return String(code || '').replace(/(\d{4})(?=\d)/g, '$1 ')
}

// What the counter typed or scanned: a pay code (12 digits, spaces and
// hyphens allowed) or else a voucher code.
export function isPayCode(text) {
  return /^\d{12}$/.test(String(text || '').replace(/[\s-]/g, ''))
}
