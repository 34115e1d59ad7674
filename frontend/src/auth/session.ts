// A tiny store for the signed-in actor: GET /api/v1/me once, shared by the guard and the pages.
import { reactive, readonly } from 'vue'
import { api, call } from '@/api/client'
import { ApiError } from '@/api/problem'
import type { Me } from '@/api/types'

const state = reactive<{ me: Me | null; loaded: boolean }>({ me: null, loaded: false })
let pending: Promise<Me | null> | null = null

export const session = readonly(state)

/**
 * The actor, or null when signed out (401). Cached after the first answer; `force` refetches.
 * Other failures (503, network) are thrown so the caller can say so instead of pretending the
 * user is signed out.
 */
export function loadMe(force = false): Promise<Me | null> {
  if (!force && state.loaded) return Promise.resolve(state.me)
  if (!force && pending) return pending
  const p: Promise<Me | null> = (async (): Promise<Me | null> => {
    try {
      const me = await call(api.GET('/api/v1/me'))
      state.me = me
      state.loaded = true
      return me
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        state.me = null
        state.loaded = true
        return null
      }
      throw e
    }
  })()
  pending = p
  const clear = () => {
    if (pending === p) pending = null
  }
  p.then(clear, clear)
  return p
}

/** Forget the actor (after logout or a 401). */
export function clearSession(): void {
  state.me = null
  state.loaded = true
  pending = null
}

export async function logout(): Promise<void> {
  try {
    await call(api.POST('/api/v1/auth/logout'))
  } finally {
    clearSession()
  }
}
