import { createHash } from 'node:crypto'
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTVerifyGetKey } from 'jose'
import { AppError } from '../errors/app-error.js'
import type { Caller } from '../gate/identity.js'
import type { Log } from '../observe/logger.js'
import { discoverIssuer, type IssuerMetadata } from './discovery.js'
import { callerFor, scopesOf } from './identities.js'
import type { OAuthSettings } from './settings.js'

/** The longest token accepted (every real access token is far shorter; the bound is on work). */
export const MAX_TOKEN_LENGTH = 8192

/** Whether a bearer token has the shape of a JWT (three base64url parts), so it is worth verifying. */
export function looksLikeJwt (token: string): boolean {
  return token.length <= MAX_TOKEN_LENGTH && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)
}

/** A token refused because it is not valid here: 401 with `WWW-Authenticate: Bearer error="invalid_token"`. */
export class InvalidToken extends AppError {
  constructor (why: string) {
    super('UNAUTHORIZED', `The access token was refused: ${why}. Sign in again.`, { details: { reason: why } })
  }
}

/** A token without a scope this server requires: 403 with `error="insufficient_scope"` naming it. */
export class InsufficientScope extends AppError {
  readonly scope: string
  constructor (missing: string[], required: string[]) {
    super('INSUFFICIENT_SCOPE', `The access token lacks the scope ${missing.join(' ')}; sign in again asking for ${required.join(' ')}.`, { details: { missing, required } })
    this.scope = required.join(' ')
  }
}

interface Cached {
  caller: Caller
  until: number
}

// Verified tokens are remembered until they expire (at most this long), so a call pays one hash, not a signature check.
const CACHE_MS = 5 * 60_000
const CACHE_SIZE = 10_000
// A provider that could not be read is asked again after this long, never more often.
const RETRY_MS = 10_000

/** What a verifier needs besides its settings. */
export interface VerifierOptions {
  log: Log
  now?: () => number
  fetch?: typeof fetch
  /** How long after reading the keys an unknown key id may make them be read again (default 30 s; tests 0). */
  jwksCooldownMs?: number
}

/**
 * Checks access tokens issued by the organisation's identity provider (OAuth 2.1 resource server): a JWT signed by
 * one of the keys at the issuer's `jwks_uri` (discovered from its metadata when first needed, cached, re-read when an
 * unknown key appears, so a rotation at the provider needs nothing here), with an allowed algorithm (never `none`),
 * this issuer, one of our audiences (RFC 8707), not expired (a little clock difference allowed), the required
 * scopes, and a rule of AUTH_FILE that gives the person a role.
 */
export class OAuthVerifier {
  readonly settings: OAuthSettings
  readonly #opts: VerifierOptions
  readonly #now: () => number
  readonly #cache = new Map<string, Cached>()
  #keys: Promise<{ metadata: IssuerMetadata, keys: JWTVerifyGetKey }> | undefined
  #failedAt = 0

  constructor (settings: OAuthSettings, opts: VerifierOptions) {
    this.settings = settings
    this.#opts = opts
    this.#now = opts.now ?? Date.now
  }

  /** The issuer's metadata, read now if it was not yet (for the start banner and the approval page). */
  async metadata (): Promise<IssuerMetadata> {
    return (await this.#jwks()).metadata
  }

  /** The caller a token stands for; throws InvalidToken (401), InsufficientScope (403), FORBIDDEN or OAUTH_UNAVAILABLE (503). */
  async verify (token: string): Promise<Caller> {
    const key = createHash('sha256').update(token).digest('base64url')
    const now = this.#now()
    const hit = this.#cache.get(key)
    if (hit !== undefined) {
      if (hit.until > now) return hit.caller
      this.#cache.delete(key)
    }
    if (!looksLikeJwt(token)) throw new InvalidToken('it is neither a bearer token of this server nor a JWT access token')
    const { keys } = await this.#jwks()
    const s = this.settings
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload']
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: s.issuer,
        audience: s.audiences,
        algorithms: s.algorithms,
        clockTolerance: s.clockToleranceSeconds,
        requiredClaims: ['exp'],
        currentDate: new Date(now)
      }))
    } catch (err) {
      throw this.#refusal(err)
    }
    const scopes = scopesOf(payload)
    const missing = s.requiredScopes.filter((sc) => !scopes.includes(sc))
    if (missing.length > 0) throw new InsufficientScope(missing, s.requiredScopes)
    const caller = callerFor(payload, s)
    const expires = typeof payload.exp === 'number' ? payload.exp * 1000 : now
    this.#cache.set(key, { caller, until: Math.min(expires, now + CACHE_MS) })
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string)
    return caller
  }

  // Discovery and the key set, once; after a failure, asked again only RETRY_MS later (fail closed meanwhile).
  async #jwks (): Promise<{ metadata: IssuerMetadata, keys: JWTVerifyGetKey }> {
    if (this.#keys === undefined) {
      if (this.#now() - this.#failedAt < RETRY_MS) throw new AppError('OAUTH_UNAVAILABLE', 'The identity provider could not be reached a moment ago, so sign-ins cannot be checked now; try again in a few seconds.')
      const fetchFn = this.#opts.fetch ?? fetch
      this.#keys = discoverIssuer(this.settings.issuer, fetchFn).then((metadata) => {
        this.#opts.log.info({ issuer: metadata.issuer, jwksUri: metadata.jwksUri }, 'read the identity provider\'s metadata')
        return { metadata, keys: createRemoteJWKSet(new URL(metadata.jwksUri), { timeoutDuration: 5000, cooldownDuration: this.#opts.jwksCooldownMs ?? 30_000, cacheMaxAge: 10 * 60_000, [customFetch]: fetchFn }) }
      })
      this.#keys.catch((err: unknown) => {
        this.#keys = undefined
        this.#failedAt = this.#now()
        this.#opts.log.warn({ code: (err as AppError).code, message: (err as Error).message }, 'the identity provider could not be read')
      })
    }
    return await this.#keys
  }

  // jose's reasons, in words a person can act on; a provider that cannot be reached is ours to say, not theirs.
  #refusal (err: unknown): AppError {
    const code = (err as { code?: string }).code
    const claim = (err as { claim?: string }).claim
    switch (code) {
      case 'ERR_JWT_EXPIRED': return new InvalidToken('it has expired')
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        if (claim === 'aud') return new InvalidToken(`it is for another audience, not this server (${this.settings.audiences.join(' or ')})`)
        if (claim === 'iss') return new InvalidToken(`it was issued by another issuer, not ${this.settings.issuer}`)
        if (claim === 'nbf') return new InvalidToken('it is not valid yet')
        return new InvalidToken(`its ${claim ?? 'claims'} claim is not valid`)
      case 'ERR_JOSE_ALG_NOT_ALLOWED': return new InvalidToken(`it is signed with an algorithm this server does not accept (only ${this.settings.algorithms.join(', ')})`)
      case 'ERR_JOSE_NOT_SUPPORTED': return new InvalidToken('it is signed in a way this server does not accept')
      case 'ERR_JWKS_NO_MATCHING_KEY': return new InvalidToken('it is signed with a key the issuer does not publish')
      case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS': return new InvalidToken('it names no key the issuer publishes unambiguously')
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': return new InvalidToken('its signature does not verify')
      case 'ERR_JWS_INVALID':
      case 'ERR_JWT_INVALID':
      case 'ERR_JWT_CLAIM_INVALID': return new InvalidToken('it is not a valid JWT')
      default:
        this.#opts.log.warn({ code, message: (err as Error).message?.slice(0, 200) }, 'the identity provider\'s keys could not be read')
        return new AppError('OAUTH_UNAVAILABLE', 'The identity provider\'s keys could not be read, so the token cannot be checked now; try again shortly.')
    }
  }
}
