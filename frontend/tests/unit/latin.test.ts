import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { latinWords } from '../../e2e/support/latin.mjs'
import LevelExplainCard from '@/features/workforce/components/LevelExplainCard.vue'

describe('latinWords', () => {
  it('finds English words in Chinese text', () => {
    expect(latinWords('入职 2015-03-01，至 2026-11-21 满 11 年（service years）')).toEqual(['service', 'years'])
    expect(latinWords('等级 = min(18, 7 + 4 + 2) = 13，已达岗位上限（capped: exceeds the post maximum）')).toEqual([
      'min',
      'capped',
      'exceeds',
      'the',
      'post',
      'maximum',
    ])
    expect(latinWords('岗位 正职（head）')).toEqual(['head'])
  })

  it('leaves codes, numbers, addresses and allowed words alone', () => {
    expect(latinWords('受理编号 YC-2026-000123，身份证 13082619900101123X，第 1 版')).toEqual([])
    expect(latinWords('下载 PDF 或 Excel（2.5 MB），扫描 QR 码；https://example.gov.cn/s/abc，a@b.cn')).toEqual([])
    expect(latinWords('')).toEqual([])
    expect(latinWords(undefined)).toEqual([])
  })
})

describe('the level explanation card', () => {
  // The lines the server sends (services/level Explain, whose test forbids Latin letters).
  const explanation = [
    '岗位 正职：等级范围 7–18',
    '入职 2015-03-01，至 2026-11-21 满 11 年（工作年限）',
    '不计年限的考核年度 2019、2021：−2 年 → 计入 9 年（计入年限）',
    '学历 本科：+3 年 → 12 年（学历折算年限）',
    '每 3 年一级：⌊12 ÷ 3⌋ = 4 级（晋级级数）',
    '社工证 中级（社会工作师）：+2 级（持证加级）',
    '等级 = 7 + 4 + 2 = 13，不超过岗位上限 18 → 13 级',
  ]
  it('renders no English', () => {
    const w = mount(LevelExplainCard, {
      props: { entitled: { level: 13 } as never, explanation, currentLevel: 12, asOf: '2026-11-21' },
      global: { plugins: [ElementPlus] },
    })
    expect(w.text()).toContain('持证加级')
    expect(latinWords(w.text())).toEqual([])
  })
})
