// Deadline display: the API's warning levels (normal / yellow / red) and the due dates of an
// application.
import type { Warning } from '@/api/types'
import { WARNING_LABELS } from '@/features/applications/labels'
import { displayDate } from '@/utils/dates'
import { labelOf } from '@/utils/enumLabel'

/** CSS class of a due date by its level: yellow → warning colour, red → danger colour. */
export function warningClass(level: string | null | undefined): string {
  switch (level) {
    case 'yellow':
      return 'due-yellow'
    case 'red':
      return 'due-red'
    default:
      return 'due-normal'
  }
}

/** Element Plus tag type of a level ('' renders nothing special for normal). */
export function warningTagType(level: string | null | undefined): 'success' | 'warning' | 'danger' | 'info' {
  switch (level) {
    case 'yellow':
      return 'warning'
    case 'red':
      return 'danger'
    case 'normal':
      return 'success'
    default:
      return 'info'
  }
}

export function warningLabel(level: string | null | undefined): string {
  return level ? labelOf(WARNING_LABELS, level) : ''
}

export function isWarning(v: unknown): v is Warning {
  return v === 'normal' || v === 'yellow' || v === 'red'
}

/** The due dates of the detail page, in the order shown, and whether each is shown. */
export const DUE_KEYS = ['forward_due', 'correction_due', 'promised_due', 'legal_due', 'delivery_due'] as const
export type DueKey = (typeof DUE_KEYS)[number]

/**
 * The due dates to show on the detail page: 承诺到期 and 法定到期 always (once set), 代办转交期限,
 * 补正告知期限 and 送达期限 (行政许可法第四十四条) only while they run (the API gives them a level then).
 */
export function visibleDues(
  dates: Record<string, string>,
  levels: Record<string, string>,
): { key: DueKey; date: string; level: string }[] {
  const out: { key: DueKey; date: string; level: string }[] = []
  for (const key of DUE_KEYS) {
    const date = displayDate(dates[key])
    const running = key in levels
    if (key === 'forward_due' || key === 'correction_due' || key === 'delivery_due') {
      if (!running || !date) continue
    } else if (!date) continue
    out.push({ key, date, level: levels[key] ?? 'normal' })
  }
  return out
}

/**
 * Why a date is marked 暂定: it was counted through a year whose holiday schedule the State
 * Council has not published yet, with only the statutory days of the 全国年节及纪念日放假办法 off.
 */
export const PROVISIONAL_HINT =
  '期限跨入国务院尚未公布放假安排的年度，暂按《全国年节及纪念日放假办法》规定的法定节假日计算；安排公布并录入后将自动重新计算。'
