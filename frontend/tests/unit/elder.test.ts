import { afterEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElderSwitch from '@/components/ElderSwitch.vue'
import { ELDER_CLASS, ELDER_KEY } from '@/composables/useElderMode'

// 长辈版 (issue 15 item 10): a named toggle, remembered on the device, a class on <html> that
// leaves with the page so staff pages keep the browser's size.
describe('ElderSwitch', () => {
  afterEach(() => {
    localStorage.clear()
    document.documentElement.classList.remove(ELDER_CLASS)
  })

  it('is a named toggle button that turns 长辈版 on and off and remembers it', async () => {
    const w = mount(ElderSwitch)
    const b = w.get('button[data-testid="elder-switch"]')
    expect(b.text()).toContain('长辈版')
    expect(b.attributes('aria-pressed')).toBe('false')
    expect(document.documentElement.classList.contains(ELDER_CLASS)).toBe(false)
    await b.trigger('click')
    expect(b.attributes('aria-pressed')).toBe('true')
    expect(document.documentElement.classList.contains(ELDER_CLASS)).toBe(true)
    expect(localStorage.getItem(ELDER_KEY)).toBe('1')
    await b.trigger('click')
    expect(document.documentElement.classList.contains(ELDER_CLASS)).toBe(false)
    expect(localStorage.getItem(ELDER_KEY)).toBeNull()
  })

  it('opens in 长辈版 when it was chosen before, and leaves <html> as it found it', () => {
    localStorage.setItem(ELDER_KEY, '1')
    const w = mount(ElderSwitch)
    expect(w.get('button').attributes('aria-pressed')).toBe('true')
    expect(document.documentElement.classList.contains(ELDER_CLASS)).toBe(true)
    w.unmount()
    expect(document.documentElement.classList.contains(ELDER_CLASS)).toBe(false)
    expect(localStorage.getItem(ELDER_KEY)).toBe('1')
  })
})
