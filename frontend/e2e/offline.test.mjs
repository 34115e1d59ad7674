// Offline proxy intake on a phone (issue 15 item 3), against a server with the demo county:
// 刘芳 (community worker) opens the app online once — the service worker keeps the app and the
// catalogue she saw — then loses the link, takes in a proxy application with a 委托书 photo
// and a material's photo, sees it 等待网络 in 待发送, reloads the page still offline (the app
// and the catalogue open from the service worker, the queue from IndexedDB), gets the link
// back, presses 立即发送 twice on top of the automatic send, and the server holds exactly ONE
// application for the resident, with one 委托书 file and one material file.
//   YC_E2E_BASE_URL=http://127.0.0.1:8080 node --test e2e/offline.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { SCREENSHOT_DIR, field, launch, shot, tid, waitForText as waitFor } from './support/browser.mjs'
import { DESKTOP, ENV_ERROR, PHONE, TIMEOUT, apiGet, apiSend, pad, rand, residentId, signIn } from './support/session.mjs'

const waitForText = (locator, text, timeout = TIMEOUT) => waitFor(locator, text, timeout)
const WORKER = { phone: '13900000004', name: '刘芳' } // community_worker, 东关社区

const HAN = '春夏秋冬梅兰竹菊松柏江河湖海山川云雨风雪'
const applicant = {
  name: '孙' + Array.from({ length: 3 }, () => HAN[rand(HAN.length)]).join(''),
  idNo: residentId(),
  phone: '139' + pad(rand(1e8), 8),
}

/** A small JPEG as a phone's camera hands it over (the server sniffs the content). */
const jpeg = (n) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), randomBytes(n)])

let browser
before(async () => {
  if (!ENV_ERROR) browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('e2e environment is configured', () => {
  if (ENV_ERROR) assert.fail(ENV_ERROR.message)
})

/** Polls an async check in the page (waitForFunction would take its promise for a truthy value). */
async function until(page, what, fn, arg, timeout = 60_000) {
  const deadline = Date.now() + timeout
  while (Date.now() < deadline) {
    if (await page.evaluate(fn, arg).catch(() => false)) return
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** The outbox entries as IndexedDB holds them (without the Blobs). */
const queued = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('yichuang-offline')
        req.onerror = () => reject(req.error)
        req.onsuccess = () => {
          const all = req.result.transaction('submissions').objectStore('submissions').getAll()
          all.onsuccess = () => resolve(all.result.map((e) => ({ id: e.id, key: e.key, state: e.state, files: e.files.map((f) => ({ key: f.key, material: f.material, sent: !!f.sent })), applicationId: e.applicationId })))
          all.onerror = () => reject(all.error)
        }
      }),
  )

test('a community worker takes a proxy application offline; it is sent once when the link returns', { skip: !!ENV_ERROR }, async () => {
  const { context, page } = await signIn(browser, WORKER, PHONE)
  if (process.env.YC_E2E_DEBUG) {
    page.on('console', (m) => console.log('console', m.type(), m.text()))
    page.on('requestfailed', (r) => console.log('failed', r.url(), r.failure()?.errorText))
    page.on('response', (r) => r.url().includes('/api/') && console.log('response', r.status(), r.url(), r.fromServiceWorker()))
  }
  try {
    // The installable app: a manifest in zh-CN with PNG icons, a service worker in control.
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]')?.getAttribute('href')
      const r = await fetch(href)
      return { type: r.headers.get('Content-Type'), body: await r.json() }
    })
    assert.equal(manifest.type, 'application/manifest+json')
    assert.equal(manifest.body.lang, 'zh-CN')
    assert.ok(manifest.body.icons.some((i) => i.sizes === '512x512' && i.type === 'image/png'), 'a 512 px PNG icon')
    const sw = await page.evaluate(async () => {
      const r = await fetch('/sw.js')
      return { type: r.headers.get('Content-Type'), cache: r.headers.get('Cache-Control') }
    })
    assert.deepEqual(sw, { type: 'text/javascript; charset=utf-8', cache: 'no-cache' })
    await page.waitForFunction(() => !!navigator.serviceWorker?.controller, null, { timeout: 30_000 })
    // Her own me is kept so the signed-in app opens offline.
    await until(page, 'me to be kept', async () => !!(await (await caches.open('yc-data')).match('/api/v1/me')))

    // Online once on 收件: the catalogue she sees is kept (the list and every item's detail).
    await page.locator(tid('nav-toggle')).click()
    await page.locator(tid('menu-intake')).click()
    await page.waitForURL((u) => new URL(u).pathname === '/intake')
    await page.locator(tid('intake-item-option')).first().waitFor()
    const optionCount = await page.locator(tid('intake-item-option')).count()
    await until(
      page,
      `the ${optionCount} items' details to be kept`,
      async (n) => {
        const c = await caches.open('yc-data')
        const urls = (await c.keys()).map((r) => new URL(r.url).pathname)
        return urls.filter((p) => /^\/api\/v1\/items\/[0-9a-f-]{36}$/.test(p)).length >= n
      },
      optionCount,
    )
    // Nothing personal is kept by the service worker: no worklist, no application.
    const kept = await page.evaluate(async () => (await (await caches.open('yc-data')).keys()).map((r) => new URL(r.url).pathname))
    assert.ok(kept.every((p) => p === '/api/v1/me' || p.startsWith('/api/v1/items')), `only the catalogue and me are kept: ${kept.join(', ')}`)

    // The link goes. The page says so; a reload still opens the app and the catalogue.
    await context.setOffline(true)
    await page.locator(tid('offline-banner')).waitFor()
    await page.reload()
    await page.locator(tid('page-intake')).waitFor()
    await page.locator(tid('offline-banner')).waitFor()
    await waitForText(page.locator(tid('intake-offline-note')), '离线：显示的是上次同步的内容')
    await page.locator(tid('intake-item-option')).first().waitFor()

    // Proxy intake, offline: item (searched in the kept list), materials, applicant, 委托, photos.
    await page.locator(field('intake-item-search')).fill('临时救助')
    const option = page.locator(tid('intake-item-option'), { hasText: '临时救助' }).first()
    await option.waitFor()
    await option.click()
    await waitForText(page.locator(tid('intake-item-name')), '临时救助')
    const required = page.locator('[data-testid^="intake-material-"]').filter({ has: page.locator('.el-tag', { hasText: /^必要$/ }) })
    for (let i = 0, n = await required.count(); i < n; i++) await required.nth(i).click()
    await page.locator(field('intake-applicant-name')).fill(applicant.name)
    await page.locator(field('intake-id-no')).fill(applicant.idNo)
    await page.locator(tid('intake-id-ok')).waitFor()
    await page.locator(field('intake-phone')).fill(applicant.phone)
    await page.locator(field('intake-document')).fill('委托书已签字按手印')
    await page.locator(tid('intake-photo-input-authorization')).setInputFiles({ name: '委托书.jpg', mimeType: 'image/jpeg', buffer: jpeg(30_000) })
    const firstMaterial = page.locator('[data-testid^="intake-photo-input-"]:not([data-testid$="-authorization"])').first()
    const materialKey = (await firstMaterial.getAttribute('data-testid')).replace('intake-photo-input-', '')
    await firstMaterial.setInputFiles({ name: '身份证.jpg', mimeType: 'image/jpeg', buffer: jpeg(50_000) })
    assert.equal(await page.locator(tid('intake-photo')).count(), 2, 'two photos with the intake')
    await waitForText(page.locator(tid('intake-submit')), '保存，联网后发送')
    await page.locator(tid('intake-submit')).click()

    // 待发送: waiting for the network, counted in the header.
    await page.waitForURL((u) => new URL(u).pathname === '/outbox')
    const item = page.locator(tid('outbox-item'), { hasText: applicant.name })
    await waitForText(item.locator(tid('outbox-state')), '等待网络')
    await waitForText(page.locator(tid('outbox-badge')), '1')
    const [entry] = (await queued(page)).filter((e) => e.state === 'waiting')
    assert.ok(entry, 'the intake is in IndexedDB')
    assert.match(entry.key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'its Idempotency-Key is a UUID from the moment it was queued')
    assert.deepEqual(entry.files.map((f) => f.material).sort(), ['authorization', materialKey].sort())
    await shot(page, 'offline-queue-phone.png', { fullPage: true })

    // Reload offline: the queue is still there, still waiting, with the same key.
    await page.reload()
    await page.locator(tid('page-outbox')).waitFor()
    await waitForText(page.locator(tid('outbox-item'), { hasText: applicant.name }).locator(tid('outbox-state')), '等待网络')
    assert.equal((await queued(page)).find((e) => e.id === entry.id)?.key, entry.key, 'the key survives a reload')

    // The link returns: the online event sends it; 立即发送 pressed twice on top must not duplicate.
    await context.setOffline(false)
    const sendNow = page.locator(tid('outbox-send-now'))
    await Promise.all([sendNow.click({ force: true }).catch(() => {}), sendNow.click({ force: true }).catch(() => {})])
    await waitForText(item.locator(tid('outbox-state')), '已发送', 60_000)
    await page.locator(tid('offline-banner')).waitFor({ state: 'hidden' })
    const sent = (await queued(page)).find((e) => e.id === entry.id)
    assert.equal(sent.state, 'sent')
    assert.ok(sent.files.every((f) => f.sent), 'both photos uploaded')
    assert.equal(sent.key, entry.key, 'sent with the key it was queued with')

    // Exactly ONE application on the server for this resident, with one file per photo.
    const list = await apiGet(page, `/api/v1/applications?q=${encodeURIComponent(applicant.name)}`)
    assert.equal(list.status, 200)
    assert.equal(list.body.items.length, 1, `one application for ${applicant.name}: ${JSON.stringify(list.body.items.map((i) => i.id))}`)
    const id = list.body.items[0].id
    assert.equal(id, sent.applicationId)
    assert.equal(list.body.items[0].channel, 'proxy')

    // The key again, as a retry that never heard the answer would send it: the same application.
    const again = await apiSend(
      page,
      'POST',
      '/api/v1/applications',
      {
        item_id: (await apiGet(page, `/api/v1/applications/${id}`)).body.item.id,
        applicant: { kind: 'person', name: applicant.name, id_no: applicant.idNo, phone: applicant.phone },
        materials: [],
        authorization: { signed_on: new Date().toISOString().slice(0, 10), document: '委托书已签字按手印' },
      },
      { 'Idempotency-Key': entry.key },
    )
    assert.equal(again.body?.id, id, `a retry with the key answers with the first application: ${again.status}`)
    // So does a photo's key: the same file, not a second one.
    const docs = await apiGet(page, `/api/v1/applications/${id}/documents`)
    const files = docs.body.files ?? []
    assert.equal(files.filter((f) => f.material_key === 'authorization').length, 1, 'one 委托书 file')
    assert.equal(files.filter((f) => f.material_key === materialKey).length, 1, 'one material file')
    assert.deepEqual(files.map((f) => f.id).sort(), sent.files.map((f) => f.key).sort(), 'each file has the id its key gave it')
    assert.equal((await apiGet(page, `/api/v1/applications?q=${encodeURIComponent(applicant.name)}`)).body.items.length, 1, 'still one application')

    // The sent entry keeps its summary and a link to the application; the badge has nothing left.
    await waitForText(item, '待乡镇受理')
    assert.equal(await item.locator(tid('outbox-open')).getAttribute('href'), `/applications/${id}`)
    await page.locator(`${tid('outbox-badge')} .el-badge__content`).waitFor({ state: 'hidden' })
  } catch (e) {
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'failure-offline.png'), fullPage: true }).catch(() => {})
    throw e
  } finally {
    await context.close()
  }
})

test('offline, the worklist says 离线 instead of 没有办件', { skip: !!ENV_ERROR }, async () => {
  const { context, page } = await signIn(browser, WORKER, DESKTOP)
  try {
    await page.locator(tid('menu-applications')).click()
    await page.locator(tid('page-applications')).waitFor()
    await context.setOffline(true)
    await page.locator(tid('offline-banner')).waitFor()
    // A search while offline finds nothing to load: the list says why.
    await page.locator(field('filter-q')).fill('不存在的申请人' + rand(1e6))
    await page.locator(field('filter-q')).press('Enter')
    await waitForText(page.locator(`${tid('worklist-table')} .el-table__empty-text`), '离线，无法加载')
    assert.doesNotMatch(await page.locator(tid('page-applications')).innerText(), /没有符合条件的办件/)
  } finally {
    await context.close()
  }
})
