// The unread count of the notification bell: GET /api/v1/notifications?limit=1 every 60 s and
// whenever the layout asks (route changes, after marking read). Shared by the layout and the
// notification centre.
import { ref } from 'vue'
import { api, call } from '@/api/client'

/** Marks a request the user did not make (api/server BackgroundHeader). */
export const BACKGROUND_HEADER = 'X-Background-Request'

export const POLL_MS = 60_000

export const unread = ref(0)
let inflight: Promise<void> | null = null

/** Refreshes the count; failures are silent (the bell is no place for an error toast). */
export function refreshUnread(): Promise<void> {
  if (inflight) return inflight
  inflight = (async () => {
    try {
      // A background request: checked for the idle timeout, but it does not keep the session alive.
      const res = await call(api.GET('/api/v1/notifications', { params: { query: { limit: 1 } }, headers: { [BACKGROUND_HEADER]: '1' } }))
      const n = Number(res?.unread)
      unread.value = Number.isFinite(n) && n > 0 ? Math.floor(n) : 0
    } catch {
      // keep the last count
    } finally {
      inflight = null
    }
  })()
  return inflight
}

export function setUnread(n: number): void {
  unread.value = Math.max(0, Math.floor(n))
}

/** Starts polling; returns the function that stops it. */
export function startUnreadPolling(intervalMs = POLL_MS): () => void {
  void refreshUnread()
  const t = setInterval(() => {
    if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void refreshUnread()
  }, intervalMs)
  return () => clearInterval(t)
}
