// One of the county's settings on a page (规则设置, 文件与归档, 准入规则, 好差评规则): the form
// starts at the defaults, `load` fills it from the GET, `save` PUTs it and refills it from what
// the server kept; the reasons of a 422 land beside their fields (fieldErrors, keyed by field).
import { reactive, ref } from 'vue'
import { ElMessage } from 'element-plus'
import { clearFieldErrors, showError } from '@/utils/errors'

export interface SettingsEndpoint<S> {
  get: () => Promise<S>
  put: () => Promise<S>
  /** Copies the server's settings into the page's form. */
  fill: (s: S) => void
  /** What the clerk is told after a save. */
  saved: string
}

export function useSettings<S>(endpoint: SettingsEndpoint<S>) {
  const loading = ref(false)
  const saving = ref(false)
  const fieldErrors = reactive<Record<string, string>>({})

  async function load(): Promise<void> {
    loading.value = true
    clearFieldErrors(fieldErrors)
    try {
      endpoint.fill(await endpoint.get())
    } catch (e) {
      showError(e)
    } finally {
      loading.value = false
    }
  }

  /** True once saved (a dialog closes then). */
  async function save(): Promise<boolean> {
    saving.value = true
    clearFieldErrors(fieldErrors)
    try {
      endpoint.fill(await endpoint.put())
      ElMessage.success(endpoint.saved)
      return true
    } catch (e) {
      showError(e, fieldErrors)
      return false
    } finally {
      saving.value = false
    }
  }

  return { loading, saving, fieldErrors, load, save }
}
