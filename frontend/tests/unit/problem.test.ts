import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, errorMessage, problemFieldErrors, problemMessage, retryAfterSeconds } from '@/api/problem'
import { api, call, setApiHandlers } from '@/api/client'

const conflict = {
  status: 409,
  title: 'Conflict',
  code: 'phone_taken',
  message: '该手机号已被使用',
  message_en: 'phone number already in use',
  request_id: 'req-1',
  errors: [
    { location: 'body.phone', message: '手机号已被其他账号使用', message_en: 'taken', value: '13900000001' },
    { location: 'body.roles[1]', message: '角色无效', message_en: 'invalid role' },
    { location: 'body.roles[2]', message: '角色重复', message_en: 'duplicate role' },
    { location: 'query.limit', message: '超出范围', message_en: 'out of range' },
  ],
}

describe('problemMessage', () => {
  it('uses the Chinese message of a problem document', () => {
    expect(problemMessage(409, conflict)).toBe('该手机号已被使用')
  })

  it('names the service that is down on 503, else says the service is unavailable', () => {
    expect(problemMessage(503, { ...conflict, status: 503, message: 'db down' })).toBe('服务暂不可用，请稍后重试')
    expect(problemMessage(503, null)).toBe('服务暂不可用，请稍后重试')
    const minio = { status: 503, title: 'Service Unavailable', code: 'storage_unavailable', message: '文件存储服务（MinIO）暂不可用，请稍后重试', message_en: 'file storage (MinIO) is unavailable' }
    expect(problemMessage(503, minio)).toBe('文件存储服务（MinIO）暂不可用，请稍后重试')
    expect(problemMessage(503, { ...minio, message: 'storage down' })).toBe('服务暂不可用，请稍后重试')
  })

  it('falls back by status when the body is not a problem', () => {
    expect(problemMessage(403, '<html>')).toBe('没有权限执行此操作')
    expect(problemMessage(500, null)).toBe('服务器出错（500），请稍后重试')
    expect(problemMessage(418, null)).toBe('请求失败（418）')
    expect(problemMessage(0, null)).toBe('网络连接失败，请检查网络后重试')
  })
})

describe('problemFieldErrors', () => {
  it('maps body.<field> locations to form fields and drops non-body ones', () => {
    expect(problemFieldErrors(conflict)).toEqual({ phone: '手机号已被其他账号使用', roles: '角色无效；角色重复' })
  })

  it('falls back to message_en and ignores junk', () => {
    expect(
      problemFieldErrors({ status: 422, message: 'x', errors: [{ location: 'body.name', message: '', message_en: 'required' }, null, { location: 7 }] }),
    ).toEqual({ name: 'required' })
    expect(problemFieldErrors(null)).toEqual({})
    expect(problemFieldErrors({ status: 400, message: 'x' })).toEqual({})
  })
})

describe('call() with the generated client', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('returns typed data on 200', async () => {
    const fetchMock = vi.fn(async (_req: Request) =>
      new Response(JSON.stringify({ items: [], next_cursor: '' }), { status: 200, headers: { 'Content-Type': 'application/json' } }),
    )
    vi.stubGlobal('fetch', fetchMock)
    const res = await call(api.GET('/api/v1/staff', { params: { query: { limit: 5, cursor: 'abc' } } }))
    expect(res.next_cursor).toBe('')
    const req = fetchMock.mock.calls[0]![0]
    expect(new URL(req.url).pathname).toBe('/api/v1/staff')
    expect(new URL(req.url).search).toBe('?limit=5&cursor=abc')
  })

  it('throws an ApiError carrying the Chinese message and field errors of a problem+json', async () => {
    vi.stubGlobal('fetch', async () =>
      new Response(JSON.stringify(conflict), { status: 409, headers: { 'Content-Type': 'application/problem+json' } }),
    )
    const err = await call(
      api.POST('/api/v1/staff', {
        body: { name: '测试', phone: '13900000001', password: 'Yichuang@2026x', org_unit_id: 'x', roles: ['township_clerk'], scope: 'self' },
      }),
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    const e = err as ApiError
    expect(e.status).toBe(409)
    expect(e.message).toBe('该手机号已被使用')
    expect(e.fieldErrors.phone).toBe('手机号已被其他账号使用')
    expect(e.requestId).toBe('req-1')
    expect(errorMessage(e)).toBe('该手机号已被使用')
  })

  it('carries the Retry-After of a 429 (the public status throttle says how long to wait)', async () => {
    const body = { status: 429, code: 'too_many_tries', message: '该受理编号的查询错误次数过多，请 12 分钟后再试', message_en: 'try again in 12 minutes' }
    vi.stubGlobal('fetch', async () =>
      new Response(JSON.stringify(body), { status: 429, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '700' } }),
    )
    const e = (await call(
      api.POST('/api/v1/public/{county}/status/lookup', { params: { path: { county: 'x' } }, body: { receipt_no: '1234567', phone_last4: '0000' } }),
    ).catch((e: unknown) => e)) as ApiError
    expect(e.status).toBe(429)
    expect(e.retryAfter).toBe(700)
    expect(e.message).toBe('该受理编号的查询错误次数过多，请 12 分钟后再试')
    expect(new ApiError(409, conflict).retryAfter).toBeNull()
  })

  it('turns a network failure into ApiError(0)', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    const err = (await call(api.GET('/api/v1/org-units')).catch((e: unknown) => e)) as ApiError
    expect(err.status).toBe(0)
    expect(err.message).toBe('网络连接失败，请检查网络后重试')
  })

  it('calls the unauthorized handler on a 401 except from /me', async () => {
    const unauthorized = vi.fn()
    setApiHandlers({ unauthorized })
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ status: 401, message: '请先登录' }), { status: 401 }))
    await call(api.GET('/api/v1/me')).catch(() => undefined)
    expect(unauthorized).not.toHaveBeenCalled()
    await call(api.GET('/api/v1/staff')).catch(() => undefined)
    expect(unauthorized).toHaveBeenCalledTimes(1)
  })
})

describe('retryAfterSeconds', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterSeconds('900')).toBe(900)
    expect(retryAfterSeconds(' 5 ')).toBe(5)
    const now = Date.parse('2026-12-05T06:00:00Z')
    expect(retryAfterSeconds('Sat, 05 Dec 2026 06:01:30 GMT', now)).toBe(90)
    expect(retryAfterSeconds('Sat, 05 Dec 2026 05:59:00 GMT', now)).toBe(0)
    expect(retryAfterSeconds(null)).toBeNull()
    expect(retryAfterSeconds('')).toBeNull()
    expect(retryAfterSeconds('soon')).toBeNull()
  })
})
