// A small stand-in for the Go server, for exercising the SPA and e2e/login.test.mjs without the
// backend: serves dist/app (history fallback), a fake Kratos login flow under /.ory/kratos/public
// and an in-memory /api/v1 that follows the contract in src/api/openapi.json.
// It is test support only; the real server is the Go binary.
import { createServer } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { extname, join, normalize } from 'node:path'

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json' }

export const DEMO_PASSWORD = 'Demo@Yichuang2026'

export function createMockServer({ distDir }) {
  const tenant = { id: randomUUID(), code: 'demo', name: '示范县' }
  const county = { id: randomUUID(), parent_id: null, kind: 'county', name: '示范县', code: 'demo', path: 'demo' }
  const town = { id: randomUUID(), parent_id: county.id, kind: 'township', name: '城关镇', code: 'chengguan', path: 'demo.chengguan' }
  const dept = { id: randomUUID(), parent_id: county.id, kind: 'department', name: '民政局', code: 'minzheng', path: 'demo.minzheng' }
  const village = { id: randomUUID(), parent_id: town.id, kind: 'village', name: '东关村', code: 'dongguan', path: 'demo.chengguan.dongguan' }
  const orgUnits = [county, town, dept, village]
  const staff = []
  const passwords = new Map()
  const addStaff = (name, phone, org, roles, scope, password) => {
    const s = { identity_id: randomUUID(), name, phone, org_unit_id: org.id, org_unit_name: org.name, roles, scope, status: 'active', created_at: new Date().toISOString() }
    staff.push(s)
    passwords.set(phone, password)
    return s
  }
  const accounts = [
    ['county_admin', '张县管', '13900000001', county, 'tenant'],
    ['department_staff', '李部门', '13900000002', dept, 'org_subtree'],
    ['township_clerk', '王窗口', '13900000003', town, 'org_subtree'],
    ['community_worker', '赵社区', '13900000004', village, 'self'],
  ].map(([role, name, phone, org, scope]) => {
    addStaff(name, phone, org, [role], scope, DEMO_PASSWORD)
    return { role, phone, password: DEMO_PASSWORD, name }
  })
  const flows = new Map() // id -> csrf
  const sessions = new Map() // token -> identity_id
  const audit = []
  const checks = new Map()
  let seq = 0
  const record = (actor, action, target_type, target_id, summary) =>
    audit.push({ seq: ++seq, at: new Date().toISOString(), actor_id: actor.identity_id, actor_name: actor.name, action, target_type, target_id, request_id: randomUUID(), summary })

  const cookies = (req) => Object.fromEntries((req.headers.cookie || '').split(';').map((c) => c.trim().split('=')).filter((p) => p.length === 2))
  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
    res.end(body === undefined ? '' : JSON.stringify(body))
  }
  const problem = (res, status, code, message, errors) =>
    send(res, status, { status, title: code, code, message, message_en: code, request_id: randomUUID(), ...(errors ? { errors } : {}) }, { 'Content-Type': 'application/problem+json' })
  const body = async (req) => {
    let s = ''
    for await (const c of req) s += c
    try { return JSON.parse(s || '{}') } catch { return {} }
  }
  const actorOf = (req) => staff.find((s) => s.identity_id === sessions.get(cookies(req).yc_session) && s.status === 'active')
  const flowJSON = (id, messages) => ({
    id,
    type: 'browser',
    ui: {
      action: `/.ory/kratos/public/self-service/login?flow=${id}`,
      method: 'POST',
      nodes: [
        { type: 'input', group: 'default', attributes: { name: 'csrf_token', type: 'hidden', value: flows.get(id), node_type: 'input' }, messages: [], meta: {} },
        { type: 'input', group: 'default', attributes: { name: 'identifier', type: 'text', value: '', node_type: 'input' }, messages: [], meta: {} },
        { type: 'input', group: 'password', attributes: { name: 'password', type: 'password', node_type: 'input' }, messages: [], meta: {} },
      ],
      ...(messages ? { messages } : {}),
    },
  })

  async function handle(req, res) {
    const url = new URL(req.url, 'http://x')
    const p = url.pathname
    const K = '/.ory/kratos/public/self-service/login'
    if (p === `${K}/browser` && req.method === 'GET') {
      if (actorOf(req)) return send(res, 400, { error: { id: 'session_already_available', code: 400, message: 'A valid session was detected' } })
      const id = randomUUID()
      flows.set(id, randomUUID())
      return send(res, 200, flowJSON(id), { 'Set-Cookie': `csrf_mock=${flows.get(id)}; Path=/; HttpOnly` })
    }
    if (p === K && req.method === 'POST') {
      const id = url.searchParams.get('flow')
      if (!flows.has(id)) return send(res, 410, { error: { id: 'self_service_flow_expired', code: 410 } })
      const b = await body(req)
      if (b.csrf_token !== flows.get(id) || cookies(req).csrf_mock !== flows.get(id)) return send(res, 403, { error: { id: 'security_csrf_violation', code: 403 } })
      const s = staff.find((x) => x.phone === b.identifier)
      if (!s || passwords.get(s.phone) !== b.password || s.status !== 'active') {
        return send(res, 400, flowJSON(id, [{ id: 4000006, text: 'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.', type: 'error' }]))
      }
      const token = randomUUID()
      sessions.set(token, s.identity_id)
      return send(res, 200, { session: { id: token, active: true } }, { 'Set-Cookie': `yc_session=${token}; Path=/; HttpOnly; SameSite=Lax` })
    }
    if (p.startsWith('/api/v1/')) {
      const actor = actorOf(req)
      if (!actor) return problem(res, 401, 'unauthenticated', '请先登录')
      if (p === '/api/v1/me') {
        const org = orgUnits.find((o) => o.id === actor.org_unit_id)
        const path = []
        for (let o = org; o; o = orgUnits.find((x) => x.id === o.parent_id)) path.unshift(o.name)
        return send(res, 200, { identity_id: actor.identity_id, name: actor.name, phone: actor.phone, tenant, org_unit: { id: org.id, name: org.name, kind: org.kind, path_names: path }, roles: actor.roles, scope: actor.scope })
      }
      if (p === '/api/v1/auth/logout' && req.method === 'POST') {
        sessions.delete(cookies(req).yc_session)
        res.writeHead(204, { 'Set-Cookie': 'yc_session=; Path=/; Max-Age=0' })
        return res.end()
      }
      if (!actor.roles.includes('county_admin')) return problem(res, 403, 'forbidden', '没有权限')
      if (p === '/api/v1/org-units' && req.method === 'GET') return send(res, 200, { items: orgUnits })
      if (p === '/api/v1/org-units' && req.method === 'POST') {
        const b = await body(req)
        if (orgUnits.some((o) => o.code === b.code)) return problem(res, 409, 'code_taken', '该编码已被使用', [{ location: 'body.code', message: '编码已存在', message_en: 'code exists', value: b.code }])
        const parent = orgUnits.find((o) => o.id === b.parent_id)
        const u = { id: randomUUID(), parent_id: b.parent_id, kind: b.kind, name: b.name, code: b.code, path: `${parent?.path}.${b.code}` }
        orgUnits.push(u)
        record(actor, 'org_unit.create', 'org_unit', u.id, { name: u.name })
        return send(res, 201, u)
      }
      if (p === '/api/v1/staff' && req.method === 'GET') {
        const limit = Number(url.searchParams.get('limit') || 50)
        const start = Number(url.searchParams.get('cursor') || 0)
        const page = staff.slice(start, start + limit)
        return send(res, 200, { items: page, next_cursor: start + limit < staff.length ? String(start + limit) : '' })
      }
      if (p === '/api/v1/staff' && req.method === 'POST') {
        const b = await body(req)
        if (staff.some((s) => s.phone === b.phone)) return problem(res, 409, 'phone_taken', '该手机号已被使用', [{ location: 'body.phone', message: '该手机号已被使用', message_en: 'phone taken', value: b.phone }])
        if (!b.password || b.password.length < 10) return problem(res, 422, 'validation', '提交的数据有误', [{ location: 'body.password', message: '密码至少 10 位', message_en: 'too short' }])
        const org = orgUnits.find((o) => o.id === b.org_unit_id)
        if (!org) return problem(res, 422, 'validation', '提交的数据有误', [{ location: 'body.org_unit_id', message: '单位不存在', message_en: 'no such unit' }])
        const s = addStaff(b.name, b.phone, org, b.roles, b.scope, b.password)
        record(actor, 'staff.create', 'staff', s.identity_id, { name: s.name, phone: s.phone, roles: s.roles })
        return send(res, 201, s)
      }
      const dis = /^\/api\/v1\/staff\/([^/]+)\/disable$/.exec(p)
      if (dis && req.method === 'POST') {
        const s = staff.find((x) => x.identity_id === dis[1])
        if (!s) return problem(res, 404, 'not_found', '人员不存在')
        s.status = 'disabled'
        record(actor, 'staff.disable', 'staff', s.identity_id, { name: s.name })
        return send(res, 200, s)
      }
      if (p === '/api/v1/audit-events') {
        const limit = Number(url.searchParams.get('limit') || 50)
        const before = Number(url.searchParams.get('before_seq') || 0)
        const items = [...audit].reverse().filter((e) => !before || e.seq < before).slice(0, limit)
        const last = items.at(-1)
        return send(res, 200, { items, next_before_seq: last && last.seq > 1 && items.length === limit ? last.seq : 0 })
      }
      if (p === '/api/v1/audit-checks' && req.method === 'POST') {
        const c = { id: randomUUID(), status: 'queued', polls: 0 }
        checks.set(c.id, c)
        return send(res, 202, { id: c.id, status: 'queued' })
      }
      const chk = /^\/api\/v1\/audit-checks\/([^/]+)$/.exec(p)
      if (chk) {
        const c = checks.get(chk[1])
        if (!c) return problem(res, 404, 'not_found', '校验任务不存在')
        if (++c.polls < 2) return send(res, 200, { id: c.id, status: 'queued' })
        return send(res, 200, { id: c.id, status: 'done', ok: true, rows_checked: audit.length, first_bad_seq: null, finished_at: new Date().toISOString() })
      }
      return problem(res, 404, 'not_found', '接口不存在')
    }
    if (p === '/healthz' || p === '/readyz') return send(res, 200, { status: 'ok' })
    // static + history fallback
    const file = normalize(join(distDir, decodeURIComponent(p)))
    if (file.startsWith(distDir)) {
      try {
        if ((await stat(file)).isFile()) {
          res.writeHead(200, { 'Content-Type': MIME[extname(file)] || 'application/octet-stream' })
          return res.end(await readFile(file))
        }
      } catch { /* fall through */ }
    }
    if (p.startsWith('/assets/')) return send(res, 404, { error: 'not found' })
    res.writeHead(200, { 'Content-Type': MIME['.html'] })
    res.end(await readFile(join(distDir, 'index.html')))
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      console.error(e)
      if (!res.headersSent) problem(res, 500, 'internal', '服务器错误')
    })
  })
  return { server, accounts }
}
