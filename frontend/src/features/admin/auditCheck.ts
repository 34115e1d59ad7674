import type { AuditCheck } from '@/api/types'
import { formatDateTime } from '@/utils/format'

/** 校验通过 / 校验失败（第 N 条）. */
export function auditCheckText(
  c: Pick<AuditCheck, 'status'> & Partial<Pick<AuditCheck, 'ok' | 'rows_checked' | 'first_bad_seq'>>,
): string {
  if (c.status !== 'done') return '正在校验…'
  if (c.ok) return typeof c.rows_checked === 'number' ? `校验通过（共 ${c.rows_checked} 条）` : '校验通过'
  return c.first_bad_seq != null ? `校验失败（第 ${c.first_bad_seq} 条）` : '校验失败'
}

type AnchorFields = Partial<
  Pick<AuditCheck, 'anchor_status' | 'anchor_seq' | 'anchored_at' | 'unanchored' | 'anchor_problem'>
>

/** How the chain compares with its newest anchor in the locked archive bucket, and the type of alert to show it in. */
export function auditAnchorText(c: AnchorFields): { text: string; type: 'success' | 'error' | 'warning' | 'info' } | null {
  switch (c.anchor_status) {
    case 'ok':
      return {
        text: `与 ${formatDateTime(c.anchored_at)} 写入的锚点（第 ${c.anchor_seq} 条）一致；其后新增 ${c.unanchored ?? 0} 条，将在下次锚定时保全`,
        type: 'success',
      }
    case 'broken':
      return { text: c.anchor_problem || '与锚点不一致', type: 'error' }
    case 'none':
      return { text: c.anchor_problem || '尚无锚点', type: 'info' }
    case 'unavailable':
      return { text: c.anchor_problem || '未能与锚点比对', type: 'warning' }
    default:
      return null
  }
}

export class PollTimeoutError extends Error {
  constructor() {
    super('校验超时，请稍后再试')
    this.name = 'PollTimeoutError'
  }
}

/** Calls `get` until the check is done: every intervalMs, at most `attempts` times. */
export async function pollUntilDone(
  get: () => Promise<AuditCheck>,
  opts: { intervalMs?: number; attempts?: number; signal?: AbortSignal; sleep?: (ms: number) => Promise<void> } = {},
): Promise<AuditCheck> {
  const interval = opts.intervalMs ?? 1000
  const attempts = opts.attempts ?? 120
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  for (let i = 0; i < attempts; i++) {
    if (opts.signal?.aborted) throw new DOMException('aborted', 'AbortError')
    const c = await get()
    if (c.status === 'done') return c
    await sleep(interval)
  }
  throw new PollTimeoutError()
}
