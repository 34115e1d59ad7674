// Civil dates (YYYY-MM-DD) as the API sends them and the browser's today.

/**
 * A civil date from the API for display: '' for a missing one. The worklist sends unset dues as
 * "0000-00-00" (Go's zero date), which must not be shown.
 */
export function displayDate(d: string | null | undefined): string {
  if (!d) return ''
  if (/^0{4}-/.test(d) || d.startsWith('0001-01-01')) return ''
  return d
}

/** Today as YYYY-MM-DD in the browser's time zone. */
export function todayISO(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}

/** 1 January of the year of a YYYY-MM-DD date. */
export function yearStart(isoDate: string): string {
  return `${isoDate.slice(0, 4)}-01-01`
}
