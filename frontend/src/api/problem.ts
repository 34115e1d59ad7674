// Turns errors from /api/v1 (application/problem+json) and network failures into Chinese text.
import type { Problem } from './types'

export const SERVICE_UNAVAILABLE = '服务暂不可用，请稍后重试'
export const NETWORK_ERROR = '网络连接失败，请检查网络后重试'
export const SESSION_EXPIRED = '登录已失效，请重新登录'

const STATUS_FALLBACK: Record<number, string> = {
  400: '请求参数有误',
  401: SESSION_EXPIRED,
  403: '没有权限执行此操作',
  404: '请求的资源不存在',
  409: '数据冲突，请刷新后重试',
  413: '提交的内容过大',
  422: '提交的数据有误，请检查后重试',
  429: '操作过于频繁，请稍后再试',
  503: SERVICE_UNAVAILABLE,
}

export function isProblem(body: unknown): body is Problem {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { status?: unknown }).status === 'number' &&
    typeof (body as { message?: unknown }).message === 'string'
  )
}

/** Chinese message for a failed call; status 0 means the request never got an answer. */
export function problemMessage(status: number, body: unknown): string {
  if (status === 503) {
    // A dependency that is down is named (文件存储服务（MinIO）…, 数据库（PostgreSQL）…).
    if (isProblem(body) && /_unavailable$/.test(String(body.code ?? '')) && /[\u4e00-\u9fff]/.test(body.message)) return body.message
    return SERVICE_UNAVAILABLE
  }
  if (status === 0) return NETWORK_ERROR
  if (isProblem(body) && body.message.trim() !== '') return body.message
  const fallback = STATUS_FALLBACK[status]
  if (fallback) return fallback
  if (status >= 500) return `服务器出错（${status}），请稍后重试`
  return `请求失败（${status}）`
}

/**
 * Field errors keyed by form field: `body.phone` → `phone`, `body.roles[1]` → `roles`,
 * `body.org_unit_id` → `org_unit_id`. Locations outside the body (query, path, header) are
 * not form fields and are left out. Several errors on one field are joined.
 */
export function problemFieldErrors(body: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isProblem(body) || !Array.isArray(body.errors)) return out
  for (const e of body.errors) {
    if (!e || typeof e.location !== 'string') continue
    const m = /^body\.([A-Za-z_][A-Za-z0-9_]*)/.exec(e.location)
    if (!m || !m[1]) continue
    const field = m[1]
    const msg = (e.message || e.message_en || '').trim()
    if (!msg) continue
    out[field] = out[field] ? `${out[field]}；${msg}` : msg
  }
  return out
}

/**
 * Field errors keyed by their full path below the body: `body.applicant.id_no` →
 * `applicant.id_no`, `body.materials[2].condition` → `materials[2].condition`. For nested forms
 * (intake, catalogue items) whose inputs sit deeper than the top level.
 */
export function problemPathErrors(body: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isProblem(body) || !Array.isArray(body.errors)) return out
  for (const e of body.errors) {
    if (!e || typeof e.location !== 'string' || !e.location.startsWith('body.')) continue
    const path = e.location.slice('body.'.length)
    const msg = (e.message || e.message_en || '').trim()
    if (!path || !msg) continue
    out[path] = out[path] ? `${out[path]}；${msg}` : msg
  }
  return out
}

/** One problem of an imported workbook (errors[].value carries sheet, row and column). */
export interface SheetError {
  sheet: string
  row: number | null
  column: string
  message: string
}

export function problemSheetErrors(body: unknown): SheetError[] {
  if (!isProblem(body) || !Array.isArray(body.errors)) return []
  return body.errors
    .filter((e) => e && typeof e === 'object')
    .map((e) => {
      const v = (e.value && typeof e.value === 'object' ? e.value : {}) as Record<string, unknown>
      const row = typeof v.row === 'number' ? v.row : Number.isFinite(Number(v.row)) && v.row !== '' && v.row != null ? Number(v.row) : null
      return {
        sheet: typeof v.sheet === 'string' ? v.sheet : '',
        row: row && row > 0 ? row : null,
        column: v.column == null ? '' : String(v.column),
        message: (e.message || e.message_en || '').trim(),
      }
    })
}

/**
 * A Retry-After header in seconds: delay-seconds (what this server sends) or an HTTP date;
 * null when absent or unreadable.
 */
export function retryAfterSeconds(v: string | null | undefined, now = Date.now()): number | null {
  if (v == null || v.trim() === '') return null
  const t = v.trim()
  if (/^\d+$/.test(t)) return Number(t)
  const at = Date.parse(t)
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000))
}

export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem | null
  readonly fieldErrors: Record<string, string>
  readonly pathErrors: Record<string, string>
  readonly requestId: string | undefined
  readonly code: string
  /** Seconds the server asks to wait before trying again (Retry-After), or null. */
  readonly retryAfter: number | null

  constructor(status: number, body: unknown, retryAfter?: string | null) {
    super(problemMessage(status, body))
    this.name = 'ApiError'
    this.status = status
    this.problem = isProblem(body) ? body : null
    this.fieldErrors = problemFieldErrors(body)
    this.pathErrors = problemPathErrors(body)
    this.requestId = this.problem?.request_id
    this.code = typeof this.problem?.code === 'string' ? this.problem.code : ''
    this.retryAfter = retryAfterSeconds(retryAfter)
  }
}

/** Chinese message for anything thrown by an API call. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message
  if (err instanceof TypeError) return NETWORK_ERROR
  if (err instanceof Error && /[\u4e00-\u9fff]/.test(err.message)) return err.message
  return '操作失败，请稍后重试'
}
