import { describe, expect, it } from 'vitest'
import { MENU, menuForRoles, menuTestId, rolesAllow } from '@/nav/menu'
import { ALL_ROLES, ROLE_LABELS, roleLabel, scopeLabel, orgKindLabel } from '@/labels'
import { router } from '@/router'

const titles = (roles: string[]) => menuForRoles(roles).map((m) => m.title)

describe('role → menu', () => {
  it('gives a county admin the admin pages in order', () => {
    expect(titles(['county_admin'])).toEqual(['工作台', '组织机构', '人员账号', '审计日志'])
  })

  it.each(['department_staff', 'township_clerk', 'community_worker', 'platform_operator'])(
    'gives %s only the workbench',
    (role) => {
      expect(titles([role])).toEqual(['工作台'])
    },
  )

  it('unions the menus of several roles without duplicates', () => {
    expect(titles(['township_clerk', 'county_admin'])).toEqual(['工作台', '组织机构', '人员账号', '审计日志'])
  })

  it('shows only the workbench for no or unknown roles', () => {
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
})

describe('labels', () => {
  it('labels every role in Chinese', () => {
    expect(ALL_ROLES).toHaveLength(5)
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
