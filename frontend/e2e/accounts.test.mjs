// Browser test of an account's life (issue 15, item 4): 王建国 (county admin) creates a
// township clerk, resets the clerk's password in 人员账号 and reads the one-time password
// once; the clerk signs in with it and is held on 账号安全 (every other page and API call is
// refused until the password is changed); a common password is refused on its field in
// Chinese; the clerk's own password then signs in and the workbench opens. The admin renames
// the clerk, disables and re-enables the account.
//   YC_E2E_BASE_URL=http://127.0.0.1:8080 YC_E2E_ACCOUNTS=/tmp/accounts.json node --test e2e/accounts.test.mjs
// Screenshots: accounts-*.png in YC_E2E_SCREENSHOT_DIR.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { BASE_URL, SCREENSHOT_DIR, field, launch, shot, tid, waitForText as waitFor } from './support/browser.mjs'
import { apiGet, createClerk, DESKTOP, ENV_ERROR, newContext, passwordOf, signIn, TIMEOUT } from './support/session.mjs'

const waitForText = (locator, text, timeout = TIMEOUT) => waitFor(locator, text, timeout)
const ADMIN = { phone: '13900000001', name: '王建国' }

let browser
before(async () => {
  if (ENV_ERROR) return
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const newPhone = () => '137' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0')
const INITIAL_PASSWORD = passwordOf(newPhone())

async function signInAt(page, phone, password) {
  await page.goto(`${BASE_URL}/login`)
  await page.locator(`${tid('login-submit')}:not([disabled]):not(.is-disabled)`).waitFor()
  await page.locator(field('login-phone')).fill(phone)
  await page.locator(field('login-password')).fill(password)
  await page.locator(tid('login-submit')).click()
}

test('a reset password is one-time: the clerk must choose a new one before anything else', { skip: !!ENV_ERROR && ENV_ERROR.message }, async () => {
  const admin = await signIn(browser, ADMIN)
  const pages = [admin]
  try {
    const clerk = { phone: newPhone(), name: '改密测试' }
    await createClerk(admin.page, clerk.name, clerk.phone, INITIAL_PASSWORD)
    const row = () => admin.page.locator(`${tid('staff-table')} .el-table__body tr`, { hasText: clerk.phone })

    // 重置密码: confirmed, then the one-time password is shown once.
    await row().locator(tid('staff-reset-password')).click()
    await admin.page.locator('.el-message-box__btns button', { hasText: '确定重置' }).click()
    const otpDialog = admin.page.locator(tid('staff-otp-dialog'))
    await otpDialog.locator(tid('staff-otp')).waitFor()
    const otp = await otpDialog.locator(field('staff-otp')).inputValue()
    assert.match(otp, /^[A-Za-z2-9]{12}$/, 'a 12-character one-time password')
    await waitForText(row(), '待改密')
    await shot(admin.page, 'accounts-reset-otp.png')
    await otpDialog.locator('button', { hasText: '我已记下' }).click()
    await otpDialog.waitFor({ state: 'hidden' })

    // The old password no longer signs in; the one-time one does, onto 账号安全.
    const ctx = await newContext(browser, DESKTOP)
    const page = await ctx.newPage()
    pages.push({ context: ctx, page })
    await signInAt(page, clerk.phone, INITIAL_PASSWORD)
    await waitForText(page.locator(tid('login-error')), '手机号或密码错误')
    await page.locator(`${tid('login-submit')}:not(.is-loading)`).waitFor()
    await page.locator(field('login-password')).fill(otp)
    await page.locator(tid('login-submit')).click()
    await page.waitForURL((u) => new URL(u).pathname === '/account', { timeout: TIMEOUT })
    await waitForText(page.locator(tid('account-must-change')), '管理员已重置您的密码')
    // Nothing else opens: the router keeps the clerk here, and the API refuses other calls.
    await page.goto(`${BASE_URL}/applications`)
    await page.waitForURL((u) => new URL(u).pathname === '/account', { timeout: TIMEOUT })
    const refused = await apiGet(page, '/api/v1/notifications')
    assert.equal(refused.status, 403)
    assert.equal(refused.body?.code, 'password_change_required')
    await shot(page, 'accounts-must-change.png')

    // A common password is refused on its field, in Chinese.
    await page.locator(field('account-current-password')).fill(otp)
    await page.locator(field('account-password')).fill('woaini1314')
    await page.locator(field('account-password-confirm')).fill('woaini1314')
    await page.locator(tid('account-password-submit')).click()
    const pwItem = page.locator('.el-form-item', { has: page.locator(field('account-password')) })
    await waitForText(pwItem.locator('.el-form-item__error'), '密码过于常见')

    // The clerk's own password: accepted, and the workbench opens.
    const chosen = 'Qingshui#River27'
    await page.locator(field('account-password')).fill(chosen)
    await page.locator(field('account-password-confirm')).fill(chosen)
    await page.locator(tid('account-password-submit')).click()
    await page.waitForURL((u) => new URL(u).pathname === '/', { timeout: TIMEOUT })
    await page.locator(tid('page-home')).waitFor()
    const me = await apiGet(page, '/api/v1/me')
    assert.equal(me.body?.must_change_password, false)

    // The admin renames the clerk, then disables and re-enables the account.
    await admin.page.locator(tid('staff-table')).waitFor()
    await row().locator(tid('staff-edit')).click()
    const edit = admin.page.locator(tid('staff-edit-dialog'))
    await admin.page.locator(field('staff-edit-name')).fill('改名测试')
    await edit.locator(tid('staff-edit-submit')).click()
    await edit.waitFor({ state: 'hidden' })
    await waitForText(row(), '改名测试')
    await row().locator(tid('staff-disable')).click()
    await admin.page.locator('.el-message-box__btns button', { hasText: '确定停用' }).click()
    await waitForText(row().locator(tid('staff-status')), '停用')
    await row().locator(tid('staff-enable')).click()
    await waitForText(row().locator(tid('staff-status')), '在用')

    // The chosen password signs in again after the re-enabling.
    const ctx2 = await newContext(browser, DESKTOP)
    const again = await ctx2.newPage()
    pages.push({ context: ctx2, page: again })
    await signInAt(again, clerk.phone, chosen)
    await again.waitForURL((u) => new URL(u).pathname === '/', { timeout: TIMEOUT })
    await waitForText(again.locator(tid('header-user')), '改名测试')
  } catch (e) {
    for (const [i, p] of pages.entries()) await p.page.screenshot({ path: join(SCREENSHOT_DIR, `failure-accounts-${i}.png`) }).catch(() => {})
    throw e
  } finally {
    for (const p of pages) await p.context.close().catch(() => {})
  }
})
