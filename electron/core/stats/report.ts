import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { createI18n } from '../../../shared/i18n/index.ts'
import { statsSections } from '../../../shared/stats.ts'
import type { CoreDeps } from '../context.ts'
import { tablePdf } from '../pdf.ts'
import { statistics } from './stats.ts'
import { getAgency } from '../agency.ts'
import { catalogue } from '../cases/queries.ts'
import { formatBeijing } from '../../../shared/datetime.ts'

/** The statistics as an A4 report in Chinese: the same sections and names as the 统计 page. */
export async function statsPdf(
  deps: CoreDeps,
  i: ParsedInput<'stats.pdf'>,
): Promise<MethodOutput<'stats.pdf'>> {
  const stats = statistics(deps, i)
  const { t } = createI18n('zh-CN')
  const agency = getAgency(deps.db).name
  const rows = statsSections(stats, t, catalogue(deps)).flatMap((s) =>
    s.rows.length
      ? s.rows.map(([k, v], n) => [n === 0 ? s.title : '', k, String(v)])
      : [[s.title, t('stats.none'), '']],
  )
  const period = `${t('stats.yearName', { year: i.year })}${i.quarter ? ` ${t('stats.quarterName', { quarter: i.quarter })}` : ''}`
  const pdf = await tablePdf({
    agency,
    title: `${t('stats.title')}（${period}）`,
    scope: `${stats.period.from} — ${stats.period.to}（不含）`,
    generatedAt: `制表时间 ${formatBeijing(deps.now())}`,
    columns: [
      { title: t('stats.section'), width: 170 },
      { title: t('stats.item'), width: 245 },
      { title: t('stats.value'), width: 100 },
    ],
    rows,
    footer: t('stats.intro'),
  })
  return { pdfBase64: pdf.toString('base64') }
}
