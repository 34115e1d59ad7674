// The streamed upload of a material's file: POST the raw bytes with their Content-Type, with
// upload progress (fetch has none, hence XMLHttpRequest), and showing a notice's PDF in a tab.
import { CSRF_HEADER, CSRF_VALUE, api } from '@/api/client'
import { ApiError } from '@/api/problem'
import { reportOutage } from '@/api/outage'
import { type DocFile, uploadContentType, uploadPercent, uploadUrl } from '@/features/documents/model'

export interface UploadHandle {
  promise: Promise<DocFile>
  abort: () => void
}

/** Thrown (rejected) when the user cancelled the upload. */
export class UploadAborted extends Error {
  constructor() {
    super('已取消上传')
    this.name = 'UploadAborted'
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/** Sends `file` as material `material` of application `appId`; onProgress gets 0–100. */
export function uploadMaterialFile(appId: string, material: string, file: File, onProgress: (percent: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest()
  const promise = new Promise<DocFile>((resolve, reject) => {
    xhr.open('POST', uploadUrl(appId, material, file.name))
    xhr.withCredentials = true
    xhr.setRequestHeader('Content-Type', uploadContentType(file))
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json')
    xhr.setRequestHeader(CSRF_HEADER, CSRF_VALUE)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(uploadPercent(e.loaded, e.total))
    }
    xhr.onload = () => {
      const body = parse(xhr.responseText)
      if (xhr.status >= 200 && xhr.status < 300 && body && typeof body === 'object') {
        onProgress(100)
        resolve(body as DocFile)
      } else {
        // The client's middleware sends a 401 to the login page: let a cheap call through it
        // see the same answer (XMLHttpRequest bypasses it). A 503 names the service that is down.
        if (xhr.status === 401) void api.GET('/api/v1/document-settings').catch(() => undefined)
        if (xhr.status === 503) reportOutage(body)
        reject(new ApiError(xhr.status, body))
      }
    }
    xhr.onerror = () => reject(new ApiError(0, null))
    xhr.ontimeout = () => reject(new ApiError(0, null))
    xhr.onabort = () => reject(new UploadAborted())
    xhr.send(file)
  })
  return { promise, abort: () => xhr.abort() }
}

/**
 * A tab opened synchronously in the click (so no popup blocker steps in), to be pointed at the
 * document once its link has come back; null when the browser refused it.
 */
export function openPendingTab(title: string): Window | null {
  const w = window.open('', '_blank')
  if (w) {
    try {
      w.document.title = title
      w.document.body.style.fontFamily = 'sans-serif'
      w.document.body.textContent = `正在打开${title}…`
    } catch {
      // not ours to write to
    }
  }
  return w
}

/**
 * Shows a PDF from a presigned URL in `tab` (opened in the click, before the link came back) or
 * a new tab. The URL serves it inline as application/pdf, so the browser's PDF viewer displays
 * and prints it. The tab goes to the storage's URL itself rather than a blob fetched into this
 * page: a blob document would inherit the app's Content-Security-Policy (object-src 'none',
 * connect-src 'self'), which rightly keeps plugins and other origins out of the app.
 */
export async function showPdf(url: string, tab: Window | null): Promise<void> {
  if (tab && !tab.closed) {
    try {
      tab.opener = null // the storage's page gets no handle on the app's window
    } catch {
      // not ours to change
    }
    tab.location.href = url
    return
  }
  const w = window.open(url, '_blank')
  if (!w) throw new Error('浏览器阻止了新窗口，请允许本站弹出窗口后重试')
  try {
    w.opener = null
  } catch {
    // already the storage's page
  }
}
