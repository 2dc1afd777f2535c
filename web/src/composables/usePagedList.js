// One list read page by page from a cursor-paged route ({ items,
// next_cursor }): the rows so far, the cursor of the next page, whether a
// page is on its way and the last error. `reload()` starts again from the
// first page (a new filter, a refresh); `loadMore()` appends the next one.
// An answer that arrives after a newer reload started is dropped, so a slow
// first page of an old filter never overwrites the new one.
//
//   const list = usePagedList((cursor) => api.get('/users', { q, limit: 50, cursor }))
//   list.reload()            // list.items, list.nextCursor, list.loading, list.error
//
// Options:
//   dedupe       append only rows whose `id` is not shown yet (lists that
//                may shift while paging, e.g. the points ledger)
//   clearOnError empty the rows when a reload fails
//   message(e)   the text kept in `error` (default errorMessage(e); '' to
//                keep quiet, e.g. when the caller shows the error itself)
//   onPage(page, reset) called with every page taken (totals, names)
//   itemsOf(page) the page's rows where they are not `items` (the archive's
//                `records`)
import { ref } from 'vue'
import { errorMessage } from '../api.js'

export function usePagedList(fetchPage, { dedupe = false, clearOnError = false, message = errorMessage, onPage, itemsOf = (page) => page.items } = {}) {
  const items = ref([])
  const nextCursor = ref(null)
  const loading = ref(false)
  const error = ref('')
  let generation = 0

  async function load(reset) {
    const mine = reset ? ++generation : generation
    loading.value = true
    error.value = ''
    try {
      const page = await fetchPage(reset ? undefined : nextCursor.value)
      if (mine !== generation) return
      const got = itemsOf(page) || []
      if (reset) items.value = got
      else if (dedupe) {
        const seen = new Set(items.value.map((row) => row.id))
        items.value = [...items.value, ...got.filter((row) => !seen.has(row.id))]
      } else items.value = [...items.value, ...got]
      nextCursor.value = page.next_cursor || null
      if (onPage) onPage(page, reset)
    } catch (e) {
      if (mine !== generation) return
      error.value = message(e) || ''
      if (clearOnError && reset) items.value = []
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  return {
    items,
    nextCursor,
    loading,
    error,
    reload: () => load(true),
    loadMore: () => (nextCursor.value ? load(false) : Promise.resolve()),
  }
}
