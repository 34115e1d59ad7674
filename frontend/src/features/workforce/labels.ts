// Chinese labels of 社区工作者 (三岗十八级): posts, status, education, certificates, appraisals,
// record changes, progression batches, payroll runs and pay modes.
import type { Appraisal, BatchStatus, Certificate, ChangeKind, Education, PayMode, RunStatus, WorkerPost, WorkerStatus } from '@/api/types'
import { type TagType, labelOf, tagOf } from '@/utils/enumLabel'

export const POST_LABELS: Record<WorkerPost, string> = { head: '正职', deputy: '副职', staff: '其他社区工作者' }
export const ALL_POSTS = Object.keys(POST_LABELS) as WorkerPost[]
export function postLabel(p: string): string {
  return labelOf(POST_LABELS, p)
}

export const WORKER_STATUS_LABELS: Record<WorkerStatus, string> = { active: '在岗', away: '离岗', retired: '退休' }
export const WORKER_STATUS_TAG: Record<WorkerStatus, TagType> = { active: 'success', away: 'warning', retired: 'info' }
export const ALL_WORKER_STATUSES = Object.keys(WORKER_STATUS_LABELS) as WorkerStatus[]
export function workerStatusLabel(s: string): string {
  return labelOf(WORKER_STATUS_LABELS, s)
}
export function workerStatusTag(s: string): TagType {
  return tagOf(WORKER_STATUS_TAG, s)
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
  return labelOf(EDUCATION_LABELS, e)
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
  return labelOf(CERTIFICATE_LABELS, c)
}

export const APPRAISAL_LABELS: Record<Appraisal, string> = { excellent: '优秀', competent: '称职', basic: '基本称职', incompetent: '不称职' }
export const APPRAISAL_TAG: Record<Appraisal, TagType> = { excellent: 'success', competent: 'primary', basic: 'warning', incompetent: 'danger' }
export const ALL_APPRAISALS = Object.keys(APPRAISAL_LABELS) as Appraisal[]
export function appraisalLabel(a: string): string {
  return labelOf(APPRAISAL_LABELS, a)
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
  return labelOf(CHANGE_KIND_LABELS, k)
}

export const BATCH_STATUS_LABELS: Record<BatchStatus, string> = { draft: '草稿', approved: '已审定', effective: '已生效' }
export const BATCH_STATUS_TAG: Record<BatchStatus, TagType> = { draft: 'warning', approved: 'primary', effective: 'success' }
export function batchStatusLabel(s: string): string {
  return labelOf(BATCH_STATUS_LABELS, s)
}
export function batchStatusTag(s: string): TagType {
  return tagOf(BATCH_STATUS_TAG, s)
}

export const RUN_STATUS_LABELS: Record<RunStatus, string> = { draft: '草稿', final: '已定稿' }
export const RUN_STATUS_TAG: Record<RunStatus, TagType> = { draft: 'warning', final: 'success' }
export function runStatusLabel(s: string): string {
  return labelOf(RUN_STATUS_LABELS, s)
}
export function runStatusTag(s: string): TagType {
  return tagOf(RUN_STATUS_TAG, s)
}

export const PAY_MODE_LABELS: Record<PayMode, string> = { coefficient: '基数 × 系数', amount: '固定金额' }
export function payModeLabel(m: string): string {
  return labelOf(PAY_MODE_LABELS, m)
}

export const GENDER_LABELS: Record<string, string> = { male: '男', female: '女' }
