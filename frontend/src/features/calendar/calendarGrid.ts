// The year view of the calendar page: twelve month grids, Monday first.
import type { CalendarDay } from '@/api/types'

export interface MonthGrid {
  month: number // 1..12
  title: string // 1月
  /** Leading blanks (null) for the days before the 1st, then the month's days; padded to whole weeks. */
  cells: (CalendarDay | null)[]
}

export const WEEKDAY_HEADERS = ['一', '二', '三', '四', '五', '六', '日'] as const

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** Builds the grids from GET /api/v1/calendar/days; a day the API did not list is a plain weekday/weekend. */
export function monthGrids(year: number, days: readonly CalendarDay[]): MonthGrid[] {
  const byDate = new Map(days.map((d) => [d.date, d]))
  const out: MonthGrid[] = []
  for (let month = 1; month <= 12; month++) {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay() // 0 = Sunday
    const lead = (first + 6) % 7 // Monday first
    const cells: (CalendarDay | null)[] = Array.from({ length: lead }, () => null)
    for (let d = 1; d <= daysIn(year, month); d++) {
      const date = iso(year, month, d)
      const wd = new Date(Date.UTC(year, month - 1, d)).getUTCDay()
      const weekend = wd === 0 || wd === 6
      cells.push(
        byDate.get(date) ?? {
          date,
          working: !weekend,
          kind: weekend ? 'weekend' : 'workday',
          label: weekend ? '周末' : '工作日',
          name: '',
          provisional: false,
        },
      )
    }
    while (cells.length % 7 !== 0) cells.push(null)
    out.push({ month, title: `${month}月`, cells })
  }
  return out
}

/** Day of the month of a YYYY-MM-DD date. */
export function dayOfMonth(date: string): number {
  return Number(date.slice(8, 10))
}

/** Counts of each kind in a year, for the legend. */
export function countKinds(days: readonly CalendarDay[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const d of days) out[d.kind] = (out[d.kind] ?? 0) + 1
  return out
}

/** Every date from `from` to `to` inclusive (YYYY-MM-DD), at most `limit` of them. */
export function datesBetween(from: string, to: string, limit = 366): string[] {
  const out: string[] = []
  const a = Date.parse(from + 'T00:00:00Z')
  const b = Date.parse(to + 'T00:00:00Z')
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) return out
  for (let t = a; t <= b && out.length < limit; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10))
  return out
}
