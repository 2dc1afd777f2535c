// Adds the text of the rating form, the cases page and the menu
// statistics to vue-i18n when one of them loads (keeps the entry bundle
// small).
import { i18n } from './i18n.js'
import zhCN from './locales/ratings-zh-CN.js'
import en from './locales/ratings-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)
