import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../shared/contract.ts'
import { call, mediaUrl } from '../api.ts'
import { ErrorText, useSubmit } from './common.tsx'

/*
 * A recording opened for viewing: media.open asks the gate (and logs the view or the refusal), and the bytes come
 * through the ticket it returns — the Electron protocol or the bridge's /media route, each range checked again.
 */

/** The positions watched go into the access log (pause and end both fire a pause event). */
function reportWatched(evidenceId: string, el: HTMLMediaElement): void {
  const ranges: [number, number][] = []
  for (let i = 0; i < el.played.length && i < 200; i++) ranges.push([el.played.start(i), el.played.end(i)])
  // Best effort: what was watched is logged when the player closes; a failure must not keep it open.
  if (ranges.length) void call('media.progress', { evidenceId, ranges }).catch(() => undefined)
}

export function MediaPlayer(props: { evidenceId: string; name: string; onClose: () => void }) {
  const { t } = useTranslation()
  const [media, setMedia] = useState<MethodOutput<'media.open'> | null>(null)
  const open = useSubmit({ changes: false })
  const { run } = open
  useEffect(() => {
    void run(async () => setMedia(await call('media.open', { evidenceId: props.evidenceId })))
  }, [run, props.evidenceId])
  return (
    <div className="panel player" data-testid="player">
      <div className="page-head">
        <h3>{props.name}</h3>
        <button type="button" onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
      {open.busy ? <p className="muted">{t('cases.preparing')}</p> : null}
      <ErrorText error={open.error} />
      {media?.mediaType === 'photo' ? (
        <img className="media" src={mediaUrl(media.ticket)} alt={props.name} />
      ) : null}
      {media?.mediaType === 'video' ? (
        <video
          className="media"
          src={mediaUrl(media.ticket)}
          controls
          autoPlay
          muted
          data-testid="video"
          onPause={(e) => reportWatched(props.evidenceId, e.currentTarget)}
        />
      ) : null}
      {media?.mediaType === 'audio' ? (
        <audio
          src={mediaUrl(media.ticket)}
          controls
          autoPlay
          onPause={(e) => reportWatched(props.evidenceId, e.currentTarget)}
        />
      ) : null}
      {media?.preview ? <p className="muted">{t('cases.previewNote')}</p> : null}
    </div>
  )
}
