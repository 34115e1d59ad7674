// Ory Kratos browser login flow in JSON mode, through the Go server's proxy at /.ory/kratos/public.
export const KRATOS_PUBLIC = '/.ory/kratos/public'

export interface KratosMessage {
  id: number
  text: string
  type: 'error' | 'info' | 'success' | string
  context?: Record<string, unknown>
}

export interface KratosNode {
  type: string
  group: string
  attributes: { name?: string; value?: unknown; type?: string; node_type?: string; [k: string]: unknown }
  messages?: KratosMessage[]
}

export interface LoginFlow {
  id: string
  ui: { action?: string; method?: string; nodes: KratosNode[]; messages?: KratosMessage[] }
}

export const LOGIN_EXPIRED = '登录已过期，请重新登录'
export const INVALID_CREDENTIALS = '手机号或密码错误'

/** Message ids of Kratos v1.3 (github.com/ory/kratos/text/id.go) that a login form can show. */
const MESSAGES_ZH: Record<number, string> = {
  4000001: '输入有误，请检查后重试',
  4000002: '请填写此项',
  4000003: '长度不足',
  4000004: '格式不正确',
  4000005: '密码不符合安全要求',
  4000006: INVALID_CREDENTIALS,
  4000007: '该手机号已存在账号',
  4000009: '账号缺少登录标识，请联系管理员',
  4000010: '账号尚未激活，请联系管理员',
  4010001: LOGIN_EXPIRED,
  4010002: '登录方式无效，请检查填写内容',
  4010003: LOGIN_EXPIRED,
  4060004: '链接无效或已被使用，请重新操作',
  4060005: '找回密码流程已过期，请重新操作',
  4060006: '验证码无效或已被使用',
  5000001: '认证服务出错，请稍后重试',
}

/** Ids meaning the flow itself is dead: the form must get a new flow before the user retries. */
export const FLOW_EXPIRED_IDS: ReadonlySet<number> = new Set([4010001, 4010003, 4060005])

export function kratosMessageToChinese(msg: Pick<KratosMessage, 'id' | 'text'>): string {
  const zh = MESSAGES_ZH[msg.id]
  if (zh) return zh
  if (msg.id >= 1000000 && msg.id < 2000000) return msg.text // info texts: shown as is
  return `登录失败：${msg.text}`
}

export function csrfToken(flow: LoginFlow): string {
  const node = flow.ui.nodes.find((n) => n.attributes?.name === 'csrf_token')
  const v = node?.attributes.value
  return typeof v === 'string' ? v : ''
}

export interface FlowErrors {
  /** Messages for the whole form (ui.messages, and node messages of nodes without a form field). */
  form: string[]
  /** Messages per form field, keyed by our field names. */
  fields: { identifier?: string; password?: string }
  /** True when the flow expired and a new one is needed. */
  expired: boolean
}

/** Only error messages; Kratos also returns info messages (e.g. 1010001 "Sign in") that are labels. */
export function flowErrors(flow: LoginFlow): FlowErrors {
  const out: FlowErrors = { form: [], fields: {}, expired: false }
  const isError = (m: KratosMessage) => m.type === 'error'
  for (const m of flow.ui.messages ?? []) {
    if (!isError(m)) continue
    if (FLOW_EXPIRED_IDS.has(m.id)) out.expired = true
    out.form.push(kratosMessageToChinese(m))
  }
  for (const n of flow.ui.nodes ?? []) {
    for (const m of n.messages ?? []) {
      if (!isError(m)) continue
      if (FLOW_EXPIRED_IDS.has(m.id)) out.expired = true
      const zh = kratosMessageToChinese(m)
      const name = n.attributes?.name
      if (name === 'identifier' || name === 'password') {
        out.fields[name] = out.fields[name] ? `${out.fields[name]}；${zh}` : zh
      } else {
        out.form.push(zh)
      }
    }
  }
  out.form = [...new Set(out.form)]
  return out
}

export type CreateFlowResult =
  | { kind: 'flow'; flow: LoginFlow }
  | { kind: 'signed_in' }
  | { kind: 'error'; message: string }

type Fetch = typeof fetch

const JSON_HEADERS = { Accept: 'application/json' }

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json()
  } catch {
    return null
  }
}

function errorId(body: unknown): string | undefined {
  const e = (body as { error?: { id?: unknown } } | null)?.error
  return typeof e?.id === 'string' ? e.id : undefined
}

function isFlow(body: unknown): body is LoginFlow {
  const b = body as LoginFlow | null
  return !!b && typeof b.id === 'string' && !!b.ui && Array.isArray(b.ui.nodes)
}

/** The sign-in guard's count of failures left before the lockout (api/server FailuresLeftHeader). */
export const FAILURES_LEFT_HEADER = 'X-Signin-Failures-Left'

/** The warning shown after a wrong password when the lockout is near (at most 3 failures left). */
export function lockoutWarning(failuresLeft: number | undefined): string {
  if (failuresLeft === undefined || failuresLeft > 3) return ''
  if (failuresLeft <= 0) return '账号即将被锁定'
  return `再输错 ${failuresLeft} 次，账号将被锁定`
}

function isProblemBody(body: unknown): body is { code: string; message: string } {
  const b = body as { code?: unknown; message?: unknown } | null
  return !!b && typeof b.code === 'string' && typeof b.message === 'string' && b.message !== ''
}

function statusError(status: number): string {
  if (status === 0) return '网络连接失败，请检查网络后重试'
  if (status === 502 || status === 503 || status === 504) return '认证服务暂不可用，请稍后重试'
  return `登录服务出错（${status}），请稍后重试`
}

export async function createLoginFlow(f: Fetch = fetch): Promise<CreateFlowResult> {
  let res: Response
  try {
    res = await f(`${KRATOS_PUBLIC}/self-service/login/browser`, {
      method: 'GET',
      headers: JSON_HEADERS,
      credentials: 'include',
    })
  } catch {
    return { kind: 'error', message: statusError(0) }
  }
  const body = await readJson(res)
  if (res.ok && isFlow(body)) return { kind: 'flow', flow: body }
  if (errorId(body) === 'session_already_available') return { kind: 'signed_in' }
  return { kind: 'error', message: statusError(res.status) }
}

export type LoginResult =
  | { kind: 'ok' }
  /**
   * Rejected: show the messages; `flow` is the updated flow to reuse for the next attempt;
   * `failuresLeft` is how many more failures the app's sign-in guard allows before it locks the account.
   */
  | { kind: 'invalid'; errors: FlowErrors; flow: LoginFlow; failuresLeft?: number }
  /** Refused by the app's sign-in guard before Kratos saw it (account locked, too many attempts): show the message. */
  | { kind: 'refused'; message: string }
  /** The flow expired or the CSRF check failed: create a new flow, ask the user to retry. */
  | { kind: 'expired'; message: string }
  | { kind: 'error'; message: string }

export async function submitLogin(
  flow: LoginFlow,
  identifier: string,
  password: string,
  f: Fetch = fetch,
): Promise<LoginResult> {
  let res: Response
  try {
    res = await f(`${KRATOS_PUBLIC}/self-service/login?flow=${encodeURIComponent(flow.id)}`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'Content-Type': 'application/json' },
      credentials: 'include',
      body: JSON.stringify({ method: 'password', identifier, password, csrf_token: csrfToken(flow) }),
    })
  } catch {
    return { kind: 'error', message: statusError(0) }
  }
  if (res.ok) return { kind: 'ok' }
  const body = await readJson(res)
  if (res.status === 429 || isProblemBody(body)) {
    // The app's sign-in guard (problem+json, in Chinese) rather than Kratos.
    const message = isProblemBody(body) ? body.message : '登录尝试过于频繁，请稍后再试'
    return { kind: 'refused', message }
  }
  const id = errorId(body)
  if (id === 'session_already_available') return { kind: 'ok' }
  if (res.status === 410 || res.status === 403 || id === 'self_service_flow_expired' || id === 'security_csrf_violation') {
    return { kind: 'expired', message: `${LOGIN_EXPIRED}（已刷新，请再次点击登录）` }
  }
  if (res.status === 400 && isFlow(body)) {
    const errors = flowErrors(body)
    if (errors.expired) return { kind: 'expired', message: `${LOGIN_EXPIRED}（已刷新，请再次点击登录）` }
    if (errors.form.length === 0 && !errors.fields.identifier && !errors.fields.password) {
      errors.form.push('登录失败，请检查手机号和密码')
    }
    const left = Number.parseInt(res.headers.get(FAILURES_LEFT_HEADER) ?? '', 10)
    return Number.isFinite(left) ? { kind: 'invalid', errors, flow: body, failuresLeft: left } : { kind: 'invalid', errors, flow: body }
  }
  return { kind: 'error', message: statusError(res.status) }
}
