import { describe, expect, it } from 'vitest'
import {
  ACCESS_KIND_LABELS,
  ADMISSION_STAGE_LABELS,
  ALL_ACCESS_KINDS,
  INTERCEPT_RULE_LABELS,
  TASK_STATUS_LABELS,
  accessKindLabel,
  decisionLabel,
  interceptRuleLabel,
  itemStatusLabel,
  itemStatusTag,
  stageLabel,
  stageTag,
  taskStatusLabel,
  taskStatusTag,
  versionActionLabel,
} from '@/features/access/labels'
import {
  BURDEN_METRICS,
  DISPATCHABLE_KINDS,
  FUNDING_REQUIRED,
  OPEN_STAGES,
  STAGE_FLOW,
  burdenChartDescription,
  burdenText,
  changeText,
  comparisonLines,
  contentBody,
  contentFormFrom,
  daysInMonth,
  decisionNeedsReason,
  earliestStartFrom,
  effectiveRange,
  emptyContentForm,
  formatAmount,
  fundingText,
  groupByKind,
  isMonthDay,
  isMonthValue,
  monthDayText,
  monthOf,
  scopeText,
  stageProgress,
  validateContent,
  versionLabel,
} from '@/features/access/model'
import { burdenChartHeight, burdenChartOption } from '@/features/access/burdenChart'
import { AXIS_TEXT, SERIES_COLOURS } from '@/charts/echarts'

const row = (key: string, tasks: number, intercepted: number) => ({
  key,
  label: key,
  month: '',
  tasks,
  accepted: 0,
  refused: 0,
  intercepted,
  hours: 0,
  ledgers: 0,
  certificates: 0,
  inspections: 0,
})

describe('access lists: kinds and grouping', () => {
  it('labels the five lists in publication order, three of them dispatchable', () => {
    expect(ALL_ACCESS_KINDS).toEqual(['duty', 'assist', 'certificate', 'no_certificate', 'forbidden'])
    expect(ACCESS_KIND_LABELS.assist).toBe('依法协助政府工作事项')
    expect(DISPATCHABLE_KINDS).toEqual(['duty', 'assist', 'certificate'])
    expect(accessKindLabel('forbidden')).toBe('不得承担事项')
    expect(accessKindLabel('mystery')).toBe('mystery')
  })

  it('groups items by list in publication order, by code within a list, unknown kinds last', () => {
    const items = [
      { kind: 'forbidden', code: 'BD-001' },
      { kind: 'assist', code: 'XZ-MZ-002' },
      { kind: 'duty', code: 'LZ-001' },
      { kind: 'assist', code: 'XZ-MZ-001' },
      { kind: 'other', code: 'Q-1' },
    ]
    const groups = groupByKind(items)
    expect(groups.map((g) => g.kind)).toEqual(['duty', 'assist', 'forbidden', 'other'])
    expect(groups[1]!.items.map((i) => i.code)).toEqual(['XZ-MZ-001', 'XZ-MZ-002'])
    expect(groups[1]!.label).toBe('依法协助政府工作事项')
    expect(groups[3]!.label).toBe('other')
  })

  it('keeps empty lists when asked to', () => {
    expect(groupByKind([], true).map((g) => g.kind)).toEqual(ALL_ACCESS_KINDS)
    expect(groupByKind([])).toEqual([])
  })

  it('labels item statuses with tag colours', () => {
    expect(itemStatusLabel('in_force')).toBe('有效')
    expect(itemStatusLabel('pending')).toBe('待生效')
    expect(itemStatusLabel('withdrawn')).toBe('已撤销')
    expect(itemStatusLabel('expired')).toBe('已到期')
    expect(itemStatusTag('in_force')).toBe('success')
    expect(itemStatusTag('pending')).toBe('warning')
    expect(itemStatusTag('nonsense')).toBe('info')
  })

  it('writes funding in 元 per task or per community and year', () => {
    expect(fundingText('per_task', 5000)).toBe('50.00 元/件')
    expect(fundingText('per_year', 200000)).toBe('2,000.00 元/社区/年')
    expect(fundingText('none', 0)).toBe('无专项经费')
    expect(fundingText('', 0)).toBe('无专项经费')
  })

  it('writes the effective period, ignoring an unset end', () => {
    expect(effectiveRange('2026-01-01', '')).toBe('2026-01-01 起')
    expect(effectiveRange('2026-01-01', '2026-12-31')).toBe('2026-01-01 至 2026-12-31')
    expect(effectiveRange('2026-01-01', '0001-01-01')).toBe('2026-01-01 起')
    expect(effectiveRange('', '')).toBe('')
  })

  it('summarises what an item brings and names versions', () => {
    expect(burdenText({ ledgers: 1, reports: 0, inspections: 2 })).toBe('台账 1 · 报表 0 · 检查 2')
    expect(versionActionLabel('admit')).toBe('准入生效')
    expect(versionActionLabel('x')).toBe('x')
  })

  it('names the scope, whole county when empty', () => {
    const units = [
      { id: 'a', name: '城关镇' },
      { id: 'b', name: '李家村' },
    ]
    expect(scopeText([], units)).toBe('全县')
    expect(scopeText(null, units)).toBe('全县')
    expect(scopeText(['a', 'b'], units)).toBe('城关镇、李家村')
    expect(scopeText(['a', 'zz'], units)).toBe('城关镇 等 2 个')
    expect(scopeText(['zz'], [])).toBe('1 个乡镇或村（社区）')
  })
})

describe('access lists: the content form', () => {
  it('turns 元 into fen, drops the amount without funding and an empty department', () => {
    const f = { ...emptyContentForm('assist'), code: 'xz-mz-901', name: ' 入户调查 ', legal_basis: '《社会救助暂行办法》', funding: 'per_task' as const, funding_yuan: 50.5 }
    const body = contentBody(f)
    expect(body.code).toBe('XZ-MZ-901')
    expect(body.name).toBe('入户调查')
    expect(body.funding_amount).toBe(5050)
    expect('department_id' in body).toBe(false)
    expect(contentBody({ ...f, funding: 'none' }).funding_amount).toBe(0)
    expect(contentBody({ ...f, department_id: 'd1' }).department_id).toBe('d1')
  })

  it('fills the form from an item, amounts back in 元', () => {
    const f = contentFormFrom({ code: 'XZ-MZ-001', kind: 'assist', name: 'n', funding: 'per_year', funding_amount: 200000, scope_unit_ids: null, department_id: 'd' })
    expect(f.funding_yuan).toBe(2000)
    expect(f.scope_unit_ids).toEqual([])
    expect(f.department_id).toBe('d')
    expect(contentFormFrom({ kind: 'weird', funding: 'weird' }).kind).toBe('assist')
    expect(contentFormFrom({ kind: 'weird', funding: 'weird' }).funding).toBe('none')
  })

  it('checks what the server checks', () => {
    const ok = { ...emptyContentForm('assist'), code: 'XZ-1', name: '事项', legal_basis: '依据', department_id: 'd', funding: 'per_task' as const, funding_yuan: 30 }
    expect(validateContent(ok, { needDepartment: true })).toEqual({})
    expect(validateContent({ ...ok, code: 'x y' })).toHaveProperty('code')
    expect(validateContent({ ...ok, name: '' })).toHaveProperty('name')
    expect(validateContent({ ...ok, legal_basis: '' })).toHaveProperty('legal_basis')
    expect(validateContent({ ...ok, kind: 'forbidden', legal_basis: '' })).not.toHaveProperty('legal_basis')
    expect(validateContent({ ...ok, department_id: '' }, { needDepartment: true })).toHaveProperty('department_id')
    expect(validateContent({ ...ok, department_id: '' })).not.toHaveProperty('department_id')
    expect(validateContent({ ...ok, funding: 'per_task', funding_yuan: 0 })).toHaveProperty('funding_amount')
  })

  it('asks an assist item for its funding (费随事转, brief §2), and only an assist item', () => {
    const ok = { ...emptyContentForm('assist'), code: 'XZ-1', name: '事项', legal_basis: '依据', funding: 'per_year' as const, funding_yuan: 2000 }
    expect(validateContent(ok)).toEqual({})
    expect(validateContent({ ...ok, funding: 'none', funding_yuan: 0 }).funding).toBe(FUNDING_REQUIRED)
    expect(FUNDING_REQUIRED).toContain('费随事转')
    expect(validateContent({ ...ok, kind: 'duty', funding: 'none', funding_yuan: 0 })).toEqual({})
    expect(validateContent({ ...ok, kind: 'certificate', funding: 'none', funding_yuan: 0 })).toEqual({})
  })
})

describe('admission: stages and decisions', () => {
  it('labels every stage and its tag', () => {
    expect(STAGE_FLOW.map(stageLabel)).toEqual(['民政审核', '合法性审查', '联席会议审定', '公示', '已生效'])
    expect(ADMISSION_STAGE_LABELS.returned).toBe('退回修改')
    expect(stageLabel('rejected')).toBe('不予准入')
    expect(stageTag('effective')).toBe('success')
    expect(stageTag('rejected')).toBe('danger')
    expect(stageTag('notice')).toBe('warning')
    expect(decisionLabel('return')).toBe('退回修改')
    expect(decisionLabel('submit')).toBe('提交申请')
  })

  it('places a request on the path, a stopped one at the stage it stopped', () => {
    expect(stageProgress('civil_review')).toEqual({ active: 0, status: 'process' })
    expect(stageProgress('notice')).toEqual({ active: 3, status: 'process' })
    expect(stageProgress('effective')).toEqual({ active: 4, status: 'finish' })
    const steps = [
      { step: 'civil_review', decision: 'submit' },
      { step: 'civil_review', decision: 'approve' },
      { step: 'legal_review', decision: 'return' },
    ]
    expect(stageProgress('returned', steps)).toEqual({ active: 1, status: 'error' })
    expect(stageProgress('rejected', [])).toEqual({ active: 0, status: 'error' })
    // Withdrawn at 合法性审查, stopped during the notice, abandoned after a return at 合法性审查.
    expect(stageProgress('withdrawn', [...steps.slice(0, 2), { step: 'legal_review', decision: 'withdraw' }])).toEqual({ active: 1, status: 'error' })
    expect(stageProgress('stopped', [{ step: 'notice', decision: 'stop' }])).toEqual({ active: 3, status: 'error' })
    expect(stageProgress('withdrawn', [...steps, { step: 'returned', decision: 'abandon' }])).toEqual({ active: 1, status: 'error' })
  })

  it('labels the closing steps and the new stage', () => {
    expect(stageLabel('stopped')).toBe('已终止')
    expect(stageTag('stopped')).toBe('danger')
    expect(decisionLabel('withdraw')).toBe('申请部门撤回申请')
    expect(decisionLabel('abandon')).toBe('申请部门放弃申请')
    expect(decisionLabel('stop')).toBe('公示期间终止准入')
    expect(OPEN_STAGES).toEqual(['civil_review', 'legal_review', 'joint_meeting', 'notice', 'returned'])
  })

  it('reads the yearly re-confirmation deadline as a month-day every year has', () => {
    expect(isMonthDay('03-31')).toBe(true)
    expect(isMonthDay('12-31')).toBe(true)
    expect(isMonthDay('02-28')).toBe(true)
    for (const bad of ['02-29', '04-31', '13-01', '00-10', '3-31', '', null, undefined]) expect(isMonthDay(bad)).toBe(false)
    expect(daysInMonth(2)).toBe(28)
    expect(daysInMonth(4)).toBe(30)
    expect(monthDayText('03-31')).toBe('3 月 31 日')
    expect(monthDayText('02-29')).toBe('')
  })

  it('asks a reason for 退回修改 and 不予准入 only', () => {
    expect(decisionNeedsReason('return')).toBe(true)
    expect(decisionNeedsReason('reject')).toBe(true)
    expect(decisionNeedsReason('approve')).toBe(false)
  })

  it('reads the earliest allowed start from the 422 message', () => {
    expect(earliestStartFrom('须提前 30 个工作日申请：最早可申请 2027-01-05 起实施')).toBe('2027-01-05')
    expect(earliestStartFrom('apply 30 working days ahead: the earliest start is 2027-01-05')).toBe('2027-01-05')
    expect(earliestStartFrom('清单编号已存在')).toBe('')
    expect(earliestStartFrom(undefined)).toBe('')
  })
})

describe('tasks and interceptions', () => {
  it('labels task statuses', () => {
    expect(Object.values(TASK_STATUS_LABELS)).toEqual(['待接收', '已接收', '已拒绝', '已办结'])
    expect(taskStatusLabel('refused')).toBe('已拒绝')
    expect(taskStatusTag('done')).toBe('success')
    expect(taskStatusTag('??')).toBe('info')
  })

  it('labels every interception rule', () => {
    for (const r of Object.keys(INTERCEPT_RULE_LABELS)) expect(interceptRuleLabel(r)).toMatch(/[\u4e00-\u9fff]/)
    expect(interceptRuleLabel('no_item')).toBe('未关联清单事项')
    expect(interceptRuleLabel('new_rule')).toBe('new_rule')
  })

  it('labels the interception rules and item states of the access lists', () => {
    expect(interceptRuleLabel('no_funding')).toBe('未落实经费（费随事转）')
    expect(itemStatusLabel('lapsed')).toBe('已失效（未年度确认）')
    expect(itemStatusTag('lapsed')).toBe('danger')
    expect(versionActionLabel('lapse')).toBe('未年度确认，失效')
  })
})

describe('burden statistics', () => {
  it('charts tasks and interceptions per community with ECharts, busiest on top, described in words', () => {
    const rows = [row('西街社区', 1, 0), row('东关社区', 4, 3), row('', 0, 2)]
    const o = burdenChartOption(rows) as {
      yAxis: { data: string[] }
      series: { name: string; type: string; data: number[] }[]
      aria: { enabled: boolean; label: { description: string } }
    }
    // A category axis is drawn bottom-up, so the busiest community is the last entry.
    expect(o.yAxis.data).toEqual(['西街社区', '（未知）', '东关社区'])
    expect(o.series.map((x) => [x.name, x.type])).toEqual([
      ['交办任务', 'bar'],
      ['被拦截', 'bar'],
    ])
    expect(o.series[0]!.data).toEqual([1, 0, 4])
    expect(o.series[1]!.data).toEqual([0, 2, 3])
    expect(o.aria.enabled).toBe(true)
    expect(o.aria.label.description).toBe('各村（社区）交办任务与被拦截次数：东关社区交办4件、被拦截3次；（未知）交办0件、被拦截2次；西街社区交办1件、被拦截0次')
    expect(burdenChartDescription([])).toContain('没有交办或拦截')
    expect(burdenChartHeight(3)).toBeGreaterThan(burdenChartHeight(1))
  })

  it('colours its series at 3:1 or more against white and its text at 4.5:1', () => {
    const lum = (hex: string) => {
      const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
      return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!
    }
    const contrast = (hex: string) => 1.05 / (lum(hex) + 0.05)
    for (const c of SERIES_COLOURS) expect(contrast(c)).toBeGreaterThanOrEqual(3)
    expect(contrast(AXIS_TEXT)).toBeGreaterThanOrEqual(4.5)
  })

  it('formats amounts and changes', () => {
    expect(formatAmount(3)).toBe('3')
    expect(formatAmount(3.456)).toBe('3.5')
    expect(formatAmount(undefined)).toBe('—')
    expect(changeText(10, 6)).toBe('−40.0%')
    expect(changeText(4, 5)).toBe('+25.0%')
    expect(changeText(2, 2)).toBe('持平')
    expect(changeText(0, 3)).toBe('—')
  })

  it('lays out the before/after comparison with its trend', () => {
    expect(comparisonLines(null)).toEqual([])
    const lines = comparisonLines({ before: { ...row('x', 4, 1), ledgers: 2 }, after: { ...row('x', 2, 1), ledgers: 3 } })
    expect(lines.map((l) => l.key)).toEqual(BURDEN_METRICS.map((m) => m.key))
    const tasks = lines.find((l) => l.key === 'tasks')!
    expect(tasks).toMatchObject({ before: '4', after: '2', change: '−50.0%', trend: 'down' })
    expect(lines.find((l) => l.key === 'ledgers')!.trend).toBe('up')
    expect(lines.find((l) => l.key === 'intercepted')!.change).toBe('持平')
  })

  it('names list versions and months', () => {
    expect(versionLabel({ date: '2026-01-01', added: 16, removed: 0 })).toBe('2026-01-01（+16 项）')
    expect(versionLabel({ date: '2027-01-01', added: 1, removed: 2 })).toBe('2027-01-01（+1 −2 项）')
    expect(versionLabel({ date: '2027-03-01', added: 0, removed: 0 })).toBe('2027-03-01')
    expect(monthOf(new Date(2026, 10, 21))).toBe('2026-11')
    expect(isMonthValue('2026-11')).toBe(true)
    expect(isMonthValue('2026-13')).toBe(false)
    expect(isMonthValue(['2026-11'])).toBe(false)
  })
})
