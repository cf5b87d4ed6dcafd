import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { onCoreEvent } from '../../api.ts'

/** A camera plugged in (or pulled out) while the officer is on another page: said for a few seconds. */
export function DeviceToast() {
  const { t } = useTranslation()
  const [note, setNote] = useState<{ text: string; added: boolean } | null>(null)
  useEffect(() => {
    let timer: number | undefined
    const off = onCoreEvent((e) => {
      if (e.type !== 'devices.changed') return
      const added = e.added.length > 0
      const names = (added ? e.added : e.removed).map((d) => d.label).join('、')
      setNote({ text: t(added ? 'ingest.deviceAdded' : 'ingest.deviceRemoved', { names }), added })
      window.clearTimeout(timer)
      timer = window.setTimeout(() => setNote(null), 10_000)
    })
    return () => {
      off()
      window.clearTimeout(timer)
    }
  }, [t])
  if (!note) return null
  return (
    <div className="toast" role="status" data-testid="device-toast">
      {note.text} {note.added ? <a href="#/ingest">{t('ingest.goImport')}</a> : null}
      <button type="button" className="link" onClick={() => setNote(null)} aria-label={t('common.close')}>
        ×
      </button>
    </div>
  )
}
