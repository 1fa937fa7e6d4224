import fp from 'fastify-plugin'
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit'
import { AppError } from '../src/errors/app-error.js'
import type { GateStore } from '../src/gate/store.js'

/** Options of the rate-limit plugin. */
export interface RateLimitOptions {
  /** Calls each caller may make per minute. */
  perMinute: number
  /** Where the counters live: the gate's store, so several replicas can share them. */
  store: GateStore
}

// @fastify/rate-limit constructs its store from a class; this one keeps the counters in the gate's store.
function storeClass (store: GateStore): new () => FastifyRateLimitStore {
  return class GateRateStore implements FastifyRateLimitStore {
    incr (key: string, cb: Parameters<FastifyRateLimitStore['incr']>[1], timeWindow: number): void {
      store.increment(`rate:${key}`, timeWindow).then(
        ({ count, resetInMs }) => cb(null, { current: count, ttl: resetInMs }),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err)))
      )
    }

    child (): this {
      return this
    }
  }
}

/**
 * Limits each caller (by name, after authentication) to a number of calls a minute: 429 RATE_LIMITED with
 * `Retry-After` and our error shape.
 * @see {@link https://github.com/fastify/fastify-rate-limit}
 */
export default fp<RateLimitOptions>(async function rateLimitPlugin (app, opts) {
  await app.register(rateLimit, {
    max: opts.perMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    store: storeClass(opts.store),
    // A shared store that is down must not stop every call: the limit lapses until it is back, while confirmations
    // and approvals, which need the store, fail closed.
    skipOnError: true,
    keyGenerator: (request) => request.caller?.name ?? request.ip,
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder (request, context) {
      return new AppError('RATE_LIMITED', `Too many calls from "${request.caller?.name ?? 'this client'}": at most ${context.max} a minute (RATE_LIMIT_PER_MINUTE). Try again in ${context.after}.`,
        { details: { retryAfterSeconds: Math.ceil(context.ttl / 1000) } })
    }
  })
}, { name: 'rate-limit', fastify: '5.x' })
