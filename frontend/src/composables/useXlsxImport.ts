// Importing an Excel workbook the way every import screen does: pick an .xlsx, send it raw,
// show the result, or every row the server refused (nothing was imported then), or the
// reason the file as a whole was refused.
import { ref, type Ref } from 'vue'
import { ElMessage, ElMessageBox } from 'element-plus'
import { ApiError } from '@/api/problem'
import { fieldErrorLines, showError } from '@/utils/errors'

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** The options that send a File as the raw request body with the workbook's content type. */
export const xlsxBody = (file: File) => ({
  body: file as unknown as string,
  bodySerializer: (b: unknown) => b as BodyInit,
  headers: { 'Content-Type': XLSX },
})

export interface XlsxImportOptions<Row> {
  /** Sends the file; resolves to the success message. */
  upload: (file: File) => Promise<string>
  /** The refused rows in a 422's problem, if it names rows. */
  rows: (problem: unknown) => Row[]
  /** Runs after a successful import (e.g. reload the list). */
  done?: () => Promise<void> | void
}

export function useXlsxImport<Row>(opts: XlsxImportOptions<Row>) {
  const fileInput = ref<HTMLInputElement>()
  const importing = ref(false)
  const importDialog = ref(false)
  const importErrors = ref([]) as Ref<Row[]>
  const importMessage = ref('')

  async function onFile(ev: Event) {
    const input = ev.target as HTMLInputElement
    const file = input.files?.[0]
    input.value = '' // the same file can be chosen again after fixing it
    if (!file) return
    if (!/\.xlsx$/i.test(file.name)) {
      ElMessage.error('请选择 .xlsx 格式的 Excel 文件')
      return
    }
    importing.value = true
    try {
      importMessage.value = await opts.upload(file)
      importErrors.value = []
      importDialog.value = true
      await opts.done?.()
    } catch (e) {
      const rows = e instanceof ApiError && e.status === 422 ? opts.rows(e.problem) : []
      if (rows.length) {
        importErrors.value = rows
        importMessage.value = (e as ApiError).message
        importDialog.value = true
      } else if (e instanceof ApiError && e.status === 422 && fieldErrorLines(e).length) {
        // The file as a whole: not an .xlsx, a wrong sheet or header.
        await ElMessageBox.alert(fieldErrorLines(e).join('\n'), '无法导入', { type: 'error', confirmButtonText: '知道了' }).catch(() => undefined)
      } else {
        showError(e)
      }
    } finally {
      importing.value = false
    }
  }

  return { fileInput, importing, importDialog, importErrors, importMessage, onFile }
}
