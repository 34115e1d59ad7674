import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import PublishedTable from '@/features/supervision/components/PublishedTable.vue'
import { formatBytes, formatLag, goodRate, onTimeRate, percent, warningLabel } from '@/features/supervision/model'
import type { PublishedApplication } from '@/api/types'

describe('supervision figures', () => {
  it('divides only when there is something to divide', () => {
    expect(percent(1, 3)).toBe('33.3%')
    expect(percent(0, 0)).toBe('—')
    expect(onTimeRate({ on_time: 9, decided: 10 })).toBe('90.0%')
    expect(goodRate({ good: 0, rated: 0 })).toBe('—')
  })

  it('says lag, storage and warnings in Chinese', () => {
    expect(formatLag(0)).toBe('无延迟')
    expect(formatLag(42)).toBe('42 秒')
    expect(formatLag(3 * 60 + 5)).toBe('3 分钟')
    expect(formatLag(2 * 3600 + 15 * 60)).toBe('2 小时 15 分钟')
    expect(formatBytes(512)).toBe('512 字节')
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 兆字节')
    expect(warningLabel('red').label).toBe('超期')
    expect(warningLabel('yellow').type).toBe('warning')
  })
})

describe('PublishedTable', () => {
  it('shows a published record in Chinese, the clerk only by pseudonym', async () => {
    const row: PublishedApplication = {
      tenant_id: '00000000-0000-0000-0000-000000000001',
      id: '00000000-0000-0000-0000-000000000002',
      version: 12,
      item_code: 'TEST-1',
      item_name: '临时救助申请',
      township: '城关镇',
      channel: 'proxy',
      state: 'decided',
      warning: 'red',
      step_name: '决定',
      step_warning: 'red',
      steps_late: 1,
      on_time: false,
      department: '县民政局',
      refusal_unstated: false,
      callback_late: false,
      corrections: 1,
      pauses: 0,
      extensions: 1,
      rating: 2,
      clerk_ref: 'abcdef0123456789abcdef0123456789',
      received_on: '2026-11-02',
      decided_on: '2026-11-20',
    }
    const w = mount(PublishedTable, { props: { items: [row] }, global: { plugins: [ElementPlus] } })
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    const text = w.text()
    for (const s of ['临时救助申请', '城关镇', '代办', '已办结', '超期', '否', '不满意', 'abcdef01']) expect(text).toContain(s)
    expect(text).not.toContain('abcdef0123456789abcdef')
  })
})
