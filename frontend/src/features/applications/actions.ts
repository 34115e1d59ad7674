// What each lifecycle action asks for in its dialog, and the request body it sends to
// POST /api/v1/applications/{id}/actions/{action}. Pure, so it is unit-tested.
import type { ActionBody, ApplicationDetail, CorrectionProblem, DeliveryMethod } from '@/api/types'
import { DELIVERY_LABELS } from '@/features/applications/labels'

export type ActionField = 'materials' | 'corrections' | 'reason' | 'step' | 'days' | 'delivery_method'

export interface ActionSpec {
  /** Inputs of the dialog, in order. An empty list is a plain confirmation. */
  fields: readonly ActionField[]
  reason: 'none' | 'required' | 'optional'
  reasonLabel: string
  /** Explanatory line at the top of the dialog. */
  hint: string
  /** Colour of the action's button. */
  type: 'primary' | 'success' | 'warning' | 'danger' | 'default'
}

const confirm = (hint: string, type: ActionSpec['type'] = 'primary'): ActionSpec => ({
  fields: [],
  reason: 'none',
  reasonLabel: '',
  hint,
  type,
})

export const ACTION_SPECS: Record<string, ActionSpec> = {
  forward: confirm('将代办件转交乡镇便民服务中心受理。'),
  accept: {
    fields: ['materials'],
    reason: 'none',
    reasonLabel: '',
    hint: '请逐项核对材料，勾选已收取的材料；必要材料齐全方可受理，受理后生成受理编号。',
    type: 'success',
  },
  request_correction: {
    fields: ['corrections'],
    reason: 'none',
    reasonLabel: '',
    hint: '请一次性列明全部需要补正的材料（缺少或有误），所有未收的必要材料都须列入（行政许可法第三十二条）。五个工作日内告知的，自补正齐全之日起受理；逾期告知的，自收到材料之日起即为受理。',
    type: 'warning',
  },
  reject: { fields: ['reason'], reason: 'required', reasonLabel: '不予受理理由', hint: '不予受理须书面说明理由。', type: 'danger' },
  resubmit: {
    fields: ['materials'],
    reason: 'none',
    reasonLabel: '',
    hint: '请勾选申请人补正后已收取的材料。',
    type: 'primary',
  },
  route: confirm('将办件转实施机关办理。', 'primary'),
  pause: {
    fields: ['step', 'days', 'reason'],
    reason: 'required',
    reasonLabel: '理由',
    hint: '特别程序须从法定种类（听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审）或本事项的特殊环节中选择；所需时间以特别程序告知书书面告知申请人，不计入时限的环节期间暂停计时（行政许可法第四十五条）。',
    type: 'warning',
  },
  resume: { fields: ['reason'], reason: 'required', reasonLabel: '结束说明', hint: '结束特别程序，恢复计时。', type: 'primary' },
  extend: {
    fields: ['days', 'reason'],
    reason: 'required',
    reasonLabel: '延期理由',
    hint: '延期须在办理期限届满前决定，由本行政机关负责人批准（统一办理的事项由县政府负责人批准），一个办件只能延期一次；延期理由以延期通知书书面告知申请人（行政许可法第四十二条）。',
    type: 'warning',
  },
  complete_stage: {
    fields: ['reason'],
    reason: 'optional',
    reasonLabel: '环节办理意见',
    hint: '完成当前办理环节，下一个环节自今日开始计算时限；晚于环节到期日完成的记为超期。',
    type: 'primary',
  },
  approve: { fields: ['reason'], reason: 'optional', reasonLabel: '办结意见', hint: '准予办结。', type: 'success' },
  deny: { fields: ['reason'], reason: 'required', reasonLabel: '不予办结理由', hint: '不予办结须书面说明理由。', type: 'danger' },
  deliver: { fields: ['delivery_method'], reason: 'none', reasonLabel: '', hint: '登记办理结果的送达方式。', type: 'success' },
  archive: confirm('归档后办件不再变更。', 'default'),
  withdraw: { fields: ['reason'], reason: 'required', reasonLabel: '撤回原因', hint: '撤回后办件终止办理。', type: 'danger' },
}

/** The spec of an action; an action this screen does not know yet is a plain confirmation. */
export function actionSpec(action: string): ActionSpec {
  return ACTION_SPECS[action] ?? confirm('确认执行该操作？')
}

export interface CorrectionChoice {
  selected: boolean
  problem: CorrectionProblem
  note: string
}

export interface ActionForm {
  reason: string
  /** material key → provided */
  materials: Record<string, boolean>
  corrections: Record<string, CorrectionChoice>
  step: string
  days: number | undefined
  delivery_method: DeliveryMethod | ''
}

type Detail = Pick<ApplicationDetail, 'materials' | 'channel'> &
  Partial<Pick<ApplicationDetail, 'correction_count' | 'changed_materials' | 'item'>>

/**
 * The materials a correction notice may list: all of them for the first notice; after it, only
 * those the applicant changed when answering (一次性告知, 行政许可法第三十二条).
 */
export function correctable(detail: Detail): Set<string> | null {
  return detail.correction_count ? new Set(detail.changed_materials ?? []) : null
}

/**
 * Whether a pause on this procedure asks for the time it needs: a procedure the law names, or an
 * item step without its own time limit (行政许可法第四十五条: the time is told in writing).
 */
export function procedureNeedsDays(step: string, detail: Pick<ApplicationDetail, 'item'>): boolean {
  const own = (detail.item.steps ?? []).find((s) => s.name === step)
  return !own || !own.limit_days
}

const keyOf = (m: { key?: string }) => m.key ?? ''

/** The dialog's starting values for an application as it stands. */
export function initialActionForm(action: string, detail: Detail): ActionForm {
  const materials: Record<string, boolean> = {}
  const corrections: Record<string, CorrectionChoice> = {}
  const allowed = correctable(detail)
  for (const m of detail.materials ?? []) {
    const k = keyOf(m)
    if (!k) continue
    materials[k] = !!m.provided
    const flagged = m.problem === 'missing' || m.problem === 'incorrect'
    if (allowed && !allowed.has(k)) continue
    corrections[k] = {
      // the required ones not yet provided are what a correction notice must list
      selected: allowed ? false : flagged || (m.required && !m.provided),
      problem: flagged ? (m.problem as CorrectionProblem) : 'missing',
      note: '',
    }
  }
  return {
    reason: '',
    materials,
    corrections,
    step: '',
    days: undefined,
    delivery_method: action === 'deliver' ? 'window' : '',
  }
}

/**
 * The required materials not received yet, by name. Forwarding is allowed with some missing
 * (the hall then issues one 一次性告知书), but the worker confirming it must see which.
 */
export function missingRequired(detail: Pick<ApplicationDetail, 'materials'>): string[] {
  return (detail.materials ?? []).filter((m) => m.required && !m.provided).map((m) => m.name ?? m.key ?? '')
}

/** The line a forward's confirmation shows about the materials. */
export function forwardMaterialsNote(detail: Pick<ApplicationDetail, 'materials'>): { missing: string[]; text: string } {
  const missing = missingRequired(detail)
  if (missing.length === 0) return { missing, text: '必要材料已收齐。' }
  return {
    missing,
    text: `尚缺 ${missing.length} 项必要材料：${missing.join('、')}。转交后由乡镇窗口一次性告知申请人补正（行政许可法第三十二条）。`,
  }
}

/** Delivery methods offered: 代办员送达 only for a proxy application. */
export function deliveryOptions(channel: string): { value: DeliveryMethod; label: string }[] {
  const all: DeliveryMethod[] = channel === 'proxy' ? ['window', 'post', 'proxy'] : ['window', 'post']
  return all.map((value) => ({ value, label: DELIVERY_LABELS[value] }))
}

export const REASON_MAX = 500
export const STEP_MAX = 50
export const NOTE_MAX = 200

/** Chinese messages keyed by field (reason, materials, corrections, step, days, delivery_method); empty when valid. */
export function validateActionForm(
  action: string,
  form: ActionForm,
  ctx: Detail & { maxExtension: number },
): Record<string, string> {
  const spec = actionSpec(action)
  const errs: Record<string, string> = {}
  const reason = form.reason.trim()
  if (spec.fields.includes('reason')) {
    if (spec.reason === 'required' && !reason) errs.reason = `请填写${spec.reasonLabel}`
    else if ([...reason].length > REASON_MAX) errs.reason = `${spec.reasonLabel}不超过 ${REASON_MAX} 字`
  }
  if (action === 'accept') {
    const missing = (ctx.materials ?? []).filter((m) => m.required && !form.materials[keyOf(m)])
    if (missing.length) {
      errs.materials = `必要材料尚未齐全（${missing.map((m) => m.name).join('、')}），不能受理；请改用一次性告知补正`
    }
  }
  if (spec.fields.includes('corrections')) {
    const chosen = Object.values(form.corrections).filter((c) => c.selected)
    const unlisted = correctable(ctx)
      ? []
      : (ctx.materials ?? []).filter((m) => m.required && !m.provided && !form.corrections[keyOf(m)]?.selected)
    if (chosen.length === 0) errs.corrections = '请至少选择一项需要补正的材料'
    else if (unlisted.length) errs.corrections = `一次性告知须列明全部未收的必要材料：${unlisted.map((m) => m.name).join('、')}`
    else if (chosen.some((c) => [...c.note.trim()].length > NOTE_MAX)) errs.corrections = `补正说明不超过 ${NOTE_MAX} 字`
  }
  if (spec.fields.includes('step')) {
    if (!form.step.trim()) errs.step = '请选择特别程序'
    else if ([...form.step.trim()].length > STEP_MAX) errs.step = `特别程序名称不超过 ${STEP_MAX} 字`
  }
  if (action === 'pause') {
    const d = form.days
    if (ctx.item && form.step && procedureNeedsDays(form.step, { item: ctx.item }) && (d === undefined || !Number.isInteger(d) || d < 1 || d > 250)) {
      errs.days = '请填写所需时间（1 至 250 个工作日），将书面告知申请人'
    }
  } else if (spec.fields.includes('days')) {
    const d = form.days
    if (ctx.maxExtension < 1) errs.days = '本县规则不允许延期'
    else if (d === undefined || !Number.isInteger(d) || d < 1 || d > ctx.maxExtension) {
      errs.days = `延期天数须为 1 至 ${ctx.maxExtension} 个工作日`
    }
  }
  if (spec.fields.includes('delivery_method')) {
    const ok = deliveryOptions(ctx.channel).some((o) => o.value === form.delivery_method)
    if (!ok) errs.delivery_method = '请选择送达方式'
  }
  return errs
}

/** The request body of the action. */
export function buildActionBody(action: string, form: ActionForm, detail: Detail): ActionBody {
  const spec = actionSpec(action)
  const body: ActionBody = {}
  const reason = form.reason.trim()
  if (spec.fields.includes('reason') && reason) body.reason = reason
  if (spec.fields.includes('materials')) {
    body.materials = (detail.materials ?? [])
      .filter((m) => keyOf(m))
      .map((m) => ({ key: keyOf(m), provided: !!form.materials[keyOf(m)] }))
  }
  if (spec.fields.includes('corrections')) {
    body.corrections = (detail.materials ?? [])
      .filter((m) => form.corrections[keyOf(m)]?.selected)
      .map((m) => {
        const c = form.corrections[keyOf(m)]!
        const note = c.note.trim()
        return note ? { key: keyOf(m), problem: c.problem, note } : { key: keyOf(m), problem: c.problem }
      })
  }
  if (spec.fields.includes('step') && form.step.trim()) body.step = form.step.trim()
  if (spec.fields.includes('days') && form.days !== undefined) body.days = form.days
  if (spec.fields.includes('delivery_method') && form.delivery_method) body.delivery_method = form.delivery_method
  return body
}

/**
 * Who may see an applicant's full ID number (the API's reveal-id decides, and audits each
 * look): those who check the applicant's identity or decide (township clerks, department
 * staff) and the county admin. The button stays away from everyone else.
 */
export function canRevealApplicantId(roles: readonly string[]): boolean {
  return roles.some((r) => r === 'township_clerk' || r === 'department_staff' || r === 'county_admin')
}
