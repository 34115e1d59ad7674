// The supervision dashboards (issue 16, item 5): figures, the ranking's indicators, and the
// ECharts options of each chart, built here as pure functions (unit-tested without a canvas)
// and drawn through the app's one registration (src/charts/echarts.ts). Every chart has its
// figures in words (aria description) and a table beside it: the tables are the accessible
// alternative to the charts, and the way to drill down by keyboard.
import type { EChartsCoreOption } from 'echarts/core'
import type { DashboardBurden, DashboardFigures, DashboardMonth, DashboardRow, DashboardWorkforce } from '@/api/types'
import { AXIS_TEXT, CHART_FONT, SERIES_COLOURS } from '@/charts/echarts'

export type RankBy = 'on_time_rate' | 'good_rate' | 'avg_days' | 'overdue' | 'received'

/** The ranking's indicators (绩效排名), in the picker's order. */
export const RANK_OPTIONS: readonly { value: RankBy; label: string }[] = [
  { value: 'on_time_rate', label: '按时办结率' },
  { value: 'good_rate', label: '好评率' },
  { value: 'avg_days', label: '平均办理工作日' },
  { value: 'overdue', label: '在办超期' },
  { value: 'received', label: '收件量' },
]

/** What each level's units are called. */
export const LEVEL_LABELS: Record<string, string> = {
  country: '全国',
  province: '省',
  city: '市（州）',
  county: '县（区）',
  township: '乡镇（街道）',
  item: '事项',
}

/** A rate (0–1) in per cent with one decimal, '—' when there is none. */
export function rate(v: number | undefined | null): string {
  return v == null ? '—' : `${(Math.round(v * 1000) / 10).toFixed(1)}%`
}

/** Working days with one decimal, '—' when nothing was decided. */
export function days(v: number | undefined | null): string {
  return v == null ? '—' : v.toFixed(1)
}

/** A rate for a chart's axis in per cent (null leaves a gap). */
const pct = (v: number | undefined | null) => (v == null ? null : Math.round(v * 1000) / 10)

const text = { color: AXIS_TEXT, fontFamily: CHART_FONT, fontSize: 12 }

function base(description: string, legend: string[]): EChartsCoreOption {
  return {
    aria: { enabled: true, label: { description } },
    animation: false,
    textStyle: { fontFamily: CHART_FONT },
    tooltip: { trigger: 'axis' },
    legend: { data: legend, top: 0, itemGap: 20, textStyle: text },
  }
}

/** Words for the trend chart (screen readers). */
export function trendDescription(months: readonly DashboardMonth[]): string {
  return (
    '各月收件量、办结量与按时办结率、好评率：' +
    months.map((m) => `${m.month}收件 ${m.received} 件，办结 ${m.decided} 件，按时办结率 ${rate(m.on_time_rate)}，好评率 ${rate(m.good_rate)}`).join('；')
  )
}

/** Over time: volume and decisions (bars), on-time rate and 好评率 (lines, right axis). */
export function trendOption(months: readonly DashboardMonth[]): EChartsCoreOption {
  return {
    ...base(trendDescription(months), ['收件量', '办结量', '按时办结率', '好评率']),
    grid: { left: 48, right: 56, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: months.map((m) => m.month), axisLabel: text },
    yAxis: [
      { type: 'value', name: '件', minInterval: 1, nameTextStyle: text, axisLabel: text },
      { type: 'value', name: '比率', min: 0, max: 100, nameTextStyle: text, axisLabel: { ...text, formatter: '{value}%' } },
    ],
    series: [
      { name: '收件量', type: 'bar', barMaxWidth: 24, data: months.map((m) => m.received), itemStyle: { color: SERIES_COLOURS[0] } },
      { name: '办结量', type: 'bar', barMaxWidth: 24, data: months.map((m) => m.decided), itemStyle: { color: SERIES_COLOURS[4] } },
      { name: '按时办结率', type: 'line', yAxisIndex: 1, data: months.map((m) => pct(m.on_time_rate)), itemStyle: { color: SERIES_COLOURS[3] } },
      { name: '好评率', type: 'line', yAxisIndex: 1, data: months.map((m) => pct(m.good_rate)), itemStyle: { color: SERIES_COLOURS[2] } },
    ],
  }
}

/** Words for the per-unit chart. */
export function unitsDescription(rows: readonly DashboardRow[], level: string): string {
  return (
    `各${LEVEL_LABELS[level] ?? '单位'}收件量、在办超期与按时办结率：` +
    rows.map((r) => `${r.name}收件 ${r.received} 件，在办超期 ${r.overdue} 件，按时办结率 ${rate(r.on_time_rate)}`).join('；')
  )
}

/** Per child unit: volume and overdue (bars), on-time rate (line). A bar's click drills down. */
export function unitsOption(rows: readonly DashboardRow[], level: string): EChartsCoreOption {
  return {
    ...base(unitsDescription(rows, level), ['收件量', '在办超期', '按时办结率']),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 48, right: 56, top: 48, bottom: 8, containLabel: true },
    // triggerEvent: a unit's name under its bars is a click target too.
    xAxis: { type: 'category', triggerEvent: true, data: rows.map((r) => r.name), axisLabel: { ...text, interval: 0, rotate: rows.length > 8 ? 30 : 0 } },
    yAxis: [
      { type: 'value', name: '件', minInterval: 1, nameTextStyle: text, axisLabel: text },
      { type: 'value', name: '按时率', min: 0, max: 100, nameTextStyle: text, axisLabel: { ...text, formatter: '{value}%' } },
    ],
    series: [
      { name: '收件量', type: 'bar', barMaxWidth: 32, data: rows.map((r) => r.received), itemStyle: { color: SERIES_COLOURS[0] }, cursor: 'pointer' },
      { name: '在办超期', type: 'bar', barMaxWidth: 32, data: rows.map((r) => r.overdue), itemStyle: { color: SERIES_COLOURS[1] }, cursor: 'pointer' },
      { name: '按时办结率', type: 'line', yAxisIndex: 1, data: rows.map((r) => pct(r.on_time_rate)), itemStyle: { color: SERIES_COLOURS[3] } },
    ],
  }
}

/** Words for the burden chart. */
export function burdenDescription(rows: readonly DashboardBurden[]): string {
  if (!rows.length) return '该期间没有基层减负数据'
  return '各月向村（社区）派单任务、拒绝与拦截件数：' + rows.map((b) => `${b.month}派单 ${b.tasks} 件，拒绝 ${b.refused} 件，拦截 ${b.intercepted} 件`).join('；')
}

/** The access lists' burden per month: tasks, refused, intercepted. */
export function burdenOption(rows: readonly DashboardBurden[]): EChartsCoreOption {
  return {
    ...base(burdenDescription(rows), ['派单任务', '拒绝', '拦截']),
    grid: { left: 48, right: 24, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: rows.map((b) => b.month), axisLabel: text },
    yAxis: { type: 'value', name: '件', minInterval: 1, nameTextStyle: text, axisLabel: text },
    series: [
      { name: '派单任务', type: 'line', data: rows.map((b) => b.tasks), itemStyle: { color: SERIES_COLOURS[0] } },
      { name: '拒绝', type: 'line', data: rows.map((b) => b.refused), itemStyle: { color: SERIES_COLOURS[2] } },
      { name: '拦截', type: 'line', data: rows.map((b) => b.intercepted), itemStyle: { color: SERIES_COLOURS[1] } },
    ],
  }
}

export interface BurdenSide {
  months: number
  tasks: number
  refused: number
  intercepted: number
  hours: number
}

/** Before and after the lists: monthly average per community, side by side. */
export function burdenChangeOption(before: BurdenSide, after: BurdenSide, from: string): EChartsCoreOption {
  const cats = ['派单任务', '拒绝', '拦截']
  const vals = (s: BurdenSide) => [s.tasks, s.refused, s.intercepted]
  const description =
    `清单自 ${from} 施行，每村（社区）每月平均：施行前派单 ${before.tasks} 件、拒绝 ${before.refused} 件、拦截 ${before.intercepted} 件；` +
    `施行后派单 ${after.tasks} 件、拒绝 ${after.refused} 件、拦截 ${after.intercepted} 件`
  return {
    ...base(description, ['施行前', '施行后']),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 48, right: 24, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: cats, axisLabel: text },
    yAxis: { type: 'value', name: '件/村·月', nameTextStyle: text, axisLabel: text },
    series: [
      { name: '施行前', type: 'bar', data: vals(before), itemStyle: { color: SERIES_COLOURS[2] }, label: { show: true, position: 'top', ...text } },
      { name: '施行后', type: 'bar', data: vals(after), itemStyle: { color: SERIES_COLOURS[0] }, label: { show: true, position: 'top', ...text } },
    ],
  }
}

/** Words for the workforce chart. */
export function workforceDescription(levels: readonly DashboardWorkforce[], month: string): string {
  if (!levels.length) return '该期间没有社区工作者数据'
  return `${month}社区工作者按等级人数：` + levels.map((l) => `${l.level} 级 ${l.workers} 人`).join('；')
}

/** Community workers by level (三岗十八级) in the period's last month with any. */
export function workforceOption(levels: readonly DashboardWorkforce[], month: string): EChartsCoreOption {
  return {
    ...base(workforceDescription(levels, month), ['人数']),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 48, right: 24, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: levels.map((l) => `${l.level} 级`), axisLabel: text },
    yAxis: { type: 'value', name: '人', minInterval: 1, nameTextStyle: text, axisLabel: text },
    series: [{ name: '人数', type: 'bar', data: levels.map((l) => l.workers), itemStyle: { color: SERIES_COLOURS[0] }, label: { show: true, position: 'top', ...text } }],
  }
}

/** The totals' cards. */
export function totalCards(t: DashboardFigures | undefined) {
  return [
    { key: 'received', label: '收件量', value: t ? String(t.received) : '—' },
    { key: 'decided', label: '办结量', value: t ? String(t.decided) : '—' },
    { key: 'on-time', label: '按时办结率', value: rate(t?.on_time_rate), tone: 'ok' as const },
    { key: 'overdue', label: '在办超期', value: t ? String(t.overdue) : '—', tone: t && t.overdue > 0 ? ('bad' as const) : ('' as const) },
    { key: 'days', label: '平均工作日', value: days(t?.avg_days) },
    { key: 'good', label: '好评率', value: rate(t?.good_rate) },
    { key: 'cards', label: '红牌 / 黄牌', value: t ? `${t.red_cards} / ${t.yellow_cards}` : '—', tone: t && t.red_cards > 0 ? ('bad' as const) : ('' as const) },
  ]
}
