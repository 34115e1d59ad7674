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
