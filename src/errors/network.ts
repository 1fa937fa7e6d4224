/**
 * What a network-level failure means, whichever upstream it came from (a cluster, the LLM server): one table, so
 * the same socket error is never "unreachable" for one and "timeout" for the other.
 * - unreachable: no connection was made (refused, no route or name, or no TCP/TLS connection within the connect timeout);
 * - timeout: connected, but no complete answer in time;
 * - reset: the connection was cut mid-exchange;
 * - closed: our own client is closing;
 * - too-large: the answer passed the size limit;
 * - tls: the TLS handshake or the certificate was refused.
 */
export type NetFailure = 'unreachable' | 'timeout' | 'reset' | 'closed' | 'too-large' | 'tls'

const TABLE: Readonly<Record<string, NetFailure>> = {
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  // undici's connect timeout covers TCP and the TLS handshake: nothing of the request was sent, the host could
  // not be reached in time. It is not an answer that came too slowly.
  UND_ERR_CONNECT_TIMEOUT: 'unreachable',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'closed',
  UND_ERR_DESTROYED: 'closed',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'too-large'
}

// Node's certificate verification codes, for a connection refused before our own check ran.
const TLS = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/

/** The network-level code of an undici/Node error, looking inside AggregateErrors (happy-eyeballs connects). */
export function errorCode (err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') return code
  if (err instanceof AggregateError) return errorCode(err.errors[0])
  return errorCode((err as { cause?: unknown }).cause)
}

/** What a network code means (see NetFailure); undefined for a code that is none of these (e.g. undici's parser's HPE_*). */
export function netFailure (code: string | undefined): NetFailure | undefined {
  if (code === undefined) return undefined
  return Object.hasOwn(TABLE, code) ? TABLE[code] : TLS.test(code) ? 'tls' : undefined
}
