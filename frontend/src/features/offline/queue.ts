// The offline queue of proxy intakes (代办收件) in IndexedDB, with the plain IndexedDB API.
//
// A community worker on a village link fills in a proxy application while offline: the form,
// the 委托书 photo and the materials' photos (as Blobs) are kept here until they are sent
// (sender.ts). Each entry gets its Idempotency-Key when it is queued and keeps it across every
// retry, and each photo its own key (which becomes the file's id on the server), so a retry —
// after a lost answer, from another tab, or twice at once — never makes a second application
// or a second file.
//
// What is kept, and for how long (the residents' personal data on a phone): an unsent entry
// holds the applicant's name, ID number, phone and the photos, on the device of the worker
// who took them in, until it is sent or the worker deletes it; once sent, the entry keeps
// only what the 待发送 list shows (item, applicant's name, receipt number) — the body and the
// photos are dropped — and is forgotten after SENT_KEEP_MS. Entries are per identity (owner):
// another account signed in on the same phone neither sees nor sends them.

/** 草稿 (being edited), 等待网络, 正在发送, 已发送, 失败 (the server refused; editable again). */
export type QueueState = 'draft' | 'waiting' | 'sending' | 'sent' | 'failed'

export const STATE_LABELS: Record<QueueState, string> = {
  draft: '草稿',
  waiting: '等待网络',
  sending: '正在发送',
  sent: '已发送',
  failed: '失败',
}

/** A photo to upload after the application is registered. */
export interface QueuedFile {
  /** The upload's Idempotency-Key, a UUID: the file's id on the server. */
  key: string
  /** The material's key on the item's checklist, or 'authorization' for the 委托书. */
  material: string
  /** What the list shows: the material's name. */
  label: string
  name: string
  type: string
  size: number
  blob?: Blob
  /** Set once the server registered it. */
  sent?: boolean
}

export interface QueueError {
  /** HTTP status; 0 when there was no answer. */
  status: number
  message: string
  /** Field errors keyed by their path below the body (applicant.id_no), for the form. */
  fields: Record<string, string>
}

export interface QueueEntry {
  /** Local id (a UUID). */
  id: string
  /** The identity that took it in: only they see and send it. */
  owner: string
  /** The intake's Idempotency-Key (a UUID), fixed when it was queued. */
  key: string
  state: QueueState
  createdAt: number
  updatedAt: number
  itemId: string
  itemName: string
  applicantName: string
  /** The POST /api/v1/applications body (IntakeBody); dropped once sent. */
  body: Record<string, unknown> | null
  /** The form as the worker filled it (to edit a draft or a refused entry again). */
  form: Record<string, unknown> | null
  files: QueuedFile[]
  attempts: number
  /** Not sent automatically before this time (ms since epoch): the backoff. */
  nextAttemptAt: number
  /** While 'sending': the lease of the tab that sends it; a tab that died lets go after it. */
  leaseUntil?: number
  error?: QueueError
  /** Set once the application exists on the server (files may still be going). */
  applicationId?: string
  receiptNo?: string
  sentAt?: number
}

export const DB_NAME = 'yichuang-offline'
const STORE = 'submissions'
const VERSION = 1

/** A sent entry's summary is kept this long (a week) so the worker can look up its receipt. */
export const SENT_KEEP_MS = 7 * 24 * 3600 * 1000
/** How long a sending tab holds an entry before another may take it over. */
export const LEASE_MS = 2 * 60 * 1000

/** Opens (creating on first use) the queue's database. */
export function openQueue(name = DB_NAME, idb: IDBFactory = globalThis.indexedDB): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (!idb) {
      reject(new Error('此浏览器不支持离线保存'))
      return
    }
    const req = idb.open(name, VERSION)
    req.onupgradeneeded = () => {
      const store = req.result.createObjectStore(STORE, { keyPath: 'id' })
      store.createIndex('owner', 'owner')
    }
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
    req.onblocked = () => reject(new Error('离线数据库被其他页面占用，请关闭其他页面后重试'))
  })
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error ?? new Error('离线保存被中止'))
  })
}

export async function putEntry(db: IDBDatabase, e: QueueEntry): Promise<void> {
  const tx = db.transaction(STORE, 'readwrite')
  tx.objectStore(STORE).put(e)
  await finished(tx)
}

export async function getEntry(db: IDBDatabase, id: string): Promise<QueueEntry | undefined> {
  return (await done(db.transaction(STORE).objectStore(STORE).get(id))) as QueueEntry | undefined
}

export async function deleteEntry(db: IDBDatabase, id: string): Promise<void> {
  const tx = db.transaction(STORE, 'readwrite')
  tx.objectStore(STORE).delete(id)
  await finished(tx)
}

/** The owner's entries, oldest first. */
export async function listEntries(db: IDBDatabase, owner: string): Promise<QueueEntry[]> {
  const all = (await done(db.transaction(STORE).objectStore(STORE).index('owner').getAll(owner))) as QueueEntry[]
  return all.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
}

/**
 * Reads, changes and writes one entry in a single readwrite transaction, so two tabs (or two
 * triggers in one) never both act on what they read: IndexedDB runs readwrite transactions on
 * a store one after another. `fn` returns the new entry, or null to leave it as it was.
 * Returns what was written, or null.
 */
export async function updateEntry(
  db: IDBDatabase,
  id: string,
  fn: (e: QueueEntry) => QueueEntry | null,
): Promise<QueueEntry | null> {
  const tx = db.transaction(STORE, 'readwrite')
  const store = tx.objectStore(STORE)
  let written: QueueEntry | null = null
  const req = store.get(id)
  req.onsuccess = () => {
    const cur = req.result as QueueEntry | undefined
    if (!cur) return
    const next = fn(structuredCloneSafe(cur))
    if (next) {
      store.put(next)
      written = next
    }
  }
  await finished(tx)
  return written
}

// The entry read from IndexedDB is already a copy; this only guards fn against sharing arrays
// with what a caller may hold (files are shallow-copied, Blobs are immutable).
function structuredCloneSafe(e: QueueEntry): QueueEntry {
  return { ...e, files: e.files.map((f) => ({ ...f })) }
}

/** A new random UUID (Idempotency-Keys and local ids). */
export function uuid(c: Pick<Crypto, 'getRandomValues'> & { randomUUID?: () => string } = globalThis.crypto): string {
  if (typeof c.randomUUID === 'function') {
    try {
      return c.randomUUID()
    } catch {
      // insecure context: below
    }
  }
  const b = c.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

export interface NewEntry {
  owner: string
  itemId: string
  itemName: string
  applicantName: string
  body: Record<string, unknown>
  form: Record<string, unknown>
  files: Omit<QueuedFile, 'key' | 'sent'>[]
}

/** Queues an intake to be sent: it gets its Idempotency-Key (and each photo its own) now. */
export async function enqueue(db: IDBDatabase, n: NewEntry, now = Date.now()): Promise<QueueEntry> {
  const e: QueueEntry = {
    id: uuid(),
    owner: n.owner,
    key: uuid(),
    state: 'waiting',
    createdAt: now,
    updatedAt: now,
    itemId: n.itemId,
    itemName: n.itemName,
    applicantName: n.applicantName,
    body: n.body,
    form: n.form,
    files: n.files.map((f) => ({ ...f, key: uuid() })),
    attempts: 0,
    nextAttemptAt: now,
  }
  await putEntry(db, e)
  return e
}

/**
 * A refused entry edited by the worker, queued again. It keeps its Idempotency-Key: the server
 * refused it, so the key made nothing, and should the refusal have been a lost answer after
 * all, the server answers with the application the key made. Photos already registered stay.
 */
export async function requeue(
  db: IDBDatabase,
  id: string,
  n: Omit<NewEntry, 'owner'>,
  now = Date.now(),
  draft = false,
): Promise<QueueEntry | null> {
  return updateEntry(db, id, (e) => {
    if (e.state === 'sending' || e.state === 'sent' || e.applicationId) return null
    const sent = e.files.filter((f) => f.sent)
    return {
      ...e,
      state: draft ? 'draft' : 'waiting',
      updatedAt: now,
      itemId: n.itemId,
      itemName: n.itemName,
      applicantName: n.applicantName,
      body: n.body,
      form: n.form,
      files: [...sent, ...n.files.map((f) => ({ ...f, key: uuid() }))],
      attempts: 0,
      nextAttemptAt: now,
      error: undefined,
    }
  })
}

/** Waiting time before the next automatic attempt: 5 s, 10 s, 20 s … at most 5 minutes. */
export function backoffMs(attempts: number): number {
  if (attempts <= 0) return 0
  return Math.min(5 * 60_000, 5_000 * 2 ** Math.min(attempts - 1, 10))
}

/** Entries still to send or to look at (everything but 已发送 and drafts): the badge's count. */
export function pendingCount(entries: readonly QueueEntry[]): number {
  return entries.filter((e) => e.state === 'waiting' || e.state === 'sending' || e.state === 'failed').length
}

/** Whether an automatic round may take the entry now (manual sending ignores the backoff). */
export function isDue(e: QueueEntry, now: number, manual = false): boolean {
  if (e.state === 'sending') return (e.leaseUntil ?? 0) < now
  if (e.state === 'waiting') return manual || e.nextAttemptAt <= now
  // A refusal waits for the worker (edit, or 重试 by hand), except when only photos are left
  // (the application exists; a photo refused for a passing reason may go again).
  if (e.state === 'failed') return manual
  return false
}

/**
 * Takes the entry for sending if it is due: state 'sending' with this tab's lease, in one
 * transaction, so of two triggers (the online event and a timer, two tabs) only one sends.
 */
export function claim(db: IDBDatabase, id: string, now = Date.now(), manual = false): Promise<QueueEntry | null> {
  return updateEntry(db, id, (e) =>
    isDue(e, now, manual) ? { ...e, state: 'sending', leaseUntil: now + LEASE_MS, attempts: e.attempts + 1, updatedAt: now } : null,
  )
}

/** What remains of a sent entry: no body, no form, no photos. */
export function strip(e: QueueEntry): QueueEntry {
  return {
    ...e,
    body: null,
    form: null,
    files: e.files.map(({ blob: _blob, ...f }) => ({ ...f })),
  }
}

/** Forgets sent entries older than SENT_KEEP_MS. Returns how many. */
export async function forgetOld(db: IDBDatabase, owner: string, now = Date.now()): Promise<number> {
  let n = 0
  for (const e of await listEntries(db, owner)) {
    if (e.state === 'sent' && (e.sentAt ?? e.updatedAt) + SENT_KEEP_MS < now) {
      await deleteEntry(db, e.id)
      n++
    }
  }
  return n
}
