import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../shared/contract.ts'
import { call } from '../api.ts'
import { ErrorText, useSubmit } from './common.tsx'
import { formatBytes } from './sizes.ts'

/*
 * 浏览… in browser mode: a page cannot learn a path on this computer from the browser, so the core lists folders
 * for it (files.browse) — only under the roots it allows (the home folder, mounted USB disks and cameras), names,
 * kinds and sizes only. Files are listed when choosing a folder too (greyed), so the officer recognises the folder
 * by what is in it. The chosen path goes back to the form, which hands it to the core like a typed one; the
 * core checks it again there.
 */

type Listing = MethodOutput<'files.browse'>

export function FolderBrowser(props: {
  /** 'folder': choose a folder (import); 'file': choose one file (a document). */
  mode: 'folder' | 'file'
  title: string
  onPick: (path: string) => void
  onClose: () => void
}) {
  const { t } = useTranslation()
  const [listing, setListing] = useState<Listing | null>(null)
  const s = useSubmit({ changes: false })
  const { run } = s
  const go = (path?: string) =>
    void run(async () => setListing(await call('files.browse', { ...(path ? { path } : {}), files: true })))
  useEffect(() => {
    void run(async () => setListing(await call('files.browse', { files: true })))
  }, [run, props.mode])
  const join = (name: string) =>
    `${listing!.path!.replace(/[\\/]+$/, '')}${listing!.path!.includes('\\') ? '\\' : '/'}${name}`
  const rootLabel = (r: Listing['roots'][number]) => (r.label === 'home' ? t('browse.home') : r.label)
  return (
    <div className="viewer-overlay" onKeyDown={(e) => e.key === 'Escape' && props.onClose()}>
      <div
        className="panel browser"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid="folder-browser"
      >
        <div className="page-head">
          <h3>{props.title}</h3>
          <button type="button" onClick={props.onClose} autoFocus>
            {t('common.cancel')}
          </button>
        </div>
        <div className="row browse-roots">
          <span className="muted">{t('browse.places')}</span>
          {listing?.roots.map((r) => (
            <button key={r.path} type="button" onClick={() => go(r.path)}>
              {rootLabel(r)}
            </button>
          ))}
        </div>
        {listing?.path ? (
          <div className="row browse-here">
            <button
              type="button"
              disabled={!listing.parent}
              onClick={() => listing.parent && go(listing.parent)}
            >
              {t('browse.up')}
            </button>
            <span className="mono" data-testid="browse-path">
              {listing.path}
            </span>
          </div>
        ) : (
          <p className="muted">{t('browse.chooseRoot')}</p>
        )}
        <ErrorText error={s.error} />
        {listing?.path ? (
          <ul className="browse-list" aria-label={listing.path}>
            {listing.entries.length === 0 ? <li className="muted">{t('browse.empty')}</li> : null}
            {listing.entries.map((e) => (
              <li key={e.name}>
                {e.kind === 'folder' ? (
                  <button type="button" className="link" onClick={() => go(join(e.name))}>
                    <span className="chip">{t('browse.folder')}</span> {e.name}
                  </button>
                ) : (
                  <button
                    type="button"
                    className="link"
                    disabled={props.mode !== 'file'}
                    onClick={() => props.onPick(join(e.name))}
                  >
                    <span className="chip">{t('browse.file')}</span> {e.name}
                    {e.size !== null ? <span className="muted"> {formatBytes(e.size)}</span> : null}
                  </button>
                )}
              </li>
            ))}
            {listing.truncated ? <li className="muted">{t('browse.truncated')}</li> : null}
          </ul>
        ) : null}
        {props.mode === 'folder' && listing?.path ? (
          <div className="row">
            <button type="button" className="primary" onClick={() => props.onPick(listing.path!)}>
              {t('browse.pickFolder')}
            </button>
          </div>
        ) : null}
      </div>
    </div>
  )
}
