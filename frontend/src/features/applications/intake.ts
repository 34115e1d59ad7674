// Pure parts of the intake form (IntakeView), unit-tested.

/** The applicant block of the intake form. */
export interface ApplicantForm {
  kind: 'person' | 'org'
  name: string
  id_no: string
  phone: string
  contact: string
  signed_on: string
  document: string
}

/** The fields that say who the applicant is; they mean something else for a person and an organisation. */
export const IDENTITY_FIELDS = ['name', 'id_no', 'contact'] as const

/**
 * Switching 个人 ↔ 单位 empties the identity fields: a person's name is not a company name and
 * an ID number is not a credit code, so nothing typed for one kind may be sent as the other.
 * The phone and the 委托 stay. Returns the server-error paths to forget.
 */
export function clearIdentity(a: ApplicantForm): string[] {
  for (const f of IDENTITY_FIELDS) a[f] = ''
  return IDENTITY_FIELDS.map((f) => `applicant.${f}`)
}
