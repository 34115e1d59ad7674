// Browser test of the supervision dashboards (issue 16, item 5) against a server with the demo
// (`make run`: 示范县 and 示范二县 under 承德市, 河北省). 张伟 (clerk) takes in two applications
// and 李秀英 decides one, 王建国 (county admin) re-publishes the county; then 郑文博 (province
// supervisor) opens 监察看板 on 河北省 and drills to 承德市; 孙立新 (city supervisor) drills
// 承德市 → 示范县 (a bar of the chart) → a township (the ranking table, by keyboard) → its
// items, walks the breadcrumb back up and downloads the Excel workbook; 王建国 sees 本县看板
// with his own townships and no other county.
//   YC_E2E_BASE_URL=http://127.0.0.1:8080 YC_E2E_ACCOUNTS=/tmp/accounts.json node --test e2e/dashboard.test.mjs
// Screenshots: dashboard-*.png in YC_E2E_SCREENSHOT_DIR.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { BASE_URL, field, launch, shot, tid, waitForText } from './support/browser.mjs'
import { latinWords } from './support/latin.mjs'
import { apiSend, DESKTOP, ENV_ERROR, newContext, passwordOf, residentId, signIn, TIMEOUT } from './support/session.mjs'

const ADMIN = { phone: '13900000001', name: '王建国' }
const DEPT = { phone: '13900000002', name: '李秀英' }
const CLERK = { phone: '13900000003', name: '张伟' }
const CITY = { phone: '13900000008', name: '孙立新' }
const PROVINCE = { phone: '13900000009', name: '郑文博' }
const ITEM_NAME = '临时救助申请'

let browser
let setupError = ENV_ERROR
let township = ''

const ok = (res, what) => {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

before(async () => {
  if (setupError) return
  browser = await launch()
  try {
    const { context, page } = await signIn(browser, CLERK)
    const items = ok(await apiSend(page, 'GET', `/api/v1/items?status=published&limit=200&q=${encodeURIComponent(ITEM_NAME)}`), 'items')
    const summary = (items.items ?? []).find((i) => i.name === ITEM_NAME)
    const item = ok(await apiSend(page, 'GET', `/api/v1/items/${summary.id}`), 'item')
    const materials = (item.published?.materials ?? []).filter((m) => m.key).map((m) => ({ key: m.key, provided: !!m.required }))
    const apps = []
    for (const name of ['赵明', '钱红']) {
      const app = ok(
        await apiSend(page, 'POST', '/api/v1/applications', { item_id: summary.id, applicant: { kind: 'person', name, id_no: residentId(), phone: '13912345678' }, materials }, { 'Idempotency-Key': crypto.randomUUID() }),
        'intake',
      )
      const accepted = ok(await apiSend(page, 'POST', `/api/v1/applications/${app.id}/actions/accept`, { materials }, { 'If-Match': String(app.version) }), 'accept')
      apps.push(accepted)
    }
    const routed = ok(await apiSend(page, 'POST', `/api/v1/applications/${apps[0].id}/actions/route`, {}, { 'If-Match': String(apps[0].version) }), 'route')
    await context.close()
    const dept = await signIn(browser, DEPT)
    ok(await apiSend(dept.page, 'POST', `/api/v1/applications/${apps[0].id}/actions/approve`, { reason: '符合临时救助条件，准予救助。' }, { 'If-Match': String(routed.version) }), 'approve')
    await dept.context.close()
    // The publishing job runs every minute; the admin's 重新上报 publishes now.
    const admin = await signIn(browser, ADMIN)
    ok(await apiSend(admin.page, 'POST', '/api/v1/supervision/republish', {}), 'republish')
    await admin.context.close()
  } catch (e) {
    setupError = e
  }
})

after(async () => {
  await browser?.close()
})

/** Signs a region account in through the login page (it lands on its console). */
async function signInRegion(user) {
  const context = await newContext(browser, DESKTOP, { acceptDownloads: true })
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

/** Waits for the dashboard of the named unit, its charts drawn. */
async function unit(page, name) {
  await waitForText(page.locator(tid('dash-unit')), name, TIMEOUT)
  await page.locator('.el-loading-mask:visible').first().waitFor({ state: 'hidden' }).catch(() => {})
  await page.locator(`${tid('dash-trend')} svg`).first().waitFor()
}

const crumbs = (page) => page.locator(`${tid('dash-trail')}`).innerText()

test('a province supervisor sees its cities and drills into 承德市', async () => {
  if (setupError) throw setupError
  const { context, page } = await signInRegion(PROVINCE)
  try {
    await page.locator(tid('menu-region-dashboard')).click()
    await unit(page, '河北省')
    const ranking = page.locator(tid('dash-ranking'))
    await waitForText(ranking, '承德市', TIMEOUT)
    await shot(page, 'dashboard-province.png', { fullPage: true })
    await page.locator(tid('dash-child-承德市')).click()
    await unit(page, '承德市')
    assert.match(await crumbs(page), /河北省\s*›\s*承德市/)
    await waitForText(ranking, '示范二县', TIMEOUT)
    assert.deepEqual(latinWords(await page.locator('main').innerText()), [], 'no English on the dashboard')
  } finally {
    await context.close()
  }
})

test('a city supervisor drills city → county → township → item, back up the breadcrumb, and downloads Excel', async () => {
  if (setupError) throw setupError
  const { context, page } = await signInRegion(CITY)
  try {
    // From 辖区监察, the link to the dashboard.
    await page.locator(tid('region-dashboard-link')).click()
    await unit(page, '承德市')
    const ranking = page.locator(tid('dash-ranking'))
    await waitForText(ranking, '示范县', TIMEOUT)
    await waitForText(ranking, '示范二县', TIMEOUT)
    const totals = await page.locator(tid('dash-totals')).innerText()
    assert.match(totals, /收件量/)
    assert.match(totals, /好评率/)
    await shot(page, 'dashboard-city.png', { fullPage: true })

    // The chart drills down too: 示范县's name under its bars.
    await page.locator(`${tid('dash-units')} svg text`).filter({ hasText: /^示范县$/ }).first().click({ force: true })
    await unit(page, '示范县')
    assert.match(await crumbs(page), /承德市\s*›\s*示范县/)
    assert.match(await page.locator(tid('dash-ranking')).innerText(), /乡镇（街道）/)
    await shot(page, 'dashboard-county.png', { fullPage: true })

    // A township, by keyboard from the ranking table.
    const first = ranking.locator('tbody [data-testid^="dash-child-"]').first()
    township = (await first.innerText()).trim()
    await first.focus()
    await page.keyboard.press('Enter')
    await unit(page, township)
    assert.match(await crumbs(page), new RegExp(`承德市\\s*›\\s*示范县\\s*›\\s*${township}`))
    await waitForText(ranking, ITEM_NAME, TIMEOUT)
    assert.equal(await ranking.locator('tbody [data-testid^="dash-child-"]').count(), 0, 'items are the last level')
    await shot(page, 'dashboard-township.png', { fullPage: true })

    // Back up: the county, then the city.
    await page.locator(tid('dash-crumb-1')).click()
    await unit(page, '示范县')
    await page.locator(tid('dash-crumb-0')).click()
    await unit(page, '承德市')

    // Ranked by another indicator, then the workbook.
    await page.locator(tid('dash-rank')).click()
    await page.locator('.el-select-dropdown__item', { hasText: '按收件量排名' }).click()
    await waitForText(page.locator('main'), '绩效排名（收件量）', TIMEOUT)
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(tid('dash-export')).click()])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    const bytes = await readFile(await download.path())
    assert.ok(bytes.length > 4000, `workbook of ${bytes.length} bytes`)
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an xlsx (zip) file')
    assert.ok(bytes.includes(Buffer.from('xl/worksheets/sheet5.xml')), 'five sheets: totals, months, ranking, burden, workforce')

    // A county of another city is not there: the API answers 404.
    const res = await apiSend(page, 'GET', `/api/v1/region/dashboard?county=${crypto.randomUUID()}`)
    assert.equal(res.status, 404)
  } finally {
    await context.close()
  }
})

test('a county admin sees their own townships on 本县看板', async () => {
  if (setupError) throw setupError
  const { context, page } = await signIn(browser, ADMIN)
  try {
    await page.locator(tid('menu-county-dashboard')).click()
    await unit(page, '示范县')
    const ranking = page.locator(tid('dash-ranking'))
    await waitForText(ranking, '乡镇（街道）', TIMEOUT)
    const text = await ranking.innerText()
    assert.doesNotMatch(text, /示范二县/)
    if (township) assert.match(text, new RegExp(township))
    assert.deepEqual(latinWords(await page.locator('main').innerText()), [], 'no English on the dashboard')
    await shot(page, 'dashboard-own.png', { fullPage: true })
  } finally {
    await context.close()
  }
})
