/** The time source of a simulator: task progress, session expiry, usage figures and update phases all read it. */
export interface SimClock {
  /** Milliseconds since the Unix epoch. */
  now: () => number
  /** Calls `fn` once, `ms` from now on this clock; the answer cancels it. Timers never keep the process alive. */
  setTimer: (ms: number, fn: () => void) => () => void
}

/** The wall clock. */
export const systemClock: SimClock = {
  now: () => Date.now(),
  setTimer (ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms))
    timer.unref()
    return () => { clearTimeout(timer) }
  }
}

interface PendingTimer {
  at: number
  seq: number
  fn: () => void
}

/** A clock that only moves when told to: tests advance it and every timer that falls due runs, in time order. */
export class ManualClock implements SimClock {
  #now: number
  #seq = 0
  #timers: PendingTimer[] = []

  constructor (startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs
  }

  now (): number {
    return this.#now
  }

  setTimer (ms: number, fn: () => void): () => void {
    const timer: PendingTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn }
    this.#timers.push(timer)
    return () => { this.#timers = this.#timers.filter((t) => t !== timer) }
  }

  /** Moves time forward by `ms`, running each timer at its due time (timers set by timers run too when due). */
  advance (ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance takes a number of milliseconds from 0 up')
    const end = this.#now + ms
    for (;;) {
      const next = this.#nextDue(end)
      if (next === undefined) break
      this.#timers = this.#timers.filter((t) => t !== next)
      this.#now = Math.max(this.#now, next.at)
      next.fn()
    }
    this.#now = end
  }

  /** How many timers are waiting. */
  get pendingTimers (): number {
    return this.#timers.length
  }

  #nextDue (end: number): PendingTimer | undefined {
    let best: PendingTimer | undefined
    for (const t of this.#timers) {
      if (t.at > end) continue
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    }
    return best
  }
}
