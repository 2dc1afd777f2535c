// The signed-in user, restored from GET /api/v1/me on page load.
import { reactive, computed } from 'vue'
import { api, setCsrfToken, ApiError } from './api.js'

const state = reactive({
  user: null,
  loaded: false,
})

let loading = null

function adopt(user, csrf) {
  if (user && typeof user === 'object') {
    const { csrf_token: _ignored, ...rest } = user
    state.user = rest
  } else {
    state.user = null
  }
  setCsrfToken(csrf || '')
}

export const session = {
  state,
  user: computed(() => state.user),
  isLoggedIn: computed(() => state.user !== null),
  isAdmin: computed(() => !!state.user?.roles?.includes('admin')),
  // An administrator of the root organisation (the one without a parent).
  isRootAdmin: computed(() => !!state.user?.roles?.includes('admin') && state.user?.org_parent_id === null),

  hasPermission(permission) {
    return !!state.user?.permissions?.includes(permission)
  },

  hasAnyRole(roles) {
    if (!roles || roles.length === 0) return true
    const mine = state.user?.roles || []
    return roles.some((role) => mine.includes(role))
  },

  // Loads the session once; later calls reuse the result.
  ensureLoaded() {
    if (state.loaded) return Promise.resolve()
    if (!loading) {
      loading = this.refresh().finally(() => {
        state.loaded = true
        loading = null
      })
    }
    return loading
  },

  async refresh() {
    try {
      const me = await api.get('/me', undefined, { skipAuthRedirect: true })
      adopt(me, me?.csrf_token)
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) adopt(null)
      else throw error
    }
  },

  async login(username, password) {
    const result = await api.post('/sessions', { username, password }, { skipAuthRedirect: true })
    adopt(result.user, result.csrf_token)
    state.loaded = true
    return state.user
  },

  async logout() {
    try {
      await api.del('/sessions/current', { skipAuthRedirect: true })
    } finally {
      this.clear()
    }
  },

  clear() {
    adopt(null)
    state.loaded = true
  },

  // After editing oneself elsewhere (e.g. users page), keep header fresh.
  updateUser(user) {
    if (state.user && user && user.id === state.user.id) state.user = { ...state.user, ...user }
  },
}
