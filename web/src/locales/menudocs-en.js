// English text of the handbook (PDF) and open-data (HSDS) downloads.
// Merged into vue-i18n by ../menudocsMessages.js.
export default {
  menuDocs: {
    title: 'Handbook and open data',
    handbook: 'Download the service handbook',
    handbookHint: 'Printable PDF: contents, every service and the hotlines',
    hsds: 'Download the open-data package',
    hsdsHint: 'Open Referral HSDS 3.0 package (zip) for city service maps and hotline directories',
  },
}
