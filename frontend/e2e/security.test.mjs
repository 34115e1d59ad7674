// Browser tests of what issue 13 hardened in the browser, against the real server with the demo
// county (`make run`):
//   1. the built SPA works under the server's Content-Security-Policy: every page of every role
//      and the public pages load with no CSP violation (and the policy is really there);
//   2. CSRF: a page served from another origin on the same site (another port of 127.0.0.1, so
//      the SameSite=Lax session cookie is sent) posts a form and fires fetches at the admin's
//      bodyless actions; every one is refused and nothing changes;
//   3. an outage (a 503 naming the service) shows the shared notice with 重试, which loads the
//      page again once the service answers.
//   YC_E2E_BASE_URL=http://127.0.0.1:8080 YC_E2E_ACCOUNTS=/tmp/accounts.json node --test e2e/security.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { join } from 'node:path'
import { BASE_URL, SCREENSHOT_DIR, launch, tid, waitForText } from './support/browser.mjs'
import { DESKTOP, ENV_ERROR, PHONE, TIMEOUT, newContext, rand, pad, signIn } from './support/session.mjs'

const USERS = {
  admin: { phone: '13900000001', name: '王建国' },
  dept: { phone: '13900000002', name: '李秀英' },
  clerk: { phone: '13900000003', name: '张伟' },
  worker: { phone: '13900000004', name: '刘芳' },
}
const PAGES = {
  admin: ['/', '/applications', '/notifications', '/access/requests', '/access/items', '/ratings/cases', '/stats', '/ratings/indicators',
    '/access/burden', '/catalogue', '/calendar', '/settings', '/org-units', '/staff', '/workers', '/pay-schemes', '/progression', '/payroll', '/audit'],
  dept: ['/access/dispatch'],
  clerk: ['/intake'],
  worker: ['/my-record', '/access/tasks', '/intake'],
}
const PUBLIC_PAGES = ['/login', '/status/demo', '/public/demo/access-list']

let browser
before(async () => {
  if (ENV_ERROR) return
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

/** Records CSP violations of every page of the context (the event, and Chromium's console line). */
async function watchCSP(context) {
  const seen = []
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`)
    })
  })
  context.on('page', (p) => watchPage(p, seen))
  for (const p of context.pages()) watchPage(p, seen)
  return seen
}

function watchPage(page, seen) {
  page.on('console', (m) => {
    const t = m.text()
    if (/CSP violation|Content Security Policy/i.test(t)) seen.push(`${page.url()}: ${t}`)
  })
}

async function failureShot(page, name) {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `failure-security-${name}.png`), fullPage: true }).catch(() => {})
}

test('1. every page passes the Content-Security-Policy', async (t) => {
  if (ENV_ERROR) throw ENV_ERROR
  const res = await fetch(`${BASE_URL}/`)
  const csp = res.headers.get('content-security-policy') ?? ''
  assert.match(csp, /script-src 'self';/, 'the SPA is served with a CSP that allows only its own scripts')
  assert.match(csp, /frame-ancestors 'none'/)
  assert.doesNotMatch(csp, /unsafe/, 'no inline script or style is allowed')
  assert.equal(res.headers.get('x-frame-options'), 'DENY')
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
  const robots = await fetch(`${BASE_URL}/robots.txt`)
  assert.match(robots.headers.get('content-type') ?? '', /^text\/plain/)
  assert.match(await robots.text(), /^User-agent: \*/)

  let visited = 0
  for (const [who, paths] of Object.entries(PAGES)) {
    await t.test(who, async () => {
      const { context, page } = await signIn(browser, USERS[who])
      const violations = await watchCSP(context)
      try {
        for (const path of paths) {
          await page.goto(`${BASE_URL}${path}`)
          await page.locator('[data-testid^="page-"]').first().waitFor()
          await page.waitForLoadState('networkidle').catch(() => {})
          visited++
        }
        // A dialog, a popper and a message: Element Plus's inline styles at work.
        if (who === 'admin') {
          await page.goto(`${BASE_URL}/staff`)
          await page.locator(tid('page-staff')).waitFor()
          const create = page.locator('[data-testid="page-staff"] button').first()
          await create.click()
          await page.locator('.el-dialog, .el-drawer, .el-overlay').first().waitFor({ timeout: 5000 }).catch(() => {})
          await page.keyboard.press('Escape')
        }
        assert.deepEqual(violations, [], `CSP violations as ${who}`)
      } catch (e) {
        await failureShot(page, who)
        throw e
      } finally {
        await context.close()
      }
    })
  }
  await t.test('public pages on a phone', async () => {
    const context = await newContext(browser, PHONE)
    const violations = await watchCSP(context)
    const page = await context.newPage()
    try {
      for (const path of PUBLIC_PAGES) {
        await page.goto(`${BASE_URL}${path}`)
        await page.locator('[data-testid^="page-"], form, .login-page, #app > *').first().waitFor()
        await page.waitForLoadState('networkidle').catch(() => {})
        visited++
      }
      assert.deepEqual(violations, [], 'CSP violations on the public pages')
    } catch (e) {
      await failureShot(page, 'public')
      throw e
    } finally {
      await context.close()
    }
  })
  assert.ok(visited >= 26, `visited ${visited} pages`)
})

/** An "attacker" page on another port of the same host: same site, another origin. */
async function attackerServer(target) {
  const pages = {
    '/form': `<!doctype html><meta charset="utf-8"><form id="f" method="POST" action="${target}"><input name="x" value="1"></form>
      <script>document.getElementById('f').submit()</script>`,
    '/fetch': `<!doctype html><meta charset="utf-8"><script>
      const out = []
      const go = async (init) => { try { const r = await fetch(${JSON.stringify(target)}, init); out.push(r.type + ':' + r.status) } catch (e) { out.push('error:' + e.name) } }
      ;(async () => {
        await go({ method: 'POST', credentials: 'include', mode: 'no-cors' })
        await go({ method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{}' })
        await go({ method: 'POST', credentials: 'include', headers: { 'X-Requested-With': 'yichuang' } })
        window.__done = out
      })()
    </script>`,
  }
  const server = http.createServer((req, res) => {
    const body = pages[new URL(req.url, 'http://x').pathname]
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' })
    res.end(body ?? 'not found')
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return { server, origin: `http://127.0.0.1:${server.address().port}` }
}

const api = (page, method, path, body) =>
  page.evaluate(
    async ({ method, path, body }) => {
      const r = await fetch(path, {
        method,
        credentials: 'include',
        headers: { Accept: 'application/json', 'X-Requested-With': 'yichuang', ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      })
      return { status: r.status, body: await r.json().catch(() => null) }
    },
    { method, path, body },
  )

test('2. another origin of the same site cannot act with the admin\'s cookie', async () => {
  if (ENV_ERROR) throw ENV_ERROR
  assert.equal(new URL(BASE_URL).hostname, '127.0.0.1', 'the attack runs from another port of the same host')
  const { context, page } = await signIn(browser, USERS.admin)
  let attacker
  try {
    // A colleague the attack would disable.
    const me = await api(page, 'GET', '/api/v1/me')
    const phone = '15' + pad(rand(1e9), 9)
    const created = await api(page, 'POST', '/api/v1/staff', { name: '被攻击者', phone, password: 'Ceshi#2026pw', org_unit_id: me.body.org_unit.id, roles: ['department_staff'] })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const victim = created.body.identity_id
    const target = `${BASE_URL}/api/v1/staff/${victim}/disable`
    attacker = await attackerServer(target)

    // A form the attacker's page submits: the browser navigates to the app's answer.
    const evil = await context.newPage()
    const answer = evil.waitForResponse((r) => r.url() === target)
    await evil.goto(`${attacker.origin}/form`)
    const res = await answer
    assert.equal(res.status(), 403, 'the cross-origin form post is refused')
    assert.equal((await res.json()).code, 'cross_origin_refused')

    // Fetches from the attacker's page: opaque no-cors posts reach the server and are refused;
    // one that sets the app's header is stopped by the browser (no CORS preflight is granted).
    await evil.goto(`${attacker.origin}/fetch`)
    const results = await evil.waitForFunction(() => window.__done, null, { timeout: TIMEOUT }).then((h) => h.jsonValue())
    assert.deepEqual(results.slice(0, 2), ['opaque:0', 'opaque:0'])
    assert.equal(results[2], 'error:TypeError')

    // Nothing changed: the colleague is still active.
    const after = await api(page, 'GET', `/api/v1/staff/${victim}`)
    assert.equal(after.body.status, 'active', 'the account was not disabled by another origin')
    // The app's own page, with the same cookie, still works.
    const own = await api(page, 'POST', `/api/v1/staff/${victim}/disable`)
    assert.equal(own.status, 200, JSON.stringify(own.body))
    assert.equal(own.body.status, 'disabled')
  } catch (e) {
    await failureShot(page, 'csrf')
    throw e
  } finally {
    attacker?.server.close()
    await context.close()
  }
})

test('3. an outage is named and 重试 loads the page again', async () => {
  if (ENV_ERROR) throw ENV_ERROR
  const { context, page } = await signIn(browser, USERS.admin, DESKTOP)
  try {
    const down = {
      status: 503, title: 'Service Unavailable', code: 'database_unavailable',
      message: '数据库（PostgreSQL）暂不可用，请稍后重试', message_en: 'the database (PostgreSQL) is unavailable; try again later',
    }
    // The database "goes down" for the worklist: the server's own 503 answer, as the page gets it.
    const worklist = (u) => new URL(u).pathname === '/api/v1/applications'
    await page.route(worklist, (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify(down) }))
    await page.goto(`${BASE_URL}/applications`)
    const banner = page.locator(tid('outage-banner'))
    await banner.waitFor()
    await waitForText(banner, '数据库（PostgreSQL）暂不可用', TIMEOUT)
    assert.equal(await banner.getAttribute('data-code'), 'database_unavailable')
    assert.equal(await banner.getAttribute('role'), 'alert')
    // It is back: 重试 loads the list again and the notice goes.
    await page.unroute(worklist)
    const reloaded = page.waitForResponse((r) => worklist(r.url()) && r.status() === 200)
    await page.locator(tid('outage-retry')).click()
    await reloaded
    await banner.waitFor({ state: 'detached' })
    await page.locator(tid('page-applications')).waitFor()
  } catch (e) {
    await failureShot(page, 'outage')
    throw e
  } finally {
    await context.close()
  }
})
