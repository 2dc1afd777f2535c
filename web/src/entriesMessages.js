// Adds the text of "my entries", the approval queue's reasons, the
// confirmations and the counter's store hint to vue-i18n when one of those
// pages loads (keeps the entry bundle small).
import { i18n } from './i18n.js'
import zhCN from './locales/entries-zh-CN.js'
import en from './locales/entries-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)

// Why the caller may not decide on a record (approve_block), as text.
export function blockReason(t, code) {
  return code ? t(`entries.why.${code}`) : ''
}
