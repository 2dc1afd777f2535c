// Adds the text of the region picker and of the volunteer list's total to
// vue-i18n when a page using them loads.
import { i18n } from './i18n.js'
import zhCN from './locales/regions-zh-CN.js'
import en from './locales/regions-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)

