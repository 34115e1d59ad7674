// Chinese labels of 社区工作事项准入 (the access lists): the five lists, item status, funding,
// admission stages and decisions, item versions, tasks and interception rules, with their lookups.
import type { AccessItemStatus, AccessKind, AdmissionDecisionKind, AdmissionStage, Funding, InterceptRule, TaskStatus } from '@/api/types'
import { type TagType, labelOf, tagOf } from '@/utils/enumLabel'

/** The five lists, in the order a county publishes them. */
export const ACCESS_KIND_LABELS: Record<AccessKind, string> = {
  duty: '依法履职事项',
  assist: '依法协助政府工作事项',
  certificate: '可出具证明事项',
  no_certificate: '不得出具证明事项',
  forbidden: '不得承担事项',
}
export const ACCESS_KIND_SHORT: Record<AccessKind, string> = {
  duty: '依法履职',
  assist: '依法协助',
  certificate: '可出具证明',
  no_certificate: '不得出具证明',
  forbidden: '不得承担',
}
export const ALL_ACCESS_KINDS = Object.keys(ACCESS_KIND_LABELS) as AccessKind[]
export const ACCESS_ITEM_STATUS_LABELS: Record<AccessItemStatus, string> = {
  in_force: '有效',
  pending: '待生效',
  withdrawn: '已撤销',
  expired: '已到期',
  lapsed: '已失效（未年度确认）',
}
export const ACCESS_ITEM_STATUS_TAG: Record<AccessItemStatus, TagType> = {
  in_force: 'success',
  pending: 'warning',
  withdrawn: 'info',
  expired: 'info',
  lapsed: 'danger',
}

export const FUNDING_LABELS: Record<Funding, string> = { none: '无专项经费', per_year: '按年拨付', per_task: '按件拨付' }
export const ALL_FUNDINGS = Object.keys(FUNDING_LABELS) as Funding[]

/** Stages of an admission request; the first five are the normal path. */
export const ADMISSION_STAGE_LABELS: Record<AdmissionStage, string> = {
  civil_review: '民政审核',
  legal_review: '合法性审查',
  joint_meeting: '联席会议审定',
  notice: '公示',
  effective: '已生效',
  returned: '退回修改',
  rejected: '不予准入',
  withdrawn: '已撤回',
  stopped: '已终止',
}
export const ADMISSION_STAGE_TAG: Record<AdmissionStage, TagType> = {
  civil_review: 'primary',
  legal_review: 'primary',
  joint_meeting: 'primary',
  notice: 'warning',
  effective: 'success',
  returned: 'warning',
  rejected: 'danger',
  withdrawn: 'info',
  stopped: 'danger',
}

/** Decisions recorded in a request's history (steps[].decision). */
export const ADMISSION_DECISION_LABELS: Record<AdmissionDecisionKind | 'submit' | 'resubmit' | 'effective' | 'withdraw' | 'abandon' | 'stop', string> = {
  submit: '提交申请',
  resubmit: '修改后重新提交',
  approve: '通过',
  return: '退回修改',
  reject: '不予准入',
  effective: '列入清单',
  withdraw: '申请部门撤回申请',
  abandon: '申请部门放弃申请',
  stop: '公示期间终止准入',
}

export const ITEM_VERSION_ACTION_LABELS: Record<string, string> = {
  create: '录入',
  edit: '修改',
  withdraw: '撤销',
  admit: '准入生效',
  lapse: '未年度确认，失效',
  reconfirm: '补办年度确认，恢复有效',
  readmit: '重新准入',
}

export const TASK_STATUS_LABELS: Record<TaskStatus, string> = { pending: '待接收', accepted: '已接收', refused: '已拒绝', done: '已办结' }
export const TASK_STATUS_TAG: Record<TaskStatus, TagType> = { pending: 'warning', accepted: 'primary', refused: 'danger', done: 'success' }

export const INTERCEPT_RULE_LABELS: Record<InterceptRule, string> = {
  no_item: '未关联清单事项',
  not_in_force: '事项不在有效期',
  no_certificate: '不得出具的证明',
  wrong_department: '非本部门事项',
  forbidden: '不得承担事项',
  out_of_scope: '超出适用范围',
  no_funding: '未落实经费（费随事转）',
}

/** What each list means, for residents reading the public list. */
export const KIND_HINTS: Record<string, string> = {
  duty: '村（居）民委员会依法履行的职责。',
  assist: '村（社区）依法协助政府开展的工作，由责任部门提供经费和指导（费随事转）。',
  certificate: '村（社区）可以出具的证明。',
  no_certificate: '村（社区）不得出具的证明，请向有关部门办理。',
  forbidden: '不得要求村（社区）承担的事项。',
}

export function accessKindLabel(kind: string): string {
  return labelOf(ACCESS_KIND_LABELS, kind)
}

export function itemStatusLabel(status: string): string {
  return labelOf(ACCESS_ITEM_STATUS_LABELS, status)
}

export function itemStatusTag(status: string): TagType {
  return tagOf(ACCESS_ITEM_STATUS_TAG, status)
}

export function versionActionLabel(action: string): string {
  return labelOf(ITEM_VERSION_ACTION_LABELS, action)
}

export function stageLabel(stage: string): string {
  return labelOf(ADMISSION_STAGE_LABELS, stage)
}

export function stageTag(stage: string): TagType {
  return tagOf(ADMISSION_STAGE_TAG, stage)
}

export function decisionLabel(decision: string): string {
  return labelOf(ADMISSION_DECISION_LABELS, decision)
}

export function taskStatusLabel(status: string): string {
  return labelOf(TASK_STATUS_LABELS, status)
}

export function taskStatusTag(status: string): TagType {
  return tagOf(TASK_STATUS_TAG, status)
}

export function interceptRuleLabel(rule: string): string {
  return labelOf(INTERCEPT_RULE_LABELS, rule)
}
