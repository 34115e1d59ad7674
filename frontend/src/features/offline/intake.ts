// Pure parts of proxy intake offline (IntakeView + the outbox), unit-tested.
import type { ApplicantForm } from '@/features/applications/intake'

/** What the outbox keeps of the form to open it again: the applicant block and the ticks. */
export function intakeForm(applicant: ApplicantForm, ticks: Record<string, boolean>): Record<string, unknown> {
  return { applicant: { ...applicant }, ticks: { ...ticks } }
}

/**
 * Offline, the item search runs on the last full list the worker saw (the service worker
 * keeps that answer, not one per search): by name or implementation code, as the server does.
 */
export function filterItems<T extends { name: string; impl_code?: string; base_code?: string }>(items: readonly T[], q: string): T[] {
  const s = q.trim().toLowerCase()
  if (!s) return [...items]
  return items.filter((it) => it.name.toLowerCase().includes(s) || (it.impl_code ?? '').toLowerCase().includes(s) || (it.base_code ?? '').toLowerCase().includes(s))
}
