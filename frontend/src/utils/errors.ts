import { ElMessage } from 'element-plus'
import { ApiError, errorMessage } from '@/api/problem'

/**
 * Shows an API failure in Chinese and, when given a field-error object of a form, puts the
 * problem's field errors (location `body.<field>`) next to the matching form items.
 */
export function showError(err: unknown, fieldErrors?: Record<string, string>): void {
  if (fieldErrors) {
    for (const k of Object.keys(fieldErrors)) delete fieldErrors[k]
    if (err instanceof ApiError) Object.assign(fieldErrors, err.fieldErrors)
  }
  const msg = errorMessage(err)
  if (err instanceof ApiError && err.status === 401) {
    ElMessage.warning(msg)
    return
  }
  ElMessage.error({ message: msg, grouping: true })
}

export function clearFieldErrors(fieldErrors: Record<string, string>): void {
  for (const k of Object.keys(fieldErrors)) delete fieldErrors[k]
}

/** Like showError, but fills the field errors by full path (`applicant.id_no`, `materials[2].name`). */
export function showPathErrors(err: unknown, pathErrors: Record<string, string>): void {
  for (const k of Object.keys(pathErrors)) delete pathErrors[k]
  if (err instanceof ApiError) Object.assign(pathErrors, err.pathErrors)
  showError(err)
}

/** Chinese lines of a problem's field errors (for a dialog that has no input per field). */
export function fieldErrorLines(err: unknown): string[] {
  if (!(err instanceof ApiError) || !err.problem || !Array.isArray(err.problem.errors)) return []
  return err.problem.errors.map((e) => (e?.message || e?.message_en || '').trim()).filter((m) => m !== '')
}
