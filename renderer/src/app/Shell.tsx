import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { User } from '../../../shared/contract.ts'
import { LanguageSwitch } from '../components/LanguageSwitch.tsx'
import { DeviceToast } from '../features/ingest/DeviceToast.tsx'
import { AuditPage } from '../features/audit/AuditPage.tsx'
import { ChangePasswordForm } from '../features/account/ChangePassword.tsx'
import { PAGES, canOpen, href, routeOf, type PageId } from './pages.ts'
import { SettingsPage } from '../features/settings/SettingsPage.tsx'
import { IngestPage } from '../features/ingest/IngestPage.tsx'
import { CasesPage } from '../features/cases/CasesPage.tsx'
import { AccessPage } from '../features/access/AccessPage.tsx'
import { ArchivePage } from '../features/archive/ArchivePage.tsx'
import { StatsPage } from '../features/stats/StatsPage.tsx'
import { ReviewPage } from '../features/review/ReviewPage.tsx'
import { DisclosurePage } from '../features/disclosure/DisclosurePage.tsx'
import { RecordsPage } from '../features/records/RecordsPage.tsx'
import { TODO_TARGET, todoHref, useTodoCounts, type TodoItem } from '../components/todo.ts'

/** The page and its tab or case from the address, read again whenever it changes. */
function useRoute(): { page: string; sub: string } {
  const [route, setRoute] = useState(() => routeOf(location.hash))
  useEffect(() => {
    const on = () => setRoute(routeOf(location.hash))
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return route
}

export function Shell(props: { user: User; agencyName: string; onLock: () => void; onSignOut: () => void }) {
  const { t } = useTranslation()
  const { page: route, sub } = useRoute()
  const [changing, setChanging] = useState(false)
  const page = PAGES.find((p) => p.id === route)
  const visible = PAGES.filter((p) => canOpen(p, props.user.roles))
  const todo = useTodoCounts()

  let content
  if (changing) {
    content = (
      <section className="panel narrow">
        <h2>{t('changePassword.title')}</h2>
        <ChangePasswordForm
          forced={false}
          onDone={() => setChanging(false)}
          onCancel={() => setChanging(false)}
        />
      </section>
    )
  } else if (!page) {
    content = <Home user={props.user} todo={todo} />
  } else if (!canOpen(page, props.user.roles)) {
    content = (
      <section className="panel narrow" data-testid="denied">
        <h2>{t('denied.title')}</h2>
        <p>{t('denied.body', { page: t(`nav.${page.id}`) })}</p>
      </section>
    )
  } else {
    content = <PageContent id={page.id} user={props.user} sub={sub} />
  }

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="main">
        <a className="sidebar-brand" href="#/">
          <span className="brand-mark">{t('app.name')}</span>
        </a>
        {visible.map((p) => {
          const waiting = (todo ?? []).filter((i) => i.count > 0 && TODO_TARGET[i.key].page === p.id)
          const n = waiting.reduce((sum, i) => sum + i.count, 0)
          return (
            <a key={p.id} href={href.page(p.id)} className={p.id === route ? 'nav-item active' : 'nav-item'}>
              <span className="nav-label">{t(`nav.${p.id}`)}</span>
              {n ? (
                <span
                  className="nav-badge"
                  data-testid={`badge-${p.id}`}
                  title={waiting
                    .map((i) => t('todo.line', { what: t(`todo.${i.key}`), count: i.count }))
                    .join('；')}
                >
                  {n}
                </span>
              ) : null}
            </a>
          )
        })}
      </nav>
      <div className="main">
        <header className="topbar">
          <span className="agency">{props.agencyName}</span>
          <span className="spacer" />
          <span className="user" data-testid="current-user">
            {props.user.displayName}
          </span>
          <button className="link" onClick={() => setChanging(true)}>
            {t('changePassword.title')}
          </button>
          <button className="link" onClick={props.onLock}>
            {t('lock.lockNow')}
          </button>
          <button className="link" onClick={props.onSignOut}>
            {t('signIn.signOut')}
          </button>
          <LanguageSwitch />
        </header>
        <DeviceToast />
        <main className="content">{content}</main>
      </div>
    </div>
  )
}

function PageContent({ id, user, sub }: { id: PageId; user: User; sub: string }) {
  switch (id) {
    case 'audit':
      return <AuditPage roles={user.roles} />
    case 'settings':
      return <SettingsPage currentUserId={user.id} />
    case 'ingest':
      return <IngestPage roles={user.roles} sub={sub} />
    case 'cases':
      return <CasesPage sub={sub} roles={user.roles} />
    case 'records':
      return <RecordsPage roles={user.roles} />
    case 'access':
      return <AccessPage roles={user.roles} userId={user.id} />
    case 'stats':
      return <StatsPage />
    case 'review':
      return <ReviewPage roles={user.roles} userId={user.id} />
    case 'disclosure':
      return <DisclosurePage roles={user.roles} />
    case 'archive':
      return <ArchivePage roles={user.roles} userId={user.id} />
    default: {
      // Every page has its screen; a new page id must get one here.
      const missing: never = id
      return missing
    }
  }
}

function Home({ user, todo }: { user: User; todo: TodoItem[] | null }) {
  const { t } = useTranslation()
  return (
    <section className="panel narrow">
      <h2>{t('home.welcome', { name: user.displayName })}</h2>
      <p>
        {t('home.rolesLine', {
          roles: user.roles.map((r) => t(`roles.${r}`)).join(t('validation.fieldSep')),
        })}
      </p>
      {todo?.length ? <TodoList user={user} items={todo} /> : null}
      <h3>{t('home.hintsTitle')}</h3>
      <ul className="hints">
        {user.roles.map((r) => (
          <li key={r}>{t(`home.hint.${r}`)}</li>
        ))}
      </ul>
    </section>
  )
}

/** What waits for this user, each count a link to the page where the work is done. */
function TodoList({ user, items }: { user: User; items: TodoItem[] }) {
  const { t } = useTranslation()
  return (
    <div className="todo" data-testid="todo">
      <h3>{t('todo.title')}</h3>
      <ul className="todo-list">
        {items.map((i) => {
          const page = PAGES.find((p) => p.id === TODO_TARGET[i.key].page)
          const body = (
            <>
              <span>{t(`todo.${i.key}`)}</span>
              <strong className={i.count ? 'todo-count due' : 'todo-count'}>{i.count}</strong>
            </>
          )
          return (
            <li key={i.key} data-testid={`todo-${i.key}`}>
              {page && canOpen(page, user.roles) ? (
                <a href={todoHref(i.key)}>{body}</a>
              ) : (
                <span title={t('todo.elsewhere')}>{body}</span>
              )}
            </li>
          )
        })}
      </ul>
      {items.every((i) => i.count === 0) ? <p className="muted">{t('todo.none')}</p> : null}
    </div>
  )
}
