import { useCallback, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput, User } from '../../shared/contract.ts'
import type { AppErrorValue } from '../../shared/errors.ts'
import { translateError } from '../../shared/i18n/index.ts'
import { call, hasSession, onAuthProblem, setSession } from './api.ts'
import { CenteredCard, errorValueOf } from './components/common.tsx'
import { LanguageSwitch } from './components/LanguageSwitch.tsx'
import { ChangePasswordForm } from './features/account/ChangePassword.tsx'
import { Lock } from './features/account/LockPage.tsx'
import { Setup } from './features/account/SetupPage.tsx'
import { Shell } from './app/Shell.tsx'
import { SignIn } from './features/account/SignInPage.tsx'

type State =
  | { kind: 'loading' }
  | { kind: 'fatal'; error: AppErrorValue }
  | { kind: 'setup' }
  | { kind: 'signIn'; notice: string | null }
  | { kind: 'changePassword'; user: User; idleLockMinutes: number }
  | { kind: 'locked'; user: User; idleLockMinutes: number }
  | { kind: 'ready'; user: User; idleLockMinutes: number }

/** Top-level state machine: what the whole window shows follows from the core's answers. */
export function App() {
  const { t } = useTranslation()
  const [state, setState] = useState<State>({ kind: 'loading' })
  const [agencyName, setAgencyName] = useState<string | null>(null)

  const fromSession = useCallback(
    (s: { user: User; mustChangePassword: boolean; idleLockMinutes: number; locked?: boolean }) => {
      if (s.locked) setState({ kind: 'locked', user: s.user, idleLockMinutes: s.idleLockMinutes })
      else if (s.mustChangePassword)
        setState({ kind: 'changePassword', user: s.user, idleLockMinutes: s.idleLockMinutes })
      else setState({ kind: 'ready', user: s.user, idleLockMinutes: s.idleLockMinutes })
    },
    [],
  )

  const boot = useCallback(async () => {
    try {
      const info = await call('system.info', {})
      setAgencyName(info.agency?.name ?? null)
      if (!info.initialized) return setState({ kind: 'setup' })
      if (!hasSession()) return setState({ kind: 'signIn', notice: null })
      try {
        fromSession(await call('auth.me', {}))
      } catch {
        setSession(null)
        setState({ kind: 'signIn', notice: null })
      }
    } catch (e) {
      setState({ kind: 'fatal', error: errorValueOf(e) })
    }
  }, [fromSession])

  useEffect(() => {
    void boot()
  }, [boot])

  // Any call can learn that the session is gone, locked or needs a new password.
  useEffect(
    () =>
      onAuthProblem((e) => {
        if (e.code === 'UNAUTHENTICATED') {
          setSession(null)
          setState({ kind: 'signIn', notice: translateError(t, e) })
        } else {
          // Best effort: the session's state read again; a failure of this read is itself an auth problem.
          void call('auth.me', {}).then(fromSession, () => undefined)
        }
      }),
    [t, fromSession],
  )

  const signOut = useCallback(async () => {
    // Best effort: signed out here whatever the core answers (it ends an unheard session itself).
    await call('auth.signOut', {}).catch(() => undefined)
    setSession(null)
    // The next person to sign in starts at home, not on the page the last one left open.
    history.replaceState(null, '', `${location.pathname}${location.search}#/`)
    setState({ kind: 'signIn', notice: null })
  }, [])

  const lock = useCallback(async () => {
    // Best effort: the screen locks whatever the core answers (it locks an idle session itself).
    await call('auth.lock', {}).catch(() => undefined)
    setState((s) => (s.kind === 'ready' ? { ...s, kind: 'locked' } : s))
  }, [])

  useIdleLock(state.kind === 'ready' ? state.idleLockMinutes : null, lock)

  let body
  switch (state.kind) {
    case 'loading':
      body = <CenteredCard title={t('common.loading')}>{null}</CenteredCard>
      break
    case 'fatal':
      body = (
        <CenteredCard title={t('app.name')}>
          <p className="error" role="alert">
            {translateError(t, state.error)}
          </p>
        </CenteredCard>
      )
      break
    case 'setup':
      body = (
        <Setup
          onDone={() => {
            setState({ kind: 'signIn', notice: t('setup.done') })
            void call('system.info', {}).then((i) => setAgencyName(i.agency?.name ?? null))
          }}
        />
      )
      break
    case 'signIn':
      body = (
        <SignIn
          agencyName={agencyName}
          notice={state.notice}
          onSignedIn={(s: MethodOutput<'auth.signIn'>) => fromSession(s)}
        />
      )
      break
    case 'changePassword':
      body = (
        <CenteredCard title={t('changePassword.title')}>
          <ChangePasswordForm
            forced
            onDone={() =>
              setState({
                kind: 'ready',
                user: { ...state.user, mustChangePassword: false },
                idleLockMinutes: state.idleLockMinutes,
              })
            }
            onCancel={signOut}
          />
        </CenteredCard>
      )
      break
    case 'locked':
      body = (
        <Lock
          displayName={state.user.displayName}
          onUnlocked={() => setState({ ...state, kind: 'ready' })}
          onSignOut={signOut}
        />
      )
      break
    case 'ready':
      body = <Shell user={state.user} agencyName={agencyName ?? ''} onLock={lock} onSignOut={signOut} />
      break
  }
  return (
    <>
      {state.kind !== 'ready' ? (
        <div className="floating-lang">
          <LanguageSwitch />
        </div>
      ) : null}
      {body}
    </>
  )
}

/** Lock the session after the agency's idle period without keyboard or mouse input. */
function useIdleLock(minutes: number | null, lock: () => void): void {
  const timer = useRef<number | undefined>(undefined)
  useEffect(() => {
    if (minutes === null) return
    let lastPing = Date.now()
    const reset = () => {
      window.clearTimeout(timer.current)
      timer.current = window.setTimeout(lock, minutes * 60_000)
      // The core locks sessions it has not heard from; tell it the officer is still at the desk.
      if (Date.now() - lastPing > 60_000) {
        lastPing = Date.now()
        // Best effort: a keep-alive; a failure is learnt by the next real call.
        void call('auth.me', {}).catch(() => undefined)
      }
    }
    const events = ['mousedown', 'mousemove', 'keydown', 'wheel', 'touchstart'] as const
    for (const e of events) window.addEventListener(e, reset, { passive: true })
    reset()
    return () => {
      window.clearTimeout(timer.current)
      for (const e of events) window.removeEventListener(e, reset)
    }
  }, [minutes, lock])
}
