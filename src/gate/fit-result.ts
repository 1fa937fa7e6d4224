/** How to make an answer fit an LLM's context. */
export interface FitOptions {
  /** Keep at most this many items of an array answer. */
  maxItems?: number
  /** Keep only these top-level fields of each record. */
  fields?: string[]
  /** Cap on the answer's size as compact JSON (UTF-8 bytes). */
  maxBytes: number
  /** Size of the answer as the cluster sent it, when known: at or under the cap, nothing needs measuring. */
  receivedBytes?: number
}

/** The fitted answer and what was left out. */
export interface FitResult {
  data: unknown
  /** Set when items were dropped: how many are shown and how many there were (characters, for a text answer). */
  truncated?: { returned: number, total: number }
  notes: string[]
}

/**
 * Applies `fields`, then `maxItems`, then the size cap. Truncation happens as JSON: whole array items (or whole
 * properties of a single record) are dropped, a string is never cut, so the result is always valid JSON.
 * Only a non-JSON text answer is cut, by characters.
 */
export function fitResult (data: unknown, opts: FitOptions): FitResult {
  const notes: string[] = []
  const noShaping = (opts.fields === undefined || opts.fields.length === 0) && opts.maxItems === undefined
  // Re-serialised compact JSON is never larger than the text it was parsed from.
  if (noShaping && opts.receivedBytes !== undefined && opts.receivedBytes <= opts.maxBytes) return { data, notes }
  let value = data
  if (opts.fields !== undefined && opts.fields.length > 0) value = pickFields(value, opts.fields, notes)

  let truncated: FitResult['truncated']
  if (Array.isArray(value)) {
    const total = value.length
    if (opts.maxItems !== undefined && value.length > opts.maxItems) value = value.slice(0, opts.maxItems)
    const limited = (value as unknown[]).length
    const fitted = fitArray(value as unknown[], opts.maxBytes)
    value = fitted
    if (fitted.length < total) truncated = { returned: fitted.length, total }
    if (fitted.length < limited) {
      notes.push(`Showing ${fitted.length} of ${total} items: the answer is capped at ${kib(opts.maxBytes)} of JSON. ` +
        (fitted.length === 0 ? 'Even the first item alone is larger than that. ' : '') +
        'Use fields to keep fewer fields per item, maxItems, or a more specific path (e.g. /VirDomain/<uuid>).')
    } else if (limited < total) {
      notes.push(`Showing the first ${limited} of ${total} items (maxItems).`)
    }
  } else if (typeof value === 'string') {
    if (Buffer.byteLength(value) > opts.maxBytes) {
      const total = value.length
      value = cutText(value, opts.maxBytes)
      truncated = { returned: (value as string).length, total }
      notes.push(`The answer is text, not JSON; showing its first ${(value as string).length} of ${total} characters.`)
    }
  } else if (value !== null && typeof value === 'object') {
    value = fitObject(value as Record<string, unknown>, opts.maxBytes, notes)
  }
  return truncated === undefined ? { data: value, notes } : { data: value, truncated, notes }
}

function pickFields (value: unknown, fields: string[], notes: string[]): unknown {
  const seen = new Set<string>()
  const pick = (item: unknown): unknown => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item
    const out: Record<string, unknown> = {}
    for (const field of fields) {
      if (Object.hasOwn(item, field)) {
        out[field] = (item as Record<string, unknown>)[field]
        seen.add(field)
      }
    }
    return out
  }
  const picked = Array.isArray(value) ? value.map(pick) : pick(value)
  const missing = fields.filter((f) => !seen.has(f))
  const hasRecords = Array.isArray(value) ? value.some((v) => v !== null && typeof v === 'object') : value !== null && typeof value === 'object'
  if (missing.length > 0 && hasRecords) {
    notes.push(`No record has the field${missing.length > 1 ? 's' : ''} ${missing.map((f) => JSON.stringify(f)).join(', ')} (names are case-sensitive; describe_endpoint lists them).`)
  }
  return picked
}

/** The first items whose JSON array fits in `maxBytes`; walks only as far as the budget, so a huge list costs little. */
export function fitArray<T> (items: T[], maxBytes: number): T[] {
  let used = 2 // []
  let count = 0
  for (const item of items) {
    const size = jsonBytes(item) + (count === 0 ? 0 : 1)
    if (used + size > maxBytes) break
    used += size
    count++
  }
  return count === items.length ? items : items.slice(0, count)
}

// A single record over the cap: shorten its largest list, then drop its largest properties whole.
function fitObject (record: Record<string, unknown>, maxBytes: number, notes: string[]): Record<string, unknown> {
  if (jsonBytes(record) <= maxBytes) return record
  const out: Record<string, unknown> = { ...record }
  const sizes = Object.entries(out).map(([key, value]) => ({ key, value, size: jsonBytes(value) })).sort((a, b) => b.size - a.size)
  const largest = sizes[0]
  if (largest !== undefined && Array.isArray(largest.value)) {
    const rest = jsonBytes(out) - largest.size
    const kept = fitArray(largest.value, Math.max(2, maxBytes - rest))
    if (kept.length < largest.value.length) {
      out[largest.key] = kept
      notes.push(`The list "${largest.key}" shows ${kept.length} of ${largest.value.length} items to fit the ${kib(maxBytes)} cap.`)
    }
  }
  const dropped: string[] = []
  for (const { key } of sizes) {
    if (jsonBytes(out) <= maxBytes) break
    delete out[key]
    dropped.push(key)
  }
  if (dropped.length > 0) {
    notes.push(`Left out the field${dropped.length > 1 ? 's' : ''} ${dropped.map((k) => JSON.stringify(k)).join(', ')} to fit the ${kib(maxBytes)} cap; ask for them alone with fields.`)
  }
  return out
}

function cutText (text: string, maxBytes: number): string {
  let cut = text.slice(0, maxBytes)
  while (Buffer.byteLength(cut) > maxBytes) cut = cut.slice(0, Math.floor(cut.length * 0.9))
  // Never leave half of a surrogate pair at the end.
  const last = cut.charCodeAt(cut.length - 1)
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut
}

function jsonBytes (value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null')
}

function kib (bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`
}
