// @vitest-environment node
// The offline queue (src/features/offline) on fake-indexeddb: what is kept, that a retry keeps
// its Idempotency-Keys, that two triggers send once, and what a refusal leaves editable.
// Node's own Blob (structured-cloned by fake-indexeddb), hence the node environment.
import { describe, expect, it } from 'vitest'
import { IDBFactory } from 'fake-indexeddb'
import { ApiError } from '@/api/problem'
import {
  type NewEntry,
  type QueuedFile,
  SENT_KEEP_MS,
  backoffMs,
  claim,
  enqueue,
  forgetOld,
  getEntry,
  isDue,
  listEntries,
  openQueue,
  pendingCount,
  requeue,
} from '@/features/offline/queue'
import { type Transport, classify, sendDue, sendEntry } from '@/features/offline/sender'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const fresh = () => openQueue('test', new IDBFactory())

function intake(over: Partial<NewEntry> = {}): NewEntry {
  return {
    owner: 'worker-1',
    itemId: 'item-1',
    itemName: '临时救助申请',
    applicantName: '王秀兰',
    body: { item_id: 'item-1', applicant: { kind: 'person', name: '王秀兰', id_no: '11010519491231002X', phone: '13912345678' } },
    form: { name: '王秀兰' },
    files: [
      { material: 'authorization', label: '代办委托书', name: '委托书.jpg', type: 'image/jpeg', size: 5, blob: new Blob(['weituo'], { type: 'image/jpeg' }) },
      { material: 'id', label: '居民身份证', name: '身份证.jpg', type: 'image/jpeg', size: 4, blob: new Blob(['idno'], { type: 'image/jpeg' }) },
    ],
    ...over,
  }
}

/**
 * A server that keeps what the real one keeps: one application per Idempotency-Key and one
 * file per photo key. `fail` makes the next calls fail (before or after the server acted).
 */
function fakeServer() {
  const apps = new Map<string, string>()
  const files = new Map<string, { app: string; material: string; bytes: string }>()
  const calls: string[] = []
  const plan: Array<'offline' | 'lost' | ApiError> = []
  const t: Transport = {
    async intake(_body, key) {
      calls.push(`intake ${key}`)
      const p = plan.shift()
      if (p === 'offline') throw new ApiError(0, null)
      if (p instanceof ApiError) throw p
      if (!apps.has(key)) apps.set(key, `app-${apps.size + 1}`)
      if (p === 'lost') throw new ApiError(0, null) // made, but the answer never came
      return { id: apps.get(key)!, receipt_no: '' }
    },
    async upload(app, f: QueuedFile) {
      calls.push(`upload ${f.key}`)
      const p = plan.shift()
      if (p === 'offline') throw new ApiError(0, null)
      if (p instanceof ApiError) throw p
      if (!files.has(f.key)) files.set(f.key, { app, material: f.material, bytes: await f.blob!.text() })
      if (p === 'lost') throw new ApiError(0, null)
      return { id: f.key }
    },
  }
  return { apps, files, calls, plan, t }
}

const invalidId = new ApiError(422, {
  status: 422,
  title: 'Unprocessable Entity',
  code: 'invalid',
  message: '身份证号码有误：校验码不正确',
  errors: [{ location: 'body.applicant.id_no', message: '身份证号码有误：校验码不正确' }],
})

describe('offline queue (IndexedDB)', () => {
  it('keeps the form, the photos as Blobs and a UUID Idempotency-Key per entry and per photo, for its owner only', async () => {
    const db = await fresh()
    const e = await enqueue(db, intake(), 1000)
    expect(e.key).toMatch(UUID)
    expect(e.state).toBe('waiting')
    expect(new Set([e.key, ...e.files.map((f) => f.key)]).size).toBe(3)
    for (const f of e.files) expect(f.key).toMatch(UUID)

    const [stored] = await listEntries(db, 'worker-1')
    expect(stored!.key).toBe(e.key)
    expect(stored!.files[0]!.blob).toBeInstanceOf(Blob)
    expect(await stored!.files[0]!.blob!.text()).toBe('weituo')
    expect(stored!.files[0]!.blob!.type).toBe('image/jpeg')
    expect((stored!.body!.applicant as Record<string, string>).id_no).toBe('11010519491231002X')
    expect(await listEntries(db, 'worker-2')).toEqual([])
    expect(pendingCount([stored!])).toBe(1)
  })

  it('offline: waits with backoff and the same keys; when the link returns it sends once and keeps only the summary', async () => {
    const db = await fresh()
    const s = fakeServer()
    const e = await enqueue(db, intake(), 1000)

    s.plan.push('offline')
    const r1 = await sendEntry(db, e.id, s.t, { now: () => 2000 })
    expect(r1!.state).toBe('waiting')
    expect(r1!.error!.message).toContain('网络未连接')
    expect(r1!.nextAttemptAt).toBe(2000 + backoffMs(1))
    expect(isDue(r1!, 2000 + backoffMs(1) - 1)).toBe(false)
    // Not due yet: an automatic round leaves it; 立即发送 does not wait.
    expect(await sendDue(db, 'worker-1', s.t, { now: () => 3000 })).toEqual([])

    const [r2] = await sendDue(db, 'worker-1', s.t, { now: () => 3000, manual: true })
    expect(r2!.state).toBe('sent')
    expect(r2!.applicationId).toBe('app-1')
    expect(s.calls.filter((c) => c.startsWith('intake'))).toEqual([`intake ${e.key}`, `intake ${e.key}`])
    expect(s.apps.size).toBe(1)
    expect([...s.files.values()].map((f) => [f.material, f.bytes])).toEqual([
      ['authorization', 'weituo'],
      ['id', 'idno'],
    ])
    // Sent: the resident's data and the photos leave the phone; the list keeps the summary.
    const kept = (await getEntry(db, e.id))!
    expect(kept.body).toBeNull()
    expect(kept.form).toBeNull()
    expect(kept.files.every((f) => f.blob === undefined && f.sent)).toBe(true)
    expect(kept.applicantName).toBe('王秀兰')
    expect(pendingCount([kept])).toBe(0)
    // A sent entry is never sent again.
    expect(await sendEntry(db, e.id, s.t, { manual: true })).toBeNull()
  })

  it('a lost answer (the server made it, the phone never heard) does not duplicate the application or a photo', async () => {
    const db = await fresh()
    const s = fakeServer()
    const e = await enqueue(db, intake(), 0)
    s.plan.push('lost')
    expect((await sendEntry(db, e.id, s.t, { now: () => 1 }))!.state).toBe('waiting')
    s.plan.push(undefined as never, 'lost') // the intake answers; the first photo's answer is lost
    expect((await sendEntry(db, e.id, s.t, { now: () => 1e6, manual: true }))!.state).toBe('waiting')
    const done = await sendEntry(db, e.id, s.t, { now: () => 2e6, manual: true })
    expect(done!.state).toBe('sent')
    expect(s.apps.size).toBe(1)
    expect(s.files.size).toBe(2)
    const uploads = s.calls.filter((c) => c.startsWith('upload'))
    // The first photo went twice with one key, the second once.
    expect(uploads).toEqual([`upload ${e.files[0]!.key}`, `upload ${e.files[0]!.key}`, `upload ${e.files[1]!.key}`])
  })

  it('two triggers at once (the online event and the timer, or two tabs) send it once', async () => {
    const db = await fresh()
    const s = fakeServer()
    const e = await enqueue(db, intake(), 0)
    const results = await Promise.all([
      sendEntry(db, e.id, s.t, { manual: true }),
      sendEntry(db, e.id, s.t, { manual: true }),
      sendDue(db, 'worker-1', s.t, { manual: true }),
    ])
    expect(s.calls.filter((c) => c.startsWith('intake'))).toHaveLength(1)
    expect(results.flat().filter((r) => r?.state === 'sent')).toHaveLength(1)
    // A tab that died while sending lets go after its lease.
    const db2 = await fresh()
    const e2 = await enqueue(db2, intake(), 0)
    expect(await claim(db2, e2.id, 10)).not.toBeNull()
    expect(await claim(db2, e2.id, 20, true)).toBeNull()
    expect(await claim(db2, e2.id, 10 + 3 * 60_000)).not.toBeNull()
  })

  it('a problem+json refusal is shown per field and leaves the entry editable, with its key, until the worker fixes it', async () => {
    const db = await fresh()
    const s = fakeServer()
    const e = await enqueue(db, intake(), 0)
    s.plan.push(invalidId)
    const r = await sendEntry(db, e.id, s.t, { now: () => 5 })
    expect(r!.state).toBe('failed')
    expect(r!.error).toEqual({ status: 422, message: '身份证号码有误：校验码不正确', fields: { 'applicant.id_no': '身份证号码有误：校验码不正确' } })
    expect(pendingCount([r!])).toBe(1)
    // Automatic rounds leave a refusal alone.
    expect(await sendDue(db, 'worker-1', s.t, { now: () => 1e9 })).toEqual([])

    const fixed = intake({ body: { item_id: 'item-1', applicant: { id_no: '110105194912310021' } }, files: [] })
    const again = await requeue(db, e.id, fixed, 10)
    expect(again!.state).toBe('waiting')
    expect(again!.key).toBe(e.key)
    expect(again!.error).toBeUndefined()
    expect((await sendEntry(db, e.id, s.t, { now: () => 11 }))!.state).toBe('sent')
    expect(s.apps.size).toBe(1)
  })

  it('classifies: no answer, 5xx, 429 and 401 wait and retry; other refusals need the worker', () => {
    expect(classify(new ApiError(0, null)).retry).toBe(true)
    expect(classify(new TypeError('Failed to fetch')).retry).toBe(true)
    expect(classify(new ApiError(503, null)).retry).toBe(true)
    expect(classify(new ApiError(429, null)).retry).toBe(true)
    expect(classify(new ApiError(401, null)).error.message).toContain('登录后自动发送')
    expect(classify(invalidId).retry).toBe(false)
    expect(classify(new ApiError(403, null)).retry).toBe(false)
  })

  it('backs off 5 s, 10 s, 20 s … up to 5 minutes; forgets sent entries after a week', async () => {
    expect([0, 1, 2, 3, 4].map(backoffMs)).toEqual([0, 5000, 10000, 20000, 40000])
    expect(backoffMs(50)).toBe(300000)
    const db = await fresh()
    const s = fakeServer()
    const e = await enqueue(db, intake(), 0)
    await sendEntry(db, e.id, s.t, { now: () => 100 })
    await enqueue(db, intake(), 200)
    expect(await forgetOld(db, 'worker-1', 100 + SENT_KEEP_MS - 1)).toBe(0)
    expect(await forgetOld(db, 'worker-1', 101 + SENT_KEEP_MS)).toBe(1)
    expect((await listEntries(db, 'worker-1')).map((x) => x.state)).toEqual(['waiting'])
  })
})
