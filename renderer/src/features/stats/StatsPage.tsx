import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import { ErrorText, downloadPdf, useSubmit } from '../../components/common.tsx'
import { statsSections } from '../../../../shared/stats.ts'
import { csvFile } from '../../../../shared/text-safety.ts'
import { QueryError, useCall } from '../../query.tsx'

/*
 * 统计: the year's or a quarter's enforcement figures, as tables with bars, and a spreadsheet (CSV with a BOM, so
 * Excel and WPS open the Chinese text correctly) of every figure shown.
 */

type Stats = MethodOutput<'stats.get'>

function Bars({ rows }: { rows: [string, number][] }) {
  const max = Math.max(1, ...rows.map(([, n]) => n))
  return (
    <table className="table stats-table">
      <tbody>
        {rows.map(([label, n]) => (
          <tr key={label}>
            <td className="nowrap">{label}</td>
            <td className="stats-bar-cell">
              <div className="stats-bar" style={{ width: `${(n / max) * 100}%` }} />
            </td>
            <td className="num">{n}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function StatsPage() {
  const { t } = useTranslation()
  const [year, setYear] = useState(new Date().getFullYear())
  const [quarter, setQuarter] = useState(0)
  const [stats, setStats] = useState<Stats | null>(null)
  const catalogueQuery = useCall('cases.catalogue', {})
  const catalogue = catalogueQuery.data ?? null
  const load = useSubmit()
  const pdf = useSubmit()
  const { run } = load
  useEffect(() => {
    void run(async () => setStats(await call('stats.get', { year, ...(quarter ? { quarter } : {}) })))
  }, [run, year, quarter])

  const sections = stats && catalogue ? statsSections(stats, t, catalogue) : []

  function exportCsv() {
    // The one CSV writer: catalogue names are the agency's own text, and a formula in one stays text.
    const rows: (string | number)[][] = [[t('stats.section'), t('stats.item'), t('stats.value')]]
    for (const s of sections) for (const [k, v] of s.rows) rows.push([s.title, k, v])
    const blob = new Blob([csvFile(rows)], { type: 'text/csv;charset=utf-8' })
    const url = URL.createObjectURL(blob)
    const a = document.createElement('a')
    a.href = url
    a.download = `${t('stats.file')}${year}${quarter ? `Q${quarter}` : ''}.csv`
    a.click()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }

  return (
    <section data-testid="stats">
      <div className="page-head">
        <h2>{t('stats.title')}</h2>
        <select value={year} onChange={(e) => setYear(Number(e.target.value))} aria-label={t('stats.year')}>
          {Array.from({ length: 6 }, (_, i) => new Date().getFullYear() - i).map((y) => (
            <option key={y} value={y}>
              {t('stats.yearName', { year: y })}
            </option>
          ))}
        </select>
        <select
          value={quarter}
          onChange={(e) => setQuarter(Number(e.target.value))}
          aria-label={t('stats.quarter')}
        >
          <option value={0}>{t('stats.wholeYear')}</option>
          {[1, 2, 3, 4].map((q) => (
            <option key={q} value={q}>
              {t('stats.quarterName', { quarter: q })}
            </option>
          ))}
        </select>
        <button type="button" onClick={exportCsv} disabled={!stats}>
          {t('stats.exportCsv')}
        </button>
        <button
          type="button"
          disabled={!stats || pdf.busy}
          onClick={() =>
            pdf.run(async () => {
              const r = await call('stats.pdf', { year, ...(quarter ? { quarter } : {}) })
              downloadPdf(r.pdfBase64, `${t('stats.file')}${year}${quarter ? `Q${quarter}` : ''}`)
            })
          }
        >
          {t('stats.exportPdf')}
        </button>
      </div>
      <p className="muted">{t('stats.intro')}</p>
      <ErrorText error={load.error ?? pdf.error} />
      <QueryError query={catalogueQuery} />
      <div className="stats-grid">
        {sections.map((s) => (
          <div className="panel" key={s.title}>
            <h3>{s.title}</h3>
            {s.rows.length ? (
              <Bars rows={s.rows.filter((r): r is [string, number] => typeof r[1] === 'number')} />
            ) : (
              <p className="muted">{t('stats.none')}</p>
            )}
            {s.rows
              .filter((r) => typeof r[1] === 'string')
              .map(([k, v]) => (
                <p key={k} className="stats-line">
                  {k}：<strong>{v}</strong>
                </p>
              ))}
          </div>
        ))}
      </div>
    </section>
  )
}
