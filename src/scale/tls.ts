import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { buildConnector } from 'undici'
import { ConfigError } from '../errors/app-error.js'

/** How the cluster's certificate is checked. */
export type TlsPolicy =
  | { mode: 'verify', ca?: string }
  /** Any of the fingerprints is accepted on any node (each node of a cluster has its own certificate). */
  | { mode: 'pin', fingerprints: string[] }
  | { mode: 'insecure' }

/** Why a TLS connection to the cluster was refused; the client turns it into SCALE_TLS_UNTRUSTED. */
export class ScaleTlsError extends Error {
  readonly code = 'SCALE_TLS_UNTRUSTED'
  /** SHA-256 fingerprint of the certificate the cluster presented, upper-case colon hex. */
  readonly fingerprint256: string | undefined
  /** Node's reason for distrusting it (e.g. DEPTH_ZERO_SELF_SIGNED_CERT), or PIN_MISMATCH. */
  readonly reason: string
  readonly policy: TlsPolicy['mode']

  constructor (message: string, fingerprint256: string | undefined, reason: string, policy: TlsPolicy['mode']) {
    super(message)
    this.name = 'ScaleTlsError'
    this.fingerprint256 = fingerprint256
    this.reason = reason
    this.policy = policy
  }
}

/** The TLS policy a cluster configuration asks for; reads the CA file now so a bad path fails at start. */
export function tlsPolicyFor (config: { caFile?: string, tlsFingerprint?: string, insecureTls: boolean }): TlsPolicy {
  if (config.insecureTls) return { mode: 'insecure' }
  if (config.tlsFingerprint !== undefined) {
    return { mode: 'pin', fingerprints: config.tlsFingerprint.split(',').map((f) => f.trim().toUpperCase()).filter((f) => f !== '') }
  }
  if (config.caFile !== undefined) {
    try {
      return { mode: 'verify', ca: readFileSync(config.caFile, 'utf8') }
    } catch (err) {
      throw new ConfigError('SCALE_CA_FILE', `cannot read ${config.caFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
    }
  }
  return { mode: 'verify' }
}

/** An undici `connect` function, and how to tell the failures it raised (nothing of a request was written). */
export interface TlsConnector {
  connect: buildConnector.connector
  /** True when a request failed before it had a connection, so nothing of it reached the cluster (safe to send elsewhere). */
  isConnectFailure: (err: unknown) => boolean
}

/**
 * An undici `connect` function enforcing the policy. The handshake always completes (`rejectUnauthorized: false`)
 * so that a refused certificate's fingerprint can be reported; the socket is handed to undici only after the
 * check passes, so no byte of a request is ever written to an untrusted peer. `timeoutMs` bounds TCP and the handshake.
 */
export function buildTlsConnector (policy: TlsPolicy, timeoutMs: number): TlsConnector {
  // Errors raised while connecting (TCP, the TLS handshake, our certificate check), kept per connector so that
  // one cluster connection never judges another's errors.
  const connectFailures = new WeakSet<object>()
  const base = buildConnector({
    rejectUnauthorized: false,
    ...(policy.mode === 'verify' && policy.ca !== undefined ? { ca: policy.ca } : {}),
    timeout: timeoutMs,
    // A resumed TLS session carries no fresh certificate check; keep-alive makes full handshakes rare anyway.
    maxCachedSessions: 0
  })
  const connect: buildConnector.connector = function connectScale (options, callback) {
    base(options, function onConnected (err, socket) {
      if (err !== null) connectFailures.add(err)
      if (err !== null || options.protocol !== 'https:') {
        callback(...([err, socket] as [null, Socket]))
        return
      }
      const refusal = check(policy, socket as TLSSocket, options.hostname)
      if (refusal === undefined) {
        callback(null, socket)
        return
      }
      connectFailures.add(refusal)
      socket.destroy()
      callback(refusal, null)
    })
  }
  return { connect, isConnectFailure: (err) => typeof err === 'object' && err !== null && connectFailures.has(err) }
}

function check (policy: TlsPolicy, socket: TLSSocket, host: string): ScaleTlsError | undefined {
  if (policy.mode === 'insecure') return undefined
  const fingerprint = socket.getPeerX509Certificate()?.fingerprint256
  if (policy.mode === 'pin') {
    if (fingerprint !== undefined && policy.fingerprints.includes(fingerprint)) return undefined
    const pinned = policy.fingerprints.length === 1 ? `SCALE_TLS_FINGERPRINT is ${policy.fingerprints[0] ?? ''}` : `it is none of the ${policy.fingerprints.length} in SCALE_TLS_FINGERPRINT (${policy.fingerprints.join(', ')})`
    return new ScaleTlsError(
      `The cluster node at ${host} presented a certificate with SHA-256 fingerprint ${fingerprint ?? '(none)'}, but ${pinned}. ` +
      'If that certificate is the node\'s own (each node has its own; compare it on the node), add it: ' +
      `SCALE_TLS_FINGERPRINT=${[...policy.fingerprints, fingerprint ?? '<fingerprint>'].join(',')}; if the certificate was replaced on purpose, set the new one instead; ` +
      'otherwise something else is answering at this address.',
      fingerprint, 'PIN_MISMATCH', policy.mode)
  }
  if (socket.authorized) return undefined
  const reason = String(socket.authorizationError ?? 'UNKNOWN')
  const nameMismatch = reason === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altname|hostname|does not match/i.test(reason)
  const why = nameMismatch
    ? 'its certificate is not issued for this host name or address'
    : `its certificate is not trusted (${reason}${/SELF_SIGNED/.test(reason) ? ': self-signed' : ''})`
  return new ScaleTlsError(
    `Refused the TLS connection to the cluster at ${host}: ${why}. The certificate's SHA-256 fingerprint is ${fingerprint ?? '(unknown)'}. ` +
    `If that is your cluster's certificate (compare it on the cluster or with openssl), set SCALE_TLS_FINGERPRINT=${fingerprint ?? '<fingerprint>'} to trust exactly that certificate; ` +
    'if your own CA issued it, set SCALE_CA_FILE to that CA\'s PEM file instead.',
    fingerprint, reason, policy.mode)
}
