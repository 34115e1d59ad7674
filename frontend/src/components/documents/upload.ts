// The streamed upload of a material's file: POST the raw bytes with their Content-Type, with
// upload progress (fetch has none, hence XMLHttpRequest), and the presigned links the
// download endpoints hand out.
import { CSRF_HEADER, CSRF_VALUE, api } from '@/api/client'
import { ApiError } from '@/api/problem'
import type { DocFile } from '@/utils/documents'
import { uploadContentType, uploadPercent, uploadUrl } from '@/utils/documents'

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
        // The client's middleware sends a 401 to the login page and flags a 503: let a cheap
        // call through it see the same answer (XMLHttpRequest bypasses it).
        if (xhr.status === 401 || xhr.status === 503) void api.GET('/api/v1/document-settings').catch(() => undefined)
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

/** Starts a download of a presigned URL (its Content-Disposition is attachment) without leaving the page. */
export function downloadUrl(url: string): void {
  const a = document.createElement('a')
  a.href = url
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
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
 * Shows a PDF from a presigned URL in `tab` (or a new tab): the URL serves it as an attachment,
 * which a browser would save rather than show, so it is fetched and shown from a blob, where the
 * browser's PDF viewer displays and prints it.
 */
export async function showPdf(url: string, tab: Window | null): Promise<void> {
  let res: Response
  try {
    res = await fetch(url)
  } catch {
    // The storage does not let this origin read it (no CORS): go to the URL itself, which the
    // browser saves; the saved PDF still opens and prints.
    if (tab && !tab.closed) tab.location.href = url
    else downloadUrl(url)
    return
  }
  if (!res.ok) throw new Error(`文件获取失败（${res.status}），请重试`)
  const blob = new Blob([await res.arrayBuffer()], { type: 'application/pdf' })
  const objectUrl = URL.createObjectURL(blob)
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10 * 60_000)
  if (tab && !tab.closed) {
    tab.location.href = objectUrl
    return
  }
  const w = window.open(objectUrl, '_blank')
  if (!w) throw new Error('浏览器阻止了新窗口，请允许本站弹出窗口后重试')
}
