import { useTranslation } from 'react-i18next'
import type { Review } from '../../../../shared/review.ts'
import { formatTime } from '../../components/common.tsx'

/** Every submission round of a case: who, when, the deadline, the opinion, extensions and any discussion. */
export function ReviewRounds({ reviews }: { reviews: readonly Review[] }) {
  const { t, i18n } = useTranslation()
  if (!reviews.length) return null
  return (
    <table className="table" data-testid="review-rounds">
      <thead>
        <tr>
          <th>{t('review.roundShort')}</th>
          <th>{t('review.submittedAt')}</th>
          <th>{t('review.proposal')}</th>
          <th>{t('review.reviewer')}</th>
          <th>{t('review.due')}</th>
          <th>{t('review.opinion')}</th>
        </tr>
      </thead>
      <tbody>
        {reviews.map((r) => (
          <tr key={r.id}>
            <td className="nowrap">
              {t('review.round', { round: r.round })}
              <div>
                <span className={`chip chip-review-${r.status}`}>{t(`review.statusName.${r.status}`)}</span>
              </div>
            </td>
            <td className="nowrap">
              {formatTime(r.submittedAt, i18n.language)}
              <div className="muted">{r.submittedBy}</div>
            </td>
            <td>
              {r.proposal}
              {r.changes ? (
                <div className="muted">
                  {t('review.changes')}：{r.changes}
                </div>
              ) : null}
            </td>
            <td className="nowrap">{r.reviewerName ?? '—'}</td>
            <td className={r.overdue ? 'nowrap bad-text' : 'nowrap'}>
              {r.dueOn}
              {r.overdue ? ` ${t('review.overdue')}` : ''}
              {r.dueUncertain ? <div className="muted">{t('review.uncertain')}</div> : null}
              {r.extension ? (
                <div className="muted">{t(`review.extensionName.${r.extension.status}`)}</div>
              ) : null}
            </td>
            <td>
              {r.opinion ? (
                <>
                  <strong>{t(`review.opinionName.${r.opinion}`)}</strong>：{r.opinionText}
                  {r.checklist?.some((c) => c.result === 'problem') ? (
                    <div className="bad-text">
                      {r.checklist
                        .filter((c) => c.result === 'problem')
                        .map((c) => t(`review.checkName.${c.item}`))
                        .join('；')}
                      {r.checklist
                        .filter((c) => c.result === 'problem' && c.note)
                        .map((c) => `（${c.note}）`)
                        .join('')}
                    </div>
                  ) : null}
                </>
              ) : (
                '—'
              )}
              {r.dispute ? (
                <div className="muted">
                  {t('review.disputeText')}：{r.dispute}
                </div>
              ) : null}
              {r.discussion ? (
                <div>
                  {t('review.discussion')}（{r.discussion.heldOn}）：
                  {t(`review.outcomeName.${r.discussion.outcome}`)}
                </div>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
