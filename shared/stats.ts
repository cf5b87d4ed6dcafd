import type { MethodOutput } from './contract.ts'

/*
 * The enforcement statistics as titled sections of (label, value) rows: one arrangement for the 统计 page, its
 * spreadsheet and the PDF report, so the three always show the same figures under the same names.
 */

type T = (key: string, options?: Record<string, unknown>) => string
export interface StatsSection {
  title: string
  rows: [string, string | number][]
}

export function statsSections(
  stats: MethodOutput<'stats.get'>,
  t: T,
  catalogue: { caseTypes: { code: string; name: string }[]; actionTypes: { code: string; name: string }[] },
): StatsSection[] {
  const typeName = (c: string) => catalogue.caseTypes.find((x) => x.code === c)?.name ?? c
  const actionName = (c: string) => catalogue.actionTypes.find((x) => x.code === c)?.name ?? c
  const pct = (n: number | null) => (n === null ? '—' : `${n}%`)
  return [
    {
      title: t('stats.cases'),
      rows: [
        [t('stats.filed'), stats.cases.filed],
        ...Object.entries(stats.cases.byType).map(([k, n]): [string, number] => [typeName(k), n]),
        ...Object.entries(stats.cases.bySource).map(([k, n]): [string, number] => [
          t(`cases.sourceName.${k}`),
          n,
        ]),
        ...Object.entries(stats.cases.byStage).map(([k, n]): [string, number] => [
          t(`cases.stageName.${k}`),
          n,
        ]),
        [t('stats.decided'), stats.cases.decided],
      ],
    },
    {
      title: t('stats.av'),
      rows: [
        [t('stats.avRequired'), stats.av.required],
        [t('stats.avCovered'), stats.av.covered],
        [t('stats.rate'), pct(stats.av.ratePercent)],
        ...Object.entries(stats.av.byAction).map(([k, v]): [string, string] => [
          actionName(k),
          `${v.covered} / ${v.required}`,
        ]),
      ],
    },
    {
      title: t('stats.storage'),
      rows: [
        [t('stats.ingested'), stats.storage.ingested],
        [t('stats.within24h'), stats.storage.within24h],
        [t('stats.late'), stats.storage.late],
        [t('stats.rate'), pct(stats.storage.ratePercent)],
      ],
    },
    {
      title: t('stats.archiving'),
      rows: [
        [t('stats.executed'), stats.archiving.executed],
        [t('stats.onTime'), stats.archiving.onTime],
        [t('stats.archivedLate'), stats.archiving.late],
        [t('stats.notYet'), stats.archiving.notYet],
      ],
    },
    {
      title: t('stats.access'),
      rows: Object.entries(stats.access).map(([k, n]): [string, number] => [t(`stats.accessStatus.${k}`), n]),
    },
    {
      title: t('stats.inspections'),
      rows: [
        [t('stats.inspected'), stats.inspections.done],
        [t('stats.inspectionFailed'), stats.inspections.failed],
      ],
    },
    {
      title: t('stats.review'),
      rows: [
        [t('stats.reviewSubmitted'), stats.review.submitted],
        ...Object.entries(stats.review.opinions).map(([k, n]): [string, number] => [
          t(`review.opinionName.${k}`),
          n,
        ]),
        [t('stats.reviewOnTime'), stats.review.onTime],
        [t('stats.reviewLate'), stats.review.late],
      ],
    },
    {
      title: t('stats.disclosure'),
      rows: [
        [t('stats.decidedCases'), stats.disclosure.decided],
        [t('stats.disclosedOnTime'), stats.disclosure.onTime],
        [t('stats.disclosedLate'), stats.disclosure.late],
        [t('stats.notDisclosed'), stats.disclosure.notYet],
        [t('stats.withdrawn'), stats.disclosure.withdrawn],
      ],
    },
  ]
}
