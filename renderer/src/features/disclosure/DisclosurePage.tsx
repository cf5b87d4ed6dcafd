import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { type MethodOutput } from '../../../../shared/contract.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import { WITHDRAW_GROUNDS, type Disclosure } from '../../../../shared/review.ts'
import type { Role } from '../../../../shared/roles.ts'
import { call } from '../../api.ts'
import { EnumSelect, ErrorText, Field, formatTime, useSubmit } from '../../components/common.tsx'
import { href } from '../../app/pages.ts'

/*
 * 公示: decisions waiting for a disclosure (with their statutory last day), drafts the core has already redacted,
 * the head's approval, the export for the agency's portal and the withdrawal of a revoked decision.
 */

type List = MethodOutput<'disclosure.list'>

export function DisclosurePage({ roles }: { roles: readonly Role[] }) {
  const { t } = useTranslation()
  const [list, setList] = useState<List | null>(null)
  const [drafting, setDrafting] = useState<string | null>(null)
  const load = useSubmit()
  const { run } = load
  const reload = useCallback(() => run(async () => setList(await call('disclosure.list', {}))), [run])
  useEffect(() => {
    void reload()
  }, [reload])
  const drafter = mayCall('disclosure.draft', roles)
  const approver = mayCall('disclosure.approve', roles)
  return (
    <section data-testid="disclosure-page">
      <div className="page-head">
        <h2>{t('disclosure.title')}</h2>
      </div>
      <p className="muted">{t('disclosure.intro')}</p>
      <ErrorText error={load.error} />
      <div className="panel">
        <h3>{t('disclosure.pending')}</h3>
        {list && !list.pending.length ? <p className="muted">{t('disclosure.noPending')}</p> : null}
        <ul className="problems">
          {list?.pending.map((p) => (
            <li key={p.caseId} className={p.overdue ? 'bad-text' : undefined}>
              <a href={href.case(p.caseId)}>{p.caseNo}</a> {t('disclosure.decidedOn')} {p.decidedOn}，
              {t('disclosure.due')} {p.dueOn}
              {p.overdue ? ` ${t('disclosure.overdue')}` : ''}{' '}
              {drafter ? (
                <button type="button" onClick={() => setDrafting(p.caseId)}>
                  {t('disclosure.draft')}
                </button>
              ) : null}
              {drafting === p.caseId ? <DraftForm caseId={p.caseId} onDone={reload} /> : null}
            </li>
          ))}
        </ul>
      </div>
      <div className="panel">
        <h3>{t('disclosure.list')}</h3>
        {list && !list.disclosures.length ? <p className="muted">{t('disclosure.none')}</p> : null}
        {list?.disclosures.map((d) => (
          <DisclosureCard
            key={d.id}
            d={d}
            canApprove={approver && d.status === 'draft'}
            canWithdraw={approver && d.status !== 'withdrawn'}
            canRedraft={drafter && d.status === 'draft'}
            onDone={reload}
          />
        ))}
      </div>
      {drafter ? <Export onDone={reload} /> : null}
      {list ? (
        <p className="muted">
          {t('disclosure.rules')}：{t('disclosure.personName')} —{' '}
          {t(`disclosure.personNameRule.${list.rules.personName}`)}
        </p>
      ) : null}
    </section>
  )
}

function DraftForm(props: { caseId: string; initial?: Disclosure; onDone: () => Promise<boolean> }) {
  const { t } = useTranslation()
  const [conclusion, setConclusion] = useState(props.initial?.conclusion ?? '')
  const [decisionNo, setDecisionNo] = useState(props.initial?.decisionNo ?? '')
  const s = useSubmit()
  return (
    <form
      className="sub-panel"
      aria-label={t('disclosure.draft')}
      onSubmit={s.onSubmit(async () => {
        await call('disclosure.draft', {
          caseId: props.caseId,
          conclusion,
          ...(decisionNo.trim() ? { decisionNo: decisionNo.trim() } : {}),
        })
        await props.onDone()
      })}
    >
      <Field label={t('disclosure.conclusion')} hint={t('disclosure.conclusionHint')}>
        <textarea
          name="conclusion"
          rows={2}
          value={conclusion}
          onChange={(e) => setConclusion(e.target.value)}
          required
        />
      </Field>
      <Field label={t('disclosure.decisionNo')}>
        <input name="decisionNo" value={decisionNo} onChange={(e) => setDecisionNo(e.target.value)} />
      </Field>
      <ErrorText error={s.error} />
      <button type="submit" className="primary" disabled={s.busy}>
        {props.initial ? t('disclosure.redraft') : t('disclosure.draft')}
      </button>
    </form>
  )
}

function DisclosureCard(props: {
  d: Disclosure
  canApprove: boolean
  canWithdraw: boolean
  canRedraft: boolean
  onDone: () => Promise<boolean>
}) {
  const { t, i18n } = useTranslation()
  const { d } = props
  const [withdrawing, setWithdrawing] = useState(false)
  const [redrafting, setRedrafting] = useState(false)
  const [ground, setGround] = useState<(typeof WITHDRAW_GROUNDS)[number]>('revoked')
  const [reason, setReason] = useState('')
  const s = useSubmit()
  return (
    <div className="sub-panel" data-testid="disclosure">
      <div className="row">
        <strong>{d.caseNo}</strong>
        <span className={`chip chip-disclosure-${d.status}`}>{t(`disclosure.statusName.${d.status}`)}</span>
        <span className="muted">{t(`disclosure.kindName.${d.kind}`)}</span>
        {d.late ? <span className="bad-text">{t('disclosure.late')}</span> : null}
      </div>
      <dl className="facts">
        <dt>{t('disclosure.agency')}</dt>
        <dd>{d.agency}</dd>
        <dt>{t('disclosure.subject')}</dt>
        <dd>
          {d.subject}
          {d.subjectCode ? <span className="mono">（{d.subjectCode}）</span> : null}
        </dd>
        <dt>{t('disclosure.category')}</dt>
        <dd>{d.category}</dd>
        <dt>{t('disclosure.conclusion')}</dt>
        <dd>{d.conclusion}</dd>
        <dt>{t('disclosure.decisionNo')}</dt>
        <dd>{d.decisionNo ?? '—'}</dd>
        <dt>{t('disclosure.decidedOn')}</dt>
        <dd>
          {d.decidedOn}，{t('disclosure.due')} {d.dueOn}
        </dd>
        <dt>{t('disclosure.draftedBy')}</dt>
        <dd>
          {d.draftedBy} {formatTime(d.draftedAt, i18n.language)}
        </dd>
        {d.approvedBy ? (
          <>
            <dt>{t('disclosure.approvedBy')}</dt>
            <dd>
              {d.approvedBy} {formatTime(d.approvedAt, i18n.language)}
              {d.publishedAt
                ? ` · ${t('disclosure.published')} ${formatTime(d.publishedAt, i18n.language)}`
                : ''}
            </dd>
          </>
        ) : null}
        {d.withdrawnAt ? (
          <>
            <dt>{t('disclosure.withdraw')}</dt>
            <dd>
              {d.withdrawnBy} {formatTime(d.withdrawnAt, i18n.language)}：
              {d.withdrawGround ? t(`disclosure.groundName.${d.withdrawGround}`) : ''} {d.withdrawReason}
            </dd>
          </>
        ) : null}
      </dl>
      <div className="actions">
        {props.canApprove ? (
          <button
            type="button"
            className="primary"
            disabled={s.busy}
            onClick={() =>
              s.run(async () => {
                await call('disclosure.approve', { disclosureId: d.id })
                await props.onDone()
              })
            }
          >
            {t('disclosure.approve')}
          </button>
        ) : null}
        {props.canRedraft ? (
          <button type="button" onClick={() => setRedrafting(!redrafting)}>
            {t('disclosure.redraft')}
          </button>
        ) : null}
        {props.canWithdraw ? (
          <button type="button" onClick={() => setWithdrawing(!withdrawing)}>
            {t('disclosure.withdraw')}
          </button>
        ) : null}
      </div>
      {redrafting ? <DraftForm caseId={d.caseId} initial={d} onDone={props.onDone} /> : null}
      {withdrawing ? (
        <form
          className="inline-form"
          aria-label={t('disclosure.withdraw')}
          onSubmit={s.onSubmit(async () => {
            await call('disclosure.withdraw', { disclosureId: d.id, ground, reason })
            await props.onDone()
          })}
        >
          <Field label={t('disclosure.withdrawGround')}>
            <EnumSelect
              name="ground"
              value={ground}
              options={WITHDRAW_GROUNDS}
              label={(g) => t(`disclosure.groundName.${g}`)}
              onChange={setGround}
            />
          </Field>
          <Field label={t('disclosure.withdrawReason')}>
            <input
              name="withdrawReason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              required
            />
          </Field>
          <button type="submit" disabled={s.busy}>
            {t('disclosure.withdraw')}
          </button>
        </form>
      ) : null}
      <ErrorText error={s.error} />
    </div>
  )
}

/** The portal file; the list reloads so the first export shows as the publication date. */
function Export({ onDone }: { onDone: () => Promise<boolean> }) {
  const { t } = useTranslation()
  const [format, setFormat] = useState<'json' | 'csv' | 'html'>('html')
  const [done, setDone] = useState<string | null>(null)
  const s = useSubmit()
  return (
    <form
      className="panel inline-form"
      aria-label={t('disclosure.export')}
      onSubmit={s.onSubmit(async () => {
        const r = await call('disclosure.export', { format })
        const type = { json: 'application/json', csv: 'text/csv', html: 'text/html' }[format]
        const url = URL.createObjectURL(new Blob([r.content], { type: `${type};charset=utf-8` }))
        const a = document.createElement('a')
        a.href = url
        a.download = r.fileName
        a.click()
        setTimeout(() => URL.revokeObjectURL(url), 10_000)
        setDone(t('disclosure.exported', { count: r.count, file: r.fileName }))
        await onDone()
      })}
    >
      <h3>{t('disclosure.export')}</h3>
      <p className="muted">{t('disclosure.exportHint')}</p>
      <Field label={t('disclosure.format')}>
        <EnumSelect
          name="format"
          value={format}
          options={['html', 'csv', 'json'] as const}
          label={(f) => t(`disclosure.formatName.${f}`)}
          onChange={setFormat}
        />
      </Field>
      <button type="submit" className="primary" disabled={s.busy}>
        {t('disclosure.export')}
      </button>
      {done ? (
        <p className="ok-text" role="status">
          {done}
        </p>
      ) : null}
      <ErrorText error={s.error} />
    </form>
  )
}
