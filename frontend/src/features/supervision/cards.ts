// 效能监察 (issue 16, item 4): the cards' labels, shared by the region's 红黄牌 panel and the
// county's 督办事项 (the server's RuleLabels and StatusLabels say the same in the 监察建议书).
export const RULE_LABELS: Record<string, string> = {
  overdue: '办理超期或临期',
  refusal_unstated: '不予受理未说明理由',
  repeat_corrections: '多次补正告知',
  late_callback: '差评未按期回访',
  step_overdue: '环节超期或临期',
}

export const COLOUR_LABELS: Record<string, string> = { red: '红牌', yellow: '黄牌' }

export const STATUS_LABELS: Record<string, string> = {
  open: '未督办',
  issued: '已督办',
  replied: '已回复',
  returned: '已退回',
  closed: '已办结',
}

/** The steps of a 督办's history (the server's EventLabels). */
export const STEP_LABELS: Record<string, string> = {
  issued: '督办',
  replied: '县（区）回复',
  returned: '退回',
  closed: '办结',
}

/** A step's time as the hall reads it: date and minute, in China's time. */
export function stepTime(s: string): string {
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return s
  const cn = new Date(d.getTime() + 8 * 3600_000).toISOString()
  return `${cn.slice(0, 10)} ${cn.slice(11, 16)}`
}

export const RULE_COLOUR_OPTIONS = [
  { value: 'red', label: '红牌' },
  { value: 'yellow', label: '黄牌' },
  { value: 'off', label: '不启用' },
]

const STATUS_TAGS: Record<string, 'info' | 'warning' | 'success' | 'danger' | 'primary'> = {
  open: 'danger',
  issued: 'warning',
  replied: 'primary',
  returned: 'warning',
  closed: 'success',
}

export function statusTag(s: string) {
  return STATUS_TAGS[s] ?? 'info'
}

/** A date column (YYYY-MM-DD…) as its date. */
export function day(s: string | null | undefined): string {
  return s ? s.slice(0, 10) : '—'
}

/** What a card is about, in one line: the rule, and for a late limit the working days over. */
export function cardProblem(c: { rule: string; days_over: number }): string {
  const label = RULE_LABELS[c.rule] ?? c.rule
  return c.rule === 'overdue' && c.days_over > 0 ? `${label}（超期 ${c.days_over} 个工作日）` : label
}

/** A reply or instruction must not carry an ID number or a mobile number (the server checks too). */
export function hasPersonalData(s: string): boolean {
  const t = s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/[\s\-　]/g, '')
  return /[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9}/.test(t)
}
