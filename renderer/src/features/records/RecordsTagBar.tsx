import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import { CasePicker } from '../../components/CasePicker.tsx'
import { ErrorText, useSubmit } from '../../components/common.tsx'
import { href } from '../../app/pages.ts'

type Item = MethodOutput<'records.list'>['items'][number]
type Fileable = MethodOutput<'ingest.cases'>['cases'][number]

/*
 * The recordings picked on the 音像记录 page, filed into one case at once through records.tag: the case is picked
 * from those the user may file into now, and the core checks each recording and the case again (a refusal is
 * shown translated, and nothing is filed then). Only the case changes; each recording keeps its other tags.
 */
export interface Filed {
  caseId: string
  caseNo: string
  count: number
}

export function RecordsTagBar(props: {
  chosen: Item[]
  onClear: () => void
  onDone: (filed: Filed) => void
}) {
  const { t } = useTranslation()
  const [into, setInto] = useState<Fileable | null>(null)
  const save = useSubmit()
  const moving = props.chosen.filter((i) => i.caseId && i.caseId !== into?.id).length
  return (
    <div className="panel tag-bar" data-testid="records-tag">
      <div className="row">
        <strong>{t('records.chosen', { count: props.chosen.length })}</strong>
        <button type="button" className="link" onClick={props.onClear}>
          {t('records.unpick')}
        </button>
      </div>
      <div className="row tag-bar-form">
        <span className="field-label">{t('records.fileInto')}</span>
        <div className="grow">
          <CasePicker value={into} onChange={setInto} clearLabel={t('records.otherCase')} />
        </div>
        <button
          type="button"
          className="primary"
          disabled={!into || save.busy}
          onClick={() =>
            into &&
            save.run(async () => {
              await call('records.tag', {
                evidenceIds: props.chosen.map((i) => i.evidenceId),
                tags: { caseId: into.id },
              })
              props.onDone({ caseId: into.id, caseNo: into.caseNo, count: props.chosen.length })
            })
          }
        >
          {t('records.fileButton', { count: props.chosen.length })}
        </button>
      </div>
      {into && moving ? <p className="warn-text small">{t('records.moving', { count: moving })}</p> : null}
      <ErrorText error={save.error} />
    </div>
  )
}

/** What was just filed, with the way to the case. */
export function FiledNotice({ filed }: { filed: Filed }) {
  const { t } = useTranslation()
  return (
    <p className="banner ok" role="status" data-testid="records-filed">
      {t('records.filed', { count: filed.count, caseNo: filed.caseNo })}{' '}
      <a href={href.case(filed.caseId)}>{t('records.openCase')}</a>
    </p>
  )
}
