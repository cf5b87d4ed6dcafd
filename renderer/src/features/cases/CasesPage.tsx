import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import {
  CASE_SOURCES,
  CONFIDENTIALITY,
  STAGE_CODES,
  caseProblemText,
  type Case,
} from '../../../../shared/cases.ts'
import { type MethodInput, type MethodOutput } from '../../../../shared/contract.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import type { Role } from '../../../../shared/roles.ts'
import { checkCreditCode, checkResidentId } from '../../../../shared/identity.ts'
import { call } from '../../api.ts'
import { ErrorText, Field, formatCaptureTime, useSubmit } from '../../components/common.tsx'
import { MediaPlayer } from '../../components/MediaPlayer.tsx'
import { useConfirm } from '../../components/ConfirmDialog.tsx'
import { Thumbnail } from '../../components/Thumbnail.tsx'
import { RequestAccess } from '../access/RequestAccess.tsx'
import { CaseReview } from './CaseReview.tsx'
import { CaseDocuments } from './CaseDocuments.tsx'
import { ArchivedNotice, CaseChanges } from './CaseChanges.tsx'
import { TagRecords } from './CaseTagging.tsx'
import { AddTextRecord } from './CaseAddDocument.tsx'
import { QueryError, useCall } from '../../query.tsx'
import { href } from '../../app/pages.ts'
import { useOfficers } from '../../components/officers.ts'

type Catalogue = MethodOutput<'cases.catalogue'>
type CaseView = MethodOutput<'cases.get'>

const PAGE = 50
const TIMELINE = [...STAGE_CODES, 'closed'] as const

function useCatalogue(): Catalogue | null {
  return useCall('cases.catalogue', {}).data ?? null
}

/** 案件: the list with search, a new-case form, and each case's page (#/cases/<id>). */
export function CasesPage({ sub, roles }: { sub: string; roles: readonly Role[] }) {
  if (sub === 'new') return <NewCase />
  if (sub) return <CasePage caseId={sub} roles={roles} />
  return <CaseList />
}

function CaseList() {
  const { t } = useTranslation()
  const [query, setQuery] = useState('')
  const [stage, setStage] = useState('')
  const [offset, setOffset] = useState(0)
  const [result, setResult] = useState<MethodOutput<'cases.list'> | null>(null)
  const load = useSubmit()
  const { run } = load
  const search = useCallback(
    (q: string, s: string, o: number) =>
      run(async () =>
        setResult(
          await call('cases.list', {
            limit: PAGE,
            offset: o,
            ...(q.trim() ? { query: q.trim() } : {}),
            ...(s ? { stage: s as Case['stage'] } : {}),
          }),
        ),
      ),
    [run],
  )
  useEffect(() => {
    void search('', '', 0)
  }, [search])

  return (
    <section>
      <div className="page-head">
        <h2>{t('cases.title')}</h2>
        <a className="button primary" href="#/cases/new">
          {t('cases.new')}
        </a>
      </div>
      <form
        className="panel row"
        onSubmit={(e) => {
          e.preventDefault()
          setOffset(0)
          void search(query, stage, 0)
        }}
      >
        <input
          name="query"
          className="grow"
          value={query}
          placeholder={t('cases.searchHint')}
          onChange={(e) => setQuery(e.target.value)}
        />
        <select value={stage} onChange={(e) => setStage(e.target.value)} aria-label={t('cases.stage')}>
          <option value="">{t('cases.allStages')}</option>
          {TIMELINE.map((s) => (
            <option key={s} value={s}>
              {t(`cases.stageName.${s}`)}
            </option>
          ))}
        </select>
        <button type="submit" className="primary">
          {t('cases.search')}
        </button>
      </form>
      <ErrorText error={load.error} />
      <Deadlines />
      {result ? (
        <div className="panel">
          <p className="muted">{t('cases.total', { total: result.total })}</p>
          <table className="table" data-testid="case-list">
            <thead>
              <tr>
                <th>{t('cases.caseNo')}</th>
                <th>{t('cases.type')}</th>
                <th>{t('cases.cause')}</th>
                <th>{t('cases.party')}</th>
                <th>{t('cases.stage')}</th>
                <th>{t('cases.handlers')}</th>
                <th>{t('cases.filedOn')}</th>
              </tr>
            </thead>
            <tbody>
              {result.cases.map((c) => (
                <tr key={c.id}>
                  <td className="nowrap">
                    <a href={href.case(c.id)}>{c.caseNo}</a>
                  </td>
                  <td>{c.typeName}</td>
                  <td>{c.cause}</td>
                  <td>{c.party.name}</td>
                  <td>{t(`cases.stageName.${c.stage}`)}</td>
                  <td>{c.handlers.map((h) => h.name).join('、')}</td>
                  <td className="nowrap">{c.filedOn}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.total > PAGE ? (
            <div className="row">
              <button
                disabled={offset === 0}
                onClick={() => {
                  const o = Math.max(0, offset - PAGE)
                  setOffset(o)
                  void search(query, stage, o)
                }}
              >
                {t('cases.prev')}
              </button>
              <span className="muted">
                {offset + 1}–{Math.min(result.total, offset + PAGE)} / {result.total}
              </span>
              <button
                disabled={offset + PAGE >= result.total}
                onClick={() => {
                  const o = offset + PAGE
                  setOffset(o)
                  void search(query, stage, o)
                }}
              >
                {t('cases.next')}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  )
}

/** What is due and overdue across the cases this user sees. */
function Deadlines() {
  const { t } = useTranslation()
  const q = useCall('cases.deadlines', {})
  const d = q.data
  if (q.error) return <QueryError query={q} />
  if (!d || (!d.items.length && !d.lateIngests)) return null
  return (
    <div className="panel" data-testid="deadlines">
      <h3>{t('cases.dueTitle')}</h3>
      <ul className="problems">
        {d.items.map((i) => (
          <li
            key={`${i.kind}-${i.caseId}`}
            className={i.overdue ? 'bad-text' : i.daysLeft <= 7 ? 'warn-text' : undefined}
          >
            <a href={href.case(i.caseId)}>{i.caseNo}</a> {t(`cases.deadline.${i.kind}`, { due: i.due })}{' '}
            {i.overdue
              ? t('cases.overdueDays', { days: -i.daysLeft })
              : t('cases.daysLeft', { days: i.daysLeft })}
          </li>
        ))}
        {d.lateIngests ? (
          <li className="warn-text">{t('cases.lateIngests', { count: d.lateIngests })}</li>
        ) : null}
      </ul>
    </div>
  )
}

/** The check digit is verified while typing; the core checks again and has the last word. */
function idProblem(kind: 'person' | 'organisation', idNo: string): string | null {
  if (!idNo.trim()) return null
  const r = kind === 'person' ? checkResidentId(idNo) : checkCreditCode(idNo)
  return r.ok ? null : `${kind === 'person' ? 'residentId' : 'creditCode'}.${r.reason}`
}

function NewCase() {
  const { t } = useTranslation()
  const catalogue = useCatalogue()
  const { officers, query: officersQ } = useOfficers()
  const [form, setForm] = useState({
    type: 'penalty',
    cause: '',
    source: 'ex_officio' as (typeof CASE_SOURCES)[number],
    partyKind: 'organisation' as 'person' | 'organisation',
    partyName: '',
    partyId: '',
    handlerIds: [] as string[],
    confidentiality: 'general' as (typeof CONFIDENTIALITY)[number],
    major: false,
  })
  const save = useSubmit()
  const problem = idProblem(form.partyKind, form.partyId)
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => setForm({ ...form, [k]: v })

  return (
    <section>
      <h2>{t('cases.new')}</h2>
      <form
        className="panel"
        aria-label={t('cases.new')}
        onSubmit={save.onSubmit(async () => {
          const input: MethodInput<'cases.create'> = {
            type: form.type,
            cause: form.cause,
            source: form.source,
            party: {
              kind: form.partyKind,
              name: form.partyName,
              ...(form.partyId.trim() ? { idNo: form.partyId.trim() } : {}),
            },
            handlerIds: form.handlerIds,
            confidentiality: form.confidentiality,
            major: form.major,
          }
          const r = await call('cases.create', input)
          location.hash = href.case(r.case.id)
        })}
      >
        <div className="grid">
          <Field label={t('cases.type')}>
            <select name="type" value={form.type} onChange={(e) => set('type', e.target.value)}>
              {catalogue?.caseTypes.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('cases.source')}>
            <select
              name="source"
              value={form.source}
              onChange={(e) => set('source', e.target.value as typeof form.source)}
            >
              {CASE_SOURCES.map((s) => (
                <option key={s} value={s}>
                  {t(`cases.sourceName.${s}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('cases.confidentiality')}>
            <select
              name="confidentiality"
              value={form.confidentiality}
              onChange={(e) => set('confidentiality', e.target.value as typeof form.confidentiality)}
            >
              {CONFIDENTIALITY.map((s) => (
                <option key={s} value={s}>
                  {t(`cases.confidentialityName.${s}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <Field label={t('cases.cause')} hint={t('cases.causeHint')}>
          <input name="cause" value={form.cause} onChange={(e) => set('cause', e.target.value)} required />
        </Field>
        <div className="grid">
          <Field label={t('cases.partyKind')}>
            <select
              name="partyKind"
              value={form.partyKind}
              onChange={(e) => set('partyKind', e.target.value as 'person' | 'organisation')}
            >
              <option value="organisation">{t('cases.organisation')}</option>
              <option value="person">{t('cases.person')}</option>
            </select>
          </Field>
          <Field label={t('cases.partyName')}>
            <input
              name="partyName"
              value={form.partyName}
              onChange={(e) => set('partyName', e.target.value)}
              required
            />
          </Field>
          <Field label={form.partyKind === 'person' ? t('cases.residentId') : t('cases.creditCode')}>
            <input name="partyId" value={form.partyId} onChange={(e) => set('partyId', e.target.value)} />
          </Field>
        </div>
        {problem ? (
          <p className="error" role="alert">
            {t(`cases.idProblem.${problem}`)}
          </p>
        ) : null}
        <fieldset className="checks">
          <legend>{t('cases.handlersHint')}</legend>
          {officers.map((o) => (
            <label key={o.id}>
              <input
                type="checkbox"
                checked={form.handlerIds.includes(o.id)}
                onChange={(e) =>
                  set(
                    'handlerIds',
                    e.target.checked ? [...form.handlerIds, o.id] : form.handlerIds.filter((x) => x !== o.id),
                  )
                }
              />
              {o.name}
              {o.badgeNo ? <span className="muted">（{o.badgeNo}）</span> : null}
            </label>
          ))}
        </fieldset>
        <label className="inline">
          <input type="checkbox" checked={form.major} onChange={(e) => set('major', e.target.checked)} />
          {t('cases.major')}
        </label>
        <QueryError query={officersQ} />
        <ErrorText error={save.error} />
        <div className="row">
          <button
            type="submit"
            className="primary"
            disabled={save.busy || !!problem || form.handlerIds.length < 2}
          >
            {t('cases.create')}
          </button>
          <a href="#/cases">{t('common.cancel')}</a>
        </div>
      </form>
    </section>
  )
}

function CasePage({ caseId, roles }: { caseId: string; roles: readonly Role[] }) {
  const { t } = useTranslation()
  const catalogue = useCatalogue()
  // Read again after every action on the page (the query layer), and when a grant of the caller's on the case
  // begins or ends, so a page left open never shows what the calendar has since taken away.
  // Not on window focus: every reading of a case is a line in its access log, and alt-tab is not a reading.
  const caseQ = useCall('cases.get', { caseId }, { refetchOnFocus: false })
  const view: CaseView | null = caseQ.data ?? null
  const recheckInMs = view?.recheckInMs ?? null
  const { refetch } = caseQ
  useEffect(() => {
    if (recheckInMs === null) return
    // A second past the boundary (a grant ends when the clock reaches its end), at most a day ahead (the timer's
    // own limit is 24.8 days); the read then sets the next.
    const timer = setTimeout(() => void refetch(), Math.min(recheckInMs + 1000, 86_400_000))
    return () => clearTimeout(timer)
  }, [recheckInMs, refetch])
  const [playing, setPlaying] = useState<{ evidenceId: string; name: string } | null>(null)
  const [requested, setRequested] = useState(false)
  const advance = useSubmit()
  const confirm = useConfirm()

  // A failed read shows the failure, never the last answer: a grant that ended may have been the only reason the
  // page could be read at all (the query layer keeps the last data through a failed read).
  if (caseQ.error || !view) return <QueryError query={caseQ} />
  const c = view.case
  const actionName = (code: string | null) =>
    catalogue?.actionTypes.find((a) => a.code === code)?.name ?? code ?? '—'
  const current = TIMELINE.indexOf(c.stage)
  // Filing work (documents, tags, stages) is for records officers and the case's own officers.
  const filer = !view.restricted && mayCall('cases.update', roles)
  const next = TIMELINE[current + 1]

  return (
    <section data-testid="case-page">
      <div className="page-head">
        <h2>
          {c.caseNo} <span className="muted">{c.typeName}</span>
        </h2>
        <a href="#/cases">{t('cases.backToList')}</a>
      </div>
      <div className="panel">
        <dl className="facts">
          <dt>{t('cases.cause')}</dt>
          <dd>{c.cause}</dd>
          <dt>{t('cases.party')}</dt>
          <dd>
            {c.party.name}
            {c.party.idNo ? <span className="mono">（{c.party.idNo}）</span> : null}
          </dd>
          <dt>{t('cases.source')}</dt>
          <dd>{t(`cases.sourceName.${c.source}`)}</dd>
          <dt>{t('cases.handlers')}</dt>
          <dd>{c.handlers.map((h) => `${h.name}${h.badgeNo ? `（${h.badgeNo}）` : ''}`).join('、')}</dd>
          <dt>{t('cases.confidentiality')}</dt>
          <dd>
            {t(`cases.confidentialityName.${c.confidentiality}`)}
            {c.major ? ` · ${t('cases.major')}` : ''}
          </dd>
          <dt>{t('cases.filedOn')}</dt>
          <dd>{c.filedOn}</dd>
        </dl>
        <ol className="timeline" aria-label={t('cases.stage')}>
          {TIMELINE.map((s, i) => (
            <li key={s} className={i < current ? 'done' : i === current ? 'current' : ''}>
              {t(`cases.stageName.${s}`)}
            </li>
          ))}
        </ol>
        {next && filer ? (
          <button
            type="button"
            disabled={advance.busy}
            onClick={async () => {
              const stage = t(`cases.stageName.${next}`)
              const yes = await confirm.ask({
                title: t('cases.advance', { stage }),
                consequence: t('cases.advanceConsequence', { stage }),
                confirm: t('cases.advanceConfirm'),
              })
              if (yes) await advance.run(() => call('cases.update', { caseId: c.id, stage: next }))
            }}
          >
            {t('cases.advance', { stage: t(`cases.stageName.${next}`) })}
          </button>
        ) : null}
        {confirm.dialog}
        <ErrorText error={advance.error} />
      </div>

      <ArchivedNotice c={c} archive={view.archive} roles={roles} filer={filer} />

      <CaseChanges c={c} roles={roles} filer={filer} />

      <CaseReview c={c} roles={roles} filer={filer} />

      <div className="panel" data-testid="case-check">
        <h3>{t('cases.checklist')}</h3>
        {view.check.complete ? (
          <p className="banner ok">{t('cases.complete')}</p>
        ) : (
          <ul className="problems">
            {view.check.problems.map((p, i) => (
              <li key={i} className="bad-text">
                {p.stage ? <span className="chip">{t(`cases.stageName.${p.stage}`)}</span> : null}
                {caseProblemText(t, p)}
              </li>
            ))}
          </ul>
        )}
        {c.archiveException ? (
          <p className="muted">{t('cases.exceptionRecorded', { text: c.archiveException })}</p>
        ) : null}
        {!view.check.complete && !c.archiveException && mayCall('cases.archiveException', roles) ? (
          <ArchiveException caseId={c.id} />
        ) : null}
        {view.check.deadlines.map((d) => (
          <p key={d.kind} className={d.overdue ? 'bad-text' : 'muted'}>
            {t(`cases.deadline.${d.kind}`, { due: d.due })}
            {d.uncertain ? ` ${t('cases.deadlineUncertain', { years: d.unknownYears.join('、') })}` : ''}
          </p>
        ))}
      </div>

      {view.restricted ? (
        requested ? (
          <p className="banner ok" role="status">
            {t('access.requested')}
          </p>
        ) : (
          <>
            <p className="banner warn">{t('access.restricted')}</p>
            <RequestAccess caseId={c.id} onDone={() => setRequested(true)} />
          </>
        )
      ) : null}
      {/* Only while the recording is still on the page: when a grant ends, its player goes with it. */}
      {playing && view.records.some((r) => r.evidenceId === playing.evidenceId) ? (
        <MediaPlayer {...playing} onClose={() => setPlaying(null)} />
      ) : null}

      <div className="panel" id="case-records">
        <h3>{t('cases.records')}</h3>
        {view.records.length === 0 ? <p className="muted">{t('cases.noRecords')}</p> : null}
        {[...STAGE_CODES, null].map((stage) => {
          const rs = view.records.filter((r) => r.tags.stage === stage)
          if (!rs.length) return null
          return (
            <div key={stage ?? 'none'} className="stage-group">
              <h4>{stage ? t(`cases.stageName.${stage}`) : t('cases.noStage')}</h4>
              <table className="table" data-testid="case-records">
                <tbody>
                  {rs.map((r) => (
                    <tr key={r.evidenceId}>
                      <td>
                        <Thumbnail evidenceId={r.evidenceId} ready />
                      </td>
                      <td>
                        <strong>{r.originalName}</strong>
                        <div className="muted">
                          {actionName(r.tags.actionType)}
                          {r.tags.fullRecording ? ` · ${t('cases.fullRecording')}` : ''}
                        </div>
                      </td>
                      <td className="nowrap">{formatCaptureTime(r.tags.captureStart)}</td>
                      <td>{r.tags.place ?? '—'}</td>
                      <td>{r.tags.fact ?? '—'}</td>
                      <td>
                        <button
                          type="button"
                          onClick={() => setPlaying({ evidenceId: r.evidenceId, name: r.originalName })}
                        >
                          {r.mediaType === 'photo' ? t('cases.view') : t('cases.play')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        })}
      </div>

      <CaseDocuments
        records={view.textRecords}
        stageName={(stage) => t(`cases.stageName.${stage}`)}
        filer={filer}
        restricted={view.restricted}
      />

      {catalogue && filer ? <AddTextRecord caseId={c.id} catalogue={catalogue} /> : null}
      {catalogue && filer ? <TagRecords caseView={view} catalogue={catalogue} /> : null}
    </section>
  )
}

function ArchiveException({ caseId }: { caseId: string }) {
  const { t } = useTranslation()
  const [reason, setReason] = useState('')
  const s = useSubmit()
  const confirm = useConfirm()
  return (
    <form
      className="sub-panel"
      onSubmit={async (e) => {
        e.preventDefault()
        const yes = await confirm.ask({
          title: t('cases.recordException'),
          consequence: t('cases.exceptionConsequence'),
          confirm: t('cases.exceptionConfirm'),
          details: <p>{t('cases.exceptionReasonShown', { reason })}</p>,
        })
        if (yes) await s.run(() => call('cases.archiveException', { caseId, reason }))
      }}
    >
      {confirm.dialog}
      <Field label={t('cases.exception')} hint={t('cases.exceptionHint')}>
        <input name="exceptionReason" value={reason} onChange={(e) => setReason(e.target.value)} required />
      </Field>
      <ErrorText error={s.error} />
      <button type="submit">{t('cases.recordException')}</button>
    </form>
  )
}
