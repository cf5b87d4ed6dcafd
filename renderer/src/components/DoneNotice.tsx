import { useCallback, useState, type ReactNode } from 'react'

/*
 * What a step made, said once it is done (issue 20, "confirm, then tell"): a form that only cleared itself left the
 * officer wondering whether the document was registered or the recordings filed. The notice names what was made
 * and offers the way to it (open the document, go to the recordings); the next submission replaces it.
 */

export interface Done {
  text: string
  /** The way to what was made: a button's label and what it does. */
  open?: { label: string; onClick: () => void }
}

export function useDone(): { notice: ReactNode; tell: (done: Done | null) => void } {
  const [done, tell] = useState<Done | null>(null)
  const notice = done ? (
    <p className="banner ok done-notice" role="status" data-testid="done-notice">
      {done.text}
      {done.open ? (
        <button type="button" className="link" onClick={done.open.onClick}>
          {done.open.label}
        </button>
      ) : null}
    </p>
  ) : null
  return { notice, tell: useCallback((d: Done | null) => tell(d), []) }
}
