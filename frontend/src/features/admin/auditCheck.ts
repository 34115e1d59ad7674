import type { AuditCheck } from '@/api/types'

/** 校验通过 / 校验失败（第 N 条）. */
export function auditCheckText(
  c: Pick<AuditCheck, 'status'> & Partial<Pick<AuditCheck, 'ok' | 'rows_checked' | 'first_bad_seq'>>,
): string {
  if (c.status !== 'done') return '正在校验…'
  if (c.ok) return typeof c.rows_checked === 'number' ? `校验通过（共 ${c.rows_checked} 条）` : '校验通过'
  return c.first_bad_seq != null ? `校验失败（第 ${c.first_bad_seq} 条）` : '校验失败'
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
