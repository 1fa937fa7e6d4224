import { AppError } from '../errors/app-error.js'
import { errorCode, netFailure } from '../errors/network.js'
import { MAX_RESPONSE_BYTES } from './limits.js'
import { ScaleTlsError } from './tls.js'

/** What an error message needs to say where a call went. */
export interface CallSite {
  method: string
  /** Path under /rest/v1, without the query string. */
  path: string
  /** The cluster's origin, e.g. `https://10.0.0.5`. */
  url: string
  timeoutMs: number
}

/** Whether a failed call may be retried safely on a fresh connection (the request never reached the cluster's logic). */
export function isConnectionReset (err: unknown): boolean {
  return netFailure(errorCode(err)) === 'reset'
}

/** Maps a transport failure to our error shape, once: whatever went wrong on the way to the cluster gets a code. */
export function mapTransportError (err: unknown, site: CallSite): AppError {
  if (err instanceof AppError) return err
  const where = `${site.method} ${site.path} on ${site.url}`
  if (err instanceof ScaleTlsError) {
    return new AppError('SCALE_TLS_UNTRUSTED', err.message, {
      details: { fingerprint256: err.fingerprint256, reason: err.reason, policy: err.policy }
    })
  }
  const code = errorCode(err)
  // A mutating call that failed mid-way may still have been carried out.
  const maybeDone = site.method === 'GET' ? '' : ' The cluster may still have carried out the request: check before repeating it.'
  switch (netFailure(code)) {
    case 'unreachable': {
      const why = code === 'UND_ERR_CONNECT_TIMEOUT' ? `${code}: no connection within the connect timeout` : code
      return new AppError('SCALE_UNREACHABLE', `Cannot reach the cluster at ${site.url} (${why}). Check SCALE_HOST and that the cluster is up and reachable from this machine.`, { details: { cause: code } })
    }
    case 'timeout':
      return new AppError('SCALE_TIMEOUT', `The cluster did not answer ${where} within ${site.timeoutMs} ms (${code}).${maybeDone} SCALE_TIMEOUT_MS sets the limit.`, { details: { cause: code } })
    case 'reset':
      return new AppError('SCALE_CONNECTION_RESET', `The cluster closed the connection during ${where} (${code}).${maybeDone}`, { details: { cause: code } })
    case 'closed':
      return new AppError('SCALE_CLIENT_CLOSED', 'The cluster client is shutting down; try again once the server has restarted.', { details: { cause: code } })
    case 'too-large':
      return new AppError('SCALE_RESPONSE_TOO_LARGE', `The cluster's answer to ${where} is larger than this server accepts (${MAX_RESPONSE_BYTES / (1024 * 1024)} MiB).`, { details: { cause: code } })
    case 'tls':
      return new AppError('SCALE_TLS_UNTRUSTED', `Refused the TLS connection to ${site.url}: ${code}. Set SCALE_TLS_FINGERPRINT or SCALE_CA_FILE to trust the cluster's certificate.`, { details: { reason: code } })
  }
  // Something that does not speak HTTP answered (undici's parser: HPE_*), or anything else undici could not use.
  const cause = code ?? (err instanceof Error ? err.name : 'unknown')
  return new AppError('SCALE_BAD_RESPONSE', `The cluster's answer to ${where} could not be read as HTTP (${cause}).${maybeDone} Check that SCALE_HOST points at the cluster's HTTPS API.`, { details: { cause } })
}

/** A HyperCore answer with a 4xx/5xx status, as our error: 4xx keep their status, 5xx become 502 (we are the gateway). */
export function apiError (site: CallSite, status: number, answer: unknown): AppError {
  const statusCode = status >= 500 || status < 400 ? 502 : status
  // The gate masks the body and this message on their way to any caller (src/gate/cluster-access.ts).
  const body = answer
  const said = summarise(body)
  return new AppError('SCALE_API_ERROR',
    `HyperCore answered ${status} to ${site.method} ${site.path}${said === '' ? '' : `: ${said}`}`,
    { status: statusCode, details: { status, body: capBody(body) } })
}

/** The cluster's own words from an error body, short enough for a message. */
export function summarise (body: unknown): string {
  if (body === null || body === undefined || body === '') return ''
  if (typeof body === 'string') return oneLine(body)
  if (typeof body === 'object') {
    const record = (Array.isArray(body) ? body[0] : body) as Record<string, unknown> | undefined
    for (const key of ['error', 'message', 'errorMessage', 'formattedMessage', 'description', 'detail']) {
      const value = record?.[key]
      if (typeof value === 'string' && value !== '') return oneLine(value)
    }
  }
  return oneLine(JSON.stringify(body))
}

function oneLine (text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat
}

const MAX_ERROR_BODY = 8 * 1024

function capBody (body: unknown): unknown {
  // An error page can be large HTML; keep enough to read the cause.
  if (typeof body === 'string' && body.length > MAX_ERROR_BODY) return `${body.slice(0, MAX_ERROR_BODY)}… (${body.length} characters in all)`
  if (body !== null && typeof body === 'object' && JSON.stringify(body).length > MAX_ERROR_BODY) {
    return { note: `The error body was ${JSON.stringify(body).length} characters long; shown cut as text.`, text: JSON.stringify(body).slice(0, MAX_ERROR_BODY) }
  }
  return body
}
