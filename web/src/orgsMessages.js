// Adds the text of the organisation picker and tree to vue-i18n when one
// of them loads, and the helpers they share.
import { i18n } from './i18n.js'
import zhCN from './locales/orgs-zh-CN.js'
import en from './locales/orgs-en.js'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)

// Siblings of one kind beyond this many are folded into one tree node.
export const FOLD_AT = 20

// "温江区志愿服务联合会 › 柳城街道志愿服务协会": the ancestors of an
// organisation from its path_names (the last name is its own).
export function ancestorsText(pathNames) {
  return (pathNames || []).slice(0, -1).join(' › ')
}

// Children of one parent (already in the server's order: by kind, then
// natural name order) with every run of more than FOLD_AT siblings of one
// kind replaced by a group node that holds them.
export function foldSiblings(parentId, kids) {
  const out = []
  for (let i = 0; i < kids.length; ) {
    let j = i
    while (j < kids.length && kids[j].kind === kids[i].kind) j++
    if (j - i > FOLD_AT) {
      out.push({ id: `group:${parentId}:${kids[i].kind}`, group: true, kind: kids[i].kind, count: j - i, members: kids.slice(i, j) })
    } else {
      out.push(...kids.slice(i, j))
    }
    i = j
  }
  return out
}
