// Shared vocabulary of the volunteer and organisation pages.
import './volunteerMessages.js'

// Service categories offered in selects; the value sent is the Chinese label.
// Labels come from the locale files (categories.<key>).
export const CATEGORIES = [
  { value: '社会公益', key: 'welfare' },
  { value: '社会建设', key: 'building' },
  { value: '社会治理', key: 'governance' },
  { value: '社会援助', key: 'aid' },
  { value: '扶老助残', key: 'elderlyDisabled' },
  { value: '关爱儿童', key: 'children' },
  { value: '环境保护', key: 'environment' },
  { value: '文明劝导', key: 'civility' },
  { value: '应急救援', key: 'emergency' },
  { value: '医疗卫生', key: 'health' },
  { value: '文化体育', key: 'cultureSports' },
  { value: '法律服务', key: 'legal' },
  { value: '心理咨询', key: 'counselling' },
]

// Skill suggestions (skills are free tags; the value is the Chinese word).
export const SKILLS = [
  { value: '医疗', key: 'medical' },
  { value: '法律', key: 'law' },
  { value: '心理', key: 'psychology' },
  { value: '教育', key: 'education' },
  { value: '驾驶', key: 'driving' },
  { value: '摄影', key: 'photography' },
  { value: '外语', key: 'languages' },
  { value: '计算机', key: 'computing' },
  { value: '急救', key: 'firstAid' },
  { value: '维修', key: 'repair' },
]

// Education levels offered (free text is accepted too; value is Chinese).
export const EDUCATIONS = [
  { value: '小学', key: 'primary' },
  { value: '初中', key: 'junior' },
  { value: '高中/中专', key: 'senior' },
  { value: '大专', key: 'college' },
  { value: '本科', key: 'bachelor' },
  { value: '硕士研究生', key: 'master' },
  { value: '博士研究生', key: 'doctor' },
]

// Label of a stored Chinese value in the current language; unknown free
// values are shown as stored.
export function vocabLabel(t, list, prefix, value) {
  const entry = list.find((item) => item.value === value)
  return entry ? t(`${prefix}.${entry.key}`) : value
}

export const ID_TYPES = ['resident_id', 'hk_macao_permit', 'taiwan_permit', 'passport']
export const GENDERS = ['male', 'female']
export const VOLUNTEER_STATUSES = ['active', 'inactive', 'deleted']

export const ORG_KINDS = ['federation', 'association', 'team', 'station', 'social_work_agency', 'social_org']
export const ORG_STATUSES = ['active', 'suspended', 'dissolved']

// Which kinds may hang under which (mirrors the server's rule; the server decides).
const CHILD_KINDS = {
  federation: ['association', 'team', 'social_work_agency', 'social_org'],
  association: ['station', 'team', 'social_work_agency', 'social_org'],
  station: ['team'],
  team: [],
  social_work_agency: [],
  social_org: [],
}

export function childKinds(parentKind) {
  return CHILD_KINDS[parentKind] || []
}

export function canParent(parentKind, childKind) {
  return childKinds(parentKind).includes(childKind)
}

// Element Plus tag type per organisation kind.
export const KIND_TAG = {
  federation: 'danger',
  association: 'warning',
  team: 'primary',
  station: 'success',
  social_work_agency: 'info',
  social_org: 'info',
}

// Consent notice the forms show and send.
export const NOTICE_VERSION = '2026-11'

// Age under which a guardian is required, and under which one is recorded.
export const GUARDIAN_REQUIRED_BELOW = 14
export const GUARDIAN_RECORDED_BELOW = 18

const numberFormat = new Intl.NumberFormat('en-US')
export function formatCount(n) {
  return n === null || n === undefined ? '—' : numberFormat.format(n)
}

export function formatPercent(ratio) {
  if (ratio === null || ratio === undefined || Number.isNaN(Number(ratio))) return '—'
  const pct = Number(ratio) * 100
  // A small but non-zero share should not read as "0.0%".
  if (pct > 0 && pct < 0.05) return '<0.1%'
  return `${pct.toFixed(1)}%`
}

export function maskPhone(phone) {
  if (typeof phone !== 'string' || phone.includes('*') || phone.length < 7) return phone || ''
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`
}

// Offers a JSON value as a file download.
export function downloadJson(value, filename) {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

// Builds the tree of flat {id, parent_id} nodes (parent before child):
// a map parent id → children, and the root list.
export function childrenMap(nodes) {
  const ids = new Set(nodes.map((n) => n.id))
  const map = new Map()
  const roots = []
  for (const node of nodes) {
    if (node.parent_id === null || node.parent_id === undefined || !ids.has(node.parent_id)) roots.push(node)
    else {
      if (!map.has(node.parent_id)) map.set(node.parent_id, [])
      map.get(node.parent_id).push(node)
    }
  }
  return { map, roots }
}

// Content-Type to send for an import file, by its extension (browsers report
// CSV files inconsistently, e.g. as application/vnd.ms-excel).
export function importContentType(fileName) {
  const name = String(fileName || '').toLowerCase()
  if (name.endsWith('.csv')) return 'text/csv'
  if (name.endsWith('.xlsx')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  return 'application/octet-stream'
}

export const IMPORT_MAX_BYTES = 64 * 1024 * 1024
