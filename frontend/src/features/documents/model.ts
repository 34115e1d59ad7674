// 材料附件、通知书与归档 (documents): types and the pure logic of the documents section of an
// application (file status, sizes, hashes, who may upload, client-side checks of a chosen file)
// and a poller with backoff for what background jobs produce (verification of an upload,
// rendering of a notice, packing of the archive). Its Chinese labels are in labels.ts.
import type { paths } from '@/api/schema'

// ---- types, taken from the operations (not schema names) like src/api/types.ts

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never
export type DocumentList = Json<paths['/api/v1/applications/{id}/documents']['get']['responses'][200]>
export type DocFile = NonNullable<DocumentList['files']>[number]
export type DocNotice = NonNullable<DocumentList['notices']>[number]
export type DocArchive = NonNullable<DocumentList['archive']>
export type DocumentSettings = Json<paths['/api/v1/document-settings']['get']['responses'][200]>
export type DocumentLink = Json<paths['/api/v1/applications/{id}/files/{file}/download']['get']['responses'][200]>
export type FileStatus = DocFile['status']
export type NoticeKind = DocNotice['kind']
export type Retention = DocumentSettings['retention']

// ---- file status

/** A file the verification job has yet to decide on. */
export function isFilePending(f: Pick<DocFile, 'status'>): boolean {
  return f.status === 'uploaded'
}

/** A file that failed: it is kept, with the reason, but not attached to the material. */
export function isFileFlagged(f: Pick<DocFile, 'status'>): boolean {
  return f.status === 'rejected' || f.status === 'tampered'
}

/** Bounds of the county's upload limit (services/document: 1–200 MB, default 20). */
export const UPLOAD_LIMIT_MIN_MB = 1
export const UPLOAD_LIMIT_MAX_MB = 200
export const UPLOAD_LIMIT_DEFAULT_MB = 20

// ---- formatting

/** 0 B, 512 B, 1.5 KB, 20 MB, 1.25 GB: binary units, as the server's limit is counted. */
export function formatFileSize(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes) || bytes < 0) return ''
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB']
  let v = bytes / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  const text = v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, '')
  return `${text} ${units[i]}`
}

/** The first `n` hex digits of a SHA-256, enough to compare with a printed or exported copy. */
export function shortHash(sha: string | null | undefined, n = 12): string {
  if (!sha) return ''
  return sha.length > n ? sha.slice(0, n) : sha
}

export function mbToBytes(mb: number): number {
  return Math.round(mb * 1024 * 1024)
}

// ---- who may do what (the API decides; these only keep buttons away from those it refuses)

/** States in which the application still takes files (lifecycle.State.Open). */
export const OPEN_STATES = ['proxy_received', 'received', 'correcting', 'accepted', 'processing', 'paused'] as const

/**
 * Township clerks (of the application's hall) and, for a proxy application, the community
 * worker who took it in may upload while it is open. The hall / village check is the API's
 * (403 upload_not_allowed), the page only knows the roles.
 */
export function canUploadFiles(roles: readonly string[], app: { state: string; channel: string }): boolean {
  if (!(OPEN_STATES as readonly string[]).includes(app.state)) return false
  if (roles.includes('township_clerk')) return true
  return roles.includes('community_worker') && app.channel === 'proxy'
}

/** Those who issue notices (clerks, department staff) and the county admin may render one again. */
export function canRegenerateNotices(roles: readonly string[]): boolean {
  return roles.some((r) => r === 'township_clerk' || r === 'department_staff' || r === 'county_admin')
}

// ---- a chosen file, before it is sent

/** What the file chooser offers; the camera input takes photos only. */
export const FILE_ACCEPT = 'image/*,application/pdf,.ofd'
export const CAMERA_ACCEPT = 'image/*'

const ACCEPTED_TYPES: Record<string, string> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/png': 'image/png',
  'image/tiff': 'image/tiff',
  'image/tif': 'image/tiff',
  'image/x-tiff': 'image/tiff',
  'application/pdf': 'application/pdf',
  'application/x-pdf': 'application/pdf',
  'application/ofd': 'application/ofd',
  'application/x-ofd': 'application/ofd',
  'application/vnd.ofd': 'application/ofd',
}
const ACCEPTED_EXTENSIONS: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  pdf: 'application/pdf',
  ofd: 'application/ofd',
}
const UNKNOWN_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream'])

export const ACCEPTED_TYPES_TEXT = 'JPEG、PNG、TIFF 图片或 PDF、OFD 文档'

function extension(name: string): string {
  const i = name.lastIndexOf('.')
  return i >= 0 ? name.slice(i + 1).toLowerCase() : ''
}

/**
 * The Content-Type to send: the browser's type when it is one the server accepts, the type of
 * the extension when the browser does not know (OFD usually comes as ''), else
 * application/octet-stream, which declares nothing: the server sniffs the content either way.
 */
export function uploadContentType(file: { type: string; name: string }): string {
  const t = file.type.toLowerCase().split(';')[0]!.trim()
  if (ACCEPTED_TYPES[t]) return ACCEPTED_TYPES[t]!
  if (UNKNOWN_TYPES.has(t)) return ACCEPTED_EXTENSIONS[extension(file.name)] ?? 'application/octet-stream'
  return 'application/octet-stream'
}

/**
 * Why a chosen file cannot be sent, in Chinese, or null. The size limit is the county's
 * (GET /api/v1/document-settings); null limitMb skips that check (the server still applies it).
 */
export function fileProblem(file: { name: string; size: number; type: string }, limitMb: number | null): string | null {
  if (file.size === 0) return `「${file.name}」是空文件，请重新选择`
  if (limitMb != null && limitMb > 0 && file.size > mbToBytes(limitMb)) {
    return `「${file.name}」大小为 ${formatFileSize(file.size)}，超过本县规定的单个文件上限 ${limitMb} MB，请压缩图片或分页扫描后再上传`
  }
  const t = file.type.toLowerCase().split(';')[0]!.trim()
  const knownType = !!ACCEPTED_TYPES[t]
  const knownExt = !!ACCEPTED_EXTENSIONS[extension(file.name)]
  if (!knownType && !knownExt && !UNKNOWN_TYPES.has(t)) {
    return `「${file.name}」不是可接受的文件类型，只接受${ACCEPTED_TYPES_TEXT}`
  }
  return null
}

/** The upload URL of the streamed channel. */
export function uploadUrl(applicationId: string, material: string, filename: string): string {
  const q = new URLSearchParams({ material })
  const name = filename.trim().slice(0, 200)
  if (name) q.set('filename', name)
  return `/api/v1/applications/${encodeURIComponent(applicationId)}/files?${q.toString()}`
}

/** Percent of an upload, 0–100, from a progress event's loaded/total. */
export function uploadPercent(loaded: number, total: number): number {
  if (!total || total <= 0) return 0
  return Math.max(0, Math.min(100, Math.floor((loaded / total) * 100)))
}

// ---- the listing

export interface MaterialFiles {
  key: string
  name: string
  required: boolean
  files: DocFile[]
}

/**
 * The files of each material, in the order of the application's checklist; files of a key
 * not on it (should not happen) come last under their key.
 */
export function filesByMaterial(
  materials: readonly { key?: string; name: string; required: boolean }[],
  files: readonly DocFile[],
): MaterialFiles[] {
  const out: MaterialFiles[] = materials.map((m) => ({ key: m.key ?? '', name: m.name, required: m.required, files: [] }))
  const byKey = new Map(out.map((m) => [m.key, m]))
  for (const f of files) {
    let m = byKey.get(f.material_key)
    if (!m) {
      m = { key: f.material_key, name: f.material_key, required: false, files: [] }
      byKey.set(m.key, m)
      out.push(m)
    }
    m.files.push(f)
  }
  return out
}

/** Puts a file (a fresh upload, or a newer reading of one) into the list, replacing its old entry. */
export function upsertFile(files: readonly DocFile[], f: DocFile): DocFile[] {
  const i = files.findIndex((x) => x.id === f.id)
  if (i < 0) return [...files, f]
  const next = [...files]
  next[i] = f
  return next
}

/** The newest notice of each kind: the one a regenerate renders again. */
export function newestNotices(notices: readonly DocNotice[]): Set<DocNotice> {
  const best = new Map<string, DocNotice>()
  for (const n of notices) {
    const b = best.get(n.kind)
    if (!b || n.version > b.version) best.set(n.kind, n)
  }
  return new Set(best.values())
}

export interface PendingWork {
  files: number
  notices: number
  archive: boolean
}

/**
 * What the background jobs have still to produce: files being verified, notices being rendered,
 * and the archive package of an archived application.
 */
export function pendingWork(list: DocumentList | null, appState?: string): PendingWork {
  const files = (list?.files ?? []).filter(isFilePending).length
  const notices = (list?.notices ?? []).filter((n) => !n.ready).length
  const archive = appState === 'archived' && !!list && !list.archive
  return { files, notices, archive }
}

export function hasPendingWork(p: PendingWork): boolean {
  return p.files > 0 || p.notices > 0 || p.archive
}

/** Files that were pending in `before` and are decided in `after` (to tell the user how it went). */
export function settledFiles(before: readonly DocFile[], after: readonly DocFile[]): DocFile[] {
  const pending = new Set(before.filter(isFilePending).map((f) => f.id))
  return after.filter((f) => pending.has(f.id) && !isFilePending(f))
}

// ---- polling with backoff

export interface BackoffOptions {
  /** First delay (ms). */
  baseMs?: number
  /** Growth per attempt. */
  factor?: number
  /** Longest delay (ms). */
  maxMs?: number
}

export const POLL_DEFAULTS = { baseMs: 1000, factor: 1.5, maxMs: 8000, timeoutMs: 3 * 60_000 }

/** Delay before poll number `attempt` (0-based): base·factor^attempt, at most maxMs. */
export function backoffDelay(attempt: number, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? POLL_DEFAULTS.baseMs
  const factor = o.factor ?? POLL_DEFAULTS.factor
  const max = o.maxMs ?? POLL_DEFAULTS.maxMs
  const n = Math.max(0, Math.floor(attempt))
  return Math.min(max, Math.round(base * Math.pow(factor, n)))
}

export interface PollerOptions extends BackoffOptions {
  /** One poll; resolves true to poll again. A rejection counts as "again" (a network blip). */
  run: () => Promise<boolean>
  /** Called once when polling stops because timeoutMs passed with work still pending. */
  onGiveUp?: () => void
  /** How long to keep polling after the last start() (ms). */
  timeoutMs?: number
  now?: () => number
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (t: unknown) => void
}

export interface Poller {
  /** Polls (again) from the shortest delay; while a poll runs, the next one is rescheduled after it. */
  start(): void
  stop(): void
  readonly active: boolean
  readonly gaveUp: boolean
}

export function createPoller(o: PollerOptions): Poller {
  const now = o.now ?? (() => Date.now())
  const setTimer = o.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms))
  const clearTimer = o.clearTimer ?? ((t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>))
  const timeout = o.timeoutMs ?? POLL_DEFAULTS.timeoutMs
  let timer: unknown = null
  let attempt = 0
  let startedAt = 0
  let running = false
  let restart = false
  let active = false
  let gaveUp = false

  const schedule = () => {
    timer = setTimer(tick, backoffDelay(attempt, o))
  }
  const tick = async () => {
    timer = null
    if (!active) return
    running = true
    let again = true
    try {
      again = await o.run()
    } catch {
      again = true
    }
    running = false
    if (!active) return
    if (restart) {
      restart = false
      attempt = 0
      startedAt = now()
      schedule()
      return
    }
    if (!again) {
      active = false
      return
    }
    if (now() - startedAt >= timeout) {
      active = false
      gaveUp = true
      o.onGiveUp?.()
      return
    }
    attempt++
    schedule()
  }

  return {
    start() {
      gaveUp = false
      active = true
      if (running) {
        restart = true
        return
      }
      if (timer !== null) clearTimer(timer)
      attempt = 0
      startedAt = now()
      schedule()
    },
    stop() {
      active = false
      restart = false
      if (timer !== null) clearTimer(timer)
      timer = null
    },
    get active() {
      return active
    },
    get gaveUp() {
      return gaveUp
    },
  }
}

/**
 * The calendar day of an instant in China (UTC+8, no daylight saving): a retention ends at
 * midnight of 1 January there, which is 31 December in UTC.
 */
export function chinaDate(iso: string | null | undefined): string {
  if (!iso) return ''
  const t = new Date(iso).getTime()
  if (Number.isNaN(t)) return iso
  return new Date(t + 8 * 3600_000).toISOString().slice(0, 10)
}

/**
 * Where the app serves a notice's PDF from its own origin (inline, under its Chinese title),
 * so a clerk's PC needs to reach only the app, not the storage.
 */
export function noticeFileURL(appId: string, n: Pick<DocNotice, 'kind' | 'version'>): string {
  return `/api/v1/applications/${encodeURIComponent(appId)}/notices/${encodeURIComponent(n.kind)}/file?version=${n.version}`
}
