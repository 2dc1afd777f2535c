// Roles known to the server, in display order.
export const ROLES = ['admin', 'recorder', 'social_worker', 'clerk', 'volunteer']

// Roles that may read the organisation network and volunteer files (only
// admins change them).
export const STAFF = ['admin', 'recorder', 'social_worker', 'clerk']

// Who enters service records, activities and training (and approves them;
// the server keeps recorders from approving their own entries).
export const RECORD_WRITERS = ['admin', 'recorder']

// Who may read the record queues and training (social workers read only).
export const RECORD_READERS = ['admin', 'recorder', 'social_worker']

// Who may read the points ledger of their scope (only admins adjust points
// and set the earning rules; clerks redeem at the supermarket).
export const POINTS_READERS = ['admin', 'clerk', 'social_worker']

// Who works the love supermarket counter (admins also open stores).
export const MARKET_STAFF = ['admin', 'clerk']

// Who runs projects (项目化运行): creates them, adds shifts and runs the
// check-in desk (admins and recorders of the owner organisation's subtree,
// and the social workers paired with a project).
export const PROJECT_STAFF = ['admin', 'recorder', 'social_worker']

// Who reads and dispatches residents' orders of the service menu (点菜):
// accept, decline, hotline intake (scoped by the order's organisation).
export const ORDER_STAFF = ['admin', 'recorder', 'social_worker']

// Who runs award rounds and reads the star roster.
export const AWARD_STAFF = ['admin', 'recorder', 'social_worker']

// Localised label; unknown roles are shown as sent by the server.
export function roleLabel(t, role) {
  return ROLES.includes(role) ? t(`roles.${role}`) : role
}
