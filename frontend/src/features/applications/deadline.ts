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
export const DUE_KEYS = ['forward_due', 'correction_due', 'promised_due', 'legal_due'] as const
export type DueKey = (typeof DUE_KEYS)[number]

/**
 * The due dates to show on the detail page: 承诺到期 and 法定到期 always (once set), 代办转交期限
 * and 补正告知期限 only while they run (the API gives them a level then).
 */
export function visibleDues(
  dates: Record<string, string>,
  levels: Record<string, string>,
): { key: DueKey; date: string; level: string }[] {
  const out: { key: DueKey; date: string; level: string }[] = []
  for (const key of DUE_KEYS) {
    const date = displayDate(dates[key])
    const running = key in levels
    if (key === 'forward_due' || key === 'correction_due') {
      if (!running || !date) continue
    } else if (!date) continue
    out.push({ key, date, level: levels[key] ?? 'normal' })
  }
  return out
}
