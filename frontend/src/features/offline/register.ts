// Registers the service worker (offline/sw.js, emitted as /sw.js by the build) — production
// builds only (main.ts): under `vite` dev there is no /sw.js and a worker would serve stale
// modules. It waits for the first signed-in page, the load event and an idle moment, so
// keeping the app's files for offline use never competes with the first screen on a slow
// link, and the public pages (a resident's status page) never install it.
import type { Router } from 'vue-router'

export function registerServiceWorkerAfterSignIn(router: Router): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return
  const stop = router.afterEach((to) => {
    if (to.meta.public) return
    stop()
    const go = () => {
      // The worker's /me was read before any service worker was in control, so none kept it:
      // once one takes over, it is read again through it, and the app opens offline too.
      if (!navigator.serviceWorker.controller) {
        navigator.serviceWorker.addEventListener('controllerchange', () => void refetchMe(), { once: true })
      }
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
        // Not installable here (private mode, policy): the app works online as before.
      })
    }
    const idle = () => ('requestIdleCallback' in window ? window.requestIdleCallback(go, { timeout: 5000 }) : setTimeout(go, 1000))
    if (document.readyState === 'complete') idle()
    else window.addEventListener('load', idle, { once: true })
  })
}

function refetchMe(): Promise<unknown> {
  // Not the worker's doing: it does not count as activity for the idle timeout.
  return fetch('/api/v1/me', { credentials: 'include', headers: { Accept: 'application/json', 'X-Background-Request': '1' } }).catch(() => undefined)
}
