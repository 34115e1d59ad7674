import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import ActionDialog from '@/features/applications/components/ActionDialog.vue'
import type { ApplicationDetail } from '@/api/types'

const detail = {
  id: 'a1',
  version: 3,
  channel: 'window',
  state: 'received',
  state_label: '已接件',
  hall: { id: 'h', name: '城关镇' },
  department: { id: 'd', name: '县民政局' },
  item: { id: 'i', version: 1, name: '临时救助申请', impl_code: 'X', handling: 'promised', legal_days: 20, promised_days: 10, steps: [] },
  materials: [{ key: 'm1', name: '居民身份证', form: 'original', copies: 1, required: true, provided: true }],
  dates: {},
  levels: {},
} as unknown as ApplicationDetail

function json(status: number, body: unknown, type = 'application/json') {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } })
}

async function open(action: string, label: string) {
  const w = mount(ActionDialog, {
    props: { modelValue: true, action: { action, label }, detail },
    global: { plugins: [ElementPlus] },
    attachTo: document.body,
  })
  await flushPromises()
  return w
}

const q = (sel: string) => document.body.querySelector(sel) as HTMLElement | null

describe('ActionDialog', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('requires a reason before calling the API', async () => {
    const fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    await open('reject', '不予受理')
    q('[data-testid="action-confirm"]')!.click()
    await flushPromises()
    expect(fetchMock).not.toHaveBeenCalled()
    // the reason's form item is in error (its message renders through a transition the test stubs)
    expect(q('.el-form-item.is-error .el-form-item__label')?.textContent).toBe('不予受理理由')
  })

  it('posts the action with If-Match and emits the updated application', async () => {
    const calls: Request[] = []
    vi.stubGlobal('fetch', async (req: Request) => {
      calls.push(req.clone())
      return json(200, { ...detail, version: 4, state: 'rejected', state_label: '不予受理' })
    })
    const w = await open('reject', '不予受理')
    const ta = q('[data-testid="action-reason"] textarea, textarea[data-testid="action-reason"]') as HTMLTextAreaElement
    ta.value = '不属于本机关职权范围'
    ta.dispatchEvent(new Event('input'))
    await flushPromises()
    q('[data-testid="action-confirm"]')!.click()
    await flushPromises()
    expect(calls).toHaveLength(1)
    const req = calls[0]!
    expect(new URL(req.url).pathname).toBe('/api/v1/applications/a1/actions/reject')
    expect(req.headers.get('If-Match')).toBe('3')
    expect(await req.json()).toEqual({ reason: '不属于本机关职权范围' })
    expect(w.emitted('done')?.[0]?.[0]).toMatchObject({ state: 'rejected', version: 4 })
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([false])
  })

  it('asks for a reload on 412 stale_version', async () => {
    vi.stubGlobal('fetch', async () =>
      json(412, { status: 412, code: 'stale_version', message: '该办件已被他人处理，请刷新后查看最新状态', message_en: 'x', title: 'x' }, 'application/problem+json'),
    )
    const w = await open('route', '转部门办理')
    q('[data-testid="action-confirm"]')!.click()
    await flushPromises()
    expect(w.emitted('stale')).toHaveLength(1)
    expect(document.body.textContent).toContain('该办件已被他人处理')
  })

  it('shows the problem message and field messages of a 409/422 in the dialog', async () => {
    vi.stubGlobal('fetch', async () =>
      json(
        422,
        {
          status: 422,
          code: 'invalid',
          title: 'x',
          message: '提交的数据有误',
          message_en: 'x',
          errors: [{ location: 'body.materials[0].key', message: '该事项没有这项材料：m9', message_en: 'x' }],
        },
        'application/problem+json',
      ),
    )
    const w = await open('accept', '受理')
    q('[data-testid="action-confirm"]')!.click()
    await flushPromises()
    expect(q('[data-testid="action-error"]')?.textContent).toContain('提交的数据有误')
    expect(q('[data-testid="action-error"]')?.textContent).toContain('该事项没有这项材料：m9')
    expect(w.emitted('done')).toBeUndefined()
  })
})
