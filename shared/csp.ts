/**
 * The Content-Security-Policy of the app's window: our own scripts and styles only (no inline script, no eval),
 * evidence media only through the liuhen-media: protocol, nothing framed, no forms posted anywhere. The same
 * string is the meta tag of renderer/index.html (a test holds them together), the bridge's response header and the
 * header the Electron shell adds.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: liuhen-media:",
  "media-src 'self' blob: liuhen-media:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')
