import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { call, localPathOf, systemPicker } from '../api.ts'
import { Field } from './common.tsx'
import { FolderBrowser } from './FolderBrowser.tsx'

/*
 * The file of a document being registered or corrected: chosen with the system's file chooser (the page reads it
 * and sends it in pieces with files.upload; the core stages it and textRecords.add takes the staged path like any
 * other), or a path on this computer typed as before. No path or byte of the user's disk is read by the page
 * itself beyond the one file the user chose.
 */

/** One piece: 512 KiB, whose base64 stays under files.upload's limit (and the bridge's request limit). */
const CHUNK = 512 * 1024
export const DOCUMENT_ACCEPT = '.pdf,.ofd,.docx,.jpg,.jpeg,.png,.tif,.tiff'

function base64(bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    bin += String.fromCharCode(...bytes.subarray(i, Math.min(i + 0x8000, bytes.length)))
  return btoa(bin)
}

/** Send a chosen file to the core; the staged path textRecords.add accepts. */
export async function uploadDocument(file: File, onProgress?: (done: number) => void): Promise<string> {
  let uploadId: string | undefined
  let offset = 0
  for (;;) {
    const piece = new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer())
    const done = offset + piece.length >= file.size
    const r = await call('files.upload', {
      ...(uploadId ? { uploadId } : {}),
      name: file.name,
      offset,
      dataBase64: base64(piece),
      done,
    })
    uploadId = r.uploadId
    offset += piece.length
    onProgress?.(offset)
    if (done) {
      if (!r.path) throw new Error('upload ended without a path')
      return r.path
    }
  }
}

export interface DocumentFileValue {
  file: File | null
  path: string
}

/** Where the document's bytes come from: a chosen file (uploaded on submit) or else the typed path. */
export async function documentPath(
  v: DocumentFileValue,
  onProgress?: (done: number) => void,
): Promise<string> {
  if (!v.file) return v.path.trim()
  // In the desktop shell the chosen file has a path the core can read itself: nothing is uploaded.
  return localPathOf(v.file) ?? uploadDocument(v.file, onProgress)
}

export function DocumentFileField(props: {
  name: string
  value: DocumentFileValue
  onChange: (v: DocumentFileValue) => void
  label?: string
}) {
  const { t } = useTranslation()
  const [browsing, setBrowsing] = useState(false)
  return (
    <>
      <Field label={props.label ?? t('cases.docFile')} hint={t('cases.docFileKinds')}>
        {/* Our own button and text over the browser's control, whose words follow the browser, not the app. */}
        <label className="file-pick">
          <input
            type="file"
            name={`${props.name}Upload`}
            accept={DOCUMENT_ACCEPT}
            onChange={(e) => props.onChange({ ...props.value, file: e.target.files?.[0] ?? null })}
          />
          <span className="file-pick-button">{t('cases.chooseFile')}</span>
          <span className="muted">{props.value.file?.name ?? t('cases.noFileChosen')}</span>
        </label>
      </Field>
      {props.value.file ? null : (
        <Field label={t('cases.orPath')} hint={t('cases.docFileHint')}>
          <div className="row">
            <input
              name={props.name}
              value={props.value.path}
              onChange={(e) => props.onChange({ ...props.value, path: e.target.value })}
            />
            <button
              type="button"
              onClick={() => {
                const pick = systemPicker()
                if (!pick) return setBrowsing(true)
                void pick('documentFile').then((path) => path && props.onChange({ file: null, path }))
              }}
            >
              {t('browse.button')}
            </button>
          </div>
        </Field>
      )}
      {browsing ? (
        <FolderBrowser
          mode="file"
          title={t('browse.titleFile')}
          onClose={() => setBrowsing(false)}
          onPick={(path) => {
            setBrowsing(false)
            props.onChange({ file: null, path })
          }}
        />
      ) : null}
    </>
  )
}
