// Chinese labels of 材料附件、通知书与归档 (documents): file status, notice titles, retention
// periods and archive lock modes.
import type { DocNotice, FileStatus, NoticeKind, Retention } from '@/features/documents/model'

/** What a file's status means to the clerk (the API's status_label words some differently). */
export const FILE_STATUS_LABELS: Record<FileStatus, string> = {
  awaiting_upload: '待上传',
  uploaded: '校验中',
  verified: '已校验',
  rejected: '已拒收',
  tampered: '疑似篡改',
}

export function fileStatusLabel(status: string, fallback = ''): string {
  return FILE_STATUS_LABELS[status as FileStatus] ?? (fallback || status)
}

export function fileStatusTagType(status: string): 'success' | 'warning' | 'info' | 'danger' {
  switch (status) {
    case 'verified':
      return 'success'
    case 'uploaded':
      return 'warning'
    case 'rejected':
    case 'tampered':
      return 'danger'
    default:
      return 'info'
  }
}

export const NOTICE_TITLES: Record<NoticeKind, string> = {
  accepted: '受理通知书',
  correction: '一次性告知书',
  rejected: '不予受理通知书',
  decided: '办结通知书',
  extension: '延期通知书',
  special_procedure: '特别程序告知书',
}

export function noticeTitle(n: Pick<DocNotice, 'kind' | 'title'>): string {
  return n.title || NOTICE_TITLES[n.kind] || n.kind
}

export const RETENTION_OPTIONS: { value: Retention; label: string }[] = [
  { value: 'permanent', label: '永久' },
  { value: '30y', label: '定期30年' },
  { value: '10y', label: '定期10年' },
]

export function retentionLabel(r: string): string {
  return RETENTION_OPTIONS.find((o) => o.value === r)?.label ?? r
}

/** Where the periods come from. */
export const RETENTION_BASIS = '国家档案局令第8号《机关文件材料归档范围和文书档案保管期限规定》'

export const LOCK_MODE_LABELS: Record<string, string> = {
  COMPLIANCE: '合规锁定（期满前任何人不能删除或覆盖）',
  GOVERNANCE: '治理锁定',
}
