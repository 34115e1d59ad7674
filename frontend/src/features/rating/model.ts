// Pure helpers of 好差评 (the labels are in labels.ts): what the resident is told about their
// rating and its rectification, which steps a case allows, and the indicator rates.
import type { CaseAction, RatingIndicator, RatingState } from '@/api/types'
import { rectLabel, scoreLabel } from '@/features/rating/labels'
import { percent } from '@/utils/format'

/** 差评: 不满意 or 非常不满意. */
export function isBadScore(score: number | null | undefined): boolean {
  return score != null && score >= 1 && score <= 2
}

/** A case is open while the hall still has work on it. */
export function caseOpen(status: string): boolean {
  return status === 'pending' || status === 'in_progress' || status === 'overdue'
}

/**
 * The steps a case allows, as the server rules them: 回访 once (while pending, or while open and
 * not yet called back), 整改完成 while open, and 无效差评 / 无法整改 while open by a county admin only.
 */
export function caseActions(c: { status: string; callback_at?: string | null }, isAdmin: boolean): CaseAction[] {
  const open = caseOpen(c.status)
  const out: CaseAction[] = []
  if (c.status === 'pending' || (open && !c.callback_at)) out.push('callback')
  if (open) out.push('complete')
  if (open && isAdmin) out.push('invalid', 'impossible')
  return out
}

/** "第 1 次：不满意；第 2 次：满意". */
export function givenText(given: readonly number[] | null | undefined): string {
  const g = given ?? []
  if (g.length === 0) return ''
  if (g.length === 1) return scoreLabel(g[0])
  return g.map((s, i) => `第 ${i + 1} 次：${scoreLabel(s)}`).join('；')
}

export interface RatingNotice {
  type: 'success' | 'warning' | 'info'
  text: string
}

/**
 * What the status page tells the resident about 好差评 beside (or instead of) the form: a 差评 in
 * rectification, a rectification done (re-rating open), a rectification closed another way, or
 * thanks. Null when there is nothing to say yet.
 */
export function ratingNotice(r: Pick<RatingState, 'can_rate' | 'given' | 'rectification' | 'round'> | null | undefined): RatingNotice | null {
  if (!r) return null
  const given = r.given ?? []
  if (r.can_rate && r.round >= 2) return { type: 'success', text: '您反映的问题已整改完成，欢迎再次评价（可再评价一次）。' }
  if (given.length === 0) return null
  const rect = r.rectification ?? ''
  if (rect && caseOpen(rect)) return { type: 'warning', text: '您的评价已转交整改，整改完成后可再次评价。' }
  if (rect === 'invalid' || rect === 'impossible') {
    return { type: 'info', text: `您的评价已由县级管理员审核（${rectLabel(rect)}）。感谢您的反馈。` }
  }
  return { type: 'success', text: '感谢您的评价！' }
}

/** A rate shown only when its denominator is not zero ("—" otherwise). */
export function rateText(rate: number | null | undefined, denominator: number | null | undefined): string {
  return denominator ? percent(rate) : '—'
}

/** The three rates of an indicator row, each with the count it rests on. */
export function indicatorRates(r: RatingIndicator): { good: string; activeGood: string; unrated: string } {
  return {
    good: rateText(r.good_rate, r.rated),
    activeGood: rateText(r.active_good_rate, r.active),
    unrated: rateText(r.unrated_rate, r.events),
  }
}

/** 好评率 of a worker's first-round ratings (re-ratings after rectification do not count twice), e.g. "80.0%"; "—" without any. */
export function goodRateText(ratings: readonly { score: number; round: number }[]): string {
  const first = ratings.filter((r) => r.round === 1)
  if (!first.length) return '—'
  return `${((first.filter((r) => r.score >= 4).length / first.length) * 100).toFixed(1)}%`
}
