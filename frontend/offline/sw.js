// The service worker: the app opens and takes proxy intakes on a phone without a link.
// Hand-written and small on purpose (no Workbox): the build (offline/plugin.ts) puts the list
// of files to keep and a version in place of the two placeholders below and emits it as
// /sw.js, which the server sends with Cache-Control: no-cache so a new release is seen at once.
//
// What it keeps, and why no more (residents' personal data must not linger on a phone):
//   * the app shell (index.html) and the hashed build files — code, no data;
//   * the catalogue the worker last saw: GET /api/v1/items (lists) and /api/v1/items/{id}
//     (an item's materials), network first, the copy when there is no answer — public
//     information of the county;
//   * the worker's own GET /api/v1/me (name, roles, unit) so the signed-in shell still opens
//     offline — the device owner's data, dropped at sign-out and on a 401.
// Every other API answer (worklists, applications, applicants, notices, workers' records) goes
// to the network only and is never stored: offline those pages say 离线，无法加载. The queue of
// intakes waiting to be sent is the app's, in IndexedDB (src/features/offline/queue.ts).
/* eslint-disable no-restricted-globals */
const VERSION = '__YC_VERSION__'
const PRECACHE = /* __YC_PRECACHE__ */ []
const SHELL = 'yc-shell-' + VERSION
const ASSETS = 'yc-assets'
const DATA = 'yc-data'
/** How long a navigation or a catalogue call waits for the network on a weak link before the copy answers. */
const NETWORK_WAIT_MS = 6000

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL)
      await shell.add(new Request('/', { cache: 'reload' }))
      const assets = await caches.open(ASSETS)
      const have = new Set((await assets.keys()).map((r) => new URL(r.url).pathname))
      // Hashed names never change content: only what is not kept yet is downloaded.
      await assets.addAll(PRECACHE.filter((p) => !have.has(p)))
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('yc-shell-') && name !== SHELL) await caches.delete(name)
      }
      // Files of former releases go (and pages this release does not keep; they come back
      // from the network when opened online), so the cache stays the size of one release.
      const keep = new Set(PRECACHE)
      const assets = await caches.open(ASSETS)
      for (const req of await assets.keys()) {
        if (!keep.has(new URL(req.url).pathname)) await assets.delete(req)
      }
      await self.clients.claim()
    })(),
  )
})

/** The answer of `fetch(req)`, or the copy in `cacheName` if the network fails or is slow. */
async function networkFirst(event, req, cacheName, fallback) {
  const cache = await caches.open(cacheName)
  const network = fetch(req).then(async (res) => {
    if (res.ok) await cache.put(fallback ?? req, res.clone())
    else if (res.status === 401) await caches.delete(DATA) // signed out: the worker's copies go
    return res
  })
  // The network's answer keeps being awaited (and stored) after a timeout hands over the copy.
  event.waitUntil(network.catch(() => undefined))
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS, null))
  try {
    const first = await Promise.race([network, timeout])
    if (first) return first
  } catch {
    // no answer: the copy below
  }
  const copy = await cache.match(fallback ?? req)
  if (copy) return copy
  // Neither: a network error, as without a worker (the page says 离线, not that the server is down).
  return network.catch(() => Response.error())
}

async function cacheFirst(req) {
  const cache = await caches.open(ASSETS)
  const hit = await cache.match(req)
  if (hit) return hit
  const res = await fetch(req)
  if (res.ok) await cache.put(req, res.clone())
  return res
}

const CATALOGUE = /^\/api\/v1\/items(\/[0-9a-f-]{36})?$/
const NOT_THE_APP = /^\/(api|\.ory|docs|healthz|readyz|robots\.txt)(\/|$)/

self.addEventListener('fetch', (event) => {
  const req = event.request
  const url = new URL(req.url)
  if (url.origin !== self.location.origin) return
  if (req.method !== 'GET') {
    // Signing out: the worker's copies go with the session (the request itself goes on).
    if (req.method === 'POST' && url.pathname === '/api/v1/auth/logout') event.waitUntil(caches.delete(DATA))
    return
  }
  if (req.mode === 'navigate') {
    if (NOT_THE_APP.test(url.pathname)) return
    // Every route of the app is index.html; the copy of '/' answers when the link does not.
    event.respondWith(networkFirst(event, req, SHELL, '/'))
    return
  }
  if (url.pathname.startsWith('/assets/') || PRECACHE.includes(url.pathname)) {
    event.respondWith(cacheFirst(req))
    return
  }
  if (CATALOGUE.test(url.pathname) || url.pathname === '/api/v1/me') {
    event.respondWith(networkFirst(event, req, DATA))
  }
  // Anything else: the network only, never stored.
})
