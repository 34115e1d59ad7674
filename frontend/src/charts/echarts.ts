// Apache ECharts for every chart of the app, registered once and only in the parts the charts
// use (echarts/core keeps the route's chunk to what it draws). The SVG renderer: crisp at any
// zoom and text size, and its labels are real text a browser test and a screen reader can find.
import { use } from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, DatasetComponent, AriaComponent, SVGRenderer])

/**
 * Colours for series, each at least 3:1 against white (WCAG 2.1 1.4.11, non-text contrast),
 * in the order series take them.
 */
export const SERIES_COLOURS = ['#1d5fbf', '#b42318', '#8a5a00', '#2e7d32', '#6a3fa0'] as const

/** Text colours of axes and legends: 4.5:1 or better against white. */
export const AXIS_TEXT = '#4a4d52'

/**
 * The app's font stack (styles.css), spelled out: ECharts measures text on a canvas, where
 * 'inherit' means its default font and legends would overlap.
 */
export const CHART_FONT = "'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"

export { default as VChart } from 'vue-echarts'
