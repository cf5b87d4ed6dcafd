import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../../shared/contract.ts'
import { formatTime } from '../../components/common.tsx'

export type VerifyReport = MethodOutput<'signatures.verify'>

/** One record's verification, as a reviewer reads it: the verdict first, then each fact behind it. */
export function SignatureReport({ report }: { report: VerifyReport }) {
  const { t, i18n } = useTranslation()
  const time = (iso: string | null) => formatTime(iso, i18n.language)
  return (
    <div className="verify-report" data-testid="verify-report">
      <p className={report.ok ? 'banner ok' : 'banner bad'} role="status">
        {report.ok ? t('verify.ok') : t('verify.bad')}
      </p>
      <dl className="facts">
        <dt>{t('verify.content')}</dt>
        <dd className={report.contentIntact ? 'ok-text' : 'bad-text'}>
          {report.contentIntact ? t('verify.contentIntact') : t('verify.contentChanged')}
        </dd>
      </dl>
      {report.signatures.length === 0 ? <p className="bad-text">{t('verify.noSignature')}</p> : null}
      {report.signatures.map((s) => (
        <dl className="facts" key={s.file}>
          <dt>{t('verify.signature')}</dt>
          <dd className={s.valid ? 'ok-text' : 'bad-text'}>
            {s.valid ? t('verify.valid') : t('verify.invalid')}
          </dd>
          <dt>{t('verify.signer')}</dt>
          <dd>{s.signerSubject ?? '—'}</dd>
          <dt>{t('verify.signingTime')}</dt>
          <dd>{time(s.signingTime)}</dd>
          <dt>{t('verify.algorithm')}</dt>
          <dd>{s.algorithm === 'SM2-SM3' ? t('verify.sm2') : (s.algorithm ?? '—')}</dd>
          <dt>{t('verify.digest')}</dt>
          <dd className={s.digestMatches && s.signatureValid ? 'ok-text' : 'bad-text'}>
            {s.digestMatches && s.signatureValid ? t('verify.digestOk') : t('verify.digestBad')}
          </dd>
          <dt>{t('verify.chain')}</dt>
          <dd className={s.chainValid ? 'ok-text' : 'bad-text'}>
            {s.chainValid ? t('verify.chainOk') : t('verify.chainBad')}
          </dd>
          <dt>{t('verify.timestampLabel')}</dt>
          <dd
            className={
              s.timestamp.status === 'granted'
                ? 'ok-text'
                : s.timestamp.status === 'invalid'
                  ? 'bad-text'
                  : ''
            }
          >
            {t(`verify.timestamp.${s.timestamp.status}`, {
              time: time(s.timestamp.time),
              tsa: s.timestamp.tsa ?? '',
            })}
          </dd>
          <dt>{t('verify.revocationLabel')}</dt>
          <dd className={s.revocation.status === 'revoked' ? 'bad-text' : 'ok-text'}>
            {t(`verify.revocation.${s.revocation.status}`, { time: time(s.revocation.revokedAt) })}
          </dd>
          <dt>{t('verify.file')}</dt>
          <dd className="mono">{s.file}</dd>
        </dl>
      ))}
    </div>
  )
}
