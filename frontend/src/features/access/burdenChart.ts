// The 减负统计 chart's ECharts option: tasks dispatched and dispatches intercepted per
// community, as horizontal bars, busiest first. Pure, so it is unit-tested without a canvas.
import type { EChartsCoreOption } from 'echarts/core'
import type { BurdenRow } from '@/api/types'
import { AXIS_TEXT, CHART_FONT, SERIES_COLOURS } from '@/charts/echarts'
import { burdenChartDescription, burdenChartRows } from '@/features/access/model'

/** Height of the chart for n rows: room for both bars and the name of each community. */
export function burdenChartHeight(n: number): number {
  return 64 + Math.max(n, 1) * 44
}

export function burdenChartOption(rows: readonly Pick<BurdenRow, 'key' | 'label' | 'tasks' | 'intercepted'>[]): EChartsCoreOption {
  // ECharts draws a category axis from the bottom up: reverse, so the busiest is on top.
  const sorted = burdenChartRows(rows).reverse()
  const text = { color: AXIS_TEXT, fontSize: 13, fontFamily: CHART_FONT }
  return {
    aria: { enabled: true, label: { description: burdenChartDescription(rows) } },
    color: [SERIES_COLOURS[0], SERIES_COLOURS[1]],
    textStyle: { fontFamily: CHART_FONT },
    animation: false,
    legend: { top: 0, left: 0, itemGap: 24, textStyle: text, data: ['交办任务', '被拦截'] },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { top: 32, left: 8, right: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, axisLabel: text, splitLine: { lineStyle: { color: '#e4e7ed' } } },
    yAxis: {
      type: 'category',
      data: sorted.map((r) => r.label),
      axisLabel: { ...text, width: 112, overflow: 'truncate' },
      axisTick: { show: false },
    },
    series: [
      { name: '交办任务', type: 'bar', data: sorted.map((r) => r.tasks), barMaxWidth: 14, label: { show: true, position: 'right', ...text } },
      { name: '被拦截', type: 'bar', data: sorted.map((r) => r.intercepted), barMaxWidth: 14, label: { show: true, position: 'right', ...text } },
    ],
  }
}
