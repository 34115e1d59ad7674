// The catalogue editor's form ↔ ItemBody. Rows carry a local _id so Vue keys survive reordering.
import type { ItemBody, ItemLevel, MaterialSpec, SpecialStep, StageSpec } from '@/api/types'

export type MaterialRow = Required<Pick<MaterialSpec, 'name' | 'form' | 'copies' | 'required'>> & {
  key: string
  condition: string
  sample: string
  _id: number
}
export type StepRow = SpecialStep & { _id: number }
/** A back-office step with its limit (办理环节, 环节时限). */
export type StageRow = StageSpec & { _id: number }

/** At most this many back-office steps per item. */
export const MAX_STAGES = 10

export interface ItemForm {
  base_code: string
  impl_code: string
  name: string
  kind: ItemBody['kind'] | ''
  department_id: string
  legal_basis: string
  levels: ItemLevel[]
  conditions: string
  materials: MaterialRow[]
  handling: ItemBody['handling']
  legal_days: number
  promised_days: number
  steps: StepRow[]
  stages: StageRow[]
  /** 统一办理/联合办理/集中办理 (行政许可法第二十六条). */
  unified: boolean
  fee_basis: string
  fee_amount: string
  visits: number
  consult_phone: string
  complain_phone: string
}

let nextId = 1

export function newMaterial(): MaterialRow {
  return { _id: nextId++, key: '', name: '', form: 'original', copies: 1, required: true, condition: '', sample: '' }
}

export function newStep(): StepRow {
  return { _id: nextId++, name: '', limit_days: 0, counted: false }
}

export function newStage(): StageRow {
  return { _id: nextId++, name: '', limit_days: 1 }
}

/**
 * The limit the back-office steps must fit in: the committed days (承诺时限), else the statutory
 * ones (法定时限); 0 for an instant item, which has no steps (行政许可法第四十二条: the decision
 * comes within the limit).
 */
export function stageLimit(f: Pick<ItemForm, 'handling' | 'legal_days' | 'promised_days'>): number {
  if (f.handling === 'instant') return 0
  return (f.promised_days ?? 0) > 0 ? f.promised_days : (f.legal_days ?? 0)
}

/** Working days the steps add up to. */
export function stageTotal(stages: readonly Pick<StageSpec, 'limit_days'>[]): number {
  return stages.reduce((n, s) => n + Math.max(0, s.limit_days ?? 0), 0)
}

export function emptyItemForm(): ItemForm {
  return {
    base_code: '',
    impl_code: '',
    name: '',
    kind: '',
    department_id: '',
    legal_basis: '',
    levels: ['township'],
    conditions: '',
    materials: [],
    handling: 'promised',
    legal_days: 20,
    promised_days: 10,
    steps: [],
    stages: [],
    unified: false,
    fee_basis: '',
    fee_amount: '不收费',
    visits: 1,
    consult_phone: '',
    complain_phone: '',
  }
}

const LEVELS: readonly string[] = ['county', 'township', 'community']

export function itemFormFromBody(b: ItemBody): ItemForm {
  return {
    base_code: b.base_code,
    impl_code: b.impl_code,
    name: b.name,
    kind: b.kind,
    department_id: b.department_id,
    legal_basis: b.legal_basis,
    levels: (b.levels ?? []).filter((l): l is ItemLevel => LEVELS.includes(l)),
    conditions: b.conditions,
    materials: (b.materials ?? []).map((m) => ({
      _id: nextId++,
      key: m.key ?? '',
      name: m.name,
      form: m.form,
      copies: m.copies,
      required: m.required,
      condition: m.condition ?? '',
      sample: m.sample ?? '',
    })),
    handling: b.handling,
    legal_days: b.legal_days,
    promised_days: b.promised_days,
    steps: (b.steps ?? []).map((s) => ({ _id: nextId++, name: s.name, limit_days: s.limit_days, counted: s.counted })),
    stages: (b.stages ?? []).map((s) => ({ _id: nextId++, name: s.name, limit_days: s.limit_days })),
    unified: !!b.unified,
    fee_basis: b.fee_basis,
    fee_amount: b.fee_amount,
    visits: b.visits,
    consult_phone: b.consult_phone,
    complain_phone: b.complain_phone,
  }
}

/** The request body; the order of materials and steps is kept, keys are kept so checklists stay stable. */
export function itemFormToBody(f: ItemForm): ItemBody {
  return {
    base_code: f.base_code.trim(),
    impl_code: f.impl_code.trim(),
    name: f.name.trim(),
    kind: f.kind as ItemBody['kind'], // '' is caught by validateItemForm first
    department_id: f.department_id,
    legal_basis: f.legal_basis.trim(),
    levels: [...f.levels],
    conditions: f.conditions.trim(),
    materials: f.materials.map((m) => {
      const out: MaterialSpec = { name: m.name.trim(), form: m.form, copies: m.copies ?? 0, required: m.required }
      if (m.key) out.key = m.key
      if (m.condition.trim()) out.condition = m.condition.trim()
      if (m.sample) out.sample = m.sample
      return out
    }),
    handling: f.handling,
    legal_days: f.legal_days ?? 0,
    promised_days: f.handling === 'instant' ? 0 : (f.promised_days ?? 0),
    steps: f.steps.map((s) => ({ name: s.name.trim(), limit_days: s.limit_days ?? 0, counted: s.counted })),
    // No steps is no field: the server stores none either way.
    ...(f.stages.length ? { stages: f.stages.map((s) => ({ name: s.name.trim(), limit_days: s.limit_days ?? 0 })) } : {}),
    unified: f.unified,
    fee_basis: f.fee_basis.trim(),
    fee_amount: f.fee_amount.trim(),
    visits: f.visits ?? 0,
    consult_phone: f.consult_phone.trim(),
    complain_phone: f.complain_phone.trim(),
  }
}

const CODE = /^[0-9A-Za-z-]{4,64}$/
const len = (s: string) => [...s.trim()].length

/**
 * Client-side checks of what the server would refuse in a way that cannot be placed next to a
 * field (an empty department id does not even parse). Keys are the API's locations below body.
 */
export function validateItemForm(f: ItemForm): Record<string, string> {
  const e: Record<string, string> = {}
  if (len(f.name) < 2 || len(f.name) > 100) e.name = '事项名称须为 2 至 100 个字'
  if (!f.kind) e.kind = '请选择事项类型'
  if (!CODE.test(f.base_code.trim())) e.base_code = '基本编码须为 4 至 64 位字母、数字或连字符'
  if (!CODE.test(f.impl_code.trim())) e.impl_code = '实施编码须为 4 至 64 位字母、数字或连字符'
  if (!f.department_id) e.department_id = '请选择实施机关'
  if (f.levels.length === 0) e.levels = '至少选择一个行使层级'
  if (!f.legal_basis.trim()) e.legal_basis = '请填写设定和实施依据'
  if (f.handling === 'promised') {
    if ((f.promised_days ?? 0) < 1) e.promised_days = '承诺件的承诺时限至少 1 个工作日'
    else if (f.legal_days > 0 && f.promised_days > f.legal_days) e.promised_days = '承诺时限不得超过法定时限'
  }
  f.materials.forEach((m, i) => {
    if (len(m.name) < 2 || len(m.name) > 100) e[`materials[${i}].name`] = '材料名称须为 2 至 100 个字'
    if (!m.required && !m.condition.trim()) e[`materials[${i}].condition`] = '非必要材料须写明需要提交的情形'
  })
  f.steps.forEach((s, i) => {
    if (len(s.name) < 2 || len(s.name) > 50) e[`steps[${i}].name`] = '特殊环节名称须为 2 至 50 个字'
  })
  const seen = new Set<string>()
  f.stages.forEach((s, i) => {
    const name = s.name.trim()
    if (len(name) < 1 || len(name) > 20) e[`stages[${i}].name`] = '环节名称须为 1 至 20 个字'
    else if (/[:;：；]/.test(name)) e[`stages[${i}].name`] = '环节名称不能含冒号或分号'
    else if (seen.has(name)) e[`stages[${i}].name`] = `环节名称重复：${name}`
    seen.add(name)
    if (!((s.limit_days ?? 0) >= 1)) e[`stages[${i}].limit_days`] = '环节时限须为 1 至 250 个工作日'
  })
  if (f.stages.length > 0) {
    const limit = stageLimit(f)
    const total = stageTotal(f.stages)
    if (f.stages.length > MAX_STAGES) e.stages = '办理环节不超过 10 个'
    else if (limit === 0) e.stages = '即办件当场办结，不设办理环节'
    else if (total > limit)
      e.stages = `各环节时限合计 ${total} 个工作日，超过本事项的办理时限 ${limit} 个工作日（行政许可法第四十二条：须在时限内作出决定）`
  }
  return e
}
