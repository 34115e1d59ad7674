import { describe, expect, it } from 'vitest'
import { emptyFilters, filtersFromQuery, filtersToApi, filtersToQuery, sameFilters } from '@/features/applications/worklistQuery'

describe('worklist filters ↔ URL', () => {
  it('round-trips every filter through the query', () => {
    const f = {
      ...emptyFilters(),
      states: ['received' as const, 'accepted' as const],
      item_id: 'i1',
      hall_id: 'h1',
      warning: 'red' as const,
      from: '2026-01-01',
      to: '2026-11-21',
      q: ' 张三 ',
      mine: true,
    }
    const q = filtersToQuery(f)
    expect(q).toEqual({ state: 'received,accepted', item_id: 'i1', hall_id: 'h1', warning: 'red', from: '2026-01-01', to: '2026-11-21', q: '张三', mine: '1' })
    expect(filtersFromQuery(q)).toEqual({ ...f, q: '张三' })
  })

  it('leaves the URL clean when nothing is filtered', () => {
    expect(filtersToQuery(emptyFilters())).toEqual({})
    expect(filtersFromQuery({})).toEqual(emptyFilters())
  })

  it('drops unknown states, bad dates and bad warnings from a hand-edited URL', () => {
    const f = filtersFromQuery({ state: 'received,bogus,received', warning: 'purple', from: '2026-13', to: ['2026-02-01', 'x'] })
    expect(f.states).toEqual(['received'])
    expect(f.warning).toBe('')
    expect(f.from).toBe('')
    expect(f.to).toBe('2026-02-01')
  })

  it('builds the API query with the cursor', () => {
    const f = { ...emptyFilters(), states: ['processing' as const], mine: true }
    expect(filtersToApi(f, 'abc', 20)).toEqual({ limit: 20, state: 'processing', mine: true, cursor: 'abc' })
    expect(filtersToApi(emptyFilters())).toEqual({ limit: 20 })
  })

  it('compares filters by their meaning', () => {
    expect(sameFilters({ ...emptyFilters(), q: 'a ' }, { ...emptyFilters(), q: 'a' })).toBe(true)
    expect(sameFilters(emptyFilters(), { ...emptyFilters(), mine: true })).toBe(false)
  })
})
