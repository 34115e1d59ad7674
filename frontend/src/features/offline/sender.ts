// Sends the offline queue (queue.ts): the application with its Idempotency-Key, then each
// photo with its own. Every step is safe to repeat: POST /api/v1/applications with the same key
// answers with the application the first attempt made, and POST …/files with a photo's key
// answers with the file the first attempt registered (api/server/document_file.go). A step
// done is written to IndexedDB before the next begins, so a retry starts where the last one
// stopped. The streamed upload goes through the app's own origin: a village phone need not
// reach the storage server (a presigned POST to MinIO would).
import { CSRF_HEADER, CSRF_VALUE } from '@/api/client'
import { ApiError, NETWORK_ERROR, SESSION_EXPIRED } from '@/api/problem'
import {
  type QueueEntry,
  type QueueError,
  type QueuedFile,
  backoffMs,
  claim,
  isDue,
  listEntries,
  strip,
  updateEntry,
} from '@/features/offline/queue'

export interface SentApplication {
  id: string
  receipt_no?: string
}

/** The two calls the queue makes; tests give their own. */
export interface Transport {
  intake(body: Record<string, unknown>, key: string, background: boolean): Promise<SentApplication>
  upload(applicationId: string, file: QueuedFile, background: boolean): Promise<{ id: string }>
}

async function answer<T>(res: Response): Promise<T> {
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) throw new ApiError(res.status, body, res.headers.get('Retry-After'))
  return body as T
}

function headers(background: boolean, extra: Record<string, string>): Record<string, string> {
  return {
    Accept: 'application/json, application/problem+json',
    [CSRF_HEADER]: CSRF_VALUE,
    // A round nobody asked for (the online event, the timer) must not keep an idle session
    // alive (api/server/auth.go).
    ...(background ? { 'X-Background-Request': '1' } : {}),
    ...extra,
  }
}

/**
 * The app's API through fetch directly, not the shared client: a 401 of a background send
 * must not send the worker to the login page in the middle of another form.
 */
export const httpTransport: Transport = {
  async intake(body, key, background) {
    let res: Response
    try {
      res = await fetch('/api/v1/applications', {
        method: 'POST',
        credentials: 'include',
        headers: headers(background, { 'Content-Type': 'application/json', 'Idempotency-Key': key }),
        body: JSON.stringify(body),
      })
    } catch {
      throw new ApiError(0, null)
    }
    return answer<SentApplication>(res)
  },
  async upload(applicationId, file, background) {
    if (!file.blob) throw new ApiError(0, null)
    const q = new URLSearchParams({ material: file.material, filename: file.name })
    let res: Response
    try {
      res = await fetch(`/api/v1/applications/${encodeURIComponent(applicationId)}/files?${q}`, {
        method: 'POST',
        credentials: 'include',
        headers: headers(background, { 'Content-Type': file.type || 'application/octet-stream', 'Idempotency-Key': file.key }),
        body: file.blob,
      })
    } catch {
      throw new ApiError(0, null)
    }
    return answer<{ id: string }>(res)
  },
}

/**
 * Whether a failed attempt is worth repeating by itself (no answer, the server busy or down,
 * the session gone — the worker signs in again and it goes), or a refusal the worker must see
 * and fix (a problem+json 4xx: the fields it names are shown on the form).
 */
export function classify(err: unknown): { retry: boolean; error: QueueError } {
  if (!(err instanceof ApiError)) return { retry: true, error: { status: 0, message: NETWORK_ERROR, fields: {} } }
  const error: QueueError = { status: err.status, message: err.message, fields: { ...err.pathErrors } }
  if (err.status === 0) return { retry: true, error: { ...error, message: '网络未连接，恢复后自动发送' } }
  if (err.status === 401) return { retry: true, error: { ...error, message: `${SESSION_EXPIRED}，登录后自动发送` } }
  if (err.status >= 500 || err.status === 408 || err.status === 429) return { retry: true, error }
  return { retry: false, error }
}

export interface SendOptions {
  now?: () => number
  /** 立即发送 / 重试: ignore the backoff, retry refusals. */
  manual?: boolean
}

/**
 * Sends one entry if it is due and no other tab or trigger holds it. Returns the entry as it
 * was left, or null when it was not taken.
 */
export async function sendEntry(db: IDBDatabase, id: string, t: Transport, opts: SendOptions = {}): Promise<QueueEntry | null> {
  const now = opts.now ?? Date.now
  const manual = !!opts.manual
  let e = await claim(db, id, now(), manual)
  if (!e) return null
  try {
    if (!e.applicationId) {
      if (!e.body) throw new Error('离线数据不完整')
      const app = await t.intake(e.body, e.key, !manual)
      e =
        (await updateEntry(db, id, (cur) => ({ ...cur, applicationId: app.id, receiptNo: app.receipt_no || undefined, updatedAt: now() }))) ?? e
    }
    for (const f of e.files) {
      if (f.sent) continue
      await t.upload(e.applicationId!, f, !manual)
      // The photo is on the server: its Blob goes at once (the rest of the entry may still wait).
      e = (await updateEntry(db, id, (cur) => ({ ...cur, files: cur.files.map((g) => (g.key === f.key ? { ...g, sent: true, blob: undefined } : g)) }))) ?? e
    }
    return await updateEntry(db, id, (cur) =>
      strip({ ...cur, state: 'sent', sentAt: now(), updatedAt: now(), error: undefined, leaseUntil: undefined }),
    )
  } catch (err) {
    const c = classify(err)
    return updateEntry(db, id, (cur) => ({
      ...cur,
      state: c.retry ? 'waiting' : 'failed',
      error: c.error,
      leaseUntil: undefined,
      updatedAt: now(),
      nextAttemptAt: now() + (c.error.status === 429 && err instanceof ApiError && err.retryAfter ? err.retryAfter * 1000 : backoffMs(cur.attempts)),
    }))
  }
}

/** Sends every due entry of `owner`, one after another (a slow link carries one at a time). */
export async function sendDue(db: IDBDatabase, owner: string, t: Transport, opts: SendOptions = {}): Promise<QueueEntry[]> {
  const now = opts.now ?? Date.now
  const out: QueueEntry[] = []
  for (const e of await listEntries(db, owner)) {
    if (!isDue(e, now(), !!opts.manual)) continue
    const r = await sendEntry(db, e.id, t, opts)
    if (r) out.push(r)
    // No answer at all: the link is down again; the rest waits for the next round.
    if (r?.state === 'waiting' && r.error?.status === 0) break
  }
  return out
}
