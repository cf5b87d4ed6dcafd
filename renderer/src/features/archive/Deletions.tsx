import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { call } from '../../api.ts'
import { ErrorText, formatTime, useSubmit } from '../../components/common.tsx'
import { QueryError, useCall } from '../../query.tsx'

/*
 * 到期原始文件: records whose archive retention has ended. A records officer asks for their removal with a
 * reason; an approver (another person) approves or rejects. The core enforces both rules; this only shows them.
 */
// Requested and decided through useSubmit: the query layer reads both lists again after each.
export function DeletionsPanel({ mode, userId }: { mode: 'request' | 'decide'; userId: string }) {
  const { t, i18n } = useTranslation()
  const expiredQ = useCall('vault.expired', {})
  const requestsQ = useCall('vault.deletions', {})
  const expired = expiredQ.data?.records ?? []
  const requests = requestsQ.data?.requests ?? []
  const [reason, setReason] = useState('')
  const act = useSubmit()
  const pending = requests.filter((r) => r.status === 'pending')
  const toDecide = pending.filter((r) => r.requestedBy !== userId)
  return (
    <div className="panel" data-testid="deletions">
      <h3>{t('deletions.title')}</h3>
      <p className="muted">{t('deletions.intro')}</p>
      <QueryError query={expiredQ} />
      <QueryError query={requestsQ} />
      {mode === 'request' ? (
        expired.length ? (
          <>
            <label className="field">
              <span className="field-label">{t('deletions.reason')}</span>
              <input value={reason} onChange={(e) => setReason(e.target.value)} name="deletionReason" />
            </label>
            <table className="table">
              <thead>
                <tr>
                  <th>{t('deletions.caseNo')}</th>
                  <th>{t('deletions.record')}</th>
                  <th>{t('deletions.expiredOn')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {expired.map((r) => (
                  <tr key={r.evidenceId}>
                    <td>{r.caseNo}</td>
                    <td>{r.originalName}</td>
                    <td>{r.expiredOn.slice(0, 10)}</td>
                    <td>
                      {r.pending ? (
                        <span className="chip">{t('deletions.pending')}</span>
                      ) : (
                        <button
                          type="button"
                          disabled={act.busy || reason.trim().length < 4}
                          onClick={() =>
                            act.run(async () => {
                              await call('vault.requestDeletion', { evidenceId: r.evidenceId, reason })
                            })
                          }
                        >
                          {t('deletions.request')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          <p className="muted">{t('deletions.noneExpired')}</p>
        )
      ) : toDecide.length ? (
        <table className="table">
          <thead>
            <tr>
              <th>{t('deletions.record')}</th>
              <th>{t('deletions.reason')}</th>
              <th>{t('deletions.expiredOn')}</th>
              <th>{t('deletions.requestedAt')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {toDecide.map((r) => (
              <tr key={r.id}>
                <td className="mono small">{r.evidenceId}</td>
                <td>{r.reason}</td>
                <td>{r.expiredOn.slice(0, 10)}</td>
                <td>{formatTime(r.requestedAt, i18n.language)}</td>
                <td className="row-actions">
                  {[true, false].map((approve) => (
                    <button
                      key={String(approve)}
                      type="button"
                      disabled={act.busy}
                      onClick={() =>
                        act.run(async () => {
                          await call('vault.decideDeletion', { requestId: r.id, approve })
                        })
                      }
                    >
                      {approve ? t('deletions.approve') : t('deletions.reject')}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{t('deletions.noneToDecide')}</p>
      )}
      <ErrorText error={act.error} />
    </div>
  )
}
