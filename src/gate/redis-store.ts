import { Redis } from 'iovalkey'
import { AppError } from '../errors/app-error.js'
import type { Log } from '../observe/logger.js'
import type { GateStore } from './store.js'

/** How the shared store is reached (STORE_URL). */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. */
  url: string
  /** Put before every key, so one Valkey can serve several deployments (STORE_PREFIX). */
  prefix: string
  /** How long one store command may take before the call that needs it fails (fail closed). */
  commandTimeoutMs: number
  log: Log
}

// Compare-and-set: replaces the value only if it is still the one the caller read, keeping its expiry.
const REPLACE_IF_SAME = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
return 0`

// A counter and its window in one step: the first hit starts the window; a counter that lost its expiry gets one.
const INCREMENT_IN_WINDOW = `
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}`

// Optimistic replaces retry this often when other replicas keep changing the same record, then give up.
const REPLACE_ATTEMPTS = 8

/**
 * The GateStore of several replicas, in Valkey or Redis: single-use keys by `SET NX PX` (one replica wins, whatever
 * the race), approvals replaced by compare-and-set, rate-limit counters by a script that counts and sets the window at
 * once. Commands fail at once while the store is unreachable (no offline queue): the call that needs the store gets
 * STORE_UNAVAILABLE (503) and nothing is done, and the connection comes back by itself when the store does.
 */
export class RedisGateStore implements GateStore {
  readonly #redis: Redis
  readonly #prefix: string
  readonly #log: Log
  #down = false
  // Set by close(): the connection ending then is no outage.
  #closing = false
  // When the store's memory began, read after each (re)connection; unknown (undefined) until then.
  #since: number | undefined
  #sinceRead: Promise<number> | undefined

  constructor (opts: RedisStoreOptions) {
    this.#prefix = opts.prefix
    this.#log = opts.log
    this.#redis = new Redis(opts.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs,
      connectTimeout: opts.commandTimeoutMs,
      // Reconnect for ever, at most 2 s apart: the store coming back needs no restart of ours.
      retryStrategy: (times) => Math.min(100 * times, 2000)
    })
    this.#redis.on('error', (err: Error) => {
      this.#lost({ err: { message: err.message, code: (err as { code?: string }).code } })
    })
    this.#redis.on('ready', () => {
      this.#since = undefined
      this.#sinceRead = undefined
      this.#readSince().then(() => {
        if (this.#down) this.#log.info({}, 'the shared store (STORE_URL) is reachable again')
        this.#down = false
      }, () => {})
    })
    // Whatever happened while away (a restart, a flush), it is read again on the next connection. A connection lost
    // is an outage even when the store is back before a reconnection fails, so its return is told too.
    this.#redis.on('close', () => {
      this.#since = undefined
      this.#sinceRead = undefined
      if (!this.#closing) this.#lost({})
    })
  }

  // Told once per outage, on the dropped connection or the first failed attempt, whichever comes first.
  #lost (fields: Record<string, unknown>): void {
    if (!this.#down) this.#log.warn(fields, 'the shared store (STORE_URL) cannot be reached; confirmations and approvals fail until it is back')
    this.#down = true
  }

  /** Waits up to `ms` for the first connection; false when the store is not reachable yet (it keeps trying). */
  async ready (ms: number): Promise<boolean> {
    if (this.#redis.status === 'ready') return await this.validSince().then(() => true, () => false)
    return await new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer)
        this.#redis.off('ready', onReady)
        resolve(ok)
      }
      const onReady = (): void => { done(true) }
      const timer = setTimeout(() => { done(false) }, ms)
      this.#redis.on('ready', onReady)
    })
  }

  /** Whether the store answers now (for /health). */
  get reachable (): boolean {
    return this.#redis.status === 'ready'
  }

  async validSince (): Promise<number> {
    if (this.#since !== undefined) return this.#since
    return await this.#readSince()
  }

  // The first replica to reach an empty store marks when its memory began; every other reads that mark.
  async #readSince (): Promise<number> {
    this.#sinceRead ??= (async () => {
      const key = this.#key('epoch')
      await this.#run(async (r) => await r.set(key, String(Date.now()), 'NX'))
      const raw = await this.#run(async (r) => await r.get(key))
      const since = Number(raw)
      if (!Number.isFinite(since)) throw new AppError('STORE_UNAVAILABLE', 'The shared store\'s start mark is unreadable; nothing was done.')
      this.#since = since
      return since
    })()
    try {
      return await this.#sinceRead
    } catch (err) {
      this.#sinceRead = undefined
      throw err
    }
  }

  async useOnce (key: string, ttlMs: number): Promise<boolean> {
    return await this.#run(async (r) => (await r.set(this.#key(key), '1', 'PX', ttlMs, 'NX')) === 'OK')
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.#run(async (r) => await r.get(this.#key(key)))
    return raw === null ? undefined : JSON.parse(raw) as T
  }

  async set (key: string, value: unknown, ttlMs: number): Promise<void> {
    await this.#run(async (r) => await r.set(this.#key(key), JSON.stringify(value), 'PX', ttlMs))
  }

  async replaceIf<T>(key: string, expect: (current: T) => boolean, next: T): Promise<boolean> {
    const k = this.#key(key)
    const wanted = JSON.stringify(next)
    for (let attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
      const raw = await this.#run(async (r) => await r.get(k))
      if (raw === null || !expect(JSON.parse(raw) as T)) return false
      const done = await this.#run(async (r) => await r.eval(REPLACE_IF_SAME, 1, k, raw, wanted))
      if (done === 1) return true
    }
    throw new AppError('STORE_UNAVAILABLE', 'The shared store kept changing under this update; nothing was changed. Try again.')
  }

  async increment (key: string, windowMs: number): Promise<{ count: number, resetInMs: number }> {
    const [count, left] = await this.#run(async (r) => await r.eval(INCREMENT_IN_WINDOW, 1, this.#key(key), windowMs)) as [number, number]
    return { count, resetInMs: Math.max(0, left) }
  }

  async close (): Promise<void> {
    this.#closing = true
    if (this.#redis.status === 'end') return
    try {
      await this.#redis.quit()
    } catch {
      this.#redis.disconnect()
    }
  }

  #key (key: string): string {
    return this.#prefix + key
  }

  // Every store error is the same refusal: our code, never the store's address or its words.
  async #run<R>(command: (redis: Redis) => Promise<R>): Promise<R> {
    try {
      return await command(this.#redis)
    } catch (err) {
      if (err instanceof AppError) throw err
      this.#log.warn({ err: { message: (err as Error).message } }, 'a shared store (STORE_URL) command failed')
      throw new AppError('STORE_UNAVAILABLE', 'The shared store (Valkey/Redis) that confirmations, approvals and rate limits need cannot be reached; nothing was done. Try again shortly.', { cause: err })
    }
  }
}
