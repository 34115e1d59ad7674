// The workbench's 待办 cards per role: each is a worklist filter whose count is shown.
import type { AppState, Warning } from '@/api/types'

export interface TodoCard {
  key: string
  title: string
  states: AppState[]
  warning: Warning | ''
}

const card = (key: string, title: string, states: AppState[], warning: Warning | '' = ''): TodoCard => ({ key, title, states, warning })

const BY_ROLE: Record<string, TodoCard[]> = {
  community_worker: [
    card('to-forward', '待转交乡镇', ['proxy_received']),
    card('correcting', '补正中', ['correcting']),
    card('to-deliver', '待送达', ['decided']),
  ],
  township_clerk: [
    card('to-accept', '待受理', ['received']),
    card('correcting', '补正中', ['correcting']),
    card('to-route', '待转部门', ['accepted']),
    card('to-deliver', '待送达', ['decided']),
  ],
  department_staff: [card('processing', '部门办理中', ['processing']), card('paused', '特别程序中', ['paused'])],
  county_admin: [
    card('yellow', '临期办件', ['accepted', 'processing', 'paused'], 'yellow'),
    card('red', '超期办件', [], 'red'),
    card('open', '办理中', ['accepted', 'processing', 'paused']),
  ],
}

/** Cards for an actor, in role order, without duplicate keys. */
export function todoCards(roles: readonly string[]): TodoCard[] {
  const out: TodoCard[] = []
  const seen = new Set<string>()
  for (const r of ['community_worker', 'township_clerk', 'department_staff', 'county_admin']) {
    if (!roles.includes(r)) continue
    for (const c of BY_ROLE[r] ?? []) {
      if (seen.has(c.key)) continue
      seen.add(c.key)
      out.push(c)
    }
  }
  return out
}

/** "100+" when the first page was full and there is more. */
export function countText(n: number, more: boolean): string {
  return more ? `${n}+` : String(n)
}
