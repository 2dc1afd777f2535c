// Routes. Every page is a lazy chunk so the login page stays small.
import { createRouter, createWebHistory } from 'vue-router'
import { session } from './session.js'
import { STAFF, RECORD_WRITERS, RECORD_READERS, POINTS_READERS, MARKET_STAFF, AWARD_STAFF, PROJECT_STAFF } from './roles.js'
import { ORDER_STAFF } from './roles.js'


const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { public: true },
  },
  {
    // Public self-registration, phone-sized, no side menu.
    path: '/join',
    name: 'join',
    component: () => import('./views/JoinView.vue'),
    meta: { public: true },
  },
  {
    // Claiming the account of a volunteer on file (认领档案), phone-sized.
    path: '/claim',
    name: 'claim',
    component: () => import('./views/ClaimView.vue'),
    meta: { public: true },
  },
  {
    // Public certificate check (the QR code on the PDF points here), phone-sized.
    path: '/verify/:serial?',
    name: 'verify',
    component: () => import('./views/VerifyView.vue'),
    meta: { public: true },
  },
  {
    // Public honour roll (光荣榜), phone-sized.
    path: '/honour-roll',
    name: 'honour-roll',
    component: () => import('./views/HonourRollView.vue'),
    meta: { public: true },
  },
  {
    // Public project list and project page with sign-up, phone-sized.
    path: '/p/projects',
    name: 'public-projects',
    component: () => import('./views/PublicProjectsView.vue'),
    meta: { public: true },
  },
  {
    path: '/p/projects/:id(\\d+)',
    name: 'public-project',
    component: () => import('./views/PublicProjectView.vue'),
    meta: { public: true },
  },
  {
    // A resident orders a sub-item of the public menu (点单), phone-sized.
    path: '/menu/order/:itemId(\\d+)',
    name: 'public-order',
    component: () => import('./views/PublicOrderView.vue'),
    meta: { public: true },
  },
  {
    // Following an order by its tracking code (cancel, rate), phone-sized.
    path: '/menu/track/:code?',
    name: 'public-track',
    component: () => import('./views/PublicTrackView.vue'),
    meta: { public: true },
  },
  {
    // The public service menu (服务菜单), phone-sized; sub-items link to /menu/order/:id.
    path: '/menu',
    name: 'public-menu',
    component: () => import('./views/PublicMenuView.vue'),
    meta: { public: true },
  },
  {
    // The printable check-in QR code of a shift: no app chrome.
    path: '/shifts/:id(\\d+)/print',
    name: 'shift-print',
    component: () => import('./views/ShiftPrintView.vue'),
    meta: { roles: PROJECT_STAFF },
  },
  {
    path: '/',
    component: () => import('./views/LayoutView.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'nav.home' } },
      {
        path: 'menu-editor',
        name: 'menu-editor',
        component: () => import('./views/MenuEditorView.vue'),
        meta: { title: 'nav.menuEditor', roles: STAFF },
      },
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
        path: 'organizations',
        name: 'organizations',
        component: () => import('./views/OrganizationsView.vue'),
        meta: { title: 'nav.organizations', roles: STAFF },
      },
      {
        path: 'volunteers',
        name: 'volunteers',
        component: () => import('./views/VolunteersView.vue'),
        meta: { title: 'nav.volunteers', roles: STAFF },
      },
      {
        path: 'volunteers/new',
        name: 'volunteer-new',
        component: () => import('./views/VolunteerNewView.vue'),
        meta: { title: 'nav.volunteerNew', roles: ['admin'] },
      },
      {
        path: 'volunteers/import',
        name: 'volunteer-import',
        component: () => import('./views/VolunteerImportView.vue'),
        meta: { title: 'nav.volunteerImport', roles: ['admin'] },
      },
      {
        path: 'volunteers/requests',
        name: 'join-requests',
        component: () => import('./views/JoinRequestsView.vue'),
        meta: { title: 'nav.joinRequests', roles: ['admin'] },
      },
      {
        path: 'volunteers/:id(\\d+)',
        name: 'volunteer',
        component: () => import('./views/VolunteerFileView.vue'),
        meta: { title: 'nav.volunteerFile', roles: STAFF },
      },
      {
        path: 'records/entry',
        name: 'record-entry',
        component: () => import('./views/RecordEntryView.vue'),
        meta: { title: 'nav.recordEntry', roles: RECORD_WRITERS },
      },
      {
        // The records the signed-in user entered; rejected ones first, to correct.
        path: 'records/mine',
        name: 'my-entries',
        component: () => import('./views/MyEntriesView.vue'),
        meta: { title: 'nav.myEntries', roles: RECORD_READERS },
      },
      {
        path: 'records/approval',
        name: 'approval',
        component: () => import('./views/ApprovalView.vue'),
        meta: { title: 'nav.approval', roles: RECORD_READERS },
      },
      {
        path: 'trainings',
        name: 'trainings',
        component: () => import('./views/TrainingsView.vue'),
        meta: { title: 'nav.trainings', roles: RECORD_READERS },
      },
      {
        path: 'points',
        name: 'points',
        component: () => import('./views/PointsView.vue'),
        meta: { title: 'nav.points', roles: POINTS_READERS },
      },
      {
        // The dispatcher's board of residents' orders (new, overdue, escalated).
        path: 'orders',
        name: 'orders',
        component: () => import('./views/OrdersBoardView.vue'),
        meta: { title: 'nav.orders', roles: ORDER_STAFF },
      },
      {
        // Hotline intake: keyboard only.
        path: 'orders/intake',
        name: 'order-intake',
        component: () => import('./views/OrderIntakeView.vue'),
        meta: { title: 'nav.orderIntake', roles: ORDER_STAFF },
      },
      {
        path: 'orders/:id(\\d+)',
        name: 'order',
        component: () => import('./views/OrderDetailView.vue'),
        meta: { title: 'nav.orders', roles: ORDER_STAFF },
      },
      {
        path: 'regions',
        name: 'regions',
        component: () => import('./views/RegionsView.vue'),
        meta: { title: 'nav.regions', roles: ['admin'], rootOnly: true },
      },
      {
        path: 'projects',
        name: 'projects',
        component: () => import('./views/ProjectsView.vue'),
        meta: { title: 'nav.projects', roles: PROJECT_STAFF },
      },
      {
        path: 'projects/:id(\\d+)',
        name: 'project',
        component: () => import('./views/ProjectView.vue'),
        meta: { title: 'nav.projects', roles: PROJECT_STAFF },
      },
      {
        path: 'shifts/:id(\\d+)/site',
        name: 'shift-site',
        component: () => import('./views/ShiftSiteView.vue'),
        meta: { title: 'nav.projects', roles: PROJECT_STAFF },
      },
      {
        path: 'me/shifts',
        name: 'my-shifts',
        component: () => import('./views/MyShiftsView.vue'),
        meta: { title: 'nav.myShifts', roles: ['volunteer'] },
      },
      {
        path: 'me/orders',
        name: 'my-orders',
        component: () => import('./views/MyOrdersView.vue'),
        meta: { title: 'nav.myOrders', roles: ['volunteer'] },
      },
      {
        path: 'me/volunteer',
        name: 'my-volunteer',
        component: () => import('./views/MyVolunteerView.vue'),
        meta: { title: 'nav.myVolunteer', roles: ['volunteer'] },
      },
      {
        path: 'me/vouchers',
        name: 'my-vouchers',
        component: () => import('./views/MyVouchersView.vue'),
        meta: { title: 'nav.myVouchers', roles: ['volunteer'] },
      },
      {
        path: 'counter',
        name: 'counter',
        component: () => import('./views/CounterView.vue'),
        meta: { title: 'nav.counter', roles: MARKET_STAFF },
      },
      {
        path: 'awards',
        name: 'awards',
        component: () => import('./views/AwardsView.vue'),
        meta: { title: 'nav.awards', roles: AWARD_STAFF },
      },
      {
        path: 'awards/:id(\\d+)',
        name: 'award-round',
        component: () => import('./views/AwardRoundView.vue'),
        meta: { title: 'nav.awards', roles: AWARD_STAFF },
      },
      {
        // Cases opened by low ratings and complaints about menu orders.
        path: 'menu/cases',
        name: 'order-cases',
        component: () => import('./views/OrderCasesView.vue'),
        meta: { title: 'nav.menuCases', roles: ['admin'] },
      },
      {
        path: 'menu/stats',
        name: 'menu-stats',
        component: () => import('./views/MenuStatsView.vue'),
        meta: { title: 'nav.menuStats', roles: RECORD_READERS },
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
  if (to.matched.some((record) => record.meta.rootOnly) && !session.isRootAdmin.value) return { name: 'home' }
  return true
})
