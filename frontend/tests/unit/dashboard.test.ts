import { describe, expect, it } from 'vitest'
import type { DashboardMonth, DashboardRow } from '@/api/types'
import { burdenChangeOption, days, rate, totalCards, trendOption, unitsDescription, unitsOption, workforceOption } from '@/features/supervision/dashboard'

const fig = { received: 0, decided: 0, on_time: 0, late: 0, overdue: 0, yellow: 0, rated: 0, good: 0, red_cards: 0, yellow_cards: 0 }
const months: DashboardMonth[] = [
  { ...fig, month: '2026-11', received: 10, decided: 8, on_time: 6, on_time_rate: 0.75, rated: 4, good: 3, good_rate: 0.75, avg_days: 4.5 },
  { ...fig, month: '2026-12' },
]
const rows: DashboardRow[] = [
  { ...fig, level: 'county', key: 'a', name: '甲县', rank: 1, received: 7, overdue: 2, decided: 4, on_time: 4, on_time_rate: 1 },
  { ...fig, level: 'county', key: 'b', name: '乙县', rank: 0, received: 3 },
]

describe('supervision dashboards', () => {
  it('formats rates and days, with a dash where there is nothing to divide', () => {
    expect(rate(0.75)).toBe('75.0%')
    expect(rate(undefined)).toBe('—')
    expect(days(4.5)).toBe('4.5')
    expect(days(null)).toBe('—')
  })

  it('draws months as bars and rates as lines on a per-cent axis, with gaps where no rate exists', () => {
    const o = trendOption(months) as { series: { name: string; data: (number | null)[] }[]; xAxis: { data: string[] } }
    expect(o.xAxis.data).toEqual(['2026-11', '2026-12'])
    expect(o.series.map((s) => s.name)).toEqual(['收件量', '办结量', '按时办结率', '好评率'])
    expect(o.series[2]!.data).toEqual([75, null])
  })

  it('says each unit in words and draws one bar per unit', () => {
    const o = unitsOption(rows, 'county') as { series: { data: number[] }[]; aria: { label: { description: string } } }
    expect(o.series[0]!.data).toEqual([7, 3])
    expect(o.series[1]!.data).toEqual([2, 0])
    expect(unitsDescription(rows, 'county')).toContain('各县（区）')
    expect(o.aria.label.description).toContain('甲县收件 7 件，在办超期 2 件，按时办结率 100.0%')
    expect(o.aria.label.description).toContain('乙县收件 3 件，在办超期 0 件，按时办结率 —')
  })

  it('compares the burden before and after the lists side by side', () => {
    const s = { months: 3, tasks: 5, refused: 1, intercepted: 2, hours: 4 }
    const o = burdenChangeOption(s, { ...s, tasks: 2 }, '2026-06') as { series: { name: string; data: number[] }[] }
    expect(o.series.map((x) => [x.name, x.data])).toEqual([
      ['施行前', [5, 1, 2]],
      ['施行后', [2, 1, 2]],
    ])
  })

  it('draws the workforce by level', () => {
    const o = workforceOption([{ level: 3, workers: 4, payroll_fen: 100 }], '2026-12') as { xAxis: { data: string[] }; aria: { label: { description: string } } }
    expect(o.xAxis.data).toEqual(['3 级'])
    expect(o.aria.label.description).toBe('2026-12社区工作者按等级人数：3 级 4 人')
  })

  it('marks overdue in red on the cards only when there is any', () => {
    expect(totalCards({ ...fig, overdue: 1 }).find((c) => c.key === 'overdue')!.tone).toBe('bad')
    expect(totalCards({ ...fig }).find((c) => c.key === 'overdue')!.tone).toBe('')
    expect(totalCards(undefined).every((c) => c.value === '—' || c.value === undefined)).toBe(true)
    // 红牌 / 黄牌 raised in the period; any red card is bad news.
    const cards = totalCards({ ...fig, red_cards: 2, yellow_cards: 1 }).find((c) => c.key === 'cards')!
    expect([cards.value, cards.tone]).toEqual(['2 / 1', 'bad'])
    expect(totalCards({ ...fig, yellow_cards: 1 }).find((c) => c.key === 'cards')!.tone).toBe('')
  })
})
