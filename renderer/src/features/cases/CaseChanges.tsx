import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { CASE_STAGES, CONFIDENTIALITY, type ArchiveState, type Case } from '../../../../shared/cases.ts'
import { CASE_CHANGE_KINDS, type CaseChange } from '../../../../shared/contract.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import type { Role } from '../../../../shared/roles.ts'
import { call } from '../../api.ts'
import { EnumSelect, ErrorText, Field, useSubmit } from '../../components/common.tsx'
import { QueryError, useCall } from '../../query.tsx'
import { useOfficers } from '../../components/officers.ts'

type Kind = (typeof CASE_CHANGE_KINDS)[number]

/*
 * 变更申请 on a case page: what a handler may not do alone — reopen the case (back a stage), change its handlers,
 * lower or change its confidentiality — is asked here with a reason, and decided by another approver. The core
 * holds the rule (cases.update refuses with CHANGE_NEEDS_APPROVAL); this only offers the way through.
 */
export function CaseChanges(props: { c: Case; roles: readonly Role[]; filer: boolean }) {
  const { t } = useTranslation()
  const { c } = props
  const changesQ = useCall('cases.changes', { caseId: c.id })
  const changes: CaseChange[] = changesQ.data?.changes ?? []
  const approver = mayCall('cases.decideChange', props.roles)
  if (!props.filer && !(approver && changes.some((x) => x.status === 'pending'))) return null
  return (
    <div className="panel" data-testid="case-changes">
      <h3>{t('cases.change.title')}</h3>
      <p className="muted">{t('cases.change.hint')}</p>
      <QueryError query={changesQ} />
      {changesQ.data && changes.length === 0 ? <p className="muted">{t('cases.change.none')}</p> : null}
      <ul className="plain">
        {changes.map((x) => (
          <ChangeItem key={x.id} change={x} canDecide={approver && x.status === 'pending'} />
        ))}
      </ul>
      {props.filer ? <RequestChange c={c} /> : null}
    </div>
  )
}

function ChangeItem(props: { change: CaseChange; canDecide: boolean }) {
  const { t } = useTranslation()
  const x = props.change
  const [note, setNote] = useState('')
  const s = useSubmit()
  const what =
    x.kind === 'reopen_archived'
      ? t('cases.archived.reopenWhat')
      : x.kind === 'reopen'
        ? t(`cases.stageName.${x.stage}`)
        : x.kind === 'handlers'
          ? (x.handlers ?? []).map((h) => h.name).join('、')
          : t(`cases.confidentialityName.${x.confidentiality}`)
  const decide = (approve: boolean) =>
    s.run(async () => {
      await call('cases.decideChange', {
        changeId: x.id,
        approve,
        ...(note.trim() ? { note: note.trim() } : {}),
      })
    })
  return (
    <li data-testid="case-change">
      <strong>{t(`cases.change.kindName.${x.kind}`)}</strong>：{what}（{x.reason}） ·{' '}
      {t('cases.change.by', { name: x.requestedBy })} · {t(`cases.change.status.${x.status}`)}
      {x.decidedBy ? ` · ${t('cases.change.decidedBy', { name: x.decidedBy })}` : ''}
      {x.note ? `：${x.note}` : ''}
      {props.canDecide ? (
        <div className="row">
          <input
            aria-label={t('cases.change.note')}
            placeholder={t('cases.change.note')}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <button type="button" className="primary" disabled={s.busy} onClick={() => void decide(true)}>
            {t('cases.change.approve')}
          </button>
          <button type="button" disabled={s.busy} onClick={() => void decide(false)}>
            {t('cases.change.reject')}
          </button>
        </div>
      ) : null}
      <ErrorText error={s.error} />
    </li>
  )
}

function RequestChange(props: { c: Case }) {
  const { t } = useTranslation()
  const { c } = props
  const earlier = CASE_STAGES.slice(0, CASE_STAGES.indexOf(c.stage)).filter((x) => x !== 'closed')
  const [kind, setKind] = useState<Kind>(earlier.length ? 'reopen' : 'handlers')
  const [stage, setStage] = useState(earlier[earlier.length - 1] ?? 'start')
  const [handlerIds, setHandlerIds] = useState(c.handlers.map((h) => h.id))
  const [level, setLevel] = useState(CONFIDENTIALITY.find((l) => l !== c.confidentiality) ?? 'general')
  const [reason, setReason] = useState('')
  const { officers, query: officersQ } = useOfficers()
  const s = useSubmit()
  return (
    <form
      aria-label={t('cases.change.submit')}
      onSubmit={s.onSubmit(async () => {
        await call('cases.requestChange', {
          caseId: c.id,
          kind,
          ...(kind === 'reopen'
            ? { stage }
            : kind === 'handlers'
              ? { handlerIds }
              : { confidentiality: level }),
          reason: reason.trim(),
        })
        setReason('')
      })}
    >
      <div className="grid">
        <Field label={t('cases.change.kind')}>
          <EnumSelect
            name="change-kind"
            value={kind}
            options={CASE_CHANGE_KINDS.filter(
              (k) => k !== 'reopen_archived' && (k !== 'reopen' || earlier.length),
            )}
            label={(k) => t(`cases.change.kindName.${k}`)}
            onChange={setKind}
          />
        </Field>
        {kind === 'reopen' ? (
          <Field label={t('cases.change.toStage')}>
            <EnumSelect
              name="change-stage"
              value={stage}
              options={earlier}
              label={(x) => t(`cases.stageName.${x}`)}
              onChange={setStage}
            />
          </Field>
        ) : null}
        {kind === 'confidentiality' ? (
          <Field label={t('cases.change.level')}>
            <EnumSelect
              name="change-level"
              value={level}
              options={CONFIDENTIALITY.filter((l) => l !== c.confidentiality)}
              label={(x) => t(`cases.confidentialityName.${x}`)}
              onChange={setLevel}
            />
          </Field>
        ) : null}
      </div>
      {kind === 'handlers' ? (
        <fieldset>
          <legend>{t('cases.change.handlers')}</legend>
          {officers.map((o) => (
            <label key={o.id} className="check">
              <input
                type="checkbox"
                name={`change-handler-${o.id}`}
                checked={handlerIds.includes(o.id)}
                onChange={(e) =>
                  setHandlerIds(
                    e.target.checked ? [...handlerIds, o.id] : handlerIds.filter((x) => x !== o.id),
                  )
                }
              />
              {o.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      <Field label={t('cases.change.reason')}>
        <textarea
          name="change-reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          minLength={4}
          maxLength={500}
          required
        />
      </Field>
      <QueryError query={officersQ} />
      <ErrorText error={s.error} />
      <button type="submit" disabled={s.busy || reason.trim().length < 4}>
        {t('cases.change.submit')}
      </button>
    </form>
  )
}

/*
 * 已归档（冻结）: a case with a good archive disc holds still (the core refuses every change with CASE_ARCHIVED).
 * Here: the notice, 申请重新开启 with a reason (decided by another approver in the change list below), and once
 * reopened what changed since the discs, owed to a supplementary disc (补充归档, made on the archive page).
 */
export function ArchivedNotice(props: {
  c: Case
  archive: ArchiveState
  roles: readonly Role[]
  filer: boolean
}) {
  const { t } = useTranslation()
  const a = props.archive
  const [reason, setReason] = useState('')
  const s = useSubmit()
  if (!a.archived) return null
  const discs = a.discs.map((d) => d.discNo).join('、')
  return (
    <div className={`panel ${a.frozen ? 'notice' : 'warning'}`} data-testid="case-archived" role="status">
      <h3>{a.frozen ? t('cases.archived.frozen') : t('cases.archived.reopened')}</h3>
      <p>{t('cases.archived.discs', { discs })}</p>
      {a.frozen ? <p className="muted">{t('cases.archived.frozenHint')}</p> : null}
      {a.reopening && !a.frozen ? (
        <p>
          {t('cases.archived.reopenedBy', {
            by: a.reopening.requestedBy,
            approver: a.reopening.decidedBy ?? '—',
            reason: a.reopening.reason,
          })}
        </p>
      ) : null}
      {a.supplementDue ? (
        <p data-testid="supplement-due">
          <strong>
            {t('cases.archived.supplementDue', { n: a.nextSupplement, count: a.changes.length })}
          </strong>
        </p>
      ) : null}
      {a.frozen && a.pendingReopening ? <p className="muted">{t('cases.archived.pending')}</p> : null}
      {a.frozen && !a.pendingReopening && props.filer ? (
        <form
          aria-label={t('cases.archived.request')}
          className="row"
          onSubmit={s.onSubmit(async () => {
            await call('cases.requestChange', {
              caseId: props.c.id,
              kind: 'reopen_archived',
              reason: reason.trim(),
            })
            setReason('')
          })}
        >
          <input
            name="reopen-reason"
            aria-label={t('cases.change.reason')}
            placeholder={t('cases.archived.reasonHint')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <button type="submit" className="primary" disabled={s.busy || reason.trim().length < 4}>
            {t('cases.archived.request')}
          </button>
        </form>
      ) : null}
      <ErrorText error={s.error} />
    </div>
  )
}
