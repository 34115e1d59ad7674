import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { cardProblem, hasPersonalData, stepTime } from '@/features/supervision/cards'
import OrderHistory from '@/features/supervision/components/OrderHistory.vue'
import type { OrderStep } from '@/api/types'

describe('cards', () => {
  it('names the problem with the working days over', () => {
    expect(cardProblem({ rule: 'overdue', days_over: 4 })).toBe('办理超期或临期（超期 4 个工作日）')
    expect(cardProblem({ rule: 'repeat_corrections', days_over: 0 })).toBe('多次补正告知')
  })
  it('finds ID and phone numbers, full-width and spaced too', () => {
    expect(hasPersonalData('已联系 110105198503120020')).toBe(true)
    expect(hasPersonalData('电话 139 1234 5678')).toBe(true)
    expect(hasPersonalData('１３９１２３４５６７８')).toBe(true)
    expect(hasPersonalData('已于12月5日办结，约谈窗口2人')).toBe(false)
  })
})

describe('OrderHistory', () => {
  const steps = [
    { seq: 1, at: '2026-12-01T02:30:00.123456Z', action: 'issued', actor_kind: 'region', actor: '130800', actor_name: '承德市', body: '请于期限内办结', due_on: '2026-12-08' },
    { seq: 2, at: '2026-12-02T09:05:00Z', action: 'replied', actor_kind: 'county', actor: 'demo', actor_name: '示范县', body: '已办结' },
    { seq: 3, at: '2026-12-03T01:00:00Z', action: 'returned', actor_kind: 'region', actor: '130800', body: '请补充整改措施' },
    { seq: 4, at: '2026-12-04T01:00:00Z', action: 'replied', actor_kind: 'county', actor: 'demo', body: '已建立日报制度' },
    { seq: 5, at: '2026-12-05T01:00:00Z', action: 'closed', actor_kind: 'region', actor: '130800' },
  ] as OrderStep[]

  it('shows every round in order, who took it and what it said, in China time', () => {
    const w = mount(OrderHistory, { props: { steps }, global: { plugins: [ElementPlus] } })
    const items = w.findAll('[data-testid^="order-step-"]')
    expect(items.map((i) => i.attributes('data-testid'))).toEqual(['order-step-1', 'order-step-2', 'order-step-3', 'order-step-4', 'order-step-5'])
    expect(items[0]?.text()).toContain('督办')
    expect(items[0]?.text()).toContain('承德市')
    expect(items[0]?.text()).toContain('回复期限 2026-12-08')
    expect(items[0]?.text()).toContain('2026-12-01 10:30')
    expect(items[1]?.text()).toContain('示范县')
    expect(items[2]?.text()).toContain('退回')
    expect(items[2]?.text()).toContain('请补充整改措施')
    expect(items[4]?.text()).toContain('办结')
  })

  it('says when there is nothing yet, and names an unknown region by its code', () => {
    expect(mount(OrderHistory, { props: { steps: [] }, global: { plugins: [ElementPlus] } }).text()).toBe('暂无督办记录')
    const w = mount(OrderHistory, { props: { steps: [{ ...(steps[0] as OrderStep), actor_name: '' }] }, global: { plugins: [ElementPlus] } })
    expect(w.text()).toContain('监察单位（130800）')
  })

  it('writes a step time as date and minute in China time', () => {
    expect(stepTime('2026-12-31T16:30:00Z')).toBe('2027-01-01 00:30')
    expect(stepTime('not a time')).toBe('not a time')
  })
})
