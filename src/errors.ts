/** Options an AppError carries besides its code, message and status. */
export interface AppErrorOptions {
  details?: unknown
  cause?: unknown
}

/** The one error type every user-facing failure is thrown as; the HTTP layer turns it into `{code, message, details?}`. */
export class AppError extends Error {
  readonly code: string
  readonly statusCode: number
  readonly details: unknown

  constructor (code: string, message: string, statusCode: number, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.statusCode = statusCode
    this.details = options.details
  }
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
