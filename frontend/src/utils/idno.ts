// Checks of the numbers a hall copies from papers, mirroring services/idno on the server:
// the resident identity number (公民身份号码, GB 11643-1999) and the unified social credit code
// (统一社会信用代码, GB 32100-2015). Each check returns a Chinese message or null when valid.
// Like the server, the messages never reveal the expected check character: staff must re-read
// the card instead of letting the system patch a typo.

export const RESIDENT_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const
export const RESIDENT_CHECK_CHARS = '10X98765432'

/** ISO 7064 MOD 11-2 check character of the first 17 digits. */
export function residentCheckChar(body17: string): string {
  if (!/^\d{17}$/.test(body17)) throw new Error('residentCheckChar: need 17 digits')
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(body17[i]) * RESIDENT_WEIGHTS[i]!
  return RESIDENT_CHECK_CHARS[sum % 11]!
}

export const ID_MESSAGES = {
  empty: '请输入身份证号码',
  length: '身份证号码应为 18 位',
  chars: '身份证号码应为 17 位数字加 1 位数字或 X',
  region: '身份证号码的地区码不正确',
  birth: '身份证号码中的出生日期不正确',
  checksum: '身份证号码校验码不正确',
} as const

function isRealDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d
}

/**
 * Checks an 18-character resident identity number: 17 digits and a digit or X (x is read as X),
 * first digit 1–8, a real birth date between 1900-01-01 and `today`, and the check character.
 */
export function checkResidentId(value: string | null | undefined, today: Date = new Date()): string | null {
  const v = (value ?? '').trim().toUpperCase()
  if (v === '') return ID_MESSAGES.empty
  if ([...v].length !== 18) return ID_MESSAGES.length
  if (!/^\d{17}[\dX]$/.test(v)) return ID_MESSAGES.chars
  if (v[0]! < '1' || v[0]! > '8') return ID_MESSAGES.region
  const y = Number(v.slice(6, 10))
  const m = Number(v.slice(10, 12))
  const d = Number(v.slice(12, 14))
  const birth = Date.UTC(y, m - 1, d)
  const todayUtc = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())
  if (!isRealDate(y, m, d) || y < 1900 || birth > todayUtc) return ID_MESSAGES.birth
  if (residentCheckChar(v.slice(0, 17)) !== v[17]) return ID_MESSAGES.checksum
  return null
}

/** The 31 characters of a credit code in value order (no I, O, Z, S, V). */
export const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
export const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const

/** Check character: 31 − (Σ value × weight mod 31), with 31 read as 0. */
export function creditCheckChar(body17: string): string {
  if (body17.length !== 17) throw new Error('creditCheckChar: need 17 characters')
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CHARS.indexOf(body17[i]!)
    if (v < 0) throw new Error('creditCheckChar: bad character')
    sum += v * CREDIT_WEIGHTS[i]!
  }
  return CREDIT_CHARS[(31 - (sum % 31)) % 31]!
}

export const CREDIT_MESSAGES = {
  empty: '请输入统一社会信用代码',
  length: '统一社会信用代码应为 18 位',
  chars: '统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）',
  region: '统一社会信用代码的第 3 至 8 位应为行政区划码',
  checksum: '统一社会信用代码校验码不正确',
} as const

/** Checks an 18-character unified social credit code (lower case is read as upper case). */
export function checkCreditCode(value: string | null | undefined): string | null {
  const v = (value ?? '').trim().toUpperCase()
  if (v === '') return CREDIT_MESSAGES.empty
  if ([...v].length !== 18) return CREDIT_MESSAGES.length
  for (const c of v) if (!CREDIT_CHARS.includes(c)) return CREDIT_MESSAGES.chars
  if (!/^\d{6}$/.test(v.slice(2, 8))) return CREDIT_MESSAGES.region
  if (creditCheckChar(v.slice(0, 17)) !== v[17]) return CREDIT_MESSAGES.checksum
  return null
}

/** Mobile (1 then 3–9, 11 digits) or landline with area code (0xx[x]-xxxxxxx[x]). Same as the server. */
export const CONTACT_PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/

export function checkContactPhone(value: string | null | undefined): string | null {
  const v = (value ?? '').trim()
  if (v === '') return '请输入联系电话'
  if (!CONTACT_PHONE.test(v)) return '联系电话须为 11 位手机号或带区号的固定电话（如 0314-8021352）'
  return null
}

/** Length of both numbers: GB 11643 and GB 32100 are 18 characters. */
export const ID_LENGTH = 18

/**
 * What an ID input keeps of a keystroke or a paste: spaces removed (ASCII, the full-width space
 * of a Chinese input method, tabs, line breaks — cards print the number in groups) and letters
 * upper-cased, and only then cut to 18. The input has no native maxlength for this reason: the
 * browser would cut "110105 19491231 002X" to 18 characters before the spaces were gone.
 */
export function normalizeIdInput(raw: string, max: number = ID_LENGTH): string {
  return raw.replace(/\s+/g, '').toUpperCase().slice(0, max)
}
