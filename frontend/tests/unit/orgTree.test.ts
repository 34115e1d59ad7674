import { describe, expect, it } from 'vitest'
import { buildOrgTree, childKindsOf, orgPathNames } from '@/features/admin/orgTree'
import { auditAnchorText, auditCheckText, pollUntilDone } from '@/features/admin/auditCheck'
import { formatDateTime } from '@/utils/format'
import type { AuditCheck, OrgUnit } from '@/api/types'

const u = (id: string, parent_id: string | null, kind: OrgUnit['kind'], name: string, code: string): OrgUnit => ({
  id,
  parent_id,
  kind,
  name,
  code,
  path: '',
})

const units: OrgUnit[] = [
  u('v1', 't1', 'village', '东关村', 'dongguan'),
  u('c', null, 'county', '示范县', 'demo'),
  u('t2', 'c', 'township', '北山镇', 'beishan'),
  u('t1', 'c', 'township', '城关镇', 'chengguan'),
  u('d1', 'c', 'department', '民政局', 'minzheng'),
]

describe('buildOrgTree', () => {
  it('nests units under their parents, siblings sorted by code', () => {
    const tree = buildOrgTree(units)
    expect(tree).toHaveLength(1)
    expect(tree[0]!.label).toBe('示范县（县/区）')
    expect(tree[0]!.children.map((n) => n.unit.name)).toEqual(['北山镇', '城关镇', '民政局'])
    expect(tree[0]!.children[1]!.children.map((n) => n.label)).toEqual(['东关村（村）'])
  })

  it('makes units with an unknown parent roots (subtree views)', () => {
    const tree = buildOrgTree(units.filter((x) => x.id !== 'c'))
    expect(tree.map((n) => n.id).sort()).toEqual(['d1', 't1', 't2'])
  })

  it('gives the path names from the root', () => {
    expect(orgPathNames(units, 'v1')).toEqual(['示范县', '城关镇', '东关村'])
  })

  it('offers sensible child kinds first and never a county', () => {
    expect(childKindsOf('county').slice(0, 3)).toEqual(['township', 'street', 'department'])
    expect(childKindsOf('township').slice(0, 2)).toEqual(['village', 'community'])
    expect(childKindsOf('village')).not.toContain('county')
  })
})

describe('audit check', () => {
  const chk = (o: Partial<AuditCheck>): AuditCheck =>
    ({ id: 'a', status: 'queued', ok: null, rows_checked: null, first_bad_seq: null, finished_at: null, requested_at: '2026-01-01T00:00:00Z', ...o }) as AuditCheck
  const done = (o: Partial<AuditCheck>): AuditCheck => chk({ status: 'done', ...o })

  it('says 校验通过 or 校验失败（第 N 条）', () => {
    expect(auditCheckText(done({ ok: true, rows_checked: 12, first_bad_seq: null }))).toBe('校验通过（共 12 条）')
    expect(auditCheckText(done({ ok: false, rows_checked: 12, first_bad_seq: 7 }))).toBe('校验失败（第 7 条）')
    expect(auditCheckText({ status: 'queued' })).toBe('正在校验…')
  })

  it('says how the chain compares with its newest anchor', () => {
    expect(auditAnchorText(done({ ok: true, anchor_status: 'ok', anchor_seq: 40, anchored_at: '2026-12-05T02:00:00Z', unanchored: 3 }))).toEqual({
      text: `与 ${formatDateTime('2026-12-05T02:00:00Z')} 写入的锚点（第 40 条）一致；其后新增 3 条，将在下次锚定时保全`,
      type: 'success',
    })
    const broken = '审计链被截短：锚点 audit-anchors/x.json（2026-12-05 10:00）记录了第 40 条，数据库只剩 37 条'
    expect(auditAnchorText(done({ ok: false, anchor_status: 'broken', anchor_problem: broken }))).toEqual({ text: broken, type: 'error' })
    expect(auditAnchorText(done({ ok: true, anchor_status: 'unavailable', anchor_problem: '对象存储暂不可用' }))?.type).toBe('warning')
    expect(auditAnchorText(done({ ok: true }))).toBeNull()
  })

  it('polls until done', async () => {
    const answers: AuditCheck[] = [chk({}), chk({}), done({ ok: true })]
    let calls = 0
    const res = await pollUntilDone(async () => answers[calls++]!, { sleep: async () => undefined })
    expect(calls).toBe(3)
    expect(res.ok).toBe(true)
  })

  it('gives up after the attempt limit', async () => {
    await expect(
      pollUntilDone(async () => chk({}), { attempts: 3, sleep: async () => undefined }),
    ).rejects.toThrow('校验超时')
  })
})
