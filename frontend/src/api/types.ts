// Friendly aliases over the generated OpenAPI types (src/api/schema.d.ts).
import type { components } from './schema'

type S = components['schemas']

export type Me = S['Me']
export type Role = S['Role']
export type Scope = S['Scope']
export type OrgUnitKind = S['OrgUnitKind']
export type OrgUnit = S['OrgUnit']
export type CreateOrgUnit = S['CreateOrgUnit']
export type Staff = S['Staff']
export type CreateStaff = S['CreateStaff']
export type AuditEvent = S['AuditEvent']
export type AuditCheck = S['AuditCheck']
export type Problem = S['Problem']
export type ProblemFieldError = S['ProblemFieldError']
