// True on phone-sized screens (≤ 768 px): the layout swaps the side menu for a drawer and
// forms go single-column.
import { onBeforeUnmount, ref } from 'vue'

export const NARROW_QUERY = '(max-width: 768px)'

export function useNarrow() {
  const mq = typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(NARROW_QUERY) : null
  const narrow = ref(mq?.matches ?? false)
  const update = (e: { matches: boolean }) => {
    narrow.value = e.matches
  }
  mq?.addEventListener?.('change', update)
  onBeforeUnmount(() => mq?.removeEventListener?.('change', update))
  return narrow
}
