/** 2026-11-21 13:05:09 in the browser's time zone (China Standard Time for our users). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** 上午好 / 下午好 / 晚上好 by the hour of the day. */
export function greeting(hour: number): string {
  if (hour < 5) return '夜深了'
  if (hour < 12) return '上午好'
  if (hour < 13) return '中午好'
  if (hour < 18) return '下午好'
  return '晚上好'
}

/** 0.9567 → 95.7% */
export function percent(rate: number | null | undefined): string {
  if (rate == null || !Number.isFinite(rate)) return '—'
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`
}
