// Adds the text of the service-record, training and certificate pages to
// vue-i18n when one of them loads (keeps the entry bundle small).
import { i18n } from './i18n.js'
import zhCN from './locales/records-zh-CN.js'
import en from './locales/records-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)
