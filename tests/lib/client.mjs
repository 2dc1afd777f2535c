// A small HTTP client for the API tests: keeps the session cookie and the
// CSRF token like a browser page would, or sends a bearer token.
export class Client {
  constructor(base, { lang = 'zh-CN' } = {}) {
    this.base = base;
    this.cookie = null;
    this.csrf = null;
    this.bearer = null;
    this.lang = lang;
  }

  /** Sends a request; body objects are JSON-encoded, strings sent as-is. */
  async request(method, path, body, headers = {}) {
    const h = { 'Accept-Language': this.lang, ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.bearer) h.Authorization = 'Bearer ' + this.bearer;
    if (this.csrf && method !== 'GET' && method !== 'HEAD' && !('X-CSRF-Token' in headers)) {
      h['X-CSRF-Token'] = this.csrf;
    }
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      if (!('Content-Type' in h)) h['Content-Type'] = 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const m = setCookie.match(/zy_session=([^;]*)/);
      if (m) this.cookie = m[1] ? 'zy_session=' + m[1] : null;
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  get(path, headers) { return this.request('GET', path, undefined, headers); }
  post(path, body, headers) { return this.request('POST', path, body, headers); }
  patch(path, body, headers) { return this.request('PATCH', path, body, headers); }
  del(path, headers) { return this.request('DELETE', path, undefined, headers); }

  /** Signs in; throws unless 201. */
  async login(username, password) {
    const r = await this.post('/api/v1/sessions', { username, password });
    if (r.status !== 201) throw new Error(`login ${username}: ${r.status} ${r.text}`);
    this.csrf = r.json.csrf_token;
    return r;
  }
}
