// The back-office steps of an application (办理环节, 环节时限) as the application page shows
// them. Pure, so it is unit-tested.
import type { StageView } from '@/api/types'

export type StageStatus = 'waiting' | 'running' | 'on_time' | 'late' | 'stopped'

export const STAGE_STATUS_LABELS: Record<StageStatus, string> = {
  waiting: '未开始',
  running: '进行中',
  on_time: '按期完成',
  late: '超期完成',
  stopped: '未完成',
}

/** Element Plus tag type of a status. */
export const STAGE_STATUS_TAGS: Record<StageStatus, 'info' | 'primary' | 'success' | 'danger' | 'warning'> = {
  waiting: 'info',
  running: 'primary',
  on_time: 'success',
  late: 'danger',
  stopped: 'info',
}

/**
 * Where a step stands: completed (on time or late), running (the current one), not started,
 * or started but never completed (the application ended without it: withdrawn, rejected, or
 * decided before it began).
 */
export function stageStatus(s: Pick<StageView, 'started_on' | 'completed_on' | 'late' | 'current'>): StageStatus {
  if (s.completed_on) return s.late ? 'late' : 'on_time'
  if (s.current) return 'running'
  if (s.started_on) return 'stopped'
  return 'waiting'
}

/** The step after the current one, or 作出决定 when the current one is the last. */
export function nextStageName(stages: readonly Pick<StageView, 'no' | 'name'>[] | null | undefined, current: Pick<StageView, 'no'>): string {
  const next = (stages ?? []).find((s) => s.no === current.no + 1)
  return next ? next.name : '无（最后一个环节，之后作出决定）'
}

/** How many steps were completed after their due date. */
export function lateCount(stages: readonly Pick<StageView, 'late' | 'completed_on'>[] | null | undefined): number {
  return (stages ?? []).filter((s) => s.completed_on && s.late).length
}
