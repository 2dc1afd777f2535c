// Closing an order, a service's hours and the hotline of a call (order
// detail, hotline intake, public order and tracking pages).
export default {
  order: {
    reasonKey: { not_rated: 'Not rated long after delivery: closed by the system' },
  },
  orderLife: {
    close: 'Close',
    closeTitle: 'Close the order',
    closePrompt: 'A closed order changes no more and the resident\'s details are no longer shown in full. You may add a note (optional).',
    noteTooLong: 'At most 500 characters',
    closed: 'The order is closed',
    closedLead: 'This order is closed. Thank you.',
    hours: 'Service hours',
    hoursLine: 'Service hours: {hours}',
    hoursHint: 'Choose a preferred time within the service hours ({hours})',
    everyDay: 'Every day',
    daySep: ', ',
    weekday: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
    hotline: 'Hotline',
    hotlinePick: 'The hotline of this call (remembered once chosen)',
    hotlineNone: 'Not given',
    hotlineNotTaking: 'The chosen hotline does not take this service',
  },
}
