// Supervision (issue 16): labels and figures shared by the county's 上报数据, the supervisors'
// 辖区监察 and the operator's 县区管理.
import type { RegionCounty } from '@/api/types'
import { WARNING_LABELS } from '@/features/applications/labels'
import { labelOf } from '@/utils/enumLabel'

const WARNING_TAGS: Record<string, 'success' | 'warning' | 'danger'> = { normal: 'success', yellow: 'warning', red: 'danger' }

/** A warning level's label (the applications' labels, one source) and its tag colour. */
export function warningLabel(w: string | undefined) {
  if (!w) return { label: '—', type: 'info' as const }
  return { label: labelOf(WARNING_LABELS, w), type: WARNING_TAGS[w] ?? ('info' as const) }
}

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
