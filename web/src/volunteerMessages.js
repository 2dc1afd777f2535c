// Adds the text of the organisation/volunteer/region pages to vue-i18n. Any
// module of those pages imports this (through volunteer.js), so the messages
// travel in the pages' lazy chunks rather than in the entry bundle.
import { i18n } from './i18n.js'
import zhCN from './locales/volunteer-zh-CN.js'
import en from './locales/volunteer-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)
