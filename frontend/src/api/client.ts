import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'
import { ApiError } from './problem'
import { reportOutage } from './outage'

export const api = createClient<paths>({
  baseUrl: '',
  credentials: 'include',
  // looked up per call (not captured once) so tests can stub globalThis.fetch
  fetch: (request: Request) => globalThis.fetch(request),
})

/** Why a session ended: 'idle' when the server signed it out after the county's idle period. */
export type SignOutReason = 'idle' | undefined

let onUnauthorized: ((reason: SignOutReason) => void) | null = null
let onUnavailable: (() => void) | null = null
let onPasswordChangeRequired: (() => void) | null = null

/**
 * Wired by main.ts: a 401 from any call but /me (whose 401 just means "signed out") → /login;
 * a 403 password_change_required (an admin reset the password) → the change-password page.
 */
export function setApiHandlers(h: {
  unauthorized: (reason: SignOutReason) => void
  unavailable?: () => void
  passwordChangeRequired?: () => void
}): void {
  onUnauthorized = h.unauthorized
  onUnavailable = h.unavailable ?? null
  onPasswordChangeRequired = h.passwordChangeRequired ?? null
}

/** The problem code the API answers every operation with while a one-time password is in use. */
export const PASSWORD_CHANGE_REQUIRED = 'password_change_required'

async function problemCode(response: Response): Promise<unknown> {
  try {
    const body = (await response.clone().json()) as { code?: unknown } | null
    return body?.code
  } catch {
    return undefined
  }
}

/**
 * Sent with every API call: the server refuses a state-changing request that rides on the
 * session cookie without it, and a page of another origin cannot add it (see api/server/csrf.go).
 */
export const CSRF_HEADER = 'X-Requested-With'
export const CSRF_VALUE = 'yichuang'

const csrfHeader: Middleware = {
  onRequest({ request }) {
    request.headers.set(CSRF_HEADER, CSRF_VALUE)
    return request
  },
}
api.use(csrfHeader)

/** The reason a 401 gives: the code session_idle means 超时自动退出. */
export async function signOutReason(response: Response): Promise<SignOutReason> {
  try {
    const body = (await response.clone().json()) as { code?: unknown } | null
    return body?.code === 'session_idle' ? 'idle' : undefined
  } catch {
    return undefined
  }
}

const statusHooks: Middleware = {
  async onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url, location.href).pathname.endsWith('/api/v1/me')) {
      onUnauthorized?.(await signOutReason(response))
    } else if (response.status === 403 && (await problemCode(response)) === PASSWORD_CHANGE_REQUIRED) {
      onPasswordChangeRequired?.()
    } else if (response.status === 503) {
      reportOutage(await response.clone().json().catch(() => null))
      onUnavailable?.()
    }
    return undefined
  },
}
api.use(statusHooks)

type Result<D> = { data?: D; error?: unknown; response: Response }

/** Awaits an openapi-fetch call and returns its data, or throws an ApiError in Chinese. */
export async function call<D>(request: Promise<Result<D>>): Promise<D> {
  let res: Result<D>
  try {
    res = await request
  } catch (e) {
    if (e instanceof ApiError) throw e
    throw new ApiError(0, null) // network failure / aborted
  }
  if (!res.response.ok) throw new ApiError(res.response.status, res.error, res.response.headers.get('Retry-After'))
  return res.data as D
}

/**
 * Awaits a file download (an openapi-fetch call with parseAs: 'blob') and returns the blob with
 * the file name of its Content-Disposition; throws an ApiError like call().
 */
export async function callFile(
  request: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<{ blob: Blob; disposition: string | null }> {
  let res: { data?: unknown; error?: unknown; response: Response }
  try {
    res = await request
  } catch (e) {
    if (e instanceof ApiError) throw e
    throw new ApiError(0, null)
  }
  if (!res.response.ok) throw new ApiError(res.response.status, res.error)
  const blob = res.data instanceof Blob ? res.data : new Blob([])
  return { blob, disposition: res.response.headers.get('Content-Disposition') }
}
