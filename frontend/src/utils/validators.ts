import type { FormItemRule } from 'element-plus'

/** Mainland China mobile number: 11 digits, 1 then 3–9. */
export const MAINLAND_MOBILE = /^1[3-9]\d{9}$/

export const PASSWORD_MIN_LENGTH = 10

export const PASSWORD_POLICY_HINT =
  `至少 ${PASSWORD_MIN_LENGTH} 位；不能包含手机号，不能是常见密码（如 woaini1314、1qaz2wsx3edc）；建议混合大小写字母、数字和符号`

/** Returns a Chinese error message, or null when the number is valid. */
export function validatePhone(value: string | null | undefined): string | null {
  const v = (value ?? '').trim()
  if (v === '') return '请输入手机号'
  if (!/^\d+$/.test(v)) return '手机号只能包含数字'
  if (v.length !== 11) return '手机号应为 11 位数字'
  if (!MAINLAND_MOBILE.test(v)) return '请输入有效的中国大陆手机号'
  return null
}

export function validateNewPassword(value: string | null | undefined): string | null {
  const v = value ?? ''
  if (v === '') return '请输入初始密码'
  if (v.length < PASSWORD_MIN_LENGTH) return `密码至少 ${PASSWORD_MIN_LENGTH} 位`
  if (v.trim() !== v) return '密码首尾不能有空格'
  return null
}

function toRule(fn: (v: string) => string | null): FormItemRule {
  return {
    required: true, // shows the asterisk; the validator itself reports an empty value
    trigger: 'blur',
    validator: (_rule, value: string, callback) => {
      const msg = fn(value)
      if (msg) callback(new Error(msg))
      else callback()
    },
  }
}

export const phoneRule: FormItemRule = toRule(validatePhone)
export const newPasswordRule: FormItemRule = toRule(validateNewPassword)

export function requiredRule(message: string, trigger: 'blur' | 'change' = 'blur'): FormItemRule {
  return { required: true, message, trigger }
}
