import { describe, expect, it } from 'vitest'
import { emptyItemForm, itemFormFromBody, itemFormToBody, newStage, stageLimit, stageTotal, validateItemForm } from '@/features/catalog/itemForm'
import { lateCount, nextStageName, stageStatus } from '@/features/applications/stages'

// 环节时限 (issue 16 item 3): the catalogue editor's steps and the application page's list.
describe('catalogue steps', () => {
  const form = () => {
    const f = emptyItemForm() // promised: 10 of a statutory 20
    f.stages = [
      { ...newStage(), name: '审查', limit_days: 6 },
      { ...newStage(), name: '决定', limit_days: 4 },
    ]
    return f
  }

  it('fits the steps in the committed limit, else the statutory one (行政许可法第四十二条)', () => {
    const f = form()
    expect(stageLimit(f)).toBe(10)
    expect(stageTotal(f.stages)).toBe(10)
    expect(validateItemForm(f).stages).toBeUndefined()
    f.stages[0]!.limit_days = 7
    expect(validateItemForm(f).stages).toContain('第四十二条')
    expect(stageLimit({ handling: 'promised', legal_days: 20, promised_days: 0 })).toBe(20)
    expect(stageLimit({ handling: 'instant', legal_days: 20, promised_days: 0 })).toBe(0)
  })

  it('places each step error on its field, by the API location', () => {
    const f = form()
    f.stages[1]!.name = '审查'
    f.stages[0]!.limit_days = 0
    const e = validateItemForm(f)
    expect(e['stages[1].name']).toBe('环节名称重复：审查')
    expect(e['stages[0].limit_days']).toBe('环节时限须为 1 至 250 个工作日')
    f.stages[1]!.name = '审:查'
    expect(validateItemForm(f)['stages[1].name']).toBe('环节名称不能含冒号或分号')
    const instant = { ...form(), handling: 'instant' as const, promised_days: 0 }
    expect(validateItemForm(instant).stages).toBe('即办件当场办结，不设办理环节')
  })

  it('sends the steps in order, and nothing without steps', () => {
    const body = itemFormToBody(form())
    expect(body.stages).toEqual([
      { name: '审查', limit_days: 6 },
      { name: '决定', limit_days: 4 },
    ])
    expect(itemFormFromBody(body).stages.map((s) => s.name)).toEqual(['审查', '决定'])
    expect('stages' in itemFormToBody(emptyItemForm())).toBe(false)
  })
})

describe('application steps', () => {
  const stages = [
    { no: 1, name: '审查', started_on: '2027-01-29', due_on: '2027-02-16', completed_on: '2027-02-17', late: true, current: false },
    { no: 2, name: '决定', started_on: '2027-02-17', due_on: '2027-02-23', completed_on: '', late: false, current: true },
    { no: 3, name: '送达', started_on: '', due_on: '', completed_on: '', late: false, current: false },
  ]

  it('says where each step stands', () => {
    expect(stages.map(stageStatus)).toEqual(['late', 'running', 'waiting'])
    expect(stageStatus({ ...stages[0]!, late: false })).toBe('on_time')
    expect(stageStatus({ ...stages[1]!, current: false })).toBe('stopped')
  })

  it('names the next step, or the decision after the last', () => {
    expect(nextStageName(stages, stages[1]!)).toBe('送达')
    expect(nextStageName(stages, stages[2]!)).toContain('作出决定')
    expect(lateCount(stages)).toBe(1)
  })
})
