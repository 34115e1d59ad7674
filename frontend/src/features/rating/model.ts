// Pure helpers of 好差评 (the labels are in labels.ts): what the resident is told about their
// rating and its rectification, which steps a case allows, and the indicator rates.
import type { CaseAction, CaseStep, RatingIndicator, RatingState } from '@/api/types'
import { CALLBACK_METHOD_LABELS, CALLBACK_OUTCOME_LABELS, rectLabel, scoreLabel, STEP_LABELS } from '@/features/rating/labels'
import { percent } from '@/utils/format'

/** 差评: 不满意 or 非常不满意. */
export function isBadScore(score: number | null | undefined): boolean {
  return score != null && score >= 1 && score <= 2
}

/** A case is open while the hall still has work on it. */
export function caseOpen(status: string): boolean {
  return status === 'pending' || status === 'in_progress' || status === 'overdue'
}

/** A button on a case: a closing step, or 记录回访 (its own step). */
export type CaseButton = CaseAction | 'callback'

/**
 * The steps a case allows, as the server rules them (国办发〔2019〕51号: every 差评 is called
 * back): 记录回访 while open (an unanswered call is recorded too, and leaves the callback owed),
 * 整改完成 while open once a callback reached the resident, and 无效差评 / 无法整改 while open by a
 * county admin only.
 */
export function caseActions(c: { status: string; callback_at?: string | null }, isAdmin: boolean): CaseButton[] {
  if (!caseOpen(c.status)) return []
  const out: CaseButton[] = ['callback']
  if (c.callback_at) out.push('complete')
  if (isAdmin) out.push('invalid', 'impossible')
  return out
}

/** A step's title in the case's history: "回访（电话 · 已联系上评价人）". */
export function stepTitle(s: Pick<CaseStep, 'kind' | 'method' | 'outcome'>): string {
  const label = STEP_LABELS[s.kind] ?? s.kind
  if (s.kind !== 'callback') return label
  const parts = [s.method ? CALLBACK_METHOD_LABELS[s.method] : '', s.outcome ? CALLBACK_OUTCOME_LABELS[s.outcome] : ''].filter(Boolean)
  return parts.length ? `${label}（${parts.join(' · ')}）` : label
}

/** Callbacks tried on a case that did not reach the resident. */
export function unansweredCallbacks(steps: readonly Pick<CaseStep, 'kind' | 'outcome'>[] | null | undefined): number {
  return (steps ?? []).filter((s) => s.kind === 'callback' && s.outcome === 'unreachable').length
}

/**
 * The levels counted as 好评 when `min` is the lowest, best first. The county sets `min`; the
 * default 3 follows 国办发〔2019〕51号 / GB/T 39734-2020 as the brief reads them: 不满意 and
 * 非常不满意 are 差评, the first three commonly count as 好评.
 */
export function goodLevelsText(min: number): string {
  return [5, 4, 3, 2, 1]
    .filter((s) => s >= Math.max(min, 3))
    .map((s) => scoreLabel(s))
    .join('、')
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

/**
 * 好评率 of a worker's first-round ratings (re-ratings after rectification do not count twice), e.g.
 * "80.0%"; "—" without any. Whether a rating is 好评 is the county's rule, which the server applies.
 */
export function goodRateText(ratings: readonly { good: boolean; round: number }[]): string {
  const first = ratings.filter((r) => r.round === 1)
  if (!first.length) return '—'
  return `${((first.filter((r) => r.good).length / first.length) * 100).toFixed(1)}%`
}

/** How long a refused lookup (429) must wait: whole minutes, rounded up, and the clock time. */
export interface Wait {
  minutes: number
  /** HH:MM, China time, rounded up to the minute: the earliest time to try again. */
  until: string
  /** "还需等待 15 分钟，14:36 以后可再试": counts down beside the server's 请 N 分钟后再试. */
  text: string
}

const CHINA_OFFSET_MS = 8 * 3600 * 1000

/** The wait of a Retry-After of `seconds` from `now`; null when there is none left. */
export function waitFor(seconds: number | null | undefined, now: Date = new Date()): Wait | null {
  if (!seconds || seconds <= 0) return null
  const minutes = Math.ceil(seconds / 60)
  const end = Math.ceil((now.getTime() + seconds * 1000) / 60000) * 60000
  const until = new Date(end + CHINA_OFFSET_MS).toISOString().slice(11, 16)
  return { minutes, until, text: `还需等待 ${minutes} 分钟，${until} 以后可再试` }
}
