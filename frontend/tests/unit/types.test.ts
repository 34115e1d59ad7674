// Type-level guard: the aliases in src/api/types.ts must resolve against the generated client.
// If the OpenAPI document changes shape, these fail `npm run typecheck` / `npm run build`
// instead of silently becoming `never` (which would make every property access type-check).
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { AuditCheck, AuditEvent, CreateOrgUnit, CreateStaff, Me, OrgUnit, Problem, Staff } from '@/api/types'

describe('API type aliases', () => {
  it('resolve to real object types', () => {
    expectTypeOf<Me>().not.toBeNever()
    expectTypeOf<Me['tenant']['name']>().toEqualTypeOf<string>()
    expectTypeOf<NonNullable<Me['org_unit']['path_names']>>().toEqualTypeOf<string[]>()
    expectTypeOf<OrgUnit>().not.toBeNever()
    expectTypeOf<OrgUnit['parent_id']>().toEqualTypeOf<string | null>()
    expectTypeOf<Staff['identity_id']>().toEqualTypeOf<string>()
    expectTypeOf<CreateStaff['password']>().toEqualTypeOf<string>()
    expectTypeOf<CreateOrgUnit['parent_id']>().toEqualTypeOf<string>()
    expectTypeOf<AuditEvent['seq']>().toEqualTypeOf<number>()
    expectTypeOf<AuditCheck['status']>().not.toBeNever()
    expectTypeOf<Problem['message']>().toEqualTypeOf<string>()
    expect(true).toBe(true)
  })
})
