import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { ElMessage } from 'element-plus'
import type { Role } from '@/api/types'
import { errorMessage } from '@/api/problem'
import { loadMe } from '@/auth/session'
import { menuItem, rolesAllow } from '@/nav/menu'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    title?: string
    roles?: readonly Role[] | 'all'
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/features/home/views/LoginView.vue'), meta: { public: true, title: '登录' } },
  // Public pages for residents (no sign-in, no staff layout): the lists in force and 办件进度 / 好差评.
  {
    path: '/public/:county/access-list',
    name: 'public-access-list',
    component: () => import('@/features/access/views/PublicAccessListView.vue'),
    meta: { public: true, title: '社区工作事项准入清单' },
  },
  { path: '/status/:county', name: 'public-status', component: () => import('@/features/rating/views/PublicStatusView.vue'), meta: { public: true, title: '办件进度查询' } },
  {
    path: '/status/:county/:token',
    name: 'public-status-token',
    component: () => import('@/features/rating/views/PublicStatusView.vue'),
    meta: { public: true, title: '办件进度' },
  },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/features/home/views/HomeView.vue'), meta: { title: menuItem('home').title, roles: menuItem('home').roles } },
      { path: 'intake', name: 'intake', component: () => import('@/features/applications/views/IntakeView.vue'), meta: { title: menuItem('intake').title, roles: menuItem('intake').roles } },
      { path: 'outbox', name: 'outbox', component: () => import('@/features/offline/views/OutboxView.vue'), meta: { title: menuItem('outbox').title, roles: menuItem('outbox').roles } },
      { path: 'applications', name: 'applications', component: () => import('@/features/applications/views/ApplicationsView.vue'), meta: { title: menuItem('applications').title, roles: menuItem('applications').roles } },
      { path: 'applications/:id', name: 'application-detail', component: () => import('@/features/applications/views/ApplicationDetailView.vue'), meta: { title: '办件详情', roles: menuItem('applications').roles } },
      { path: 'notifications', name: 'notifications', component: () => import('@/features/notifications/views/NotificationsView.vue'), meta: { title: menuItem('notifications').title, roles: menuItem('notifications').roles } },
      { path: 'stats', name: 'stats', component: () => import('@/features/stats/views/StatsView.vue'), meta: { title: menuItem('stats').title, roles: menuItem('stats').roles } },
      { path: 'catalogue', name: 'catalogue', component: () => import('@/features/catalog/views/CatalogueView.vue'), meta: { title: menuItem('catalogue').title, roles: menuItem('catalogue').roles } },
      { path: 'catalogue/:id', name: 'catalogue-item', component: () => import('@/features/catalog/views/ItemEditView.vue'), meta: { title: '事项编辑', roles: menuItem('catalogue').roles } },
      { path: 'calendar', name: 'calendar', component: () => import('@/features/calendar/views/CalendarView.vue'), meta: { title: menuItem('calendar').title, roles: menuItem('calendar').roles } },
      { path: 'settings', name: 'settings', component: () => import('@/features/admin/views/SettingsView.vue'), meta: { title: menuItem('settings').title, roles: menuItem('settings').roles } },
      { path: 'org-units', name: 'org-units', component: () => import('@/features/admin/views/OrgUnitsView.vue'), meta: { title: menuItem('org-units').title, roles: menuItem('org-units').roles } },
      { path: 'staff', name: 'staff', component: () => import('@/features/admin/views/StaffView.vue'), meta: { title: menuItem('staff').title, roles: menuItem('staff').roles } },
      { path: 'workers', name: 'workers', component: () => import('@/features/workforce/views/WorkersView.vue'), meta: { title: menuItem('workers').title, roles: menuItem('workers').roles } },
      { path: 'workers/:id', name: 'worker-detail', component: () => import('@/features/workforce/views/WorkerDetailView.vue'), meta: { title: '工作者档案', roles: menuItem('workers').roles } },
      { path: 'pay-schemes', name: 'pay-schemes', component: () => import('@/features/workforce/views/PaySchemesView.vue'), meta: { title: menuItem('pay-schemes').title, roles: menuItem('pay-schemes').roles } },
      { path: 'progression', name: 'progression', component: () => import('@/features/workforce/views/ProgressionView.vue'), meta: { title: menuItem('progression').title, roles: menuItem('progression').roles } },
      { path: 'payroll', name: 'payroll', component: () => import('@/features/workforce/views/PayrollView.vue'), meta: { title: menuItem('payroll').title, roles: menuItem('payroll').roles } },
      { path: 'my-record', name: 'my-record', component: () => import('@/features/workforce/views/MyRecordView.vue'), meta: { title: menuItem('my-record').title, roles: menuItem('my-record').roles } },
      { path: 'access/items', name: 'access-items', component: () => import('@/features/access/views/AccessItemsView.vue'), meta: { title: menuItem('access-items').title, roles: menuItem('access-items').roles } },
      { path: 'access/requests', name: 'access-requests', component: () => import('@/features/access/views/AccessRequestsView.vue'), meta: { title: menuItem('access-requests').title, roles: menuItem('access-requests').roles } },
      { path: 'access/requests/:id', name: 'access-request-detail', component: () => import('@/features/access/views/AccessRequestDetailView.vue'), meta: { title: '准入申请详情', roles: menuItem('access-requests').roles } },
      { path: 'access/dispatch', name: 'access-dispatch', component: () => import('@/features/access/views/AccessDispatchView.vue'), meta: { title: menuItem('access-dispatch').title, roles: menuItem('access-dispatch').roles } },
      { path: 'access/tasks', name: 'access-tasks', component: () => import('@/features/access/views/AccessTasksView.vue'), meta: { title: menuItem('access-tasks').title, roles: menuItem('access-tasks').roles } },
      { path: 'access/burden', name: 'access-burden', component: () => import('@/features/access/views/AccessBurdenView.vue'), meta: { title: menuItem('access-burden').title, roles: menuItem('access-burden').roles } },
      { path: 'ratings/cases', name: 'rating-cases', component: () => import('@/features/rating/views/RatingCasesView.vue'), meta: { title: menuItem('rating-cases').title, roles: menuItem('rating-cases').roles } },
      { path: 'ratings/indicators', name: 'rating-indicators', component: () => import('@/features/rating/views/RatingIndicatorsView.vue'), meta: { title: menuItem('rating-indicators').title, roles: menuItem('rating-indicators').roles } },
      { path: 'audit', name: 'audit', component: () => import('@/features/admin/views/AuditView.vue'), meta: { title: menuItem('audit').title, roles: menuItem('audit').roles } },
      { path: 'login-log', name: 'login-log', component: () => import('@/features/admin/views/LoginLogView.vue'), meta: { title: menuItem('login-log').title, roles: menuItem('login-log').roles } },
      { path: 'region/login-log', name: 'region-login-log', component: () => import('@/features/admin/views/LoginLogView.vue'), props: { region: true }, meta: { title: menuItem('region-login-log').title, roles: menuItem('region-login-log').roles } },
      { path: 'supervision/published', name: 'published', component: () => import('@/features/supervision/views/PublishedView.vue'), meta: { title: menuItem('published').title, roles: menuItem('published').roles } },
      { path: 'supervision/cards', name: 'supervision-cards', component: () => import('@/features/supervision/views/CardsView.vue'), meta: { title: menuItem('supervision-cards').title, roles: menuItem('supervision-cards').roles } },
      { path: 'region', name: 'region', component: () => import('@/features/supervision/views/RegionView.vue'), meta: { title: menuItem('region').title, roles: menuItem('region').roles } },
      { path: 'region/dashboard', name: 'region-dashboard', component: () => import('@/features/supervision/views/DashboardView.vue'), meta: { title: menuItem('region-dashboard').title, roles: menuItem('region-dashboard').roles } },
      { path: 'supervision/dashboard', name: 'county-dashboard', component: () => import('@/features/supervision/views/DashboardView.vue'), meta: { title: menuItem('county-dashboard').title, roles: menuItem('county-dashboard').roles } },
      { path: 'platform', name: 'platform', component: () => import('@/features/supervision/views/PlatformView.vue'), meta: { title: menuItem('platform').title, roles: menuItem('platform').roles } },
      // 账号安全: every user's own sessions and password (from the header, not the menu).
      { path: 'account', name: 'account', component: () => import('@/features/admin/views/AccountView.vue'), meta: { title: '账号安全', roles: 'all' } },
      { path: '403', name: 'forbidden', component: () => import('@/features/home/views/ErrorView.vue'), props: { kind: 'forbidden' }, meta: { title: '无权访问' } },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/features/home/views/ErrorView.vue'),
        props: { kind: 'not-found' },
        meta: { title: '页面不存在' },
      },
    ],
  },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  let me
  try {
    me = await loadMe()
  } catch (e) {
    ElMessage.error(errorMessage(e))
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (!me) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  // A county admin reset the password: nothing but choosing a new one until it is done (the
  // API refuses everything else with 403 password_change_required).
  if (me.must_change_password && to.name !== 'account') return { name: 'account' }
  // A region account (supervisor, platform operator) has no county workbench: its console is home.
  if (to.name === 'home' && me.region) {
    return { name: (me.roles ?? []).includes('platform_operator') ? 'platform' : 'region' }
  }
  const allowed = to.meta.roles ?? 'all'
  if (!rolesAllow(me.roles ?? [], allowed)) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 一窗` : '一窗 · 政务服务一窗受理平台'
})
