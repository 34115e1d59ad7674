// A report over a period of days (办件统计, 好差评指标): the period, 1 January to today at first;
// the report of the last query; and load(), which asks again for the period chosen.
import { ref, shallowRef } from 'vue'
import { todayISO, yearStart } from '@/utils/dates'
import { showError } from '@/utils/errors'

export function useReport<R>(fetch: (from: string, to: string) => Promise<R>) {
  const today = todayISO()
  const range = ref<[string, string]>([yearStart(today), today])
  const report = shallowRef<R | null>(null)
  const loading = ref(false)

  async function load(): Promise<void> {
    const [from, to] = range.value ?? []
    if (!from || !to) return
    loading.value = true
    try {
      report.value = await fetch(from, to)
    } catch (e) {
      showError(e)
    } finally {
      loading.value = false
    }
  }

  return { range, report, loading, load }
}
