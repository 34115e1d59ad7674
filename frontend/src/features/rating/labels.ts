// Chinese labels of 好差评 (ratings): the five levels, rectification status and steps, with their
// lookups and the wording of a case step's note.
import type { CallbackBody, CaseAction, CaseStep, RectStatus } from '@/api/types'
import { type TagType, labelOf, tagOf } from '@/utils/enumLabel'

/** The levels from worst to best, as the rating form lists them. */
export const SCORES = [1, 2, 3, 4, 5] as const
export type Score = (typeof SCORES)[number]

/** The five levels of GB/T 39734-2020; 1 and 2 are 差评. */
export const SCORE_LABELS: Record<Score, string> = {
  1: '非常不满意',
  2: '不满意',
  3: '基本满意',
  4: '满意',
  5: '非常满意',
}

export const RECT_STATUS_LABELS: Record<RectStatus, string> = {
  pending: '待整改',
  in_progress: '整改中',
  done: '整改完成',
  invalid: '无效差评',
  impossible: '无法整改',
  overdue: '超期',
}
export const RECT_STATUS_TAG: Record<RectStatus, TagType> = {
  pending: 'danger',
  in_progress: 'warning',
  done: 'success',
  invalid: 'info',
  impossible: 'info',
  overdue: 'danger',
}

// 记录回访 is its own step (not a CaseAction), offered beside them.
export const CASE_ACTION_LABELS: Record<CaseAction | 'callback', string> = {
  callback: '记录回访',
  complete: '整改完成',
  invalid: '无效差评',
  impossible: '无法整改',
}

export function scoreLabel(score: number | null | undefined): string {
  return score != null && score in SCORE_LABELS ? SCORE_LABELS[score as Score] : score == null ? '' : String(score)
}

export function scoreTag(score: number | null | undefined): TagType {
  if (score == null) return 'info'
  if (score <= 2) return 'danger'
  if (score === 3) return 'warning'
  return 'success'
}

export function rectLabel(status: string | null | undefined): string {
  if (!status) return ''
  return labelOf(RECT_STATUS_LABELS, status)
}

export function rectTag(status: string | null | undefined): TagType {
  return tagOf(RECT_STATUS_TAG, status)
}

export function caseActionLabel(a: string): string {
  return labelOf(CASE_ACTION_LABELS, a)
}

/** What the note of each case step records, and an example of it. */
export const NOTE_LABELS: Record<CaseAction, string> = {
  complete: '整改措施和结果',
  invalid: '认定无效的理由',
  impossible: '无法整改的理由',
}
export const NOTE_HINTS: Record<CaseAction, string> = {
  complete: '例如：已向评价人当面解释并补办……，窗口已加强……',
  invalid: '例如：评价与本次服务无关（恶意差评）……',
  impossible: '例如：诉求超出法定权限，已向评价人解释……',
}

type CallbackMethod = CallbackBody['method']
type CallbackOutcome = CallbackBody['outcome']

export const CALLBACK_METHOD_LABELS: Record<CallbackMethod, string> = { phone: '电话', in_person: '当面', message: '短信或网络留言' }
export const CALLBACK_OUTCOME_LABELS: Record<CallbackOutcome, string> = { reached: '已联系上评价人', unreachable: '未联系上' }
export const STEP_LABELS: Record<CaseStep['kind'], string> = {
  opened: '收到差评',
  callback: '回访',
  complete: '整改完成',
  invalid: '认定无效差评',
  impossible: '认定无法整改',
  overdue: '整改超期',
  rerated: '整改后再评价',
}
