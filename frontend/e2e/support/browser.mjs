// What every browser test shares: where the server and Chromium are, selectors for Element
// Plus fields, waiting without Playwright's expect (not part of playwright-core), screenshots
// once transitions settle, and launching Debian's Chromium for this closed network.
import { mkdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const HERE = dirname(fileURLToPath(import.meta.url))
export const BASE_URL = (process.env.YC_E2E_BASE_URL || '').replace(/\/+$/, '')
export const SCREENSHOT_DIR = resolve(process.env.YC_E2E_SCREENSHOT_DIR || join(HERE, '../../../docs/screenshots'))
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

export const tid = (id) => `[data-testid="${id}"]`
/** The <input>/<textarea> of an ElInput: Element Plus puts extra attributes on the element itself. */
export const field = (id) =>
  `:is(input[data-testid="${id}"], textarea[data-testid="${id}"], [data-testid="${id}"] input, [data-testid="${id}"] textarea)`

/** Polls until the locator's text contains `text`. */
export async function waitForText(locator, text, timeout) {
  const deadline = Date.now() + timeout
  let last = ''
  while (Date.now() < deadline) {
    try {
      last = (await locator.first().innerText({ timeout: 1000 })) ?? ''
      if (last.includes(text)) return last
    } catch {
      // not attached yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out waiting for ${JSON.stringify(text)}; last text was ${JSON.stringify(last)}`)
}

/** Lets dialogs, message boxes, toasts and loading masks go before a screenshot. */
export async function shot(page, name, opts = {}) {
  await page.locator('.el-message-box__wrapper:visible, .el-overlay:visible').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {})
  await page.locator('.el-message').first().waitFor({ state: 'hidden', timeout: 6000 }).catch(() => {})
  await page.locator('.el-loading-mask:visible').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {})
  await page.waitForTimeout(500)
  await page.screenshot({ path: join(SCREENSHOT_DIR, name), ...opts })
}

/** Starts headless Chromium; without the background-networking flags it keeps dialling Google. */
export async function launch() {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}
