// 付款码（志愿者手机）与柜台凭付款码结算的文字。由 ../payMessages.js 合并。
export default {
  pay: {
    title: '付款码',
    lead: '在爱心超市柜台出示，用积分付款',
    show: '出示付款码',
    renew: '换一个付款码',
    left: '{s} 秒后失效',
    expired: '付款码已失效，请换一个',
    paid: '已付款 {n} 分 · {store}',
    once: '仅可使用一次；请勿截图发给他人',
    qrAlt: '付款码二维码',
    counterCode: '付款码或兑换券码',
    counterCodeHint: '请志愿者打开手机上的付款码，扫码或输入 12 位数字',
    onBehalf: '代志愿者结算（无付款码）',
    onBehalfHint: '本超市已允许本辖区工作人员代为结算，将单独记入操作日志',
    needProof: '请输入付款码或兑换券码',
    allowOnBehalf: '允许代为结算',
    allowOnBehalfHint: '开启后，志愿者所属辖区的工作人员可不凭付款码代其结算（记入日志）',
  },
}
