import { isAppError } from '../errors/app-error.js'
import type { FleetMember } from './fleet.js'

/** How a read across clusters is bounded. */
export interface FanOutOptions {
  /** Clusters read at once. */
  concurrency: number
  /** How long one cluster may take before it counts as unreachable. */
  perClusterMs: number
  /** How long the whole read may take; clusters not done by then are reported as not reached. */
  totalMs: number
  /** The caller going away stops every read. */
  signal?: AbortSignal
  /** Hears each cluster finish, for progress, with how long it took (ms). */
  onDone?: (done: number, total: number, member: FleetMember, ms: number) => void
  /** Which clusters start first (higher first): those slow last time, so their deadlines run beside the others' work. */
  priority?: (member: FleetMember) => number
}

/** One cluster's outcome: its value, or the code and message of why there is none. */
export type FanOutResult<T> =
  | { member: FleetMember, ok: true, value: T }
  | { member: FleetMember, ok: false, code: string, message: string }

/**
 * Runs `work` on each cluster, at most `concurrency` at once, each within its own deadline and all within the total
 * one: one slow or dead cluster costs its own deadline, never another's answer. Results come back in input order,
 * failures included (partial results rather than all or nothing); the signal given to `work` aborts at its deadline.
 */
export async function fanOut<T> (members: readonly FleetMember[], work: (member: FleetMember, signal: AbortSignal) => Promise<T>, opts: FanOutOptions): Promise<Array<FanOutResult<T>>> {
  const results: Array<FanOutResult<T> | undefined> = new Array(members.length)
  const whole = new AbortController()
  const stopAll = (): void => { whole.abort() }
  opts.signal?.addEventListener('abort', stopAll, { once: true })
  const totalTimer = setTimeout(stopAll, opts.totalMs)
  let next = 0
  let done = 0
  const one = async (member: FleetMember): Promise<FanOutResult<T>> => {
    if (whole.signal.aborted) return notReached(member, opts)
    const own = new AbortController()
    let why: 'deadline' | 'whole' | undefined
    const stop = (): void => { why ??= 'whole'; own.abort() }
    whole.signal.addEventListener('abort', stop, { once: true })
    const timer = setTimeout(() => { why ??= 'deadline'; own.abort() }, opts.perClusterMs)
    // The deadline answers even when the work ignores its signal.
    const deadline = new Promise<never>((_resolve, reject) => {
      own.signal.addEventListener('abort', () => { reject(new Error('deadline')) }, { once: true })
    })
    try {
      return { member, ok: true, value: await Promise.race([work(member, own.signal), deadline]) }
    } catch (err) {
      if (why === 'deadline') return { member, ok: false, code: 'SCALE_TIMEOUT', message: `No answer within ${opts.perClusterMs} ms.` }
      if (why === 'whole') return notReached(member, opts)
      if (isAppError(err)) return { member, ok: false, code: err.code, message: err.message.slice(0, 300) }
      return { member, ok: false, code: 'INTERNAL_ERROR', message: 'The read failed unexpectedly; the server log has the details.' }
    } finally {
      clearTimeout(timer)
      whole.signal.removeEventListener('abort', stop)
    }
  }
  // Results stay in input order; only the order of starting follows the priority.
  const order = members.map((_, i) => i)
  if (opts.priority !== undefined) {
    const rank = members.map((m) => opts.priority?.(m) ?? 0)
    order.sort((a, b) => (rank[b] ?? 0) - (rank[a] ?? 0) || a - b)
  }
  const lane = async (): Promise<void> => {
    while (next < order.length) {
      const i = order[next++] as number
      const started = performance.now()
      results[i] = await one(members[i] as FleetMember)
      opts.onDone?.(++done, members.length, members[i] as FleetMember, performance.now() - started)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, members.length) }, lane))
  } finally {
    clearTimeout(totalTimer)
    opts.signal?.removeEventListener('abort', stopAll)
  }
  return results as Array<FanOutResult<T>>
}

function notReached (member: FleetMember, opts: FanOutOptions): FanOutResult<never> {
  return opts.signal?.aborted === true
    ? { member, ok: false, code: 'CANCELLED', message: 'The caller went away before this cluster was read.' }
    : { member, ok: false, code: 'SCALE_TIMEOUT', message: `Not reached within the whole read's ${opts.totalMs} ms.` }
}
