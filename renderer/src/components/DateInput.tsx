import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { formatBeijingDate } from '../../../shared/datetime.ts'
import { pad, parseDay, parseTimeOfDay } from '../../../shared/typed-time.ts'

/*
 * A calendar day typed or picked the Chinese way: `2026-11-20` (also `2026/11/20`, `20261120` or `2026年11月20日`),
 * with a month grid that starts on Monday — not the browser's own date control, which shows `mm/dd/yyyy` and
 * English month names on a PC whose locale is not Chinese. The value is always `YYYY-MM-DD` or ''.
 */

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
  required?: boolean
}) {
  const { t } = useTranslation()
  const [text, setText] = useState(props.value)
  const [open, setOpen] = useState(false)
  const [bad, setBad] = useState(false)
  // With no day chosen the calendar opens on this month, in Beijing time.
  const shown = props.value || formatBeijingDate(Date.now())
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
          required={props.required}
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

/*
 * A moment in Beijing time, as a day (DateInput) and a time of day typed beside it — the browser's
 * datetime-local shows `mm/dd/yyyy, --:-- --` on a PC whose locale is not Chinese and reads the PC's own zone.
 * The value is `YYYY-MM-DDTHH:MM:SS` (Beijing wall time; the caller adds +08:00) or '' while incomplete.
 */
export function DateTimeInput(props: {
  name: string
  label: string
  value: string
  onChange: (value: string) => void
  required?: boolean
}) {
  const { t } = useTranslation()
  const [day, setDay] = useState(props.value.slice(0, 10))
  const [time, setTime] = useState(props.value.slice(11, 19))
  const [bad, setBad] = useState(false)
  // What this control last reported: '' coming back while half a moment is typed is our own echo, not a reset.
  const emitted = useRef(props.value)
  useEffect(() => {
    if (props.value === emitted.current) return
    emitted.current = props.value
    setDay(props.value.slice(0, 10))
    setTime(props.value.slice(11, 19))
    setBad(false)
  }, [props.value])
  const emit = (d: string, tm: string) => {
    const parsed = parseTimeOfDay(tm)
    setBad(tm.trim() !== '' && !parsed)
    emitted.current = d && parsed ? `${d}T${parsed}` : ''
    props.onChange(emitted.current)
  }
  return (
    <div className="row date-time-input">
      <DateInput
        name={props.name}
        label={props.label}
        value={day}
        required={props.required}
        onChange={(d) => {
          setDay(d)
          emit(d, time)
        }}
      />
      <div>
        <input
          name={`${props.name}Time`}
          aria-label={t('dateInput.timeOf', { label: props.label })}
          placeholder={t('dateInput.timePlaceholder')}
          className="time-of-day"
          inputMode="numeric"
          value={time}
          required={props.required}
          aria-invalid={bad}
          onChange={(e) => setTime(e.target.value)}
          onBlur={(e) => {
            const parsed = parseTimeOfDay(e.target.value)
            if (parsed) setTime(parsed)
            emit(day, e.target.value)
          }}
        />
        {bad ? <span className="field-hint bad-text">{t('dateInput.badTime')}</span> : null}
      </div>
    </div>
  )
}
