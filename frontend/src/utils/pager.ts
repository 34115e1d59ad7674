// Keyset pagination with 上一页 / 下一页: the API only goes forward (next_cursor), so the cursors
// of the pages already seen are kept on a stack.

export interface Pager {
  /** Cursors of the previous pages, oldest first ('' is the first page). */
  stack: string[]
  /** Cursor of the page shown ('' = first page). */
  cursor: string
  /** next_cursor of the page shown ('' = last page). */
  next: string
}

export function firstPage(): Pager {
  return { stack: [], cursor: '', next: '' }
}

/** After a page loaded: remember its next_cursor. */
export function loaded(p: Pager, nextCursor: string | null | undefined): Pager {
  return { ...p, next: nextCursor ?? '' }
}

export function hasNext(p: Pager): boolean {
  return p.next !== ''
}

export function hasPrev(p: Pager): boolean {
  return p.stack.length > 0
}

/** The pager for the next page; unchanged on the last page. */
export function nextPage(p: Pager): Pager {
  if (!hasNext(p)) return p
  return { stack: [...p.stack, p.cursor], cursor: p.next, next: '' }
}

/** The pager for the previous page; unchanged on the first page. */
export function prevPage(p: Pager): Pager {
  if (!hasPrev(p)) return p
  const stack = p.stack.slice(0, -1)
  return { stack, cursor: p.stack[p.stack.length - 1] ?? '', next: '' }
}

/** 1-based number of the page shown. */
export function pageNumber(p: Pager): number {
  return p.stack.length + 1
}
