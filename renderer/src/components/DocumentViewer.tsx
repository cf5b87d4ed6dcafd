import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../shared/contract.ts'
import { call } from '../api.ts'
import { ErrorText, useSubmit } from './common.tsx'

/*
 * A document (文字记录) opened for reading. Its bytes come only from textRecords.open, which asks the same gate as
 * media.open, writes the opening (or the refusal) to the access log and re-hashes the vault original, so a damaged
 * copy is never shown as the signed document. PDFs are drawn by pdf.js onto canvases (its worker, character maps
 * and fonts are files of the app: no CDN, offline); images as they are; OFD and DOCX are handed to the reader the
 * user has, as a saved copy (the same gated, logged opening).
 */

type Opened = MethodOutput<'textRecords.open'>

/** Pages drawn at first; more on request, so a 300-page file does not draw 300 canvases at once. */
const FIRST_PAGES = 20
const BROWSER_IMAGES = new Set(['image/jpeg', 'image/png'])

function bytesOf(doc: Pick<Opened, 'dataBase64'>): Uint8Array<ArrayBuffer> {
  const bin = atob(doc.dataBase64)
  const out = new Uint8Array(new ArrayBuffer(bin.length))
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function saveCopy(doc: Opened): void {
  const url = URL.createObjectURL(new Blob([bytesOf(doc)], { type: doc.mime }))
  const a = document.createElement('a')
  a.href = url
  a.download = doc.fileName
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function DocumentViewer(props: { textRecordId: string; title: string; onClose: () => void }) {
  const { t } = useTranslation()
  const [doc, setDoc] = useState<Opened | null>(null)
  const open = useSubmit({ changes: false })
  const { run } = open
  useEffect(() => {
    setDoc(null)
    void run(async () => setDoc(await call('textRecords.open', { textRecordId: props.textRecordId })))
  }, [run, props.textRecordId])
  return (
    // Over the page, like a reader's window: Esc or 关闭 returns to the case where it was left.
    <div className="viewer-overlay" onKeyDown={(e) => e.key === 'Escape' && props.onClose()}>
      <div
        className="panel viewer"
        data-testid="document-viewer"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
      >
        <div className="page-head">
          <h3>{props.title}</h3>
          <div className="row">
            {doc ? (
              <button type="button" onClick={() => saveCopy(doc)}>
                {t('viewer.saveCopy')}
              </button>
            ) : null}
            <button type="button" onClick={props.onClose} autoFocus>
              {t('common.close')}
            </button>
          </div>
        </div>
        {open.busy ? <p className="muted">{t('viewer.opening')}</p> : null}
        <ErrorText error={open.error} />
        {doc ? <p className="muted">{t('viewer.checked', { name: doc.fileName })}</p> : null}
        {doc?.mime === 'application/pdf' ? <PdfPages doc={doc} /> : null}
        {doc && BROWSER_IMAGES.has(doc.mime) ? <ImageView doc={doc} /> : null}
        {doc && doc.mime !== 'application/pdf' && !BROWSER_IMAGES.has(doc.mime) ? (
          <div className="banner warn" data-testid="viewer-handoff">
            <p>
              {doc.mime === 'application/ofd'
                ? t('viewer.ofd')
                : doc.mime.includes('wordprocessingml')
                  ? t('viewer.docx')
                  : t('viewer.other')}
            </p>
            <button type="button" className="primary" onClick={() => saveCopy(doc)}>
              {t('viewer.saveToOpen')}
            </button>
          </div>
        ) : null}
      </div>
    </div>
  )
}

function ImageView({ doc }: { doc: Opened }) {
  const [url, setUrl] = useState<string | null>(null)
  useEffect(() => {
    const u = URL.createObjectURL(new Blob([bytesOf(doc)], { type: doc.mime }))
    setUrl(u)
    return () => URL.revokeObjectURL(u)
  }, [doc])
  return url ? <img className="document-image" src={url} alt={doc.fileName} /> : null
}

type PdfJs = typeof import('pdfjs-dist')
type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>

let pdfjs: Promise<PdfJs> | null = null
/** pdf.js is loaded the first time a PDF is opened, its worker from the app's own files. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]).then(
    ([lib, worker]) => {
      lib.GlobalWorkerOptions.workerSrc = worker.default
      return lib
    },
  )
  return pdfjs
}

const assetUrl = (dir: string) => new URL(`pdfjs/${dir}/`, document.baseURI).href

/** A PDF's pages on canvases: a document opened through the gate, or a draft the core rendered (an opinion). */
export function PdfPages({ doc }: { doc: Pick<Opened, 'dataBase64'> }) {
  const { t } = useTranslation()
  const [pdf, setPdf] = useState<PdfDocument | null>(null)
  const [failed, setFailed] = useState(false)
  const [shown, setShown] = useState(FIRST_PAGES)
  const [zoom, setZoom] = useState(1)
  useEffect(() => {
    let gone = false
    let loaded: PdfDocument | null = null
    setPdf(null)
    setFailed(false)
    loadPdfJs()
      .then(
        (lib) =>
          lib.getDocument({
            data: bytesOf(doc),
            isEvalSupported: false,
            cMapUrl: assetUrl('cmaps'),
            cMapPacked: true,
            standardFontDataUrl: assetUrl('standard_fonts'),
            wasmUrl: assetUrl('wasm'),
          }).promise,
      )
      .then(
        (d) => {
          loaded = d
          if (gone) void d.destroy()
          else setPdf(d)
        },
        () => {
          if (!gone) setFailed(true)
        },
      )
    return () => {
      gone = true
      if (loaded) void loaded.destroy()
    }
  }, [doc])
  if (failed) return <p className="bad-text">{t('viewer.pdfFailed')}</p>
  if (!pdf) return <p className="muted">{t('viewer.opening')}</p>
  const pages = Array.from({ length: Math.min(shown, pdf.numPages) }, (_, i) => i + 1)
  return (
    <>
      <div className="row viewer-tools">
        <span data-testid="viewer-pages">{t('viewer.pages', { count: pdf.numPages })}</span>
        <button
          type="button"
          onClick={() => setZoom((z) => Math.max(0.5, z - 0.25))}
          aria-label={t('viewer.zoomOut')}
        >
          −
        </button>
        <span>{Math.round(zoom * 100)}%</span>
        <button
          type="button"
          onClick={() => setZoom((z) => Math.min(3, z + 0.25))}
          aria-label={t('viewer.zoomIn')}
        >
          ＋
        </button>
        <button type="button" onClick={() => setZoom(1)}>
          {t('viewer.fitWidth')}
        </button>
      </div>
      <div className="viewer-pages">
        {pages.map((n) => (
          <PdfPage key={n} pdf={pdf} pageNo={n} zoom={zoom} />
        ))}
        {pdf.numPages > shown ? (
          <button type="button" onClick={() => setShown((s) => s + FIRST_PAGES)}>
            {t('viewer.more', { left: pdf.numPages - shown })}
          </button>
        ) : null}
      </div>
    </>
  )
}

function PdfPage(props: { pdf: PdfDocument; pageNo: number; zoom: number }) {
  const { t } = useTranslation()
  const canvas = useRef<HTMLCanvasElement>(null)
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    let task: { cancel: () => void; promise: Promise<unknown> } | null = null
    let gone = false
    void props.pdf.getPage(props.pageNo).then((page) => {
      const el = canvas.current
      if (gone || !el) return
      // Fit the page to the viewer's width at 100 %, sharp on high-density screens.
      const width = box.current?.clientWidth || 800
      const base = page.getViewport({ scale: 1 })
      const scale = (width / base.width) * props.zoom
      const ratio = window.devicePixelRatio || 1
      const viewport = page.getViewport({ scale: scale * ratio })
      el.width = Math.floor(viewport.width)
      el.height = Math.floor(viewport.height)
      el.style.width = `${Math.floor(viewport.width / ratio)}px`
      el.style.height = `${Math.floor(viewport.height / ratio)}px`
      task = page.render({ canvas: el, canvasContext: el.getContext('2d')!, viewport })
      task.promise.then(
        () => el.setAttribute('data-rendered', 'true'),
        // Best effort: a render cancelled by the next page or zoom rejects; the page stays blank until redrawn.
        () => undefined,
      )
    })
    return () => {
      gone = true
      task?.cancel()
    }
  }, [props.pdf, props.pageNo, props.zoom])
  return (
    <div className="viewer-page" ref={box}>
      <canvas ref={canvas} aria-label={t('viewer.pageNo', { n: props.pageNo })} data-page={props.pageNo} />
    </div>
  )
}
