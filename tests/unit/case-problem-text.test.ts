import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { caseProblemText, REQUIRED_TAGS } from '../../shared/cases.ts'
import { createI18n } from '../../shared/i18n/index.ts'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { makeClip } from '../helpers/media.ts'

/*
 * The case check's findings read as sentences in both languages. A recording filed at import with only a place once
 * showed "缺少标注：collector,fact" on the case page: the missing tags are codes in the finding and must be named.
 */

const t = testCore()
afterAll(() => t.core.close())

test('a recording filed without collector and fact is reported with those tags named, not coded', async () => {
  const admin = await t.adminSession()
  const jilu = (await t.userSession(admin, 'jilu', ['records_officer'])).session
  const li = (await t.userSession(admin, 'lijing', ['enforcement_officer'])).user
  const zhang = (await t.userSession(admin, 'zhangwei', ['enforcement_officer'])).user
  const { case: c } = await t.call(
    'cases.create',
    {
      type: 'inspection',
      cause: '日常监督检查',
      source: 'ex_officio',
      party: { kind: 'organisation', name: '某诊所' },
      handlerIds: [li.id, zhang.id],
    },
    jilu,
  )
  const cam = tempDir('liuhen-problem-')
  makeClip(path.join(cam, 'ZD_20261123143000_0001.MP4'), { creationTime: '2026-11-23T06:30:00Z' })
  // Filed at import, as the 采集 page does: a case and a place, no collector, no fact.
  const { jobId } = await t.call('ingest.start', { sourceRoot: cam, caseId: c.id, place: '门诊药房' }, jilu)
  await t.core.waitForJob(jobId)

  const check = await t.call('cases.check', { caseId: c.id }, jilu)
  const found = check.problems.filter((p) => p.kind === 'tag_incomplete')
  expect(found).toHaveLength(1)
  expect(found[0]!.detail).toBe('collector,fact')

  const zh = createI18n('zh-CN').t
  const en = createI18n('en').t
  expect(caseProblemText(zh, found[0]!)).toBe(
    '音像记录 ZD_20261123143000_0001.MP4 缺少标注：采集人、证明事项',
  )
  expect(caseProblemText(en, found[0]!)).toBe(
    'Audio/video record ZD_20261123143000_0001.MP4 lacks tags: collector, fact proved',
  )
  // Every tag the check can name has words in both languages.
  for (const tag of REQUIRED_TAGS)
    for (const tr of [zh, en]) expect(tr(`cases.requiredTag.${tag}`)).not.toContain('requiredTag')
})
