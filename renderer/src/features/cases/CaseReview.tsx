import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../../shared/contract.ts'
import { canOpen } from '../../app/pages.ts'
import type { Case } from '../../../../shared/cases.ts'
import type { Role } from '../../../../shared/roles.ts'
import { call } from '../../api.ts'
import { ErrorText, Field, useSubmit } from '../../components/common.tsx'
import { ReviewRounds } from '../review/ReviewRounds.tsx'
import { DateInput } from '../../components/DateInput.tsx'
import { QueryError, useCall } from '../../query.tsx'

/*
 * 法制审核 on the case page: whether the case needs review, every round so far, and for the case's filers the
 * submission (or resubmission after an opinion that sent it back), a disagreement, and recording the decision
 * date once the review has passed. The core enforces the gate; the page says why a button is not offered.
 */

type State = MethodOutput<'review.get'>
type Scope = MethodOutput<'review.scope'>

export function CaseReview(props: { c: Case; roles: readonly Role[]; filer: boolean }) {
  const { t } = useTranslation()
  const stateQ = useCall('review.get', { caseId: props.c.id })
  const scopeQ = useCall('review.scope', {})
  const state: State | null = stateQ.data ?? null
  const scope: Scope | null = scopeQ.data ?? null
  // One who may not see the case's review (the gate refuses it) is not shown the panel; any other failure is said.
  const failed = [stateQ, scopeQ].filter((q) => q.error && q.error.value.code !== 'FORBIDDEN')
  if (failed.length)
    return (
      <div className="panel" data-testid="case-review">
        {failed.map((q, i) => (
          <QueryError key={i} query={q} />
        ))}
      </div>
    )
  if (!state || !scope) return null
  const last = state.reviews.at(-1)
  const decided = !!props.c.decidedOn
  const canSubmit = props.filer && !decided && (!last || (last.status === 'returned' && !!last.opinion))
  return (
    <div className="panel" data-testid="case-review">
      <h3>{t('review.title')}</h3>
      <p className={state.passed ? 'banner ok' : state.required ? 'banner warn' : 'muted'}>
        {state.passed
          ? t('review.passedNote')
          : state.required
            ? t('review.required')
            : t('review.notRequired')}
      </p>
      <ReviewRounds reviews={state.reviews} />
      {canSubmit && (state.required || last) ? (
        <SubmitReview caseId={props.c.id} scope={scope} resubmit={!!last} />
      ) : null}
      {canSubmit && !state.required && !last ? (
        // A case not marked major rarely needs review: the form waits behind its title.
        <details className="sub-panel">
          <summary>{t('review.submit')}</summary>
          <SubmitReview caseId={props.c.id} scope={scope} resubmit={false} />
        </details>
      ) : null}
      {props.filer && last?.status === 'returned' && !last.discussion ? <Dispute reviewId={last.id} /> : null}
      {props.filer && !decided && (state.passed || !state.required) ? (
        <RecordDecision caseId={props.c.id} />
      ) : null}
      {decided ? (
        <p className="muted">
          {t('disclosure.decidedOn')}：{props.c.decidedOn}{' '}
          {canOpen('disclosure', props.roles) ? <a href="#/disclosure">{t('disclosure.forCase')} →</a> : null}
        </p>
      ) : null}
    </div>
  )
}

function SubmitReview(props: { caseId: string; scope: Scope; resubmit: boolean }) {
  const { t } = useTranslation()
  const [basis, setBasis] = useState<string[]>([])
  const [proposal, setProposal] = useState('')
  const [changes, setChanges] = useState('')
  const s = useSubmit()
  return (
    <form
      className="sub-panel"
      aria-label={props.resubmit ? t('review.resubmit') : t('review.submit')}
      onSubmit={s.onSubmit(async () => {
        await call('review.submit', {
          caseId: props.caseId,
          basis,
          proposal,
          ...(props.resubmit ? { changes } : {}),
        })
        setProposal('')
        setChanges('')
      })}
    >
      <h4>{props.resubmit ? t('review.resubmit') : t('review.submit')}</h4>
      <fieldset className="checks">
        <legend>{t('review.basis')}</legend>
        {props.scope.items
          .filter((i) => i.enabled)
          .map((i) => (
            <label key={i.code} className="check">
              <input
                type="checkbox"
                name={`basis-${i.code}`}
                checked={basis.includes(i.code)}
                onChange={(e) =>
                  setBasis(e.target.checked ? [...basis, i.code] : basis.filter((b) => b !== i.code))
                }
              />
              {i.name}
            </label>
          ))}
        {props.scope.allPenalties ? <p className="muted">{t('review.allPenaltiesNote')}</p> : null}
      </fieldset>
      <Field label={t('review.proposal')} hint={t('review.proposalHint')}>
        <textarea
          name="proposal"
          rows={2}
          value={proposal}
          onChange={(e) => setProposal(e.target.value)}
          required
        />
      </Field>
      {props.resubmit ? (
        <Field label={t('review.changes')}>
          <textarea
            name="changes"
            rows={2}
            value={changes}
            onChange={(e) => setChanges(e.target.value)}
            required
          />
        </Field>
      ) : null}
      <p className="muted">{t('review.materialsHint')}</p>
      <ErrorText error={s.error} />
      <button type="submit" className="primary" disabled={s.busy}>
        {props.resubmit ? t('review.resubmit') : t('review.submit')}
      </button>
    </form>
  )
}

function Dispute(props: { reviewId: string }) {
  const { t } = useTranslation()
  const [reason, setReason] = useState('')
  const s = useSubmit()
  return (
    <details className="sub-panel">
      <summary>{t('review.dispute')}</summary>
      <form
        onSubmit={s.onSubmit(async () => {
          await call('review.dispute', { reviewId: props.reviewId, reason })
        })}
      >
        <Field label={t('review.disputeReason')}>
          <textarea
            name="disputeReason"
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
          />
        </Field>
        <ErrorText error={s.error} />
        <button type="submit" disabled={s.busy}>
          {t('review.submitDispute')}
        </button>
      </form>
    </details>
  )
}

function RecordDecision(props: { caseId: string }) {
  const { t } = useTranslation()
  const [day, setDay] = useState('')
  const s = useSubmit()
  return (
    <form
      className="inline-form"
      aria-label={t('cases.recordDecision')}
      onSubmit={s.onSubmit(async () => {
        await call('cases.update', { caseId: props.caseId, decidedOn: day })
      })}
    >
      <Field label={t('cases.decidedOn')}>
        <DateInput name="decidedOn" label={t('cases.decidedOn')} value={day} onChange={setDay} required />
      </Field>
      <button type="submit" disabled={s.busy}>
        {t('cases.recordDecision')}
      </button>
      <ErrorText error={s.error} />
    </form>
  )
}
