// The audit page's filters as the API's query, and the action list grouped for the select.
// The labels themselves come from the server (services/auditlog/actions.go is their one source).
import type { paths } from '@/api/schema'

export type AuditQuery = NonNullable<paths['/api/v1/audit-events']['get']['parameters']['query']>
export type AuditFilterQuery = Omit<AuditQuery, 'limit' | 'before_seq'>

export interface AuditFilters {
  /** identity id, 'system', or '' for everyone */
  actor: string
  action: string
  kind: string
  /** one object (set from a row), with the name to show for it */
  objectId: string
  objectName: string
  /** [from, to] as YYYY-MM-DD, or null */
  dates: [string, string] | null
}

export const emptyFilters = (): AuditFilters => ({ actor: '', action: '', kind: '', objectId: '', objectName: '', dates: null })

/** The query for the filters; empty filters are left out. */
export function auditQuery(f: AuditFilters): AuditFilterQuery {
  const q: AuditFilterQuery = {}
  if (f.actor) q.actor_id = f.actor
  if (f.action) q.action = f.action
  if (f.kind) q.target_type = f.kind
  if (f.objectId) q.target_id = f.objectId
  if (f.dates?.[0]) q.from = f.dates[0]
  if (f.dates?.[1]) q.to = f.dates[1]
  return q
}

export interface LabelledCode {
  code: string
  label: string
  group?: string
}

/** Actions grouped by area, in the server's order, for an el-select with option groups. */
export function groupActions(actions: readonly LabelledCode[]): { group: string; options: LabelledCode[] }[] {
  const out: { group: string; options: LabelledCode[] }[] = []
  for (const a of actions) {
    const g = a.group || '其他'
    let bucket = out.find((b) => b.group === g)
    if (!bucket) out.push((bucket = { group: g, options: [] }))
    bucket.options.push(a)
  }
  return out
}
