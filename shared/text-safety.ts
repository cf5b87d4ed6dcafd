/* eslint-disable no-control-regex -- finding control characters is what this module is for */
/*
 * Text that people typed or devices wrote (a case's cause, a party's name, a file name, a camera's model) is
 * stored as it came and made safe where it is written out, by the rules of each format — one helper per format,
 * used by every writer of that format:
 *  - XML 1.0 cannot hold most C0 controls, not even as character references: they become U+FFFD;
 *  - a BagIt tag value (RFC 8493 §2.2.2) is one line; a line break in it is folded (the continuation line starts
 *    with whitespace), so a newline in a cause cannot forge a Payload-Oxum or Bag-Count line;
 *  - a CSV cell starting with = + - @ (or TAB/CR) is a formula to Excel and WPS: it is prefixed with ' ;
 *  - in HTML, user text is isolated (<bdi>), so U+202E in a name cannot reverse the text around it;
 *  - a PDF (PDFKit lays text out without the bidi algorithm) and a terminal get the controls themselves removed
 *    or shown: a terminal would act on ESC and CR from stored data.
 */

/** Bidirectional formatting controls: embeddings, overrides, isolates and marks. */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g
/** C0 controls other than TAB, LF and CR, DEL, and the C1 controls. */
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g
/** What XML 1.0 cannot carry: C0 controls except TAB/LF/CR, lone surrogates, U+FFFE and U+FFFF. */
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** True when the text holds a control character or a bidi control (for fields that never need them). */
export function hasControlCharacters(s: string, opts: { allowNewlines?: boolean } = {}): boolean {
  const c0 = opts.allowNewlines
    ? /[\u0000-\u0008\u000B-\u000C\u000E-\u001F\u007F-\u009F]/
    : /[\u0000-\u001F\u007F-\u009F]/
  return c0.test(s) || new RegExp(BIDI_CONTROLS.source).test(s)
}

/** A string holding bidi controls wrapped in FSI…PDI (isolated from the text around it); anything else as is. */
export function isolateBidi<T>(v: T): T | string {
  return typeof v === 'string' && new RegExp(BIDI_CONTROLS.source).test(v) ? `\u2068${v}\u2069` : v
}

/** Text for XML element content and attribute values: escaped, characters XML cannot hold as U+FFFD. */
export function xmlText(v: unknown): string {
  return String(v ?? '')
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** User text inside HTML: escaped and isolated from the text around it. */
export function htmlText(v: unknown): string {
  const s = xmlText(v)
  return s ? `<bdi>${s}</bdi>` : ''
}

/** Text with the bidi controls and control characters removed (PDF text, <title>, one-line labels). */
export function plainText(v: unknown, opts: { keepNewlines?: boolean } = {}): string {
  const s = String(v ?? '')
    .replace(BIDI_CONTROLS, '')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROLS, '')
  return opts.keepNewlines ? s : s.replace(/[\n\t]+/g, ' ')
}

/**
 * A BagIt tag value: control characters dropped, every line break folded into a continuation line that starts
 * with two spaces (RFC 8493 §2.2.2), blank lines dropped (bagit-python skips them anyway).
 */
export function tagValue(v: unknown): string {
  return String(v ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
    .replace(/\t/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l, i) => i === 0 || l)
    .join('\n  ')
}

/** One CSV cell: formulas neutralised with a leading ', quoted when needed. Numbers are written as numbers. */
export function csvCell(v: string | number | null | undefined): string {
  if (typeof v === 'number') return String(v)
  let s = String(v ?? '')
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

/** A whole CSV file, as Excel and WPS read Chinese text: UTF-8 with a BOM, CRLF line ends. */
export function csvFile(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`
}

/**
 * Text for a terminal: ESC, CR and every other control character a terminal would act on, and the bidi
 * controls, are shown as escapes (\x1B, <U+202E>) instead of being sent. Newlines and tabs stay.
 */
export function terminalText(v: unknown): string {
  return String(v ?? '')
    .replace(
      /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .replace(BIDI_CONTROLS, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase()}>`)
}
