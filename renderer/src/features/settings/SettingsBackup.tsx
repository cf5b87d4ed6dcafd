import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import { ErrorText, Field, useSubmit } from '../../components/common.tsx'

/** 备份: a consistent backup to another folder or disk while the app runs; restore is a command-line step. */
export function BackupPanel() {
  const { t } = useTranslation()
  const [target, setTarget] = useState('')
  const [result, setResult] = useState<MethodOutput<'backup.run'> | null>(null)
  const run = useSubmit()
  return (
    <form
      className="panel narrow"
      data-testid="backup"
      onSubmit={run.onSubmit(async () => {
        setResult(null)
        setResult(await call('backup.run', { target }))
      })}
    >
      <h3>{t('backup.title')}</h3>
      <p className="muted">{t('backup.intro')}</p>
      <Field label={t('backup.target')} hint={t('backup.targetHint')}>
        <input name="backupTarget" value={target} onChange={(e) => setTarget(e.target.value)} required />
      </Field>
      <div className="actions">
        <button type="submit" className="primary" disabled={run.busy}>
          {run.busy ? t('backup.running') : t('backup.run')}
        </button>
      </div>
      {result ? (
        <p className="banner ok" role="status">
          {t('backup.done', { ...result, mb: (result.bytesCopied / 1e6).toFixed(1) })}
        </p>
      ) : null}
      <ErrorText error={run.error} />
    </form>
  )
}
