// Chinese labels for the enums of the API. Typed as Record<Enum, string> so a new enum value in
// the OpenAPI document fails the type-check until it gets a label.
import type {
  AccessItemStatus,
  AccessKind,
  AdmissionDecisionKind,
  AdmissionStage,
  AppState,
  CaseAction,
  Funding,
  InterceptRule,
  RectStatus,
  TaskStatus,
  Appraisal,
  BatchStatus,
  Certificate,
  ChangeKind,
  Education,
  PayMode,
  RunStatus,
  WorkerPost,
  WorkerStatus,
  Channel,
  CorrectionProblem,
  DayKind,
  DeliveryMethod,
  Handling,
  ItemKind,
  ItemLevel,
  ItemStatus,
  MaterialForm,
  OrgUnitKind,
  Role,
  Scope,
  Staff,
  Warning,
} from '@/api/types'

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
  'worker.hire': '社区工作者建档',
  'worker.import': '导入花名册',
  'worker.export': '导出花名册',
  'worker.change': '社区工作者档案变更',
  'worker.appraisal': '录入年度考核',
  'worker.reveal_id': '查看完整身份证号',
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
  'access_settings.update': '保存准入规则设置',
  'admission.apply': '申请准入',
  'admission.approve': '准入审核通过',
  'admission.return': '准入申请退回修改',
  'admission.reject': '不予准入',
  'admission.resubmit': '准入申请重新提交',
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

// ---- 办件 (applications)

/** The states in lifecycle order (the API's state_label is used where the API gives one). */
export const STATE_LABELS: Record<AppState, string> = {
  proxy_received: '代办收件',
  received: '已接件',
  correcting: '补正中',
  accepted: '已受理',
  processing: '部门办理',
  paused: '特别程序',
  decided: '已办结',
  delivered: '已送达',
  rejected: '不予受理',
  withdrawn: '已撤回',
  archived: '已归档',
}
export const ALL_STATES = Object.keys(STATE_LABELS) as AppState[]

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'
const STATE_TAG_TYPES: Record<AppState, TagType> = {
  proxy_received: 'info',
  received: 'primary',
  correcting: 'warning',
  accepted: 'primary',
  processing: 'primary',
  paused: 'warning',
  decided: 'success',
  delivered: 'success',
  rejected: 'danger',
  withdrawn: 'info',
  archived: 'info',
}

export function stateLabel(state: string): string {
  return (STATE_LABELS as Record<string, string>)[state] ?? state
}

export function stateTagType(state: string): TagType {
  return (STATE_TAG_TYPES as Record<string, TagType>)[state] ?? 'info'
}

export const CHANNEL_LABELS: Record<Channel, string> = { window: '窗口', proxy: '代办' }
export function channelLabel(c: string): string {
  return (CHANNEL_LABELS as Record<string, string>)[c] ?? c
}

export const WARNING_LABELS: Record<Warning, string> = { normal: '正常', yellow: '临期', red: '超期' }
export const ALL_WARNINGS = Object.keys(WARNING_LABELS) as Warning[]

export const DELIVERY_LABELS: Record<DeliveryMethod, string> = { window: '窗口领取', post: '邮寄', proxy: '代办员送达' }
export function deliveryLabel(m: string): string {
  return (DELIVERY_LABELS as Record<string, string>)[m] ?? m
}

export const PROBLEM_LABELS: Record<CorrectionProblem, string> = { missing: '缺少', incorrect: '有误' }
export function problemLabel(p: string): string {
  return (PROBLEM_LABELS as Record<string, string>)[p] ?? p
}

export const DECISION_LABELS: Record<string, string> = { approve: '准予', deny: '不予' }

/** Keys of ApplicationDetail.dates. */
export const DATE_LABELS: Record<string, string> = {
  proxy_received_on: '代办收件日期',
  forward_due: '代办转交期限',
  received_on: '接件日期',
  correction_due: '补正告知期限',
  accepted_on: '受理日期',
  promised_due: '承诺到期',
  legal_due: '法定到期',
  decided_on: '办结日期',
  delivered_on: '送达日期',
  closed_on: '结束日期',
}

export const APPLICANT_KIND_LABELS: Record<'person' | 'org', string> = { person: '个人', org: '单位' }

// ---- 事项目录 (catalogue)

export const FORM_LABELS: Record<MaterialForm, string> = { original: '原件', copy: '复印件', electronic: '电子' }
export function formLabel(f: string): string {
  return (FORM_LABELS as Record<string, string>)[f] ?? f
}

export const KIND_LABELS: Record<ItemKind, string> = {
  licensing: '行政许可',
  confirmation: '行政确认',
  adjudication: '行政裁决',
  payment: '行政给付',
  reward: '行政奖励',
  filing: '行政备案',
  other_power: '其他行政权力',
  public_service: '公共服务',
}
export const ALL_KINDS = Object.keys(KIND_LABELS) as ItemKind[]

export const HANDLING_LABELS: Record<Handling, string> = { instant: '即办件', promised: '承诺件' }
export function handlingLabel(h: string): string {
  return (HANDLING_LABELS as Record<string, string>)[h] ?? h
}

export const LEVEL_LABELS: Record<ItemLevel, string> = { county: '县级大厅', township: '乡镇大厅', community: '村（社区）代办' }
export const ALL_LEVELS = Object.keys(LEVEL_LABELS) as ItemLevel[]
const LEVEL_SHORT: Record<ItemLevel, string> = { county: '县级', township: '乡镇', community: '村（社区）' }
export function levelShort(l: string): string {
  return (LEVEL_SHORT as Record<string, string>)[l] ?? l
}
export function levelLabel(l: string): string {
  return (LEVEL_LABELS as Record<string, string>)[l] ?? l
}

export const ITEM_STATUS_LABELS: Record<ItemStatus, string> = { draft: '草稿', published: '已发布', retired: '已停用' }
export const ITEM_STATUS_TAG: Record<ItemStatus, TagType> = { draft: 'warning', published: 'success', retired: 'info' }

// ---- 工作日历 (calendar)

export const DAY_KIND_LABELS: Record<DayKind, string> = {
  workday: '工作日',
  weekend: '周末',
  holiday: '法定节假日',
  makeup: '调休上班',
  local_closure: '本县闭馆',
  local_workday: '本县加班',
}
export function dayKindLabel(k: string): string {
  return (DAY_KIND_LABELS as Record<string, string>)[k] ?? k
}

// ---- 社区工作者 (三岗十八级)

export const POST_LABELS: Record<WorkerPost, string> = { head: '正职', deputy: '副职', staff: '其他社区工作者' }
export const ALL_POSTS = Object.keys(POST_LABELS) as WorkerPost[]
export function postLabel(p: string): string {
  return (POST_LABELS as Record<string, string>)[p] ?? p
}

export const WORKER_STATUS_LABELS: Record<WorkerStatus, string> = { active: '在岗', away: '离岗', retired: '退休' }
export const WORKER_STATUS_TAG: Record<WorkerStatus, TagType> = { active: 'success', away: 'warning', retired: 'info' }
export const ALL_WORKER_STATUSES = Object.keys(WORKER_STATUS_LABELS) as WorkerStatus[]
export function workerStatusLabel(s: string): string {
  return (WORKER_STATUS_LABELS as Record<string, string>)[s] ?? s
}
export function workerStatusTag(s: string): TagType {
  return (WORKER_STATUS_TAG as Record<string, TagType>)[s] ?? 'info'
}

export const EDUCATION_LABELS: Record<Education, string> = {
  none: '高中及以下',
  college: '大专',
  bachelor: '本科',
  master: '硕士',
  doctor: '博士',
}
export const ALL_EDUCATIONS = Object.keys(EDUCATION_LABELS) as Education[]
export function educationLabel(e: string): string {
  return (EDUCATION_LABELS as Record<string, string>)[e] ?? e
}

export const CERTIFICATE_LABELS: Record<Certificate, string> = {
  none: '无',
  junior: '初级（助理社会工作师）',
  intermediate: '中级（社会工作师）',
  senior: '高级（高级社会工作师）',
}
export const CERTIFICATE_SHORT: Record<Certificate, string> = { none: '无', junior: '初级', intermediate: '中级', senior: '高级' }
export const ALL_CERTIFICATES = Object.keys(CERTIFICATE_LABELS) as Certificate[]
export function certificateLabel(c: string): string {
  return (CERTIFICATE_LABELS as Record<string, string>)[c] ?? c
}

export const APPRAISAL_LABELS: Record<Appraisal, string> = { excellent: '优秀', competent: '称职', basic: '基本称职', incompetent: '不称职' }
export const APPRAISAL_TAG: Record<Appraisal, TagType> = { excellent: 'success', competent: 'primary', basic: 'warning', incompetent: 'danger' }
export const ALL_APPRAISALS = Object.keys(APPRAISAL_LABELS) as Appraisal[]
export function appraisalLabel(a: string): string {
  return (APPRAISAL_LABELS as Record<string, string>)[a] ?? a
}

export const CHANGE_KIND_LABELS: Record<ChangeKind, string> = {
  hire: '建档',
  edit: '信息变更',
  post: '岗位变动',
  level: '等级调整',
  status: '状态变更',
  progression: '年度晋级',
  certificate: '取得证书',
  correction: '考核补录更正等级',
}
export function changeKindLabel(k: string): string {
  return (CHANGE_KIND_LABELS as Record<string, string>)[k] ?? k
}

export const BATCH_STATUS_LABELS: Record<BatchStatus, string> = { draft: '草稿', approved: '已审定', effective: '已生效' }
export const BATCH_STATUS_TAG: Record<BatchStatus, TagType> = { draft: 'warning', approved: 'primary', effective: 'success' }
export function batchStatusLabel(s: string): string {
  return (BATCH_STATUS_LABELS as Record<string, string>)[s] ?? s
}
export function batchStatusTag(s: string): TagType {
  return (BATCH_STATUS_TAG as Record<string, TagType>)[s] ?? 'info'
}

export const RUN_STATUS_LABELS: Record<RunStatus, string> = { draft: '草稿', final: '已定稿' }
export const RUN_STATUS_TAG: Record<RunStatus, TagType> = { draft: 'warning', final: 'success' }
export function runStatusLabel(s: string): string {
  return (RUN_STATUS_LABELS as Record<string, string>)[s] ?? s
}
export function runStatusTag(s: string): TagType {
  return (RUN_STATUS_TAG as Record<string, TagType>)[s] ?? 'info'
}

export const PAY_MODE_LABELS: Record<PayMode, string> = { coefficient: '基数 × 系数', amount: '固定金额' }
export function payModeLabel(m: string): string {
  return (PAY_MODE_LABELS as Record<string, string>)[m] ?? m
}

export const GENDER_LABELS: Record<string, string> = { male: '男', female: '女' }

// ---- 社区工作事项准入 (access lists)

/** The five lists, in the order a county publishes them. */
export const ACCESS_KIND_LABELS: Record<AccessKind, string> = {
  duty: '依法履职事项',
  assist: '依法协助政府工作事项',
  certificate: '可出具证明事项',
  no_certificate: '不得出具证明事项',
  forbidden: '不得承担事项',
}
export const ACCESS_KIND_SHORT: Record<AccessKind, string> = {
  duty: '依法履职',
  assist: '依法协助',
  certificate: '可出具证明',
  no_certificate: '不得出具证明',
  forbidden: '不得承担',
}
export const ALL_ACCESS_KINDS = Object.keys(ACCESS_KIND_LABELS) as AccessKind[]
/** Kinds whose work may be given to a community (and that an admission request may add). */
export const DISPATCHABLE_KINDS: readonly AccessKind[] = ['duty', 'assist', 'certificate']

export const ACCESS_ITEM_STATUS_LABELS: Record<AccessItemStatus, string> = {
  in_force: '有效',
  pending: '待生效',
  withdrawn: '已撤销',
  expired: '已到期',
}
export const ACCESS_ITEM_STATUS_TAG: Record<AccessItemStatus, TagType> = {
  in_force: 'success',
  pending: 'warning',
  withdrawn: 'info',
  expired: 'info',
}

export const FUNDING_LABELS: Record<Funding, string> = { none: '无专项经费', per_year: '按年拨付', per_task: '按件拨付' }
export const ALL_FUNDINGS = Object.keys(FUNDING_LABELS) as Funding[]

/** Stages of an admission request; the first five are the normal path. */
export const ADMISSION_STAGE_LABELS: Record<AdmissionStage, string> = {
  civil_review: '民政审核',
  legal_review: '合法性审查',
  joint_meeting: '联席会议审定',
  notice: '公示',
  effective: '已生效',
  returned: '退回修改',
  rejected: '不予准入',
  withdrawn: '已撤回',
}
export const ADMISSION_STAGE_TAG: Record<AdmissionStage, TagType> = {
  civil_review: 'primary',
  legal_review: 'primary',
  joint_meeting: 'primary',
  notice: 'warning',
  effective: 'success',
  returned: 'warning',
  rejected: 'danger',
  withdrawn: 'info',
}

/** Decisions recorded in a request's history (steps[].decision). */
export const ADMISSION_DECISION_LABELS: Record<AdmissionDecisionKind | 'submit' | 'resubmit' | 'effective', string> = {
  submit: '提交申请',
  resubmit: '修改后重新提交',
  approve: '通过',
  return: '退回修改',
  reject: '不予准入',
  effective: '列入清单',
}

export const ITEM_VERSION_ACTION_LABELS: Record<string, string> = {
  create: '录入',
  edit: '修改',
  withdraw: '撤销',
  admit: '准入生效',
}

export const TASK_STATUS_LABELS: Record<TaskStatus, string> = { pending: '待接收', accepted: '已接收', refused: '已拒绝', done: '已办结' }
export const TASK_STATUS_TAG: Record<TaskStatus, TagType> = { pending: 'warning', accepted: 'primary', refused: 'danger', done: 'success' }

export const INTERCEPT_RULE_LABELS: Record<InterceptRule, string> = {
  no_item: '未关联清单事项',
  not_in_force: '事项不在有效期',
  no_certificate: '不得出具的证明',
  wrong_department: '非本部门事项',
  forbidden: '不得承担事项',
  out_of_scope: '超出适用范围',
}

// ---- 好差评 (ratings)

/** The five levels of GB/T 39734-2020; 1 and 2 are 差评. */
export const SCORE_LABELS: Record<1 | 2 | 3 | 4 | 5, string> = {
  1: '非常不满意',
  2: '不满意',
  3: '基本满意',
  4: '满意',
  5: '非常满意',
}

export const RECT_STATUS_LABELS: Record<RectStatus, string> = {
  pending: '待整改',
  in_progress: '整改中',
  done: '整改完成',
  invalid: '无效差评',
  impossible: '无法整改',
  overdue: '超期',
}
export const RECT_STATUS_TAG: Record<RectStatus, TagType> = {
  pending: 'danger',
  in_progress: 'warning',
  done: 'success',
  invalid: 'info',
  impossible: 'info',
  overdue: 'danger',
}

export const CASE_ACTION_LABELS: Record<CaseAction, string> = {
  callback: '回访',
  complete: '整改完成',
  invalid: '无效差评',
  impossible: '无法整改',
}
