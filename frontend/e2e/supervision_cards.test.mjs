// Browser test of issue 16 item 4 (效能监察): an application of 示范县 left past its limit (the
// demo seeds one, taken in 35 days ago) shows as a 红牌 on 承德市's 辖区监察; the city supervisor
// issues a 督办; 示范县's admin sees it under 督办事项 with the clerk's name (the city sees only a
// pseudonym), is refused a reply holding a phone number (the error on the field), replies; the
// supervisor closes it. The 监察建议书 comes back as a PDF. Screenshots: supervision-card-*.png.
//   YC_E2E_BASE_URL=http://127.0.0.1:8080 YC_E2E_ACCOUNTS=/tmp/accounts.json node --test e2e/supervision_cards.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { AxeBuilder } from '@axe-core/playwright'
import { join } from 'node:path'
import { BASE_URL, SCREENSHOT_DIR, field, launch, shot, tid, waitForText } from './support/browser.mjs'
import { apiGet, ENV_ERROR, newContext, passwordOf, signIn, TIMEOUT } from './support/session.mjs'

const CITY = { phone: '13900000008', name: '孙立新' }
const ADMIN = { phone: '13900000001', name: '王建国' }

// The dialogs are scanned as a11y.test.mjs scans the pages (the pages are in its menu scan).
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
async function axeClean(page, what) {
  await page.waitForTimeout(400)
  const r = await new AxeBuilder({ page }).withTags(TAGS).analyze()
  assert.deepEqual(
    r.violations.map((v) => `${what}: ${v.id} ${v.help} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${what} is axe-clean`,
  )
}

let browser
before(async () => {
  if (!ENV_ERROR) browser = await launch()
})
after(async () => {
  await browser?.close()
})

/** Signs a region account in; it lands on 辖区监察. */
async function signInRegion(user) {
  const context = await newContext(browser)
  const page = await context.newPage()
  await page.goto(`${BASE_URL}/login`)
  await page.locator(`${tid('login-submit')}:not([disabled]):not(.is-disabled)`).waitFor()
  await page.locator(field('login-phone')).fill(user.phone)
  await page.locator(field('login-password')).fill(passwordOf(user.phone))
  await page.locator(tid('login-submit')).click()
  await page.waitForURL((u) => new URL(u).pathname === '/region', { timeout: TIMEOUT })
  await waitForText(page.locator(tid('header-user')), user.name, TIMEOUT)
  return { context, page }
}

test('a red card of 示范县: 督办, the county replies, the city closes it', async () => {
  if (ENV_ERROR) throw ENV_ERROR
  const city = await signInRegion(CITY)
  let admin
  try {
    const cp = city.page
    await cp.locator(tid('region-cards-table')).waitFor()
    // The demo's overdue application: a 红牌 of 示范县 not yet ordered.
    const cards = await apiGet(cp, '/api/v1/region/cards?status=open')
    assert.equal(cards.status, 200, JSON.stringify(cards.body))
    const card = (cards.body.items ?? []).find((c) => c.county_code === 'demo' && c.colour === 'red' && c.rule === 'overdue')
    assert.ok(card, `an open 红牌 of 示范县 (the demo's overdue application; a re-run against a used database has closed it): ${JSON.stringify(cards.body.items)}`)
    assert.ok(card.days_over >= 3 && card.clerk_ref.length === 32 && !card.clerk_name, `the region sees a pseudonym only: ${JSON.stringify(card)}`)
    await waitForText(cp.locator(tid(`card-colour-${card.id}`)), '红牌', TIMEOUT)
    await waitForText(cp.locator(tid(`card-status-${card.id}`)), '未督办', TIMEOUT)
    await shot(cp, 'supervision-card-red.png', { fullPage: true })

    // 督办: instruction and due date.
    await cp.locator(tid(`card-order-${card.id}`)).click()
    await cp.locator(field('order-instruction')).fill('该件已超期，请于期限内办结，并书面说明超期原因和整改措施。')
    await axeClean(cp, '督办 dialog')
    await cp.screenshot({ path: join(SCREENSHOT_DIR, 'supervision-card-order.png') })
    await cp.locator(tid('order-submit')).click()
    await waitForText(cp.locator(tid(`card-status-${card.id}`)), '已督办', TIMEOUT)

    // The county admin: 督办事项, the clerk's name, a reply.
    admin = await signIn(browser, ADMIN)
    const ap = admin.page
    await ap.locator(tid('menu-supervision-cards')).click()
    await ap.locator(tid('page-supervision-cards')).waitFor()
    const row = ap.locator(`${tid('county-cards')} tr`, { has: ap.locator(tid(`card-reply-${card.id}`)) })
    await waitForText(row, '张伟', TIMEOUT)
    await waitForText(row, '该件已超期', TIMEOUT)
    await ap.locator(tid(`card-reply-${card.id}`)).click()
    await ap.locator(field('reply-text')).fill('已电话联系申请人 13700000021，当日办结')
    await ap.locator(tid('reply-submit')).click()
    const error = ap.locator(`${tid('reply-dialog')} .el-form-item__error`)
    await waitForText(error, '个人信息', TIMEOUT)
    assert.equal(await ap.locator(`${tid('reply-dialog')} textarea[aria-invalid="true"]`).count(), 1, 'the error is tied to the field')
    await axeClean(ap, 'reply dialog with its error') // also waits out the error's zoom-in transition
    await ap.screenshot({ path: join(SCREENSHOT_DIR, 'supervision-card-reply.png') })
    await ap.locator(field('reply-text')).fill('已督促县人社局当日办结该件，对经办窗口进行约谈，并建立超期预警日报制度。')
    await ap.locator(tid('reply-submit')).click()
    await waitForText(ap.locator(tid(`county-card-status-${card.id}`)), '已回复', TIMEOUT)

    // The supervisor sees the reply and closes the card.
    await cp.reload()
    await waitForText(cp.locator(tid(`card-status-${card.id}`)), '已回复', TIMEOUT)
    await cp.locator(tid(`card-close-${card.id}`)).click()
    await cp.locator('.el-message-box__btns .el-button--primary').click()
    await waitForText(cp.locator(tid(`card-status-${card.id}`)), '已办结', TIMEOUT)
    await shot(cp, 'supervision-card-closed.png', { fullPage: true })
    const closed = await apiGet(cp, '/api/v1/region/cards?status=closed')
    const done = (closed.body.items ?? []).find((c) => c.id === card.id)
    assert.ok(done?.order?.reply?.includes('日报'), `closed with the county's reply: ${JSON.stringify(done)}`)

    // Every step stays on record: 记录 shows the order, the reply and the close, in that order.
    await cp.locator(tid(`card-history-${card.id}`)).click()
    const history = cp.locator(tid('history-dialog'))
    await history.locator(tid('order-step-3')).waitFor({ timeout: TIMEOUT })
    const steps = await history.locator('[data-testid^="order-step-"]').allInnerTexts()
    assert.equal(steps.length, 3, `three steps: ${JSON.stringify(steps)}`)
    assert.match(steps[0], /督办[\s\S]*承德市/)
    assert.match(steps[1], /县（区）回复[\s\S]*示范县[\s\S]*日报/)
    assert.match(steps[2], /办结/)
    await axeClean(cp, 'order history dialog')
    await cp.keyboard.press('Escape')

    // The region's rules: the defaults until the city sets its own.
    await cp.locator(tid('card-rules')).click()
    await cp.locator(tid('rules-dialog')).waitFor()
    await axeClean(cp, 'rules dialog')
    await cp.keyboard.press('Escape')

    // The 监察建议书 for 示范县: a PDF from the app's origin.
    const pdf = await cp.request.get(`${BASE_URL}/api/v1/region/counties/demo/advice`)
    assert.equal(pdf.status(), 200)
    assert.equal(pdf.headers()['content-type'], 'application/pdf')
    assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'a PDF')
  } finally {
    await city.context.close()
    await admin?.context.close()
  }
})
