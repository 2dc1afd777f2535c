// Names of organisations by id, for lists whose rows carry an org_id only
// (the points ledger, the rules' source): each id is asked for once
// (GET /organizations/{id}, which applies the caller's scope) and kept for
// the life of the component. Best effort: an id the caller may not see
// stays unnamed and the page shows "#id". Replaces loading the caller's
// whole tree just to name a few rows.
import { ref } from 'vue'
import { api } from '../api.js'

export function useOrgNames() {
  const names = ref({})
  const asked = new Set()

  // Fetches the names of the ids not asked for yet; resolves when all
  // answers (or failures) are in.
  async function resolve(ids) {
    const fresh = [...new Set(ids)].filter((id) => id !== null && id !== undefined && !asked.has(id))
    fresh.forEach((id) => asked.add(id))
    await Promise.all(
      fresh.map(async (id) => {
        try {
          const org = await api.get(`/organizations/${id}`)
          names.value = { ...names.value, [id]: org.name }
        } catch {
          // out of scope or gone: unnamed
        }
      }),
    )
  }

  const nameOf = (id) => names.value[id] || `#${id}`
  return { names, resolve, nameOf }
}
