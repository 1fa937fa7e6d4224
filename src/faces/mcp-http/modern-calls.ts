// JSON-RPC ids longer than this are not tracked (closing the stream still cancels such a request).
const MAX_ID_LENGTH = 256

type RequestId = string | number

/**
 * The 2026-07-28 requests under way over HTTP, by caller and JSON-RPC id. Each is served by a fresh server that
 * knows only its own request, so a `notifications/cancelled` POSTed on its own (as a stdio-to-HTTP bridge such as
 * mcp-remote forwards a host's cancel) would reach nothing; this lets it reach the request it names. Closing the
 * request's stream cancels too (the route aborts the exchange's signal). A caller can only cancel its own requests.
 */
export class ModernCalls {
  readonly #byKey = new Map<string, Set<AbortController>>()

  /**
   * The signal to serve one message with: for a request, aborted when `exchange` is or when the caller cancels it by
   * id, and forgotten once `done` settles; anything else keeps `exchange`.
   */
  track (caller: string, body: unknown, exchange: AbortSignal, done: Promise<void>): AbortSignal {
    const id = requestIdOf(body)
    if (id === undefined) return exchange
    const controller = new AbortController()
    const abort = (): void => { controller.abort() }
    if (exchange.aborted) controller.abort()
    else exchange.addEventListener('abort', abort, { once: true })
    const key = keyOf(caller, id)
    let set = this.#byKey.get(key)
    if (set === undefined) {
      set = new Set()
      this.#byKey.set(key, set)
    }
    set.add(controller)
    const forget = (): void => {
      exchange.removeEventListener('abort', abort)
      set.delete(controller)
      if (set.size === 0 && this.#byKey.get(key) === set) this.#byKey.delete(key)
    }
    done.then(forget, forget)
    return controller.signal
  }

  /**
   * For a `notifications/cancelled`: cancels the caller's request it names when exactly one is under way (two of the
   * caller's clients may use the same id; then neither is guessed at). Answers whether one was cancelled.
   */
  cancel (caller: string, body: unknown): boolean {
    const id = cancelledIdOf(body)
    if (id === undefined) return false
    const set = this.#byKey.get(keyOf(caller, id))
    if (set?.size !== 1) return false
    for (const controller of set) controller.abort()
    return true
  }
}

function keyOf (caller: string, id: RequestId): string {
  return `${caller}\n${typeof id}:${id}`
}

function isId (value: unknown): value is RequestId {
  return (typeof value === 'string' && value.length <= MAX_ID_LENGTH) || (typeof value === 'number' && Number.isFinite(value))
}

function message (body: unknown): Record<string, unknown> | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Record<string, unknown> : undefined
}

function requestIdOf (body: unknown): RequestId | undefined {
  const m = message(body)
  if (m === undefined || typeof m.method !== 'string' || !isId(m.id)) return undefined
  return m.id
}

function cancelledIdOf (body: unknown): RequestId | undefined {
  const m = message(body)
  if (m?.method !== 'notifications/cancelled' || m.id !== undefined) return undefined
  const id = message(m.params)?.requestId
  return isId(id) ? id : undefined
}
