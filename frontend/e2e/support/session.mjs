// What the flows share beyond the browser: the demo accounts' passwords, signing in as a
// member, calling the API with the page's session, and making up residents' ID numbers.
import { readFile } from 'node:fs/promises'
import { BASE_URL, field, tid, waitForText } from './browser.mjs'

export const TIMEOUT = 20_000
export const DESKTOP = { viewport: { width: 1366, height: 900 } }
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

const PASSWORD = process.env.YC_E2E_PASSWORD || 'Yichuang@2026'

/** Why the flows cannot run (no server, unreadable accounts), or null: each file fails one test with it rather than skipping. */
export let ENV_ERROR = BASE_URL ? null : new Error('e2e: YC_E2E_BASE_URL is not set (e.g. http://127.0.0.1:8080). The harness must set it; refusing to skip.')
const passwords = new Map()
if (process.env.YC_E2E_ACCOUNTS) {
  try {
    for (const a of JSON.parse(await readFile(process.env.YC_E2E_ACCOUNTS, 'utf8'))) if (a?.phone && a?.password) passwords.set(a.phone, a.password)
  } catch (e) {
    ENV_ERROR ??= new Error(`e2e: cannot read YC_E2E_ACCOUNTS=${process.env.YC_E2E_ACCOUNTS}: ${e.message}`)
  }
}

/** The password of a demo account: from the seed's accounts file, else YC_E2E_PASSWORD. */
export const passwordOf = (phone) => passwords.get(phone) ?? PASSWORD

/** A fresh zh-CN browser context on China's clock. */
export async function newContext(browser, device = DESKTOP, options = {}) {
  const context = await browser.newContext({ ...device, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options })
  context.setDefaultTimeout(TIMEOUT)
  return context
}

/** A fresh context signed in as `user` ({phone, name}) through the login page, on the workbench. */
export async function signIn(browser, user, device = DESKTOP, options = {}) {
  const context = await newContext(browser, device, options)
  const page = await context.newPage()
  await page.goto(`${BASE_URL}/login`)
  await page.locator(`${tid('login-submit')}:not([disabled]):not(.is-disabled)`).waitFor()
  await page.locator(field('login-phone')).fill(user.phone)
  await page.locator(field('login-password')).fill(passwordOf(user.phone))
  await page.locator(tid('login-submit')).click()
  await page.waitForURL((u) => new URL(u).pathname === '/', { timeout: TIMEOUT })
  await page.locator(tid('page-home')).waitFor()
  await waitForText(page.locator(tid('header-user')), user.name, TIMEOUT)
  return { context, page }
}

/**
 * Sends a JSON request with the page's session, as the app's own client does: with the
 * X-Requested-With header the server requires of a cookie-authenticated change (CSRF).
 */
export const apiSend = (page, method, path, body, headers = {}) =>
  page.evaluate(
    async ([m, p, b, h]) => {
      const r = await fetch(p, {
        method: m,
        credentials: 'include',
        headers: { Accept: 'application/json', 'X-Requested-With': 'yichuang', ...(b === null ? {} : { 'Content-Type': 'application/json' }), ...h },
        body: b === null ? undefined : JSON.stringify(b),
      })
      return { status: r.status, body: await r.json().catch(() => null), etag: r.headers.get('ETag') }
    },
    [method, path, body ?? null, headers],
  )

/** GET an API path with the page's session. */
export const apiGet = (page, path) =>
  page.evaluate(async (p) => {
    const r = await fetch(p, { credentials: 'include', headers: { Accept: 'application/json' } })
    return { status: r.status, body: await r.json().catch(() => null) }
  }, path)

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
export const rand = (n) => Math.floor(Math.random() * n)
export const pad = (n, w) => String(n).padStart(w, "0")

/** A random valid GB 11643 number in the demo county's region, so each run has new residents. */
export function residentId() {
  const body = `130826${1950 + rand(50)}${pad(1 + rand(12), 2)}${pad(1 + rand(28), 2)}${pad(rand(1000), 3)}`
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * WEIGHTS[i]
  return body + '10X98765432'[sum % 11]
}

/** Creates a township clerk through 人员账号, as the admin would, with the given first password. */
export async function createClerk(page, name, phone, password) {
  await page.locator(tid('menu-staff')).click()
  await page.locator(tid('page-staff')).waitFor()
  await page.locator(tid('staff-create')).click()
  const dialog = page.locator('.el-dialog:visible')
  await dialog.waitFor()
  await page.locator(field('staff-name')).fill(name)
  await page.locator(field('staff-phone')).fill(phone)
  await page.locator(field('staff-password')).fill(password)
  await dialog.locator('.el-form-item', { hasText: '所属单位' }).locator('.el-select__wrapper').click()
  const township = page.locator('.staff-org-popper:visible .el-tree-node__content', { hasText: '（乡镇）' }).first()
  await township.waitFor()
  await township.click()
  await dialog.locator('.el-form-item', { hasText: '角色' }).locator('.el-select__wrapper').click()
  await page.locator('.staff-roles-popper:visible .el-select-dropdown__item', { hasText: '乡镇窗口人员' }).click()
  await dialog.locator('.el-dialog__title').click()
  await page.locator(tid('staff-submit')).click()
  await dialog.waitFor({ state: 'hidden' })
  await page.locator(`${tid('staff-table')} .el-table__body tr`, { hasText: phone }).waitFor()
}
