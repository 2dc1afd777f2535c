// Adds the text of the home-organisation pieces (picker, join requests) to
// vue-i18n; imported by the components and views that show them.
import { i18n } from './i18n.js'
import zhCN from './locales/home-zh-CN.js'
import en from './locales/home-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)
