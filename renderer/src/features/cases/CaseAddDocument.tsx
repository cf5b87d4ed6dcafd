import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { STAGE_CODES } from '../../../../shared/cases.ts'
import type { MethodOutput } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import { ErrorText, Field, PasswordInput, useSubmit } from '../../components/common.tsx'
import { DateInput } from '../../components/DateInput.tsx'
import { DocumentFileField, documentPath, type DocumentFileValue } from '../../components/DocumentFile.tsx'
import { DocumentViewer } from '../../components/DocumentViewer.tsx'
import { useDone } from '../../components/DoneNotice.tsx'

type Catalogue = MethodOutput<'cases.catalogue'>

/** Register a signed document of the case from a file on this computer; a PIN signs it like a recording. */
export function AddTextRecord(props: { caseId: string; catalogue: Catalogue }) {
  const { t } = useTranslation()
  const [form, setForm] = useState({ docType: '', docNo: '', docDate: '', pin: '' })
  const [file, setFile] = useState<DocumentFileValue>({ file: null, path: '' })
  const [missing, setMissing] = useState(false)
  const s = useSubmit()
  const done = useDone()
  const [open, setOpen] = useState<{ id: string; title: string } | null>(null)
  return (
    <form
      className="panel"
      aria-label={t('cases.addText')}
      onSubmit={s.onSubmit(async () => {
        done.tell(null)
        setMissing(!file.file && !file.path.trim())
        if (!file.file && !file.path.trim()) return
        const { textRecord: r } = await call('textRecords.add', {
          caseId: props.caseId,
          docType: form.docType,
          filePath: await documentPath(file),
          ...(form.docNo.trim() ? { docNo: form.docNo.trim() } : {}),
          ...(form.docDate ? { docDate: form.docDate } : {}),
          ...(form.pin ? { pin: form.pin } : {}),
        })
        setForm({ docType: '', docNo: '', docDate: '', pin: '' })
        setFile({ file: null, path: '' })
        done.tell({
          text: t(r.signed ? 'cases.addedSigned' : 'cases.added', {
            name: r.docTypeName,
            version: r.version,
          }),
          open: { label: t('cases.openAdded'), onClick: () => setOpen({ id: r.id, title: r.docTypeName }) },
        })
      })}
    >
      <h3>{t('cases.addText')}</h3>
      <div className="grid">
        <Field label={t('cases.docType')}>
          <select
            name="docType"
            value={form.docType}
            onChange={(e) => setForm({ ...form, docType: e.target.value })}
            required
          >
            <option value="">—</option>
            {STAGE_CODES.map((stage) => (
              <optgroup key={stage} label={t(`cases.stageName.${stage}`)}>
                {props.catalogue.docTypes
                  .filter((d) => d.stage === stage)
                  .map((d) => (
                    <option key={d.code} value={d.code}>
                      {d.name}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </Field>
        <Field label={t('cases.docNo')}>
          <input
            name="docNo"
            value={form.docNo}
            onChange={(e) => setForm({ ...form, docNo: e.target.value })}
          />
        </Field>
        <Field label={t('cases.docDate')}>
          <DateInput
            name="docDate"
            label={t('cases.docDate')}
            value={form.docDate}
            onChange={(docDate) => setForm({ ...form, docDate })}
          />
        </Field>
      </div>
      <div className="grid">
        <DocumentFileField name="docFile" value={file} onChange={setFile} />
        <Field label={t('ingest.pin')}>
          <PasswordInput
            name="docPin"
            value={form.pin}
            onChange={(pin) => setForm({ ...form, pin })}
            autoComplete="current-password"
          />
        </Field>
      </div>
      {missing ? (
        <p className="error" role="alert">
          {t('cases.fileOrPath')}
        </p>
      ) : null}
      <ErrorText error={s.error} />
      {done.notice}
      <button type="submit" className="primary" disabled={s.busy}>
        {t('cases.addTextButton')}
      </button>
      {open ? (
        <DocumentViewer
          key={open.id}
          textRecordId={open.id}
          title={open.title}
          onClose={() => setOpen(null)}
        />
      ) : null}
    </form>
  )
}
