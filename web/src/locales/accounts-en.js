// English text about account security. Merged into vue-i18n by
// ../accountsMessages.js.
export default {
  accounts: {
    changedTokens: 'Password changed; other sign-ins ended and {n} API tokens revoked',
    weakHint: 'At least 8 characters; not a common password, a dictionary word or repeated characters',
  },
}
