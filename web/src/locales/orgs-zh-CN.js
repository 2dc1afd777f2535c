// 组织选择器与组织树的文字（中文）。由 ../orgsMessages.js 合并进 vue-i18n。
export default {
  orgPicker: {
    placeholder: '输入名称、拼音首字母或上级名称搜索',
    noMatch: '没有匹配的组织',
    more: '只显示前 {n} 个，请输入更多文字缩小范围',
    loading: '正在搜索…',
    failed: '搜索失败：{message}',
  },
  orgTree: {
    group: '{kind}（{n}）',
    groupTitle: '共 {n} 个{kind}，点击展开',
  },
}
