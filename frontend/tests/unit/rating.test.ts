import { describe, expect, it } from 'vitest'
import {
  RECT_STATUS_LABELS,
  SCORES,
  SCORE_LABELS,
  caseActionLabel,
  rectLabel,
  rectTag,
  scoreLabel,
  scoreTag,
} from '@/features/rating/labels'
import {
  caseActions,
  caseOpen,
  givenText,
  goodLevelsText,
  goodRateText,
  indicatorRates,
  isBadScore,
  rateText,
  ratingNotice,
  stepTitle,
  unansweredCallbacks,
  waitFor,
} from '@/features/rating/model'

const indicator = (over: Partial<Record<string, number>> = {}) => ({
  key: 'k',
  label: 'l',
  events: 10,
  rated: 8,
  good: 6,
  bad: 1,
  active: 5,
  active_good: 4,
  good_rate: 0.75,
  active_good_rate: 0.8,
  unrated_rate: 0.2,
  ...over,
})

describe('rating levels', () => {
  it('maps 1–5 to the five levels of GB/T 39734, worst first', () => {
    expect(SCORES.map(scoreLabel)).toEqual(['非常不满意', '不满意', '基本满意', '满意', '非常满意'])
    expect(SCORE_LABELS[4]).toBe('满意')
    expect(scoreLabel(7)).toBe('7')
    expect(scoreLabel(null)).toBe('')
  })

  it('counts 1 and 2 as 差评', () => {
    expect(SCORES.filter(isBadScore)).toEqual([1, 2])
    expect(isBadScore(null)).toBe(false)
    expect(scoreTag(2)).toBe('danger')
    expect(scoreTag(3)).toBe('warning')
    expect(scoreTag(5)).toBe('success')
  })

  it('describes the ratings given', () => {
    expect(givenText([])).toBe('')
    expect(givenText([2])).toBe('不满意')
    expect(givenText([2, 4])).toBe('第 1 次：不满意；第 2 次：满意')
  })
})

describe('rectification cases', () => {
  it('labels every status', () => {
    expect(Object.values(RECT_STATUS_LABELS)).toEqual(['待整改', '整改中', '整改完成', '无效差评', '无法整改', '超期'])
    expect(rectLabel('done')).toBe('整改完成')
    expect(rectLabel('')).toBe('')
    expect(rectTag('overdue')).toBe('danger')
    expect(rectTag('done')).toBe('success')
    expect(rectTag(undefined)).toBe('info')
    expect(caseOpen('overdue')).toBe(true)
    expect(caseOpen('invalid')).toBe(false)
  })

  // 国办发〔2019〕51号: every 差评 is called back; the callback is its own step, and 整改完成
  // waits for one that reached the resident.
  it('offers the steps the server allows: 记录回访 while open, 整改完成 only after a callback, the reviews to the admin only', () => {
    expect(caseActions({ status: 'pending', callback_at: null }, false)).toEqual(['callback'])
    expect(caseActions({ status: 'pending', callback_at: null }, true)).toEqual(['callback', 'invalid', 'impossible'])
    expect(caseActions({ status: 'in_progress', callback_at: '2026-11-21T08:00:00Z' }, false)).toEqual(['callback', 'complete'])
    expect(caseActions({ status: 'overdue', callback_at: null }, false)).toEqual(['callback'])
    expect(caseActions({ status: 'overdue', callback_at: '2026-11-21T08:00:00Z' }, false)).toEqual(['callback', 'complete'])
    for (const s of ['done', 'invalid', 'impossible']) expect(caseActions({ status: s }, true)).toEqual([])
    expect(caseActionLabel('callback')).toBe('记录回访')
    expect(caseActionLabel('invalid')).toBe('无效差评')
  })

  it('names each step of the history, a callback with how and what came of it', () => {
    expect(stepTitle({ kind: 'callback', method: 'phone', outcome: 'reached' })).toBe('回访（电话 · 已联系上评价人）')
    expect(stepTitle({ kind: 'callback', method: 'in_person', outcome: 'unreachable' })).toBe('回访（当面 · 未联系上）')
    expect(stepTitle({ kind: 'callback' })).toBe('回访')
    expect(stepTitle({ kind: 'complete' })).toBe('整改完成')
    expect(stepTitle({ kind: 'rerated' })).toBe('整改后再评价')
    expect(
      unansweredCallbacks([
        { kind: 'opened' },
        { kind: 'callback', outcome: 'unreachable' },
        { kind: 'callback', outcome: 'unreachable' },
        { kind: 'callback', outcome: 'reached' },
      ]),
    ).toBe(2)
    expect(unansweredCallbacks(null)).toBe(0)
  })
})

describe('what the resident is told', () => {
  it('says nothing before the first rating', () => {
    expect(ratingNotice({ can_rate: true, round: 1, given: [] })).toBeNull()
    expect(ratingNotice(null)).toBeNull()
  })

  it('tells a 差评 in rectification that it may rate again afterwards', () => {
    expect(ratingNotice({ can_rate: false, round: 0, given: [2], rectification: 'pending' })).toEqual({
      type: 'warning',
      text: '您的评价已转交整改，整改完成后可再次评价。',
    })
    expect(ratingNotice({ can_rate: false, round: 0, given: [1], rectification: 'in_progress' })?.type).toBe('warning')
  })

  it('invites the re-rating once rectified, and thanks afterwards', () => {
    expect(ratingNotice({ can_rate: true, round: 2, given: [2], rectification: 'done' })?.text).toContain('再次评价')
    expect(ratingNotice({ can_rate: false, round: 0, given: [2, 4], rectification: 'done' })).toEqual({ type: 'success', text: '感谢您的评价！' })
    expect(ratingNotice({ can_rate: false, round: 0, given: [5] })?.text).toBe('感谢您的评价！')
  })

  it('explains a 差评 closed by review', () => {
    expect(ratingNotice({ can_rate: false, round: 0, given: [1], rectification: 'invalid' })?.text).toContain('无效差评')
  })
})

describe('indicators', () => {
  it('shows a rate only when its denominator is not zero', () => {
    expect(rateText(0.756, 10)).toBe('75.6%')
    expect(rateText(0, 0)).toBe('—')
    expect(indicatorRates(indicator())).toEqual({ good: '75.0%', activeGood: '80.0%', unrated: '20.0%' })
    expect(indicatorRates(indicator({ rated: 0, active: 0, events: 0, good_rate: 0, active_good_rate: 0, unrated_rate: 0 }))).toEqual({
      good: '—',
      activeGood: '—',
      unrated: '—',
    })
  })
})

describe("a worker's 好评率", () => {
  it('counts first-round ratings only, 好评 as the server counted it by the county rule', () => {
    expect(goodRateText([])).toBe('—')
    expect(goodRateText([{ good: true, round: 1 }, { good: false, round: 1 }, { good: true, round: 2 }, { good: true, round: 1 }])).toBe('66.7%')
    expect(goodRateText([{ good: false, round: 1 }])).toBe('0.0%')
  })
})

describe('which levels are 好评', () => {
  // 国办发〔2019〕51号 / GB/T 39734-2020 as the brief reads them: five levels, the last two 差评,
  // the first three commonly 好评 (the default); a county may count fewer.
  it('names the levels from the county setting down, never a 差评 level', () => {
    expect(goodLevelsText(3)).toBe('非常满意、满意、基本满意')
    expect(goodLevelsText(4)).toBe('非常满意、满意')
    expect(goodLevelsText(5)).toBe('非常满意')
    expect(goodLevelsText(1)).toBe('非常满意、满意、基本满意')
  })
})

describe('waitFor', () => {
  // 2026-12-05 14:20:30 China time.
  const now = new Date('2026-12-05T06:20:30Z')
  it('says the minutes, rounded up, and the China clock time to try again after', () => {
    expect(waitFor(900, now)).toEqual({ minutes: 15, until: '14:36', text: '还需等待 15 分钟，14:36 以后可再试' })
    expect(waitFor(61, now)?.minutes).toBe(2)
    expect(waitFor(30, now)).toEqual({ minutes: 1, until: '14:21', text: '还需等待 1 分钟，14:21 以后可再试' })
  })
  it('is nothing without a wait', () => {
    expect(waitFor(0, now)).toBeNull()
    expect(waitFor(null, now)).toBeNull()
    expect(waitFor(undefined, now)).toBeNull()
  })
})
