// English text of the organisation picker and tree. Merged into vue-i18n
// by ../orgsMessages.js.
export default {
  orgPicker: {
    placeholder: 'Search by name, pinyin initials or a parent’s name',
    noMatch: 'No matching organisation',
    more: 'Showing the first {n}: type more to narrow down',
    loading: 'Searching…',
    failed: 'Search failed: {message}',
  },
  orgTree: {
    group: '{kind} ({n})',
    groupTitle: '{n} × {kind}: click to expand',
  },
}
