/** One GET's answer as a connection keeps it for reuse. */
export interface KeptAnswer {
  status: number
  data: unknown
  json: boolean
  bytes: number
  node: string
}

// What is kept: a few small reference lists (nodes, snapshot schedules), never a large answer.
const MAX_ENTRIES = 32
const MAX_KEPT_BYTES = 256 * 1024

/**
 * Recent answers to GETs of slow-changing lists that tools read only to label what they show (the nodes' addresses,
 * schedule names), so a list_vms or get_vm does not cost a second round trip each time. A caller asks for an answer
 * no older than it can accept; concurrent askers share one read; an answer that failed is not kept; every change
 * made through the connection forgets them all. Each asker gets its own copy, since answers are masked in place.
 */
export class RecentAnswers {
  readonly #now: () => number
  readonly #entries = new Map<string, { at: number, answer: Promise<KeptAnswer> }>()

  constructor (now: () => number) {
    this.#now = now
  }

  /** The answer to `key`, from memory when one is younger than `maxAgeMs`, else from `read`. */
  async get (key: string, maxAgeMs: number, read: () => Promise<KeptAnswer>): Promise<KeptAnswer> {
    const now = this.#now()
    const kept = this.#entries.get(key)
    if (kept !== undefined && now - kept.at <= maxAgeMs) return copy(await kept.answer)
    const entry = { at: now, answer: read() }
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string)
    const forget = (): void => { if (this.#entries.get(key) === entry) this.#entries.delete(key) }
    let answer: KeptAnswer
    try {
      answer = await entry.answer
    } catch (err) {
      forget()
      throw err
    }
    if (answer.bytes > MAX_KEPT_BYTES) forget()
    return copy(answer)
  }

  /** Forgets every answer (a change was made; the connection moved to another node). */
  clear (): void {
    this.#entries.clear()
  }
}

function copy (answer: KeptAnswer): KeptAnswer {
  return { ...answer, data: structuredClone(answer.data) }
}
