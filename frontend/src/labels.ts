// Chinese labels for the enums of the API. Typed as Record<Enum, string> so a new enum value in
// the OpenAPI document fails the type-check until it gets a label.
import type {
  AppState,
  Channel,
  CorrectionProblem,
  DayKind,
  DeliveryMethod,
  Handling,
  ItemKind,
  ItemLevel,
  ItemStatus,
  MaterialForm,
  OrgUnitKind,
  Role,
  Scope,
  Staff,
  Warning,
} from '@/api/types'

export const ROLE_LABELS: Record<Role, string> = {
  platform_operator: '平台运营',
  county_admin: '县级管理员',
  department_staff: '部门工作人员',
  township_clerk: '乡镇窗口人员',
  community_worker: '村社区工作者',
}

export const SCOPE_LABELS: Record<Scope, string> = {
  tenant: '全县',
  org_subtree: '本单位及下级',
  self: '仅本人',
}

export const ORG_KIND_LABELS: Record<OrgUnitKind, string> = {
  county: '县/区',
  township: '乡镇',
  street: '街道',
  village: '村',
  community: '社区',
  department: '县直部门',
}

export const STAFF_STATUS_LABELS: Record<Staff['status'], string> = {
  active: '在用',
  disabled: '停用',
}

/** Known audit actions; unknown ones are shown by their code. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'staff.create': '新建人员账号',
  'staff.disable': '停用人员账号',
  'org_unit.create': '新增组织机构',
  'audit.check': '校验审计链',
}

export function roleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role] ?? role
}

export function scopeLabel(scope: string): string {
  return (SCOPE_LABELS as Record<string, string>)[scope] ?? scope
}

export function orgKindLabel(kind: string): string {
  return (ORG_KIND_LABELS as Record<string, string>)[kind] ?? kind
}

export function auditActionLabel(action: string): string {
  return AUDIT_ACTION_LABELS[action] ?? action
}

export const ALL_ROLES = Object.keys(ROLE_LABELS) as Role[]
export const ALL_SCOPES = Object.keys(SCOPE_LABELS) as Scope[]
export const ALL_ORG_KINDS = Object.keys(ORG_KIND_LABELS) as OrgUnitKind[]

// ---- 办件 (applications)

/** The states in lifecycle order (the API's state_label is used where the API gives one). */
export const STATE_LABELS: Record<AppState, string> = {
  proxy_received: '代办收件',
  received: '已接件',
  correcting: '补正中',
  accepted: '已受理',
  processing: '部门办理',
  paused: '特别程序',
  decided: '已办结',
  delivered: '已送达',
  rejected: '不予受理',
  withdrawn: '已撤回',
  archived: '已归档',
}
export const ALL_STATES = Object.keys(STATE_LABELS) as AppState[]

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'
const STATE_TAG_TYPES: Record<AppState, TagType> = {
  proxy_received: 'info',
  received: 'primary',
  correcting: 'warning',
  accepted: 'primary',
  processing: 'primary',
  paused: 'warning',
  decided: 'success',
  delivered: 'success',
  rejected: 'danger',
  withdrawn: 'info',
  archived: 'info',
}

export function stateLabel(state: string): string {
  return (STATE_LABELS as Record<string, string>)[state] ?? state
}

export function stateTagType(state: string): TagType {
  return (STATE_TAG_TYPES as Record<string, TagType>)[state] ?? 'info'
}

export const CHANNEL_LABELS: Record<Channel, string> = { window: '窗口', proxy: '代办' }
export function channelLabel(c: string): string {
  return (CHANNEL_LABELS as Record<string, string>)[c] ?? c
}

export const WARNING_LABELS: Record<Warning, string> = { normal: '正常', yellow: '临期', red: '超期' }
export const ALL_WARNINGS = Object.keys(WARNING_LABELS) as Warning[]

export const DELIVERY_LABELS: Record<DeliveryMethod, string> = { window: '窗口领取', post: '邮寄', proxy: '代办员送达' }
export function deliveryLabel(m: string): string {
  return (DELIVERY_LABELS as Record<string, string>)[m] ?? m
}

export const PROBLEM_LABELS: Record<CorrectionProblem, string> = { missing: '缺少', incorrect: '有误' }
export function problemLabel(p: string): string {
  return (PROBLEM_LABELS as Record<string, string>)[p] ?? p
}

export const DECISION_LABELS: Record<string, string> = { approve: '准予', deny: '不予' }

/** Keys of ApplicationDetail.dates. */
export const DATE_LABELS: Record<string, string> = {
  proxy_received_on: '代办收件日期',
  forward_due: '代办转交期限',
  received_on: '接件日期',
  correction_due: '补正告知期限',
  accepted_on: '受理日期',
  promised_due: '承诺到期',
  legal_due: '法定到期',
  decided_on: '办结日期',
  delivered_on: '送达日期',
  closed_on: '结束日期',
}

export const APPLICANT_KIND_LABELS: Record<'person' | 'org', string> = { person: '个人', org: '单位' }

// ---- 事项目录 (catalogue)

export const FORM_LABELS: Record<MaterialForm, string> = { original: '原件', copy: '复印件', electronic: '电子' }
export function formLabel(f: string): string {
  return (FORM_LABELS as Record<string, string>)[f] ?? f
}

export const KIND_LABELS: Record<ItemKind, string> = {
  licensing: '行政许可',
  confirmation: '行政确认',
  adjudication: '行政裁决',
  payment: '行政给付',
  reward: '行政奖励',
  filing: '行政备案',
  other_power: '其他行政权力',
  public_service: '公共服务',
}
export const ALL_KINDS = Object.keys(KIND_LABELS) as ItemKind[]

export const HANDLING_LABELS: Record<Handling, string> = { instant: '即办件', promised: '承诺件' }
export function handlingLabel(h: string): string {
  return (HANDLING_LABELS as Record<string, string>)[h] ?? h
}

export const LEVEL_LABELS: Record<ItemLevel, string> = { county: '县级大厅', township: '乡镇大厅', community: '村（社区）代办' }
export const ALL_LEVELS = Object.keys(LEVEL_LABELS) as ItemLevel[]
const LEVEL_SHORT: Record<ItemLevel, string> = { county: '县级', township: '乡镇', community: '村（社区）' }
export function levelShort(l: string): string {
  return (LEVEL_SHORT as Record<string, string>)[l] ?? l
}
export function levelLabel(l: string): string {
  return (LEVEL_LABELS as Record<string, string>)[l] ?? l
}

export const ITEM_STATUS_LABELS: Record<ItemStatus, string> = { draft: '草稿', published: '已发布', retired: '已停用' }
export const ITEM_STATUS_TAG: Record<ItemStatus, TagType> = { draft: 'warning', published: 'success', retired: 'info' }

// ---- 工作日历 (calendar)

export const DAY_KIND_LABELS: Record<DayKind, string> = {
  workday: '工作日',
  weekend: '周末',
  holiday: '法定节假日',
  makeup: '调休上班',
  local_closure: '本县闭馆',
  local_workday: '本县加班',
}
export function dayKindLabel(k: string): string {
  return (DAY_KIND_LABELS as Record<string, string>)[k] ?? k
}
