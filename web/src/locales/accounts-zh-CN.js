// 账号安全相关的文字（中文）。由 ../accountsMessages.js 合并进 vue-i18n。
export default {
  accounts: {
    changedTokens: '密码已修改；其他登录已退出，{n} 个 API 令牌已作废',
    weakHint: '至少 8 个字符，不能是常用密码、字典单词或连续重复的字符',
  },
}
