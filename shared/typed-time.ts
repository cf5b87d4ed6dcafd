/* Days and times of day as people type them into the renderer's DateInput and DateTimeInput. */

export const pad = (n: number) => String(n).padStart(2, '0')

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

/** A time of day typed as `8:30`, `08:30:15` or `08：30`, as `HH:MM:SS`, or null when it is not one. */
export function parseTimeOfDay(text: string): string | null {
  const m = /^\s*(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?\s*$/.exec(text)
  if (!m) return null
  const [h, mi, se] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]
  if (h > 23 || mi > 59 || se > 59) return null
  return `${pad(h)}:${pad(mi)}:${pad(se)}`
}
