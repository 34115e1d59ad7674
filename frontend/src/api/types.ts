// Go nil slices are `T[] | null` in the document: code reads them with `?? []`.
// Friendly aliases over the generated OpenAPI types (src/api/schema.d.ts).
// They are taken from the operations (path + method + status), not from component schema names,
// so they survive the backend renaming its schemas (huma names inline bodies itself).
import type { paths } from './schema'

type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : never
type Ok<P extends keyof paths, M extends 'get' | 'post' | 'put', S extends number> = paths[P][M] extends {
  responses: infer Rs
}
  ? S extends keyof Rs
    ? JsonBody<Rs[S]>
    : never
  : never
type ReqBody<P extends keyof paths, M extends 'post' | 'put'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } }
}
  ? B
  : never
type ProblemBody<R> = R extends { content: { 'application/problem+json': infer B } } ? B : never

export type Me = Ok<'/api/v1/me', 'get', 200>
export type OrgUnit = NonNullable<Ok<'/api/v1/org-units', 'get', 200>['items']>[number]
export type CreateOrgUnit = ReqBody<'/api/v1/org-units', 'post'>
export type Staff = NonNullable<Ok<'/api/v1/staff', 'get', 200>['items']>[number]
export type CreateStaff = ReqBody<'/api/v1/staff', 'post'>
export type AuditEvent = NonNullable<Ok<'/api/v1/audit-events', 'get', 200>['items']>[number]
export type AuditCheck = Ok<'/api/v1/audit-checks/{id}', 'get', 200>
// Supervision (issue 16): the county's published feed, a region's counties, the operator's console
export type Published = Ok<'/api/v1/supervision/published', 'get', 200>
export type PublishedApplication = NonNullable<Published['applications']>[number]
export type RegionView = Ok<'/api/v1/region/counties', 'get', 200>
export type RegionCounty = NonNullable<RegionView['counties']>[number]
// Dashboards (issue 16, item 5): one shape for a region's and a county's
export type Dashboard = Ok<'/api/v1/region/dashboard', 'get', 200>
export type DashboardFigures = Dashboard['totals']
export type DashboardUnit = Dashboard['unit']
export type DashboardRow = NonNullable<Dashboard['children']>[number]
export type DashboardMonth = NonNullable<Dashboard['months']>[number]
export type DashboardBurden = NonNullable<Dashboard['burden']>[number]
export type DashboardWorkforce = NonNullable<Dashboard['workforce']>[number]
export type RegionApplications = Ok<'/api/v1/region/counties/{county}/applications', 'get', 200>
export type Registry = Ok<'/api/v1/platform/counties', 'get', 200>
export type RegistryCounty = NonNullable<Registry['counties']>[number]
export type RegistryRegion = NonNullable<Registry['regions']>[number]
export type CreateCounty = ReqBody<'/api/v1/platform/counties', 'post'>
export type CountyHealth = Ok<'/api/v1/platform/counties/{county}/health', 'get', 200>
// 效能监察: red and yellow cards, a region's rules, 督办 and the county's reply
export type SupervisionCard = NonNullable<Ok<'/api/v1/region/cards', 'get', 200>['items']>[number]
/** One step of a 督办's history. */
export type OrderStep = NonNullable<NonNullable<SupervisionCard['order']>['history']>[number]
export type CardRules = Ok<'/api/v1/region/card-rules', 'get', 200>
// Sign-in (登录日志, 账号安全)
export type LoginEvent = NonNullable<Ok<'/api/v1/login-events', 'get', 200>['items']>[number]
export type SignInSettings = Ok<'/api/v1/signin-settings', 'get', 200>
export type MySession = NonNullable<Ok<'/api/v1/me/sessions', 'get', 200>['items']>[number]
// Applications (办件)
export type ApplicationRow = NonNullable<Ok<'/api/v1/applications', 'get', 200>['items']>[number]
export type ApplicationDetail = Ok<'/api/v1/applications/{id}', 'get', 200>
export type IntakeBody = ReqBody<'/api/v1/applications', 'post'>
export type ActionBody = ReqBody<'/api/v1/applications/{id}/actions/{action}', 'post'>
export type MaterialLine = NonNullable<ApplicationDetail['materials']>[number]
export type TimelineEvent = NonNullable<ApplicationDetail['timeline']>[number]
export type PauseSpan = NonNullable<ApplicationDetail['pauses']>[number]
export type StageView = NonNullable<ApplicationDetail['stages']>[number]
export type CorrectionEntry = NonNullable<NonNullable<ApplicationDetail['correction']>['items']>[number]
export type ActionRef = NonNullable<ApplicationDetail['actions']>[number]
export type CalendarStep = NonNullable<ApplicationDetail['explain']>[number]
// Catalogue (事项目录)
export type ItemSummary = NonNullable<Ok<'/api/v1/items', 'get', 200>['items']>[number]
export type ItemDetail = Ok<'/api/v1/items/{id}', 'get', 200>
export type ItemBody = ReqBody<'/api/v1/items', 'post'>
export type MaterialSpec = NonNullable<ItemBody['materials']>[number]
export type SpecialStep = NonNullable<ItemBody['steps']>[number]
export type StageSpec = NonNullable<ItemBody['stages']>[number]
export type ImportResult = Ok<'/api/v1/items/import', 'post', 200>
// Calendar, settings, notifications, statistics
export type DueResult = Ok<'/api/v1/calendar/due', 'get', 200>
export type CalendarYearView = Ok<'/api/v1/calendar/days', 'get', 200>
export type CalendarDay = NonNullable<CalendarYearView['days']>[number]
export type CalendarOverrides = Ok<'/api/v1/calendar/overrides', 'get', 200>
export type CalendarOverride = NonNullable<CalendarOverrides['days']>[number]
export type CalendarYear = NonNullable<CalendarOverrides['years']>[number]
export type HolidayBlock = NonNullable<CalendarYear['holidays']>[number]
export type Settings = Ok<'/api/v1/settings', 'get', 200>
export type NotificationList = Ok<'/api/v1/notifications', 'get', 200>
export type Notification = NonNullable<NotificationList['items']>[number]
export type StatsReport = Ok<'/api/v1/stats/applications', 'get', 200>
export type StatsRow = StatsReport['total']
// Community workers (三岗十八级): roster, records, pay schemes, progression, payroll
export type WorkerRow = NonNullable<Ok<'/api/v1/workers', 'get', 200>['workers']>[number]
export type NewWorkerBody = ReqBody<'/api/v1/workers', 'post'>
export type WorkerDetail = Ok<'/api/v1/workers/{id}', 'get', 200>
export type WorkerRecord = WorkerDetail['record']
export type WorkerHistoryEntry = NonNullable<WorkerDetail['history']>[number]
export type WorkerFieldDiff = NonNullable<WorkerHistoryEntry['diffs']>[number]
export type WorkerAppraisal = NonNullable<WorkerDetail['appraisals']>[number]
export type LevelResult = WorkerDetail['entitled']
export type PayLine = NonNullable<WorkerDetail['pay']>[number]
export type WorkerRating = NonNullable<WorkerDetail['ratings']>[number]
export type PayDiff = NonNullable<PayLine['detail']>[number]
export type ChangeBody = ReqBody<'/api/v1/workers/{id}/changes', 'post'>
export type WorkerFields = ChangeBody['fields']
export type AppraisalBody = ReqBody<'/api/v1/workers/{id}/appraisals', 'post'>
export type AppraisalResult = Ok<'/api/v1/workers/{id}/appraisals', 'post', 200>
export type SchemeList = Ok<'/api/v1/pay-schemes', 'get', 200>
export type StoredScheme = NonNullable<SchemeList['schemes']>[number]
export type PayScheme = ReqBody<'/api/v1/pay-schemes/{effective_from}', 'put'>
export type PayAllowance = NonNullable<PayScheme['allowances']>[number]
export type LevelCalc = Ok<'/api/v1/workforce/level', 'get', 200>
export type BatchList = Ok<'/api/v1/progression', 'get', 200>
export type Batch = NonNullable<BatchList['batches']>[number]
export type BatchDetail = Ok<'/api/v1/progression/{year}', 'get', 200>
export type BatchLine = NonNullable<BatchDetail['lines']>[number]
export type PayrollRun = NonNullable<Ok<'/api/v1/payroll', 'get', 200>['runs']>[number]
export type Payroll = Ok<'/api/v1/payroll/{month}', 'get', 200>
export type PayrollSubtotal = NonNullable<Payroll['subtotals']>[number]
// 社区工作事项准入 (access lists, admission, dispatch, burden)
export type AccessItem = NonNullable<Ok<'/api/v1/access/items', 'get', 200>['items']>[number]
export type AccessItemDetail = Ok<'/api/v1/access/items/{id}', 'get', 200>
export type AccessItemVersion = NonNullable<AccessItemDetail['versions']>[number]
export type AccessNewItem = ReqBody<'/api/v1/access/items', 'post'>
export type AccessContent = ReqBody<'/api/v1/access/items/{id}', 'put'>['content']
export type AccessSettings = Ok<'/api/v1/access/settings', 'get', 200>
export type AdmissionApplication = ReqBody<'/api/v1/access/requests', 'post'>
export type AdmissionRequest = NonNullable<Ok<'/api/v1/access/requests', 'get', 200>['requests']>[number]
export type AdmissionDetail = Ok<'/api/v1/access/requests/{id}', 'get', 200>
export type AdmissionStep = NonNullable<AdmissionDetail['steps']>[number]
export type AdmissionDecision = ReqBody<'/api/v1/access/requests/{id}/decide', 'post'>
export type DispatchBody = ReqBody<'/api/v1/access/dispatch', 'post'>
export type CommunityTask = NonNullable<Ok<'/api/v1/access/tasks', 'get', 200>['tasks']>[number]
export type Interception = NonNullable<Ok<'/api/v1/access/interceptions', 'get', 200>['interceptions']>[number]
export type CommunityRef = NonNullable<Ok<'/api/v1/access/items/{id}/communities', 'get', 200>['communities']>[number]
export type BurdenReport = Ok<'/api/v1/access/burden', 'get', 200>
export type BurdenRow = BurdenReport['total']
export type ListVersion = NonNullable<BurdenReport['versions']>[number]
export type BurdenComparison = NonNullable<BurdenReport['comparison']>
export type PublicAccessList = Ok<'/api/v1/public/{county}/access-list', 'get', 200>
export type PublicAccessItem = NonNullable<PublicAccessList['items']>[number]
// 办件进度 and 好差评 (status, ratings)
export type StatusView = Ok<'/api/v1/public/{county}/status/{token}', 'get', 200>
export type RatingState = StatusView['rating']
export type RateBody = ReqBody<'/api/v1/public/{county}/status/{token}/rating', 'post'>
export type RectificationCase = NonNullable<Ok<'/api/v1/ratings/cases', 'get', 200>['cases']>[number]
export type CaseActionBody = ReqBody<'/api/v1/ratings/cases/{id}', 'post'>
export type CaseStep = NonNullable<RectificationCase['steps']>[number]
export type CallbackBody = ReqBody<'/api/v1/ratings/cases/{id}/callbacks', 'post'>
export type RatingReport = Ok<'/api/v1/ratings/indicators', 'get', 200>
export type RatingIndicator = RatingReport['total']
export type RatingSettings = Ok<'/api/v1/ratings/settings', 'get', 200>
export type Problem = ProblemBody<paths['/api/v1/staff']['post']['responses'][409]>
export type ProblemFieldError = NonNullable<Problem['errors']>[number]

// The UI's own vocabulary (labels, menus). The API may type these as plain strings; these
// unions are subtypes of string, so values flow into requests without casts.
export type Role =
  | 'platform_operator'
  | 'city_supervisor'
  | 'province_supervisor'
  | 'county_admin'
  | 'department_staff'
  | 'township_clerk'
  | 'community_worker'
  | 'agency_head'
  | 'government_head'
export type Scope = 'tenant' | 'org_subtree' | 'self'
export type OrgUnitKind = 'county' | 'township' | 'street' | 'village' | 'community' | 'department'
export type AppState =
  | 'proxy_received'
  | 'received'
  | 'correcting'
  | 'accepted'
  | 'processing'
  | 'paused'
  | 'decided'
  | 'delivered'
  | 'rejected'
  | 'withdrawn'
  | 'archived'
export type AppAction =
  | 'forward'
  | 'accept'
  | 'request_correction'
  | 'reject'
  | 'resubmit'
  | 'route'
  | 'pause'
  | 'resume'
  | 'extend'
  | 'approve'
  | 'deny'
  | 'deliver'
  | 'archive'
  | 'withdraw'
export type Warning = ApplicationRow['warning']
export type Channel = ApplicationRow['channel']
export type MaterialForm = MaterialSpec['form']
export type ItemKind = ItemBody['kind']
export type Handling = ItemBody['handling']
export type ItemStatus = ItemSummary['status']
export type ItemLevel = 'county' | 'township' | 'community'
export type DayKind = CalendarDay['kind']
export type DeliveryMethod = Exclude<NonNullable<ActionBody['delivery_method']>, ''>
export type CorrectionProblem = CorrectionEntry['problem']
// Workforce vocabulary (the API types these as plain strings)
export type WorkerPost = 'head' | 'deputy' | 'staff'
export type WorkerStatus = 'active' | 'away' | 'retired'
export type Education = 'none' | 'college' | 'bachelor' | 'master' | 'doctor'
export type Certificate = 'none' | 'junior' | 'intermediate' | 'senior'
export type Appraisal = 'excellent' | 'competent' | 'basic' | 'incompetent'
export type ChangeKind = 'hire' | 'edit' | 'post' | 'level' | 'status' | 'progression' | 'certificate' | 'correction'
export type BatchStatus = 'draft' | 'approved' | 'effective'
export type RunStatus = 'draft' | 'final'
export type PayMode = 'coefficient' | 'amount'
// Access-list vocabulary (the API types some of these as plain strings)
export type AccessKind = AccessContent['kind']
export type Funding = AccessContent['funding']
export type AccessItemStatus = AccessItem['status']
export type AdmissionStage = 'civil_review' | 'legal_review' | 'joint_meeting' | 'notice' | 'effective' | 'returned' | 'rejected' | 'withdrawn' | 'stopped'
export type AdmissionDecisionKind = AdmissionDecision['decision']
export type TaskStatus = 'pending' | 'accepted' | 'refused' | 'done'
export type InterceptRule = 'no_item' | 'not_in_force' | 'no_certificate' | 'wrong_department' | 'forbidden' | 'out_of_scope' | 'no_funding'
export type RectStatus = RectificationCase['status']
export type CaseAction = CaseActionBody['action']
