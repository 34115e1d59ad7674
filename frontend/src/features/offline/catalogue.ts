// Keeps the catalogue a community worker last saw for offline intake: once the intake page has
// the list of items online, each item's detail (its materials and limits) is asked for too, one
// at a time and only while the page is idle, so the service worker stores the answers
// (offline/sw.js keeps /api/v1/items and /api/v1/items/{id}, nothing personal). Only when a
// service worker controls the page: without one nothing would be kept.
const seen = new Set<string>()

export function prefetchItemDetails(ids: readonly string[], sw: { controller: unknown } | undefined = globalThis.navigator?.serviceWorker): void {
  if (!sw?.controller) return
  const todo = ids.filter((id) => !seen.has(id))
  for (const id of todo) seen.add(id)
  const next = () => {
    const id = todo.shift()
    if (!id || !navigator.onLine) return
    fetch(`/api/v1/items/${encodeURIComponent(id)}`, {
      credentials: 'include',
      // Not the worker's doing: it does not keep the session alive (api/server/auth.go).
      headers: { Accept: 'application/json', 'X-Background-Request': '1' },
    })
      .catch(() => undefined)
      .finally(() => idle(next))
  }
  idle(next)
}

function idle(fn: () => void) {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: 2000 })
  else setTimeout(fn, 200)
}
