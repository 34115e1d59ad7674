// The task lists (交办任务) read by keyset pages: GET /api/v1/access/tasks answers 20 at a time,
// newest first, with next_cursor for the page after. A community's, a department's or the
// county's list, whichever the signed-in account may see.
import { api, call } from '@/api/client'
import type { CommunityTask } from '@/api/types'
import { useLoadMore } from '@/composables/useLoadMore'

/** Tasks per page, as the worklists. */
export const TASK_PAGE = 20

/** A task list that grows by 加载更多; status is a comma-separated list ('' for every task). */
export function useTaskPages(status = '', limit = TASK_PAGE) {
  return useLoadMore<CommunityTask>(async (cursor) => {
    const query = { limit, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) }
    const res = await call(api.GET('/api/v1/access/tasks', { params: { query } }))
    return { items: res.tasks, next_cursor: res.next_cursor }
  }, (t) => t.id)
}
