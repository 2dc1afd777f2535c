// Adds the text about account security (password changes, weak passwords)
// to vue-i18n when the password dialog loads.
import { i18n } from './i18n.js'
import zhCN from './locales/accounts-zh-CN.js'
import en from './locales/accounts-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)
