// The single place that decides which roles see which pages. The side menu and the route guard
// both read it, so a new feature adds one entry here (and its route in src/router).
import type { Component } from 'vue'
import { House, OfficeBuilding, User, Document } from '@element-plus/icons-vue'
import type { Role } from '@/api/types'

export type MenuKey = 'home' | 'org-units' | 'staff' | 'audit'

export interface MenuItem {
  key: MenuKey
  title: string
  path: string
  icon: Component
  /** Roles that may see the item and open its page; 'all' = every signed-in actor. */
  roles: readonly Role[] | 'all'
}

export const ADMIN_ROLES: readonly Role[] = ['county_admin']

export const MENU: readonly MenuItem[] = [
  { key: 'home', title: '工作台', path: '/', icon: House, roles: 'all' },
  { key: 'org-units', title: '组织机构', path: '/org-units', icon: OfficeBuilding, roles: ADMIN_ROLES },
  { key: 'staff', title: '人员账号', path: '/staff', icon: User, roles: ADMIN_ROLES },
  { key: 'audit', title: '审计日志', path: '/audit', icon: Document, roles: ADMIN_ROLES },
]

export function rolesAllow(actorRoles: readonly string[], allowed: readonly Role[] | 'all'): boolean {
  if (allowed === 'all') return true
  return actorRoles.some((r) => (allowed as readonly string[]).includes(r))
}

/** Menu items visible to an actor holding the given roles, in menu order. */
export function menuForRoles(actorRoles: readonly string[]): MenuItem[] {
  return MENU.filter((item) => rolesAllow(actorRoles, item.roles))
}

export function menuItem(key: MenuKey): MenuItem {
  const item = MENU.find((m) => m.key === key)
  if (!item) throw new Error(`unknown menu key ${key}`)
  return item
}

/** data-testid of a menu entry, e.g. menu-staff. */
export function menuTestId(key: MenuKey): string {
  return `menu-${key}`
}
