// Adds the text of account claiming and the volunteer's home page to
// vue-i18n when one of those pages loads (keeps the entry bundle small).
import { i18n } from './i18n.js'
import zhCN from './locales/claim-zh-CN.js'
import en from './locales/claim-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)
