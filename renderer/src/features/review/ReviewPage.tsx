import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { type MethodOutput } from '../../../../shared/contract.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import { REVIEW_CHECKS, REVIEW_OPINIONS, type Review, type ReviewOpinion } from '../../../../shared/review.ts'
import type { Role } from '../../../../shared/roles.ts'
import { call } from '../../api.ts'
import { EnumSelect, ErrorText, Field, PasswordInput, useSubmit } from '../../components/common.tsx'
import { ReviewRounds } from './ReviewRounds.tsx'
import { DateInput } from '../../components/DateInput.tsx'
import { useConfirm } from '../../components/ConfirmDialog.tsx'
import { PdfPages } from '../../components/DocumentViewer.tsx'
import { useDone } from '../../components/DoneNotice.tsx'
import { href } from '../../app/pages.ts'
import { QueryError, useCall } from '../../query.tsx'

/*
 * 法制审核 desk: the latest round of every case sent for review, open ones first with their deadlines. For the
 * chosen case: assigning a reviewer (those who took part in the case cannot be chosen — and the core refuses them
 * anyway), the reviewer's ten points and signed opinion, the one extension (asked by the reviewer, decided by
 * someone else), and the head's collective discussion when the handlers disagree.
 */

type Queue = MethodOutput<'review.list'>

export function ReviewPage({ roles, userId }: { roles: readonly Role[]; userId: string }) {
  const { t } = useTranslation()
  const [queue, setQueue] = useState<Queue | null>(null)
  const [chosen, setChosen] = useState<string | null>(null)
  const load = useSubmit()
  const { run } = load
  const reload = useCallback(() => run(async () => setQueue(await call('review.list', {}))), [run])
  useEffect(() => {
    void reload()
  }, [reload])
  const current = queue?.reviews.find((r) => r.caseId === chosen) ?? null
  return (
    <section data-testid="review-page">
      <div className="page-head">
        <h2>{t('review.title')}</h2>
      </div>
      <p className="muted">{t('review.intro')}</p>
      <ErrorText error={load.error} />
      <div className="panel">
        <h3>{t('review.queue')}</h3>
        {queue && !queue.reviews.length ? <p className="muted">{t('review.none')}</p> : null}
        {queue?.reviews.length ? (
          <table className="table" data-testid="review-queue">
            <thead>
              <tr>
                <th>{t('review.caseNo')}</th>
                <th>{t('review.roundShort')}</th>
                <th>{t('review.submittedBy')}</th>
                <th>{t('review.reviewer')}</th>
                <th>{t('review.due')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {queue.reviews.map((r) => (
                <tr key={r.id} className={r.caseId === chosen ? 'selected' : undefined}>
                  <td className="nowrap">
                    <a href={href.case(r.caseId)}>{r.caseNo}</a>
                  </td>
                  <td className="nowrap">
                    {t('review.round', { round: r.round })}{' '}
                    <span className={`chip chip-review-${r.status}`}>
                      {t(`review.statusName.${r.status}`)}
                    </span>
                  </td>
                  <td>{r.submittedBy}</td>
                  <td>{r.reviewerName ?? '—'}</td>
                  <td className={r.overdue ? 'nowrap bad-text' : 'nowrap'}>
                    {r.dueOn}
                    {r.overdue ? ` ${t('review.overdue')}` : ''}
                  </td>
                  <td>
                    <button type="button" onClick={() => setChosen(r.caseId)}>
                      {t('cases.open')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
      {current ? (
        // Keyed by the review alone: its forms follow the status, and what was just signed stays said.
        <ReviewWork key={current.id} review={current} roles={roles} userId={userId} onDone={reload} />
      ) : null}
      {queue ? (
        <div className="panel" data-testid="review-scope">
          <h3>{t('review.scope')}</h3>
          <ol>
            {queue.scope.items
              .filter((i) => i.enabled)
              .map((i) => (
                <li key={i.code}>{i.name}</li>
              ))}
          </ol>
          {queue.scope.allPenalties ? <p className="muted">{t('review.allPenaltiesNote')}</p> : null}
        </div>
      ) : null}
    </section>
  )
}

function ReviewWork(props: {
  review: Review
  roles: readonly Role[]
  userId: string
  onDone: () => Promise<boolean>
}) {
  const { t } = useTranslation()
  const r = props.review
  const roundsQ = useCall('review.get', { caseId: r.caseId })
  const rounds: readonly Review[] = roundsQ.data?.reviews ?? []
  // Said here, not in the form: the form is gone once the round has moved on.
  const done = useDone()
  const mine = r.reviewerId === props.userId
  const office = mayCall('review.assign', props.roles)
  return (
    <div className="panel" data-testid="review-work">
      <h3>
        {r.caseNo} · {t('review.round', { round: r.round })}
      </h3>
      <dl className="facts">
        <dt>{t('review.proposal')}</dt>
        <dd>{r.proposal}</dd>
        {r.changes ? (
          <>
            <dt>{t('review.changes')}</dt>
            <dd>{r.changes}</dd>
          </>
        ) : null}
        <dt>{t('review.materials')}</dt>
        <dd>
          <ul className="plain">
            {r.materials.map((m) => (
              <li key={m.id}>
                {m.name} <span className="mono small muted">{m.sha256.slice(0, 16)}…</span>
              </li>
            ))}
          </ul>
        </dd>
        <dt>{t('review.received')}</dt>
        <dd>{r.receivedOn}</dd>
        <dt>{t('review.due')}</dt>
        <dd className={r.overdue ? 'bad-text' : undefined}>
          {r.dueOn}
          {r.extension ? `（${t(`review.extensionName.${r.extension.status}`)}：${r.extension.reason}）` : ''}
        </dd>
      </dl>
      {office && r.status === 'submitted' ? <Assign review={r} onDone={props.onDone} /> : null}
      {office && r.status === 'in_review' ? (
        <details className="sub-panel">
          <summary>{t('review.reassign')}</summary>
          <Assign review={r} onDone={props.onDone} />
        </details>
      ) : null}
      {done.notice}
      {mine && r.status === 'in_review' ? (
        <Opinion
          review={r}
          onDone={async () => {
            done.tell({ text: t('review.signedOpinion', { round: r.round }) })
            return props.onDone()
          }}
        />
      ) : null}
      {mine && r.status === 'in_review' && !r.extension ? (
        <AskExtension review={r} onDone={props.onDone} />
      ) : null}
      {office && !mine && r.extension?.status === 'pending' ? (
        <DecideExtension review={r} onDone={props.onDone} />
      ) : null}
      {mayCall('review.discuss', props.roles) && r.status === 'disputed' ? (
        <Discussion
          review={r}
          onDone={async () => {
            done.tell({ text: t('review.signedDiscussion', { round: r.round }) })
            return props.onDone()
          }}
        />
      ) : null}
      <h4>{t('review.history')}</h4>
      <QueryError query={roundsQ} />
      <ReviewRounds reviews={rounds} />
    </div>
  )
}

function Assign({ review, onDone }: { review: Review; onDone: () => Promise<boolean> }) {
  const { t } = useTranslation()
  const reviewersQ = useCall('review.reviewers', { caseId: review.caseId })
  const reviewers = reviewersQ.data?.reviewers ?? []
  const [chosen, setChosen] = useState(review.reviewerId ?? '')
  const s = useSubmit()
  return (
    <form
      className="inline-form"
      aria-label={t('review.assign')}
      onSubmit={s.onSubmit(async () => {
        await call('review.assign', { reviewId: review.id, reviewerId: chosen })
        await onDone()
      })}
    >
      <Field label={t('review.reviewer')}>
        <select name="reviewer" value={chosen} onChange={(e) => setChosen(e.target.value)} required>
          <option value="">{t('review.chooseReviewer')}</option>
          {reviewers.map((u) => (
            <option key={u.id} value={u.id} disabled={u.involved}>
              {u.name}
              {u.involved ? t('review.involved') : ''}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" disabled={s.busy}>
        {t('review.assign')}
      </button>
      <QueryError query={reviewersQ} />
      <ErrorText error={s.error} />
    </form>
  )
}

function Opinion({ review, onDone }: { review: Review; onDone: () => Promise<boolean> }) {
  const { t } = useTranslation()
  const [results, setResults] = useState<Record<string, { result: 'ok' | 'problem' | 'na'; note: string }>>(
    Object.fromEntries(REVIEW_CHECKS.map((c) => [c, { result: 'ok', note: '' }])),
  )
  const [opinion, setOpinion] = useState<ReviewOpinion>('agree')
  const [text, setText] = useState('')
  const [pin, setPin] = useState('')
  const s = useSubmit()
  const confirm = useConfirm()
  return (
    <form
      className="sub-panel"
      aria-label={t('review.giveOpinion')}
      onSubmit={s.onSubmit(async () => {
        const draft = {
          reviewId: review.id,
          checklist: REVIEW_CHECKS.map((item) => ({
            item,
            result: results[item]!.result,
            ...(results[item]!.note.trim() ? { note: results[item]!.note.trim() } : {}),
          })),
          opinion,
          text,
        }
        // The reviewer reads the 法制审核意见书 the core will sign (marked 预览稿), then signs it or goes back.
        const preview = await call('review.previewOpinion', draft)
        const signed = await confirm.ask({
          title: t('review.signTitle'),
          consequence: t('review.signConsequence'),
          confirm: t('review.signConfirm'),
          details: <PdfPages doc={preview} />,
          wide: true,
        })
        if (!signed) return
        await call('review.opinion', { ...draft, pin })
        await onDone()
      })}
    >
      {confirm.dialog}
      <h4>{t('review.checklist')}</h4>
      <table className="table checklist">
        <tbody>
          {REVIEW_CHECKS.map((c, i) => (
            <tr key={c}>
              <td className="nowrap">
                （{i + 1}）{t(`review.checkName.${c}`)}
              </td>
              <td className="nowrap">
                {(['ok', 'problem', 'na'] as const).map((v) => (
                  <label key={v} className="check inline">
                    <input
                      type="radio"
                      name={`check-${c}`}
                      value={v}
                      checked={results[c]!.result === v}
                      onChange={() => setResults({ ...results, [c]: { ...results[c]!, result: v } })}
                    />
                    {t(`review.resultName.${v}`)}
                  </label>
                ))}
              </td>
              <td>
                <input
                  name={`note-${c}`}
                  aria-label={t('review.note')}
                  placeholder={t('review.note')}
                  value={results[c]!.note}
                  onChange={(e) => setResults({ ...results, [c]: { ...results[c]!, note: e.target.value } })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="grid">
        <Field label={t('review.opinion')}>
          <EnumSelect
            name="opinion"
            value={opinion}
            options={REVIEW_OPINIONS}
            label={(o) => t(`review.opinionName.${o}`)}
            onChange={setOpinion}
          />
        </Field>
        <Field label={t('review.pin')}>
          <PasswordInput name="reviewPin" value={pin} onChange={setPin} autoComplete="current-password" />
        </Field>
      </div>
      <Field label={t('review.opinionText')} hint={t('review.opinionHint')}>
        <textarea
          name="opinionText"
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          required
        />
      </Field>
      <ErrorText error={s.error} />
      <button type="submit" className="primary" disabled={s.busy}>
        {t('review.giveOpinion')}
      </button>
    </form>
  )
}

function AskExtension({ review, onDone }: { review: Review; onDone: () => Promise<boolean> }) {
  const { t } = useTranslation()
  const [reason, setReason] = useState('')
  const s = useSubmit()
  return (
    <details className="sub-panel">
      <summary>{t('review.extension')}</summary>
      <form
        onSubmit={s.onSubmit(async () => {
          await call('review.extend', { reviewId: review.id, reason })
          await onDone()
        })}
      >
        <Field label={t('review.extensionReason')}>
          <input name="extensionReason" value={reason} onChange={(e) => setReason(e.target.value)} required />
        </Field>
        <ErrorText error={s.error} />
        <button type="submit" disabled={s.busy}>
          {t('review.requestExtension')}
        </button>
      </form>
    </details>
  )
}

function DecideExtension({ review, onDone }: { review: Review; onDone: () => Promise<boolean> }) {
  const { t } = useTranslation()
  const s = useSubmit()
  return (
    <div className="sub-panel">
      <p>
        {t('review.extensionName.pending')}：{review.extension?.reason}
      </p>
      {[true, false].map((approve) => (
        <button
          key={String(approve)}
          type="button"
          disabled={s.busy}
          onClick={() =>
            s.run(async () => {
              await call('review.decideExtension', { reviewId: review.id, approve })
              await onDone()
            })
          }
        >
          {approve ? t('review.approveExtension') : t('review.rejectExtension')}
        </button>
      ))}
      <ErrorText error={s.error} />
    </div>
  )
}

function Discussion({ review, onDone }: { review: Review; onDone: () => Promise<boolean> }) {
  const { t } = useTranslation()
  const [form, setForm] = useState({
    heldOn: '',
    participants: '',
    expert: '',
    conclusion: '',
    outcome: 'proceed' as 'proceed' | 'follow_review',
    pin: '',
  })
  const s = useSubmit()
  const confirm = useConfirm()
  return (
    <form
      className="sub-panel"
      aria-label={t('review.discussion')}
      onSubmit={s.onSubmit(async () => {
        const draft = {
          reviewId: review.id,
          heldOn: form.heldOn,
          participants: form.participants
            .split(/[,，、\s]+/)
            .map((x) => x.trim())
            .filter(Boolean),
          ...(form.expert.trim() ? { expertOpinion: form.expert.trim() } : {}),
          conclusion: form.conclusion,
          outcome: form.outcome,
        }
        // As with an opinion: the record to be signed is read first, page by page, then signed or left.
        const preview = await call('review.previewDiscussion', draft)
        const signed = await confirm.ask({
          title: t('review.discussionSignTitle'),
          consequence: t('review.discussionSignConsequence'),
          confirm: t('review.signConfirm'),
          details: <PdfPages doc={preview} />,
          wide: true,
        })
        if (!signed) return
        await call('review.discuss', { ...draft, pin: form.pin })
        await onDone()
      })}
    >
      {confirm.dialog}
      <h4>{t('review.discussion')}</h4>
      <p className="muted">
        {t('review.disputeText')}：{review.dispute}
      </p>
      <div className="grid">
        <Field label={t('review.heldOn')}>
          <DateInput
            name="heldOn"
            label={t('review.heldOn')}
            value={form.heldOn}
            onChange={(heldOn) => setForm({ ...form, heldOn })}
            required
          />
        </Field>
        <Field label={t('review.participants')}>
          <input
            name="participants"
            value={form.participants}
            onChange={(e) => setForm({ ...form, participants: e.target.value })}
            required
          />
        </Field>
      </div>
      <Field label={t('review.expertOpinion')}>
        <textarea
          name="expert"
          rows={2}
          value={form.expert}
          onChange={(e) => setForm({ ...form, expert: e.target.value })}
        />
      </Field>
      <Field label={t('review.conclusion')}>
        <textarea
          name="conclusion"
          rows={2}
          value={form.conclusion}
          onChange={(e) => setForm({ ...form, conclusion: e.target.value })}
          required
        />
      </Field>
      <div className="grid">
        <Field label={t('review.outcome')}>
          <EnumSelect
            name="outcome"
            value={form.outcome}
            options={['proceed', 'follow_review'] as const}
            label={(o) => t(`review.outcomeName.${o}`)}
            onChange={(outcome) => setForm({ ...form, outcome })}
          />
        </Field>
        <Field label={t('review.pin')}>
          <PasswordInput
            name="discussionPin"
            value={form.pin}
            onChange={(pin) => setForm({ ...form, pin })}
            autoComplete="current-password"
          />
        </Field>
      </div>
      <ErrorText error={s.error} />
      <button type="submit" className="primary" disabled={s.busy}>
        {t('review.recordDiscussion')}
      </button>
    </form>
  )
}
