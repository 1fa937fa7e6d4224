import { randomBytes } from 'node:crypto'
import type { SimClock } from './clock.js'

// Open sessions kept at most; beyond this the least recently created one is dropped, so a login loop cannot exhaust memory.
const MAX_SESSIONS = 10_000

interface Session {
  username: string
  lastUsedAt: number
}

/** The simulated cluster's login sessions (`POST /login`), with idle expiry on the simulator's clock; IDs are never logged. */
export class LoginSessions {
  readonly #sessions = new Map<string, Session>()
  readonly #idleMs: number
  readonly #clock: SimClock

  constructor (idleMs: number, clock: SimClock) {
    this.#idleMs = idleMs
    this.#clock = clock
  }

  /** Opens a session and returns its ID. */
  create (username: string): string {
    this.#sweep()
    // Real clusters hand out UUID-shaped IDs; 16 random bytes in that shape are unguessable.
    const hex = randomBytes(16).toString('hex')
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    this.#sessions.set(id, { username, lastUsedAt: this.#clock.now() })
    if (this.#sessions.size > MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value
      if (oldest !== undefined) this.#sessions.delete(oldest)
    }
    return id
  }

  /** The session's user when the ID is valid and not idle too long; refreshes its idle timer. */
  touch (id: string | undefined): string | undefined {
    if (id === undefined || id === '') return undefined
    const session = this.#sessions.get(id)
    if (session === undefined) return undefined
    const now = this.#clock.now()
    if (now - session.lastUsedAt > this.#idleMs) {
      this.#sessions.delete(id)
      return undefined
    }
    session.lastUsedAt = now
    return session.username
  }

  /** Ends one session; unknown IDs are ignored. */
  destroy (id: string | undefined): void {
    if (id !== undefined) this.#sessions.delete(id)
  }

  /** Ends every session, as if they had all expired. */
  expireAll (): number {
    const count = this.#sessions.size
    this.#sessions.clear()
    return count
  }

  /** How many sessions are open (never their IDs). */
  get size (): number {
    return this.#sessions.size
  }

  #sweep (): void {
    const now = this.#clock.now()
    for (const [id, session] of this.#sessions) {
      if (now - session.lastUsedAt > this.#idleMs) this.#sessions.delete(id)
    }
  }
}
