import { useCallback, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { RECORD_LIST_FLAGS, type MethodInput, type MethodOutput } from '../../../../shared/contract.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import type { AppErrorValue } from '../../../../shared/errors.ts'
import type { Role } from '../../../../shared/roles.ts'
import { call } from '../../api.ts'
import { CasePicker, type PickedCase } from '../../components/CasePicker.tsx'
import { ErrorText, Field, errorValueOf, formatCaptureTime, formatTime } from '../../components/common.tsx'
import { DateInput } from '../../components/DateInput.tsx'
import { MediaPlayer } from '../../components/MediaPlayer.tsx'
import { useRowWindow } from '../../components/useRowWindow.ts'
import { FiledNotice, RecordsTagBar, type Filed } from './RecordsTagBar.tsx'
import { href } from '../../app/pages.ts'
import { useOfficers } from '../../components/officers.ts'
import { useCall } from '../../query.tsx'

/*
 * 音像记录: every recording the signed-in user may see (records.list applies the gate's rule in the core), found by
 * date, officer, device, case or 待归案, flag and text (partial case numbers, places, facts, file names); a page of
 * 100 at a time as the list scrolls, only the rows in view drawn. Rows are picked for filing into a case together;
 * a click opens the recording through the gate like the case page's 播放.
 */

type Item = MethodOutput<'records.list'>['items'][number]
type Flag = (typeof RECORD_LIST_FLAGS)[number]
type Media = Item['mediaType']

const PAGE = 100
const ROW = 58
const MEDIA: readonly Media[] = ['video', 'audio', 'photo']

interface Filters {
  query: string
  from: string
  to: string
  collectorId: string
  deviceId: string
  mediaType: Media | ''
  caseMode: 'all' | 'unfiled' | 'case'
  picked: PickedCase | null
  flags: Flag[]
  sort: 'capture' | 'ingested'
}

const NO_FILTERS: Filters = {
  query: '',
  from: '',
  to: '',
  collectorId: '',
  deviceId: '',
  mediaType: '',
  caseMode: 'all',
  picked: null,
  flags: [],
  sort: 'capture',
}

/** The filter a to-do link opens the page with (#/records?filter=unfiled, …=late). */
function filtersFromAddress(): Filters {
  const filter = new URLSearchParams(location.hash.split('?')[1] ?? '').get('filter')
  if (filter === 'unfiled') return { ...NO_FILTERS, caseMode: 'unfiled' }
  if (filter === 'late') return { ...NO_FILTERS, flags: ['late_without_reason'] }
  return NO_FILTERS
}

function isFiltered(f: Filters): boolean {
  const { sort: _s, ...rest } = f
  const { sort: _n, ...none } = NO_FILTERS
  return JSON.stringify(rest) !== JSON.stringify(none)
}

function listInput(f: Filters, cursor: string | null): MethodInput<'records.list'> {
  return {
    limit: PAGE,
    sort: f.sort,
    ...(cursor ? { cursor } : {}),
    ...(f.query.trim() ? { query: f.query.trim() } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.collectorId ? { collectorId: f.collectorId } : {}),
    ...(f.deviceId ? { deviceId: f.deviceId } : {}),
    ...(f.mediaType ? { mediaType: f.mediaType } : {}),
    ...(f.caseMode === 'unfiled' ? { unfiled: true } : {}),
    ...(f.caseMode === 'case' && f.picked ? { caseId: f.picked.id } : {}),
    ...(f.flags.length ? { flags: f.flags } : {}),
  }
}

/** Cases to filter by: any the user may see (cases.list), not only those they may file into. */
const visibleCases = async (query: string): Promise<PickedCase[]> =>
  (await call('cases.list', { limit: 10, ...(query ? { query } : {}) })).cases

interface Loaded {
  items: Item[]
  next: string | null
  total: number | null
  seesEvery: boolean
}

export function RecordsPage({ roles }: { roles: readonly Role[] }) {
  const { t } = useTranslation()
  const [filters, setFilters] = useState<Filters>(filtersFromAddress)
  const [queryText, setQueryText] = useState(filters.query)
  const [list, setList] = useState<Loaded | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<AppErrorValue | null>(null)
  const [selected, setSelected] = useState<Map<string, Item>>(new Map())
  const [playing, setPlaying] = useState<{ evidenceId: string; name: string } | null>(null)
  const [reloadKey, setReloadKey] = useState(0)
  const [filed, setFiled] = useState<Filed | null>(null)
  const generation = useRef(0)
  const canFile = mayCall('records.tag', roles)
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }))
  const clearFilters = () => {
    setFilters(NO_FILTERS)
    setQueryText('')
  }

  // A to-do link followed while the page is open sets its filter again.
  useEffect(() => {
    const on = () => {
      if (!location.hash.startsWith('#/records')) return
      const f = filtersFromAddress()
      setFilters(f)
      setQueryText(f.query)
    }
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  // The search asks the core once typing pauses.
  useEffect(() => {
    // The same text again is no new search (a new object would read the first page again).
    const timer = window.setTimeout(
      () => setFilters((f) => (f.query === queryText ? f : { ...f, query: queryText })),
      300,
    )
    return () => window.clearTimeout(timer)
  }, [queryText])

  const loadMore = useRef(() => {})
  const nearEnd = useCallback(() => loadMore.current(), [])
  const rows = useRowWindow(list?.items.length ?? 0, ROW, nearEnd, loading)
  const { reset } = rows
  useEffect(() => {
    const g = ++generation.current
    setLoading(true)
    setError(null)
    reset()
    call('records.list', listInput(filters, null)).then(
      (r) => {
        if (g !== generation.current) return
        setList({ items: r.items, next: r.nextCursor, total: r.total, seesEvery: r.seesEvery })
        setLoading(false)
      },
      (e) => {
        if (g !== generation.current) return
        setList(null)
        setError(errorValueOf(e))
        setLoading(false)
      },
    )
  }, [filters, reloadKey, reset])
  loadMore.current = () => {
    if (!list?.next || loading) return
    const g = generation.current
    setLoading(true)
    call('records.list', listInput(filters, list.next)).then(
      (r) => {
        if (g !== generation.current) return
        setList((l) => l && { ...l, items: [...l.items, ...r.items], next: r.nextCursor })
        setLoading(false)
      },
      (e) => {
        if (g !== generation.current) return
        setError(errorValueOf(e))
        setLoading(false)
      },
    )
  }

  const toggle = useCallback((item: Item, on: boolean) => {
    setSelected((s) => {
      const next = new Map(s)
      if (on) next.set(item.evidenceId, item)
      else next.delete(item.evidenceId)
      return next
    })
  }, [])
  const items = list?.items ?? []
  const allLoadedChosen = items.length > 0 && items.every((i) => selected.has(i.evidenceId))

  return (
    <section data-testid="records-page">
      <div className="page-head">
        <h2>{t('records.title')}</h2>
        {list?.total != null ? (
          <span className="muted" data-testid="records-total">
            {t('records.total', { count: list.total })}
          </span>
        ) : null}
      </div>
      <RecordFilters
        filters={filters}
        set={set}
        queryText={queryText}
        setQueryText={setQueryText}
        roles={roles}
        onClear={clearFilters}
      />
      {canFile && selected.size ? (
        <RecordsTagBar
          chosen={[...selected.values()]}
          onClear={() => setSelected(new Map())}
          onDone={(f) => {
            setFiled(f)
            setSelected(new Map())
            setReloadKey((k) => k + 1)
          }}
        />
      ) : null}
      {filed && !selected.size ? <FiledNotice filed={filed} /> : null}
      {playing ? <MediaPlayer {...playing} onClose={() => setPlaying(null)} /> : null}
      <ErrorText error={error} />
      <div className="panel records-panel">
        {list && items.length === 0 && !list.next ? (
          <EmptyState filtered={isFiltered(filters)} seesEvery={list.seesEvery} onClear={clearFilters} />
        ) : null}
        <div
          className="records-scroll"
          ref={rows.box}
          onScroll={rows.onScroll}
          hidden={!!list && items.length === 0 && !list.next}
        >
          <table className="table records-table" data-testid="records-table">
            <colgroup>
              {canFile ? <col className="c-pick" /> : null}
              <col className="c-file" />
              <col className="c-time" />
              <col className="c-case" />
              <col />
              <col className="c-who" />
              <col className="c-flags" />
              <col className="c-open" />
            </colgroup>
            <thead>
              <tr>
                {canFile ? (
                  <th>
                    <input
                      type="checkbox"
                      aria-label={t('records.pickAll')}
                      title={t('records.pickAll')}
                      checked={allLoadedChosen}
                      onChange={(e) => {
                        for (const i of items) toggle(i, e.target.checked)
                      }}
                    />
                  </th>
                ) : null}
                <th>{t('records.col.file')}</th>
                <th>{t('records.col.capture')}</th>
                <th>{t('records.col.case')}</th>
                <th>{t('records.col.placeFact')}</th>
                <th>{t('records.col.who')}</th>
                <th>{t('records.col.flags')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.before ? <tr className="spacer" style={{ height: rows.before }} aria-hidden /> : null}
              {items.slice(rows.first, rows.last).map((item) => (
                <RecordRow
                  key={item.evidenceId}
                  item={item}
                  canFile={canFile}
                  chosen={selected.has(item.evidenceId)}
                  onPick={toggle}
                  onOpen={() => setPlaying({ evidenceId: item.evidenceId, name: item.originalName })}
                />
              ))}
              {rows.after ? <tr className="spacer" style={{ height: rows.after }} aria-hidden /> : null}
            </tbody>
          </table>
          {loading ? <p className="muted records-loading">{t('common.loading')}</p> : null}
          {list && !list.next && items.length ? (
            <p className="muted records-end">{t('records.end', { count: items.length })}</p>
          ) : null}
        </div>
      </div>
    </section>
  )
}

function duration(ms: number | null): string {
  if (ms === null) return ''
  const s = Math.round(ms / 1000)
  const h = Math.floor(s / 3600)
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, '0')
  return `${h ? `${h}:` : ''}${mm}:${String(s % 60).padStart(2, '0')}`
}

function RecordRow(props: {
  item: Item
  canFile: boolean
  chosen: boolean
  onPick: (item: Item, on: boolean) => void
  onOpen: () => void
}) {
  const { t } = useTranslation()
  const r = props.item
  const flags = [
    ...r.flags.filter((f) => f !== 'late_ingest' || !r.flags.includes('late_reason_missing')),
    ...(r.signed ? [] : ['unsigned']),
  ].map((f) => t(f === 'unsigned' ? 'records.flag.unsigned' : `ingest.flag.${f}`))
  const stop = (e: { stopPropagation: () => void }) => e.stopPropagation()
  return (
    <tr
      className={props.chosen ? 'rec-row chosen' : 'rec-row'}
      data-testid="record-row"
      onClick={props.onOpen}
    >
      {props.canFile ? (
        <td onClick={stop}>
          <input
            type="checkbox"
            aria-label={t('records.pick', { name: r.originalName })}
            checked={props.chosen}
            onChange={(e) => props.onPick(r, e.target.checked)}
          />
        </td>
      ) : null}
      <td>
        <div className="line strong" title={r.originalName}>
          {r.originalName}
        </div>
        <div className="line muted small">
          {t(`ingest.media.${r.mediaType}`)}
          {r.durationMs !== null ? ` · ${duration(r.durationMs)}` : ''}
        </div>
      </td>
      <td>
        <div className="line">{formatCaptureTime(r.captureStart)}</div>
        <div className="line muted small">{t('records.ingestedAt', { time: formatTime(r.ingestedAt) })}</div>
      </td>
      <td>
        {r.caseId && r.caseNo ? (
          <a className="line" href={href.case(r.caseId)} onClick={stop} title={r.caseNo}>
            {r.caseNo}
          </a>
        ) : (
          <span className="chip">{t('records.unfiled')}</span>
        )}
      </td>
      <td>
        <div className="line" title={r.place ?? ''}>
          {r.place ?? '—'}
        </div>
        <div className="line muted small" title={r.fact ?? ''}>
          {r.fact ?? ''}
        </div>
      </td>
      <td>
        <div className="line">{r.collectors.join('、') || '—'}</div>
        <div className="line muted small">{r.device}</div>
      </td>
      <td
        title={[...flags, ...(r.lateReason ? [t('ingest.lateReasonOf', { reason: r.lateReason })] : [])].join(
          '；',
        )}
      >
        <div className="line">
          {flags.slice(0, 1).map((f) => (
            <span key={f} className="chip">
              {f}
            </span>
          ))}
          {flags.length > 1 ? <span className="muted small">+{flags.length - 1}</span> : null}
          {flags.length === 0 ? <span className="muted">—</span> : null}
        </div>
      </td>
      <td>
        <button
          type="button"
          onClick={(e) => {
            stop(e)
            props.onOpen()
          }}
        >
          {r.mediaType === 'photo' ? t('cases.view') : t('cases.play')}
        </button>
      </td>
    </tr>
  )
}

function EmptyState(props: { filtered: boolean; seesEvery: boolean; onClear: () => void }) {
  const { t } = useTranslation()
  if (props.filtered)
    return (
      <div className="empty" data-testid="records-empty">
        <p>
          <strong>{t('records.emptyFiltered')}</strong>
        </p>
        <p className="muted">{t('records.emptyFilteredHint')}</p>
        <button type="button" onClick={props.onClear}>
          {t('records.clearFilters')}
        </button>
      </div>
    )
  // Nothing at all for one who sees every recording: nothing is imported yet; for anyone else, nothing is theirs.
  if (props.seesEvery)
    return (
      <div className="empty" data-testid="records-empty">
        <p>
          <strong>{t('records.emptyNone')}</strong>
        </p>
        <p className="muted">
          {t('records.emptyNoneHint')} <a href="#/ingest">{t('records.toIngest')}</a>
        </p>
      </div>
    )
  return (
    <div className="empty" data-testid="records-empty">
      <p>
        <strong>{t('records.emptyNoAccess')}</strong>
      </p>
      <p className="muted">
        {t('records.emptyNoAccessHint')} <a href="#/access">{t('records.toAccess')}</a>
      </p>
    </div>
  )
}

type Device = MethodOutput<'devices.list'>['devices'][number]

function RecordFilters(props: {
  filters: Filters
  set: (patch: Partial<Filters>) => void
  queryText: string
  setQueryText: (q: string) => void
  roles: readonly Role[]
  onClear: () => void
}) {
  const { t } = useTranslation()
  const f = props.filters
  const { officers } = useOfficers()
  // The device filter is offered to those who may list devices; without the list it is left out.
  const devicesQ = useCall('devices.list', {}, { enabled: mayCall('devices.list', props.roles) })
  const devices: readonly Device[] | null = devicesQ.data?.devices ?? null
  return (
    <div className="panel records-filters" data-testid="records-filters">
      <div className="filter-row">
        <Field label={t('records.search')}>
          <input
            name="recordSearch"
            type="search"
            className="records-search"
            value={props.queryText}
            placeholder={t('records.searchHint')}
            onChange={(e) => props.setQueryText(e.target.value)}
          />
        </Field>
        <Field label={t('records.from')}>
          <DateInput
            name="from"
            label={t('records.from')}
            value={f.from}
            onChange={(d) => props.set({ from: d })}
          />
        </Field>
        <Field label={t('records.to')}>
          <DateInput name="to" label={t('records.to')} value={f.to} onChange={(d) => props.set({ to: d })} />
        </Field>
        <Field label={t('records.sort')}>
          <select
            name="sort"
            value={f.sort}
            onChange={(e) => props.set({ sort: e.target.value as Filters['sort'] })}
          >
            <option value="capture">{t('records.sortCapture')}</option>
            <option value="ingested">{t('records.sortIngested')}</option>
          </select>
        </Field>
      </div>
      <div className="filter-row">
        <Field label={t('records.collector')}>
          <select
            name="collector"
            value={f.collectorId}
            onChange={(e) => props.set({ collectorId: e.target.value })}
          >
            <option value="">{t('records.anyone')}</option>
            {officers.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </Field>
        {devices ? (
          <Field label={t('records.device')}>
            <select
              name="device"
              value={f.deviceId}
              onChange={(e) => props.set({ deviceId: e.target.value })}
            >
              <option value="">{t('records.anyDevice')}</option>
              {devices.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.label}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <Field label={t('records.media')}>
          <select
            name="mediaType"
            value={f.mediaType}
            onChange={(e) => props.set({ mediaType: e.target.value as Media | '' })}
          >
            <option value="">{t('records.anyMedia')}</option>
            {MEDIA.map((m) => (
              <option key={m} value={m}>
                {t(`ingest.media.${m}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('records.case')}>
          <select
            name="caseMode"
            value={f.caseMode}
            onChange={(e) => props.set({ caseMode: e.target.value as Filters['caseMode'], picked: null })}
          >
            <option value="all">{t('records.caseAll')}</option>
            <option value="unfiled">{t('records.caseUnfiled')}</option>
            <option value="case">{t('records.caseOne')}</option>
          </select>
        </Field>
        {f.caseMode === 'case' ? (
          <div className="filter-case">
            <CasePicker
              value={f.picked}
              onChange={(c) => props.set({ picked: c })}
              search={visibleCases}
              clearLabel={t('records.otherCase')}
              emptyLabel={t('records.noCaseFound')}
            />
          </div>
        ) : null}
      </div>
      <div className="filter-row flags" role="group" aria-label={t('records.flags')}>
        <span className="field-label">{t('records.flags')}</span>
        {RECORD_LIST_FLAGS.map((flag) => (
          <label key={flag} className="check">
            <input
              type="checkbox"
              name={`flag-${flag}`}
              checked={f.flags.includes(flag)}
              onChange={(e) =>
                props.set({
                  flags: e.target.checked ? [...f.flags, flag] : f.flags.filter((x) => x !== flag),
                })
              }
            />
            {t(`records.flagFilter.${flag}`)}
          </label>
        ))}
        <span className="spacer" />
        {isFiltered(f) ? (
          <button type="button" className="link" onClick={props.onClear}>
            {t('records.clearFilters')}
          </button>
        ) : null}
      </div>
    </div>
  )
}
