// Type-level guard: the aliases in src/api/types.ts must resolve against the generated client.
// If the OpenAPI document changes shape, these fail `npm run typecheck` / `npm run build`
// instead of silently becoming `never` (which would make every property access type-check).
import { describe, expect, expectTypeOf, it } from 'vitest'
import type {
  ActionBody,
  ApplicationDetail,
  ApplicationRow,
  AuditCheck,
  AuditEvent,
  CalendarDay,
  CreateOrgUnit,
  CreateStaff,
  DueResult,
  IntakeBody,
  ItemBody,
  ItemDetail,
  ItemSummary,
  Me,
  Notification,
  OrgUnit,
  Problem,
  Settings,
  Staff,
  StatsReport,
} from '@/api/types'

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
    expectTypeOf<ApplicationRow['warning']>().toEqualTypeOf<'normal' | 'yellow' | 'red'>()
    expectTypeOf<ApplicationDetail['version']>().toEqualTypeOf<number>()
    expectTypeOf<ApplicationDetail['dates']>().toEqualTypeOf<Record<string, string>>()
    expectTypeOf<IntakeBody['applicant']['id_no']>().toEqualTypeOf<string>()
    // The application page carries the masked number only; the full one comes from reveal-id.
    expectTypeOf<ApplicationDetail['applicant']['id_no_masked']>().toEqualTypeOf<string>()
    expectTypeOf<ActionBody>().not.toBeNever()
    expectTypeOf<ItemBody['handling']>().toEqualTypeOf<'instant' | 'promised'>()
    expectTypeOf<ItemDetail['row_version']>().toEqualTypeOf<number>()
    expectTypeOf<ItemSummary['status']>().toEqualTypeOf<'draft' | 'published' | 'retired'>()
    expectTypeOf<CalendarDay['working']>().toEqualTypeOf<boolean>()
    expectTypeOf<DueResult['due']>().toEqualTypeOf<string>()
    expectTypeOf<Settings['max_extension']>().toEqualTypeOf<number>()
    expectTypeOf<Notification['title']>().toEqualTypeOf<string>()
    expectTypeOf<StatsReport['total']['on_time_rate']>().toEqualTypeOf<number>()
    expect(true).toBe(true)
  })
})
