import { describe, expect, it } from 'vitest'
import { ALL_ROLES, ROLE_LABELS, orgKindLabel, roleLabel, scopeLabel } from '@/features/admin/labels'
import { MENU, menuForRoles, menuItem, menuSectionsForRoles, menuTestId, rolesAllow } from '@/nav/menu'
import { router } from '@/router'

const titles = (roles: string[]) => menuForRoles(roles).map((m) => m.title)

const ADMIN_MENU = [
  '工作台',
  '办件列表',
  '消息中心',
  '准入申请',
  '准入清单',
  '差评整改',
  '办件统计',
  '好差评指标',
  '减负统计',
  '事项目录',
  '工作日历',
  '规则设置',
  '组织机构',
  '人员账号',
  '社区工作者',
  '薪酬方案',
  '年度晋级',
  '工资表',
  '审计日志',
  '登录日志',
  '上报数据',
  '督办事项',
  '本县看板',
]

describe('role → menu', () => {
  it('gives a county admin the admin pages in order', () => {
    expect(titles(['county_admin'])).toEqual(ADMIN_MENU)
  })

  it('gives a township clerk intake, the worklist, notifications, the access lists, 差评整改 and the calendar', () => {
    expect(titles(['township_clerk'])).toEqual(['工作台', '收件', '办件列表', '消息中心', '准入清单', '差评整改', '工作日历'])
  })

  it('gives a community worker the same working pages (代办收件), their own record and their tasks', () => {
    expect(titles(['community_worker'])).toEqual(['工作台', '收件', '待发送', '办件列表', '消息中心', '我的档案', '我的任务', '准入清单', '工作日历'])
  })

  it('keeps 我的档案 to community workers and the workforce admin pages to the county admin', () => {
    expect(menuForRoles(['county_admin']).map((m) => m.key)).not.toContain('my-record')
    for (const role of ['community_worker', 'township_clerk', 'department_staff', 'platform_operator']) {
      const keys = menuForRoles([role]).map((m) => m.key)
      for (const k of ['workers', 'pay-schemes', 'progression', 'payroll']) expect(keys).not.toContain(k)
    }
  })

  it('gives department staff the worklist, dispatch and admission but no intake', () => {
    expect(titles(['department_staff'])).toEqual(['工作台', '办件列表', '消息中心', '交办任务', '准入申请', '准入清单', '工作日历'])
  })

  it('keeps each access and rating page to the roles the API allows', () => {
    const keysOf = (role: string) => menuForRoles([role]).map((m) => m.key)
    expect(keysOf('department_staff')).toContain('access-dispatch')
    for (const role of ['county_admin', 'township_clerk', 'community_worker']) expect(keysOf(role)).not.toContain('access-dispatch')
    expect(keysOf('community_worker')).toContain('access-tasks')
    for (const role of ['county_admin', 'township_clerk', 'department_staff']) expect(keysOf(role)).not.toContain('access-tasks')
    for (const role of ['township_clerk', 'community_worker']) expect(keysOf(role)).not.toContain('access-requests')
    for (const role of ['county_admin', 'department_staff', 'township_clerk', 'community_worker']) expect(keysOf(role)).toContain('access-items')
    expect(keysOf('platform_operator')).not.toContain('access-items')
    for (const role of ['county_admin', 'township_clerk']) expect(keysOf(role)).toContain('rating-cases')
    for (const role of ['department_staff', 'community_worker']) expect(keysOf(role)).not.toContain('rating-cases')
    for (const role of ['department_staff', 'township_clerk', 'community_worker']) {
      expect(keysOf(role)).not.toContain('access-burden')
      expect(keysOf(role)).not.toContain('rating-indicators')
    }
  })

  it('gives the platform operator and the supervisors only their consoles', () => {
    expect(titles(['platform_operator'])).toEqual(['工作台', '县区管理', '登录日志'])
    // Issue 16: the region accounts' consoles, dashboards and own login log, and nothing of a county's.
    expect(titles(['city_supervisor'])).toEqual(['工作台', '辖区监察', '监察看板', '登录日志'])
    expect(titles(['province_supervisor'])).toEqual(['工作台', '辖区监察', '监察看板', '登录日志'])
    const admin = menuForRoles(['county_admin']).map((m) => m.key)
    expect(admin).not.toContain('region')
    expect(admin).not.toContain('platform')
  })

  it('keeps the county-only pages from every other role', () => {
    for (const role of ['department_staff', 'township_clerk', 'community_worker', 'platform_operator']) {
      const keys = menuForRoles([role]).map((m) => m.key)
      for (const k of ['catalogue', 'settings', 'stats', 'org-units', 'staff', 'workers', 'payroll', 'audit', 'login-log']) expect(keys).not.toContain(k)
    }
  })

  it('unions the menus of several roles without duplicates', () => {
    expect(titles(['township_clerk', 'county_admin'])).toEqual([
      '工作台',
      '收件',
      '办件列表',
      '消息中心',
      '准入申请',
      '准入清单',
      '差评整改',
      '办件统计',
      '好差评指标',
      '减负统计',
      '事项目录',
      '工作日历',
      '规则设置',
      '组织机构',
      '人员账号',
      '社区工作者',
      '薪酬方案',
      '年度晋级',
      '工资表',
      '审计日志',
      '登录日志',
      '上报数据',
      '督办事项',
      '本县看板',
    ])
  })

  it('shows only the pages open to everyone for no or unknown roles', () => {
    expect(titles([])).toEqual(['工作台'])
    expect(titles(['hacker'])).toEqual(['工作台'])
  })

  it('has unique keys, paths and test ids', () => {
    expect(new Set(MENU.map((m) => m.key)).size).toBe(MENU.length)
    expect(new Set(MENU.map((m) => m.path)).size).toBe(MENU.length)
    expect(menuTestId('staff')).toBe('menu-staff')
  })

  it('rolesAllow checks membership', () => {
    expect(rolesAllow(['county_admin'], ['county_admin'])).toBe(true)
    expect(rolesAllow(['township_clerk'], ['county_admin'])).toBe(false)
    expect(rolesAllow([], 'all')).toBe(true)
  })

  it('guards every menu route with the same roles as its menu entry', () => {
    for (const item of MENU) {
      const resolved = router.resolve(item.path)
      expect(resolved.name).toBe(item.key)
      expect(resolved.meta.roles).toEqual(item.roles)
    }
  })

  it('guards the pages below a menu entry like the entry', () => {
    expect(router.resolve('/applications/abc').name).toBe('application-detail')
    expect(router.resolve('/applications/abc').meta.roles).toEqual(menuItem('applications').roles)
    expect(router.resolve('/catalogue/new').name).toBe('catalogue-item')
    expect(router.resolve('/catalogue/new').meta.roles).toEqual(['county_admin'])
    expect(router.resolve('/workers/abc').name).toBe('worker-detail')
    expect(router.resolve('/workers/abc').meta.roles).toEqual(['county_admin'])
    expect(router.resolve('/my-record').meta.roles).toEqual(['community_worker'])
    expect(router.resolve('/access/requests/abc').name).toBe('access-request-detail')
    expect(router.resolve('/access/requests/abc').meta.roles).toEqual(menuItem('access-requests').roles)
  })

  it("opens the residents' pages without sign-in and outside the staff layout", () => {
    for (const [path, name] of [
      ['/public/demo/access-list', 'public-access-list'],
      ['/status/demo', 'public-status'],
      ['/status/demo/abcdefghijklmnopqrstuv', 'public-status-token'],
    ] as const) {
      const r = router.resolve(path)
      expect(r.name).toBe(name)
      expect(r.meta.public).toBe(true)
      expect(r.matched).toHaveLength(1)
    }
  })
})

describe('labels', () => {
  it('labels every role in Chinese', () => {
    // The five working roles, the two heads who grant extensions (行政许可法第四十二条), and
    // the region accounts of issue 16 (city and province supervisors).
    expect(ALL_ROLES).toHaveLength(9)
    for (const r of ALL_ROLES) expect(ROLE_LABELS[r]).toMatch(/[\u4e00-\u9fff]/)
    expect(roleLabel('township_clerk')).toBe('乡镇窗口人员')
    expect(roleLabel('new_role')).toBe('new_role')
  })

  it('labels scopes and org kinds', () => {
    expect(scopeLabel('tenant')).toBe('全县')
    expect(scopeLabel('org_subtree')).toBe('本单位及下级')
    expect(scopeLabel('self')).toBe('仅本人')
    expect(orgKindLabel('department')).toBe('县直部门')
    expect(orgKindLabel('street')).toBe('街道')
  })
})

describe('menu sections', () => {
  // Issue 15 item 7: the county admin's long menu is grouped by area under Chinese headings.
  it('groups the county admin menu by area, every item once', () => {
    const sections = menuSectionsForRoles(['county_admin'])
    expect(sections.map((s) => [s.title, s.items.map((i) => i.title)])).toEqual([
      ['日常办件', ['工作台', '办件列表', '消息中心', '工作日历']],
      ['基层减负', ['准入申请', '准入清单', '减负统计']],
      ['统计评价', ['差评整改', '办件统计', '好差评指标', '上报数据', '督办事项', '本县看板']],
      ['事项与规则', ['事项目录', '规则设置']],
      ['社区工作者', ['社区工作者', '薪酬方案', '年度晋级', '工资表']],
      ['机构与账号', ['组织机构', '人员账号', '审计日志', '登录日志']],
    ])
    expect(sections.flatMap((s) => s.items.map((i) => i.title)).sort()).toEqual([...ADMIN_MENU].sort())
  })

  it('keeps a short menu flat, without headings', () => {
    for (const role of ['township_clerk', 'community_worker', 'department_staff', 'platform_operator']) {
      const sections = menuSectionsForRoles([role])
      expect(sections).toHaveLength(1)
      expect(sections[0]?.title).toBe('')
      expect(sections[0]?.items).toEqual(menuForRoles([role]))
    }
  })
})
