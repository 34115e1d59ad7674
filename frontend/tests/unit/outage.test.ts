import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { api, call } from '@/api/client'
import { clearOutage, outage, outageMessage } from '@/api/outage'
import OutageBanner from '@/components/OutageBanner.vue'

const minio = { status: 503, title: 'Service Unavailable', code: 'storage_unavailable', message: '文件存储服务（MinIO）暂不可用，请稍后重试', message_en: 'file storage (MinIO) is unavailable; try again later' }
const pg = { status: 503, title: 'Service Unavailable', code: 'database_unavailable', message: '数据库（PostgreSQL）暂不可用，请稍后重试', message_en: 'the database (PostgreSQL) is unavailable' }

afterEach(() => {
  vi.unstubAllGlobals()
  clearOutage()
})

describe('outage', () => {
  it('names the service the server says is down, else says the service is unavailable', () => {
    expect(outageMessage(minio)).toEqual({ code: 'storage_unavailable', message: minio.message })
    expect(outageMessage(pg).message).toContain('PostgreSQL')
    expect(outageMessage(null).message).toBe('服务暂不可用，请稍后重试')
    expect(outageMessage({ ...minio, message: 'down' }).message).toBe('服务暂不可用，请稍后重试')
  })

  it('a 503 from any API call shows the shared notice with a retry, which reloads the page', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(pg), { status: 503, headers: { 'Content-Type': 'application/problem+json' } })))
    await expect(call(api.GET('/api/v1/me'))).rejects.toMatchObject({ status: 503, message: pg.message, code: 'database_unavailable' })
    expect(outage.current?.code).toBe('database_unavailable')

    const w = mount(OutageBanner, { global: { plugins: [ElementPlus] } })
    expect(w.get('[data-testid="outage-banner"]').text()).toContain('数据库（PostgreSQL）暂不可用')
    const before = outage.retries
    await w.get('[data-testid="outage-retry"]').trigger('click')
    expect(outage.retries).toBe(before + 1)
    expect(outage.current).toBeNull()
    expect(w.find('[data-testid="outage-banner"]').exists()).toBe(false)
  })

  it('every API call carries the header that proves it comes from the app', async () => {
    const seen: Request[] = []
    vi.stubGlobal('fetch', vi.fn(async (r: Request) => {
      seen.push(r)
      return new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } })
    }))
    await call(api.POST('/api/v1/audit-checks'))
    await call(api.GET('/api/v1/me'))
    expect(seen.map((r) => r.headers.get('X-Requested-With'))).toEqual(['yichuang', 'yichuang'])
  })
})
