// 订单的办结、服务时间和受理热线（订单详情、热线受理、点单和查询页）。
export default {
  order: {
    reasonKey: { not_rated: '送达后久未评价，系统自动办结' },
  },
  orderLife: {
    close: '办结',
    closeTitle: '办结订单',
    closePrompt: '办结后订单不再变动，居民的个人信息将不再完整显示。可填写办结说明（选填）。',
    noteTooLong: '说明最多 500 字',
    closed: '订单已办结',
    closedLead: '订单已办结，感谢您的使用。',
    hours: '服务时间',
    hoursLine: '服务时间：{hours}',
    hoursHint: '请在服务时间内选择期望时间（{hours}）',
    everyDay: '每天',
    daySep: '、',
    weekday: { mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六', sun: '周日' },
    hotline: '受理热线',
    hotlinePick: '本次来电的热线（选择一次后自动记住）',
    hotlineNone: '不指定',
    hotlineNotTaking: '所选热线不受理这项服务',
  },
}
