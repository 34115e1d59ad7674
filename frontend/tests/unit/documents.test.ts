import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { ApplicationDetail } from '@/api/types'
import ApplicationDocuments from '@/features/documents/components/ApplicationDocuments.vue'
import MaterialFilesCard from '@/features/documents/components/MaterialFilesCard.vue'
import { showPdf } from '@/features/documents/components/upload'
import { RETENTION_OPTIONS, fileStatusLabel, fileStatusTagType, noticeTitle, retentionLabel } from '@/features/documents/labels'
import {
  type DocFile,
  type DocNotice,
  type DocumentList,
  backoffDelay,
  canRegenerateNotices,
  canUploadFiles,
  chinaDate,
  createPoller,
  fileProblem,
  filesByMaterial,
  formatFileSize,
  hasPendingWork,
  newestNotices,
  pendingWork,
  settledFiles,
  shortHash,
  uploadContentType,
  uploadPercent,
  noticeFileURL,
  uploadUrl,
  upsertFile,
} from '@/features/documents/model'

const SHA = '6b7fa434f92a8b80aab02d9bf1a12e49ffcae424e4013a1c4f68b67e3d2bbcd0'

function file(over: Partial<DocFile> = {}): DocFile {
  return {
    id: 'f1',
    material_key: 'm1',
    filename: '身份证.png',
    channel: 'direct',
    status: 'uploaded',
    status_label: '校验中',
    attached: false,
    content_type: 'image/png',
    declared_type: 'image/png',
    size: 70,
    sha256: SHA,
    created_at: '2026-11-21T08:10:50Z',
    uploader_name: '张伟',
    ...over,
  }
}

function notice(over: Partial<DocNotice> = {}): DocNotice {
  return { kind: 'accepted', title: '受理通知书', version: 2, edition: 1, issued_on: '2026-11-21', ready: false, generations: 0, ...over }
}

describe('labels', () => {
  it('names every file status, with the API label for anything new', () => {
    expect(fileStatusLabel('verified')).toBe('已校验')
    expect(fileStatusLabel('uploaded')).toBe('校验中')
    expect(fileStatusLabel('rejected')).toBe('已拒收')
    expect(fileStatusLabel('tampered')).toBe('疑似篡改')
    expect(fileStatusLabel('awaiting_upload')).toBe('待上传')
    expect(fileStatusLabel('quarantined', '隔离中')).toBe('隔离中')
    expect(fileStatusLabel('quarantined')).toBe('quarantined')
    expect(fileStatusTagType('verified')).toBe('success')
    expect(fileStatusTagType('uploaded')).toBe('warning')
    expect(fileStatusTagType('tampered')).toBe('danger')
    expect(fileStatusTagType('awaiting_upload')).toBe('info')
  })

  it('names notices and retention periods', () => {
    expect(noticeTitle({ kind: 'correction', title: '' })).toBe('一次性告知书')
    expect(noticeTitle({ kind: 'decided', title: '办结通知书' })).toBe('办结通知书')
    expect(RETENTION_OPTIONS.map((o) => o.label)).toEqual(['永久', '定期30年', '定期10年'])
    expect(retentionLabel('30y')).toBe('定期30年')
    expect(retentionLabel('5y')).toBe('5y')
  })
})

describe('formatting', () => {
  it('formats sizes in binary units', () => {
    expect(formatFileSize(0)).toBe('0 B')
    expect(formatFileSize(70)).toBe('70 B')
    expect(formatFileSize(1023)).toBe('1023 B')
    expect(formatFileSize(1024)).toBe('1 KB')
    expect(formatFileSize(1536)).toBe('1.5 KB')
    expect(formatFileSize(79866)).toBe('78 KB')
    expect(formatFileSize(20 * 1024 * 1024)).toBe('20 MB')
    expect(formatFileSize(2.25 * 1024 * 1024)).toBe('2.3 MB')
    expect(formatFileSize(5 * 1024 ** 3)).toBe('5 GB')
    expect(formatFileSize(-1)).toBe('')
    expect(formatFileSize(undefined)).toBe('')
  })

  it('shortens hashes and dates instants in China', () => {
    expect(shortHash(SHA)).toBe('6b7fa434f92a')
    expect(shortHash(SHA, 8)).toBe('6b7fa434')
    expect(shortHash('')).toBe('')
    expect(shortHash(undefined)).toBe('')
    // 2057-01-01 00:00 in Beijing is the evening before in UTC
    expect(chinaDate('2056-12-31T16:00:00Z')).toBe('2057-01-01')
    expect(chinaDate('2057-01-01T00:00:00+08:00')).toBe('2057-01-01')
    expect(chinaDate('')).toBe('')
    expect(chinaDate('not a date')).toBe('not a date')
  })
})

describe('who may act', () => {
  const open = { state: 'received', channel: 'window' }
  it('lets clerks upload while the application is open', () => {
    expect(canUploadFiles(['township_clerk'], open)).toBe(true)
    expect(canUploadFiles(['township_clerk'], { state: 'processing', channel: 'window' })).toBe(true)
    expect(canUploadFiles(['township_clerk'], { state: 'decided', channel: 'window' })).toBe(false)
    expect(canUploadFiles(['township_clerk'], { state: 'archived', channel: 'proxy' })).toBe(false)
  })
  it('lets community workers upload only for proxy applications', () => {
    expect(canUploadFiles(['community_worker'], { state: 'proxy_received', channel: 'proxy' })).toBe(true)
    expect(canUploadFiles(['community_worker'], { state: 'received', channel: 'proxy' })).toBe(true)
    expect(canUploadFiles(['community_worker'], open)).toBe(false)
  })
  it('keeps the button from those the API always refuses', () => {
    expect(canUploadFiles(['department_staff'], open)).toBe(false)
    expect(canUploadFiles(['county_admin'], open)).toBe(false)
    expect(canUploadFiles([], open)).toBe(false)
  })
  it('lets notice issuers and admins regenerate', () => {
    expect(canRegenerateNotices(['township_clerk'])).toBe(true)
    expect(canRegenerateNotices(['department_staff'])).toBe(true)
    expect(canRegenerateNotices(['county_admin'])).toBe(true)
    expect(canRegenerateNotices(['community_worker'])).toBe(false)
  })
})

describe('a chosen file', () => {
  const MB = 1024 * 1024
  it('refuses files over the county limit with the sizes in the message', () => {
    const msg = fileProblem({ name: '户口簿.jpg', size: 25.5 * MB, type: 'image/jpeg' }, 20)
    expect(msg).toContain('户口簿.jpg')
    expect(msg).toContain('25.5 MB')
    expect(msg).toContain('上限 20 MB')
    expect(fileProblem({ name: 'a.jpg', size: 20 * MB, type: 'image/jpeg' }, 20)).toBeNull()
    expect(fileProblem({ name: 'a.jpg', size: 20 * MB + 1, type: 'image/jpeg' }, 20)).not.toBeNull()
    // limit unknown: the server's check alone
    expect(fileProblem({ name: 'a.jpg', size: 500 * MB, type: 'image/jpeg' }, null)).toBeNull()
  })
  it('refuses empty files and types never accepted', () => {
    expect(fileProblem({ name: 'a.png', size: 0, type: 'image/png' }, 20)).toContain('空文件')
    expect(fileProblem({ name: 'a.docx', size: 10, type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }, 20)).toContain(
      '不是可接受的文件类型',
    )
    expect(fileProblem({ name: 'IMG_0001.HEIC', size: 10, type: 'image/heic' }, 20)).toContain('JPEG')
    // unknown to the browser: the server sniffs it
    expect(fileProblem({ name: '营业执照.ofd', size: 10, type: '' }, 20)).toBeNull()
    expect(fileProblem({ name: 'scan', size: 10, type: '' }, 20)).toBeNull()
    expect(fileProblem({ name: 'scan.pdf', size: 10, type: 'application/x-pdf' }, 20)).toBeNull()
  })
  it('declares the type the server understands, or nothing', () => {
    expect(uploadContentType({ name: 'a.png', type: 'image/png' })).toBe('image/png')
    expect(uploadContentType({ name: 'a.jpg', type: 'image/jpg' })).toBe('image/jpeg')
    expect(uploadContentType({ name: '执照.ofd', type: '' })).toBe('application/ofd')
    expect(uploadContentType({ name: 'scan.TIF', type: '' })).toBe('image/tiff')
    expect(uploadContentType({ name: 'x', type: '' })).toBe('application/octet-stream')
    expect(uploadContentType({ name: 'x.heic', type: 'image/heic' })).toBe('application/octet-stream')
  })
  it('builds the streamed upload URL and its progress', () => {
    expect(uploadUrl('abc', 'm1', '身份证 正面.png')).toBe('/api/v1/applications/abc/files?material=m1&filename=%E8%BA%AB%E4%BB%BD%E8%AF%81+%E6%AD%A3%E9%9D%A2.png')
    expect(uploadUrl('abc', 'm1', '  ')).toBe('/api/v1/applications/abc/files?material=m1')
    expect(uploadPercent(50, 200)).toBe(25)
    expect(uploadPercent(200, 200)).toBe(100)
    expect(uploadPercent(300, 200)).toBe(100)
    expect(uploadPercent(1, 0)).toBe(0)
  })
})

describe('the listing', () => {
  it('groups files under the checklist, unknown keys last', () => {
    const groups = filesByMaterial(
      [
        { key: 'm1', name: '居民身份证', required: true },
        { key: 'm2', name: '居民户口簿', required: true },
      ],
      [file({ id: 'a', material_key: 'm2' }), file({ id: 'b', material_key: 'm1' }), file({ id: 'c', material_key: 'zz' }), file({ id: 'd', material_key: 'm1' })],
    )
    expect(groups.map((g) => [g.key, g.files.map((f) => f.id)])).toEqual([
      ['m1', ['b', 'd']],
      ['m2', ['a']],
      ['zz', ['c']],
    ])
  })
  it('replaces a file by id or appends it', () => {
    const list = [file({ id: 'a' }), file({ id: 'b' })]
    expect(upsertFile(list, file({ id: 'b', status: 'verified' })).map((f) => [f.id, f.status])).toEqual([
      ['a', 'uploaded'],
      ['b', 'verified'],
    ])
    expect(upsertFile(list, file({ id: 'c' })).map((f) => f.id)).toEqual(['a', 'b', 'c'])
    expect(list).toHaveLength(2) // not mutated
  })
  it('finds the newest notice of each kind', () => {
    const old = notice({ kind: 'correction', version: 2, ready: true })
    const cur = notice({ kind: 'correction', version: 4, ready: true })
    const acc = notice({ kind: 'accepted', version: 6 })
    const newest = newestNotices([old, cur, acc])
    expect(newest.has(cur)).toBe(true)
    expect(newest.has(acc)).toBe(true)
    expect(newest.has(old)).toBe(false)
  })
  it('knows what the jobs still have to do', () => {
    const list: DocumentList = {
      files: [file({ id: 'a' }), file({ id: 'b', status: 'verified' }), file({ id: 'c', status: 'awaiting_upload' })],
      notices: [notice(), notice({ kind: 'correction', ready: true })],
    }
    expect(pendingWork(list)).toEqual({ files: 1, notices: 1, archive: false })
    expect(hasPendingWork(pendingWork(list))).toBe(true)
    const done: DocumentList = { files: [file({ status: 'verified' })], notices: [notice({ ready: true })] }
    expect(hasPendingWork(pendingWork(done, 'delivered'))).toBe(false)
    expect(pendingWork(done, 'archived')).toEqual({ files: 0, notices: 0, archive: true })
    const archive = { sha256: SHA, size: 1, files: 1, retention: '30y' as const, retention_label: '定期30年', lock_mode: 'COMPLIANCE' as const, retain_until: '2057-01-01T00:00:00+08:00', archived_at: '2026-11-21T08:00:00Z' }
    expect(hasPendingWork(pendingWork({ ...done, archive }, 'archived'))).toBe(false)
    expect(hasPendingWork(pendingWork(null, 'archived'))).toBe(false)
  })
  it('tells which pending files were decided', () => {
    const before = [file({ id: 'a' }), file({ id: 'b' }), file({ id: 'c', status: 'verified' })]
    const after = [file({ id: 'a', status: 'verified' }), file({ id: 'b' }), file({ id: 'c', status: 'verified' }), file({ id: 'd', status: 'tampered' })]
    expect(settledFiles(before, after).map((f) => f.id)).toEqual(['a'])
  })
})

describe('polling', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('backs off exponentially up to a ceiling', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n))).toEqual([1000, 1500, 2250, 3375, 5063, 7594, 8000, 8000])
    expect(backoffDelay(0, { baseMs: 200, factor: 2, maxMs: 1000 })).toBe(200)
    expect(backoffDelay(3, { baseMs: 200, factor: 2, maxMs: 1000 })).toBe(1000)
    expect(backoffDelay(-3)).toBe(1000)
  })

  it('polls until the work is done', async () => {
    vi.useFakeTimers()
    let left = 3
    const run = vi.fn(async () => --left > 0)
    const p = createPoller({ run, baseMs: 100, factor: 2, maxMs: 1000 })
    p.start()
    expect(p.active).toBe(true)
    await vi.advanceTimersByTimeAsync(99)
    expect(run).toHaveBeenCalledTimes(0)
    await vi.advanceTimersByTimeAsync(1) // t=100
    expect(run).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(200) // t=300
    expect(run).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(400) // t=700: done
    expect(run).toHaveBeenCalledTimes(3)
    expect(p.active).toBe(false)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(run).toHaveBeenCalledTimes(3)
    expect(p.gaveUp).toBe(false)
  })

  it('keeps polling through errors, and gives up after the timeout', async () => {
    vi.useFakeTimers()
    const onGiveUp = vi.fn()
    const run = vi.fn(async () => {
      throw new Error('network')
    })
    const p = createPoller({ run, onGiveUp, baseMs: 1000, factor: 1, timeoutMs: 5000 })
    p.start()
    await vi.advanceTimersByTimeAsync(4999)
    expect(run).toHaveBeenCalledTimes(4)
    expect(onGiveUp).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(run).toHaveBeenCalledTimes(5)
    expect(onGiveUp).toHaveBeenCalledTimes(1)
    expect(p.active).toBe(false)
    expect(p.gaveUp).toBe(true)
    p.start() // a new upload: polls again
    expect(p.gaveUp).toBe(false)
    await vi.advanceTimersByTimeAsync(1000)
    expect(run).toHaveBeenCalledTimes(6)
    p.stop()
  })

  it('restarts from the shortest delay, also while a poll is running', async () => {
    vi.useFakeTimers()
    let release: (v: boolean) => void = () => {}
    const run = vi.fn(() => new Promise<boolean>((r) => (release = r)))
    const p = createPoller({ run, baseMs: 100, factor: 10, maxMs: 100_000 })
    p.start()
    await vi.advanceTimersByTimeAsync(100)
    expect(run).toHaveBeenCalledTimes(1)
    p.start() // during the run
    release(true)
    await vi.advanceTimersByTimeAsync(100) // next after 100 ms again, not 1000
    expect(run).toHaveBeenCalledTimes(2)
    release(true)
    await vi.advanceTimersByTimeAsync(999)
    expect(run).toHaveBeenCalledTimes(2)
    p.start() // between runs: reschedules at 100 ms
    await vi.advanceTimersByTimeAsync(100)
    expect(run).toHaveBeenCalledTimes(3)
    p.stop()
    release(true)
    await vi.advanceTimersByTimeAsync(100_000)
    expect(run).toHaveBeenCalledTimes(3)
    expect(p.active).toBe(false)
  })
})

// ---- the 材料附件 card

/** Just enough XMLHttpRequest for uploadMaterialFile. */
class FakeXHR {
  static last: FakeXHR | null = null
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: unknown = null
  withCredentials = false
  status = 0
  responseText = ''
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  ontimeout: (() => void) | null = null
  onabort: (() => void) | null = null
  constructor() {
    FakeXHR.last = this
  }
  open(method: string, url: string) {
    this.method = method
    this.url = url
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v
  }
  send(body: unknown) {
    this.body = body
  }
  abort() {
    this.onabort?.()
  }
  respond(status: number, body: unknown) {
    this.status = status
    this.responseText = JSON.stringify(body)
    this.onload?.()
  }
}

const MATERIALS = [
  { key: 'm1', name: '居民身份证', required: true },
  { key: 'm2', name: '居民户口簿', required: true },
]

function mountCard(props: Partial<InstanceType<typeof MaterialFilesCard>['$props']> = {}) {
  return mount(MaterialFilesCard, {
    props: { appId: 'app1', materials: MATERIALS, files: [], canUpload: true, limitMb: 1, narrow: false, ...props },
    global: { plugins: [ElementPlus] },
    attachTo: document.body,
  })
}

function choose(input: HTMLInputElement, files: File[]) {
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  input.dispatchEvent(new Event('change'))
}

describe('MaterialFilesCard', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('lists each material with its files, statuses, sizes and hashes', async () => {
    const w = mountCard({
      files: [
        file({ id: 'a', status: 'verified', attached: true }),
        file({ id: 'b', status: 'tampered', reason: '文件内容与上传时登记的 SHA-256 不一致' }),
        file({ id: 'c', material_key: 'm2', status: 'uploaded' }),
      ],
    })
    await flushPromises()
    const m1 = w.get('[data-testid="docs-material-m1"]')
    expect(m1.text()).toContain('居民身份证')
    const rows = m1.findAll('[data-testid="docs-file"]')
    expect(rows.map((r) => r.attributes('data-status'))).toEqual(['verified', 'tampered'])
    expect(rows[0]!.text()).toContain('已校验')
    expect(rows[0]!.text()).toContain('70 B')
    expect(rows[0]!.text()).toContain('SHA-256 6b7fa434f92a')
    expect(rows[0]!.find('[data-testid="docs-file-download"]').exists()).toBe(true)
    expect(rows[1]!.text()).toContain('疑似篡改')
    expect(rows[1]!.get('[data-testid="docs-file-reason"]').text()).toContain('SHA-256 不一致')
    expect(rows[1]!.find('[data-testid="docs-file-download"]').exists()).toBe(false)
    expect(w.get('[data-testid="docs-material-m2"]').text()).toContain('校验中')
    w.unmount()
  })

  it('offers no upload to those who may not', async () => {
    const w = mountCard({ canUpload: false })
    await flushPromises()
    expect(w.find('[data-testid="docs-upload-m1"]').exists()).toBe(false)
    expect(w.find('[data-testid="docs-input-m1"]').exists()).toBe(false)
    w.unmount()
  })

  it('offers the camera on phones, with the accepted types on the file input', async () => {
    const w = mountCard({ narrow: true })
    await flushPromises()
    expect(w.get('[data-testid="docs-input-m1"]').attributes('accept')).toBe('image/*,application/pdf,.ofd')
    expect(w.get('[data-testid="docs-camera-input-m1"]').attributes('capture')).toBe('environment')
    expect(w.find('[data-testid="docs-camera-m1"]').exists()).toBe(true)
    w.unmount()
    const d = mountCard({ narrow: false })
    await flushPromises()
    expect(d.find('[data-testid="docs-camera-m1"]').exists()).toBe(false)
    d.unmount()
  })

  it('refuses a file over the county limit before sending it', async () => {
    const xhr = vi.fn()
    vi.stubGlobal('XMLHttpRequest', xhr)
    const w = mountCard({ limitMb: 1 })
    await flushPromises()
    const big = new File([new Uint8Array(1024 * 1024 + 1)], '户口簿.jpg', { type: 'image/jpeg' })
    choose(w.get('[data-testid="docs-input-m2"]').element as HTMLInputElement, [big])
    await flushPromises()
    expect(xhr).not.toHaveBeenCalled()
    expect(w.get('[data-testid="docs-upload-error-m2"]').text()).toContain('超过本县规定的单个文件上限 1 MB')
    w.unmount()
  })

  it('streams the file with its type, shows progress and hands the stored file up', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXHR)
    const w = mountCard()
    await flushPromises()
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], '身份证.png', { type: 'image/png' })
    choose(w.get('[data-testid="docs-input-m1"]').element as HTMLInputElement, [png])
    await flushPromises()
    const x = FakeXHR.last!
    expect(x.method).toBe('POST')
    expect(x.url).toBe('/api/v1/applications/app1/files?material=m1&filename=%E8%BA%AB%E4%BB%BD%E8%AF%81.png')
    expect(x.headers['Content-Type']).toBe('image/png')
    expect(x.body).toBe(png)
    x.upload.onprogress!({ lengthComputable: true, loaded: 2, total: 4 })
    await flushPromises()
    expect(w.get('[data-testid="docs-progress"]').text()).toContain('50%')
    x.respond(201, file({ id: 'new' }))
    await flushPromises()
    expect(w.emitted('uploaded')?.[0]?.[0]).toMatchObject({ id: 'new', status: 'uploaded' })
    expect(w.find('[data-testid="docs-progress"]').exists()).toBe(false)
    w.unmount()
  })

  it("shows the API's refusal", async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXHR)
    const w = mountCard()
    await flushPromises()
    choose(w.get('[data-testid="docs-input-m1"]').element as HTMLInputElement, [new File(['x'], 'a.png', { type: 'image/png' })])
    await flushPromises()
    FakeXHR.last!.respond(403, {
      status: 403,
      code: 'upload_not_allowed',
      message: '只有办件所在大厅的窗口人员或代办该件的村（社区）工作者可以上传材料',
    })
    await flushPromises()
    expect(w.get('[data-testid="docs-upload-error-m1"]').text()).toContain('只有办件所在大厅的窗口人员')
    expect(w.emitted('uploaded')).toBeUndefined()
    w.unmount()
  })
})

describe('ApplicationDocuments', () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  const app = {
    id: 'app1',
    version: 2,
    state: 'accepted',
    channel: 'window',
    materials: [{ key: 'm1', name: '居民身份证', form: 'original', copies: 1, required: true, provided: true }],
  } as unknown as ApplicationDetail

  it('polls until the verification and the notice are done, then stops', async () => {
    vi.useFakeTimers()
    let listed = 0
    const urls: string[] = []
    vi.stubGlobal('fetch', async (req: Request) => {
      const path = new URL(req.url, 'http://x').pathname
      urls.push(path)
      const json = (b: unknown) => new Response(JSON.stringify(b), { status: 200, headers: { 'Content-Type': 'application/json' } })
      if (path === '/api/v1/document-settings') return json({ max_upload_mb: 20, retention: '30y' })
      if (path === '/api/v1/applications/app1/documents') {
        listed++
        const done = listed >= 3
        return json({
          files: [file({ status: done ? 'verified' : 'uploaded', attached: done })],
          notices: [notice({ ready: done, ...(done ? { sha256: SHA, size: 1000, generated_at: '2026-11-21T08:12:11Z', generations: 1 } : {}) })],
        })
      }
      return new Response('{}', { status: 404 })
    })
    const w = mount(ApplicationDocuments, { props: { app, narrow: false }, global: { plugins: [ElementPlus] }, attachTo: document.body })
    await vi.advanceTimersByTimeAsync(0)
    expect(listed).toBe(1)
    expect(w.get('[data-testid="docs-notice-accepted"]').attributes('data-ready')).toBe('false')
    expect(w.get('[data-testid="docs-notice-accepted"]').text()).toContain('生成中')
    expect(w.get('[data-testid="docs-file"]').text()).toContain('校验中')
    await vi.advanceTimersByTimeAsync(1000)
    expect(listed).toBe(2)
    await vi.advanceTimersByTimeAsync(1500)
    expect(listed).toBe(3)
    expect(w.get('[data-testid="docs-notice-accepted"]').attributes('data-ready')).toBe('true')
    expect(w.get('[data-testid="docs-notice-accepted"]').text()).toContain('已生成')
    expect(w.get('[data-testid="docs-file"]').text()).toContain('已校验')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(listed).toBe(3) // nothing pending: no more polls
    expect(urls).toContain('/api/v1/document-settings')
    w.unmount()
  })
})

describe('showing a notice', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('points the tab opened by the click at the presigned URL, without fetching it into the page', async () => {
    const fetch = vi.fn()
    vi.stubGlobal('fetch', fetch)
    const tab = { closed: false, opener: {}, location: { href: '' } } as unknown as Window
    await showPdf('http://127.0.0.1:9000/notice.pdf?X-Amz-Signature=x', tab)
    expect(tab.location.href).toBe('http://127.0.0.1:9000/notice.pdf?X-Amz-Signature=x')
    expect(tab.opener).toBeNull()
    expect(fetch).not.toHaveBeenCalled()
  })

  it('opens a new tab when the one from the click is gone, and says so when the browser blocks it', async () => {
    const opened = { opener: {} }
    const open = vi.fn(() => opened)
    vi.stubGlobal('open', open)
    await showPdf('http://127.0.0.1:9000/notice.pdf', { closed: true } as unknown as Window)
    expect(open).toHaveBeenCalledWith('http://127.0.0.1:9000/notice.pdf', '_blank')
    expect(opened.opener).toBeNull()
    vi.stubGlobal('open', vi.fn(() => null))
    await expect(showPdf('http://127.0.0.1:9000/notice.pdf', null)).rejects.toThrow('浏览器阻止了新窗口')
  })
})

describe('noticeFileURL', () => {
  it('points at the app, not the storage', () => {
    expect(noticeFileURL('0b1c', { kind: 'accepted', version: 2 })).toBe('/api/v1/applications/0b1c/notices/accepted/file?version=2')
  })
})
