/** 0.9567 → 95.7% */
export function percent(rate: number | null | undefined): string {
  if (rate == null || !Number.isFinite(rate)) return '—'
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`
}

/** 1 January of the year of a YYYY-MM-DD date. */
export function yearStart(isoDate: string): string {
  return `${isoDate.slice(0, 4)}-01-01`
}
