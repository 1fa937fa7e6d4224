import type { Catalog, CatalogOperation } from '../catalog/catalog.js'
import { describeEndpoint, type FieldInfo } from '../catalog/describe.js'
import { isRecord, schemaType, type JsonSchema } from '../catalog/schema.js'
import { searchOperations, type SearchResult } from '../catalog/search.js'

/** How well the search matched the question: `query_api`'s verdict. */
export type MatchStrength = 'strong' | 'weak' | 'none'

/** An operation given to the model. */
export interface ContextOperation {
  method: string
  path: string
  summary: string
}

/** What the model is shown for one question, and what was left out. */
export interface AskContext {
  /** The context text, never longer than the budget. */
  text: string
  /** The operations in the text, best first. */
  operations: ContextOperation[]
  /** Operations the search found that did not fit the budget, even in brief. */
  dropped: ContextOperation[]
  /** Operations shown in brief (no description, other fields or answer fields) to fit the budget. */
  brief: ContextOperation[]
  match: MatchStrength
  /** The search's advice when nothing matched. */
  hint?: string
}

/** Options of `buildAskContext`. */
export interface AskContextOptions {
  /** How many operations to retrieve (1-20, default 5). */
  limit?: number
  /** Most characters of context (default 6,000: about 1,500 tokens, room to spare in a 4,096-token window). */
  budget?: number
}

/** Default number of operations retrieved for a question. */
export const DEFAULT_ASK_LIMIT = 5
/** Default character budget of the context. */
export const DEFAULT_CONTEXT_BUDGET = 6000
/** Most operations `ask` retrieves. */
export const MAX_ASK_LIMIT = 20

const SEPARATOR = '\n\n'
const MAX_DESCRIPTION = 400
const MAX_NAMES = 20
const MAX_ENUM = 12

/**
 * Retrieves the operations for a question with the `query_api` engine and renders each compactly (method, path,
 * summary, path parameters, required body fields with their enums, other fields, one example body, answer fields),
 * best first, within a character budget. An operation that does not fit is tried in brief, then dropped whole:
 * nothing is cut mid-way. Throws QUERY_EMPTY (400) for a blank question.
 */
export function buildAskContext (catalog: Catalog, question: string, options: AskContextOptions = {}): AskContext {
  const limit = Math.max(1, Math.min(MAX_ASK_LIMIT, Math.trunc(options.limit ?? DEFAULT_ASK_LIMIT)))
  const budget = Math.max(0, Math.trunc(options.budget ?? DEFAULT_CONTEXT_BUDGET))
  const search = searchOperations(catalog, question, { limit })
  const out: AskContext = { text: '', operations: [], dropped: [], brief: [], match: matchOf(search) }
  if (search.hint !== undefined) out.hint = search.hint
  if (out.match === 'none') return out

  const blocks: string[] = []
  // Operations of one resource share their opening sentences; the model reads each once.
  const seen = new Set<string>()
  let used = 0
  for (const hit of search.results) {
    const op = catalog.byId(hit.operationId)
    if (op === undefined) continue
    const entry = { method: op.method, path: op.path, summary: op.summary }
    const room = budget - used - (blocks.length > 0 ? SEPARATOR.length : 0)
    const full = render(catalog, op, false, seen)
    const block = full.text.length <= room ? full : render(catalog, op, true, seen)
    if (block.text.length > room) {
      out.dropped.push(entry)
      continue
    }
    if (block !== full) out.brief.push(entry)
    for (const sentence of block.about) seen.add(sentence)
    used += block.text.length + (blocks.length > 0 ? SEPARATOR.length : 0)
    blocks.push(block.text)
    out.operations.push(entry)
  }
  out.text = blocks.join(SEPARATOR)
  return out
}

/** `match` of a search result; derived from the results when the search does not say. */
export function matchOf (result: SearchResult): MatchStrength {
  const said = (result as { match?: unknown }).match
  if (said === 'strong' || said === 'weak' || said === 'none') return said
  return result.results.length === 0 ? 'none' : 'strong'
}

/** One operation as the model sees it; `brief` keeps only what is needed to call it. */
export function renderOperation (catalog: Catalog, op: CatalogOperation, brief: boolean): string {
  return render(catalog, op, brief, new Set()).text
}

function render (catalog: Catalog, op: CatalogOperation, brief: boolean, seen: Set<string>): { text: string, about: string[] } {
  const d = describeEndpoint(catalog, op.method, op.path)
  const lines = [`${op.method} ${op.path}`, `Summary: ${op.summary}`]
  const about = brief ? [] : sentences(op.description, MAX_DESCRIPTION, seen).filter((s) => s !== op.summary)
  if (about.length > 0) lines.push(`About: ${about.join(' ')}`)
  if (op.pathParams.length > 0) lines.push(`Path parameters: ${op.pathParams.join(', ')}`)
  if (op.requestSchema !== undefined) {
    const usable = d.fields.filter((f) => f.readOnly !== true && f.internal !== true && f.deprecated !== true)
    const required = usable.filter((f) => d.required.includes(f.path))
    lines.push(`Required body fields: ${required.length === 0 ? 'none' : required.map(describeField).join('; ')}`)
    if (!brief) {
      const others = usable.filter((f) => !d.required.includes(f.path) && depth(f.path) <= 2)
      if (others.length > 0) lines.push(`Other body fields: ${names(others.map(describeOptional))}`)
    }
  }
  if (d.example !== undefined) lines.push(`Example body: ${JSON.stringify(d.example)}`)
  if (!brief) {
    const answer = answerFields(op.responseSchema)
    if (answer !== '') lines.push(`Answer: ${answer}`)
  }
  return { text: lines.join('\n'), about }
}

function describeField (f: FieldInfo): string {
  const values = f.enum === undefined ? '' : `, one of ${names(f.enum.map(String), MAX_ENUM, ' | ')}`
  return `${f.path} (${f.type}${values})`
}

function describeOptional (f: FieldInfo): string {
  return f.enum === undefined ? f.path : `${f.path} (${names(f.enum.map(String), MAX_ENUM, ' | ')})`
}

function depth (path: string): number {
  return path.split(/\.|\[\]/).filter(Boolean).length
}

function names (items: string[], max = MAX_NAMES, join = ', '): string {
  const shown = items.slice(0, max).join(join)
  return items.length > max ? `${shown}${join}… (${items.length - max} more)` : shown
}

function answerFields (schema: JsonSchema | undefined): string {
  if (schema === undefined) return ''
  const list = schemaType(schema) === 'array' && isRecord(schema.items)
  const record = list ? schema.items as JsonSchema : schema
  if (!isRecord(record.properties)) return ''
  const fields = names(Object.keys(record.properties))
  return list ? `a JSON array of records with ${fields}` : `an object with ${fields}`
}

/**
 * The sentences of a text not already shown, up to `max` characters in all (a first sentence longer than that alone
 * is cut at a word).
 */
function sentences (text: string, max: number, seen: Set<string>): string[] {
  const all = text.replace(/\s+/g, ' ').trim().split(/(?<=[.!?])\s+/).filter((s) => s !== '' && !seen.has(s))
  const out: string[] = []
  let length = 0
  for (const s of all) {
    const next = length + (out.length > 0 ? 1 : 0) + s.length
    if (next > max) break
    out.push(s)
    length = next
  }
  const first = all[0]
  if (out.length === 0 && first !== undefined) {
    const cut = first.slice(0, max - 1)
    out.push(`${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1))}…`)
  }
  return out
}
