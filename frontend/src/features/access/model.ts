// Pure helpers of the community work-item access screens (社区工作事项准入; their labels are in
// labels.ts): the five lists, funding text, the admission stages, who may decide a stage, tasks
// and the burden statistics' chart and comparison.
import type { AccessContent, AccessKind, AdmissionStage, AdmissionStep, BurdenComparison, BurdenRow } from '@/api/types'
import { ALL_ACCESS_KINDS, FUNDING_LABELS, accessKindLabel } from '@/features/access/labels'
import { fenToYuan, formatFen, yuanToFen } from '@/utils/money'

// ---- lists and items

/** Kinds whose work may be given to a community (and that an admission request may add). */
export const DISPATCHABLE_KINDS: readonly AccessKind[] = ['duty', 'assist', 'certificate']

export interface KindGroup<T> {
  kind: string
  label: string
  items: T[]
}

/**
 * Items grouped by list, in the order the lists are published (依法履职 → 依法协助 → 可出具证明 →
 * 不得出具证明 → 不得承担); within a list by code. Unknown kinds follow, under their own name.
 * With `all`, the five lists are returned even when empty.
 */
export function groupByKind<T extends { kind: string; code?: string }>(items: readonly T[], all = false): KindGroup<T>[] {
  const order = [...ALL_ACCESS_KINDS] as string[]
  for (const it of items) if (!order.includes(it.kind)) order.push(it.kind)
  return order
    .map((kind) => ({
      kind,
      label: accessKindLabel(kind),
      items: items.filter((it) => it.kind === kind).sort((a, b) => (a.code ?? '').localeCompare(b.code ?? '')),
    }))
    .filter((g) => all || g.items.length > 0)
}

/** "按件拨付 50.00 元/件", "按年拨付 2,000.00 元/社区/年", "无专项经费". */
export function fundingText(funding: string | null | undefined, amountFen: number | null | undefined): string {
  switch (funding) {
    case 'per_task':
      return `${formatFen(amountFen ?? 0)} 元/件`
    case 'per_year':
      return `${formatFen(amountFen ?? 0)} 元/社区/年`
    case 'none':
    case '':
    case null:
    case undefined:
      return FUNDING_LABELS.none
    default:
      return funding
  }
}

/** "2026-01-01 起" or "2026-01-01 至 2026-12-31"; an unset end comes as "" from the API. */
export function effectiveRange(from: string | null | undefined, to: string | null | undefined): string {
  const f = from && !/^0{4}-|^0001-/.test(from) ? from : ''
  const t = to && !/^0{4}-|^0001-/.test(to) ? to : ''
  if (f && t) return `${f} 至 ${t}`
  if (f) return `${f} 起`
  if (t) return `至 ${t}`
  return ''
}

/** "台账 1 · 报表 0 · 检查 2". */
export function burdenText(it: { ledgers: number; reports: number; inspections: number }): string {
  return `台账 ${it.ledgers} · 报表 ${it.reports} · 检查 ${it.inspections}`
}

// ---- admission

/** The normal path of a request, for a steps bar. */
export const STAGE_FLOW: readonly AdmissionStage[] = ['civil_review', 'legal_review', 'joint_meeting', 'notice', 'effective']
/** Stages someone may decide (通过 / 退回修改 / 不予准入). */
export const DECIDABLE_STAGES: readonly AdmissionStage[] = ['civil_review', 'legal_review', 'joint_meeting']

export interface StageProgress {
  /** Index in STAGE_FLOW of the current (or, when stopped, the last reached) stage. */
  active: number
  /** 'finish' once effective, 'error' when returned or rejected at `active`, else 'process'. */
  status: 'process' | 'finish' | 'error' | 'wait'
}

/**
 * Where a request stands on the normal path. A returned or rejected request stopped at the stage
 * of its last decision (steps[].step holds the stage the decision was taken at).
 */
export function stageProgress(status: string, steps: readonly Pick<AdmissionStep, 'step' | 'decision'>[] = []): StageProgress {
  const i = STAGE_FLOW.indexOf(status as AdmissionStage)
  if (status === 'effective') return { active: STAGE_FLOW.length - 1, status: 'finish' }
  if (i >= 0) return { active: i, status: 'process' }
  if (status === 'returned' || status === 'rejected' || status === 'withdrawn' || status === 'stopped') {
    const stopping = ['return', 'reject', 'withdraw', 'stop'] // an abandonment follows a return: the return's stage
    const last = [...steps].reverse().find((s) => stopping.includes(s.decision))
    const at = last ? STAGE_FLOW.indexOf(last.step as AdmissionStage) : 0
    return { active: Math.max(0, at), status: 'error' }
  }
  return { active: 0, status: 'wait' }
}

/** Open stages: the request holds its code, and its department may withdraw it. */
export const OPEN_STAGES: readonly AdmissionStage[] = ['civil_review', 'legal_review', 'joint_meeting', 'notice', 'returned']

/** A month-day "MM-DD" every year has (the yearly re-confirmation deadline): not 29 February. */
export function isMonthDay(v: string | null | undefined): boolean {
  const m = /^(\d{2})-(\d{2})$/.exec(v ?? '')
  if (!m) return false
  const month = Number(m[1])
  const day = Number(m[2])
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(month)
}

/** Days of a month in a common year (the deadline must exist every year). */
export function daysInMonth(month: number): number {
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0
}

/** "03-31" → "3 月 31 日". */
export function monthDayText(v: string | null | undefined): string {
  if (!isMonthDay(v)) return ''
  const [m, d] = (v as string).split('-').map(Number)
  return `${m} 月 ${d} 日`
}

/** 退回修改 and 不予准入 need a reason (at least two characters, as the server checks). */
export function decisionNeedsReason(decision: string): boolean {
  return decision === 'return' || decision === 'reject'
}

/** The earliest allowed start named in the 422 message ("…最早可申请 2027-01-05 起实施"), or ''. */
export function earliestStartFrom(message: string | null | undefined): string {
  const m = /最早[^0-9]*(\d{4}-\d{2}-\d{2})/.exec(message ?? '') ?? /earliest start is (\d{4}-\d{2}-\d{2})/.exec(message ?? '')
  return m?.[1] ?? ''
}

// ---- burden statistics

/** YYYY-MM of a date in the browser's time zone. */
export function monthOf(now: Date = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`
}

export function isMonthValue(v: unknown): v is string {
  return typeof v === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(v)
}

/** A burden row as the chart needs it. */
type ChartRow = Pick<BurdenRow, 'key' | 'label' | 'tasks' | 'intercepted'>

/** The chart's rows: the busiest communities first (tasks plus interceptions), then by name. */
export function burdenChartRows(rows: readonly ChartRow[]): ChartRow[] {
  return [...rows]
    .map((r) => ({ ...r, label: r.label || '（未知）' }))
    .sort((a, b) => b.tasks + b.intercepted - (a.tasks + a.intercepted) || a.label.localeCompare(b.label, 'zh-CN'))
}

/** What the chart shows, in words: its accessible description and the screen reader's text. */
export function burdenChartDescription(rows: readonly ChartRow[]): string {
  const sorted = burdenChartRows(rows)
  if (!sorted.length) return '各村（社区）交办任务与被拦截次数：该期间没有交办或拦截'
  return `各村（社区）交办任务与被拦截次数：${sorted.map((r) => `${r.label}交办${r.tasks}件、被拦截${r.intercepted}次`).join('；')}`
}

/** The metrics of a burden row, in the order the cards and the comparison show them. */
export const BURDEN_METRICS: readonly { key: keyof BurdenRow & string; label: string; unit: string }[] = [
  { key: 'tasks', label: '交办任务', unit: '件' },
  { key: 'accepted', label: '接收', unit: '件' },
  { key: 'refused', label: '拒绝', unit: '件' },
  { key: 'intercepted', label: '拦截', unit: '次' },
  { key: 'hours', label: '预计工时', unit: '小时' },
  { key: 'ledgers', label: '台账', unit: '本' },
  { key: 'certificates', label: '出具证明', unit: '件' },
  { key: 'inspections', label: '检查考核', unit: '次' },
]

/** 12 → "12"; 3.456 → "3.5"; hours and averages keep one decimal. */
export function formatAmount(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '—'
  return Number.isInteger(v) ? String(v) : (Math.round(v * 10) / 10).toFixed(1)
}

/** "−40.0%", "+25.0%", "持平", or "—" when there was nothing before. */
export function changeText(before: number, after: number): string {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return '—'
  if (before === after) return '持平'
  if (before === 0) return '—'
  const pct = ((after - before) / before) * 100
  return `${pct > 0 ? '+' : '−'}${Math.abs(Math.round(pct * 10) / 10).toFixed(1)}%`
}

export interface ComparisonLine {
  key: string
  label: string
  unit: string
  before: string
  after: string
  change: string
  /** The burden went down (good), up (bad) or stayed. */
  trend: 'down' | 'up' | 'same'
}

/** The before/after table around a list version (monthly average per community). */
export function comparisonLines(c: Pick<BurdenComparison, 'before' | 'after'> | null | undefined): ComparisonLine[] {
  if (!c) return []
  return BURDEN_METRICS.map((m) => {
    const b = Number(c.before[m.key as keyof BurdenRow]) || 0
    const a = Number(c.after[m.key as keyof BurdenRow]) || 0
    return {
      key: m.key,
      label: m.label,
      unit: m.unit,
      before: formatAmount(b),
      after: formatAmount(a),
      change: changeText(b, a),
      trend: a < b ? 'down' : a > b ? 'up' : 'same',
    }
  })
}

/** "2026-01-01（+16 项）", "2027-01-01（+1 −2 项）" for the version picker. */
export function versionLabel(v: { date: string; added: number; removed: number }): string {
  const parts = [v.added ? `+${v.added}` : '', v.removed ? `−${v.removed}` : ''].filter(Boolean).join(' ')
  return parts ? `${v.date}（${parts} 项）` : v.date
}

// ---- the content form (录入 / 修改 / 申请准入 / 重新提交)

/** What the content form edits: the API's content with the amount in 元 for the input. */
export interface ContentForm {
  code: string
  kind: AccessContent['kind']
  name: string
  legal_basis: string
  department_id: string
  scope_unit_ids: string[]
  funding: AccessContent['funding']
  funding_yuan: number
  ledgers: number
  reports: number
  inspections: number
  hours_per_year: number
}

export function emptyContentForm(kind: AccessContent['kind'] = 'assist'): ContentForm {
  return {
    code: '',
    kind,
    name: '',
    legal_basis: '',
    department_id: '',
    scope_unit_ids: [],
    funding: 'none',
    funding_yuan: 0,
    ledgers: 0,
    reports: 0,
    inspections: 0,
    hours_per_year: 0,
  }
}

/** A form filled from an item or a request's content. */
export function contentFormFrom(
  c: Partial<Omit<AccessContent, 'kind' | 'funding' | 'department_id'>> & { kind?: string; funding?: string; department_id?: string | null },
): ContentForm {
  const base = emptyContentForm()
  return {
    code: c.code ?? '',
    kind: ((ALL_ACCESS_KINDS as string[]).includes(c.kind ?? '') ? c.kind : base.kind) as ContentForm['kind'],
    name: c.name ?? '',
    legal_basis: c.legal_basis ?? '',
    department_id: c.department_id ?? '',
    scope_unit_ids: [...(c.scope_unit_ids ?? [])],
    funding: (c.funding === 'per_year' || c.funding === 'per_task' ? c.funding : 'none') as ContentForm['funding'],
    funding_yuan: fenToYuan(c.funding_amount ?? 0),
    ledgers: c.ledgers ?? 0,
    reports: c.reports ?? 0,
    inspections: c.inspections ?? 0,
    hours_per_year: c.hours_per_year ?? 0,
  }
}

/** The API's content from the form: trimmed text, fen, no amount without funding, no empty department. */
export function contentBody(f: ContentForm): AccessContent {
  const body: AccessContent = {
    code: f.code.trim().toUpperCase(),
    kind: f.kind,
    name: f.name.trim(),
    legal_basis: f.legal_basis.trim(),
    scope_unit_ids: [...f.scope_unit_ids],
    funding: f.funding,
    funding_amount: f.funding === 'none' ? 0 : (yuanToFen(f.funding_yuan) ?? 0),
    ledgers: Math.max(0, Math.round(f.ledgers || 0)),
    reports: Math.max(0, Math.round(f.reports || 0)),
    inspections: Math.max(0, Math.round(f.inspections || 0)),
    hours_per_year: Math.max(0, Number(f.hours_per_year) || 0),
  }
  if (f.department_id) body.department_id = f.department_id
  return body
}

export const CODE_PATTERN = /^[A-Z0-9-]{1,30}$/

/** 费随事转: the 依法协助 list's work comes with its money, stated before admission. */
export const FUNDING_REQUIRED = '依法协助事项须写明经费保障（费随事转）：请选择按年或按件拨付'

/** Client-side checks mirroring the server's (the server has the final say); keyed by field. */
export function validateContent(f: ContentForm, opts: { needDepartment?: boolean } = {}): Record<string, string> {
  const errs: Record<string, string> = {}
  const dispatchable = (DISPATCHABLE_KINDS as readonly string[]).includes(f.kind)
  if (!CODE_PATTERN.test(f.code.trim().toUpperCase())) errs.code = '编号须为 1–30 位大写字母、数字或连字符'
  const n = [...f.name.trim()].length
  if (n < 1 || n > 200) errs.name = '事项名称须为 1 至 200 个字'
  if (dispatchable && [...f.legal_basis.trim()].length < 2) errs.legal_basis = '须写明法律法规依据'
  if (opts.needDepartment && dispatchable && !f.department_id) errs.department_id = '履职、协助和证明事项须有责任部门'
  if (f.funding !== 'none' && !(f.funding_yuan > 0)) errs.funding_amount = '请填写经费金额'
  if (f.kind === 'assist' && f.funding === 'none') errs.funding = FUNDING_REQUIRED
  return errs
}

/** Org kinds an item's scope may name. */
export const SCOPE_KINDS: readonly string[] = ['township', 'street', 'community', 'village']

/** "全县" for an empty scope, else the units' names ("城关镇、李家村"), unknown ones counted. */
export function scopeText(ids: readonly string[] | null | undefined, units: readonly { id: string; name: string }[]): string {
  const list = ids ?? []
  if (list.length === 0) return '全县'
  const byId = new Map(units.map((u) => [u.id, u.name]))
  const names = list.map((id) => byId.get(id)).filter((n): n is string => !!n)
  const unknown = list.length - names.length
  if (names.length === 0) return `${list.length} 个乡镇或村（社区）`
  return unknown > 0 ? `${names.join('、')} 等 ${list.length} 个` : names.join('、')
}
