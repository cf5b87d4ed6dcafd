import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'

/*
 * A calendar day typed or picked the Chinese way: `2026-11-20` (also `2026/11/20`, `20261120` or `2026年11月20日`),
 * with a month grid that starts on Monday — not the browser's own date control, which shows `mm/dd/yyyy` and
 * English month names on a PC whose locale is not Chinese. The value is always `YYYY-MM-DD` or ''.
 */

const pad = (n: number) => String(n).padStart(2, '0')

/** The day a person typed, as `YYYY-MM-DD`, or null when it is not a real calendar day. */
export function parseDay(text: string): string | null {
  const m = /^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))\s*$/.exec(text)
  if (!m) return null
  const y = Number(m[1])
  const mo = Number(m[2] ?? m[4])
  const d = Number(m[3] ?? m[5])
  const date = new Date(Date.UTC(y, mo - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null
  return `${y}-${pad(mo)}-${pad(d)}`
}

/** The days of a month's grid, Monday first: null for the blanks before the 1st. */
function monthGrid(year: number, month: number): (number | null)[] {
  const first = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return [...Array.from({ length: first }, () => null), ...Array.from({ length: days }, (_, i) => i + 1)]
}

export function DateInput(props: {
  name: string
  label: string
  value: string
  onChange: (day: string) => void
  /** The month the calendar opens on when no day is chosen (`YYYY-MM-DD`). */
  today: string
}) {
  const { t } = useTranslation()
  const [text, setText] = useState(props.value)
  const [open, setOpen] = useState(false)
  const [bad, setBad] = useState(false)
  const shown = props.value || props.today
  const [month, setMonth] = useState({ y: Number(shown.slice(0, 4)), m: Number(shown.slice(5, 7)) })
  useEffect(() => {
    setText(props.value)
    setBad(false)
  }, [props.value])
  const commit = (raw: string) => {
    if (!raw.trim()) {
      setBad(false)
      if (props.value) props.onChange('')
      return
    }
    const day = parseDay(raw)
    setBad(!day)
    if (day && day !== props.value) props.onChange(day)
    if (day) setText(day)
  }
  const step = (by: number) => {
    const n = month.y * 12 + month.m - 1 + by
    setMonth({ y: Math.floor(n / 12), m: (n % 12) + 1 })
  }
  return (
    <div className="date-input">
      <div className="row">
        <input
          name={props.name}
          aria-label={props.label}
          placeholder={t('dateInput.placeholder')}
          value={text}
          inputMode="numeric"
          aria-invalid={bad}
          onChange={(e) => setText(e.target.value)}
          onBlur={(e) => commit(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              commit(e.currentTarget.value)
            }
          }}
        />
        <button
          type="button"
          className="date-open"
          aria-label={t('dateInput.open', { label: props.label })}
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {t('dateInput.calendar')}
        </button>
      </div>
      {bad ? <span className="field-hint bad-text">{t('dateInput.bad')}</span> : null}
      {open ? (
        <div className="calendar" role="dialog" aria-label={props.label}>
          <div className="row calendar-head">
            <button type="button" aria-label={t('dateInput.prev')} onClick={() => step(-1)}>
              ‹
            </button>
            <strong className="grow">{t('dateInput.month', { year: month.y, month: month.m })}</strong>
            <button type="button" aria-label={t('dateInput.next')} onClick={() => step(1)}>
              ›
            </button>
          </div>
          <div className="calendar-grid">
            {(t('dateInput.weekdays', { returnObjects: true }) as string[]).map((w) => (
              <span key={w} className="calendar-weekday">
                {w}
              </span>
            ))}
            {monthGrid(month.y, month.m).map((d, i) => {
              if (d === null) return <span key={`b${i}`} />
              const day = `${month.y}-${pad(month.m)}-${pad(d)}`
              return (
                <button
                  key={day}
                  type="button"
                  className={day === props.value ? 'calendar-day chosen' : 'calendar-day'}
                  aria-label={day}
                  onClick={() => {
                    setOpen(false)
                    setBad(false)
                    setText(day)
                    props.onChange(day)
                  }}
                >
                  {d}
                </button>
              )
            })}
          </div>
          {props.value ? (
            <button
              type="button"
              className="link"
              onClick={() => {
                setOpen(false)
                props.onChange('')
              }}
            >
              {t('dateInput.clear')}
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}
