/**
 * Errors cross every boundary as values: a stable code the UI and CLI translate (i18n key `errors.<code>`)
 * plus optional parameters. A stack trace never leaves the core.
 */
export const ERROR_CODES = [
  'VALIDATION',
  'BAD_REQUEST',
  'UNKNOWN_METHOD',
  'UNAUTHENTICATED',
  'SESSION_LOCKED',
  'FORBIDDEN',
  'BAD_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'PASSWORD_CHANGE_REQUIRED',
  'WEAK_PASSWORD',
  'PASSWORD_REUSED',
  'USERNAME_TAKEN',
  'BADGE_REQUIRED',
  'LAST_ADMIN',
  'NOT_FOUND',
  'NOT_INITIALIZED',
  'ALREADY_INITIALIZED',
  'DB_TOO_NEW',
  'DB_UNREADABLE',
  'DATA_DIR_UNUSABLE',
  'DATA_DIR_IN_USE',
  'OWNER_UNREACHABLE',
  'OWNER_GONE',
  'DISK_FULL',
  'DB_DAMAGED',
  'IO_ERROR',
  'TSA_UNAVAILABLE',
  'SIGN_DIGEST_MISSING',
  'BUSY',
  'SOURCE_UNREADABLE',
  'SOURCE_GONE',
  'SOURCE_CHANGED',
  'SOURCE_REPLACED',
  'SOURCE_IN_DATA_FOLDER',
  'OUT_IN_DATA_FOLDER',
  'NOT_A_FILE',
  'VERIFY_FAILED',
  'CANCELLED',
  'JOB_NOT_FOUND',
  'DEVICE_NOT_VERIFIED',
  'DEVICE_RETIRED',
  'CONFIRMATION_REQUIRED',
  'NO_CERTIFICATE',
  'BAD_PIN',
  'PIN_LOCKED',
  'BAD_CERTIFICATE',
  'NOT_TRUSTED',
  'UNSUPPORTED_KEY',
  'CERT_REVOKED',
  'TOO_FEW_HANDLERS',
  'NOT_AN_OFFICER',
  'CASE_NO_TAKEN',
  'UNSUPPORTED_DOCUMENT',
  'DOCUMENT_IN_DATA_FOLDER',
  'BAD_RESIDENT_ID',
  'BAD_CREDIT_CODE',
  'PREVIEW_FAILED',
  'CASE_INCOMPLETE',
  'SELF_APPROVAL',
  'NEEDS_SENIOR_APPROVER',
  'REQUEST_DECIDED',
  'OUT_DIR_NOT_EMPTY',
  'ANCHOR_LOG_REWRITTEN',
  'FONT_MISSING',
  'TOO_LARGE_FOR_MEDIA',
  'IMAGE_TOO_LARGE',
  'XORRISO_FAILED',
  'UNKNOWN_IMAGE',
  'TARGET_EXISTS',
  'TARGET_BUSY',
  'RETENTION_NOT_EXPIRED',
  'RETENTION_PERMANENT',
  'NOT_ARCHIVED',
  'REVIEW_REQUIRED',
  'REVIEW_STATE',
  'REVIEWER_INVOLVED',
  'NOT_A_REVIEWER',
  'NOT_REVIEWER',
  'REVIEW_INCONSISTENT',
  'EXTENSION_USED',
  'REVIEW_OVERDUE',
  'SELF_DECISION',
  'ALREADY_DECIDED',
  'NOT_DECIDED',
  'DISCLOSURE_STATE',
  'MAJOR_LOCKED',
  'CHANGE_NEEDS_APPROVAL',
  'TOO_LARGE_TO_OPEN',
  'CONTENT_DAMAGED',
  'CASE_ARCHIVED',
  'SUPPLEMENT_REQUIRED',
  'NOTHING_TO_SUPPLEMENT',
  'ALREADY_IN_CASE',
  'PATH_NOT_ALLOWED',
  'NOT_A_FOLDER',
  'UPLOAD_TOO_LARGE',
  'UPLOAD_UNKNOWN',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export type ErrorParams = Record<string, string | number>

export interface AppErrorValue {
  code: ErrorCode
  params?: ErrorParams
  /** Human message in the caller's language; convenience for CLI/logs. The UI translates `code` itself. */
  message?: string
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly params: ErrorParams | undefined

  constructor(code: ErrorCode, params?: ErrorParams) {
    super(code)
    this.name = 'AppError'
    this.code = code
    this.params = params
  }

  toValue(): AppErrorValue {
    return this.params ? { code: this.code, params: this.params } : { code: this.code }
  }
}

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && (ERROR_CODES as readonly string[]).includes(x)
}
