import { createHmac, timingSafeEqual } from 'node:crypto'
import { ROLES, type Caller, type Role } from '../gate/identity.js'

/** The cookie of an approver signed in on the approval page, and of a sign-in under way. */
export const APPROVER_COOKIE = 'sah_approver'
export const SIGN_IN_COOKIE = 'sah_sign_in'

/** How long a signed-in approver stays signed in on the approval page (or less, when their token ends sooner). */
export const APPROVER_SESSION_MS = 15 * 60_000
/** How long a person has to finish signing in at the identity provider. */
export const SIGN_IN_MS = 10 * 60_000

/** A sign-in under way: what the callback must find again (RFC 6749 state, the PKCE verifier, where to go back). */
export interface PendingSignIn {
  state: string
  verifier: string
  /** The approval the person came from. */
  next: string
}

/**
 * Small signed values for the approval page's cookies: JSON with an expiry, HMAC-SHA256 with a key derived from
 * CONFIRM_SECRET (so every replica reads the others'), compared in constant time. They hold no token, only who
 * signed in (name, role, scope) or the state of a sign-in under way.
 */
export class SignedCookies {
  readonly #key: Buffer
  readonly #now: () => number

  constructor (secret: Buffer, now: () => number = Date.now) {
    // A key of its own, not the confirm tokens' one: a cookie can never be taken for a confirm token, or the reverse.
    this.#key = createHmac('sha256', secret).update('scale-api-helper approval-page cookies').digest()
    this.#now = now
  }

  /** A signed value of `data`, good for `ms`. */
  seal (data: Record<string, unknown>, ms: number): string {
    const body = Buffer.from(JSON.stringify({ ...data, exp: this.#now() + ms })).toString('base64url')
    return `${body}.${this.#mac(body)}`
  }

  /** The data of a value sealed here and not expired, or undefined. */
  open (value: string | undefined): Record<string, unknown> | undefined {
    if (value === undefined || value.length > 4096) return undefined
    const [body, mac] = value.split('.')
    if (body === undefined || mac === undefined) return undefined
    const want = Buffer.from(this.#mac(body))
    const got = Buffer.from(mac)
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined
    let data: Record<string, unknown>
    try {
      data = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>
    } catch {
      return undefined
    }
    return typeof data.exp === 'number' && data.exp > this.#now() ? data : undefined
  }

  /** The approver a session cookie names. */
  approver (value: string | undefined): Caller | undefined {
    const data = this.open(value)
    if (data?.kind !== 'approver' || typeof data.name !== 'string' || !(ROLES as readonly string[]).includes(String(data.role))) return undefined
    const scope = data.scope as Caller['scope'] | undefined
    return { name: data.name, role: data.role as Role, ...(scope === undefined ? {} : { scope }) }
  }

  /** A session cookie's value for an approver, good for `ms`. */
  approverValue (caller: Caller, ms: number): string {
    return this.seal({ kind: 'approver', name: caller.name, role: caller.role, ...(caller.scope === undefined ? {} : { scope: caller.scope }) }, ms)
  }

  /** A sign-in under way, from its cookie. */
  pending (value: string | undefined): PendingSignIn | undefined {
    const data = this.open(value)
    if (data?.kind !== 'sign-in' || typeof data.state !== 'string' || typeof data.verifier !== 'string' || typeof data.next !== 'string') return undefined
    return { state: data.state, verifier: data.verifier, next: data.next }
  }

  /** The cookie value of a sign-in under way. */
  pendingValue (pending: PendingSignIn): string {
    return this.seal({ kind: 'sign-in', ...pending }, SIGN_IN_MS)
  }

  #mac (body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url')
  }
}

/** One cookie of a Cookie header, or undefined. */
export function cookieValue (header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return undefined
}
