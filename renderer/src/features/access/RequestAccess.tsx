import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ACCESS_PURPOSES } from '../../../../shared/contract.ts'
import { callChecked } from '../../query.tsx'
import { ErrorText, Field, useSubmit } from '../../components/common.tsx'
import { DateTimeInput } from '../../components/DateInput.tsx'

/** Ask for access to a case, from its page. */
export function RequestAccess({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const { t } = useTranslation()
  const [form, setForm] = useState({
    purpose: 'case_review' as (typeof ACCESS_PURPOSES)[number],
    purposeText: '',
    kind: 'view' as 'view' | 'export',
    endsAt: '',
  })
  const s = useSubmit()
  return (
    <form
      className="panel"
      aria-label={t('access.requestTitle')}
      onSubmit={s.onSubmit(async () => {
        // The form is Beijing wall time, whatever zone this PC is set to; a moment that cannot be read is left for
        // the contract's schema to name.
        const endsAt = new Date(`${form.endsAt}+08:00`)
        await callChecked('access.request', {
          caseId,
          purpose: form.purpose,
          ...(form.purposeText.trim() ? { purposeText: form.purposeText.trim() } : {}),
          kind: form.kind,
          startsAt: new Date().toISOString(),
          endsAt: Number.isNaN(endsAt.getTime()) ? form.endsAt : endsAt.toISOString(),
        })
        onDone()
      })}
    >
      <h3>{t('access.requestTitle')}</h3>
      <p className="muted">{t('access.requestHint')}</p>
      <div className="grid">
        <Field label={t('access.purpose')}>
          <select
            name="purpose"
            value={form.purpose}
            onChange={(e) => setForm({ ...form, purpose: e.target.value as typeof form.purpose })}
          >
            {ACCESS_PURPOSES.map((p) => (
              <option key={p} value={p}>
                {t(`access.purposeName.${p}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('access.purposeText')}>
          <input
            name="purposeText"
            value={form.purposeText}
            onChange={(e) => setForm({ ...form, purposeText: e.target.value })}
          />
        </Field>
        <Field label={t('access.kind')}>
          <select
            name="kind"
            value={form.kind}
            onChange={(e) => setForm({ ...form, kind: e.target.value as 'view' | 'export' })}
          >
            <option value="view">{t('access.kindName.view')}</option>
            <option value="export">{t('access.kindName.export')}</option>
          </select>
        </Field>
        <Field label={t('access.endsAt')}>
          <DateTimeInput
            name="endsAt"
            label={t('access.endsAt')}
            value={form.endsAt}
            onChange={(endsAt) => setForm({ ...form, endsAt })}
            required
          />
        </Field>
      </div>
      <ErrorText error={s.error} />
      <button type="submit" className="primary" disabled={s.busy}>
        {t('access.submit')}
      </button>
    </form>
  )
}
