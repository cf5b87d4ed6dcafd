import { useCallback, useRef, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

/*
 * One confirmation for every step that cannot be taken back (advancing a case's stage, an archive exception,
 * writing a disc, approving access, signing an opinion): it names the consequence in a sentence and waits for a second, deliberate
 * click. Cancel has the focus, so Enter or Escape pressed out of habit does nothing irreversible.
 */

export interface ConfirmRequest {
  title: string
  /** What will happen and what cannot be undone, as a sentence. */
  consequence: string
  /** The confirm button's text: the action named again (确认写入), never a bare 确定. */
  confirm: string
  /** What the step is about, shown under the consequence (e.g. the request's applicant, scope and period). */
  details?: ReactNode
  /** Room for a document in the details (the opinion to be signed, shown page by page). */
  wide?: boolean
}

export function useConfirm(): { dialog: ReactNode; ask: (request: ConfirmRequest) => Promise<boolean> } {
  const { t } = useTranslation()
  const [request, setRequest] = useState<ConfirmRequest | null>(null)
  const answer = useRef<((yes: boolean) => void) | null>(null)
  const ask = useCallback(
    (r: ConfirmRequest) =>
      new Promise<boolean>((resolve) => {
        answer.current?.(false)
        answer.current = resolve
        setRequest(r)
      }),
    [],
  )
  const close = (yes: boolean) => {
    answer.current?.(yes)
    answer.current = null
    setRequest(null)
  }
  const dialog = request ? (
    <div className="viewer-overlay" onKeyDown={(e) => e.key === 'Escape' && close(false)}>
      <div
        className={request.wide ? 'panel confirm wide' : 'panel confirm'}
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        aria-describedby="confirm-consequence"
      >
        <h3 id="confirm-title">{request.title}</h3>
        <p id="confirm-consequence">{request.consequence}</p>
        {request.details ? <div className="confirm-details">{request.details}</div> : null}
        <div className="actions">
          <button type="button" className="primary" onClick={() => close(true)}>
            {request.confirm}
          </button>
          <button type="button" onClick={() => close(false)} autoFocus>
            {t('common.cancel')}
          </button>
        </div>
      </div>
    </div>
  ) : null
  return { dialog, ask }
}
