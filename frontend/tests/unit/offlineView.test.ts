// 待发送 (OutboxView), the offline banner and the pure helpers of offline intake.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { IDBFactory } from 'fake-indexeddb'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { OutputBundle } from 'rollup'
import { ApiError } from '@/api/problem'
import OutboxView from '@/features/offline/views/OutboxView.vue'
import { filterItems } from '@/features/offline/intake'
import { emptyText, network } from '@/features/offline/network'
import { startOutbox, stopOutbox, useOutboxBackend } from '@/features/offline/outbox'
import { type QueueEntry, openQueue, putEntry } from '@/features/offline/queue'
import type { Transport } from '@/features/offline/sender'
import { PUBLIC_FILES, precacheList } from '../../offline/plugin'

function entry(over: Partial<QueueEntry>): QueueEntry {
  return {
    id: over.id ?? 'e1',
    owner: 'w1',
    key: '6f1c1c2e-8a7b-4c1d-9e2f-0a1b2c3d4e5f',
    state: 'waiting',
    createdAt: Date.UTC(2026, 11, 5, 2, 30),
    updatedAt: 0,
    itemId: 'item-1',
    itemName: '临时救助申请',
    applicantName: '王秀兰',
    body: { item_id: 'item-1' },
    form: { applicant: { name: '王秀兰' } },
    files: [],
    attempts: 0,
    nextAttemptAt: 0,
    ...over,
  }
}

async function mountOutbox(entries: QueueEntry[], t: Transport) {
  const db = openQueue('view-' + Math.random(), new IDBFactory())
  for (const e of entries) await putEntry(await db, e)
  useOutboxBackend(t, db)
  network.online = false // no automatic round while the test looks
  await startOutbox('w1')
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/outbox', name: 'outbox', component: OutboxView },
      { path: '/intake', name: 'intake', component: { template: '<div data-testid="intake" />' } },
      { path: '/applications/:id', name: 'application-detail', component: { template: '<div />' } },
    ],
  })
  await router.push('/outbox')
  const w = mount(OutboxView, { global: { plugins: [ElementPlus, router] } })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(w.findAll('[data-testid="outbox-item"]').length).toBeGreaterThan(0)
  })
  return { w, router }
}

afterEach(() => {
  stopOutbox()
  network.online = true
})

const never: Transport = {
  intake: async () => {
    throw new ApiError(0, null)
  },
  upload: async () => {
    throw new ApiError(0, null)
  },
}

describe('待发送', () => {
  it('shows each entry with its state: 等待网络, 已发送 with its application, 失败 with the reason per field and 修改 / 重试', async () => {
    const { w } = await mountOutbox(
      [
        entry({ id: 'a', state: 'waiting', createdAt: 1 }),
        entry({ id: 'b', state: 'sent', body: null, form: null, applicationId: 'app-9', receiptNo: 'CG2026120500001', createdAt: 2, sentAt: Date.now() }),
        entry({
          id: 'c',
          state: 'failed',
          applicantName: '李四',
          createdAt: 3,
          error: { status: 422, message: '提交的数据有误', fields: { 'applicant.id_no': '身份证号码有误：校验码不正确' } },
        }),
      ],
      never,
    )
    const items = w.findAll('[data-testid="outbox-item"]')
    // Newest first.
    expect(items.map((i) => i.attributes('data-state'))).toEqual(['failed', 'sent', 'waiting'])
    expect(items.map((i) => i.get('[data-testid="outbox-state"]').text())).toEqual(['失败', '已发送', '等待网络'])
    const failed = items[0]!
    expect(failed.get('[data-testid="outbox-error"]').text()).toContain('证件号码：身份证号码有误：校验码不正确')
    expect(failed.find('[data-testid="outbox-edit"]').exists()).toBe(true)
    expect(failed.get('[data-testid="outbox-retry"]').text()).toBe('重试')
    expect(items[1]!.get('[data-testid="outbox-receipt"]').text()).toContain('受理编号 CG2026120500001')
    expect(items[1]!.find('[data-testid="outbox-edit"]').exists()).toBe(false)
    expect(items[2]!.text()).toContain('联网后自动发送')
  })

  it('修改 opens the refused entry on the intake form; 重试 sends it with its key', async () => {
    const keys: string[] = []
    const ok: Transport = {
      intake: async (_b, key) => {
        keys.push(key)
        return { id: 'app-1', receipt_no: '' }
      },
      upload: async (_a, f) => ({ id: f.key }),
    }
    const refused = entry({ id: 'c', state: 'failed', error: { status: 422, message: '提交的数据有误', fields: {} } })
    const { w, router } = await mountOutbox([refused], ok)
    await w.get('[data-testid="outbox-edit"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/intake?entry=c')
    await router.push('/outbox')
    await w.get('[data-testid="outbox-retry"]').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(w.get('[data-testid="outbox-state"]').text()).toBe('已发送')
    })
    expect(keys).toEqual([refused.key])
    expect(w.get('[data-testid="outbox-receipt"]').text()).toContain('待乡镇受理')
  })
})

describe('offline helpers', () => {
  it('lists say 离线 instead of 没有办件 while offline', () => {
    expect(emptyText(true, '没有符合条件的办件')).toBe('没有符合条件的办件')
    expect(emptyText(false, '没有符合条件的办件')).toBe('离线，无法加载')
  })

  it('searches the kept catalogue by name or code offline', () => {
    const items = [
      { name: '临时救助申请', impl_code: '11130826MB0001' },
      { name: '老年人优待证办理', impl_code: '11130826MB0002' },
    ]
    expect(filterItems(items, '救助').map((i) => i.name)).toEqual(['临时救助申请'])
    expect(filterItems(items, 'mb0002').map((i) => i.name)).toEqual(['老年人优待证办理'])
    expect(filterItems(items, ' ')).toHaveLength(2)
  })

  it('keeps for offline the entry and the offline pages with their imports and CSS, not the other pages', () => {
    const chunk = (fileName: string, facadeModuleId: string | null, imports: string[], css: string[] = [], isEntry = false) => ({
      type: 'chunk' as const,
      fileName,
      facadeModuleId,
      imports,
      isEntry,
      viteMetadata: { importedCss: new Set(css), importedAssets: new Set<string>() },
    })
    const bundle = {
      a: chunk('assets/index-1.js', '/x/src/main.ts', ['assets/vue-2.js'], ['assets/index-1.css'], true),
      b: chunk('assets/vue-2.js', null, []),
      c: chunk('assets/IntakeView-3.js', '/x/src/features/applications/views/IntakeView.vue', ['assets/el-form-4.js'], ['assets/IntakeView-3.css']),
      d: chunk('assets/el-form-4.js', null, []),
      e: chunk('assets/OutboxView-5.js', '/x/src/features/offline/views/OutboxView.vue', []),
      f: chunk('assets/StatsView-6.js', '/x/src/features/stats/views/StatsView.vue', ['assets/echarts-7.js']),
      g: chunk('assets/echarts-7.js', null, []),
    } as unknown as OutputBundle
    const list = precacheList(bundle)
    expect(list).toEqual([
      '/assets/IntakeView-3.css',
      '/assets/IntakeView-3.js',
      '/assets/OutboxView-5.js',
      '/assets/el-form-4.js',
      '/assets/index-1.css',
      '/assets/index-1.js',
      '/assets/vue-2.js',
      ...PUBLIC_FILES,
    ])
  })
})
