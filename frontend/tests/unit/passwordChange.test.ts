import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, call, setApiHandlers } from '@/api/client'

// Issue 15, item 4: after a county admin's reset, every operation but me, logout and the
// password change answers 403 password_change_required, and the app goes to 账号安全.

afterEach(() => vi.unstubAllGlobals())

function problem(status: number, code: string) {
  return new Response(JSON.stringify({ status, code, message: '管理员已重置您的密码，请先修改密码' }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  })
}

describe('password_change_required', () => {
  it('sends the user to the change-password page on that 403, and only on that one', async () => {
    const required = vi.fn()
    const unauthorized = vi.fn()
    setApiHandlers({ unauthorized, passwordChangeRequired: required })

    vi.stubGlobal('fetch', vi.fn(async () => problem(403, 'password_change_required')))
    await expect(call(api.GET('/api/v1/notifications'))).rejects.toMatchObject({ status: 403, code: 'password_change_required' })
    expect(required).toHaveBeenCalledTimes(1)

    vi.stubGlobal('fetch', vi.fn(async () => problem(403, 'forbidden')))
    await expect(call(api.GET('/api/v1/notifications'))).rejects.toMatchObject({ status: 403, code: 'forbidden' })
    expect(required).toHaveBeenCalledTimes(1)
    expect(unauthorized).not.toHaveBeenCalled()
  })
})
