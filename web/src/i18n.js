// Internationalisation: vue-i18n in composition mode, Simplified Chinese by
// default and English as the second language. The choice is kept in
// localStorage. Messages only use "{name}" placeholders, so a few lines of
// compiler replace intlify's full message compiler (dropped at build time).
import { createI18n } from 'vue-i18n'
import { computed } from 'vue'
import elZhCn from 'element-plus/es/locale/lang/zh-cn'
import elEn from 'element-plus/es/locale/lang/en'
import zhCN from './locales/zh-CN.js'
import en from './locales/en.js'

export const LOCALES = ['zh-CN', 'en']
const STORAGE_KEY = 'zhiyuan.locale'
const PLACEHOLDER = /\{\s*([A-Za-z_][\w]*)\s*\}/g

// Turns "欢迎，{name}" into a message function reading named values.
function compileMessage(source, { key, onError }) {
  if (typeof source !== 'string') {
    if (onError) onError(new Error(`unsupported message for "${key}"`))
    return () => key
  }
  if (!source.includes('{')) return () => source
  const parts = []
  let last = 0
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(source.slice(last, match.index))
    parts.push({ name: match[1] })
    last = match.index + match[0].length
  }
  if (last < source.length) parts.push(source.slice(last))
  return (ctx) =>
    parts
      .map((part) => {
        if (typeof part === 'string') return part
        const value = ctx.named(part.name)
        return value === undefined || value === null ? '' : String(value)
      })
      .join('')
}

function initialLocale() {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY)
    if (LOCALES.includes(saved)) return saved
  } catch {
    // Storage may be unavailable (private mode); fall through.
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  messageCompiler: compileMessage,
  missingWarn: false,
  fallbackWarn: false,
})

export const currentLocale = computed(() => i18n.global.locale.value)

// Element Plus locale following the UI language.
export const elementLocale = computed(() => (currentLocale.value === 'en' ? elEn : elZhCn))

function applyDocumentLocale(locale) {
  document.documentElement.lang = locale === 'en' ? 'en' : 'zh-CN'
  document.title = locale === 'en' ? 'Zhiyuan 志愿' : '志愿 Zhiyuan'
}

export function setLocale(locale) {
  if (!LOCALES.includes(locale)) return
  i18n.global.locale.value = locale
  try {
    window.localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // Ignore storage failures; the switch still works for this page view.
  }
  applyDocumentLocale(locale)
}

// Value for the Accept-Language request header.
export function acceptLanguage() {
  return currentLocale.value === 'en' ? 'en' : 'zh-CN'
}

// Locale tag for Intl date formatting.
export function formatTime(iso) {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return String(iso)
  return new Intl.DateTimeFormat(currentLocale.value === 'en' ? 'en-GB' : 'zh-CN', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(date)
}

applyDocumentLocale(i18n.global.locale.value)
