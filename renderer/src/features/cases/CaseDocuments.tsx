import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import { ErrorText, Field, PasswordInput, formatTime, useSubmit } from '../../components/common.tsx'
import { DocumentViewer } from '../../components/DocumentViewer.tsx'
import { formatBytes } from '../../components/sizes.ts'
import { DocumentFileField, documentPath, type DocumentFileValue } from '../../components/DocumentFile.tsx'

/*
 * A case's 文字记录: each document once, at its current version, with 查看 (the in-app viewer) and, for those who
 * file for the case, 更正 — a new version from a new file with a required reason. The versions it replaced stay as
 * they were registered, listed under it, and each can be opened.
 */

type TextRecord = MethodOutput<'cases.get'>['textRecords'][number]

/** Each current document with the versions before it, newest first. */
function lineages(records: TextRecord[]): { current: TextRecord; earlier: TextRecord[] }[] {
  const byId = new Map(records.map((r) => [r.id, r]))
  return records
    .filter((r) => r.current)
    .map((current) => {
      const earlier: TextRecord[] = []
      const seen = new Set([current.id])
      for (let p = current.previousId ? byId.get(current.previousId) : undefined; p && !seen.has(p.id);) {
        seen.add(p.id)
        earlier.push(p)
        p = p.previousId ? byId.get(p.previousId) : undefined
      }
      return { current, earlier }
    })
}

export function CaseDocuments(props: {
  records: TextRecord[]
  stageName: (stage: TextRecord['stage']) => string
  filer: boolean
  /** Some or all documents are hidden from the caller: an empty list must not read as "none registered". */
  restricted: boolean
}) {
  const { t } = useTranslation()
  const [open, setOpen] = useState<{ id: string; title: string } | null>(null)
  const [correcting, setCorrecting] = useState<TextRecord | null>(null)
  const title = (d: TextRecord) =>
    `${d.docTypeName}${d.docNo ? ` ${d.docNo}` : ''}（${t('cases.versionNo', { n: d.version })}）${d.current ? '' : t('cases.superseded')}`
  return (
    <div className="panel">
      <h3>{t('cases.textRecords')}</h3>
      {props.restricted ? (
        <p className="muted" data-testid="documents-restricted">
          {t('cases.documentsRestricted')}
        </p>
      ) : props.records.length === 0 ? (
        <p className="muted">{t('cases.noTextRecords')}</p>
      ) : null}
      <table className="table" data-testid="case-documents">
        <tbody>
          {lineages(props.records).map(({ current: d, earlier }) => (
            <tr key={d.id} data-doc={d.id}>
              <td className="nowrap">{props.stageName(d.stage)}</td>
              <td>
                <strong>{d.docTypeName}</strong>
                <div className="muted">{d.originalName}</div>
                {earlier.length ? (
                  <details data-testid="doc-versions">
                    <summary>{t('cases.versions', { count: earlier.length })}</summary>
                    <ul className="doc-versions">
                      {earlier.map((v) => (
                        <li key={v.id}>
                          {t('cases.versionNo', { n: v.version })} · {v.originalName} ·{' '}
                          {t('cases.registeredAt', { when: formatTime(v.createdAt) })}{' '}
                          <button
                            type="button"
                            className="link"
                            onClick={() => setOpen({ id: v.id, title: title(v) })}
                          >
                            {t('cases.openDoc')}
                          </button>
                        </li>
                      ))}
                    </ul>
                  </details>
                ) : null}
              </td>
              <td>{d.docNo ?? '—'}</td>
              <td className="nowrap">{d.docDate}</td>
              <td>
                {t('cases.versionNo', { n: d.version })}
                {d.correctionReason ? (
                  <div className="muted">{t('cases.correctedBy', { reason: d.correctionReason })}</div>
                ) : null}
              </td>
              <td className="nowrap">
                {d.signed ? <span className="ok-text">{t('cases.signed')}</span> : t('cases.unsigned')}
              </td>
              <td className="nowrap">
                <button type="button" onClick={() => setOpen({ id: d.id, title: title(d) })}>
                  {t('cases.openDoc')}
                </button>{' '}
                {props.filer ? (
                  <button type="button" onClick={() => setCorrecting(d)}>
                    {t('cases.correct')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {correcting ? (
        <CorrectDocument
          key={correcting.id}
          record={correcting}
          onCancel={() => setCorrecting(null)}
          onDone={() => setCorrecting(null)}
        />
      ) : null}
      {open ? (
        <DocumentViewer
          key={open.id}
          textRecordId={open.id}
          title={open.title}
          onClose={() => setOpen(null)}
        />
      ) : null}
    </div>
  )
}

function CorrectDocument(props: { record: TextRecord; onCancel: () => void; onDone: () => void }) {
  const { t } = useTranslation()
  const [file, setFile] = useState<DocumentFileValue>({ file: null, path: '' })
  const [reason, setReason] = useState('')
  const [pin, setPin] = useState('')
  const [sent, setSent] = useState<number | null>(null)
  const [missing, setMissing] = useState<string | null>(null)
  const s = useSubmit()
  return (
    <form
      className="panel"
      aria-label={t('cases.correctTitle', { name: props.record.docTypeName })}
      onSubmit={s.onSubmit(async () => {
        // Said before the file is sent, with what to do: the core's VALIDATION would only name the field.
        setMissing(
          !file.file && !file.path.trim()
            ? t('cases.fileOrPath')
            : reason.trim().length < 2
              ? t('cases.correctReasonHint')
              : null,
        )
        if ((!file.file && !file.path.trim()) || reason.trim().length < 2) return
        const filePath = await documentPath(file, setSent)
        await call('textRecords.add', {
          previousId: props.record.id,
          correctionReason: reason.trim(),
          filePath,
          ...(pin ? { pin } : {}),
        })
        props.onDone()
      })}
    >
      <h3>{t('cases.correctTitle', { name: props.record.docTypeName })}</h3>
      <p className="muted">{t('cases.correctHint')}</p>
      <div className="grid">
        <DocumentFileField name="correctFile" value={file} onChange={setFile} />
      </div>
      <div className="grid">
        <Field label={t('cases.correctReason')} hint={t('cases.correctReasonHint')}>
          <input
            name="correctionReason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            minLength={2}
            maxLength={500}
            required
          />
        </Field>
        <Field label={t('ingest.pin')}>
          <PasswordInput name="correctPin" value={pin} onChange={setPin} autoComplete="current-password" />
        </Field>
      </div>
      {s.busy && file.file && sent !== null ? (
        <p className="muted">
          {t('cases.uploading', { done: formatBytes(sent), total: formatBytes(file.file.size) })}
        </p>
      ) : null}
      {missing ? (
        <p className="error" role="alert">
          {missing}
        </p>
      ) : null}
      <ErrorText error={s.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={s.busy}>
          {t('cases.correctButton')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
