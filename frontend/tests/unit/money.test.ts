import { describe, expect, it } from 'vitest'
import {
  fenToYuan,
  formatCoefficient,
  formatFen,
  formatSignedFen,
  percentToPermille,
  permilleToPercent,
  yuanToFen,
} from '@/utils/money'

describe('fen → 元 text', () => {
  it('shows two decimals with thousands separators', () => {
    expect(formatFen(123456)).toBe('1,234.56')
    expect(formatFen(0)).toBe('0.00')
    expect(formatFen(5)).toBe('0.05')
    expect(formatFen(100)).toBe('1.00')
    expect(formatFen(6189200)).toBe('61,892.00')
    expect(formatFen(123456789012)).toBe('1,234,567,890.12')
  })

  it('keeps the sign of deductions and is blank for nothing', () => {
    expect(formatFen(-5000)).toBe('-50.00')
    expect(formatFen(-123456)).toBe('-1,234.56')
    expect(formatFen(null)).toBe('')
    expect(formatFen(undefined)).toBe('')
    expect(formatFen(Number.NaN)).toBe('')
  })

  it('marks arrears paid (补发) with a plus', () => {
    expect(formatSignedFen(20000)).toBe('+200.00')
    expect(formatSignedFen(-20000)).toBe('-200.00')
    expect(formatSignedFen(0)).toBe('0.00')
  })
})

describe('元 typed → fen', () => {
  it('rounds to the fen without float drift', () => {
    expect(yuanToFen(3400)).toBe(340000)
    expect(yuanToFen(0.29)).toBe(29)
    expect(yuanToFen(1234.56)).toBe(123456)
    expect(yuanToFen('1,234.50')).toBe(123450)
    expect(yuanToFen('')).toBeNull()
    expect(yuanToFen('abc')).toBeNull()
    expect(yuanToFen(null)).toBeNull()
  })

  it('round-trips with fenToYuan', () => {
    for (const f of [0, 1, 99, 100, 340000, 448800, 123456789]) expect(yuanToFen(fenToYuan(f))).toBe(f)
  })

  it('converts per mille and coefficients', () => {
    expect(permilleToPercent(800)).toBe(80)
    expect(percentToPermille(80)).toBe(800)
    expect(percentToPermille(12.5)).toBe(125)
    expect(formatCoefficient(1080)).toBe('1.080')
  })
})
