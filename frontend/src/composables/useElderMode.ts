import { onBeforeUnmount, ref, watch, type Ref } from 'vue'

// 长辈版 (适老化) on the residents' pages: larger text, high contrast, large tap targets. The
// choice is remembered on the device, so a resident who turned it on once finds it on the next
// QR code. It works by a class on <html>: with every size in rem, raising the root font size
// scales the whole page, and src/styles/elder.css adds the contrast and the minimum sizes.

export const ELDER_KEY = 'yc.elder'
export const ELDER_CLASS = 'elder-mode'

export function elderStored(): boolean {
  try {
    return localStorage.getItem(ELDER_KEY) === '1'
  } catch {
    return false
  }
}

function remember(on: boolean) {
  try {
    if (on) localStorage.setItem(ELDER_KEY, '1')
    else localStorage.removeItem(ELDER_KEY)
  } catch {
    // Private mode without storage: the switch still works for this page.
  }
}

/** The 长辈版 switch of a public page; the class leaves <html> with the page (staff pages never get it). */
export function useElderMode(): Ref<boolean> {
  const on = ref(elderStored())
  watch(
    on,
    (v) => {
      remember(v)
      document.documentElement.classList.toggle(ELDER_CLASS, v)
    },
    { immediate: true },
  )
  onBeforeUnmount(() => document.documentElement.classList.remove(ELDER_CLASS))
  return on
}
