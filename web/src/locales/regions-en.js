// English text of the region picker and the volunteer list's total.
// Merged into vue-i18n by ../regionsMessages.js.
export default {
  regionPick: {
    residence: 'Residence (town / community)',
    region: 'Region',
    placeholder: 'Choose a town (street) / community (village)',
    placeholderAny: 'Choose a town (street), then a community if needed',
    wholeDistrict: '{name} (whole district)',
    enterCode: 'Enter a code',
    usePicker: 'Choose from the list',
    codePlaceholder: '6- or 12-digit region code',
    code: 'Code {code}',
    loadFailed: 'The region list did not load; enter a code instead',
  },
  volTotal: {
    exact: '{n} volunteers',
    capped: '{n}+ volunteers',
  },
}
