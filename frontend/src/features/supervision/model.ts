// Supervision (issue 16): labels and figures shared by the county's 上报数据, the supervisors'
// 辖区监察 and the operator's 县区管理.
import type { RegionCounty } from '@/api/types'

export const WARNING_LABELS: Record<string, { label: string; type: 'success' | 'warning' | 'danger' | 'info' }> = {
  normal: { label: '正常', type: 'success' },
  yellow: { label: '临期', type: 'warning' },
  red: { label: '超期', type: 'danger' },
  '': { label: '—', type: 'info' },
}

export function warningLabel(w: string | undefined) {
  return WARNING_LABELS[w ?? ''] ?? { label: w ?? '—', type: 'info' as const }
}

export const CHANNEL_LABELS: Record<string, string> = { window: '窗口', proxy: '代办' }

export const STATE_LABELS: Record<string, string> = {
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

export const RATING_LABELS: Record<number, string> = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' }

/** A share in per cent with one decimal, or '—' when there is nothing to divide. */
export function percent(part: number, whole: number): string {
  if (!whole) return '—'
  return `${(Math.round((part / whole) * 1000) / 10).toFixed(1)}%`
}

/** 按时办结率 of a county: decided on time over decided. */
export function onTimeRate(c: Pick<RegionCounty, 'on_time' | 'decided'>): string {
  return percent(c.on_time, c.decided)
}

/** 好评率: ratings of 基本满意 and above over ratings. */
export function goodRate(c: Pick<RegionCounty, 'good' | 'rated'>): string {
  return percent(c.good, c.rated)
}

/** Bytes as the console shows them (KB, MB, GB in Chinese units). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} 字节`
  const units = ['千字节', '兆字节', '吉字节', '太字节']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(1)} ${units[i]}`
}

/** A lag in seconds in words. */
export function formatLag(seconds: number): string {
  if (seconds <= 0) return '无延迟'
  if (seconds < 60) return `${seconds} 秒`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} 分钟`
  return `${Math.floor(seconds / 3600)} 小时 ${Math.floor((seconds % 3600) / 60)} 分钟`
}
