/** An answer the simulated cluster gives as an error: this HTTP status with a `{ error, details? }` body. */
export class HttpError extends Error {
  readonly status: number
  readonly details: unknown

  constructor (status: number, message: string, details?: unknown) {
    super(message)
    this.name = 'HttpError'
    this.status = status
    this.details = details
  }
}
