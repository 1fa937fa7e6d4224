import type { Masker, MaskReport } from '../../gate/mask.js'

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
  /**
   * For an answer not masked yet, its masker. Only what is kept is masked: the items `fields` and `maxItems` leave,
   * one by one as the size cap reaches them (sizes are of masked items, so the cut is the one the masked answer
   * gets); a single record or a text is masked whole.
   */
  masker?: Masker
}

/** The fitted answer and what was left out. */
export interface FitResult {
  data: unknown
  /** Set when items were dropped: how many are shown and how many there were (characters, for a text answer). */
  truncated?: { returned: number, total: number }
  notes: string[]
  /** With `masker`: what was masked in the data returned. */
  masked?: MaskReport
}

/**
 * Applies `fields`, then `maxItems`, then the size cap. Truncation happens as JSON: whole array items (or whole
 * properties of a single record) are dropped, a string is never cut, so the result is always valid JSON.
 * Only a non-JSON text answer is cut, by characters.
 */
export function fitResult (data: unknown, opts: FitOptions): FitResult {
  const notes: string[] = []
  const reports: MaskReport[] = []
  const { masker } = opts
  // One report per value masked (per item of a list), so that only the items returned are counted.
  const maskWhole = (value: unknown): unknown => {
    if (masker === undefined) return value
    const before = { ...masker.report }
    const masked = masker.value(value)
    const after = masker.report
    reports.push({ secretFields: after.secretFields - before.secretFields, uriPasswords: after.uriPasswords - before.uriPasswords, knownSecrets: after.knownSecrets - before.knownSecrets })
    return masked
  }
  const done = (result: FitResult, maskedReports = reports): FitResult => masker === undefined ? result : { ...result, masked: sumReports(maskedReports) }
  const noShaping = (opts.fields === undefined || opts.fields.length === 0) && opts.maxItems === undefined
  // Re-serialised compact JSON is never larger than the text it was parsed from.
  if (noShaping && opts.receivedBytes !== undefined && opts.receivedBytes <= opts.maxBytes) return done({ data: maskWhole(data), notes })
  let value = data
  // Picking fields copies them by name, so picking before masking keeps what picking after masking would.
  if (opts.fields !== undefined && opts.fields.length > 0) value = pickFields(value, opts.fields, notes)

  let truncated: FitResult['truncated']
  if (Array.isArray(value)) {
    const total = value.length
    if (opts.maxItems !== undefined && value.length > opts.maxItems) value = value.slice(0, opts.maxItems)
    const limited = (value as unknown[]).length
    const fitted = masker === undefined ? fitArray(value as unknown[], opts.maxBytes) : fitArray(value as unknown[], opts.maxBytes, (item) => maskWhole(item))
    value = fitted
    if (fitted.length < total) truncated = { returned: fitted.length, total }
    if (fitted.length < limited) {
      notes.push(`Showing ${fitted.length} of ${total} items: the answer is capped at ${kib(opts.maxBytes)} of JSON. ` +
        (fitted.length === 0 ? 'Even the first item alone is larger than that. ' : '') +
        'Use fields to keep fewer fields per item, maxItems, or a more specific path (e.g. /VirDomain/<uuid>).')
    } else if (limited < total) {
      notes.push(`Showing the first ${limited} of ${total} items (maxItems).`)
    }
    // The item that did not fit was masked to be measured; it is not returned, so its secrets are not counted.
    const result = truncated === undefined ? { data: value, notes } : { data: value, truncated, notes }
    return done(result, reports.slice(0, fitted.length))
  }
  value = maskWhole(value)
  if (typeof value === 'string') {
    if (Buffer.byteLength(value) > opts.maxBytes) {
      const total = value.length
      value = cutText(value, opts.maxBytes)
      truncated = { returned: (value as string).length, total }
      notes.push(`The answer is text, not JSON; showing its first ${(value as string).length} of ${total} characters.`)
    }
  } else if (value !== null && typeof value === 'object') {
    value = fitObject(value as Record<string, unknown>, opts.maxBytes, notes)
  }
  return done(truncated === undefined ? { data: value, notes } : { data: value, truncated, notes })
}

function sumReports (reports: readonly MaskReport[]): MaskReport {
  const sum: MaskReport = { secretFields: 0, uriPasswords: 0, knownSecrets: 0 }
  for (const r of reports) {
    sum.secretFields += r.secretFields
    sum.uriPasswords += r.uriPasswords
    sum.knownSecrets += r.knownSecrets
  }
  return sum
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

/**
 * The first items whose JSON array fits in `maxBytes`; walks only as far as the budget, so a huge list costs little.
 * `prepare` (e.g. masking) is applied to each item before it is measured, and only to the items walked.
 */
export function fitArray<T> (items: T[], maxBytes: number, prepare?: (item: T) => T): T[] {
  let used = 2 // []
  let count = 0
  const prepared: T[] = []
  for (const raw of items) {
    const item = prepare === undefined ? raw : prepare(raw)
    const size = jsonBytes(item) + (count === 0 ? 0 : 1)
    if (used + size > maxBytes) break
    used += size
    count++
    if (prepare !== undefined) prepared.push(item)
  }
  if (prepare !== undefined) return prepared
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
