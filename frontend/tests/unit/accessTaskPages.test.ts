// The three screens that list community tasks read them by keyset pages (GET /api/v1/access/tasks,
// 20 at a time, next_cursor for the page after) and grow by 加载更多 — never the whole list.
import { afterEach, describe, expect, it, vi } from 'vitest'

vi.setConfig({ testTimeout: 30_000 })
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import AccessBurdenView from '@/features/access/views/AccessBurdenView.vue'
import AccessDispatchView from '@/features/access/views/AccessDispatchView.vue'
import AccessTasksView from '@/features/access/views/AccessTasksView.vue'
import { TASK_PAGE } from '@/features/access/tasks'

type Task = Record<string, unknown>

function task(n: number, status: string): Task {
  return {
    id: `${status}-${n}`, dispatch_id: `d-${n}`, item_id: 'i1', department_id: 'dp', community_id: 'c1', title: `任务${status}${n}`, detail: '',
    attachments: [], expected_hours: 2, due_days: 5, status, dispatched_on: '2026-12-01', due_on: status === 'accepted' ? '2026-12-20' : null,
    refusal: status === 'refused' ? '不属于本社区' : '', decided_at: null, done_at: null, created_at: '2026-12-01T08:00:00Z', row_version: 1,
    item_name: '入户核查', item_code: 'XZ-001', department_name: '县卫健委', community_name: '东关社区',
  }
}

/** A server whose task list is rows (per status filter), 20 a page with cursor "p<offset>". */
function server(rows: Record<string, Task[]>) {
  const seen: URL[] = []
  vi.stubGlobal('fetch', vi.fn(async (r: Request) => {
    const url = new URL(r.url)
    seen.push(url)
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
    if (url.pathname === '/api/v1/access/tasks') {
      const all = rows[url.searchParams.get('status') ?? ''] ?? []
      const limit = Number(url.searchParams.get('limit'))
      const from = Number((url.searchParams.get('cursor') ?? 'p0').slice(1))
      const page = all.slice(from, from + limit)
      return json({ tasks: page, next_cursor: from + limit < all.length ? `p${from + limit}` : '' })
    }
    if (url.pathname === '/api/v1/access/interceptions') return json({ interceptions: [] })
    if (url.pathname === '/api/v1/access/items') return json({ items: [] })
    if (url.pathname === '/api/v1/access/burden') return json({ from: '2026-01', to: '2026-12', total: {}, by_community: [], by_department: [], communities: [], departments: [], versions: [] })
    return new Response('{}', { status: 404, headers: { 'Content-Type': 'application/json' } })
  }))
  return seen
}

async function mountView(view: object, ready: string, path = '/') {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
  await router.push(path)
  const w = mount(view, { attachTo: document.body, global: { plugins: [ElementPlus, router], stubs: { BurdenChart: true } } })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(w.find(ready).exists()).toBe(true)
  }, { timeout: 20_000 })
  return w
}

const taskRequests = (seen: URL[]) => seen.filter((u) => u.pathname === '/api/v1/access/tasks')

async function clickMore(w: VueWrapper, testid: string) {
  const more = w.get(`[data-testid="${testid}"]`)
  expect(more.element.tagName).toBe('BUTTON') // reachable by Tab, pressed with Enter or Space
  expect(more.text()).toMatch(/^加载更多/)
  await more.trigger('click')
  await flushPromises()
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('我的任务 (a community’s tasks)', () => {
  it('reads each card by its own pages and loads more on request', async () => {
    const pending = Array.from({ length: 25 }, (_, i) => task(i, 'pending'))
    const seen = server({ pending, accepted: [task(1, 'accepted')], 'refused,done': [] })
    const w = await mountView(AccessTasksView, '[data-testid="tasks-pending-more"]')
    const card = (key: string) => w.get(`[data-testid="tasks-${key}"]`)
    expect(card('pending').findAll('[data-testid="task-card"]')).toHaveLength(TASK_PAGE)
    expect(card('pending').text()).toContain('20+')
    expect(card('accepted').findAll('[data-testid="task-card"]')).toHaveLength(1)
    expect(card('accepted').find('[data-testid="tasks-accepted-more"]').exists()).toBe(false)
    expect(card('closed').text()).toContain('暂无')
    // One request per card, each a first page of 20 with its status.
    const first = taskRequests(seen)
    expect(first.map((u) => u.searchParams.get('status')).sort()).toEqual(['accepted', 'pending', 'refused,done'])
    expect(first.every((u) => u.searchParams.get('limit') === String(TASK_PAGE) && !u.searchParams.has('cursor'))).toBe(true)

    await clickMore(w, 'tasks-pending-more')
    expect(card('pending').findAll('[data-testid="task-card"]')).toHaveLength(25)
    expect(card('pending').find('[data-testid="tasks-pending-more"]').exists()).toBe(false)
    const last = taskRequests(seen).at(-1)!
    expect([last.searchParams.get('status'), last.searchParams.get('cursor')]).toEqual(['pending', 'p20'])
    w.unmount()
  })
})

describe('交办任务 (a department’s dispatched tasks)', () => {
  it('shows the first page with its count and appends the next', async () => {
    const all = Array.from({ length: 45 }, (_, i) => task(i, i % 2 ? 'done' : 'pending'))
    const seen = server({ '': all })
    const w = await mountView(AccessDispatchView, '[data-testid="dispatch-tasks-more"]')
    const rows = () => w.get('[data-testid="dispatch-tasks"]').findAll('tbody tr')
    expect(rows()).toHaveLength(20)
    expect(w.text()).toContain('已交办任务（20+）')
    await clickMore(w, 'dispatch-tasks-more')
    expect(rows()).toHaveLength(40)
    await clickMore(w, 'dispatch-tasks-more')
    expect(rows()).toHaveLength(45)
    expect(w.text()).toContain('已交办任务（45）')
    expect(w.find('[data-testid="dispatch-tasks-more"]').exists()).toBe(false)
    expect(taskRequests(seen).map((u) => u.searchParams.get('cursor'))).toEqual([null, 'p20', 'p40'])
    w.unmount()
  })
})

describe('社区减负统计 (the burden statistics)', () => {
  it('takes its figures from the report and reads the task ledger by pages', async () => {
    const all = Array.from({ length: 21 }, (_, i) => task(i, 'done'))
    const seen = server({ '': all })
    const w = await mountView(AccessBurdenView, '[data-testid="burden-tasks-more"]', '/access/burden?from=2026-01&to=2026-12')
    expect(seen.some((u) => u.pathname === '/api/v1/access/burden')).toBe(true)
    const tasks = taskRequests(seen)
    expect(tasks).toHaveLength(1)
    expect(tasks[0]!.searchParams.get('limit')).toBe(String(TASK_PAGE))
    expect(w.get('[data-testid="burden-task-count"]').text()).toContain('已显示最近交办的 20 项')
    await clickMore(w, 'burden-tasks-more')
    expect(w.get('[data-testid="burden-task-count"]').text()).toContain('已显示最近交办的 21 项')
    expect(w.find('[data-testid="burden-tasks-more"]').exists()).toBe(false)
    w.unmount()
  })
})
