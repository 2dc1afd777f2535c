// 区划选择器与志愿者列表总数的中文文本。由 ../regionsMessages.js 合并。
export default {
  regionPick: {
    residence: '居住地（镇街 / 村社区）',
    region: '所在区域',
    placeholder: '选择镇（街道） / 村（社区）',
    placeholderAny: '选择镇（街道），可再选村（社区）',
    wholeDistrict: '{name}（全区）',
    enterCode: '输入代码',
    usePicker: '从列表选择',
    codePlaceholder: '6 位或 12 位行政区划代码',
    code: '代码 {code}',
    loadFailed: '区划列表加载失败，可改为输入代码',
  },
  volTotal: {
    exact: '共 {n} 人',
    capped: '共 {n}+ 人',
  },
}
