// Fetch-based client for the Zhiyuan server API (/api/v1).
// Every request carries the UI language; state-changing requests carry the
// CSRF token handed out by POST /sessions and GET /me.
import { acceptLanguage, i18n } from './i18n.js'

const BASE = '/api/v1'
const UNSAFE = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])
const TIMEOUT_MS = 30000

let csrfToken = ''
let unauthorizedHandler = null

export function setCsrfToken(token) {
  csrfToken = token || ''
}

// Called when an authenticated request comes back 401 (session expired).
export function onUnauthorized(handler) {
  unauthorizedHandler = handler
}

export class ApiError extends Error {
  constructor({ status, code, message, field, retryAfter }) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code || ''
    this.field = field || null
    this.retryAfter = retryAfter ?? null
  }
}

function buildUrl(path, query) {
  let url = BASE + path
  if (query) {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') continue
      params.append(key, String(value))
    }
    const qs = params.toString()
    if (qs) url += '?' + qs
  }
  return url
}

async function readError(response) {
  let body = null
  try {
    body = await response.json()
  } catch {
    // Not JSON (proxy error page, empty body…).
  }
  const err = body && typeof body === 'object' ? body.error : null
  const header = response.headers.get('Retry-After')
  const retryAfter = header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) : null
  return new ApiError({
    status: response.status,
    code: err?.code,
    message: err?.message || i18n.global.t('common.unknownError', { status: response.status }),
    field: err?.field,
    retryAfter,
  })
}

// rawBody (a Blob, File or string) is sent as-is with rawType as its
// Content-Type instead of JSON-encoding body (used for file imports).
// extraHeaders adds request headers (e.g. Idempotency-Key).
export async function request(method, path, { body, query, skipAuthRedirect = false, rawBody, rawType, timeoutMs = TIMEOUT_MS, headers: extraHeaders } = {}) {
  method = method.toUpperCase()
  const headers = {
    Accept: 'application/json',
    'Accept-Language': acceptLanguage(),
    ...(extraHeaders || {}),
  }
  if (rawBody !== undefined) headers['Content-Type'] = rawType || 'application/octet-stream'
  else if (body !== undefined || UNSAFE.has(method)) headers['Content-Type'] = 'application/json'
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken

  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  let response
  try {
    response = await fetch(buildUrl(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      body: rawBody !== undefined ? rawBody : body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    })
  } catch {
    throw new ApiError({ status: 0, code: 'network_error', message: i18n.global.t('common.networkError') })
  } finally {
    clearTimeout(timer)
  }

  if (!response.ok) {
    const error = await readError(response)
    if (response.status === 401 && !skipAuthRedirect && unauthorizedHandler) unauthorizedHandler(error)
    throw error
  }
  if (response.status === 204) return null
  const text = await response.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    throw new ApiError({ status: response.status, code: 'bad_response', message: i18n.global.t('common.unknownError', { status: response.status }) })
  }
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
  // Uploads a file's bytes as the raw request body.
  upload: (path, file, type, query, opts) =>
    request('POST', path, { ...opts, query, rawBody: file, rawType: type || 'application/octet-stream', timeoutMs: 300000 }),
}

// Message to show for any thrown value.
export function errorMessage(error) {
  if (error instanceof ApiError) return error.message
  return i18n.global.t('common.networkError')
}
