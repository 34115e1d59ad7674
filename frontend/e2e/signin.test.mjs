// Browser test of sign-in hardening (issue 13, item 4; 等保 2.0 登录失败处理): 王建国 (county
// admin) creates two accounts; on the login page the first one's wrong passwords are answered
// 手机号或密码错误 with a warning as the lockout nears, and the fifth locks it for 15 minutes —
// the right password included; the admin reads every attempt in 登录日志. The second account,
// signed in on two browsers, sees both sessions in 账号安全 and ends the other one, which is
// sent back to the login page; then changes the password, and the new one signs in.
//   YC_E2E_BASE_URL=http://127.0.0.1:8080 YC_E2E_ACCOUNTS=/tmp/accounts.json node --test e2e/signin.test.mjs
// Screenshots: signin-*.png in YC_E2E_SCREENSHOT_DIR.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { BASE_URL, SCREENSHOT_DIR, field, launch, shot, tid, waitForText as waitFor } from './support/browser.mjs'
import { createClerk, DESKTOP, ENV_ERROR, newContext, passwordOf, signIn, TIMEOUT } from './support/session.mjs'

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

const newPhone = () => '136' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0')
// The new accounts get the password signIn() uses for accounts not in the seed's file.
const INITIAL_PASSWORD = passwordOf(newPhone())

async function tryLogin(page, phone, password) {
  await page.locator(field('login-phone')).fill(phone)
  await page.locator(field('login-password')).fill(password)
  await page.locator(tid('login-submit')).click()
}

test('five wrong passwords lock the account; the admin reads the login log; a user ends another session', { skip: !!ENV_ERROR && ENV_ERROR.message }, async () => {
  const admin = await signIn(browser, ADMIN)
  const pages = [admin]
  try {
    const locked = { phone: newPhone(), name: '锁定测试' }
    const roaming = { phone: newPhone(), name: '会话测试' }
    await createClerk(admin.page, locked.name, locked.phone, INITIAL_PASSWORD)
    await createClerk(admin.page, roaming.name, roaming.phone, INITIAL_PASSWORD)

    // The login page: four wrong passwords, then the fifth locks the account.
    const ctx = await newContext(browser)
    const page = await ctx.newPage()
    pages.push({ context: ctx, page })
    await page.goto(`${BASE_URL}/login`)
    await page.locator(`${tid('login-submit')}:not([disabled]):not(.is-disabled)`).waitFor()
    const error = page.locator(tid('login-error'))
    for (let i = 1; i <= 4; i++) {
      await tryLogin(page, locked.phone, `Wrong#password${i}`)
      await waitForText(error, '手机号或密码错误')
      if (5 - i <= 3) await waitForText(error, `再输错 ${5 - i} 次，账号将被锁定`)
      await page.locator(`${tid('login-submit')}:not(.is-loading)`).waitFor()
    }
    await tryLogin(page, locked.phone, 'Wrong#password5')
    await waitForText(error, '已锁定 15 分钟')
    // The right password is refused while the lock lasts.
    await page.locator(`${tid('login-submit')}:not(.is-loading)`).waitFor()
    await tryLogin(page, locked.phone, INITIAL_PASSWORD)
    await waitForText(error, '连续 5 次登录失败')
    assert.equal(new URL(page.url()).pathname, '/login')
    await shot(page, 'signin-locked.png')

    // 登录日志: the admin sees each attempt, newest first.
    await admin.page.locator(tid('menu-login-log')).click()
    await admin.page.locator(tid('page-login-log')).waitFor()
    await admin.page.locator(field('login-log-phone')).fill(locked.phone)
    await admin.page.locator(field('login-log-phone')).press('Enter')
    const rows = admin.page.locator(`${tid('login-log-table')} .el-table__body tr`, { hasText: locked.phone })
    await waitForText(rows.first(), '账号锁定中，已拒绝')
    await waitForText(rows.first(), '锁定测试')
    assert.equal(await rows.count(), 6, 'five failures and one refusal')
    assert.equal(await rows.filter({ hasText: '密码错误' }).count(), 5)
    await waitForText(admin.page.locator(tid('signin-policy')), '连续 5 次密码错误，锁定 15 分钟')
    await shot(admin.page, 'signin-login-log.png')

    // 账号安全: the second account on two browsers sees both sessions and ends the other one.
    const first = await signIn(browser, roaming, DESKTOP)
    pages.push(first)
    const other = await signIn(browser, roaming, DESKTOP)
    pages.push(other)
    await first.page.locator(tid('account-button')).click()
    await first.page.locator(tid('page-account')).waitFor()
    const sessionRows = first.page.locator(`${tid('sessions-table')} .el-table__body tr`)
    await sessionRows.nth(1).waitFor()
    assert.equal(await sessionRows.count(), 2)
    assert.equal(await first.page.locator(tid('session-current')).count(), 1)
    await shot(first.page, 'signin-account-sessions.png')
    await first.page.locator(tid('session-end')).click()
    await first.page.locator('.el-message-box__btns button', { hasText: '结束会话' }).click()
    await first.page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, `[data-testid="sessions-table"] .el-table__body tr`)
    // The ended browser is sent to the login page at its next request.
    await other.page.locator(tid('menu-applications')).click()
    await other.page.waitForURL((u) => new URL(u).pathname === '/login', { timeout: TIMEOUT })

    // The password is the user's to change (POST /api/v1/me/password); the new one signs in.
    const newPassword = 'Xinmima#2026e2e'
    await first.page.locator(field('account-current-password')).fill(INITIAL_PASSWORD)
    await first.page.locator(field('account-password')).fill(newPassword)
    await first.page.locator(field('account-password-confirm')).fill(newPassword)
    await first.page.locator(tid('account-password-submit')).click()
    await waitForText(first.page.locator('.el-message'), '密码已修改')
    await tryLogin(other.page, roaming.phone, newPassword)
    // Back where the session ended (the login page keeps the path it was sent from).
    await other.page.waitForURL((u) => new URL(u).pathname === '/applications', { timeout: TIMEOUT })
    await waitForText(other.page.locator(tid('header-user')), roaming.name)
  } catch (e) {
    for (const [i, p] of pages.entries()) await p.page.screenshot({ path: join(SCREENSHOT_DIR, `failure-signin-${i}.png`) }).catch(() => {})
    throw e
  } finally {
    for (const p of pages) await p.context.close().catch(() => {})
  }
})
