import MiniSearch from 'minisearch'
import type { Catalog, CatalogOperation, OperationIntent, UnsupportedTopic } from '../catalog.js'
import { isRecord, type JsonSchema } from '../schema.js'
import { stem, tokenize } from './stem.js'
import { processTerm, terms } from './words.js'

/** The fields of an operation's search document. */
export type Field = 'path' | 'summary' | 'names' | 'aliases' | 'tag' | 'description' | 'fields' | 'fieldTerms' | 'fieldText' | 'related'
/** One operation's search document: its id (its place in the catalogue) and the text of each field. */
export type Doc = { id: number } & Record<Field, string>

/** The search index of one catalogue, with what the analyser and the ranking read beside it. */
export interface Index {
  search: MiniSearch<Doc>
  operations: CatalogOperation[]
  intents: OperationIntent[]
  /** Per operation: the stemmed words naming its resource, i.e. what it is about. */
  subjects: Array<Set<string>>
  /** Stemmed words that name some resource: a question's subject when typed before any preposition. */
  resourceWords: Set<string>
  /** Stemmed word pairs of field vocabulary ("user data", "boot order"): their words name a field, not a resource. */
  compounds: Set<string>
  /** Stemmed word pairs of aliases ("snapshot schedule", "network card"): one name in two words. */
  aliasPairs: Set<string>
  /** Every stemmed word the documents hold. */
  vocabulary: Set<string>
  /** The same, by length, to find a word one slip away. */
  byLength: Map<number, string[]>
  /** Lower-cased first path segments, e.g. 'virdomain', to recognise a resource name typed as a query. */
  resources: Set<string>
  unsupported: Array<{ topic: UnsupportedTopic, phrases: string[][] }>
  /** Per operation: whether its resource belongs to a VM (a VM's id in its path or in its records), as a VM's disks do. */
  ofVm: boolean[]
}

const indexes = new WeakMap<Catalog, Index>()

const FIELDS: Field[] = ['path', 'summary', 'names', 'aliases', 'tag', 'description', 'fields', 'fieldTerms', 'fieldText', 'related']

function intentOf (op: CatalogOperation): OperationIntent {
  if (op.intent !== undefined) return op.intent
  const parts = op.path.split('/').filter(Boolean)
  const byId = parts.length === 2 && (parts[1] ?? '').startsWith('{')
  if (parts.length === 1 && op.method === 'GET') return 'list'
  if (parts.length === 1 && op.method === 'POST' && !['login', 'logout'].includes(parts[0] ?? '')) return 'create'
  if (byId && op.method === 'GET') return 'get'
  if (byId && (op.method === 'POST' || op.method === 'PATCH')) return 'change'
  if (byId && op.method === 'DELETE') return 'delete'
  return op.method === 'GET' ? 'get' : 'action'
}

interface FieldDoc {
  names: string[]
  terms: string[]
  text: string[]
  /** The records name the VM they belong to (a disk's virDomainUUID), at the top or in a list's items. */
  ofVm: boolean
}

/** The fields an operation reads or writes: those `x-field-terms` lists, else every field two levels deep. */
function fieldDoc (op: CatalogOperation): FieldDoc {
  const nodes = new Map<string, JsonSchema>()
  const walk = (node: unknown, prefix: string, depth: number): void => {
    if (!isRecord(node) || depth > 8) return
    if (Array.isArray(node.allOf)) for (const part of node.allOf) walk(part, prefix, depth + 1)
    if (isRecord(node.items)) walk(node.items, `${prefix}[]`, depth + 1)
    if (!isRecord(node.properties)) return
    for (const [name, sub] of Object.entries(node.properties)) {
      if (!isRecord(sub)) continue
      const path = prefix === '' ? name : `${prefix}.${name}`
      if (!nodes.has(path)) nodes.set(path, sub)
      walk(sub, path, depth + 1)
    }
  }
  walk(op.requestSchema, '', 0)
  if (op.method === 'GET') walk(op.responseSchema, '', 0)
  const listed = op.fieldTerms ?? [...nodes.keys()].filter((p) => p.replace(/^\[\]\.?/, '').split('.').length <= 2).map((field) => ({ field, terms: [] }))
  const out: FieldDoc = { names: [], terms: [], text: [], ofVm: [...nodes.keys()].some((p) => /^(?:\[\]\.?)*(?:virDomainUUID|domainUUID)$/.test(p)) }
  for (const { field, terms: words } of listed) {
    out.names.push(field.split('.').pop()?.replace(/\[\]$/, '') ?? field)
    out.terms.push(...words)
    const node = nodes.get(field)
    if (node === undefined) continue
    const enumOf = (s: JsonSchema): unknown[] => Array.isArray(s.enum) ? s.enum : Array.isArray(s.allOf) ? s.allOf.filter(isRecord).flatMap(enumOf) : []
    out.names.push(...enumOf(node).filter((v): v is string => typeof v === 'string'))
    if (typeof node.description === 'string') out.text.push(node.description)
  }
  return out
}

/** Builds (once per catalogue, then cached) the search index; call it at start to keep the first query fast. */
export function buildSearchIndex (catalog: Catalog): void {
  getIndex(catalog)
}

/** The search index of a catalogue, built on first use and cached. */
export function getIndex (catalog: Catalog): Index {
  let index = indexes.get(catalog)
  if (index !== undefined) return index
  // The same field descriptions recur across a resource's operations: split each text once, and note every word seen.
  const split = new Map<string, string[]>()
  const vocabulary = new Set<string>()
  const search = new MiniSearch<Doc>({
    fields: FIELDS,
    storeFields: [],
    tokenize: (text) => {
      let words = split.get(text)
      if (words === undefined) split.set(text, words = tokenize(text))
      return words
    },
    processTerm: (term) => {
      const t = processTerm(term)
      if (t !== null) vocabulary.add(t)
      return t
    },
    searchOptions: { tokenize: (s) => s.split(' '), processTerm: (t) => t }
  })
  const operations = catalog.operations
  // A resource's own words are the nouns every one of its operations answers to (the operation-only ones differ): a
  // one-word alias, or the last word of a longer one ("running task" names a task, not running).
  const resourceOf = (op: CatalogOperation): string => op.path.split('/').filter(Boolean)[0] ?? ''
  const byResource = new Map<string, Set<string>>()
  operations.forEach((op) => {
    const resource = resourceOf(op)
    const words = new Set([...(op.aliases ?? []).flatMap((a) => terms(a).slice(-1)), resource.toLowerCase()])
    const shared = byResource.get(resource)
    byResource.set(resource, shared === undefined ? words : new Set([...shared].filter((w) => words.has(w))))
  })
  const vmRoots = new Set<string>()
  const docs = operations.map((op, id): Doc => {
    const f = fieldDoc(op)
    if (f.ofVm || op.path.includes('{virDomainUUID}')) vmRoots.add(resourceOf(op))
    const aliases = op.aliases ?? []
    // Vocabulary lists say a word applies, not how often: each word counts once.
    const once = (words: string[]): string => [...new Set(words.flatMap((w) => w.split(/[^A-Za-z0-9]+/)).filter(Boolean))].join(' ')
    const said = new Set(terms(op.summary))
    const related = [...byResource].filter(([resource, words]) => resource !== resourceOf(op) && resource.toLowerCase() !== 'cluster' && [...words].some((w) => said.has(w)))
      .flatMap(([, words]) => [...words])
    return {
      id,
      path: op.path.replace(/\{[^}]+\}/g, ' '),
      summary: op.summary,
      names: once(aliases.filter((a) => !/\s/.test(a))),
      aliases: once(aliases),
      tag: op.tag,
      description: op.description,
      fields: f.names.join(' '),
      fieldTerms: once(f.terms),
      fieldText: f.text.join(' '),
      related: once(related)
    }
  })
  search.addAll(docs)
  split.clear()
  const subjects = operations.map((op) => byResource.get(op.path.split('/').filter(Boolean)[0] ?? '') ?? new Set<string>())
  const resourceWords = new Set([...byResource.values()].flatMap((s) => [...s]))
  const pairs = (phrases: string[]): string[] => phrases.flatMap((p) => {
    const t = terms(p)
    return t.slice(1).map((w, i) => `${t[i] as string} ${w}`)
  })
  const aliasPairs = new Set(operations.flatMap((op) => pairs(op.aliases ?? [])))
  const compounds = new Set(operations.flatMap((op) => pairs((op.fieldTerms ?? []).flatMap((f) => f.terms))).filter((p) => !aliasPairs.has(p)))
  const unsupported = catalog.unsupported.map((topic) => ({ topic, phrases: topic.terms.map((t) => t.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).map(stem)) }))
  const resources = new Set(operations.map((op) => (op.path.split('/').filter(Boolean)[0] ?? '').toLowerCase()))
  const byLength = new Map<number, string[]>()
  for (const w of vocabulary) if (w.length >= 4 && /^[a-z]+$/.test(w)) byLength.set(w.length, [...(byLength.get(w.length) ?? []), w])
  const ofVm = operations.map((op) => vmRoots.has(resourceOf(op)))
  index = { search, operations, intents: operations.map(intentOf), subjects, resourceWords, compounds, aliasPairs, vocabulary, byLength, resources, unsupported, ofVm }
  indexes.set(catalog, index)
  return index
}
