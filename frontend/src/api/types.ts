// Go nil slices are `T[] | null` in the document: code reads them with `?? []`.
// Friendly aliases over the generated OpenAPI types (src/api/schema.d.ts).
// They are taken from the operations (path + method + status), not from component schema names,
// so they survive the backend renaming its schemas (huma names inline bodies itself).
import type { paths } from './schema'

type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : never
type Ok<P extends keyof paths, M extends 'get' | 'post', S extends number> = paths[P][M] extends {
  responses: infer Rs
}
  ? S extends keyof Rs
    ? JsonBody<Rs[S]>
    : never
  : never
type ReqBody<P extends keyof paths, M extends 'post'> = paths[P][M] extends {
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
export type Problem = ProblemBody<paths['/api/v1/staff']['post']['responses'][409]>
export type ProblemFieldError = NonNullable<Problem['errors']>[number]

// The UI's own vocabulary (labels, menus). The API may type these as plain strings; these
// unions are subtypes of string, so values flow into requests without casts.
export type Role = 'platform_operator' | 'county_admin' | 'department_staff' | 'township_clerk' | 'community_worker'
export type Scope = 'tenant' | 'org_subtree' | 'self'
export type OrgUnitKind = 'county' | 'township' | 'street' | 'village' | 'community' | 'department'
