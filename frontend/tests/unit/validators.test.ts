import { describe, expect, it } from 'vitest'
import { MAINLAND_MOBILE, validateNewPassword, validatePhone } from '@/utils/validators'

describe('validatePhone', () => {
  it.each(['13900000001', '13712345678', '19912345678', '15000000000'])('accepts %s', (p) => {
    expect(validatePhone(p)).toBeNull()
    expect(MAINLAND_MOBILE.test(p)).toBe(true)
  })

  it.each([
    ['', '请输入手机号'],
    ['   ', '请输入手机号'],
    ['1390000000', '手机号应为 11 位数字'],
    ['139000000012', '手机号应为 11 位数字'],
    ['12900000001', '请输入有效的中国大陆手机号'],
    ['23900000001', '请输入有效的中国大陆手机号'],
    ['139-0000-001', '手机号只能包含数字'],
    ['+8613900000001', '手机号只能包含数字'],
  ])('rejects %j with %s', (p, msg) => {
    expect(validatePhone(p)).toBe(msg)
  })

  it('trims surrounding spaces before checking', () => {
    expect(validatePhone(' 13900000001 ')).toBeNull()
  })
})

describe('validateNewPassword', () => {
  it('requires at least 10 characters', () => {
    expect(validateNewPassword('')).toBe('请输入初始密码')
    expect(validateNewPassword('Abc@12345')).toBe('密码至少 10 位')
    expect(validateNewPassword('Yichuang@2026x')).toBeNull()
  })

  it('rejects leading or trailing spaces', () => {
    expect(validateNewPassword(' Yichuang@2026x')).toBe('密码首尾不能有空格')
  })
})
