// Chinese labels of roles, data scopes, org-unit kinds, staff accounts and audit actions.
import type { OrgUnitKind, Role, Scope, Staff } from '@/api/types'
import { labelOf } from '@/utils/enumLabel'

export const ROLE_LABELS: Record<Role, string> = {
  platform_operator: '平台运营',
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

/** Known audit actions; unknown ones are shown by their code. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'staff.create': '新建人员账号',
  'staff.disable': '停用人员账号',
  'staff.enable': '启用人员账号',
  'staff.update': '修改姓名、手机号',
  'staff.reset_password': '重置密码',
  'staff.change_password': '修改本人密码',
  'org_unit.create': '新增组织机构',
  'audit.check': '校验审计链',
  'worker.hire': '社区工作者建档',
  'worker.import': '导入花名册',
  'worker.export': '导出花名册',
  'worker.change': '社区工作者档案变更',
  'worker.appraisal': '录入年度考核',
  'worker.reveal_id': '查看完整身份证号',
  'application.reveal_id': '查看申请人完整证件号码',
  'worker.link_identity': '关联登录账号',
  'pay_scheme.put': '保存薪酬方案',
  'pay_scheme.delete': '删除薪酬方案',
  'progression.prepare': '生成年度晋级草稿',
  'progression.approve': '审定年度晋级',
  'progression.apply': '年度晋级生效',
  'progression.discard': '删除年度晋级草稿',
  'payroll.compute': '计算工资表',
  'payroll.finalize': '工资表定稿',
  'payroll.export': '导出工资表',
  'access_item.create': '录入准入清单事项',
  'access_item.edit': '修改准入清单事项',
  'access_item.withdraw': '撤销准入清单事项',
  'access_item.confirm': '准入清单年度确认',
  'access_item.admit': '准入事项生效',
  'access_item.lapse': '准入清单事项未年度确认失效',
  'access_item.reconfirm': '准入清单事项补办年度确认',
  'access_item.readmit': '准入清单事项重新准入',
  'access_settings.update': '保存准入规则设置',
  'admission.apply': '申请准入',
  'admission.approve': '准入审核通过',
  'admission.return': '准入申请退回修改',
  'admission.reject': '不予准入',
  'admission.resubmit': '准入申请重新提交',
  'admission.withdraw': '准入申请撤回',
  'admission.abandon': '准入申请放弃',
  'admission.stop': '准入申请公示期间终止',
  'dispatch.create': '向社区交办任务',
  'dispatch.intercept': '交办被清单拦截',
  'task.accept': '社区接收任务',
  'task.refuse': '社区拒绝任务',
  'task.complete': '社区办结任务',
  'rating.create': '好差评',
  'rating_settings.update': '保存好差评规则',
  'rectification.callback': '差评回访',
  'rectification.complete': '差评整改完成',
  'rectification.invalid': '认定无效差评',
  'rectification.impossible': '认定无法整改',
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

export function auditActionLabel(action: string): string {
  return labelOf(AUDIT_ACTION_LABELS, action)
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
