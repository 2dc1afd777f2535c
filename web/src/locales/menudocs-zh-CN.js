// 志愿服务手册（PDF）与开放数据（HSDS）下载的中文文字。
// 由 ../menudocsMessages.js 合并进 vue-i18n。
export default {
  menuDocs: {
    title: '手册与开放数据',
    handbook: '下载《志愿服务手册》',
    handbookHint: 'PDF，可打印：目录、全部服务项目与服务热线',
    hsds: '下载开放数据包',
    hsdsHint: 'Open Referral HSDS 3.0 数据包（zip），供城市服务地图、热线目录直接导入',
  },
}
