import { describe, expect, it } from 'vitest'
import {
  CREDIT_MESSAGES,
  ID_MESSAGES,
  checkContactPhone,
  checkCreditCode,
  checkResidentId,
  creditCheckChar,
  residentCheckChar,
} from '@/utils/idno'

const today = new Date(2026, 10, 21) // 2026-11-21 local

/** A valid number for a birth date, computed with the same algorithm (for fixtures). */
function withCheck(body17: string): string {
  return body17 + residentCheckChar(body17)
}

describe('GB 11643 resident identity number', () => {
  it('accepts the standard example 11010519491231002X', () => {
    expect(residentCheckChar('11010519491231002')).toBe('X')
    expect(checkResidentId('11010519491231002X', today)).toBeNull()
  })

  it('accepts lower-case x and surrounding spaces', () => {
    expect(checkResidentId(' 11010519491231002x ', today)).toBeNull()
  })

  it('accepts computed numbers with a digit check character', () => {
    const n = withCheck('13082619850612409')
    expect(n).toBe('130826198506124098')
    expect(checkResidentId(n, today)).toBeNull()
  })

  it('refuses every wrong check character', () => {
    for (const c of '0123456789') {
      expect(checkResidentId('110105194912310020'.slice(0, 17) + c, today)).toBe(ID_MESSAGES.checksum)
    }
    expect(checkResidentId('130826198506124097', today)).toBe(ID_MESSAGES.checksum)
  })

  it('refuses wrong lengths and characters', () => {
    expect(checkResidentId('', today)).toBe(ID_MESSAGES.empty)
    expect(checkResidentId(undefined, today)).toBe(ID_MESSAGES.empty)
    expect(checkResidentId('11010519491231002', today)).toBe(ID_MESSAGES.length)
    expect(checkResidentId('11010519491231002X1', today)).toBe(ID_MESSAGES.length)
    expect(checkResidentId('1101051949123100AX', today)).toBe(ID_MESSAGES.chars)
    expect(checkResidentId('11010519491231002Y', today)).toBe(ID_MESSAGES.chars)
    expect(checkResidentId('１１010519491231002X', today)).toBe(ID_MESSAGES.chars)
  })

  it('requires the first digit to be 1–8', () => {
    expect(checkResidentId(withCheck('01010519491231002'), today)).toBe(ID_MESSAGES.region)
    expect(checkResidentId(withCheck('91010519491231002'), today)).toBe(ID_MESSAGES.region)
    expect(checkResidentId(withCheck('81010519491231002'), today)).toBeNull()
  })

  it('refuses impossible birth dates, including 29 February of a common year', () => {
    expect(checkResidentId(withCheck('11010519490229002'), today)).toBe(ID_MESSAGES.birth) // 1949 is common
    expect(checkResidentId(withCheck('11010520000229002'), today)).toBeNull() // 2000 is leap
    expect(checkResidentId(withCheck('11010519000229002'), today)).toBe(ID_MESSAGES.birth) // 1900 is not leap
    expect(checkResidentId(withCheck('11010519491301002'), today)).toBe(ID_MESSAGES.birth) // month 13
    expect(checkResidentId(withCheck('11010519490431002'), today)).toBe(ID_MESSAGES.birth) // 31 April
    expect(checkResidentId(withCheck('11010519490100002'), today)).toBe(ID_MESSAGES.birth) // day 0
    expect(checkResidentId(withCheck('11010518991231002'), today)).toBe(ID_MESSAGES.birth) // before 1900
  })

  it('refuses a birth date after today but accepts today', () => {
    expect(checkResidentId(withCheck('11010520261121002'), today)).toBeNull()
    expect(checkResidentId(withCheck('11010520261122002'), today)).toBe(ID_MESSAGES.birth)
  })
})

describe('GB 32100 unified social credit code', () => {
  it('accepts the example 91350100M000100Y43', () => {
    expect(creditCheckChar('91350100M000100Y4')).toBe('3')
    expect(checkCreditCode('91350100M000100Y43')).toBeNull()
    expect(checkCreditCode('91350100m000100y43')).toBeNull()
  })

  it('accepts the demo departments’ codes, including check value 0 (31 → 0)', () => {
    expect(checkCreditCode('11130826078029575H')).toBeNull()
    expect(checkCreditCode('111308260670919710')).toBeNull()
    expect(checkCreditCode('1313082607598899XA')).toBeNull()
  })

  it('refuses wrong check characters', () => {
    expect(checkCreditCode('91350100M000100Y44')).toBe(CREDIT_MESSAGES.checksum)
    expect(checkCreditCode('91350100M000100Y4A')).toBe(CREDIT_MESSAGES.checksum)
  })

  it('refuses bad characters, lengths and region codes', () => {
    expect(checkCreditCode('')).toBe(CREDIT_MESSAGES.empty)
    expect(checkCreditCode('91350100M000100Y4')).toBe(CREDIT_MESSAGES.length)
    expect(checkCreditCode('91350100M000100I43')).toBe(CREDIT_MESSAGES.chars) // I is not used
    expect(checkCreditCode('91350100O000100Y43')).toBe(CREDIT_MESSAGES.chars) // O is not used
    expect(checkCreditCode('9135A100M000100Y43')).toBe(CREDIT_MESSAGES.region)
  })
})

describe('contact phone', () => {
  it('accepts mobiles and landlines with area code', () => {
    expect(checkContactPhone('13812345678')).toBeNull()
    expect(checkContactPhone('0314-8021352')).toBeNull()
    expect(checkContactPhone('03148021352')).toBeNull()
    expect(checkContactPhone('010-12345678')).toBeNull()
  })

  it('refuses anything else in Chinese', () => {
    expect(checkContactPhone('')).toBe('请输入联系电话')
    expect(checkContactPhone('8021352')).toMatch(/带区号/)
    expect(checkContactPhone('12812345678')).toMatch(/手机号/)
  })
})
