import { describe, expect, it } from 'vitest'
import { visibleDues, warningClass, warningLabel, warningTagType } from '@/features/applications/deadline'
import { displayDate, todayISO } from '@/utils/dates'

describe('warning colour mapping', () => {
  it('maps yellow to the warning colour and red to danger', () => {
    expect(warningClass('yellow')).toBe('due-yellow')
    expect(warningClass('red')).toBe('due-red')
    expect(warningClass('normal')).toBe('due-normal')
    expect(warningClass(undefined)).toBe('due-normal')
    expect(warningTagType('yellow')).toBe('warning')
    expect(warningTagType('red')).toBe('danger')
    expect(warningTagType('normal')).toBe('success')
  })

  it('labels levels in Chinese', () => {
    expect(warningLabel('normal')).toBe('正常')
    expect(warningLabel('yellow')).toBe('临期')
    expect(warningLabel('red')).toBe('超期')
    expect(warningLabel('')).toBe('')
  })
})

describe('displayDate', () => {
  it('hides Go zero dates the worklist sends for unset dues', () => {
    expect(displayDate('0000-00-00')).toBe('')
    expect(displayDate('0001-01-01')).toBe('')
    expect(displayDate('')).toBe('')
    expect(displayDate(undefined)).toBe('')
    expect(displayDate('2026-12-04')).toBe('2026-12-04')
  })

  it('formats today in local time', () => {
    expect(todayISO(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05')
  })
})

describe('visibleDues', () => {
  it('shows the delivery deadline of a 准予 decision while it runs (行政许可法第四十四条)', () => {
    const dates = { promised_due: '2026-11-16', delivery_due: '2026-11-24', decided_on: '2026-11-10' }
    expect(visibleDues(dates, { delivery_due: 'red' }).map((d) => [d.key, d.level])).toEqual([
      ['promised_due', 'normal'],
      ['delivery_due', 'red'],
    ])
    expect(visibleDues(dates, {}).map((d) => d.key)).toEqual(['promised_due'])
  })

  it('shows the forward and correction limits only while they run', () => {
    const dues = visibleDues(
      { forward_due: '2026-11-25', correction_due: '2026-11-28', proxy_received_on: '2026-11-21' },
      { forward_due: 'yellow' },
    )
    expect(dues).toEqual([{ key: 'forward_due', date: '2026-11-25', level: 'yellow' }])
  })

  it('always shows the promised and legal dues once set, coloured by their level', () => {
    const dues = visibleDues(
      { promised_due: '2026-12-05', legal_due: '2026-12-19', correction_due: '2026-11-28' },
      { promised_due: 'red', legal_due: 'normal' },
    )
    expect(dues.map((d) => [d.key, d.level])).toEqual([
      ['promised_due', 'red'],
      ['legal_due', 'normal'],
    ])
  })

  it('shows closed dues without a level as normal', () => {
    expect(visibleDues({ promised_due: '2026-12-05' }, {})).toEqual([{ key: 'promised_due', date: '2026-12-05', level: 'normal' }])
  })
})
