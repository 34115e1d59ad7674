import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import AppLayout from '@/layouts/AppLayout.vue'
import { clearSession, loadMe } from '@/auth/session'

function me(roles: string[]) {
  return {
    identity_id: '00000000-0000-0000-0000-000000000001',
    name: '张三',
    phone: '13900000001',
    tenant: { id: 't', code: 'demo', name: '示范县' },
    org_unit: { id: 'o', name: '城关镇', kind: 'township', path_names: ['示范县', '城关镇'] },
    roles,
    scope: 'org_subtree',
  }
}

async function mountAs(roles: string[]) {
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify(me(roles)), { status: 200, headers: { 'Content-Type': 'application/json' } }))
  clearSession()
  await loadMe(true)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }],
  })
  await router.push('/')
  const w = mount(AppLayout, { global: { plugins: [ElementPlus, router] } })
  await flushPromises()
  return w
}

/** Mounts with /me answering `roles` and GET /api/v1/notifications answering `inbox`. */
async function mountWith(roles: string[], inbox: unknown) {
  vi.stubGlobal('fetch', async (req: Request) => {
    const body = new URL(req.url).pathname === '/api/v1/notifications' ? inbox : me(roles)
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
  })
  clearSession()
  await loadMe(true)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }],
  })
  await router.push('/')
  const w = mount(AppLayout, { global: { plugins: [ElementPlus, router] } })
  await flushPromises()
  await flushPromises()
  return w
}

const menuIds = (w: Awaited<ReturnType<typeof mountAs>>) =>
  w.findAll('[data-testid^="menu-"]').map((e) => e.attributes('data-testid'))

describe('AppLayout', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('shows tenant, org path, name and Chinese role labels in the header', async () => {
    const w = await mountAs(['township_clerk'])
    expect(w.get('[data-testid="header-tenant"]').text()).toBe('示范县')
    expect(w.get('[data-testid="header-org"]').text()).toBe('示范县 / 城关镇')
    expect(w.get('[data-testid="header-user"]').text()).toBe('张三')
    expect(w.get('[data-testid="header-roles"]').text()).toBe('乡镇窗口人员')
  })

  it('builds the side menu from the roles', async () => {
    expect(menuIds(await mountAs(['township_clerk']))).toEqual([
      'menu-home',
      'menu-intake',
      'menu-applications',
      'menu-notifications',
      'menu-access-items',
      'menu-rating-cases',
      'menu-calendar',
    ])
    // The county admin's long menu in groups by area (issue 15 item 7).
    const admin = await mountAs(['county_admin'])
    expect(admin.findAll('.side-nav-title').map((g) => g.text())).toEqual(['日常办件', '基层减负', '统计评价', '事项与规则', '社区工作者', '机构与账号'])
    expect(menuIds(admin)).toEqual([
      'menu-home',
      'menu-applications',
      'menu-notifications',
      'menu-calendar',
      'menu-access-requests',
      'menu-access-items',
      'menu-access-burden',
      'menu-rating-cases',
      'menu-stats',
      'menu-rating-indicators',
      'menu-published',
      'menu-supervision-cards',
      'menu-county-dashboard',
      'menu-catalogue',
      'menu-settings',
      'menu-workers',
      'menu-pay-schemes',
      'menu-progression',
      'menu-payroll',
      'menu-org-units',
      'menu-staff',
      'menu-audit',
      'menu-login-log',
    ])
    expect(menuIds(await mountAs(['community_worker']))).toEqual([
      'menu-home',
      'menu-intake',
      'menu-outbox',
      'menu-applications',
      'menu-notifications',
      'menu-my-record',
      'menu-access-tasks',
      'menu-access-items',
      'menu-calendar',
    ])
    expect(menuIds(await mountAs(['department_staff']))).toEqual([
      'menu-home',
      'menu-applications',
      'menu-notifications',
      'menu-access-dispatch',
      'menu-access-requests',
      'menu-access-items',
      'menu-calendar',
    ])
  })

  it('shows the unread count on the bell for staff, and no bell for the platform operator', async () => {
    const w = await mountWith(['township_clerk'], { items: [], next_cursor: '', unread: 3 })
    expect(w.find('[data-testid="notification-bell"]').exists()).toBe(true)
    expect(w.get('[data-testid="notification-badge"]').text()).toContain('3')
    const op = await mountWith(['platform_operator'], { items: [], next_cursor: '', unread: 0 })
    expect(op.find('[data-testid="notification-bell"]').exists()).toBe(false)
  })
})

describe('AppLayout accessibility', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('offers a skip link to the main content, one h1, and names the logout button', async () => {
    const w = await mountAs(['township_clerk'])
    const skip = w.get('[data-testid="skip-link"]')
    expect(skip.attributes('href')).toBe('#main-content')
    expect(skip.text()).toBe('跳到主要内容')
    const main = w.get('#main-content')
    expect(main.attributes('tabindex')).toBe('-1')
    expect(w.findAll('h1')).toHaveLength(1)
    expect(main.find('h1').exists()).toBe(true)
    // On a phone the button's text is hidden; its name must not depend on it.
    expect(w.get('[data-testid="logout-button"]').attributes('aria-label')).toBe('退出登录')
  })

  it('makes the side menu links the keyboard reaches, the page shown marked aria-current', async () => {
    const w = await mountAs(['township_clerk'])
    const nav = w.get('nav[data-testid="side-menu"]')
    expect(nav.attributes('aria-label')).toBe('主菜单')
    const links = nav.findAll('a[data-testid^="menu-"]')
    expect(links.map((a) => a.attributes('href'))).toEqual(['/', '/intake', '/applications', '/notifications', '/access/items', '/ratings/cases', '/calendar'])
    // In the tab order: no tabindex="-1" as el-menu's items had.
    expect(links.every((a) => a.attributes('tabindex') === undefined)).toBe(true)
    expect(links.filter((a) => a.attributes('aria-current') === 'page').map((a) => a.attributes('data-testid'))).toEqual(['menu-home'])
  })

  it('marks the longest menu path the page is under: 监察看板 at /region/dashboard, not 辖区监察', async () => {
    const w = await mountAs(['city_supervisor'])
    const router = w.vm.$router
    const current = () => w.findAll('a[aria-current="page"]').map((a) => a.attributes('data-testid'))
    await router.push('/region/dashboard?county=x')
    await flushPromises()
    expect(current()).toEqual(['menu-region-dashboard'])
    await router.push('/region')
    await flushPromises()
    expect(current()).toEqual(['menu-region'])
  })
})
