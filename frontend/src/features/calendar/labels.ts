// Chinese labels of 工作日历 (the working-day calendar): the kinds of day.
import type { DayKind } from '@/api/types'
import { labelOf } from '@/utils/enumLabel'

export const DAY_KIND_LABELS: Record<DayKind, string> = {
  workday: '工作日',
  weekend: '周末',
  holiday: '法定节假日',
  makeup: '调休上班',
  local_closure: '本县闭馆',
  local_workday: '本县加班',
}
export function dayKindLabel(k: string): string {
  return labelOf(DAY_KIND_LABELS, k)
}
