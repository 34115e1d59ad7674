// Chinese labels of 办件 (applications): states, channels, warning levels, delivery, corrections,
// decisions, the dates of the detail page and the notes of its timeline.
import type { AppState, Channel, CorrectionProblem, DeliveryMethod, Warning } from '@/api/types'
import { type TagType, labelOf, tagOf } from '@/utils/enumLabel'

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
  return labelOf(STATE_LABELS, state)
}

export function stateTagType(state: string): TagType {
  return tagOf(STATE_TAG_TYPES, state)
}

export const CHANNEL_LABELS: Record<Channel, string> = { window: '窗口', proxy: '代办' }
export function channelLabel(c: string): string {
  return labelOf(CHANNEL_LABELS, c)
}

export const WARNING_LABELS: Record<Warning, string> = { normal: '正常', yellow: '临期', red: '超期' }
export const ALL_WARNINGS = Object.keys(WARNING_LABELS) as Warning[]

export const DELIVERY_LABELS: Record<DeliveryMethod, string> = { window: '窗口领取', post: '邮寄', proxy: '代办员送达' }
export function deliveryLabel(m: string): string {
  return labelOf(DELIVERY_LABELS, m)
}

export const PROBLEM_LABELS: Record<CorrectionProblem, string> = { missing: '缺少', incorrect: '有误' }
export function problemLabel(p: string): string {
  return labelOf(PROBLEM_LABELS, p)
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
  complete_on: '补正齐全日期',
  decided_on: '办结日期',
  delivery_due: '送达期限',
  step_due: '特别程序期限',
  delivered_on: '送达日期',
  closed_on: '结束日期',
}

export const APPLICANT_KIND_LABELS: Record<'person' | 'org', string> = { person: '个人', org: '单位' }

/** What the note of a timeline event is called, by its action. */
export const NOTE_LABELS: Record<string, string> = {
  reject: '理由',
  deny: '理由',
  withdraw: '原因',
  approve: '意见',
  pause: '理由',
  extend: '理由',
  resume: '说明',
  complete_stage: '意见',
}
