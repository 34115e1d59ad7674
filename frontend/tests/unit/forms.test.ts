import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent, h, reactive } from 'vue'
import ElementPlus, { ElForm, ElFormItem, ElInput } from 'element-plus'
import { forwardMaterialsNote, missingRequired } from '@/features/applications/actions'
import { clearIdentity, type ApplicantForm } from '@/features/applications/intake'
import { ApiError } from '@/api/problem'
import { installFieldErrorAria, wireFormItem } from '@/utils/fieldErrorAria'
import { normalizeIdInput } from '@/utils/idno'
import type { ApplicationDetail } from '@/api/types'

describe('normalizeIdInput', () => {
  it('strips every kind of space before cutting to 18, so a grouped paste keeps all 18 characters', () => {
    expect(normalizeIdInput('110105 19491231 002x')).toBe('11010519491231002X')
    expect(normalizeIdInput(' 110105\u300019491231\t002X\n')).toBe('11010519491231002X')
    expect(normalizeIdInput('1101 0519 4912 3100 2X')).toBe('11010519491231002X')
  })
  it('still cuts what is longer than 18 without spaces', () => {
    expect(normalizeIdInput('11010519491231002X99')).toBe('11010519491231002X')
    expect(normalizeIdInput('   ')).toBe('')
  })
})

describe('clearIdentity', () => {
  it('empties name, ID number and contact when 个人 ↔ 单位 switch, and keeps the phone and the 委托', () => {
    const a: ApplicantForm = { kind: 'org', name: '王秀英', id_no: '11010519491231002X', phone: '13912345678', contact: '李四', signed_on: '2026-12-01', document: '委托书' }
    const paths = clearIdentity(a)
    expect(a).toEqual({ kind: 'org', name: '', id_no: '', phone: '13912345678', contact: '', signed_on: '2026-12-01', document: '委托书' })
    expect(paths).toEqual(['applicant.name', 'applicant.id_no', 'applicant.contact'])
  })
})

describe('forward confirmation', () => {
  const d = (materials: unknown[]) => ({ materials }) as unknown as Pick<ApplicationDetail, 'materials'>
  it('names every required material not received', () => {
    const detail = d([
      { key: 'id', name: '居民身份证', required: true, provided: true },
      { key: 'hk', name: '户口簿', required: true, provided: false },
      { key: 'proof', name: '收入证明', required: true, provided: false },
      { key: 'opt', name: '其他材料', required: false, provided: false },
    ])
    expect(missingRequired(detail)).toEqual(['户口簿', '收入证明'])
    const note = forwardMaterialsNote(detail)
    expect(note.text).toContain('尚缺 2 项必要材料：户口簿、收入证明')
  })
  it('says the materials are complete when they are', () => {
    expect(forwardMaterialsNote(d([{ key: 'id', name: '居民身份证', required: true, provided: true }]))).toEqual({ missing: [], text: '必要材料已收齐。' })
  })
})

describe('server field errors land on their form items', () => {
  it('maps body.applicant.id_no to the path the intake form binds', () => {
    const err = new ApiError(422, {
      status: 422,
      message: '提交的数据有误',
      errors: [{ location: 'body.applicant.id_no', message: '请填写申请人的身份证号码' }],
    })
    expect(err.pathErrors['applicant.id_no']).toBe('请填写申请人的身份证号码')
  })
})

describe('fieldErrorAria', () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('wires aria-invalid and aria-describedby to the message, and unwires them when it goes', () => {
    document.body.innerHTML = `<div class="el-form-item is-error"><div class="el-form-item__content">
      <input id="x" aria-describedby="hint"><div class="el-form-item__error">请输入身份证号码</div></div></div>`
    const item = document.querySelector('.el-form-item')!
    const input = document.getElementById('x')!
    wireFormItem(item)
    const msg = item.querySelector('.el-form-item__error')!
    expect(msg.id).toMatch(/^field-error-/)
    expect(input.getAttribute('aria-invalid')).toBe('true')
    expect(input.getAttribute('aria-describedby')).toBe(`hint ${msg.id}`)
    item.classList.remove('is-error')
    msg.remove()
    wireFormItem(item)
    expect(input.hasAttribute('aria-invalid')).toBe(false)
    expect(input.getAttribute('aria-describedby')).toBe('hint')
  })

  it('follows an Element Plus form item whose error comes from the server', async () => {
    const state = reactive({ error: '' })
    const Form = defineComponent(() => () =>
      h(ElForm, { model: {} }, () => h(ElFormItem, { label: '身份证号码', error: state.error }, () => h(ElInput, { modelValue: '', 'data-testid': 'id' }))),
    )
    const w = mount(Form, { global: { plugins: [ElementPlus] }, attachTo: document.body })
    const stop = installFieldErrorAria(document.body)
    const input = () => document.querySelector('[data-testid="id"]') as HTMLElement
    expect(input().hasAttribute('aria-invalid')).toBe(false)

    state.error = '请填写申请人的身份证号码'
    await flushPromises()
    await new Promise((r) => setTimeout(r, 300)) // Element Plus debounces the error state
    const msg = document.querySelector('.el-form-item__error')!
    expect(msg.textContent).toContain('请填写申请人的身份证号码')
    expect(input().getAttribute('aria-invalid')).toBe('true')
    expect(input().getAttribute('aria-describedby')).toContain(msg.id)

    state.error = ''
    await flushPromises()
    await new Promise((r) => setTimeout(r, 400)) // the message leaves through a transition
    expect(input().hasAttribute('aria-invalid')).toBe(false)
    stop()
    w.unmount()
  })
})
