import { describe, expect, it } from 'vitest'
import type { ApplicationDetail } from '@/api/types'
import {
  ACTION_SPECS,
  actionSpec,
  buildActionBody,
  canRevealApplicantId,
  correctable,
  deliveryOptions,
  initialActionForm,
  procedureNeedsDays,
  validateActionForm,
} from '@/features/applications/actions'

type Detail = Pick<ApplicationDetail, 'materials' | 'channel'>

const detail: Detail = {
  channel: 'window',
  materials: [
    { key: 'm1', name: '居民身份证', form: 'original', copies: 1, required: true, provided: true },
    { key: 'm2', name: '居民户口簿', form: 'original', copies: 1, required: true, provided: false },
    { key: 'm3', name: '授权委托书', form: 'original', copies: 1, required: false, condition: '委托他人代办的', provided: false },
    { key: 'm4', name: '申请书', form: 'original', copies: 1, required: true, provided: false, problem: 'incorrect' },
  ],
}
const ctx = { ...detail, maxExtension: 10 }

describe('action → dialog fields', () => {
  it('asks each action for what the API needs', () => {
    expect(actionSpec('accept').fields).toEqual(['materials'])
    expect(actionSpec('resubmit').fields).toEqual(['materials'])
    expect(actionSpec('request_correction').fields).toEqual(['corrections'])
    for (const a of ['reject', 'deny', 'withdraw', 'resume']) {
      expect(actionSpec(a).fields).toEqual(['reason'])
      expect(actionSpec(a).reason).toBe('required')
    }
    expect(actionSpec('approve').reason).toBe('optional')
    // 行政许可法第四十五条: the procedure, from a list, and the time it needs (told in writing).
    expect(actionSpec('pause').fields).toEqual(['step', 'days', 'reason'])
    expect(actionSpec('extend').fields).toEqual(['days', 'reason'])
    expect(actionSpec('deliver').fields).toEqual(['delivery_method'])
    for (const a of ['forward', 'route', 'archive']) expect(actionSpec(a).fields).toEqual([])
  })

  it('covers all fifteen actions (完成环节 included) and treats an unknown one as a confirmation', () => {
    expect(Object.keys(ACTION_SPECS)).toHaveLength(15)
    expect(ACTION_SPECS.complete_stage?.reason).toBe('optional')
    expect(actionSpec('something_new').fields).toEqual([])
  })

  it('offers proxy delivery only for proxy applications', () => {
    expect(deliveryOptions('window').map((o) => o.label)).toEqual(['窗口领取', '邮寄'])
    expect(deliveryOptions('proxy').map((o) => o.value)).toEqual(['window', 'post', 'proxy'])
  })
})

describe('initial form', () => {
  it('starts from the checklist as it stands and pre-selects what a correction notice lists', () => {
    const f = initialActionForm('request_correction', detail)
    expect(f.materials).toEqual({ m1: true, m2: false, m3: false, m4: false })
    expect(f.corrections.m1!.selected).toBe(false)
    expect(f.corrections.m2).toEqual({ selected: true, problem: 'missing', note: '' })
    expect(f.corrections.m3!.selected).toBe(false)
    expect(f.corrections.m4).toEqual({ selected: true, problem: 'incorrect', note: '' })
  })

  it('defaults delivery to window pickup', () => {
    expect(initialActionForm('deliver', detail).delivery_method).toBe('window')
    expect(initialActionForm('accept', detail).delivery_method).toBe('')
  })
})

describe('validation', () => {
  it('requires a reason where the law asks for one', () => {
    const f = initialActionForm('reject', detail)
    expect(validateActionForm('reject', f, ctx)).toEqual({ reason: '请填写不予受理理由' })
    f.reason = '  '
    expect(validateActionForm('withdraw', f, ctx).reason).toBe('请填写撤回原因')
    f.reason = '不属于本机关职权范围'
    expect(validateActionForm('reject', f, ctx)).toEqual({})
    expect(validateActionForm('approve', initialActionForm('approve', detail), ctx)).toEqual({})
    f.reason = 'x'.repeat(501)
    expect(validateActionForm('deny', f, ctx).reason).toMatch(/500/)
  })

  it('refuses to accept while a required material is missing', () => {
    const f = initialActionForm('accept', detail)
    expect(validateActionForm('accept', f, ctx).materials).toMatch(/居民户口簿、申请书/)
    f.materials.m2 = true
    f.materials.m4 = true
    expect(validateActionForm('accept', f, ctx)).toEqual({})
  })

  it('needs at least one material in a correction notice', () => {
    const f = initialActionForm('request_correction', detail)
    for (const c of Object.values(f.corrections)) c.selected = false
    expect(validateActionForm('request_correction', f, ctx).corrections).toBe('请至少选择一项需要补正的材料')
  })

  it('bounds extension days by the county setting', () => {
    const f = initialActionForm('extend', detail)
    f.reason = '需要现场核查'
    expect(validateActionForm('extend', f, ctx).days).toBe('延期天数须为 1 至 10 个工作日')
    f.days = 11
    expect(validateActionForm('extend', f, ctx).days).toBeDefined()
    f.days = 10
    expect(validateActionForm('extend', f, ctx)).toEqual({})
    expect(validateActionForm('extend', f, { ...ctx, maxExtension: 0 }).days).toBe('本县规则不允许延期')
  })

  it('refuses proxy delivery of a window application', () => {
    const f = initialActionForm('deliver', detail)
    f.delivery_method = 'proxy'
    expect(validateActionForm('deliver', f, ctx).delivery_method).toBe('请选择送达方式')
    expect(validateActionForm('deliver', f, { ...ctx, channel: 'proxy' })).toEqual({})
  })
})

describe('request body', () => {
  it('sends every material tick on accept', () => {
    const f = initialActionForm('accept', detail)
    f.materials.m2 = true
    expect(buildActionBody('accept', f, detail)).toEqual({
      materials: [
        { key: 'm1', provided: true },
        { key: 'm2', provided: true },
        { key: 'm3', provided: false },
        { key: 'm4', provided: false },
      ],
    })
  })

  it('lists the chosen corrections in one notice, in checklist order', () => {
    const f = initialActionForm('request_correction', detail)
    f.corrections.m4!.note = ' 缺少签名 '
    expect(buildActionBody('request_correction', f, detail)).toEqual({
      corrections: [
        { key: 'm2', problem: 'missing' },
        { key: 'm4', problem: 'incorrect', note: '缺少签名' },
      ],
    })
  })

  it('sends step, days, reason and delivery only where they belong', () => {
    const f = initialActionForm('pause', detail)
    f.step = ' 入户调查 '
    f.reason = '需核实家庭收入'
    f.days = 5
    expect(buildActionBody('pause', f, detail)).toEqual({ step: '入户调查', days: 5, reason: '需核实家庭收入' })
    expect(buildActionBody('extend', f, detail)).toEqual({ days: 5, reason: '需核实家庭收入' })
    expect(buildActionBody('route', f, detail)).toEqual({})
    expect(buildActionBody('approve', { ...f, reason: '' }, detail)).toEqual({})
    expect(buildActionBody('deliver', initialActionForm('deliver', detail), detail)).toEqual({ delivery_method: 'window' })
  })
})

describe('the law in the dialogs', () => {
  const item = { steps: [{ name: '入户调查', limit_days: 10, counted: false }, { name: '现场核查', limit_days: 0, counted: true }] } as ApplicationDetail['item']

  it('lists every required material not handed in on the first notice (行政许可法第三十二条)', () => {
    const f = initialActionForm('request_correction', detail)
    f.corrections.m2!.selected = false
    expect(validateActionForm('request_correction', f, ctx).corrections).toMatch(/全部未收的必要材料：居民户口簿/)
  })

  it('after a notice offers only the materials the applicant changed (一次性告知)', () => {
    const again = { ...detail, correction_count: 1, changed_materials: ['m2'] }
    expect([...correctable(again)!]).toEqual(['m2'])
    expect(correctable(detail)).toBeNull()
    const f = initialActionForm('request_correction', again)
    expect(Object.keys(f.corrections)).toEqual(['m2'])
    expect(f.corrections.m2!.selected).toBe(false)
    f.corrections.m2!.selected = true
    expect(validateActionForm('request_correction', f, { ...again, maxExtension: 10 })).toEqual({})
  })

  it('asks for the time a special procedure needs unless the item sets it (第四十五条)', () => {
    expect(procedureNeedsDays('入户调查', { item })).toBe(false)
    expect(procedureNeedsDays('现场核查', { item })).toBe(true)
    expect(procedureNeedsDays('专家评审', { item })).toBe(true)
    const f = initialActionForm('pause', detail)
    f.reason = '需专家评审'
    expect(validateActionForm('pause', f, { ...ctx, item }).step).toBe('请选择特别程序')
    f.step = '专家评审'
    expect(validateActionForm('pause', f, { ...ctx, item }).days).toMatch(/所需时间/)
    f.days = 15
    expect(validateActionForm('pause', f, { ...ctx, item })).toEqual({})
    f.step = '入户调查'
    f.days = undefined
    expect(validateActionForm('pause', f, { ...ctx, item })).toEqual({})
  })
})

describe('the full ID number', () => {
  it('is offered to those who check identity or decide, and the county admin (reveal-id is audited)', () => {
    expect(canRevealApplicantId(['township_clerk'])).toBe(true)
    expect(canRevealApplicantId(['department_staff'])).toBe(true)
    expect(canRevealApplicantId(['county_admin'])).toBe(true)
    expect(canRevealApplicantId(['community_worker'])).toBe(false)
    expect(canRevealApplicantId(['agency_head'])).toBe(false)
    expect(canRevealApplicantId([])).toBe(false)
  })
})
