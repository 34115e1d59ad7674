// A dependency the server says is down (a 503 problem such as storage_unavailable or
// database_unavailable): one shared notice that names it and offers a retry, whichever page
// made the call. It stays until the user retries or dismisses it, or leaves the page.
import { reactive } from 'vue'
import { SERVICE_UNAVAILABLE, isProblem } from './problem'

export interface Outage {
  /** The problem's code, e.g. storage_unavailable; '' when the body named nothing. */
  code: string
  /** What the user reads: the server's Chinese message, or the generic one. */
  message: string
}

export const outage = reactive<{ current: Outage | null; retries: number }>({ current: null, retries: 0 })

/** The Chinese message of a 503 body: the server's own when it names the service, else the generic one. */
export function outageMessage(body: unknown): Outage {
  if (isProblem(body) && typeof body.code === 'string' && /_unavailable$/.test(body.code) && /[\u4e00-\u9fff]/.test(body.message)) {
    return { code: body.code, message: body.message }
  }
  return { code: isProblem(body) && typeof body.code === 'string' ? body.code : '', message: SERVICE_UNAVAILABLE }
}

export function reportOutage(body: unknown): void {
  outage.current = outageMessage(body)
}

export function clearOutage(): void {
  outage.current = null
}

/** The user asked to try again: the page's view is mounted afresh and loads its data again. */
export function retryAfterOutage(): void {
  outage.current = null
  outage.retries++
}
