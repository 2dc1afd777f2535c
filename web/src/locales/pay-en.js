// English text of the pay code (volunteer's phone) and of the counter
// taking it. Merged into vue-i18n by ../payMessages.js.
export default {
  pay: {
    title: 'Pay code',
    lead: 'Show it at a love supermarket counter to pay with points',
    show: 'Show pay code',
    renew: 'New code',
    left: 'Expires in {s} s',
    expired: 'This code has expired: get a new one',
    paid: 'Paid {n} points · {store}',
    once: 'Works once; do not send a screenshot to anyone',
    qrAlt: 'Pay code QR',
    counterCode: 'Pay code or voucher code',
    counterCodeHint: "Ask the volunteer to open the pay code on their phone; scan it or type the 12 digits",
    onBehalf: 'Sell on the volunteer\'s behalf (no code)',
    onBehalfHint: 'This store lets staff of the volunteer\'s own area sell for them; it is logged as such',
    needProof: 'Enter a pay code or a voucher code',
    allowOnBehalf: 'Allow sales on behalf',
    allowOnBehalfHint: "When on, staff of a volunteer's own area may sell for them without a pay code (logged)",
  },
}
