// The count of open join requests shown beside the menu entry for admins:
// fetched when the shell loads and again after a decision.
import { ref } from 'vue'
import { api } from './api.js'

export const openJoinRequests = ref(0)

export async function refreshJoinRequests() {
  try {
    const page = await api.get('/join-requests', { status: 'open', limit: 1 })
    openJoinRequests.value = page.total || 0
  } catch {
    // The count is a hint; the page itself reports errors.
    openJoinRequests.value = 0
  }
}

export function joinRequestsChanged() {
  return refreshJoinRequests()
}
