import { useCallback, useEffect, useState } from 'react'
import { call } from '../api.ts'

/** Thumbnails are made after the copy; ask again a few times until one is there. */
export function Thumbnail({ evidenceId, ready }: { evidenceId: string; ready: boolean }) {
  const [url, setUrl] = useState<string | null>(null)
  const load = useCallback(
    async () => (await call('evidence.thumbnail', { evidenceId })).dataUrl,
    [evidenceId],
  )
  useEffect(() => {
    if (!ready || url) return
    let tries = 0
    let stop = false
    const attempt = () => {
      void load().then(
        (u) => {
          if (stop) return
          if (u) setUrl(u)
          else if (++tries < 5) window.setTimeout(attempt, 1500)
        },
        // Best effort: a picture that cannot be had leaves the grey box; the record's row says the rest.
        () => undefined,
      )
    }
    attempt()
    return () => {
      stop = true
    }
  }, [ready, url, load])
  return url ? <img className="thumb" src={url} alt="" /> : <span className="thumb thumb-empty" />
}
