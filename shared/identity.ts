/*
 * Check digits of the identifiers a case's party carries, so a mistyped number is caught where it is typed:
 * the 18-digit resident identity number (GB 11643-1999, ISO 7064 MOD 11-2) and the unified social credit code
 * (GB 32100-2015, MOD 31 over its own 31-character alphabet).
 */

export type IdCheck = { ok: true } | { ok: false; reason: 'format' | 'checkDigit' | 'date' }

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

export function checkResidentId(raw: string): IdCheck {
  const id = raw.trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, reason: 'format' }
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  const birth = new Date(Date.UTC(y, m - 1, d))
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || birth.getTime() > Date.now())
    return { ok: false, reason: 'date' }
  const sum = ID_WEIGHTS.reduce((s, w, i) => s + w * Number(id[i]), 0)
  return ID_CHECK[sum % 11] === id[17] ? { ok: true } : { ok: false, reason: 'checkDigit' }
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export function checkCreditCode(raw: string): IdCheck {
  const code = raw.trim().toUpperCase()
  if (!/^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$/.test(code))
    return { ok: false, reason: 'format' }
  const sum = USCC_WEIGHTS.reduce((s, w, i) => s + w * USCC_CHARS.indexOf(code[i]!), 0)
  const check = USCC_CHARS[(31 - (sum % 31)) % 31]
  return check === code[17] ? { ok: true } : { ok: false, reason: 'checkDigit' }
}
