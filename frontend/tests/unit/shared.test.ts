import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, reactive } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus, { ElFormItem } from 'element-plus'
import DateRangeBar from '@/components/DateRangeBar.vue'
import SettingsCard from '@/components/SettingsCard.vue'
import StatCards from '@/components/StatCards.vue'
import { useReport } from '@/composables/useReport'
import { useSettings } from '@/composables/useSettings'
import { ApiError } from '@/api/problem'
import MaterialsChecklist from '@/features/applications/components/MaterialsChecklist.vue'

const global = { plugins: [ElementPlus] }

afterEach(() => {
  document.body.innerHTML = ''
})

describe('StatCards', () => {
  it('shows one card a figure, with its test id, tone and the line under it only when given', () => {
    const w = mount(StatCards, {
      props: {
        prefix: 'stat',
        cards: [
          { key: 'received', label: '收件', value: '12' },
          { key: 'overdue', label: '超期', value: '3', tone: 'bad', sub: '件' },
          { key: 'rate', label: '按时办结率', value: '95.0%', tone: 'ok' },
        ],
      },
      attrs: { 'data-testid': 'stats-totals' },
      global,
    })
    expect(w.attributes('data-testid')).toBe('stats-totals')
    const overdue = w.find('[data-testid="stat-overdue"]')
    expect(overdue.find('.stat-label').text()).toBe('超期')
    expect(overdue.find('.stat-value').text()).toBe('3')
    expect(overdue.find('.stat-value').classes()).toContain('bad')
    expect(overdue.find('.stat-sub').text()).toBe('件')
    expect(w.find('[data-testid="stat-received"] .stat-sub').exists()).toBe(false)
    expect(w.find('[data-testid="stat-rate"] .stat-value').classes()).toContain('ok')
  })
})

describe('DateRangeBar', () => {
  it('queries on 查询 and keeps the page buttons in its slot', async () => {
    const onQuery = vi.fn()
    const w = mount(DateRangeBar, {
      props: { modelValue: ['2026-01-01', '2026-03-31'], prefix: 'stats', loading: false, onQuery },
      slots: { default: () => h('button', { 'data-testid': 'stats-export' }, '导出 Excel') },
      global,
    })
    expect(w.find('[data-testid="stats-range"]').exists()).toBe(true)
    expect(w.find('[data-testid="stats-export"]').exists()).toBe(true)
    await w.find('[data-testid="stats-query"]').trigger('click')
    expect(onQuery).toHaveBeenCalledTimes(1)
  })
})

describe('MaterialsChecklist', () => {
  const materials = [
    { key: 'id', name: '居民身份证', form: 'original', copies: 1, required: true },
    { key: 'proof', name: '收入证明', form: 'copy', copies: 2, required: false, condition: '有收入的', problem: 'incorrect' },
    { name: '没有键的材料', form: 'copy', copies: 1, required: true },
  ]

  it('lists the materials with a key, ticks into the caller’s record and says what each needs', async () => {
    const ticks = reactive<Record<string, boolean>>({ id: false, proof: false })
    const w = mount(MaterialsChecklist, { props: { materials, ticks, itemPrefix: 'tick-' }, global })
    const rows = w.findAll('[data-testid^="tick-"]')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.text()).toContain('原件')
    expect(rows[0]!.find('.el-tag--danger').text()).toBe('必要')
    expect(rows[1]!.text()).toContain('2 份')
    expect(rows[1]!.text()).toContain('情形：有收入的')
    expect(rows[1]!.text()).toContain('有误')
    await rows[1]!.find('input').setValue(true)
    expect(ticks).toEqual({ id: false, proof: true })
  })

  it('says so when the item needs no material', () => {
    const w = mount(MaterialsChecklist, { props: { materials: [], ticks: {}, itemPrefix: 'x-', empty: '该事项无需提交材料' }, global })
    expect(w.text()).toContain('该事项无需提交材料')
  })
})

describe('SettingsCard', () => {
  it('saves only when the form’s rules pass, and resets on 重置', async () => {
    const onSave = vi.fn()
    const onReset = vi.fn()
    const model = reactive({ prefix: 'a b' })
    const w = mount(SettingsCard, {
      props: {
        model,
        prefix: 'settings',
        loading: false,
        saving: false,
        rules: { prefix: [{ pattern: /^[0-9A-Za-z-]*$/, message: '只能包含字母、数字或连字符', trigger: 'blur' }] },
        onSave,
        onReset,
      },
      slots: { default: () => h(ElFormItem, { prop: 'prefix', label: '前缀' }, () => h('span', model.prefix)) },
      global,
    })
    await w.find('[data-testid="settings-save"]').trigger('click')
    await flushPromises()
    expect(onSave).not.toHaveBeenCalled()
    model.prefix = 'ab-1'
    await w.find('[data-testid="settings-save"]').trigger('click')
    await flushPromises()
    expect(onSave).toHaveBeenCalledTimes(1)
    await w.findAll('button')[1]!.trigger('click')
    expect(onReset).toHaveBeenCalledTimes(1)
  })
})

describe('useSettings', () => {
  function host<S>(endpoint: Parameters<typeof useSettings<S>>[0]) {
    let api!: ReturnType<typeof useSettings<S>>
    mount(
      defineComponent({
        setup() {
          api = useSettings(endpoint)
          return () => h('div')
        },
      }),
      { global },
    )
    return api
  }

  it('fills the form from GET and again from what PUT kept', async () => {
    const form = reactive({ days: 5 })
    const s = host<{ days: number }>({
      get: async () => ({ days: 7 }),
      put: async () => ({ days: 9 }),
      fill: (v) => (form.days = v.days),
      saved: '已保存',
    })
    await s.load()
    expect(form.days).toBe(7)
    expect(s.loading.value).toBe(false)
    expect(await s.save()).toBe(true)
    expect(form.days).toBe(9)
    expect(s.saving.value).toBe(false)
  })

  it('puts the reasons of a 422 beside their fields and keeps the form', async () => {
    const form = reactive({ days: 5 })
    const problem = {
      title: 'Unprocessable Entity',
      status: 422,
      message: '提交的数据有误',
      errors: [{ location: 'body.days', message: '天数须在 1–30 之间', message_en: 'days out of range' }],
    }
    const s = host<{ days: number }>({
      get: async () => ({ days: 7 }),
      put: async () => {
        throw new ApiError(422, problem)
      },
      fill: (v) => (form.days = v.days),
      saved: '已保存',
    })
    expect(await s.save()).toBe(false)
    expect(s.fieldErrors.days).toBe('天数须在 1–30 之间')
    expect(form.days).toBe(5)
  })
})

describe('useReport', () => {
  it('asks for 1 January to today first, and for the period chosen after', async () => {
    const fetch = vi.fn(async (from: string, to: string) => ({ from, to }))
    const r = useReport(fetch)
    const [from, to] = r.range.value
    expect(from).toMatch(/^\d{4}-01-01$/)
    expect(to.slice(0, 4)).toBe(from.slice(0, 4))
    await r.load()
    expect(r.report.value).toEqual({ from, to })
    r.range.value = ['2025-03-01', '2025-03-31']
    await r.load()
    expect(fetch).toHaveBeenLastCalledWith('2025-03-01', '2025-03-31')
    expect(r.loading.value).toBe(false)
  })
})
