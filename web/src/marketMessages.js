// Adds the text of the love supermarket (爱心超市), star level and award
// pages to vue-i18n when one of them loads (keeps the entry bundle small).
import { i18n } from './i18n.js'
import zhCN from './locales/market-zh-CN.js'
import en from './locales/market-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)

export const VOUCHER_TAG = { issued: 'success', redeemed: 'primary', expired: 'info', cancelled: 'info' }

// "abcd1234efgh5678" → "ABCD-1234-EFGH-5678" (the server accepts either).
export function normaliseCode(text) {
  const raw = String(text || '').toUpperCase().replace(/[^0-9A-Z]/g, '')
  return raw.length === 16 ? raw.match(/.{4}/g).join('-') : raw
}

export function stars(level) {
  return '★'.repeat(Math.max(0, Math.min(5, Number(level) || 0)))
}

// Today in China (YYYY-MM-DD).
export function chinaToday() {
  const c = new Date(Date.now() + 8 * 3600 * 1000)
  return c.toISOString().slice(0, 10)
}
