import { describe, expect, it } from 'vitest'
import { firstPage, hasNext, hasPrev, loaded, nextPage, pageNumber, prevPage } from '@/utils/pager'

describe('cursor stack', () => {
  it('walks forward and back through keyset pages', () => {
    let p = loaded(firstPage(), 'c1')
    expect(pageNumber(p)).toBe(1)
    expect(hasPrev(p)).toBe(false)
    expect(hasNext(p)).toBe(true)

    p = loaded(nextPage(p), 'c2')
    expect(p.cursor).toBe('c1')
    expect(pageNumber(p)).toBe(2)

    p = loaded(nextPage(p), '')
    expect(p.cursor).toBe('c2')
    expect(pageNumber(p)).toBe(3)
    expect(hasNext(p)).toBe(false)
    expect(nextPage(p)).toBe(p) // no page after the last

    p = prevPage(p)
    expect(p.cursor).toBe('c1')
    expect(p.stack).toEqual([''])
    p = prevPage(p)
    expect(p.cursor).toBe('')
    expect(hasPrev(p)).toBe(false)
    expect(prevPage(p)).toBe(p)
  })

  it('treats a missing next_cursor as the last page', () => {
    expect(hasNext(loaded(firstPage(), undefined))).toBe(false)
    expect(hasNext(loaded(firstPage(), null))).toBe(false)
  })
})
