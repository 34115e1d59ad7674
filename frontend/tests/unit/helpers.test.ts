import { describe, expect, it } from 'vitest'
import { problemPathErrors, problemSheetErrors } from '@/api/problem'
import { countKinds, datesBetween, monthGrids } from '@/features/calendar/calendarGrid'
import { emptyItemForm, itemFormFromBody, itemFormToBody, newMaterial, validateItemForm } from '@/features/catalog/itemForm'
import { countText, todoCards } from '@/features/home/todo'
import { yearStart } from '@/utils/dates'
import { dispositionFilename } from '@/utils/download'
import { labelOf, tagOf } from '@/utils/enumLabel'
import { percent } from '@/utils/format'
import { newRequestKey } from '@/utils/requestKey'

describe('month grids', () => {
  it('lays out twelve Monday-first months padded to whole weeks', () => {
    const grids = monthGrids(2026, [{ date: '2026-10-01', working: false, kind: 'holiday', label: '法定节假日', name: '国庆节', provisional: false }])
    expect(grids).toHaveLength(12)
    for (const g of grids) expect(g.cells.length % 7).toBe(0)
    // 2026-01-01 is a Thursday: three blanks (Mon–Wed) first
    expect(grids[0]!.cells.slice(0, 4).map((c) => c?.date ?? null)).toEqual([null, null, null, '2026-01-01'])
    const oct1 = grids[9]!.cells.find((c) => c?.date === '2026-10-01')
    expect(oct1?.kind).toBe('holiday')
    const oct3 = grids[9]!.cells.find((c) => c?.date === '2026-10-03') // Saturday, not in the list
    expect(oct3?.kind).toBe('weekend')
    expect(grids[1]!.cells.filter(Boolean)).toHaveLength(28)
  })

  it('counts kinds and lists date spans', () => {
    const days = monthGrids(2026, []).flatMap((g) => g.cells.filter((c) => c !== null))
    expect(countKinds(days)).toEqual({ workday: 261, weekend: 104 })
    expect(datesBetween('2026-09-30', '2026-10-02')).toEqual(['2026-09-30', '2026-10-01', '2026-10-02'])
    expect(datesBetween('2026-10-02', '2026-10-01')).toEqual([])
  })
})

describe('problem details of nested forms', () => {
  const body = {
    status: 422,
    code: 'invalid',
    message: '提交的数据有误',
    message_en: 'invalid',
    errors: [
      { location: 'body.applicant.id_no', message: '身份证号码有误：校验码不正确', message_en: 'x' },
      { location: 'body.materials[2].condition', message: '非必要材料须写明需要提交的情形', message_en: 'x' },
      { location: 'header.Idempotency-Key', message: '幂等键有误', message_en: 'x' },
    ],
  }

  it('keys field errors by their full path', () => {
    expect(problemPathErrors(body)).toEqual({
      'applicant.id_no': '身份证号码有误：校验码不正确',
      'materials[2].condition': '非必要材料须写明需要提交的情形',
    })
  })

  it('reads sheet, row and column of an import problem', () => {
    const imp = {
      status: 422,
      code: 'invalid',
      message: '文件有 2 处错误，未导入任何事项',
      message_en: 'x',
      errors: [
        { location: 'file', message: '实施机关不存在', message_en: 'x', value: { sheet: '事项', row: 3, column: '实施机关' } },
        { location: 'file', message: '缺少工作表', message_en: 'x', value: { sheet: '材料', row: 0, column: '' } },
      ],
    }
    expect(problemSheetErrors(imp)).toEqual([
      { sheet: '事项', row: 3, column: '实施机关', message: '实施机关不存在' },
      { sheet: '材料', row: null, column: '', message: '缺少工作表' },
    ])
    expect(problemSheetErrors(null)).toEqual([])
  })
})

describe('downloads', () => {
  it('prefers the UTF-8 file name of Content-Disposition', () => {
    const h = `attachment; filename="export.xlsx"; filename*=UTF-8''%E4%BA%8B%E9%A1%B9%E7%9B%AE%E5%BD%95.xlsx`
    expect(dispositionFilename(h, 'x.xlsx')).toBe('事项目录.xlsx')
    expect(dispositionFilename('attachment; filename="a.xlsx"', 'x.xlsx')).toBe('a.xlsx')
    expect(dispositionFilename(null, '办件统计.xlsx')).toBe('办件统计.xlsx')
  })
})

describe('idempotency keys', () => {
  it('uses randomUUID where available and builds a v4 UUID from random bytes otherwise', () => {
    expect(newRequestKey({ randomUUID: () => 'fixed-uuid-0001', getRandomValues: (a: Uint8Array) => a } as unknown as Crypto)).toBe('fixed-uuid-0001')
    const k = newRequestKey({ getRandomValues: <T extends ArrayBufferView | null>(a: T) => a } as unknown as Crypto)
    expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(newRequestKey()).not.toBe(newRequestKey())
    expect(newRequestKey()).toMatch(/^[A-Za-z0-9_-]{8,64}$/) // the server's pattern
  })
})

describe('catalogue form', () => {
  it('round-trips an item body and keeps material keys', () => {
    const body = {
      base_code: '000517006000',
      impl_code: '11130826078029575H4000517006000',
      name: '临时救助申请',
      kind: 'payment' as const,
      department_id: 'd1',
      legal_basis: '《社会救助暂行办法》',
      levels: ['township', 'community'],
      conditions: '',
      materials: [
        { key: 'm1', name: '居民身份证', form: 'original' as const, copies: 1, required: true },
        { key: 'm6', name: '授权委托书', form: 'original' as const, copies: 1, required: false, condition: '委托他人代办的' },
      ],
      handling: 'promised' as const,
      legal_days: 20,
      promised_days: 10,
      steps: [{ name: '入户调查', limit_days: 10, counted: false }],
      unified: true,
      fee_basis: '',
      fee_amount: '不收费',
      visits: 1,
      consult_phone: '0314-8021352',
      complain_phone: '0314-12345',
    }
    expect(itemFormToBody(itemFormFromBody(body))).toEqual(body)
  })

  it('checks required fields before sending, with API locations', () => {
    const f = emptyItemForm()
    f.materials.push({ ...newMaterial(), name: '证明', required: false })
    const e = validateItemForm(f)
    expect(e.name).toBeDefined()
    expect(e.kind).toBe('请选择事项类型')
    expect(e.department_id).toBe('请选择实施机关')
    expect(e['materials[0].condition']).toBe('非必要材料须写明需要提交的情形')
  })

  it('sends no promised days for an instant item', () => {
    const f = { ...emptyItemForm(), handling: 'instant' as const, promised_days: 5 }
    expect(itemFormToBody(f).promised_days).toBe(0)
  })
})

describe('workbench and statistics', () => {
  it('gives each role its 待办 cards', () => {
    expect(todoCards(['township_clerk']).map((c) => c.title)).toEqual(['待受理', '补正中', '待转部门', '待送达'])
    expect(todoCards(['community_worker']).map((c) => c.states)).toEqual([['proxy_received'], ['correcting'], ['decided']])
    expect(todoCards(['department_staff']).map((c) => c.title)).toEqual(['部门办理中', '特别程序中'])
    expect(todoCards(['platform_operator'])).toEqual([])
    expect(countText(100, true)).toBe('100+')
    expect(countText(3, false)).toBe('3')
  })

  it('formats rates and the default range', () => {
    expect(percent(0.95678)).toBe('95.7%')
    expect(percent(1)).toBe('100.0%')
    expect(percent(NaN)).toBe('—')
    expect(yearStart('2026-11-21')).toBe('2026-01-01')
  })
})

describe('label lookups', () => {
  const STATUS = { active: '在用', disabled: '停用' }
  const TAG = { active: 'success', disabled: 'info' } as const

  it('gives the label of a known value and the code of an unknown one', () => {
    expect(labelOf(STATUS, 'active')).toBe('在用')
    expect(labelOf(STATUS, 'archived')).toBe('archived')
    expect(labelOf(STATUS, null)).toBe('')
    expect(labelOf(STATUS, 'archived', '—')).toBe('—')
    expect(tagOf(TAG, 'active')).toBe('success')
    expect(tagOf(TAG, 'archived')).toBe('info')
  })

  it('does not read Object.prototype for a code the API might send', () => {
    expect(labelOf(STATUS, 'constructor')).toBe('constructor')
    expect(labelOf(STATUS, '__proto__')).toBe('__proto__')
    expect(tagOf(TAG, 'toString')).toBe('info')
  })
})
