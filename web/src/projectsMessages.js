// Adds the text of the project, shift and check-in pages to vue-i18n when
// one of them loads (keeps the entry bundle small).
import { i18n } from './i18n.js'
import zhCN from './locales/projects-zh-CN.js'
import en from './locales/projects-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)
