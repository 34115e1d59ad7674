// Pure helpers of the community-worker screens (三岗十八级): roster filters ↔ URL, the change
// form → the fields a change sets, history and appraisal views, progression lines, the payroll
// sheet's rows with subtotals, and the pay-scheme editor's form ↔ PayScheme.
import type { LocationQuery, LocationQueryValue } from 'vue-router'
import type {
  Appraisal,
  BatchLine,
  Certificate,
  Education,
  PayDiff,
  PayLine,
  PayMode,
  PayScheme,
  Payroll,
  PayrollSubtotal,
  WorkerAppraisal,
  WorkerFieldDiff,
  WorkerFields,
  WorkerHistoryEntry,
  WorkerPost,
  WorkerRecord,
  WorkerStatus,
} from '@/api/types'
import { ALL_APPRAISALS, ALL_CERTIFICATES, ALL_EDUCATIONS, ALL_POSTS, ALL_WORKER_STATUSES } from '@/features/workforce/labels'
import { fenToYuan, formatFen, formatSignedFen, percentToPermille, permilleToPercent, yuanToFen } from '@/utils/money'

export const LEVELS = 18
const DATE = /^\d{4}-\d{2}-\d{2}$/
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/

export const isDate = (s: string | null | undefined): s is string => !!s && DATE.test(s)
export const isMonth = (s: string | null | undefined): s is string => !!s && MONTH.test(s)

// ---- roster filters ↔ URL ↔ API

export interface RosterFilters {
  org_unit_id: string
  q: string
  status: WorkerStatus | ''
  post: WorkerPost | ''
}

export function emptyRosterFilters(): RosterFilters {
  return { org_unit_id: '', q: '', status: '', post: '' }
}

function one(v: LocationQueryValue | LocationQueryValue[] | undefined): string {
  const x = Array.isArray(v) ? v[0] : v
  return typeof x === 'string' ? x : ''
}

/** Reads the roster filters from the URL, dropping anything malformed. */
export function rosterFiltersFromQuery(q: LocationQuery): RosterFilters {
  const status = one(q.status)
  const post = one(q.post)
  return {
    org_unit_id: /^[0-9a-fA-F-]{36}$/.test(one(q.org_unit_id)) ? one(q.org_unit_id) : '',
    q: one(q.q).trim().slice(0, 50),
    status: (ALL_WORKER_STATUSES as string[]).includes(status) ? (status as WorkerStatus) : '',
    post: (ALL_POSTS as string[]).includes(post) ? (post as WorkerPost) : '',
  }
}

/** The URL query of the filters: only those set. */
export function rosterFiltersToQuery(f: RosterFilters): Record<string, string> {
  const out: Record<string, string> = {}
  if (f.org_unit_id) out.org_unit_id = f.org_unit_id
  if (f.q.trim()) out.q = f.q.trim()
  if (f.status) out.status = f.status
  if (f.post) out.post = f.post
  return out
}

export interface RosterApiQuery {
  org_unit_id?: string
  q?: string
  status?: WorkerStatus
  post?: WorkerPost
  cursor?: string
  limit?: number
}

/** Query parameters of GET /api/v1/workers. */
export function rosterFiltersToApi(f: RosterFilters, cursor = '', limit = 50): RosterApiQuery {
  const out: RosterApiQuery = { limit }
  if (f.org_unit_id) out.org_unit_id = f.org_unit_id
  if (f.q.trim()) out.q = f.q.trim()
  if (f.status) out.status = f.status
  if (f.post) out.post = f.post
  if (cursor) out.cursor = cursor
  return out
}

// ---- roster import errors

/** One refused cell of an imported roster. */
export interface RosterError {
  row: number | null
  column: string
  message: string
}

/** "第 3 行“身份证号”：校验码不正确" → "校验码不正确": the table already shows row and column. */
export function stripRowPrefix(message: string): string {
  return message.replace(/^第\s*\d+\s*行(?:“[^”]*”)?[：:]\s*/, '')
}

/** The rows of a roster import's 422 (errors[].value.row/.column), in file order. */
export function rosterImportErrors(body: unknown): RosterError[] {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { errors?: unknown }).errors)) return []
  const out: RosterError[] = []
  for (const e of (body as { errors: unknown[] }).errors) {
    if (!e || typeof e !== 'object') continue
    const x = e as { value?: unknown; message?: unknown; message_en?: unknown }
    const v = (x.value && typeof x.value === 'object' ? x.value : {}) as Record<string, unknown>
    const n = typeof v.row === 'number' ? v.row : Number(v.row)
    const msg = typeof x.message === 'string' && x.message.trim() ? x.message.trim() : typeof x.message_en === 'string' ? x.message_en : ''
    out.push({
      row: Number.isInteger(n) && n > 0 ? n : null,
      column: v.column == null ? '' : String(v.column),
      message: stripRowPrefix(msg),
    })
  }
  return out.sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
}

// ---- the change form (档案变更)

export type ChangeItem = 'post' | 'title' | 'level' | 'status' | 'certificate' | 'education' | 'org_unit_id' | 'phone' | 'contract'

export const CHANGE_ITEMS: { key: ChangeItem; label: string }[] = [
  { key: 'post', label: '岗位' },
  { key: 'title', label: '职务' },
  { key: 'level', label: '等级' },
  { key: 'status', label: '状态' },
  { key: 'certificate', label: '社工证' },
  { key: 'education', label: '学历' },
  { key: 'org_unit_id', label: '所属社区' },
  { key: 'phone', label: '手机' },
  { key: 'contract', label: '合同期限' },
]

export interface ChangeForm {
  items: ChangeItem[]
  effective_from: string
  post: WorkerPost | ''
  title: string
  level: number | null
  status: WorkerStatus | ''
  certificate: Certificate | ''
  certificate_on: string
  education: Education | ''
  org_unit_id: string
  phone: string
  contract_from: string
  contract_to: string
  reason: string
  approver: string
}

/** The change form prefilled with the record as it stands, dated `on`. */
export function changeFormFrom(r: WorkerRecord | null | undefined, on: string): ChangeForm {
  return {
    items: [],
    effective_from: on,
    post: (r?.post as WorkerPost) ?? '',
    title: r?.title ?? '',
    level: r?.level || null,
    status: (r?.status as WorkerStatus) ?? 'active',
    certificate: (r?.certificate as Certificate) ?? 'none',
    certificate_on: r?.certificate_on ?? '',
    education: (r?.education as Education) ?? 'none',
    org_unit_id: r?.org_unit_id ?? '',
    phone: r?.phone ?? '',
    contract_from: r?.contract_from ?? '',
    contract_to: r?.contract_to ?? '',
    reason: '',
    approver: '',
  }
}

/** Only the fields of the items chosen: a change sets what it names, nothing else. */
export function buildChangeFields(f: ChangeForm): WorkerFields {
  const out: WorkerFields = {}
  const has = (k: ChangeItem) => f.items.includes(k)
  if (has('post') && f.post) out.post = f.post
  if (has('title')) out.title = f.title.trim()
  if (has('level') && f.level != null) out.level = f.level
  if (has('status') && f.status) out.status = f.status
  if (has('certificate') && f.certificate) {
    out.certificate = f.certificate
    out.certificate_on = f.certificate === 'none' ? '' : f.certificate_on
  }
  if (has('education') && f.education) out.education = f.education
  if (has('org_unit_id') && f.org_unit_id) out.org_unit_id = f.org_unit_id
  if (has('phone')) out.phone = f.phone.trim()
  if (has('contract')) {
    out.contract_from = f.contract_from
    out.contract_to = f.contract_to
  }
  return out
}

export const PHONE = /^1[3-9]\d{9}$/

/** Client-side checks of the change form, keyed like the API's field errors (below `body.`). */
export function validateChangeForm(f: ChangeForm): Record<string, string> {
  const e: Record<string, string> = {}
  if (!isDate(f.effective_from)) e.effective_from = '请选择生效日期'
  if (!f.items.length) e.fields = '请至少选择一项变更内容'
  const has = (k: ChangeItem) => f.items.includes(k)
  if (has('post') && !f.post) e['fields.post'] = '请选择岗位'
  if (has('level') && (f.level == null || f.level < 1 || f.level > LEVELS)) e['fields.level'] = '等级须为 1 至 18'
  if (has('title') && f.title.trim().length > 20) e['fields.title'] = '职务不超过 20 个字'
  if (has('org_unit_id') && !f.org_unit_id) e['fields.org_unit_id'] = '请选择所属社区（村）'
  if (has('phone') && f.phone.trim() && !PHONE.test(f.phone.trim())) e['fields.phone'] = '手机号须为 11 位、以 1 开头'
  if (has('certificate') && f.certificate && f.certificate !== 'none' && !isDate(f.certificate_on)) e['fields.certificate_on'] = '请选择取证日期'
  if (has('contract') && isDate(f.contract_from) && isDate(f.contract_to) && f.contract_to < f.contract_from)
    e['fields.contract_to'] = '合同结束日期不能早于开始日期'
  if (!f.reason.trim()) e.reason = '请填写变更原因'
  if (!f.approver.trim()) e.approver = '请填写审批人'
  return e
}

// ---- history, level history, appraisals

/** "等级：3 级 → 4 级"; a field set for the first time (建档) reads "姓名：刘芳". */
export function diffText(d: WorkerFieldDiff): string {
  if (!d.before) return `${d.label}：${d.after || '（空）'}`
  return `${d.label}：${d.before} → ${d.after || '（空）'}`
}

export interface LevelStep {
  seq: number
  effective_from: string
  kind: string
  before: string
  after: string
  reason: string
  approver: string
}

/** The history entries that changed the level, in the order given (newest first from the API). */
export function levelHistory(history: readonly WorkerHistoryEntry[] | null | undefined): LevelStep[] {
  const out: LevelStep[] = []
  for (const h of history ?? []) {
    const d = (h.diffs ?? []).find((x) => x.field === 'level')
    if (!d) continue
    out.push({ seq: h.seq, effective_from: h.effective_from, kind: h.kind, before: d.before, after: d.after, reason: h.reason, approver: h.approver })
  }
  return out
}

export interface AppraisalRow extends WorkerAppraisal {
  /** The newest entry of its year: the one that counts. */
  current: boolean
}

/** Appraisals newest year first; within a year the latest entry first, and only it counts. */
export function appraisalRows(list: readonly WorkerAppraisal[] | null | undefined): AppraisalRow[] {
  const sorted = [...(list ?? [])].sort((a, b) => b.year - a.year || b.seq - a.seq)
  const seen = new Set<number>()
  return sorted.map((a) => {
    const current = !seen.has(a.year)
    seen.add(a.year)
    return { ...a, current }
  })
}

/** Years an appraisal can be recorded for: the hire year up to this year, newest first. */
export function appraisalYears(hired: string, today: string): number[] {
  const from = Number(hired.slice(0, 4))
  const to = Number(today.slice(0, 4))
  if (!Number.isInteger(from) || !Number.isInteger(to) || from > to) return []
  const out: number[] = []
  for (let y = to; y >= from; y--) out.push(y)
  return out
}

// ---- progression

/** Changed levels first (stable, so the API's community/name order holds within each group). */
export function sortBatchLines(lines: readonly BatchLine[] | null | undefined): BatchLine[] {
  const list = [...(lines ?? [])]
  return list
    .map((l, i) => ({ l, i }))
    .sort((a, b) => Number(changed(b.l)) - Number(changed(a.l)) || a.i - b.i)
    .map((x) => x.l)
}

export const changed = (l: Pick<BatchLine, 'current_level' | 'proposed_level'>) => l.proposed_level !== l.current_level

/** The year the "生成草稿" button offers: this year until its batch is approved, then the next. */
export function defaultBatchYear(batches: readonly { year: number; status: string }[], today: string): number {
  const year = Number(today.slice(0, 4))
  const mine = batches.find((b) => b.year === year)
  return !mine || mine.status === 'draft' ? year : year + 1
}

// ---- payroll

export function allowanceTotal(l: Pick<PayLine, 'amounts'>): number {
  return (l.amounts.allowances ?? []).reduce((s, a) => s + a.amount, 0)
}

/** "2026-09：应发 3,400.00，已发 3,200.00，补发 +200.00" per earlier month. */
export function arrearsLines(detail: readonly PayDiff[] | null | undefined): string[] {
  return (detail ?? []).map(
    (d) => `${d.month}：应发 ${formatFen(d.due)}，已发 ${formatFen(d.paid)}，${d.diff >= 0 ? '补发' : '扣回'} ${formatSignedFen(d.diff)}`,
  )
}

export type SumKind = 'community' | 'township' | 'total'

export interface SumRow {
  kind: SumKind
  key: string
  label: string
  township: string
  community: string
  workers: number
  gross: number
  arrears: number
  total: number
}

export type PayrollRow = { kind: 'line'; key: string; line: PayLine } | SumRow

function sumOf(kind: SumKind, township: string, community: string, lines: PayLine[], given?: PayrollSubtotal): SumRow {
  const s = given ?? {
    township,
    community,
    workers: lines.length,
    gross: lines.reduce((n, l) => n + l.gross, 0),
    arrears: lines.reduce((n, l) => n + l.arrears, 0),
    total: lines.reduce((n, l) => n + l.total, 0),
  }
  const label = kind === 'community' ? `${community} 小计` : kind === 'township' ? `${township || '（未归属乡镇）'} 合计` : '总计'
  return { kind, key: `${kind}:${township}:${community}`, label, township, community, workers: s.workers, gross: s.gross, arrears: s.arrears, total: s.total }
}

/**
 * The month's sheet as table rows: each community's lines then its 小计, each township's
 * communities then its 合计, and the 总计 last. Subtotals are the API's (computed from the
 * lines only when the API has none for a group); lines keep the API's township/community/name order.
 */
export function payrollRows(p: Pick<Payroll, 'lines' | 'subtotals'> | null | undefined): PayrollRow[] {
  if (!p) return []
  const lines = p.lines ?? []
  const subs = new Map((p.subtotals ?? []).map((s) => [`${s.township}\u0000${s.community}`, s]))
  const out: PayrollRow[] = []
  const townships: string[] = []
  const byTownship = new Map<string, Map<string, PayLine[]>>()
  for (const l of lines) {
    let t = byTownship.get(l.township)
    if (!t) {
      t = new Map()
      byTownship.set(l.township, t)
      townships.push(l.township)
    }
    const c = t.get(l.community)
    if (c) c.push(l)
    else t.set(l.community, [l])
  }
  for (const township of townships) {
    const communities = byTownship.get(township)!
    const all: PayLine[] = []
    for (const [community, ls] of communities) {
      for (const l of ls) out.push({ kind: 'line', key: `line:${l.worker_id}`, line: l })
      out.push(sumOf('community', township, community, ls, subs.get(`${township}\u0000${community}`)))
      all.push(...ls)
    }
    out.push(sumOf('township', township, '', all, subs.get(`${township}\u0000`)))
  }
  if (lines.length) out.push(sumOf('total', '', '', lines))
  return out
}

// ---- pay scheme editor

export interface AllowanceForm {
  _id: number
  name: string
  fixed_yuan: number
  by_certificate: Record<Certificate, number | null>
}

export interface SchemeForm {
  label: string
  sample: boolean
  ranges: Record<WorkerPost, { min: number; max: number }>
  years_per_step: number
  education_years: Record<Education, number>
  certificate_steps: Record<Certificate, number>
  blocking: Appraisal[]
  mode: PayMode
  base_yuan: number
  /** factors, 3 decimals (1.080) */
  coefficients: number[]
  amounts_yuan: number[]
  basic_percent: number
  performance_percent: Record<Appraisal, number>
  no_appraisal_percent: number
  allowances: AllowanceForm[]
  progression_month: number
  progression_day: number
}

let allowanceSeq = 0
export function newAllowance(): AllowanceForm {
  return { _id: ++allowanceSeq, name: '', fixed_yuan: 0, by_certificate: { none: null, junior: null, intermediate: null, senior: null } }
}

function eighteen(xs: readonly number[] | null | undefined, fill: (i: number) => number): number[] {
  return Array.from({ length: LEVELS }, (_, i) => {
    const v = xs?.[i]
    return v != null && Number.isFinite(v) ? v : fill(i)
  })
}

/** A level's pay in 元 in coefficient mode (base × coefficient), rounded to the fen. */
export function coefficientPay(baseYuan: number, factor: number): number {
  return Math.round(baseYuan * factor * 100) / 100
}

export function schemeToForm(s: PayScheme): SchemeForm {
  const coef = eighteen(s.coefficients, (i) => 1000 + 80 * i).map((p) => p / 1000)
  const base = fenToYuan(s.base)
  const amounts = s.amounts?.length
    ? eighteen(s.amounts, () => 0).map(fenToYuan)
    : coef.map((c) => coefficientPay(base, c))
  const ranges = Object.fromEntries(
    ALL_POSTS.map((p) => [p, { min: s.rule.ranges?.[p]?.min ?? 1, max: s.rule.ranges?.[p]?.max ?? LEVELS }]),
  ) as SchemeForm['ranges']
  return {
    label: s.label,
    sample: s.sample,
    ranges,
    years_per_step: s.rule.years_per_step || 3,
    education_years: Object.fromEntries(ALL_EDUCATIONS.map((e) => [e, s.rule.education_years?.[e] ?? 0])) as SchemeForm['education_years'],
    certificate_steps: Object.fromEntries(ALL_CERTIFICATES.map((c) => [c, s.rule.certificate_steps?.[c] ?? 0])) as SchemeForm['certificate_steps'],
    blocking: (s.rule.blocking ?? []).filter((a): a is Appraisal => (ALL_APPRAISALS as string[]).includes(a)),
    mode: s.mode === 'amount' ? 'amount' : 'coefficient',
    base_yuan: base,
    coefficients: coef,
    amounts_yuan: amounts,
    basic_percent: permilleToPercent(s.basic_permille),
    performance_percent: Object.fromEntries(
      ALL_APPRAISALS.map((a) => [a, permilleToPercent(s.performance_permille?.[a] ?? 1000)]),
    ) as SchemeForm['performance_percent'],
    no_appraisal_percent: permilleToPercent(s.no_appraisal_permille),
    allowances: (s.allowances ?? []).map((a) => {
      const x = newAllowance()
      x.name = a.name
      x.fixed_yuan = fenToYuan(a.fixed)
      for (const c of ALL_CERTIFICATES) {
        const v = a.by_certificate?.[c]
        x.by_certificate[c] = v == null ? null : fenToYuan(v)
      }
      return x
    }),
    progression_month: s.progression_month || 1,
    progression_day: s.progression_day || 1,
  }
}

export function formToScheme(f: SchemeForm): PayScheme {
  return {
    label: f.label.trim(),
    sample: f.sample,
    rule: {
      ranges: Object.fromEntries(ALL_POSTS.map((p) => [p, { min: f.ranges[p].min, max: f.ranges[p].max }])),
      years_per_step: f.years_per_step,
      education_years: { ...f.education_years },
      certificate_steps: { ...f.certificate_steps },
      blocking: [...f.blocking],
    },
    mode: f.mode,
    base: yuanToFen(f.base_yuan) ?? 0,
    coefficients: f.coefficients.map((c) => Math.round(c * 1000)),
    amounts: f.amounts_yuan.map((a) => yuanToFen(a) ?? 0),
    basic_permille: percentToPermille(f.basic_percent),
    performance_permille: Object.fromEntries(ALL_APPRAISALS.map((a) => [a, percentToPermille(f.performance_percent[a])])),
    no_appraisal_permille: percentToPermille(f.no_appraisal_percent),
    allowances: f.allowances.map((a) => {
      const by: Record<string, number> = {}
      for (const c of ALL_CERTIFICATES) {
        const v = a.by_certificate[c]
        if (v != null) by[c] = yuanToFen(v) ?? 0
      }
      return Object.keys(by).length
        ? { name: a.name.trim(), fixed: yuanToFen(a.fixed_yuan) ?? 0, by_certificate: by }
        : { name: a.name.trim(), fixed: yuanToFen(a.fixed_yuan) ?? 0 }
    }),
    progression_month: f.progression_month,
    progression_day: f.progression_day,
  }
}

/** Days a progression date may fall on in a month, in every year (29 February is refused). */
export function daysInProgressionMonth(month: number): number {
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 31
}

/** Scheme-editor field errors keyed by path: `scheme.label` (an alias the API uses) → `label`. */
export function schemeErrorKey(path: string): string {
  return path.startsWith('scheme.') ? path.slice('scheme.'.length) : path
}

/** The scheme in force on `day` from a list sorted by effective date (the earliest for earlier days). */
export function schemeInForce<T extends { effective_from: string }>(list: readonly T[], day: string): T | undefined {
  let cur: T | undefined = list[0]
  for (const s of list) {
    if (s.effective_from > day) break
    cur = s
  }
  return cur
}
