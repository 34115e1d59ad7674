// Browser test of issue 15 item 10 (everyone can use it, GB/T 37668-2019 = WCAG 2.1 AA) and the
// rest of item 7 (no English in the Chinese UI): every page — the public ones (sign-in, the
// access list, the status lookup, a status result with its rating form) and every menu page of
// every demo role, plus 账号安全 and an application's detail — on a desktop (1280×800) and a
// phone (390×844), is scanned with axe-core 4.14 for the WCAG 2.0/2.1 A and AA rules and its
// rendered text for Latin words outside codes and numbers (support/latin.mjs). Any violation
// fails; the pages checked and the violation count are printed. The 长辈版 of the residents'
// pages is checked too: remembered across a reload, no text under 18px, every control at least
// 44px high, and the same axe scan; its screenshot is docs/screenshots/status-elder.png.
//   YC_E2E_BASE_URL=http://127.0.0.1:8080 YC_E2E_ACCOUNTS=/tmp/accounts.json node --test e2e/a11y.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { AxeBuilder } from '@axe-core/playwright'
import { BASE_URL, field, launch, shot, tid, waitForText } from './support/browser.mjs'
import { apiSend, ENV_ERROR, newContext, pad, passwordOf, PHONE, rand, residentId, signIn, TIMEOUT } from './support/session.mjs'
import { latinWords } from './support/latin.mjs'

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
const DEVICES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: PHONE,
}
// One account per role of the demo county (the seed's accounts file has their passwords).
const ROLES = [
  { role: 'county_admin', phone: '13900000001', name: '王建国' },
  { role: 'department_staff', phone: '13900000002', name: '李秀英' },
  { role: 'township_clerk', phone: '13900000003', name: '张伟' },
  { role: 'community_worker', phone: '13900000004', name: '刘芳' },
  { role: 'agency_head', phone: '13900000007', name: '周建华' },
  // Region accounts (issue 16) land on their own console, not the workbench, and have no 账号安全 yet.
  { role: 'city_supervisor', phone: '13900000008', name: '孙立新', region: true },
  { role: 'province_supervisor', phone: '13900000009', name: '郑文博', region: true },
  { role: 'platform_operator', phone: '13900000010', name: '吴海燕', region: true },
]
const CLERK = ROLES[2]
const DEPT = ROLES[1]
const ITEM_NAME = '临时救助申请'

let setupError = ENV_ERROR
let browser
let county = ''
let receiptNo = ''
let applicationId = ''
// An accepted application whose first back-office step (环节时限) runs, held by the clerk, and
// its item's editor with the steps.
let runningId = ''
let itemId = ''
const applicantPhone = '139' + pad(rand(1e8), 8)
/** Every scan: { device, who, path, violations, latin }. */
const checked = []
/** The menu paths of each role, read from the desktop menu (the phone's drawer opens lazily). */
const menus = new Map()

const ok = (res, what) => {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

before(async () => {
  if (setupError) return
  browser = await launch()
  try {
    // A decided application for the status result and its rating form, as the rating flow makes one.
    const { context, page } = await signIn(browser, CLERK)
    county = ok(await apiSend(page, 'GET', '/api/v1/me'), 'me').tenant.code
    const items = ok(await apiSend(page, 'GET', `/api/v1/items?status=published&limit=200&q=${encodeURIComponent(ITEM_NAME)}`), 'items')
    const summary = (items.items ?? []).find((i) => i.name === ITEM_NAME)
    const item = ok(await apiSend(page, 'GET', `/api/v1/items/${summary.id}`), 'item')
    const materials = (item.published?.materials ?? []).filter((m) => m.key).map((m) => ({ key: m.key, provided: !!m.required }))
    const app = ok(
      await apiSend(
        page,
        'POST',
        '/api/v1/applications',
        { item_id: summary.id, applicant: { kind: 'person', name: '孙春梅', id_no: residentId(), phone: applicantPhone }, materials },
        { 'Idempotency-Key': crypto.randomUUID() },
      ),
      'intake',
    )
    applicationId = app.id
    const accepted = ok(await apiSend(page, 'POST', `/api/v1/applications/${app.id}/actions/accept`, { materials }, { 'If-Match': String(app.version) }), 'accept')
    receiptNo = accepted.receipt_no
    const routed = ok(await apiSend(page, 'POST', `/api/v1/applications/${app.id}/actions/route`, {}, { 'If-Match': String(accepted.version) }), 'route')
    itemId = summary.id
    const running = ok(
      await apiSend(
        page,
        'POST',
        '/api/v1/applications',
        { item_id: summary.id, applicant: { kind: 'person', name: '孙春梅', id_no: residentId(), phone: applicantPhone }, materials },
        { 'Idempotency-Key': crypto.randomUUID() },
      ),
      'intake',
    )
    runningId = ok(
      await apiSend(page, 'POST', `/api/v1/applications/${running.id}/actions/accept`, { materials }, { 'If-Match': String(running.version) }),
      'accept',
    ).id
    await context.close()
    const dept = await signIn(browser, DEPT)
    ok(
      await apiSend(dept.page, 'POST', `/api/v1/applications/${app.id}/actions/approve`, { reason: '符合临时救助条件，准予救助。' }, { 'If-Match': String(routed.version) }),
      'approve',
    )
    await dept.context.close()
  } catch (e) {
    setupError = e
  }
})

after(async () => {
  await browser?.close()
  if (!checked.length) return
  const lines = checked.map((c) => `  ${c.device.padEnd(7)} ${c.who.padEnd(16)} ${String(c.violations).padStart(3)}  ${c.latin.length ? `英文: ${c.latin.join(' ')}  ` : ''}${c.path}`)
  const total = checked.reduce((n, c) => n + c.violations, 0)
  const latin = checked.reduce((n, c) => n + c.latin.length, 0)
  console.log(`axe-core ${TAGS.join(', ')}: ${checked.length} pages checked, ${total} violations, ${latin} Latin words\n${lines.join('\n')}`)
})

/** Waits for the page to settle: no loading masks or skeletons, fonts in, transitions over. */
async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {})
  await page.locator('.el-loading-mask:visible, .el-skeleton:visible').first().waitFor({ state: 'hidden', timeout: TIMEOUT }).catch(() => {})
  await page.evaluate(() => document.fonts.ready)
  await page.waitForTimeout(300)
}

/** Scans the page with axe (WCAG A/AA) and its text for English; records and returns the findings. */
async function scan(page, device, who) {
  await settle(page)
  const path = new URL(page.url()).pathname
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze()
  // Text marked translate="no" is data, not the UI's words (a browser's user agent in the login log).
  const text = await page.evaluate(() => {
    const body = document.body.cloneNode(true)
    for (const el of body.querySelectorAll('[translate="no"]')) el.remove()
    document.documentElement.append(body)
    const t = body.innerText
    body.remove()
    return t
  })
  const latin = latinWords(text)
  checked.push({ device, who, path, violations: result.violations.length, latin })
  const detail = result.violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 4).map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 3).join(' ')}`).join('\n')}`)
    .join('\n')
  return { path, violations: result.violations, detail, latin }
}

function assertClean(findings) {
  const bad = findings.filter((f) => f.violations.length || f.latin.length)
  assert.deepEqual(
    bad.map((f) => `${f.path}: ${f.violations.length} axe violations${f.latin.length ? `, English: ${f.latin.join(' ')}` : ''}\n${f.detail}`),
    [],
    'every page passes axe (WCAG 2.1 A/AA) with no English words',
  )
}

test('e2e environment is configured', () => {
  if (setupError) assert.fail(setupError.stack || setupError.message)
})

const skip = !!setupError && 'environment missing (see the failing test above)'

for (const [device, options] of Object.entries(DEVICES)) {
  test(`public pages on a ${device}: sign-in, access list, status lookup, status result with rating`, { skip }, async () => {
    const context = await newContext(browser, options)
    const page = await context.newPage()
    const findings = []
    try {
      await page.goto(`${BASE_URL}/login`)
      await page.locator(`${tid('login-submit')}:not([disabled]):not(.is-disabled)`).waitFor()
      findings.push(await scan(page, device, '访客'))
      await page.goto(`${BASE_URL}/public/${county}/access-list`)
      await page.locator(tid('public-item')).first().waitFor()
      findings.push(await scan(page, device, '访客'))
      await page.goto(`${BASE_URL}/status/${county}`)
      await page.locator(tid('status-lookup')).waitFor()
      findings.push(await scan(page, device, '访客'))
      await page.locator(field('status-receipt')).fill(receiptNo)
      await page.locator(field('status-last4')).fill(applicantPhone.slice(-4))
      await page.locator(tid('status-submit')).click()
      await page.waitForURL((u) => new URL(u).pathname.startsWith(`/status/${county}/`))
      await page.locator(tid('rating-form')).waitFor()
      await page.locator(tid('rating-score-2')).click() // 不满意: the problem chips and the comment box show
      await page.locator('[data-testid^="rating-indicator-"]').first().waitFor()
      findings.push(await scan(page, device, '访客'))
    } finally {
      await context.close()
    }
    assertClean(findings)
  })
}

for (const user of ROLES) {
  for (const [device, options] of Object.entries(DEVICES)) {
    test(`every page of ${user.role} on a ${device}`, { skip }, async () => {
      const { context, page } = user.region ? await signInRegion(user, options) : await signIn(browser, user, options)
      const findings = []
      try {
        if (!menus.has(user.role)) {
          // The role's pages are its side menu's links (real hrefs); on a phone the menu is a drawer.
          if (device === 'phone') await page.locator(tid('nav-toggle')).click()
          await page.locator(tid('side-menu')).waitFor()
          menus.set(user.role, await page.$$eval('nav[data-testid="side-menu"] a[href]', (as) => as.map((a) => a.getAttribute('href'))))
        }
        const paths = [...menus.get(user.role), '/account']
        if (user.role === 'township_clerk') paths.push(`/applications/${applicationId}`, `/applications/${runningId}`)
        if (user.role === 'county_admin') paths.push(`/catalogue/${itemId}`)
        assert.ok(paths.length >= (user.region ? 3 : 5), `${user.role} has a menu: ${paths.join(' ')}`)
        for (const path of paths) {
          await page.goto(`${BASE_URL}${path}`)
          await page.locator('main [data-testid^="page-"]').first().waitFor()
          findings.push(await scan(page, device, user.role))
        }
      } finally {
        await context.close()
      }
      assertClean(findings)
    })
  }
}

/** Signs a region account in through the login page; it lands on its console. */
async function signInRegion(user, device) {
  const context = await newContext(browser, device)
  const page = await context.newPage()
  await page.goto(`${BASE_URL}/login`)
  await page.locator(`${tid('login-submit')}:not([disabled]):not(.is-disabled)`).waitFor()
  await page.locator(field('login-phone')).fill(user.phone)
  await page.locator(field('login-password')).fill(passwordOf(user.phone))
  await page.locator(tid('login-submit')).click()
  await page.waitForURL((u) => new URL(u).pathname !== '/login', { timeout: TIMEOUT })
  await waitForText(page.locator(tid('header-user')), user.name, TIMEOUT)
  return { context, page }
}

test('the side menu is reached with the keyboard: skip link first, then the menu links in order', { skip }, async () => {
  const { context, page } = await signIn(browser, CLERK, DEVICES.desktop)
  try {
    await page.goto(`${BASE_URL}/calendar`)
    await page.locator(tid('page-calendar')).waitFor()
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'skip-link', 'the skip link comes first')
    const menu = await page.$$eval('nav[data-testid="side-menu"] a', (as) => as.map((a) => a.getAttribute('data-testid')))
    const reached = []
    for (let i = 0; i < 20 && reached.length < menu.length; i++) {
      await page.keyboard.press('Tab')
      const id = await page.evaluate(() => (document.activeElement?.closest('nav[data-testid="side-menu"]') ? document.activeElement.getAttribute('data-testid') : null))
      if (id) reached.push(id)
    }
    assert.deepEqual(reached, menu, 'Tab walks the menu links in order')
    // Enter on a focused link opens its page.
    await page.locator(tid('menu-applications')).focus()
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => new URL(u).pathname === '/applications')
    assert.equal(await page.locator(`${tid('menu-applications')}[aria-current="page"]`).count(), 1, 'the page shown is marked')
    // The skip link moves the focus to the main content.
    await page.locator(tid('skip-link')).focus()
    await page.keyboard.press('Enter')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main-content', 'skip link → main content')
  } finally {
    await context.close()
  }
})

test('长辈版 on the status page: remembered, text ≥ 18px, targets ≥ 44px, high contrast, axe-clean', { skip }, async () => {
  const context = await newContext(browser, PHONE)
  const page = await context.newPage()
  const findings = []
  try {
    await page.goto(`${BASE_URL}/status/${county}`)
    await page.locator(tid('status-lookup')).waitFor()
    const toggle = page.locator(tid('elder-switch'))
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false', 'standard by default')
    await toggle.click()
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true')
    // Remembered on the device: the next page (here, the result) opens in 长辈版.
    await page.locator(field('status-receipt')).fill(receiptNo)
    await page.locator(field('status-last4')).fill(applicantPhone.slice(-4))
    await page.locator(tid('status-submit')).click()
    await page.waitForURL((u) => new URL(u).pathname.startsWith(`/status/${county}/`))
    await page.reload()
    await page.locator(tid('rating-form')).waitFor()
    assert.equal(await page.locator(tid('elder-switch')).getAttribute('aria-pressed'), 'true', 'still on after a reload')
    await page.locator(tid('rating-score-2')).click()
    await page.locator('[data-testid^="rating-indicator-"]').first().waitFor()
    await settle(page)
    const sizes = await page.evaluate(() => {
      const small = []
      const targets = []
      for (const el of document.querySelectorAll('#app *')) {
        const r = el.getBoundingClientRect()
        if (!r.width || !r.height) continue
        const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
        const fs = parseFloat(getComputedStyle(el).fontSize)
        if (own && fs < 18) small.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}" ${fs}px`)
        if (el.matches('button, a[href], input:not([type=hidden]), textarea, [role=radio], .el-check-tag')) {
          const box = el.closest('.el-input__wrapper, .el-textarea') ?? el
          const h = box.getBoundingClientRect().height
          if (h < 44) targets.push(`${el.tagName.toLowerCase()}.${el.className} ${h}px`)
        }
      }
      return { small, targets }
    })
    assert.deepEqual(sizes.small, [], 'no text under 18px in 长辈版')
    assert.deepEqual(sizes.targets, [], 'every control at least 44px high in 长辈版')
    findings.push(await scan(page, 'phone', '访客（长辈版）'))
    await shot(page, 'status-elder.png')
    await page.goto(`${BASE_URL}/public/${county}/access-list`)
    await page.locator(tid('public-item')).first().waitFor()
    assert.equal(await page.locator(tid('elder-switch')).getAttribute('aria-pressed'), 'true', 'the access list opens in 长辈版 too')
    findings.push(await scan(page, 'phone', '访客（长辈版）'))
    // Off again, and the staff sign-in page never gets the large root size.
    await page.locator(tid('elder-switch')).click()
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('elder-mode')), false)
    await page.locator(tid('elder-switch')).click()
    await page.goto(`${BASE_URL}/login`)
    await page.locator(tid('login-submit')).waitFor()
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize), '16px', 'the sign-in page keeps the browser size')
  } finally {
    await context.close()
  }
  assertClean(findings)
})

test('robots.txt is a robots file: public pages allowed, the API and signed-in pages not', { skip }, async () => {
  const res = await fetch(`${BASE_URL}/robots.txt`)
  const text = await res.text()
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/)
  assert.ok(!text.includes('<'), 'not the app’s HTML')
  for (const line of ['Allow: /public/', 'Allow: /status/', 'Disallow: /api/', 'Disallow: /']) assert.ok(text.split('\n').includes(line), `has ${line}`)
})
