// Browser test of an application's documents against a server with the demo county (`make run`)
// whose River workers run the documents queue (verification, notice rendering):
//   1. 张伟 (township clerk, 城关镇) takes in a 临时救助申请 at the window, uploads a scan of the
//      居民身份证 through the page's 材料附件 (streamed upload), sees it become 已校验 with its size
//      and SHA-256, accepts the application, sees the 受理通知书 appear (生成中 → 已生成) and opens
//      it: a PDF (application/pdf, %PDF) in a new tab.
//   2. 刘芳 (community worker, 东关社区) takes in a proxy application on a phone and attaches a photo
//      through the camera input: large touch targets, no horizontal scrolling.
//   YC_E2E_BASE_URL=http://127.0.0.1:8080 YC_E2E_ACCOUNTS=/tmp/accounts.json node --test e2e/documents.test.mjs
// Each run makes new applications with a random applicant and changes no settings, so it neither
// depends on nor disturbs the other browser tests. Screenshots: documents-files.png,
// documents-notice.png, documents-phone.png in YC_E2E_SCREENSHOT_DIR.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { BASE_URL, SCREENSHOT_DIR, field, launch, shot, tid, waitForText as waitFor } from './support/browser.mjs'
import { DESKTOP, ENV_ERROR, pad, PHONE, rand, residentId, signIn as signInAs, TIMEOUT } from './support/session.mjs'

/** Background jobs (verification, rendering a PDF) on a busy machine. */
const JOB_TIMEOUT = 90_000
const waitForText = (locator, text, timeout = TIMEOUT) => waitFor(locator, text, timeout)

const USERS = {
  clerk: { phone: '13900000003', name: '张伟' }, // township_clerk, 城关镇
  worker: { phone: '13900000004', name: '刘芳' }, // community_worker, 东关社区 (城关镇)
}

let setupError = ENV_ERROR

// ---- a valid 1×1 PNG, built here

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
/** One pixel, RGBA, of the given colour: a different colour gives a different SHA-256. */
function png1x1(r, g, b) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(1, 0) // width
  ihdr.writeUInt32BE(1, 4) // height
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // colour type RGBA
  const raw = Buffer.from([0, r, g, b, 255]) // filter byte 0, one pixel
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex')

// ---- the applicant: random each run

const HAN = '春夏秋冬梅兰竹菊松柏江河湖海山川云雨风雪'
const newApplicant = (surname) => ({
  name: surname + Array.from({ length: 2 }, () => HAN[rand(HAN.length)]).join(''),
  id_no: residentId(),
  phone: '137' + pad(rand(1e8), 8),
})

// ---- browser helpers

let browser

before(async () => {
  if (setupError) return
  browser = await launch()
})

after(async () => {
  await browser?.close()
})


/** A fresh context signed in as `user`, on the workbench. */
const signIn = (user, device = DESKTOP) => signInAs(browser, user, device)

async function step(name, user, device, fn) {
  const { context, page } = await signIn(user, device)
  try {
    await fn(page)
  } catch (e) {
    await page.screenshot({ path: join(SCREENSHOT_DIR, `failure-documents-${name}.png`), fullPage: true }).catch(() => {})
    throw e
  } finally {
    await context.close()
  }
}

/**
 * Takes in a 临时救助申请 with the signed-in session (the intake form has its own browser test):
 * every required material ticked; a proxy application when `authorization` is given. Returns the
 * application's id and the key of its 居民身份证 material.
 */
async function intake(page, applicant, authorization) {
  const res = await page.evaluate(
    async ({ applicant, authorization }) => {
      const get = async (url) => {
        const r = await fetch(url)
        if (!r.ok) throw new Error(`GET ${url}: ${r.status} ${await r.text()}`)
        return r.json()
      }
      const list = await get('/api/v1/items?q=' + encodeURIComponent('临时救助申请'))
      const row = (list.items ?? []).find((i) => i.name === '临时救助申请' && i.published_version)
      if (!row) throw new Error('no published 临时救助申请 in the catalogue')
      const item = await get(`/api/v1/items/${row.id}`)
      const materials = item.published?.materials ?? []
      const idCard = materials.find((m) => m.name === '居民身份证')
      if (!idCard) throw new Error('临时救助申请 lists no 居民身份证')
      const body = {
        item_id: row.id,
        applicant: { kind: 'person', ...applicant },
        materials: materials.map((m) => ({ key: m.key, provided: !!m.required })),
        ...(authorization ? { authorization } : {}),
      }
      const r = await fetch('/api/v1/applications', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID(), 'X-Requested-With': 'yichuang' },
        body: JSON.stringify(body),
      })
      if (r.status !== 201) throw new Error(`intake: ${r.status} ${await r.text()}`)
      const app = await r.json()
      return { id: app.id, state: app.state, idKey: idCard.key }
    },
    { applicant, authorization },
  )
  assert.match(res.id, /^[0-9a-f-]{36}$/)
  return res
}

async function openApplication(page, id) {
  await page.goto(`${BASE_URL}/applications/${id}`)
  await page.locator(tid('page-application')).waitFor()
  await page.locator(tid('docs-files')).waitFor()
}

/** Opens an action's dialog, lets `fill` complete it, confirms, and waits for the dialog to close. */
async function act(page, action, fill) {
  await page.locator(tid(`action-${action}`)).click()
  const dialog = page.locator('.el-dialog:visible', { has: page.locator(tid('action-confirm')) })
  await dialog.waitFor()
  if (fill) await fill(dialog)
  await dialog.locator(tid('action-confirm')).click()
  const err = page.locator(tid('action-error'))
  await Promise.race([
    dialog.waitFor({ state: 'hidden' }),
    err.waitFor({ state: 'visible' }).then(async () => {
      throw new Error(`action ${action} failed: ${await err.innerText()}`)
    }),
  ])
}

/** Waits for a locator's attribute to have a value (polling, like waitForText). */
async function waitForAttr(locator, name, value, timeout) {
  const deadline = Date.now() + timeout
  let last = null
  while (Date.now() < deadline) {
    last = await locator.getAttribute(name, { timeout: 1000 }).catch(() => null)
    if (last === value) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`timed out waiting for ${name}=${JSON.stringify(value)}; last was ${JSON.stringify(last)}`)
}

test('e2e environment is configured', () => {
  if (setupError) assert.fail(setupError.message)
})

const skip = !!setupError && 'environment missing (see the failing test above)'

test('1. 张伟 attaches the 身份证 scan, accepts, and opens the 受理通知书 as a PDF', { skip }, async () => {
  const applicant = newApplicant('钱')
  const png = png1x1(rand(256), rand(256), rand(256))
  const sum = sha256(png)
  await step('1-clerk', USERS.clerk, DESKTOP, async (page) => {
    const app = await intake(page, applicant)
    assert.equal(app.state, 'received', 'a window intake is 已接件')
    await openApplication(page, app.id)
    await waitForText(page.locator(tid('detail-applicant')), applicant.name)
    await waitForText(page.locator(tid('detail-state')), '已接件')

    // The county's limit is shown; no notice yet; no archive yet.
    await waitForText(page.locator(tid('docs-files')), '单个文件不超过')
    await page.locator(tid('docs-notices-empty')).waitFor()
    await page.locator(tid('docs-archive-none')).waitFor()

    // Upload through the button's file chooser: the streamed upload with the file's type.
    const material = page.locator(tid(`docs-material-${app.idKey}`))
    await waitForText(material, '居民身份证')
    const uploaded = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/applications/${app.id}/files`,
    )
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), material.locator(tid(`docs-upload-${app.idKey}`)).click()])
    assert.ok(chooser.isMultiple(), 'several scans of one material may be chosen at once')
    await chooser.setFiles({ name: '身份证正面.png', mimeType: 'image/png', buffer: png })
    const res = await uploaded
    assert.equal(res.status(), 201)
    const req = res.request()
    assert.equal(req.headers()['content-type'], 'image/png')
    assert.equal(new URL(req.url()).searchParams.get('material'), app.idKey)
    assert.equal(new URL(req.url()).searchParams.get('filename'), '身份证正面.png')
    const stored = await res.json()
    assert.equal(stored.sha256, sum, 'the server hashed what was sent')

    // 校验中 → 已校验, by polling the documents list.
    const row = material.locator(`${tid('docs-file')}[data-file-id="${stored.id}"]`)
    await row.waitFor()
    await waitForAttr(row, 'data-status', 'verified', JOB_TIMEOUT)
    await waitForText(row.locator(tid('docs-file-status')), '已校验')
    const text = await row.innerText()
    assert.ok(text.includes('身份证正面.png'), text)
    assert.ok(text.includes(`SHA-256 ${sum.slice(0, 12)}`), text)
    assert.ok(text.includes(`${png.length} B`), text)
    await row.locator(tid('docs-file-download')).waitFor()
    await material.scrollIntoViewIfNeeded()
    await page.locator(tid('docs-files')).evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await shot(page, 'documents-files.png')

    // 下载 comes from the app's own origin: the clerk's PC never talks to the storage, and the
    // save offers the file's Chinese name with the bytes that were uploaded.
    const foreign = []
    const watch = (r) => {
      if (new URL(r.url()).origin !== new URL(BASE_URL).origin) foreign.push(r.url())
    }
    page.on('request', watch)
    const [saved] = await Promise.all([page.waitForEvent('download'), row.locator(tid('docs-file-download')).click()])
    assert.equal(saved.suggestedFilename(), '身份证正面.png')
    const got = await readFile(await saved.path())
    assert.equal(createHash('sha256').update(got).digest('hex'), sum, 'the downloaded bytes are those uploaded')
    page.off('request', watch)
    assert.deepEqual(foreign, [], 'every request of the download went to the app itself')

    // Accept: the step issues the 受理通知书, rendered by a job.
    await act(page, 'accept', async (dialog) => {
      assert.ok((await dialog.locator('[data-testid^="tick-"]').count()) > 0)
    })
    await waitForText(page.locator(tid('detail-state')), '已受理')
    const notice = page.locator(tid('docs-notice-accepted'))
    await notice.waitFor()
    await waitForText(notice, '受理通知书')
    await waitForAttr(notice, 'data-ready', 'true', JOB_TIMEOUT)
    await waitForText(notice.locator(tid('docs-notice-status')), '已生成')
    const noticeText = await notice.innerText()
    assert.match(noticeText, /SHA-256 [0-9a-f]{12}/, noticeText)
    assert.match(noticeText, /第 \d+ 版/, noticeText)
    await notice.locator(tid('docs-notice-regenerate')).waitFor() // a clerk may render it again
    await page.locator(tid('docs-notices')).evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await shot(page, 'documents-notice.png')

    // 查看/打印: the new tab opens the PDF from the app's own origin (not the storage's), served
    // inline under its Chinese title, in the browser's PDF viewer (issue 15 item 7).
    const isNotice = (u) => new URL(u).origin === new URL(BASE_URL).origin && /\/notices\/accepted\/file$/.test(new URL(u).pathname)
    const pdf = page.context().waitForEvent('response', { predicate: (r) => isNotice(r.url()), timeout: TIMEOUT })
    const popup = page.context().waitForEvent('page')
    await notice.locator(tid('docs-notice-view')).click()
    const pdfRes = await pdf
    assert.equal(pdfRes.status(), 200)
    assert.match(pdfRes.headers()['content-type'] ?? '', /^application\/pdf/)
    assert.match(decodeURIComponent(pdfRes.headers()['content-disposition'] ?? ''), /^inline; filename\*=UTF-8''受理通知书-.*-第1版\.pdf$/)
    // Fetched again with the page's session (a tab's PDF body is not kept by the browser).
    const bytes = await (await page.context().request.get(pdfRes.url())).body()
    assert.equal(bytes.subarray(0, 4).toString('latin1'), '%PDF', 'the notice is a PDF')
    const tab = await popup
    await tab.waitForURL((u) => isNotice(u.href), { timeout: TIMEOUT })
    await tab.close()
  })
})

test('2. 刘芳 photographs a material on a phone for a proxy application', { skip }, async () => {
  const applicant = newApplicant('孙')
  const png = png1x1(rand(256), rand(256), rand(256))
  await step('2-phone', USERS.worker, PHONE, async (page) => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    const app = await intake(page, applicant, { signed_on: today, document: '委托书已签字按手印' })
    assert.equal(app.state, 'proxy_received')
    await openApplication(page, app.id)
    await waitForText(page.locator(tid('detail-state')), '代办收件')

    const material = page.locator(tid(`docs-material-${app.idKey}`))
    const camera = material.locator(tid(`docs-camera-input-${app.idKey}`))
    assert.equal(await camera.getAttribute('capture'), 'environment')
    assert.equal(await camera.getAttribute('accept'), 'image/*')
    assert.equal(await material.locator(tid(`docs-input-${app.idKey}`)).getAttribute('accept'), 'image/*,application/pdf,.ofd')
    for (const id of [`docs-upload-${app.idKey}`, `docs-camera-${app.idKey}`]) {
      const box = await material.locator(tid(id)).boundingBox()
      assert.ok(box && box.height >= 44 && box.width >= 44, `${id} is a large touch target (${box?.width}×${box?.height})`)
    }

    // What the camera hands the page.
    await camera.setInputFiles({ name: 'IMG_0001.png', mimeType: 'image/png', buffer: png })
    const row = material.locator(tid('docs-file')).first()
    await row.waitFor()
    await waitForAttr(row, 'data-status', 'verified', JOB_TIMEOUT)
    await waitForText(row, '已校验')
    const download = row.locator(tid('docs-file-download'))
    const box = await download.boundingBox()
    assert.ok(box && box.height >= 44, `下载 is a large touch target (${box?.height}px high)`)

    const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }))
    assert.ok(widths.doc <= widths.view, `no horizontal scrolling at 390 px: ${JSON.stringify(widths)}`)
    await material.evaluate((el) => el.scrollIntoView({ block: 'center' }))
    await shot(page, 'documents-phone.png')
  })
})
