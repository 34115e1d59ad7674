// Chinese labels for the enums of the API. Typed as Record<Enum, string> so a new enum value in
// the OpenAPI document fails the type-check until it gets a label.
import type { OrgUnitKind, Role, Scope, Staff } from '@/api/types'

export const ROLE_LABELS: Record<Role, string> = {
  platform_operator: '平台运营',
  county_admin: '县级管理员',
  department_staff: '部门工作人员',
  township_clerk: '乡镇窗口人员',
  community_worker: '村社区工作者',
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

/** Known audit actions; unknown ones are shown by their code. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'staff.create': '新建人员账号',
  'staff.disable': '停用人员账号',
  'org_unit.create': '新增组织机构',
  'audit.check': '校验审计链',
}

export function roleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role] ?? role
}

export function scopeLabel(scope: string): string {
  return (SCOPE_LABELS as Record<string, string>)[scope] ?? scope
}

export function orgKindLabel(kind: string): string {
  return (ORG_KIND_LABELS as Record<string, string>)[kind] ?? kind
}

export function auditActionLabel(action: string): string {
  return AUDIT_ACTION_LABELS[action] ?? action
}

export const ALL_ROLES = Object.keys(ROLE_LABELS) as Role[]
export const ALL_SCOPES = Object.keys(SCOPE_LABELS) as Scope[]
export const ALL_ORG_KINDS = Object.keys(ORG_KIND_LABELS) as OrgUnitKind[]
