import { AppError } from '../errors/app-error.js'
import type { Rng } from './prng.js'

/** Which faults are switched on; every share is a number from 0 to 1. */
export interface FaultSettings {
  /** Extra delay before every /rest/v1 answer, in milliseconds. */
  latencyMs?: number
  /** Share of requests answered with a server error instead of being handled. */
  errorRate?: number
  /** Status for those errors; by default 500 and 503 alternate at random. */
  errorStatus?: number
  /** Share of requests whose connection is destroyed without an answer. */
  resetRate?: number
  /** Share of requests answered with an HTML error page instead of JSON. */
  nonJsonRate?: number
  /** Status of the HTML page (default 502, as a proxy in front of a failing service would send; 200 to 599). */
  nonJsonStatus?: number
}

/** Run-time switches for simulated failures; all off by default. */
export interface FaultControl {
  /** Merges these settings into the current ones. */
  set: (settings: FaultSettings) => void
  /** Switches every fault off. */
  reset: () => void
  /** Ends every session now, so the next call with an old session gets 401. */
  expireSessions: () => void
  /** The current settings. */
  get: () => Required<Pick<FaultSettings, 'latencyMs' | 'errorRate' | 'resetRate' | 'nonJsonRate'>> & Pick<FaultSettings, 'errorStatus' | 'nonJsonStatus'>
}

/** What should happen to one request. */
export type FaultDecision = { kind: 'none' } | { kind: 'reset' } | { kind: 'error', status: number } | { kind: 'nonJson', status: number }

const OFF = { latencyMs: 0, errorRate: 0, resetRate: 0, nonJsonRate: 0 }

/** Holds fault settings and rolls the dice for each request. */
export class Faults implements FaultControl {
  #settings: ReturnType<FaultControl['get']> = { ...OFF }
  readonly #rng: Rng
  readonly #expire: () => void

  constructor (rng: Rng, expireSessions: () => void) {
    this.#rng = rng
    this.#expire = expireSessions
  }

  set (settings: FaultSettings): void {
    const next = { ...this.#settings }
    for (const key of ['errorRate', 'resetRate', 'nonJsonRate'] as const) {
      const value = settings[key]
      if (value === undefined) continue
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
        throw new AppError('SIMULATOR_FAULT_INVALID', `${key} must be a number from 0 to 1`)
      }
      next[key] = value
    }
    if (settings.latencyMs !== undefined) {
      if (typeof settings.latencyMs !== 'number' || !Number.isFinite(settings.latencyMs) || settings.latencyMs < 0 || settings.latencyMs > 600_000) {
        throw new AppError('SIMULATOR_FAULT_INVALID', 'latencyMs must be a number of milliseconds from 0 to 600000')
      }
      next.latencyMs = settings.latencyMs
    }
    // An HTML page can come with any status (a captive portal answers 200); an injected error is always an error.
    for (const [key, min] of [['errorStatus', 400], ['nonJsonStatus', 200]] as const) {
      const value = settings[key]
      if (value === undefined) continue
      if (!Number.isInteger(value) || value < min || value > 599) {
        throw new AppError('SIMULATOR_FAULT_INVALID', `${key} must be an HTTP status from ${min} to 599`)
      }
      next[key] = value
    }
    this.#settings = next
  }

  reset (): void {
    this.#settings = { ...OFF }
  }

  expireSessions (): void {
    this.#expire()
  }

  get (): ReturnType<FaultControl['get']> {
    return { ...this.#settings }
  }

  /** Decides the fate of one request; at most one fault applies, checked in a fixed order. */
  decide (): FaultDecision {
    const s = this.#settings
    if (s.resetRate > 0 && this.#rng.next() < s.resetRate) return { kind: 'reset' }
    if (s.errorRate > 0 && this.#rng.next() < s.errorRate) {
      return { kind: 'error', status: s.errorStatus ?? (this.#rng.chance(0.5) ? 500 : 503) }
    }
    if (s.nonJsonRate > 0 && this.#rng.next() < s.nonJsonRate) return { kind: 'nonJson', status: s.nonJsonStatus ?? 502 }
    return { kind: 'none' }
  }
}
