// Browser test of the "light and fast on a village link" targets: a cold browser (no
// cache) on a throttled link — 1.5 Mbit/s each way, 300 ms latency, through Chrome DevTools'
// Network.emulateNetworkConditions — opens the public status page and the sign-in page.
// Targets: the status page's lookup form usable in under 3 s; the first staff screen (工作台)
// under 5 s after 登录 is pressed. The timings and the bytes that crossed the link are printed,
// so a slow run on a loaded machine shows how far off it is.
//   YC_E2E_BASE_URL=http://127.0.0.1:8080 YC_E2E_ACCOUNTS=/tmp/accounts.json node --test e2e/light.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, field, launch, tid, waitForText } from './support/browser.mjs'
import { ENV_ERROR, newContext, passwordOf, signIn, TIMEOUT } from './support/session.mjs'

const VILLAGE_LINK = { offline: false, latency: 300, downloadThroughput: (1.5e6 / 8) | 0, uploadThroughput: (1.5e6 / 8) | 0 }
const STATUS_TARGET_MS = 3000
const STAFF_TARGET_MS = 5000
const CLERK = { phone: '13900000003', name: '张伟' } // township_clerk, 城关镇

let browser
let county = ''
let setupError = ENV_ERROR

before(async () => {
  if (setupError) return
  browser = await launch()
  try {
    // The county's code, from a session on an unthrottled link (the set-up is not under test).
    const { context, page } = await signIn(browser, CLERK)
    county = await page.evaluate(async () => (await (await fetch('/api/v1/me', { credentials: 'include' })).json()).tenant.code)
    await context.close()
  } catch (e) {
    setupError = e
  }
})
after(async () => {
  await browser?.close()
})

/** A fresh context (empty cache) whose page goes over the village link; counts what crosses it. */
async function coldPage() {
  const context = await newContext(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  await cdp.send('Network.emulateNetworkConditions', VILLAGE_LINK)
  const wire = { bytes: 0, requests: 0, uncompressed: [] }
  const types = new Map()
  cdp.on('Network.responseReceived', (e) => {
    const url = new URL(e.response.url)
    if (/\.(js|css)$/.test(url.pathname)) {
      types.set(e.requestId, url.pathname)
      const enc = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === 'content-encoding')?.[1] ?? ''
      if (enc !== 'br' && Number(e.response.headers['content-length'] ?? e.response.headers['Content-Length'] ?? 2000) > 1024) wire.uncompressed.push(url.pathname)
    }
  })
  cdp.on('Network.loadingFinished', (e) => {
    wire.bytes += e.encodedDataLength
    wire.requests++
  })
  return { context, page, wire }
}

const kb = (n) => `${(n / 1024).toFixed(0)} KB`

test('the public status page is usable within 3 s on a village link, cold', { skip: false }, async () => {
  if (setupError) throw setupError
  const { context, page, wire } = await coldPage()
  try {
    const start = Date.now()
    await page.goto(`${BASE_URL}/status/${county}`, { waitUntil: 'commit', timeout: TIMEOUT })
    await page.locator(field('status-receipt')).waitFor({ state: 'visible', timeout: TIMEOUT })
    await page.locator(tid('status-submit')).waitFor({ state: 'visible' })
    const usable = Date.now() - start
    await page.waitForLoadState('networkidle')
    console.log(`[light] public status page: lookup form usable after ${usable} ms (target ${STATUS_TARGET_MS} ms); ${wire.requests} requests, ${kb(wire.bytes)} over the link`)
    assert.deepEqual(wire.uncompressed, [], 'every script and stylesheet comes brotli-compressed')
    assert.ok(usable < STATUS_TARGET_MS, `the lookup form took ${usable} ms, target ${STATUS_TARGET_MS} ms`)
  } finally {
    await context.close()
  }
})

test('the first staff screen comes within 5 s of signing in on a village link, cold', async () => {
  if (setupError) throw setupError
  const { context, page, wire } = await coldPage()
  try {
    const start = Date.now()
    await page.goto(`${BASE_URL}/login`, { waitUntil: 'commit', timeout: TIMEOUT })
    await page.locator(`${tid('login-submit')}:not([disabled]):not(.is-disabled)`).waitFor({ timeout: TIMEOUT })
    const form = Date.now() - start
    const formBytes = wire.bytes
    await page.locator(field('login-phone')).fill(CLERK.phone)
    await page.locator(field('login-password')).fill(passwordOf(CLERK.phone))
    const pressed = Date.now()
    await page.locator(tid('login-submit')).click()
    await page.locator(tid('page-home')).waitFor({ timeout: TIMEOUT })
    await waitForText(page.locator(tid('header-user')), CLERK.name, TIMEOUT)
    const staff = Date.now() - pressed
    console.log(
      `[light] sign-in page: form ready after ${form} ms (${kb(formBytes)}); 工作台 after ${staff} ms from 登录 (target ${STAFF_TARGET_MS} ms), ` +
        `${Date.now() - start} ms from a cold start; ${wire.requests} requests, ${kb(wire.bytes)} over the link`,
    )
    assert.deepEqual(wire.uncompressed, [], 'every script and stylesheet comes brotli-compressed')
    assert.ok(staff < STAFF_TARGET_MS, `the first staff screen took ${staff} ms after 登录, target ${STAFF_TARGET_MS} ms`)
  } finally {
    await context.close()
  }
})
