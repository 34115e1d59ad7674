// The signed-in worker's outbox (待发送): the queue's entries as reactive state for the badge,
// the banner and the 待发送 page, and the sending schedule — at once when an intake is queued,
// when the link comes back (the online event), every TICK_MS for what is due (each entry's
// backoff decides), and by hand (立即发送 / 重试).
import { computed, reactive, readonly } from 'vue'
import {
  type NewEntry,
  type QueueEntry,
  deleteEntry,
  enqueue,
  forgetOld,
  getEntry,
  listEntries,
  openQueue,
  pendingCount,
  putEntry,
  requeue,
} from '@/features/offline/queue'
import { type Transport, httpTransport, sendDue, sendEntry } from '@/features/offline/sender'
import { network, onReconnect } from '@/features/offline/network'

const TICK_MS = 10_000

const state = reactive<{ owner: string; entries: QueueEntry[]; sending: boolean; error: string }>({
  owner: '',
  entries: [],
  sending: false,
  error: '',
})

export const outbox = readonly(state)
/** 等待网络, 正在发送 and 失败: what the badge counts. */
export const outboxPending = computed(() => pendingCount(state.entries as QueueEntry[]))

let db: Promise<IDBDatabase> | null = null
let transport: Transport = httpTransport

function database(): Promise<IDBDatabase> {
  db ??= openQueue()
  db.catch(() => {
    db = null
  })
  return db
}

/** Tests hand their own transport and database. */
export function useOutboxBackend(t: Transport, d?: Promise<IDBDatabase>): void {
  transport = t
  if (d) db = d
}

export async function refreshOutbox(): Promise<void> {
  if (!state.owner) return
  try {
    state.entries = await listEntries(await database(), state.owner)
  } catch (e) {
    state.error = e instanceof Error ? e.message : String(e)
  }
}

let timer: ReturnType<typeof setInterval> | undefined
let stopReconnect: (() => void) | undefined

/** Starts the outbox for the signed-in identity (once per sign-in; a new owner restarts it). */
export async function startOutbox(owner: string): Promise<void> {
  if (state.owner === owner) return
  stopOutbox()
  state.owner = owner
  state.entries = []
  try {
    await forgetOld(await database(), owner)
  } catch {
    // nothing to forget, or no IndexedDB: the list says so
  }
  await refreshOutbox()
  stopReconnect = onReconnect(() => void sendOutbox(false))
  timer = setInterval(() => {
    if (network.online) void sendOutbox(false)
  }, TICK_MS)
  if (network.online) void sendOutbox(false)
}

export function stopOutbox(): void {
  clearInterval(timer)
  timer = undefined
  stopReconnect?.()
  stopReconnect = undefined
  state.owner = ''
  state.entries = []
}

let running: Promise<void> | null = null
let again = false

/**
 * Sends what is due (manual: everything waiting or refused, without the backoff). Rounds never
 * overlap in one tab; a trigger during a round runs one more round after it. Between tabs and
 * triggers, the queue's lease (claim) lets one send an entry.
 */
export function sendOutbox(manual: boolean): Promise<void> {
  if (!state.owner) return Promise.resolve()
  if (running) {
    again ||= manual
    return running
  }
  running = (async () => {
    state.sending = true
    try {
      let m = manual
      do {
        again = false
        await sendDue(await database(), state.owner, transport, { manual: m })
        await refreshOutbox()
        m = again
      } while (again)
    } catch (e) {
      state.error = e instanceof Error ? e.message : String(e)
    } finally {
      state.sending = false
      running = null
    }
  })()
  return running
}

/** Sends one entry now (its 重试 button, or the intake form right after queueing). */
export async function sendOne(id: string): Promise<QueueEntry | null> {
  const r = await sendEntry(await database(), id, transport, { manual: true })
  await refreshOutbox()
  return r
}

/** Queues an intake (it gets its keys now); `draft` keeps it unsent until the worker sends it. */
export async function queueIntake(n: Omit<NewEntry, 'owner'>, draft = false): Promise<QueueEntry> {
  const d = await database()
  let e = await enqueue(d, { ...n, owner: state.owner })
  if (draft) {
    e = { ...e, state: 'draft' }
    await putEntry(d, e)
  }
  await refreshOutbox()
  return e
}

/** Queues an edited draft or refused entry again, keeping its Idempotency-Key. */
export async function requeueIntake(id: string, n: Omit<NewEntry, 'owner'>, draft = false): Promise<QueueEntry | null> {
  const e = await requeue(await database(), id, n, Date.now(), draft)
  await refreshOutbox()
  return e
}

export async function outboxEntry(id: string): Promise<QueueEntry | undefined> {
  const e = await getEntry(await database(), id)
  return e && e.owner === state.owner ? e : undefined
}

export async function removeFromOutbox(id: string): Promise<void> {
  const e = await outboxEntry(id)
  if (e && e.state !== 'sending') await deleteEntry(await database(), id)
  await refreshOutbox()
}
