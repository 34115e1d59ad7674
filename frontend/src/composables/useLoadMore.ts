// A list that grows by keyset pages (加载更多): the first page replaces the list, later pages
// append what is not shown yet (a row may move between pages while the user reads).
import { ref, type Ref } from 'vue'
import { showError } from '@/utils/errors'

export interface CursorPage<T> {
  items?: T[] | null
  next_cursor?: string | null
}

export function useLoadMore<T>(fetch: (cursor: string) => Promise<CursorPage<T>>, key: (row: T) => string) {
  const items = ref([]) as Ref<T[]>
  const nextCursor = ref('')
  const loading = ref(false)

  async function fetchPage(cursor: string) {
    loading.value = true
    try {
      const res = await fetch(cursor)
      const page = res.items ?? []
      const seen = new Set(items.value.map(key))
      items.value = cursor ? [...items.value, ...page.filter((r) => !seen.has(key(r)))] : page
      nextCursor.value = res.next_cursor ?? ''
    } catch (e) {
      showError(e)
    } finally {
      loading.value = false
    }
  }

  return { items, nextCursor, loading, reload: () => fetchPage(''), loadMore: () => fetchPage(nextCursor.value) }
}
