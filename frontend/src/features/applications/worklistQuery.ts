// The worklist's filters ↔ the URL query (so a refresh keeps them) ↔ the API's query.
import type { LocationQuery, LocationQueryValue } from 'vue-router'
import type { AppState, Warning } from '@/api/types'
import { isWarning } from '@/features/applications/deadline'
import { ALL_STATES } from '@/features/applications/labels'

export interface WorklistFilters {
  states: AppState[]
  item_id: string
  hall_id: string
  warning: Warning | ''
  from: string
  to: string
  q: string
  mine: boolean
}

export function emptyFilters(): WorklistFilters {
  return { states: [], item_id: '', hall_id: '', warning: '', from: '', to: '', q: '', mine: false }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

function one(v: LocationQueryValue | LocationQueryValue[] | undefined): string {
  const x = Array.isArray(v) ? v[0] : v
  return typeof x === 'string' ? x : ''
}

/** Reads filters from the URL, dropping anything malformed. */
export function filtersFromQuery(q: LocationQuery): WorklistFilters {
  const f = emptyFilters()
  const states = one(q.state)
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is AppState => (ALL_STATES as string[]).includes(s))
  f.states = [...new Set(states)]
  f.item_id = one(q.item_id)
  f.hall_id = one(q.hall_id)
  const w = one(q.warning)
  f.warning = isWarning(w) ? w : ''
  const from = one(q.from)
  const to = one(q.to)
  f.from = DATE.test(from) ? from : ''
  f.to = DATE.test(to) ? to : ''
  f.q = one(q.q).slice(0, 50)
  f.mine = one(q.mine) === '1' || one(q.mine) === 'true'
  return f
}

/** The URL query of the filters: only the ones set, so a clean URL means no filter. */
export function filtersToQuery(f: WorklistFilters): Record<string, string> {
  const out: Record<string, string> = {}
  if (f.states.length) out.state = f.states.join(',')
  if (f.item_id) out.item_id = f.item_id
  if (f.hall_id) out.hall_id = f.hall_id
  if (f.warning) out.warning = f.warning
  if (f.from) out.from = f.from
  if (f.to) out.to = f.to
  if (f.q.trim()) out.q = f.q.trim()
  if (f.mine) out.mine = '1'
  return out
}

export interface WorklistApiQuery {
  state?: string
  item_id?: string
  hall_id?: string
  warning?: Warning
  from?: string
  to?: string
  q?: string
  mine?: boolean
  cursor?: string
  limit?: number
}

/** Query parameters of GET /api/v1/applications. */
export function filtersToApi(f: WorklistFilters, cursor = '', limit = 20): WorklistApiQuery {
  const out: WorklistApiQuery = { limit }
  if (f.states.length) out.state = f.states.join(',')
  if (f.item_id) out.item_id = f.item_id
  if (f.hall_id) out.hall_id = f.hall_id
  if (f.warning) out.warning = f.warning
  if (f.from) out.from = f.from
  if (f.to) out.to = f.to
  if (f.q.trim()) out.q = f.q.trim()
  if (f.mine) out.mine = true
  if (cursor) out.cursor = cursor
  return out
}

export function sameFilters(a: WorklistFilters, b: WorklistFilters): boolean {
  return JSON.stringify(filtersToQuery(a)) === JSON.stringify(filtersToQuery(b))
}
