// Adds the text of dispatch (送菜: the order's dispatch panel and the
// volunteer's "my orders") to vue-i18n; imported by the pieces that show it.
import { i18n } from './i18n.js'
import zhCN from './locales/dispatch-zh-CN.js'
import en from './locales/dispatch-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)
