// Money in the workforce API is an integer number of fen (0.01 元). These helpers turn fen into
// the 元 text a finance office reads ("1,234.56") and the 元 a user types back into fen, with
// integer arithmetic wherever the amount is shown, so sums on screen match the sheet to the cent.

/** 123456 → "1,234.56"; −5000 → "-50.00"; null/undefined/NaN → "". */
export function formatFen(fen: number | null | undefined): string {
  if (fen == null || !Number.isFinite(fen)) return ''
  const n = Math.round(fen)
  const sign = n < 0 ? '-' : ''
  const abs = Math.abs(n)
  const yuan = Math.floor(abs / 100)
  const cents = abs % 100
  const grouped = String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${grouped}.${String(cents).padStart(2, '0')}`
}

/** Like formatFen, with an explicit "+" for positive amounts (补发) and "0.00" for none. */
export function formatSignedFen(fen: number | null | undefined): string {
  const s = formatFen(fen)
  return fen != null && fen > 0 ? `+${s}` : s
}

/** 元 as typed (1234.5, "1,234.50") → fen (123450); null when it is not a number. */
export function yuanToFen(yuan: number | string | null | undefined): number | null {
  if (yuan == null || yuan === '') return null
  const v = typeof yuan === 'number' ? yuan : Number(String(yuan).replace(/[,，\s]/g, ''))
  if (!Number.isFinite(v)) return null
  return Math.round(v * 100)
}

/** fen → 元 as a number for an input (123450 → 1234.5). */
export function fenToYuan(fen: number | null | undefined): number {
  return fen == null || !Number.isFinite(fen) ? 0 : Math.round(fen) / 100
}

/** ‰ → % for an input (800 → 80). */
export function permilleToPercent(p: number | null | undefined): number {
  return p == null || !Number.isFinite(p) ? 0 : p / 10
}

/** % → ‰ (80 → 800, 12.5 → 125). */
export function percentToPermille(pct: number | null | undefined): number {
  return pct == null || !Number.isFinite(pct) ? 0 : Math.round(pct * 10)
}

/** A per-mille coefficient as the 3-decimal factor people write (1080 → "1.080"). */
export function formatCoefficient(permille: number | null | undefined): string {
  if (permille == null || !Number.isFinite(permille)) return ''
  return (permille / 1000).toFixed(3)
}
