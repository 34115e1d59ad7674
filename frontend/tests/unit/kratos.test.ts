import { describe, expect, it, vi } from 'vitest'
import { signOutReason } from '@/api/client'
import {
  FAILURES_LEFT_HEADER,
  FLOW_EXPIRED_IDS,
  createLoginFlow,
  lockoutWarning,
  csrfToken,
  flowErrors,
  kratosMessageToChinese,
  submitLogin,
  type LoginFlow,
} from '@/auth/kratos'

function flow(extra: Partial<LoginFlow['ui']> = {}, id = 'flow-1'): LoginFlow {
  return {
    id,
    ui: {
      action: 'http://127.0.0.1:8080/.ory/kratos/public/self-service/login?flow=' + id,
      method: 'POST',
      nodes: [
        { type: 'input', group: 'default', attributes: { name: 'csrf_token', type: 'hidden', value: 'tok-123' }, messages: [] },
        { type: 'input', group: 'default', attributes: { name: 'identifier', type: 'text', value: '' }, messages: [] },
        { type: 'input', group: 'password', attributes: { name: 'password', type: 'password' }, messages: [] },
        { type: 'input', group: 'password', attributes: { name: 'method', type: 'submit', value: 'password' }, messages: [{ id: 1010001, text: 'Sign in', type: 'info' }] },
      ],
      ...extra,
    },
  }
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('kratosMessageToChinese', () => {
  it.each([
    [4000006, '手机号或密码错误'],
    [4000002, '请填写此项'],
    [4010001, '登录已过期，请重新登录'],
    [4010003, '登录已过期，请重新登录'],
    [4000005, '密码不符合安全要求'],
    [4000007, '该手机号已存在账号'],
    [4000001, '输入有误，请检查后重试'],
  ])('maps %i to %s', (id, zh) => {
    expect(kratosMessageToChinese({ id, text: 'english text' })).toBe(zh)
  })

  it('prefixes unknown error ids with 登录失败： and keeps the English text', () => {
    expect(kratosMessageToChinese({ id: 4999999, text: 'Something odd happened.' })).toBe('登录失败：Something odd happened.')
  })

  it('treats 4010001 as a dead flow', () => {
    expect(FLOW_EXPIRED_IDS.has(4010001)).toBe(true)
    expect(FLOW_EXPIRED_IDS.has(4000006)).toBe(false)
  })
})

describe('flow parsing', () => {
  it('finds the CSRF token node', () => {
    expect(csrfToken(flow())).toBe('tok-123')
    expect(csrfToken({ id: 'x', ui: { nodes: [] } })).toBe('')
  })

  it('splits form messages from field messages and ignores info messages', () => {
    const f = flow({ messages: [{ id: 4000006, text: 'The provided credentials are invalid', type: 'error' }] })
    f.ui.nodes[2]!.messages = [{ id: 4000002, text: 'Property password is missing.', type: 'error' }]
    const e = flowErrors(f)
    expect(e.form).toEqual(['手机号或密码错误'])
    expect(e.fields.password).toBe('请填写此项')
    expect(e.fields.identifier).toBeUndefined()
    expect(e.expired).toBe(false)
  })

  it('flags an expired flow from its message id', () => {
    const e = flowErrors(flow({ messages: [{ id: 4010001, text: 'The login flow expired 1m ago', type: 'error' }] }))
    expect(e.expired).toBe(true)
    expect(e.form).toEqual(['登录已过期，请重新登录'])
  })
})

describe('createLoginFlow', () => {
  it('GETs the browser flow as JSON with credentials', async () => {
    const f = vi.fn(async () => jsonResponse(200, flow()))
    const res = await createLoginFlow(f as unknown as typeof fetch)
    expect(res.kind).toBe('flow')
    const [url, init] = f.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/.ory/kratos/public/self-service/login/browser')
    expect(init.credentials).toBe('include')
    expect((init.headers as Record<string, string>).Accept).toBe('application/json')
  })

  it('reports an existing session', async () => {
    const f = async () => jsonResponse(400, { error: { id: 'session_already_available', code: 400 } })
    expect((await createLoginFlow(f as typeof fetch)).kind).toBe('signed_in')
  })

  it('reports a network failure in Chinese', async () => {
    const f = async () => {
      throw new TypeError('Failed to fetch')
    }
    const res = await createLoginFlow(f as typeof fetch)
    expect(res).toEqual({ kind: 'error', message: '网络连接失败，请检查网络后重试' })
  })
})

describe('submitLogin', () => {
  it('POSTs method/identifier/password/csrf_token as JSON to the flow', async () => {
    const f = vi.fn(async () => jsonResponse(200, { session: { id: 's' } }))
    const res = await submitLogin(flow(), '13900000001', 'secret-pass', f as unknown as typeof fetch)
    expect(res.kind).toBe('ok')
    const [url, init] = f.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/.ory/kratos/public/self-service/login?flow=flow-1')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('include')
    expect(init.headers).toMatchObject({ Accept: 'application/json', 'Content-Type': 'application/json' })
    expect(JSON.parse(init.body as string)).toEqual({
      method: 'password',
      identifier: '13900000001',
      password: 'secret-pass',
      csrf_token: 'tok-123',
    })
  })

  it('returns the Chinese invalid-credentials message and the new flow on 400', async () => {
    const again = flow({ messages: [{ id: 4000006, text: 'The provided credentials are invalid', type: 'error' }] }, 'flow-1')
    const res = await submitLogin(flow(), '13900000001', 'wrong', (async () => jsonResponse(400, again)) as typeof fetch)
    expect(res.kind).toBe('invalid')
    if (res.kind !== 'invalid') return
    expect(res.errors.form).toContain('手机号或密码错误')
    expect(res.flow).toEqual(again)
  })

  it.each([
    [410, { error: { id: 'self_service_flow_expired' } }],
    [403, { error: { id: 'security_csrf_violation' } }],
  ])('asks for a new flow on %i', async (status, body) => {
    const res = await submitLogin(flow(), '13900000001', 'x', (async () => jsonResponse(status, body)) as typeof fetch)
    expect(res.kind).toBe('expired')
    if (res.kind === 'expired') expect(res.message).toContain('登录已过期，请重新登录')
  })

  it('asks for a new flow when a 400 flow carries 4010001', async () => {
    const dead = flow({ messages: [{ id: 4010001, text: 'expired', type: 'error' }] })
    const res = await submitLogin(flow(), '13900000001', 'x', (async () => jsonResponse(400, dead)) as typeof fetch)
    expect(res.kind).toBe('expired')
  })

  it('says the auth service is down on 502', async () => {
    const res = await submitLogin(flow(), '13900000001', 'x', (async () => new Response('bad gateway', { status: 502 })) as typeof fetch)
    expect(res).toEqual({ kind: 'error', message: '认证服务暂不可用，请稍后重试' })
  })
})

describe('sign-in guard answers', () => {
  it('shows the lockout message of a 429 from the app', async () => {
    const f = vi.fn(async () =>
      jsonResponse(429, { status: 429, code: 'account_locked', message: '该账号连续 5 次登录失败，已锁定 15 分钟，请于 10:15 后再试' }),
    )
    const res = await submitLogin(flow(), '13900000001', 'x', f as unknown as typeof fetch)
    expect(res).toEqual({ kind: 'refused', message: '该账号连续 5 次登录失败，已锁定 15 分钟，请于 10:15 后再试' })
  })

  it('reads how many failures are left and warns when the lockout is near', async () => {
    const body = flow({ messages: [{ id: 4000006, text: 'The provided credentials are invalid.', type: 'error' }] })
    const f = vi.fn(async () => {
      const r = jsonResponse(400, body)
      r.headers.set(FAILURES_LEFT_HEADER, '2')
      return r
    })
    const res = await submitLogin(flow(), '13900000001', 'x', f as unknown as typeof fetch)
    expect(res.kind).toBe('invalid')
    expect(res.kind === 'invalid' && res.failuresLeft).toBe(2)
    expect(lockoutWarning(2)).toBe('再输错 2 次，账号将被锁定')
    expect(lockoutWarning(4)).toBe('')
    expect(lockoutWarning(undefined)).toBe('')
  })
})

describe('超时自动退出', () => {
  it('tells an idle sign-out from any other 401', async () => {
    expect(await signOutReason(jsonResponse(401, { code: 'session_idle', message: '超过 30 分钟未操作，已自动退出，请重新登录' }))).toBe('idle')
    expect(await signOutReason(jsonResponse(401, { code: 'unauthenticated', message: '请先登录' }))).toBeUndefined()
    expect(await signOutReason(new Response('not json', { status: 401 }))).toBeUndefined()
  })
})
