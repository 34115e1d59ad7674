import type { OrgUnit, OrgUnitKind } from '@/api/types'
import { orgKindLabel } from '@/features/admin/labels'

export interface OrgTreeNode {
  id: string
  label: string
  unit: OrgUnit
  children: OrgTreeNode[]
}

/**
 * Builds the org-unit forest from parent_id links. Units whose parent is not in the list
 * (e.g. an actor who only sees a subtree) become roots. Siblings are sorted by code, then name.
 */
export function buildOrgTree(units: readonly OrgUnit[]): OrgTreeNode[] {
  const nodes = new Map<string, OrgTreeNode>()
  for (const u of units) {
    nodes.set(u.id, { id: u.id, label: `${u.name}（${orgKindLabel(u.kind)}）`, unit: u, children: [] })
  }
  const roots: OrgTreeNode[] = []
  for (const u of units) {
    const node = nodes.get(u.id)!
    const parent = u.parent_id ? nodes.get(u.parent_id) : undefined
    if (parent && parent !== node) parent.children.push(node)
    else roots.push(node)
  }
  const sort = (list: OrgTreeNode[]) => {
    list.sort((a, b) => a.unit.code.localeCompare(b.unit.code) || a.unit.name.localeCompare(b.unit.name, 'zh-CN'))
    for (const n of list) sort(n.children)
  }
  sort(roots)
  return roots
}

/** Names from the root down to the unit, e.g. ['示范县', '城关镇']. */
export function orgPathNames(units: readonly OrgUnit[], id: string): string[] {
  const byId = new Map(units.map((u) => [u.id, u]))
  const out: string[] = []
  const seen = new Set<string>()
  let cur = byId.get(id)
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id)
    out.unshift(cur.name)
    cur = cur.parent_id ? byId.get(cur.parent_id) : undefined
  }
  return out
}

const CHILD_KINDS: Record<OrgUnitKind, OrgUnitKind[]> = {
  county: ['township', 'street', 'department'],
  township: ['village', 'community'],
  street: ['community', 'village'],
  department: ['department'],
  village: [],
  community: [],
}

/**
 * Kinds offered first when adding a unit under a parent of the given kind; the rest follow so
 * an unusual structure is still possible (the server has the final say). A county is never a child.
 */
export function childKindsOf(parent: OrgUnitKind | undefined): OrgUnitKind[] {
  const all: OrgUnitKind[] = ['township', 'street', 'department', 'village', 'community']
  const first = parent ? CHILD_KINDS[parent] : []
  return [...first, ...all.filter((k) => !first.includes(k))]
}
