// Ties every form error to its field for assistive technology (WCAG 2.1 SC 3.3.1, 1.3.1):
// Element Plus shows a form item's message (its own rule or a server error passed as the
// item's `error`, see problemPathErrors/problemFieldErrors) in `.el-form-item__error`, but
// leaves the input without aria-invalid and without aria-describedby. One observer on the
// app root wires them for every form, so no form can forget it.

const CONTROLS = 'input:not([type="hidden"]), textarea, [role="combobox"], [role="radiogroup"], [role="group"]'
const WIRED = 'data-field-error-id'
let seq = 0

/** Sets or clears aria-invalid/aria-describedby on the controls of one `.el-form-item`. */
export function wireFormItem(item: Element): void {
  const msg = item.classList.contains('is-error') ? item.querySelector(':scope > .el-form-item__content > .el-form-item__error, .el-form-item__error') : null
  const text = msg?.textContent?.trim() ?? ''
  const controls = Array.from(item.querySelectorAll(CONTROLS)).filter((c) => c.closest('.el-form-item') === item)
  if (msg && text) {
    if (!msg.id) msg.id = `field-error-${++seq}`
    msg.setAttribute('role', 'alert')
    for (const c of controls) {
      c.setAttribute('aria-invalid', 'true')
      const ids = (c.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((x) => x && x !== c.getAttribute(WIRED))
      c.setAttribute('aria-describedby', [...ids, msg.id].join(' '))
      c.setAttribute(WIRED, msg.id)
    }
    return
  }
  for (const c of controls) {
    const id = c.getAttribute(WIRED)
    if (!id && c.getAttribute('aria-invalid') !== 'true') continue
    c.removeAttribute('aria-invalid')
    const rest = (c.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((x) => x && x !== id)
    if (rest.length) c.setAttribute('aria-describedby', rest.join(' '))
    else c.removeAttribute('aria-describedby')
    c.removeAttribute(WIRED)
  }
}

/** Wires every form item under root now and whenever one changes; returns the disconnect. */
export function installFieldErrorAria(root: Element): () => void {
  const pending = new Set<Element>()
  let scheduled = false
  const flush = () => {
    scheduled = false
    for (const item of pending) if (item.isConnected) wireFormItem(item)
    pending.clear()
  }
  const note = (n: Node | null) => {
    const el = n instanceof Element ? n : n?.parentElement
    const item = el?.closest('.el-form-item')
    if (!item) return
    pending.add(item)
    if (!scheduled) {
      scheduled = true
      queueMicrotask(flush)
    }
  }
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      // Only what can change an error: a form item's class, the message appearing or going,
      // its text, or a new control.
      if (r.type === 'attributes') {
        if ((r.target as Element).classList?.contains('el-form-item')) note(r.target)
      } else if (r.type === 'characterData') {
        if (r.target.parentElement?.classList.contains('el-form-item__error')) note(r.target)
      } else {
        note(r.target)
      }
    }
  })
  observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['class'] })
  root.querySelectorAll('.el-form-item').forEach(wireFormItem)
  return () => observer.disconnect()
}
