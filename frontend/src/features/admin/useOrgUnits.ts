import { computed, ref } from 'vue'
import { api, call } from '@/api/client'
import type { OrgUnit } from '@/api/types'
import { buildOrgTree } from '@/features/admin/orgTree'
import { showError } from '@/utils/errors'

/** Loads GET /api/v1/org-units and exposes it as a flat list and as a tree. */
export function useOrgUnits() {
  const units = ref<OrgUnit[]>([])
  const loading = ref(false)
  const tree = computed(() => buildOrgTree(units.value))

  async function reload(): Promise<void> {
    loading.value = true
    try {
      const res = await call(api.GET('/api/v1/org-units'))
      units.value = res.items ?? []
    } catch (e) {
      showError(e)
    } finally {
      loading.value = false
    }
  }

  return { units, tree, loading, reload }
}
