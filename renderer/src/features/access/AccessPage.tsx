import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { type MethodOutput } from '../../../../shared/contract.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import type { Role } from '../../../../shared/roles.ts'
import { call } from '../../api.ts'
import { ErrorText, downloadPdf, formatTime, useSubmit } from '../../components/common.tsx'
import { DeletionsPanel } from '../archive/Deletions.tsx'
import { useConfirm } from '../../components/ConfirmDialog.tsx'
import { QueryError, useCall } from '../../query.tsx'
import { href } from '../../app/pages.ts'

type Lists = MethodOutput<'access.list'>
type Request = Lists['requests'][number]

/** 调阅: the approver's inbox, my requests, grants, and the access log. */
export function AccessPage({ roles, userId }: { roles: readonly Role[]; userId: string }) {
  const { t } = useTranslation()
  const [lists, setLists] = useState<Lists | null>(null)
  const load = useSubmit()
  const { run } = load
  const reload = useCallback(() => run(async () => setLists(await call('access.list', {}))), [run])
  useEffect(() => {
    void reload()
  }, [reload])
  const approver = mayCall('access.approve', roles)
  const canSeeLog = mayCall('access.log', roles)
  if (!lists) return <ErrorText error={load.error} />
  const inbox = lists.requests.filter((r) => approver && r.status === 'pending' && r.requesterId !== userId)
  const mine = lists.requests.filter((r) => !inbox.includes(r))

  return (
    <section>
      <h2>{t('access.title')}</h2>
      {approver ? (
        <div className="panel" data-testid="inbox">
          <h3>{t('access.inbox', { count: lists.inbox })}</h3>
          {inbox.length === 0 ? <p className="muted">{t('access.inboxEmpty')}</p> : null}
          {inbox.map((r) => (
            <Decide key={r.id} request={r} onDone={reload} />
          ))}
        </div>
      ) : null}
      {approver ? <DeletionsPanel mode="decide" userId={userId} /> : null}
      <div className="panel" data-testid="my-requests">
        <h3>{t('access.myRequests')}</h3>
        {mine.length === 0 ? <p className="muted">{t('access.noRequests')}</p> : null}
        <table className="table">
          <tbody>
            {mine.map((r) => (
              <tr key={r.id}>
                <td>
                  <a href={href.case(r.caseId)}>{r.caseNo}</a>
                </td>
                <td>{t(`access.purposeName.${r.purpose}`)}</td>
                <td>{t(`access.kindName.${r.kind}`)}</td>
                <td>
                  <span className={`chip chip-${r.status}`}>{t(`access.status.${r.status}`)}</span>
                </td>
                <td className="muted">{r.decisionNote ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Grants lists={lists} approver={approver} onDone={reload} />
      {canSeeLog ? <AccessLog /> : null}
    </section>
  )
}

function Decide({ request: r, onDone }: { request: Request; onDone: () => void }) {
  const { t, i18n } = useTranslation()
  const [viewOnly, setViewOnly] = useState(false)
  const [reason, setReason] = useState('')
  const s = useSubmit()
  const confirm = useConfirm()
  return (
    <div className="sub-panel request" data-testid="request">
      {confirm.dialog}
      <p>
        <strong>{r.requesterName}</strong> · <a href={href.case(r.caseId)}>{r.caseNo}</a> ·{' '}
        {t(`access.purposeName.${r.purpose}`)}
        {r.purposeText ? `（${r.purposeText}）` : ''} · {t(`access.kindName.${r.kind}`)} ·{' '}
        {r.recordIds ? t('access.someRecords', { count: r.recordIds.length }) : t('access.wholeCase')}
      </p>
      <p className="muted">
        {formatTime(r.startsAt, i18n.language)} — {formatTime(r.endsAt, i18n.language)}
      </p>
      <div className="row">
        {r.kind === 'export' ? (
          <label className="inline">
            <input type="checkbox" checked={viewOnly} onChange={(e) => setViewOnly(e.target.checked)} />
            {t('access.viewOnly')}
          </label>
        ) : null}
        <button
          type="button"
          className="primary"
          disabled={s.busy}
          onClick={async () => {
            const kind =
              r.kind === 'export' && viewOnly ? t('access.kindName.view') : t(`access.kindName.${r.kind}`)
            const yes = await confirm.ask({
              title: t('access.approveTitle', { name: r.requesterName, caseNo: r.caseNo }),
              consequence: t('access.approveConsequence', {
                name: r.requesterName,
                from: formatTime(r.startsAt, i18n.language),
                to: formatTime(r.endsAt, i18n.language),
                kind,
                scope: r.recordIds
                  ? t('access.someRecords', { count: r.recordIds.length })
                  : t('access.wholeCase'),
              }),
              confirm: t('access.approveConfirm'),
            })
            if (yes)
              await s.run(async () => {
                await call('access.approve', { requestId: r.id, ...(viewOnly ? { viewOnly: true } : {}) })
                onDone()
              })
          }}
        >
          {t('access.approve')}
        </button>
        <input
          name="rejectReason"
          className="grow"
          placeholder={t('access.rejectReason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <button
          type="button"
          disabled={s.busy || reason.trim().length < 2}
          onClick={() =>
            s.run(async () => {
              await call('access.reject', { requestId: r.id, reason })
              onDone()
            })
          }
        >
          {t('access.reject')}
        </button>
      </div>
      <ErrorText error={s.error} />
    </div>
  )
}

function Grants({ lists, approver, onDone }: { lists: Lists; approver: boolean; onDone: () => void }) {
  const { t, i18n } = useTranslation()
  const s = useSubmit()
  return (
    <div className="panel" data-testid="grants">
      <h3>{approver ? t('access.allGrants') : t('access.myGrants')}</h3>
      {lists.grants.length === 0 ? <p className="muted">{t('access.noGrants')}</p> : null}
      <table className="table">
        <tbody>
          {lists.grants.map((g) => (
            <tr key={g.id}>
              <td>
                <a href={href.case(g.caseId)}>{g.caseNo}</a>
              </td>
              <td>{g.holderName}</td>
              <td>{t(`access.kindName.${g.kind}`)}</td>
              <td>
                {g.recordIds ? t('access.someRecords', { count: g.recordIds.length }) : t('access.wholeCase')}
              </td>
              <td className="nowrap">{t('access.until', { time: formatTime(g.endsAt, i18n.language) })}</td>
              <td>
                <span className={`chip chip-${g.status}`}>{t(`access.grantStatus.${g.status}`)}</span>
              </td>
              <td>
                {approver && (g.status === 'active' || g.status === 'future') ? (
                  <button
                    type="button"
                    onClick={() =>
                      s.run(async () => {
                        await call('access.revoke', { grantId: g.id, reason: t('access.revokedByApprover') })
                        onDone()
                      })
                    }
                  >
                    {t('access.revoke')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorText error={s.error} />
    </div>
  )
}

function AccessLog() {
  const { t, i18n } = useTranslation()
  const q = useCall('access.log', { limit: 200 })
  const log = q.data
  const print = useSubmit()
  if (q.error) return <QueryError query={q} />
  if (!log) return null
  return (
    <div className="panel" data-testid="access-log">
      <div className="page-head">
        <h3>{t('access.log')}</h3>
        <button
          type="button"
          disabled={print.busy}
          onClick={() =>
            print.run(async () => {
              const { pdfBase64 } = await call('access.register', {})
              downloadPdf(pdfBase64, t('access.registerFile'))
            })
          }
        >
          {t('access.printRegister')}
        </button>
      </div>
      <ErrorText error={print.error} />
      <table className="table">
        <thead>
          <tr>
            <th>{t('audit.time')}</th>
            <th>{t('audit.actor')}</th>
            <th>{t('audit.action')}</th>
            <th>{t('access.basis')}</th>
          </tr>
        </thead>
        <tbody>
          {log.entries.map((e) => (
            <tr key={e.seq} className={e.action === 'access.denied' ? 'row-bad' : undefined}>
              <td className="nowrap">{formatTime(e.at, i18n.language)}</td>
              <td>{e.userName ?? '—'}</td>
              <td>{t(`access.logAction.${e.action}`, { defaultValue: e.action })}</td>
              <td>{e.basis ? t(`access.basisName.${e.basis}`, { defaultValue: e.basis }) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
