import { describe, expect, it } from 'vitest'
import type { BatchLine, PayLine, PayScheme, Payroll, WorkerHistoryEntry } from '@/api/types'
import {
  appraisalRows,
  appraisalYears,
  arrearsLines,
  buildChangeFields,
  changeFormFrom,
  defaultBatchYear,
  diffText,
  formToScheme,
  levelHistory,
  payrollRows,
  rosterFiltersFromQuery,
  rosterFiltersToApi,
  rosterFiltersToQuery,
  rosterImportErrors,
  schemeInForce,
  schemeToForm,
  sortBatchLines,
  stripRowPrefix,
  validateChangeForm,
} from '@/features/workforce/model'

const UNIT = '9bac528a-0697-4cd5-bb75-aa1d9ba8301e'

describe('roster filters', () => {
  it('reads the URL, dropping junk', () => {
    expect(rosterFiltersFromQuery({ org_unit_id: UNIT, q: ' 刘 ', status: 'active', post: 'staff' })).toEqual({
      org_unit_id: UNIT,
      q: '刘',
      status: 'active',
      post: 'staff',
    })
    expect(rosterFiltersFromQuery({ org_unit_id: 'x', status: 'fired', post: ['head', 'staff'] })).toEqual({
      org_unit_id: '',
      q: '',
      status: '',
      post: 'head',
    })
  })

  it('writes only what is set, to the URL and to the API', () => {
    const f = { org_unit_id: '', q: '王', status: '' as const, post: 'head' as const }
    expect(rosterFiltersToQuery(f)).toEqual({ q: '王', post: 'head' })
    expect(rosterFiltersToApi(f, 'abc', 50)).toEqual({ limit: 50, q: '王', post: 'head', cursor: 'abc' })
    expect(rosterFiltersToApi({ org_unit_id: UNIT, q: '', status: 'away', post: '' })).toEqual({ limit: 50, org_unit_id: UNIT, status: 'away' })
  })
})

describe('roster import errors', () => {
  const problem = {
    status: 422,
    message: '文件有 2 处错误，未导入任何人员',
    errors: [
      { location: 'file', message: '第 3 行“社区（村）”：找不到“河西镇 张家村”', message_en: 'x', value: { row: 3, column: '社区（村）' } },
      { location: 'file', message: '第 2 行“身份证号”：身份证号校验码不正确', message_en: 'x', value: { row: 2, column: '身份证号' } },
    ],
  }

  it('lists row, column and the reason without repeating the row', () => {
    expect(rosterImportErrors(problem)).toEqual([
      { row: 2, column: '身份证号', message: '身份证号校验码不正确' },
      { row: 3, column: '社区（村）', message: '找不到“河西镇 张家村”' },
    ])
  })

  it('copes with file-level problems and junk', () => {
    expect(rosterImportErrors({ status: 422, message: 'x', errors: [{ location: 'file', message: '表头与模板不一致' }, null] })).toEqual([
      { row: null, column: '', message: '表头与模板不一致' },
    ])
    expect(rosterImportErrors(null)).toEqual([])
    expect(stripRowPrefix('第 12 行“等级”：等级须为 1 至 18 的整数')).toBe('等级须为 1 至 18 的整数')
    expect(stripRowPrefix('没有前缀')).toBe('没有前缀')
  })
})

describe('the change form', () => {
  const record = {
    name: '刘芳',
    phone: '13700000001',
    org_unit_id: UNIT,
    post: 'staff',
    title: '社区工作者',
    hired: '2019-07-01',
    education: 'bachelor',
    certificate: 'junior',
    status: 'active',
    level: 5,
  }

  it('sends only the items chosen', () => {
    const f = changeFormFrom(record, '2026-12-01')
    f.items = ['post', 'title']
    f.post = 'deputy'
    f.title = ' 副主任 '
    f.level = 9 // not chosen: not sent
    expect(buildChangeFields(f)).toEqual({ post: 'deputy', title: '副主任' })
  })

  it('sends a certificate with its date, and clears the date for 无', () => {
    const f = changeFormFrom(record, '2026-12-01')
    f.items = ['certificate', 'contract', 'level']
    f.certificate = 'intermediate'
    f.certificate_on = '2026-11-01'
    f.contract_from = '2026-01-01'
    f.contract_to = '2028-12-31'
    f.level = 7
    expect(buildChangeFields(f)).toEqual({
      certificate: 'intermediate',
      certificate_on: '2026-11-01',
      contract_from: '2026-01-01',
      contract_to: '2028-12-31',
      level: 7,
    })
    f.items = ['certificate']
    f.certificate = 'none'
    expect(buildChangeFields(f)).toEqual({ certificate: 'none', certificate_on: '' })
  })

  it('checks what the server would refuse, keyed like its field errors', () => {
    const f = changeFormFrom(record, '')
    expect(validateChangeForm(f)).toEqual({
      effective_from: '请选择生效日期',
      fields: '请至少选择一项变更内容',
      reason: '请填写变更原因',
      approver: '请填写审批人',
    })
    f.effective_from = '2026-12-01'
    f.items = ['phone', 'contract', 'certificate']
    f.phone = '12345'
    f.contract_from = '2027-01-01'
    f.contract_to = '2026-01-01'
    f.certificate = 'senior'
    f.certificate_on = ''
    f.reason = '调整'
    f.approver = '王建国'
    expect(validateChangeForm(f)).toEqual({
      'fields.phone': '手机号须为 11 位、以 1 开头',
      'fields.contract_to': '合同结束日期不能早于开始日期',
      'fields.certificate_on': '请选择取证日期',
    })
  })
})

describe('history and appraisals', () => {
  const entry = (seq: number, kind: string, diffs: { field: string; label: string; before: string; after: string }[]): WorkerHistoryEntry => ({
    seq,
    kind,
    effective_from: `202${seq}-01-01`,
    fields: {},
    reason: `r${seq}`,
    approver: '王建国',
    recorded_at: '2026-11-21T00:00:00Z',
    diffs,
  })

  it('writes diffs as 字段：前 → 后', () => {
    expect(diffText({ field: 'level', label: '等级', before: '5 级', after: '6 级' })).toBe('等级：5 级 → 6 级')
    expect(diffText({ field: 'name', label: '姓名', before: '', after: '刘芳' })).toBe('姓名：刘芳')
    expect(diffText({ field: 'phone', label: '手机', before: '13700000001', after: '' })).toBe('手机：13700000001 → （空）')
  })

  it('keeps only the entries that changed the level, in the order given', () => {
    const h = [
      entry(6, 'progression', [{ field: 'level', label: '等级', before: '5 级', after: '6 级' }]),
      entry(5, 'edit', [{ field: 'phone', label: '手机', before: 'a', after: 'b' }]),
      entry(1, 'hire', [
        { field: 'name', label: '姓名', before: '', after: '刘芳' },
        { field: 'level', label: '等级', before: '', after: '5 级' },
      ]),
    ]
    expect(levelHistory(h).map((s) => [s.seq, s.kind, s.before, s.after])).toEqual([
      [6, 'progression', '5 级', '6 级'],
      [1, 'hire', '', '5 级'],
    ])
    expect(levelHistory(null)).toEqual([])
  })

  it('orders appraisals newest first and marks the entry that counts', () => {
    const a = (year: number, seq: number, result: string) => ({ year, seq, result, reason: '', approver: '', recorded_at: '' })
    const rows = appraisalRows([a(2024, 1, 'competent'), a(2025, 1, 'incompetent'), a(2025, 2, 'competent')])
    expect(rows.map((r) => [r.year, r.seq, r.current])).toEqual([
      [2025, 2, true],
      [2025, 1, false],
      [2024, 1, true],
    ])
    expect(appraisalYears('2023-07-01', '2026-11-21')).toEqual([2026, 2025, 2024, 2023])
    expect(appraisalYears('2027-01-01', '2026-11-21')).toEqual([])
  })
})

describe('progression', () => {
  const line = (name: string, cur: number, prop: number) => ({ name, current_level: cur, proposed_level: prop }) as BatchLine

  it('puts changed levels first and keeps the order within each group', () => {
    const out = sortBatchLines([line('a', 3, 3), line('b', 3, 4), line('c', 5, 5), line('d', 1, 2)])
    expect(out.map((l) => l.name)).toEqual(['b', 'd', 'a', 'c'])
  })

  it('offers this year until its batch is approved, then the next', () => {
    expect(defaultBatchYear([], '2026-11-21')).toBe(2026)
    expect(defaultBatchYear([{ year: 2026, status: 'draft' }], '2026-11-21')).toBe(2026)
    expect(defaultBatchYear([{ year: 2026, status: 'effective' }], '2026-11-21')).toBe(2027)
  })
})

describe('payroll sheet', () => {
  const pl = (township: string, community: string, name: string, gross: number, arrears = 0): PayLine => ({
    month: '2026-11',
    worker_id: `${community}-${name}`,
    township,
    community,
    name,
    id_masked: '130826********1121',
    post: 'staff',
    title: '',
    amounts: { days: 30, level: 5, level_pay: gross, basic: 0, performance: 0, allowances: [], gross },
    gross,
    arrears,
    detail: arrears ? [{ month: '2026-10', due: gross + arrears, paid: gross, diff: arrears }] : [],
    total: gross + arrears,
  })
  const sub = (township: string, community: string, workers: number, gross: number, arrears: number) => ({
    township,
    community,
    workers,
    gross,
    arrears,
    total: gross + arrears,
  })

  it('interleaves community 小计, township 合计 and the 总计 with the API subtotals', () => {
    const p: Pick<Payroll, 'lines' | 'subtotals'> = {
      lines: [pl('城关镇', '东关社区', '刘芳', 100), pl('城关镇', '东关社区', '孙悦', 200, 50), pl('城关镇', '西街社区', '周强', 300), pl('河西镇', '李家村', '王海', 400)],
      subtotals: [
        sub('城关镇', '', 3, 600, 50),
        sub('城关镇', '东关社区', 2, 300, 50),
        sub('城关镇', '西街社区', 1, 300, 0),
        sub('河西镇', '', 1, 400, 0),
        sub('河西镇', '李家村', 1, 400, 0),
      ],
    }
    const rows = payrollRows(p)
    expect(rows.map((r) => (r.kind === 'line' ? r.line.name : `${r.kind}:${r.label}:${r.workers}:${r.total}`))).toEqual([
      '刘芳',
      '孙悦',
      'community:东关社区 小计:2:350',
      '周强',
      'community:西街社区 小计:1:300',
      'township:城关镇 合计:3:650',
      '王海',
      'community:李家村 小计:1:400',
      'township:河西镇 合计:1:400',
      'total:总计:4:1050',
    ])
  })

  it('computes a group the API did not total, and is empty for no sheet', () => {
    const rows = payrollRows({ lines: [pl('城关镇', '东关社区', '刘芳', 100, -20)], subtotals: [] })
    const community = rows.find((r) => r.kind === 'community')
    expect(community && community.kind !== 'line' ? [community.workers, community.gross, community.arrears, community.total] : null).toEqual([1, 100, -20, 80])
    expect(payrollRows(null)).toEqual([])
    expect(payrollRows({ lines: [], subtotals: [] })).toEqual([])
  })

  it('explains arrears month by month', () => {
    expect(arrearsLines([{ month: '2026-10', due: 340000, paid: 320000, diff: 20000 }])).toEqual(['2026-10：应发 3,400.00，已发 3,200.00，补发 +200.00'])
    expect(arrearsLines([{ month: '2026-09', due: 300000, paid: 320000, diff: -20000 }])).toEqual(['2026-09：应发 3,000.00，已发 3,200.00，扣回 -200.00'])
  })
})

describe('pay scheme editor', () => {
  const sample: PayScheme = {
    label: '示例方案',
    sample: true,
    rule: {
      ranges: { head: { min: 7, max: 18 }, deputy: { min: 4, max: 15 }, staff: { min: 1, max: 12 } },
      years_per_step: 3,
      education_years: { none: 0, college: 0, bachelor: 3, master: 5, doctor: 7 },
      certificate_steps: { none: 0, junior: 1, intermediate: 2, senior: 3 },
      blocking: ['incompetent'],
    },
    mode: 'coefficient',
    base: 340000,
    coefficients: Array.from({ length: 18 }, (_, i) => 1000 + 80 * i),
    amounts: null,
    basic_permille: 800,
    performance_permille: { excellent: 1200, competent: 1000, basic: 800, incompetent: 0 },
    no_appraisal_permille: 1000,
    allowances: [{ name: '交通通讯补贴', fixed: 10000 }, { name: '持证津贴', fixed: 0, by_certificate: { junior: 5000, senior: 20000 } }],
    progression_month: 1,
    progression_day: 1,
  }

  it('shows 元, %, and 3-decimal factors', () => {
    const f = schemeToForm(sample)
    expect(f.base_yuan).toBe(3400)
    expect(f.coefficients[0]).toBe(1)
    expect(f.coefficients[17]).toBeCloseTo(2.36)
    expect(f.amounts_yuan[4]).toBe(4488) // 3400 × 1.32, filled in for a switch to fixed amounts
    expect(f.basic_percent).toBe(80)
    expect(f.performance_percent.excellent).toBe(120)
    expect(f.allowances[0]!.fixed_yuan).toBe(100)
    expect(f.allowances[1]!.by_certificate).toEqual({ none: null, junior: 50, intermediate: null, senior: 200 })
  })

  it('round-trips to the same scheme in fen and per mille', () => {
    const back = formToScheme(schemeToForm(sample))
    expect(back.base).toBe(340000)
    expect(back.coefficients).toEqual(sample.coefficients)
    expect(back.amounts).toHaveLength(18)
    expect(back.rule).toEqual(sample.rule)
    expect(back.basic_permille).toBe(800)
    expect(back.performance_permille).toEqual(sample.performance_permille)
    expect(back.allowances).toEqual(sample.allowances)
    expect([back.progression_month, back.progression_day, back.mode, back.sample]).toEqual([1, 1, 'coefficient', true])
  })

  it('finds the scheme in force on a day', () => {
    const list = [{ effective_from: '2020-01-01', n: 1 }, { effective_from: '2026-01-01', n: 2 }, { effective_from: '2027-01-01', n: 3 }]
    expect(schemeInForce(list, '2026-11-21')?.n).toBe(2)
    expect(schemeInForce(list, '2019-05-01')?.n).toBe(1)
    expect(schemeInForce([], '2026-11-21')).toBeUndefined()
  })
})
