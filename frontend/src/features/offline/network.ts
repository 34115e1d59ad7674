// Whether the browser has a link (navigator.onLine and its online/offline events), as a
// reactive value the pages read: lists say 离线 instead of 没有办件, the banner shows, the
// outbox sends when it comes back. onLine true only means "some network": a dead village
// link still fails the requests, which the outbox then retries with backoff.
import { reactive } from 'vue'

export const network = reactive({ online: typeof navigator === 'undefined' ? true : navigator.onLine })

let installed = false
const listeners = new Set<() => void>()

/** Calls `fn` each time the link comes back. Returns the function that stops it. */
export function onReconnect(fn: () => void): () => void {
  installNetworkWatch()
  listeners.add(fn)
  return () => listeners.delete(fn)
}

export function installNetworkWatch(target: Pick<Window, 'addEventListener'> = window): void {
  if (installed) return
  installed = true
  target.addEventListener('online', () => {
    network.online = true
    for (const fn of listeners) fn()
  })
  target.addEventListener('offline', () => {
    network.online = false
  })
}

/** The text a list shows when it has nothing to show: offline it says why. */
export function emptyText(online: boolean, whenOnline: string): string {
  return online ? whenOnline : '离线，无法加载'
}

/** The note over a list that still shows what it loaded before the link went. */
export const STALE_NOTE = '离线：显示的是上次同步的内容'
