import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { STAGE_CODES } from '../../../../shared/cases.ts'
import type { MethodOutput } from '../../../../shared/contract.ts'
import type { Evidence } from '../../../../shared/ingest.ts'
import { call } from '../../api.ts'
import { ErrorText, Field, formatCaptureTime, useSubmit } from '../../components/common.tsx'
import { useDone } from '../../components/DoneNotice.tsx'
import { useOfficers } from '../../components/officers.ts'
import { QueryError, useCall } from '../../query.tsx'

type Catalogue = MethodOutput<'cases.catalogue'>
type CaseView = MethodOutput<'cases.get'>

/** Put recent recordings into this case, with the five facts each must carry; a whole selection at once. */
export function TagRecords(props: { caseView: CaseView; catalogue: Catalogue }) {
  const { t } = useTranslation()
  const { officers, query: officersQ } = useOfficers()
  const [chosen, setChosen] = useState<string[]>([])
  const [tags, setTags] = useState({
    stage: 'investigation' as (typeof STAGE_CODES)[number],
    actionType: 'onsite_inspection',
    fullRecording: false,
    place: '',
    fact: '',
    collectorIds: [] as string[],
  })
  const save = useSubmit()
  const done = useDone()
  const inCase = new Set(props.caseView.records.map((r) => r.evidenceId))
  const recentQ = useCall('evidence.list', { limit: 200 })
  const recent: readonly Evidence[] = recentQ.data?.items ?? []
  const candidates = recent.filter((e) => !inCase.has(e.id))
  if (recentQ.error)
    return (
      <div className="panel">
        <QueryError query={recentQ} />
      </div>
    )
  // With nothing left to file, the notice of what was just filed still stays.
  if (!candidates.length) return done.notice ? <div className="panel">{done.notice}</div> : null
  return (
    <form
      className="panel"
      aria-label={t('cases.tagTitle')}
      onSubmit={save.onSubmit(async () => {
        await call('records.tag', {
          evidenceIds: chosen,
          tags: {
            caseId: props.caseView.case.id,
            stage: tags.stage,
            actionType: tags.actionType,
            fullRecording: tags.fullRecording,
            ...(tags.place.trim() ? { place: tags.place.trim() } : {}),
            ...(tags.fact.trim() ? { fact: tags.fact.trim() } : {}),
            ...(tags.collectorIds.length ? { collectorIds: tags.collectorIds } : {}),
          },
        })
        const filed = chosen.length
        setChosen([])
        // Where, what and who belong to the batch just filed; the stage and the action usually go on.
        setTags({ ...tags, place: '', fact: '', collectorIds: [], fullRecording: false })
        const action = props.catalogue.actionTypes.find((a) => a.code === tags.actionType)?.name ?? ''
        done.tell({
          text: t('cases.tagged', { count: filed, stage: t(`cases.stageName.${tags.stage}`), action }),
          open: {
            label: t('cases.toRecords'),
            onClick: () => document.getElementById('case-records')?.scrollIntoView({ block: 'start' }),
          },
        })
      })}
    >
      <h3>{t('cases.tagTitle')}</h3>
      <p className="muted">{t('cases.tagHint')}</p>
      <table className="table">
        <tbody>
          {candidates.slice(0, 30).map((e) => (
            <tr key={e.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={e.originalName}
                  checked={chosen.includes(e.id)}
                  onChange={(ev) =>
                    setChosen(ev.target.checked ? [...chosen, e.id] : chosen.filter((x) => x !== e.id))
                  }
                />
              </td>
              <td>{e.originalName}</td>
              <td className="nowrap">{formatCaptureTime(e.captureStart)}</td>
              <td>{e.place ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="grid">
        <Field label={t('cases.stage')}>
          <select
            name="tagStage"
            value={tags.stage}
            onChange={(e) => setTags({ ...tags, stage: e.target.value as typeof tags.stage })}
          >
            {STAGE_CODES.map((s) => (
              <option key={s} value={s}>
                {t(`cases.stageName.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('cases.action')}>
          <select
            name="actionType"
            value={tags.actionType}
            onChange={(e) => setTags({ ...tags, actionType: e.target.value })}
          >
            {props.catalogue.actionTypes.map((a) => (
              <option key={a.code} value={a.code}>
                {a.name}
                {a.fullAv ? `（${t('cases.fullAvRequired')}）` : ''}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('cases.place')}>
          <input
            name="tagPlace"
            value={tags.place}
            onChange={(e) => setTags({ ...tags, place: e.target.value })}
          />
        </Field>
        <Field label={t('cases.fact')}>
          <input
            name="tagFact"
            value={tags.fact}
            onChange={(e) => setTags({ ...tags, fact: e.target.value })}
          />
        </Field>
      </div>
      <fieldset className="checks">
        <legend>{t('cases.collectors')}</legend>
        {officers.map((o) => (
          <label key={o.id}>
            <input
              type="checkbox"
              checked={tags.collectorIds.includes(o.id)}
              onChange={(e) =>
                setTags({
                  ...tags,
                  collectorIds: e.target.checked
                    ? [...tags.collectorIds, o.id]
                    : tags.collectorIds.filter((x) => x !== o.id),
                })
              }
            />
            {o.name}
          </label>
        ))}
      </fieldset>
      <label className="inline">
        <input
          type="checkbox"
          checked={tags.fullRecording}
          onChange={(e) => setTags({ ...tags, fullRecording: e.target.checked })}
        />
        {t('cases.fullRecordingStatement')}
      </label>
      <QueryError query={officersQ} />
      <ErrorText error={save.error} />
      {done.notice}
      <button type="submit" className="primary" disabled={save.busy || chosen.length === 0}>
        {t('cases.tagButton', { count: chosen.length })}
      </button>
    </form>
  )
}
