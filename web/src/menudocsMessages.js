// Adds the text of the menu's downloads (handbook PDF, HSDS package) to
// vue-i18n when a page showing them loads.
import { i18n } from './i18n.js'
import zhCN from './locales/menudocs-zh-CN.js'
import en from './locales/menudocs-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)

// The public downloads (no sign-in): app/menu/menudocs.h.
export const HANDBOOK_URL = '/api/v1/public/menu/handbook.pdf'
export const HSDS_URL = '/api/v1/public/menu/hsds.zip'
