/**
 * The small amount of state the gate shares across calls: single-use confirm tokens, pending approvals and rate-limit
 * counters. In memory by default; behind this interface a shared store (Valkey/Redis) can serve several replicas.
 * Every method is atomic with respect to the others.
 */
export interface GateStore {
  /** Records `key` as used for `ttlMs`; false when it was recorded already (and has not expired). */
  useOnce: (key: string, ttlMs: number) => Promise<boolean>
  /** The value stored under `key`, or undefined when absent or expired. */
  get: <T>(key: string) => Promise<T | undefined>
  /** Stores a value for `ttlMs`. */
  set: (key: string, value: unknown, ttlMs: number) => Promise<void>
  /** Replaces the value only when `expect(current)` holds; true when it did (keeps the original expiry). */
  replaceIf: <T>(key: string, expect: (current: T) => boolean, next: T) => Promise<boolean>
  /** Adds one to a counter that starts at 0 and resets `windowMs` after its first hit. */
  increment: (key: string, windowMs: number) => Promise<{ count: number, resetInMs: number }>
  /**
   * When the store's memory begins (ms since the epoch): a shared store that was emptied (restarted without
   * persistence) forgets which tokens were used, so a token issued before this is refused. Absent for a store that
   * lives and dies with the process.
   */
  validSince?: () => Promise<number>
  /** For a shared store: whether it answers now (shown on /health). */
  readonly reachable?: boolean
  close: () => Promise<void>
}

interface Slot {
  value: unknown
  expiresAt: number
}

/** How often expired entries are swept out, in operations. */
const SWEEP_EVERY = 256

/** The in-memory GateStore: right for one process; its clock can be injected for tests. */
export class MemoryGateStore implements GateStore {
  readonly #slots = new Map<string, Slot>()
  readonly #now: () => number
  #ops = 0

  constructor (now: () => number = Date.now) {
    this.#now = now
  }

  async useOnce (key: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key) !== undefined) return false
    this.#put(key, true, ttlMs)
    return true
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.#live(key)?.value as T | undefined
  }

  async set (key: string, value: unknown, ttlMs: number): Promise<void> {
    this.#put(key, value, ttlMs)
  }

  async replaceIf<T>(key: string, expect: (current: T) => boolean, next: T): Promise<boolean> {
    const slot = this.#live(key)
    if (slot === undefined || !expect(slot.value as T)) return false
    slot.value = next
    return true
  }

  async increment (key: string, windowMs: number): Promise<{ count: number, resetInMs: number }> {
    const slot = this.#live(key)
    if (slot === undefined) {
      this.#put(key, 1, windowMs)
      return { count: 1, resetInMs: windowMs }
    }
    slot.value = (slot.value as number) + 1
    return { count: slot.value as number, resetInMs: Math.max(0, slot.expiresAt - this.#now()) }
  }

  async close (): Promise<void> {
    this.#slots.clear()
  }

  #live (key: string): Slot | undefined {
    const slot = this.#slots.get(key)
    if (slot === undefined) return undefined
    if (slot.expiresAt <= this.#now()) {
      this.#slots.delete(key)
      return undefined
    }
    return slot
  }

  #put (key: string, value: unknown, ttlMs: number): void {
    this.#slots.set(key, { value, expiresAt: this.#now() + ttlMs })
    if (++this.#ops % SWEEP_EVERY === 0) {
      const now = this.#now()
      for (const [k, slot] of this.#slots) if (slot.expiresAt <= now) this.#slots.delete(k)
    }
  }
}
