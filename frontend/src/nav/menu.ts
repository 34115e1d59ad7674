// The single place that decides which roles see which pages. The side menu and the route guard
// both read it, so a new feature adds one entry here (and its route in src/router).
import type { Component } from 'vue'
import {
  Avatar,
  ChatLineSquare,
  Checked,
  Finished,
  Histogram,
  List,
  Lock,
  Promotion,
  Star,
  Bell,
  Calendar,
  Coin,
  Collection,
  DataAnalysis,
  Document,
  DocumentAdd,
  House,
  Money,
  OfficeBuilding,
  Postcard,
  Setting,
  Tickets,
  TrendCharts,
  User,
  Upload,
  DataBoard,
  DataLine,
  Management,
  PieChart,
} from '@element-plus/icons-vue'
import type { Role } from '@/api/types'

export type MenuKey =
  | 'home'
  | 'intake'
  | 'outbox'
  | 'applications'
  | 'notifications'
  | 'stats'
  | 'catalogue'
  | 'calendar'
  | 'settings'
  | 'org-units'
  | 'staff'
  | 'workers'
  | 'pay-schemes'
  | 'progression'
  | 'payroll'
  | 'my-record'
  | 'audit'
  | 'access-items'
  | 'access-requests'
  | 'access-dispatch'
  | 'access-tasks'
  | 'access-burden'
  | 'rating-cases'
  | 'rating-indicators'
  | 'login-log'
  | 'published'
  | 'supervision-cards'
  | 'region'
  | 'region-dashboard'
  | 'county-dashboard'
  | 'platform'
  | 'region-login-log'

/** The areas a long menu is grouped by, in menu order, with the titles the side menu shows. */
export const MENU_GROUPS = [
  { key: 'work', title: '日常办件' },
  { key: 'access', title: '基层减负' },
  { key: 'review', title: '统计评价' },
  { key: 'rules', title: '事项与规则' },
  { key: 'workforce', title: '社区工作者' },
  { key: 'admin', title: '机构与账号' },
] as const
export type MenuGroupKey = (typeof MENU_GROUPS)[number]['key']

/** A menu longer than this (the county admin's) is shown in groups; a short one stays flat. */
export const GROUP_MENU_OVER = 10

export interface MenuItem {
  key: MenuKey
  group: MenuGroupKey
  title: string
  path: string
  icon: Component
  /** Roles that may see the item and open its page; 'all' = every signed-in actor. */
  roles: readonly Role[] | 'all'
}

export const ADMIN_ROLES: readonly Role[] = ['county_admin']
/** The county's staff: everyone who handles applications (not the platform operator). */
export const STAFF_ROLES: readonly Role[] = ['county_admin', 'department_staff', 'township_clerk', 'community_worker', 'agency_head', 'government_head']
/** Who takes in applications: the township window (窗口收件) and village/community workers (代办收件). */
export const INTAKE_ROLES: readonly Role[] = ['township_clerk', 'community_worker']
/** 我的档案: a community worker's own record, levels and pay (三岗十八级 self-service). */
export const SELF_SERVICE_ROLES: readonly Role[] = ['community_worker']
/** 准入申请: departments apply (and the reviewing ones decide), the county admin decides and oversees. */
export const ADMISSION_ROLES: readonly Role[] = ['county_admin', 'department_staff']
/** 交办任务: only a county department gives work to communities, and only under the lists. */
export const DISPATCH_ROLES: readonly Role[] = ['department_staff']
/** 我的任务: a community answers and finishes the tasks it was given. */
export const TASK_ROLES: readonly Role[] = ['community_worker']
/** 辖区监察: city and province supervisors read their region's counties (issue 16). */
export const SUPERVISOR_ROLES: readonly Role[] = ['city_supervisor', 'province_supervisor']
/** 县区管理: the platform operator's console. */
export const OPERATOR_ROLES: readonly Role[] = ['platform_operator']
/** 差评整改: the township hall calls back and rectifies; the county admin reviews. */
export const RECTIFY_ROLES: readonly Role[] = ['county_admin', 'township_clerk']

export const MENU: readonly MenuItem[] = [
  { key: 'home', group: 'work', title: '工作台', path: '/', icon: House, roles: 'all' },
  { key: 'intake', group: 'work', title: '收件', path: '/intake', icon: DocumentAdd, roles: INTAKE_ROLES },
  // 待发送: proxy intakes a community worker took offline, until they are sent (features/offline).
  { key: 'outbox', group: 'work', title: '待发送', path: '/outbox', icon: Upload, roles: SELF_SERVICE_ROLES },
  { key: 'applications', group: 'work', title: '办件列表', path: '/applications', icon: Tickets, roles: STAFF_ROLES },
  { key: 'notifications', group: 'work', title: '消息中心', path: '/notifications', icon: Bell, roles: STAFF_ROLES },
  { key: 'my-record', group: 'work', title: '我的档案', path: '/my-record', icon: Postcard, roles: SELF_SERVICE_ROLES },
  { key: 'access-tasks', group: 'access', title: '我的任务', path: '/access/tasks', icon: Finished, roles: TASK_ROLES },
  { key: 'access-dispatch', group: 'access', title: '交办任务', path: '/access/dispatch', icon: Promotion, roles: DISPATCH_ROLES },
  { key: 'access-requests', group: 'access', title: '准入申请', path: '/access/requests', icon: Checked, roles: ADMISSION_ROLES },
  { key: 'access-items', group: 'access', title: '准入清单', path: '/access/items', icon: List, roles: STAFF_ROLES },
  { key: 'rating-cases', group: 'review', title: '差评整改', path: '/ratings/cases', icon: ChatLineSquare, roles: RECTIFY_ROLES },
  { key: 'stats', group: 'review', title: '办件统计', path: '/stats', icon: DataAnalysis, roles: ADMIN_ROLES },
  { key: 'rating-indicators', group: 'review', title: '好差评指标', path: '/ratings/indicators', icon: Star, roles: ADMIN_ROLES },
  { key: 'access-burden', group: 'access', title: '减负统计', path: '/access/burden', icon: Histogram, roles: ADMIN_ROLES },
  { key: 'catalogue', group: 'rules', title: '事项目录', path: '/catalogue', icon: Collection, roles: ADMIN_ROLES },
  { key: 'calendar', group: 'work', title: '工作日历', path: '/calendar', icon: Calendar, roles: STAFF_ROLES },
  { key: 'settings', group: 'rules', title: '规则设置', path: '/settings', icon: Setting, roles: ADMIN_ROLES },
  { key: 'org-units', group: 'admin', title: '组织机构', path: '/org-units', icon: OfficeBuilding, roles: ADMIN_ROLES },
  { key: 'staff', group: 'admin', title: '人员账号', path: '/staff', icon: User, roles: ADMIN_ROLES },
  { key: 'workers', group: 'workforce', title: '社区工作者', path: '/workers', icon: Avatar, roles: ADMIN_ROLES },
  { key: 'pay-schemes', group: 'workforce', title: '薪酬方案', path: '/pay-schemes', icon: Coin, roles: ADMIN_ROLES },
  { key: 'progression', group: 'workforce', title: '年度晋级', path: '/progression', icon: TrendCharts, roles: ADMIN_ROLES },
  { key: 'payroll', group: 'workforce', title: '工资表', path: '/payroll', icon: Money, roles: ADMIN_ROLES },
  { key: 'audit', group: 'admin', title: '审计日志', path: '/audit', icon: Document, roles: ADMIN_ROLES },
  { key: 'login-log', group: 'admin', title: '登录日志', path: '/login-log', icon: Lock, roles: ADMIN_ROLES },
  { key: 'published', group: 'review', title: '上报数据', path: '/supervision/published', icon: Upload, roles: ADMIN_ROLES },
  // 督办事项: the cards the city and province raised on the county, and the replies to their 督办.
  { key: 'supervision-cards', group: 'review', title: '督办事项', path: '/supervision/cards', icon: Management, roles: ADMIN_ROLES },
  { key: 'county-dashboard', group: 'review', title: '本县看板', path: '/supervision/dashboard', icon: PieChart, roles: ADMIN_ROLES },
  { key: 'region', group: 'review', title: '辖区监察', path: '/region', icon: DataBoard, roles: SUPERVISOR_ROLES },
  { key: 'region-dashboard', group: 'review', title: '监察看板', path: '/region/dashboard', icon: DataLine, roles: SUPERVISOR_ROLES },
  { key: 'platform', group: 'admin', title: '县区管理', path: '/platform', icon: Management, roles: OPERATOR_ROLES },
  // The region accounts' own login log: a region reads its accounts' and those of the regions below.
  { key: 'region-login-log', group: 'admin', title: '登录日志', path: '/region/login-log', icon: Lock, roles: [...SUPERVISOR_ROLES, ...OPERATOR_ROLES] },
]

export function rolesAllow(actorRoles: readonly string[], allowed: readonly Role[] | 'all'): boolean {
  if (allowed === 'all') return true
  return actorRoles.some((r) => (allowed as readonly string[]).includes(r))
}

/** Menu items visible to an actor holding the given roles, in menu order. */
export function menuForRoles(actorRoles: readonly string[]): MenuItem[] {
  return MENU.filter((item) => rolesAllow(actorRoles, item.roles))
}

export interface MenuSection {
  key: MenuGroupKey | 'all'
  /** '' for a flat menu: no group heading. */
  title: string
  items: MenuItem[]
}

/**
 * The actor's menu in sections: by area, under Chinese headings, when it is long (the county
 * admin's 19 items); one untitled section when it is short.
 */
export function menuSectionsForRoles(actorRoles: readonly string[]): MenuSection[] {
  const items = menuForRoles(actorRoles)
  if (items.length <= GROUP_MENU_OVER) return items.length ? [{ key: 'all', title: '', items }] : []
  return MENU_GROUPS.map((g) => ({ key: g.key, title: g.title, items: items.filter((i) => i.group === g.key) })).filter((g) => g.items.length > 0)
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
