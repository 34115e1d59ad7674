// Latin words in text meant for a Chinese reader (issue 15 item 7: no English in the Chinese
// UI). Shared by the unit tests (tests/unit/latin.test.ts) and the browser tests, which scan a
// rendered page's innerText.
//
// A run of letters, digits and code punctuation is a code when it has a digit in it (receipt
// numbers like YC-2026-000123, IDs, dates, versions) or is a web or mail address; its letters
// are then not words. What remains are the English words; the few the Chinese UI uses on
// purpose (file formats, units, the 18-character ID's check letter) are allowed.

/** Latin words a Chinese page may show: file formats, units, product names. */
export const LATIN_ALLOW = new Set(['PDF', 'Excel', 'xlsx', 'csv', 'KB', 'MB', 'GB', 'QR', 'X', 'x', 'Kratos', 'MinIO', 'CA', 'JPEG', 'PNG', 'TIFF', 'OFD', 'dpi'])

const TOKEN = /[A-Za-z0-9][A-Za-z0-9_.\-/:@]*/g
const WORD = /[A-Za-z]+/g

/**
 * The Latin words in `text` outside codes and numbers and outside `allow`, in order of
 * appearance, each once.
 * @param {string} text
 * @param {Set<string>} [allow]
 * @returns {string[]}
 */
export function latinWords(text, allow = LATIN_ALLOW) {
  const out = new Set()
  for (const [tok] of String(text ?? '').matchAll(TOKEN)) {
    if (/\d/.test(tok) || /^https?:\/\//i.test(tok) || /@/.test(tok)) continue
    for (const [w] of tok.matchAll(WORD)) {
      if (!allow.has(w)) out.add(w)
    }
  }
  return [...out]
}
