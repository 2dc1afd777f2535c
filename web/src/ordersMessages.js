// Adds the text of residents' orders (public order and tracking pages,
// hotline intake, board, detail) to vue-i18n; imported by those views and
// by the layout for the menu entries.
import { i18n } from './i18n.js'
import zhCN from './locales/orders-zh-CN.js'
import en from './locales/orders-en.js'
import lifeZhCN from './locales/orderlife-zh-CN.js'
import lifeEn from './locales/orderlife-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)
// closing, service hours and the hotline of a call (round 2)
i18n.global.mergeLocaleMessage('zh-CN', lifeZhCN)
i18n.global.mergeLocaleMessage('en', lifeEn)
