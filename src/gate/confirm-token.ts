import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** What a confirm token is bound to: who asked, and a digest of exactly the calls it confirms. */
export interface ConfirmBinding {
  caller: string
  /** `callsDigest` of the destructive calls (method, canonical path, query and payload). */
  digest: string
}

/** `callsDigest` bound to a cluster too, so a token confirms these calls on that cluster only. */
export function clusterCallsDigest (cluster: string | undefined, calls: ReadonlyArray<{ method: string, path: string, search?: string, payload?: unknown }>): string {
  const digest = callsDigest(calls)
  return cluster === undefined ? digest : createHash('sha256').update(`${cluster.toLowerCase()}\0${digest}`).digest('base64url')
}

/** The claims inside a token. */
export interface ConfirmClaims extends ConfirmBinding {
  /** Expiry, in ms since the epoch. */
  expiresAt: number
  /** Random ID: what makes the token single-use. */
  nonce: string
  /** The pending approval it waits for (CONFIRM_VIA=approval). */
  approvalId?: string
}

/** Why a token was refused. */
export type TokenProblem = 'malformed' | 'signature' | 'expired' | 'other-caller' | 'other-call'

const PREFIX = 'cfm1'

/**
 * Issues and checks confirm tokens: HMAC-SHA256 signed with a key from the configuration, so any replica with the
 * same key can check a token another replica issued. Single use is enforced by the caller through the GateStore.
 */
export class ConfirmTokens {
  readonly #key: Buffer
  readonly ttlMs: number
  readonly #now: () => number

  constructor (key: Buffer, ttlMs: number, now: () => number = Date.now) {
    if (key.length < 32) throw new Error('the confirm key must be at least 32 bytes')
    this.#key = key
    this.ttlMs = ttlMs
    this.#now = now
  }

  /** A new token for these calls and caller, valid for the TTL. */
  issue (binding: ConfirmBinding, approvalId?: string): { token: string, claims: ConfirmClaims } {
    const claims: ConfirmClaims = {
      ...binding,
      expiresAt: this.#now() + this.ttlMs,
      nonce: randomBytes(16).toString('base64url'),
      ...(approvalId === undefined ? {} : { approvalId })
    }
    const body = Buffer.from(JSON.stringify([claims.caller, claims.digest, claims.expiresAt, claims.nonce, claims.approvalId ?? null])).toString('base64url')
    return { token: `${PREFIX}.${body}.${this.#sign(body)}`, claims }
  }

  /** The token's claims when it is genuine, unexpired and bound to this caller and these calls; otherwise why not. */
  check (token: string, binding: ConfirmBinding): { ok: true, claims: ConfirmClaims } | { ok: false, problem: TokenProblem } {
    const parts = token.split('.')
    if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, problem: 'malformed' }
    const [, body, signature] = parts as [string, string, string]
    const expected = Buffer.from(this.#sign(body))
    const given = Buffer.from(signature)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'signature' }
    let fields: unknown
    try {
      fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
    } catch {
      return { ok: false, problem: 'malformed' }
    }
    if (!Array.isArray(fields) || fields.length !== 5) return { ok: false, problem: 'malformed' }
    const [caller, digest, expiresAt, nonce, approvalId] = fields as [string, string, number, string, string | null]
    const claims: ConfirmClaims = { caller, digest, expiresAt, nonce, ...(approvalId === null ? {} : { approvalId }) }
    if (this.#now() >= expiresAt) return { ok: false, problem: 'expired' }
    if (caller !== binding.caller) return { ok: false, problem: 'other-caller' }
    if (digest !== binding.digest) return { ok: false, problem: 'other-call' }
    return { ok: true, claims }
  }

  #sign (body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url')
  }
}

/** A stable digest of calls: the same method, path, query and payload always give the same digest, key order aside. */
export function callsDigest (calls: ReadonlyArray<{ method: string, path: string, search?: string, payload?: unknown }>): string {
  const text = stableJson(calls.map((c) => [c.method.toUpperCase(), c.path, c.search ?? '', c.payload ?? null]))
  return createHash('sha256').update(text).digest('base64url')
}

// JSON with object keys sorted, built iteratively so a deep payload cannot overflow the stack.
function stableJson (value: unknown): string {
  const out: string[] = []
  const stack: Array<{ value: unknown } | { text: string }> = [{ value }]
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown } | { text: string }
    if ('text' in item) {
      out.push(item.text)
      continue
    }
    const v = item.value
    if (Array.isArray(v)) {
      const parts: Array<{ value: unknown } | { text: string }> = [{ text: '[' }]
      v.forEach((x, i) => {
        if (i > 0) parts.push({ text: ',' })
        parts.push({ value: x === undefined ? null : x })
      })
      parts.push({ text: ']' })
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as { text: string })
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort()
      const parts: Array<{ value: unknown } | { text: string }> = [{ text: '{' }]
      keys.forEach((k, i) => {
        parts.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` })
        parts.push({ value: (v as Record<string, unknown>)[k] })
      })
      parts.push({ text: '}' })
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as { text: string })
    } else {
      out.push(JSON.stringify(v) ?? 'null')
    }
  }
  return out.join('')
}

const TOKEN_TEXT = /\bcfm1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g

/** Text with every confirm token in it replaced: a token is handed to its caller, never written anywhere else. */
export function maskConfirmTokens (text: string): string {
  return text.includes('cfm1.') ? text.replace(TOKEN_TEXT, 'cfm1.[redacted]') : text
}
