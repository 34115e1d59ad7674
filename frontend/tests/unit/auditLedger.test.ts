import { describe, expect, it } from 'vitest'
import { auditQuery, emptyFilters, groupActions } from '@/features/admin/auditLedger'

describe('audit filters', () => {
  it('sends only the filters that are set', () => {
    expect(auditQuery(emptyFilters())).toEqual({})
    expect(
      auditQuery({ actor: 'system', action: 'item.publish', kind: 'application', objectId: 'a1', objectName: '办件 X', dates: ['2026-12-01', '2026-12-05'] }),
    ).toEqual({ actor_id: 'system', action: 'item.publish', target_type: 'application', target_id: 'a1', from: '2026-12-01', to: '2026-12-05' })
  })

  it('groups the actions by area in the order the server lists them', () => {
    const g = groupActions([
      { code: 'application.accept', label: '受理', group: '办件' },
      { code: 'item.publish', label: '发布事项', group: '事项目录' },
      { code: 'application.reject', label: '不予受理', group: '办件' },
      { code: 'x.y', label: '某操作' },
    ])
    expect(g.map((b) => b.group)).toEqual(['办件', '事项目录', '其他'])
    expect(g[0]!.options.map((o) => o.label)).toEqual(['受理', '不予受理'])
  })
})
