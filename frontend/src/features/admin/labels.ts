// Chinese labels of roles, data scopes, org-unit kinds and staff accounts. Audit actions are
// labelled by the server (services/auditlog/actions.go, `action_label`).
import type { OrgUnitKind, Role, Scope, Staff } from '@/api/types'
import { labelOf } from '@/utils/enumLabel'

export const ROLE_LABELS: Record<Role, string> = {
  platform_operator: '平台运营',
  city_supervisor: '市级监察员',
  province_supervisor: '省级监察员',
  county_admin: '县级管理员',
  department_staff: '部门工作人员',
  township_clerk: '乡镇窗口人员',
  community_worker: '村社区工作者',
  agency_head: '本行政机关负责人',
  government_head: '县政府负责人',
}

export const SCOPE_LABELS: Record<Scope, string> = {
  tenant: '全县',
  org_subtree: '本单位及下级',
  self: '仅本人',
}

export const ORG_KIND_LABELS: Record<OrgUnitKind, string> = {
  county: '县/区',
  township: '乡镇',
  street: '街道',
  village: '村',
  community: '社区',
  department: '县直部门',
}

export const STAFF_STATUS_LABELS: Record<Staff['status'], string> = {
  active: '在用',
  disabled: '停用',
}

export function roleLabel(role: string): string {
  return labelOf(ROLE_LABELS, role)
}

export function scopeLabel(scope: string): string {
  return labelOf(SCOPE_LABELS, scope)
}

export function orgKindLabel(kind: string): string {
  return labelOf(ORG_KIND_LABELS, kind)
}

/** 登录日志: what became of a sign-in or a session. */
export const LOGIN_RESULT_LABELS: Record<string, { label: string; type: 'success' | 'danger' | 'warning' | 'info' }> = {
  success: { label: '登录成功', type: 'success' },
  failure: { label: '密码错误', type: 'danger' },
  locked: { label: '账号锁定中，已拒绝', type: 'danger' },
  throttled: { label: '尝试过频，已拒绝', type: 'warning' },
  idle_timeout: { label: '超时自动退出', type: 'info' },
  ended: { label: '本人结束会话', type: 'info' },
}

export function loginResultLabel(result: string): { label: string; type: 'success' | 'danger' | 'warning' | 'info' } {
  return LOGIN_RESULT_LABELS[result] ?? { label: result, type: 'info' }
}

export const ALL_ROLES = Object.keys(ROLE_LABELS) as Role[]
export const ALL_SCOPES = Object.keys(SCOPE_LABELS) as Scope[]
export const ALL_ORG_KINDS = Object.keys(ORG_KIND_LABELS) as OrgUnitKind[]
