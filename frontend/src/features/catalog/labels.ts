// Chinese labels of 事项目录 (the catalogue): material forms, item kinds, handling, levels, the
// status of an item and of its versions.
import type { Handling, ItemKind, ItemLevel, ItemStatus, MaterialForm } from '@/api/types'
import { type TagType, labelOf } from '@/utils/enumLabel'

export const FORM_LABELS: Record<MaterialForm, string> = { original: '原件', copy: '复印件', electronic: '电子' }
export function formLabel(f: string): string {
  return labelOf(FORM_LABELS, f)
}

export const KIND_LABELS: Record<ItemKind, string> = {
  licensing: '行政许可',
  confirmation: '行政确认',
  adjudication: '行政裁决',
  payment: '行政给付',
  reward: '行政奖励',
  filing: '行政备案',
  other_power: '其他行政权力',
  public_service: '公共服务',
}
export const ALL_KINDS = Object.keys(KIND_LABELS) as ItemKind[]

export const HANDLING_LABELS: Record<Handling, string> = { instant: '即办件', promised: '承诺件' }
export function handlingLabel(h: string): string {
  return labelOf(HANDLING_LABELS, h)
}

export const LEVEL_LABELS: Record<ItemLevel, string> = { county: '县级大厅', township: '乡镇大厅', community: '村（社区）代办' }
export const ALL_LEVELS = Object.keys(LEVEL_LABELS) as ItemLevel[]
const LEVEL_SHORT: Record<ItemLevel, string> = { county: '县级', township: '乡镇', community: '村（社区）' }
export function levelShort(l: string): string {
  return labelOf(LEVEL_SHORT, l)
}
export function levelLabel(l: string): string {
  return labelOf(LEVEL_LABELS, l)
}

export const ITEM_STATUS_LABELS: Record<ItemStatus, string> = { draft: '草稿', published: '已发布', retired: '已停用' }
export const ITEM_STATUS_TAG: Record<ItemStatus, TagType> = { draft: 'warning', published: 'success', retired: 'info' }

export const VERSION_STATE_LABELS: Record<string, string> = { draft: '草稿', published: '已发布', superseded: '已被替代' }
