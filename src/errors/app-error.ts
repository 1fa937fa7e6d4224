import { ERROR_CODES, type ErrorCode } from './codes.js'

/** Options an AppError carries besides its code and message. */
export interface AppErrorOptions {
  /** Only for codes whose list entry allows more than one status (e.g. a cluster's 4xx passed on). */
  status?: number
  details?: unknown
  cause?: unknown
}

/** The one error type every user-facing failure is thrown as; the HTTP layer turns it into `{code, message, details?}`. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  readonly details: unknown

  constructor (code: ErrorCode, message: string, statusOrOptions?: number | AppErrorOptions, legacyOptions: AppErrorOptions = {}) {
    const options = typeof statusOrOptions === 'object' ? statusOrOptions : { ...legacyOptions, status: statusOrOptions }
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.statusCode = statusFor(code, options.status)
    this.details = options.details
  }
}

// The list decides the status; a different one is only taken when the list allows it, so codes and statuses never drift.
function statusFor (code: ErrorCode, wanted: number | undefined): number {
  const info = ERROR_CODES[code] as { status: number, alsoStatus?: readonly number[] }
  if (wanted === undefined || wanted === info.status) return info.status
  return info.alsoStatus?.includes(wanted) === true ? wanted : info.status
}

/** Thrown when configuration from the environment is invalid; the CLI prints it and exits 1. */
export class ConfigError extends Error {
  readonly variable: string

  constructor (variable: string, message: string) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
    this.variable = variable
  }
}

/** True when a value is an AppError (also across duplicated module instances). */
export function isAppError (err: unknown): err is AppError {
  return err instanceof AppError || (err instanceof Error && err.name === 'AppError' && typeof (err as AppError).code === 'string')
}

/** The one shape every face answers an error in. */
export interface ErrorBody {
  code: ErrorCode
  message: string
  details?: unknown
}

/** The `{code, message, details?}` body of an error: the same on HTTP, MCP, the raw socket and the metrics port. */
export function errorBody (err: Pick<AppError, 'code' | 'message' | 'details'>): ErrorBody {
  return err.details === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, details: err.details }
}
