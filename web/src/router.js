// Routes. Every page is a lazy chunk so the login page stays small.
import { createRouter, createWebHistory } from 'vue-router'
import { session } from './session.js'

const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { public: true },
  },
  {
    path: '/',
    component: () => import('./views/LayoutView.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'nav.home' } },
      {
        path: 'users',
        name: 'users',
        component: () => import('./views/UsersView.vue'),
        meta: { title: 'nav.users', roles: ['admin'] },
      },
      {
        path: 'audit-log',
        name: 'audit',
        component: () => import('./views/AuditView.vue'),
        meta: { title: 'nav.audit', roles: ['admin'] },
      },
      {
        path: 'tokens',
        name: 'tokens',
        component: () => import('./views/TokensView.vue'),
        meta: { title: 'nav.tokens' },
      },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

// Only same-site absolute paths are accepted as a post-login target.
export function safeRedirect(value) {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/'
  if (value.startsWith('/login')) return '/'
  return value
}

router.beforeEach(async (to) => {
  try {
    await session.ensureLoaded()
  } catch {
    // Server unreachable: treat as signed out; the login page reports errors.
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.isLoggedIn.value) return safeRedirect(to.query.redirect)
    return true
  }
  if (!session.isLoggedIn.value) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  const roles = to.matched.flatMap((record) => record.meta.roles || [])
  if (!session.hasAnyRole(roles)) return { name: 'home' }
  return true
})
