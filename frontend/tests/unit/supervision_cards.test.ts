import { describe, expect, it } from 'vitest'
import { cardProblem, hasPersonalData } from '@/features/supervision/cards'

describe('cards', () => {
  it('names the problem with the working days over', () => {
    expect(cardProblem({ rule: 'overdue', days_over: 4 })).toBe('办理超期或临期（超期 4 个工作日）')
    expect(cardProblem({ rule: 'repeat_corrections', days_over: 0 })).toBe('多次补正告知')
  })
  it('finds ID and phone numbers, full-width and spaced too', () => {
    expect(hasPersonalData('已联系 110105198503120020')).toBe(true)
    expect(hasPersonalData('电话 139 1234 5678')).toBe(true)
    expect(hasPersonalData('１３９１２３４５６７８')).toBe(true)
    expect(hasPersonalData('已于12月5日办结，约谈窗口2人')).toBe(false)
  })
})
