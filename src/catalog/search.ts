import MiniSearch, { type SearchResult as MiniResult } from 'minisearch'
import { AppError } from '../errors.js'
import { normalisePath, type Catalog, type CatalogOperation, type OperationIntent, type UnsupportedTopic } from './catalog.js'
import { isRecord, type JsonSchema } from './schema.js'

/** How much of a question one operation covers: `high` (all of what matters), `medium` (part of it) or `low` (little or the wrong kind). */
export type Confidence = 'high' | 'medium' | 'low'

/** How well the best operation answers the question: `strong`, `weak` (partly) or `none` (no operation does it). */
export type MatchStrength = 'strong' | 'weak' | 'none'

/** One ranked answer of `searchOperations`. */
export interface SearchHit {
  method: string
  path: string
  operationId: string
  summary: string
  tag: string
  /** Absolute: how much of the question this operation covers, and whether it does the kind of thing asked. */
  confidence: Confidence
  mutating: boolean
}

/** Ranked operations for a question, how well the best one answers it, and a hint when it is weak or nothing fits. */
export interface SearchResult {
  match: MatchStrength
  results: SearchHit[]
  total: number
  hint?: string
}

/** Options of `searchOperations`. */
export interface SearchOptions {
  /** How many hits to return (1-50, default 10). */
  limit?: number
  /** Keep only operations with this HTTP method. */
  method?: string
}

/** Longest query looked at; the tool's input schema caps queries at 1,000 characters. */
export const MAX_QUERY_LENGTH = 1000
const MAX_TERMS = 64

type Field = 'path' | 'summary' | 'names' | 'aliases' | 'tag' | 'description' | 'fields' | 'fieldTerms' | 'fieldText'
type Doc = { id: number } & Record<Field, string>
type QueryIntent = 'read' | 'create' | 'change' | 'delete' | 'action'

interface Index {
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
  /** Lower-cased first path segments, e.g. 'virdomain', to recognise a resource name typed as a query. */
  resources: Set<string>
  unsupported: Array<{ topic: UnsupportedTopic, phrases: string[][] }>
}

const indexes = new WeakMap<Catalog, Index>()

// One-word aliases name the thing outright; a word inside a longer alias ("mail server") says less on its own.
const BOOST: Record<Field, number> = { names: 3, aliases: 2, path: 2.5, summary: 2, fieldTerms: 1.5, tag: 1, fields: 0.8, description: 0.7, fieldText: 0.3 }
// How surely a word found in a field means the operation covers it: its names and vocabulary fully, its prose less.
const QUALITY: Record<Field, number> = { names: 1, aliases: 1, path: 1, summary: 1, fieldTerms: 1, tag: 0.8, fields: 0.9, description: 0.7, fieldText: 0.5 }
const SUBJECT_FIELDS: Field[] = ['names', 'aliases', 'path', 'summary']
const FIELDS: Field[] = ['path', 'summary', 'names', 'aliases', 'tag', 'description', 'fields', 'fieldTerms', 'fieldText']

// Words that carry no meaning for finding an endpoint (fillers, pronouns, auxiliaries, number words).
const STOPWORDS = new Set(('a an the to of for in on at by with from into onto via using use about as and or but so then than ' +
  'i me my mine we us our you your it its this that these those there here he she they them their someone somebody anyone ' +
  'is are was were be been being am do does did doing done has have had can could would should will shall may might must ' +
  'how what which where when who whom why please pls plz hey hi hello ok okay thanks thank want wanted need needs like let lets just ' +
  'also any some really actually basically kinda maybe still already again even very too much lot lots bit right ' +
  'yesterday today tonight tomorrow thing things stuff guys know think guess seems seem called named made ' +
  'two three four five six seven eight nine ten twice second third ' +
  'not no nor each both either neither such own same few enough quite rather almost along ever never always sometimes ' +
  'etc eg ie per else instead anyway however ' +
  'hypercore scale computing api rest endpoint call request way possible able using got')
  .split(' '))

// Keep these whole: stripping their final "s" changes the word.
const KEEP = new Set(['dns', 'os', 'has', 'was', 'is', 'its', 'this', 'bus', 'yes', 'ssl', 'tls', 'iops', 'gpus', 'vms', 'status', 'stats', 'alias', 'gigs', 'lacp', 'sas'])

/** Reduces a lower-case word to a crude stem so "snapshots", "booting", "configured" meet "snapshot", "boot", "configure". */
export function stem (word: string): string {
  let w = word
  if (KEEP.has(w)) return w === 'gpus' ? 'gpu' : w === 'vms' ? 'vm' : w === 'gigs' ? 'gig' : w
  if (w.length >= 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) {
    w = w.endsWith('ies') && w.length > 4 ? w.slice(0, -3) + 'y' : w.slice(0, -1)
  }
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3)
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2)
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1)
  if (w.length > 3 && /([bdgmnprt])\1$/.test(w)) w = w.slice(0, -1)
  return w
}

/** Splits text into lower-case words, breaking `VirDomainBlockDevice` and `numVCPU` at case changes (and keeping the whole word too). */
export function tokenize (text: string): string[] {
  const out: string[] = []
  for (const raw of text.split(/[^A-Za-z0-9]+/)) {
    if (raw === '') continue
    const parts = raw.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').split(' ')
    for (const p of parts) out.push(p.toLowerCase())
    if (parts.length > 1) out.push(raw.toLowerCase())
  }
  return out
}

function processTerm (term: string): string | null {
  const t = term.toLowerCase()
  if (STOPWORDS.has(t)) return null
  return stem(t)
}

function terms (text: string): string[] {
  return tokenize(text).map(processTerm).filter((t): t is string => t !== null)
}

// Idioms rewritten before words are looked at. Only everyday English lives here; what a word means for one operation
// or resource is in the catalogue (x-aliases, x-field-terms).
const PHRASES: Array<[RegExp, string]> = [
  [/\bvirtual machines?\b/g, 'vm'],
  [/\bsingle sign ?-?on\b/g, 'sso'],
  // "who has a login": a login one has is an account; logging in is the session.
  [/\b(has|have|had|with|without|got|get|gets|need|needs) (a |an |their |his |her )?logins?\b/g, '$1 $2account'],
  [/\b(is|are) (it|they|this|that|(?:my|the|this|that|our) (?:[\w-]+ )?(?:vm|vms|machine|server|box|guest))( still)? (on|off|running|up|down|powered on|powered off)\b/g, 'is power state'],
  [/\b(power|turn|switch|boot|start) (it |them |the vm |vm )?(up|on)\b/g, 'poweron|start'],
  [/\b(power|turn|switch) (it |them |the vm |vm )?(off|down)\b/g, 'poweroff|stop|shutdown'],
  [/\bshut ?(it |them )?down\b/g, 'shutdown'],
  [/\bget rid of\b/g, 'remove'],
  [/\bget (\w+ )?(\w+ )?back\b/g, 'restore $1$2'],
  [/\bmake (it|them|the|this|that|my|its|our)\b/g, 'change $1'],
  [/\bhow many\b/g, 'list'],
  [/\bis there\b|\bare there\b/g, 'list'],
  [/\bright now\b/g, 'current'],
  [/\bback ?up\b/g, 'backup'],
  [/\bspin up\b|\bset ?up\b/g, 'create'],
  [/\bup to date\b/g, 'update'],
  [/\b(log|sign) ?in(to)?\b/g, 'login'],
  [/\b(log|sign) ?(out|off)\b/g, 'logout'],
  [/\be-?mail\b/g, 'email'],
  [/\bip address(es)?\b/g, 'ip'],
  [/\bout of\b/g, 'out from'],
  // "stop replicating", "pause monitoring": switching an activity off is an edit, not a power action.
  [/\b(stop|pause|halt|disable) (\w+ing)\b/g, '$2 disable']
]

// Everyday words for a unit or a thing, beside the word typed (at a lower weight). Nothing specific to one operation.
const SYNONYMS = new Map<string, string[]>([
  ['gigabyte', ['gb']], ['gigabytes', ['gb']], ['terabyte', ['tb']], ['terabytes', ['tb']], ['megabytes', ['mb']],
  ['bigger', ['grow', 'larger']], ['larger', ['grow', 'bigger']], ['enlarge', ['grow']], ['increase', ['more']],
  ['remove', ['delete']], ['erase', ['delete']], ['destroy', ['delete']], ['wipe', ['delete']],
  ['restart', ['reboot']], ['reboot', ['restart']], ['alarm', ['alert']], ['percentage', ['percent']],
  ['configuration', ['settings']], ['config', ['settings']], ['setting', ['settings']]
])

// Words that say what kind of thing is wanted. 'pure' ones say only that; the others also name what to do.
const INTENT_WORDS: Array<[QueryIntent, string[], string[]]> = [
  ['read', ['list', 'show', 'view', 'see', 'display', 'find', 'fetch', 'read', 'lookup', 'look', 'tell', 'get', 'check', 'inventory', 'detail', 'details', 'info', 'information', 'exist', 'current', 'available', 'all', 'every'], ['status', 'monitor']],
  ['create', ['create', 'add', 'new', 'make', 'build', 'provision', 'deploy', 'another', 'send', 'forward'], ['take', 'save', 'copy', 'clone', 'duplicate', 'upload', 'import', 'attach', 'register']],
  ['change', ['change', 'edit', 'modify', 'set', 'configure', 'adjust', 'update', 'more', 'give', 'put', 'increase', 'decrease', 'raise', 'lower', 'bump', 'extra', 'enable', 'disable', 'assign', 'switch', 'turn', 'mark', 'limit', 'cap', 'restrict'],
    ['rename', 'resize', 'grow', 'expand', 'extend', 'shrink', 'bigger', 'larger', 'insert', 'eject', 'mount', 'unmount', 'connect', 'disconnect', 'plug', 'unplug', 'pin', 'retain', 'keep', 'replace', 'reset', 'leave']],
  ['delete', ['delete', 'remove', 'destroy', 'drop', 'erase', 'purge', 'wipe', 'uninstall', 'unregister', 'detach'], []],
  ['action', [], ['start', 'stop', 'boot', 'reboot', 'restart', 'shutdown', 'poweron', 'poweroff', 'power', 'migrate', 'move', 'vmotion', 'pause', 'resume', 'suspend', 'test', 'apply', 'install', 'upgrade']]
]
const INTENT_OF = new Map<string, QueryIntent[]>()
const PURE_INTENT = new Set<string>()
for (const [intent, pure, content] of INTENT_WORDS) {
  for (const w of [...pure, ...content]) INTENT_OF.set(w, [...(INTENT_OF.get(w) ?? []), intent])
  for (const w of pure) PURE_INTENT.add(w)
}
// Which operation intents each wanted intent accepts, best first: adding to a setting is often an edit of it, and
// removing something from a VM (an ISO from its CD drive) too.
const COMPATIBLE: Record<QueryIntent, OperationIntent[][]> = {
  read: [['list', 'get', 'status']],
  create: [['create'], ['change', 'action']],
  change: [['change'], ['create', 'action']],
  delete: [['delete'], ['change']],
  action: [['action'], ['change', 'create']]
}
const FIRST_WORD_INTENTS = new Map<string, QueryIntent>([['schedule', 'create'], ['snapshot', 'create'], ['backup', 'create'], ['checkpoint', 'create'],
  ['replicate', 'create'], ['email', 'create'],
  ['tag', 'change'], ['label', 'change'], ['name', 'change'], ['size', 'change'], ['resize', 'change']])
// Words naming the whole system: after a preposition ("log in to the cluster") they only set the scene.
const CONTEXT_WORDS = new Set(['cluster', 'system', 'environment', 'everything'])
// The word after these is a name ("a VM called web01").
const NAMING = new Set(['called', 'named', 'name', 'titled', 'labelled', 'labeled'])
const ONE_RECORD = new Set(['one', 'single', 'specific', 'particular', 'uuid', 'id', 'detail', 'details', 'given'])
// A yes/no or what-question ("is replication running", "are there alerts") asks to read something.
const QUESTION_START = new Set(['is', 'are', 'was', 'were', 'do', 'does', 'did', 'has', 'have', 'any', 'what', 'which', 'who', 'when', 'where', 'whats'])
// Words after these describe where, what for or why ("add a disk to a VM"): the thing wanted usually comes before them.
const BREAKS = new Set(['to', 'from', 'of', 'for', 'on', 'in', 'into', 'onto', 'inside', 'within', 'attached', 'with', 'under', 'behind',
  'so', 'because', 'since', 'before', 'after', 'until', 'while', 'when', 'if', 'without', 'at', 'via', 'by',
  'but', 'except', 'unless', 'though', 'although', 'whether'])
// How much a word weighs. A pure intent word only helps rank (PURE_WEIGHT in the search), it is not part of what must
// be covered; a name ("web01", "the sql box") hardly counts, a word no document knows half, an adjective before a noun
// less than the noun, and a topic the API does not offer as much as two words.
const PURE_WEIGHT = 0.3
const NAME_WEIGHT = 0.15
const UNKNOWN_WEIGHT = 0.5
const MODIFIER_WEIGHT = 0.4
const UNSUPPORTED_WEIGHT = 2

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

interface FieldDoc { names: string[], terms: string[], text: string[] }

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
  const out: FieldDoc = { names: [], terms: [], text: [] }
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

function getIndex (catalog: Catalog): Index {
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
  const docs = operations.map((op, id): Doc => {
    const f = fieldDoc(op)
    const aliases = op.aliases ?? []
    // Vocabulary lists say a word applies, not how often: each word counts once.
    const once = (words: string[]): string => [...new Set(words.flatMap((w) => w.split(/[^A-Za-z0-9]+/)).filter(Boolean))].join(' ')
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
      fieldText: f.text.join(' ')
    }
  })
  search.addAll(docs)
  split.clear()
  // A resource's own words are the nouns every one of its operations answers to (the operation-only ones differ): a
  // one-word alias, or the last word of a longer one ("running task" names a task, not running).
  const byResource = new Map<string, Set<string>>()
  operations.forEach((op) => {
    const resource = op.path.split('/').filter(Boolean)[0] ?? ''
    const words = new Set([...(op.aliases ?? []).flatMap((a) => terms(a).slice(-1)), resource.toLowerCase()])
    const shared = byResource.get(resource)
    byResource.set(resource, shared === undefined ? words : new Set([...shared].filter((w) => words.has(w))))
  })
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
  index = { search, operations, intents: operations.map(intentOf), subjects, resourceWords, compounds, aliasPairs, vocabulary, resources, unsupported }
  indexes.set(catalog, index)
  return index
}

/** One meaningful word of the question: the terms it searches with and how much of the meaning it carries. */
interface Group {
  word: string
  terms: string[]
  /** Share of the question's meaning (0 for a word that only says list/create/change/delete). */
  weight: number
  /** Weight of its terms in the ranking query. */
  rankWeight: number
  beforeBreak: boolean
  /** The preposition (or conjunction) it follows, if any. */
  after: string
  nameLike: boolean
  /** Says what to do, not just which kind ("reboot", "resize", "insert"): an operation that does not know it does something else. */
  verb: boolean
  /** Position among the words of the question, to tell which words stand side by side. */
  at: number
  /** Describes the noun after it ("old data disk", "vm disk"): it narrows the thing, it is not the thing. */
  modifier: boolean
  /** Part of a field's name in two words ("user data"): not the resource the question is about. */
  inCompound: boolean
}

interface Analysed {
  groups: Group[]
  intents: Set<QueryIntent>
  /** The question starts like a question ("is", "what", "which"): it asks to read. */
  question: boolean
  wantsOne: boolean
  unsupported: UnsupportedTopic[]
}

// Values (addresses, paths, sizes) name a thing, not a task: drop them before reading words.
const VALUES = /\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b|\b\d{1,3}(\.\d{1,3}){3}\b|\bhttps?:\/\/\S+|\b[a-z]+\/[a-z_]+\b|\b[\w-]+(\.[\w-]+){2,}\b/gi

function analyse (index: Index, query: string): Analysed {
  let text = query.replace(VALUES, ' ').toLowerCase().replace(/%/g, ' percent ').replace(/[’']s\b/g, '').replace(/"[^"]*"/g, ' ')
  for (const [re, words] of PHRASES) text = text.replace(re, (...m: string[]) => ` ${words.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? '')} `)
  // An idiom may stand for one of several words ("poweroff|stop|shutdown"): one word of the question, several ways to find it.
  const alternatives = new Map<number, string[]>()
  const raw = text.split(/[^a-z0-9|]+/).filter((w) => w.replace(/\|/g, '') !== '').map((w, i) => {
    const [head, ...rest] = w.split('|').filter(Boolean)
    if (rest.length > 0) alternatives.set(i, rest)
    return head as string
  })
  // Phrases are looked for among the meaningful words, so "encrypt the VM's disks" holds "encrypt disk"; a phrase
  // with a filler word in it ("two factor") is looked for among all of them.
  const allStems = raw.map(stem)
  const stems = raw.filter((w) => !STOPWORDS.has(w)).map(stem)
  const found = (p: string[]): boolean => containsNear(p.some((w) => STOPWORDS.has(w)) ? allStems : stems, p)
  const gaps = index.unsupported.filter(({ phrases }) => phrases.some(found))
  const unsupported = gaps.map(({ topic }) => topic)
  // Words naming something the API lacks are that topic's; they do not count as found elsewhere ("CPU shares" are no SMB share).
  const gapWords = new Set(gaps.flatMap(({ phrases }) => phrases.filter(found).flat()))

  const intents = new Set<QueryIntent>()
  let wantsOne = false
  for (const word of raw) {
    // "uploaded disk", "sending alerts": a participle describes the thing; it is not what to do.
    const participle = /(ing|ed)$/.test(word) && !INTENT_OF.has(word)
    // A slip is only guessed at for a word no document knows ("delte"), never for a real one ("remote").
    const typo = index.vocabulary.has(stem(word)) ? [] : typoIntent(word)
    if (!participle) for (const intent of INTENT_OF.get(word) ?? INTENT_OF.get(stem(word)) ?? typo) intents.add(intent)
    if (ONE_RECORD.has(word)) wantsOne = true
  }
  // "schedule daily snapshots", "snapshot the VM": a first word that can be a noun is a verb when it opens the question,
  // unless it starts a name in two words ("snapshot schedules").
  const first = raw[0] ?? ''
  const twoWordName = raw.length > 1 && index.aliasPairs.has(`${stem(first)} ${stem(raw[1] as string)}`)
  const opener = twoWordName
    ? undefined
    : FIRST_WORD_INTENTS.get(first) ?? (first.length >= 5 && !index.vocabulary.has(stem(first)) ? [...FIRST_WORD_INTENTS].find(([w]) => oneEditApart(w, first, true))?.[1] : undefined)
  if (opener !== undefined) intents.add(opener)
  const question = QUESTION_START.has(raw[0] ?? '') || /^\s*how (far|much|long|often)\b/.test(text)
  if (question) intents.add('read')

  const groups: Group[] = []
  const seen = new Set<string>()
  let beforeBreak = true
  let after = ''
  for (let i = 0; i < raw.length; i++) {
    const word = raw[i] as string
    if (BREAKS.has(word)) {
      beforeBreak = false
      after = word
      continue
    }
    const term = processTerm(word)
    // No word of the API is longer than 40 letters; longer strings are noise and slow fuzzy matching down.
    if (term === null || term.length < 2 || term.length > 40 || /^\d+$/.test(term) || seen.has(term) || gapWords.has(term)) continue
    seen.add(term)
    // What comes after a preposition says where or what for; "to the cluster" says hardly anything.
    const place = beforeBreak ? 1 : CONTEXT_WORDS.has(term) ? 0.2 : 0.6
    const pure = PURE_INTENT.has(word) || PURE_INTENT.has(term) || ONE_RECORD.has(word) || ONE_RECORD.has(term)
    // A pure intent word still counts for meaning when it also names a resource ("updates" are firmware updates).
    const weight = pure ? (index.resourceWords.has(term) ? 0.5 * place : 0) : place
    const extra = [...(alternatives.get(i) ?? []), ...(SYNONYMS.get(word) ?? SYNONYMS.get(term) ?? [])].map(stem).filter((t) => t !== term)
    const named = NAMING.has(raw[i - 1] ?? '')
    const verb = !pure && INTENT_OF.has(word)
    groups.push({ word, terms: [term, ...extra], weight, rankWeight: pure ? PURE_WEIGHT : place, beforeBreak, after, nameLike: named || (/\d/.test(term) && /[a-z]/.test(term)), verb, inCompound: false, at: i, modifier: false })
    if (groups.length >= MAX_TERMS) break
  }
  for (let i = groups.length - 1; i >= 1; i--) {
    const a = groups[i - 1] as Group
    const b = groups[i] as Group
    if (b.at !== a.at + 1 || a.weight === 0) continue
    const pair = `${a.terms[0] as string} ${b.terms[0] as string}`
    if (index.compounds.has(pair)) a.inCompound = b.inCompound = true
    // Words right before the noun they describe narrow it down ("the old data disk"), unless the two are one name.
    else if (!index.aliasPairs.has(pair) && (b.modifier || b.terms.some((t) => index.resourceWords.has(t)))) a.modifier = true
  }
  return { groups, intents, question, wantsOne, unsupported }
}

// The words of a phrase close together, in any order ("encrypt the VM's disks", "limit the NIC's bandwidth").
function containsNear (words: string[], phrase: string[]): boolean {
  if (phrase.length === 0) return false
  const span = phrase.length + 2
  for (let start = 0; start < words.length; start++) {
    const window = words.slice(start, start + span)
    if (phrase.includes(words[start] as string) && phrase.every((p) => window.includes(p))) return true
  }
  return false
}

// "delte", "lsit": one slip off an intent word still says what is wanted. Short words only count when two letters
// are swapped, since one changed letter makes another word ("made" is not "make").
function typoIntent (word: string): QueryIntent[] {
  if (word.length < 4) return []
  for (const [w, intents] of INTENT_OF) if (w.length >= 4 && Math.abs(w.length - word.length) <= 1 && oneEditApart(w, word, word.length >= 5)) return intents
  return []
}

function oneEditApart (a: string, b: string, substitute: boolean): boolean {
  if (a === b) return true
  if (a.length === b.length) {
    const diff = [...a].flatMap((c, i) => (c !== b[i] ? [i] : []))
    const swapped = diff.length === 2 && diff[1] === (diff[0] as number) + 1 && a[diff[0] as number] === b[diff[1] as number] && a[diff[1] as number] === b[diff[0] as number]
    return swapped || (substitute && diff.length === 1)
  }
  if (!substitute) return false
  const [s, l] = a.length < b.length ? [a, b] : [b, a]
  for (let i = 0; i < l.length; i++) if (l.slice(0, i) + l.slice(i + 1) === s) return true
  return false
}

const PATH_LIKE = /^\/?(rest\/v1\/?)?[A-Za-z][\w{}.-]*(\/[\w{}.-]*)*\/?$/

function pathQuery (catalog: Catalog, index: Index, query: string): Array<{ op: CatalogOperation, confidence: Confidence }> | undefined {
  const q = query.trim()
  if (!PATH_LIKE.test(q)) return undefined
  const normal = normalisePath(q).toLowerCase()
  const first = normal.split('/').filter(Boolean)[0] ?? ''
  // A bare word is a path only when it names a resource ("VirDomain", "user"), so "snapshot" stays a question.
  if (!q.startsWith('/') && !/^rest\/v1/i.test(q) && !index.resources.has(first)) return undefined
  // The best template first (literal segments beat {params}), then other templates the path fits, then sub-paths,
  // then any path containing it, as the original helper's LIKE did.
  const ordered = catalog.operationsForPath(q, { ignoreCase: true })
  const seen = new Set(ordered)
  const template = (p: string): string => p.toLowerCase().replace(/\{[^}]+\}/g, '{}')
  const wanted = template(normal)
  const wantedLoose = normal.replace(/\{[^}]+\}/g, '')
  const fits: CatalogOperation[] = []
  const under: CatalogOperation[] = []
  const contains: CatalogOperation[] = []
  for (const op of index.operations) {
    if (seen.has(op)) continue
    const p = template(op.path)
    if (p === wanted || matchesConcrete(op.path, normal)) fits.push(op)
    else if (p.startsWith(wanted + '/')) under.push(op)
    else if (wantedLoose !== '/' && op.path.toLowerCase().includes(wantedLoose)) contains.push(op)
  }
  const all = [
    ...[...ordered, ...fits].map((op) => ({ op, confidence: 'high' as const })),
    ...under.map((op) => ({ op, confidence: 'medium' as const })),
    ...contains.map((op) => ({ op, confidence: 'low' as const }))
  ]
  return all.length > 0 ? all : undefined
}

function matchesConcrete (template: string, concrete: string): boolean {
  const t = template.split('/').filter(Boolean)
  const c = concrete.split('/').filter(Boolean)
  return t.length === c.length && t.every((seg, i) => seg.startsWith('{') || seg.toLowerCase() === c[i])
}

function hit (op: CatalogOperation, confidence: Confidence): SearchHit {
  return { method: op.method, path: op.path, operationId: op.operationId, summary: op.summary, tag: op.tag, confidence, mutating: op.mutating }
}

const LEVEL: Record<Confidence, number> = { high: 2, medium: 1, low: 0 }
const STRENGTH: Record<Confidence, MatchStrength> = { high: 'strong', medium: 'weak', low: 'none' }

/**
 * Finds the operations that answer a plain-language question ("how do I power on a VM") or a path ("/User",
 * "VirDomain"), best first, each with an absolute confidence, and says how well the best one answers (`match`).
 * When no operation does what is asked, `match` is "none", the results are only the nearest ones and `hint` says so.
 * An empty or blank query throws AppError QUERY_EMPTY (400); queries longer than 1,000 characters are cut there.
 */
export function searchOperations (catalog: Catalog, query: string, options: SearchOptions = {}): SearchResult {
  const limit = Number.isFinite(options.limit) ? Math.max(1, Math.min(50, Math.trunc(options.limit as number))) : 10
  let method = options.method?.toUpperCase()
  let q = query.slice(0, MAX_QUERY_LENGTH)
  // "GET /VirDomain/{uuid}", as people and models often write an endpoint, is a path with a method.
  const withMethod = /^\s*(GET|POST|PUT|PATCH|DELETE|OPTIONS)\s+(\/\S*)\s*$/i.exec(q)
  if (withMethod !== null) {
    method ??= (withMethod[1] as string).toUpperCase()
    q = withMethod[2] as string
  }
  if (q.trim() === '') {
    throw new AppError('QUERY_EMPTY', `The query is empty. Ask in plain words (e.g. "how do I power on a VM", "add a disk to a VM") or give a path such as /VirDomain. Areas: ${catalog.tags.join(', ')}.`, 400, { details: { tags: catalog.tags } })
  }
  const index = getIndex(catalog)
  const keep = (op: CatalogOperation): boolean => method === undefined || op.method === method

  const byPath = pathQuery(catalog, index, q)
  if (byPath !== undefined) {
    const hits = byPath.filter(({ op }) => keep(op)).map(({ op, confidence }) => hit(op, confidence))
    const seen = new Set(hits.map((h) => h.operationId))
    // Fill up with what the words of the path find, so "/User" also shows roles and SSO after the /User calls.
    if (hits.length < limit) {
      const more = rank(index, q, method).hits.filter((h) => !seen.has(h.operationId))
      hits.push(...more.map((h) => ({ ...h, confidence: h.confidence === 'high' ? 'medium' as const : h.confidence })))
    }
    if (hits.length === 0) return { match: 'none', results: [], total: 0, hint: noMatchHint(catalog, index, q, method, []) }
    const match = STRENGTH[(hits[0] as SearchHit).confidence]
    return { match, results: hits.slice(0, limit), total: hits.length, ...(match === 'none' ? { hint: noMatchHint(catalog, index, q, method, hits) } : {}) }
  }

  const ranked = rank(index, q, method)
  const hits = ranked.hits
  if (hits.length === 0) return { match: 'none', results: [], total: 0, hint: noMatchHint(catalog, index, q, method, [], ranked.analysed) }
  const match = STRENGTH[(hits[0] as SearchHit).confidence]
  const out: SearchResult = { match, results: hits.slice(0, limit), total: hits.length }
  if (match === 'none') out.hint = noMatchHint(catalog, index, q, method, hits, ranked.analysed)
  else if (match === 'weak') out.hint = weakHint(ranked.missing)
  return out
}

interface Ranked {
  hits: SearchHit[]
  analysed: Analysed
  /** Words of the question the best operation does not cover. */
  missing: string[]
}

function rank (index: Index, query: string, method: string | undefined): Ranked {
  const analysed = analyse(index, query)
  const { groups } = analysed
  if (groups.length === 0) return { hits: [], analysed, missing: [] }
  const weightOf = new Map<string, number>()
  for (const g of groups) {
    for (const [i, t] of g.terms.entries()) {
      const w = i === 0 ? g.rankWeight : g.rankWeight * 0.6
      if ((weightOf.get(t) ?? 0) < w) weightOf.set(t, w)
    }
  }
  const queryTerms = [...weightOf.keys()]
  const results = index.search.search(queryTerms.join(' '), {
    boost: BOOST,
    prefix: (term) => term.length >= 4,
    fuzzy: (term) => (term.length >= 6 ? 0.2 : term.length >= 5 ? 1 : false),
    // Words the person typed count fully; synonyms and pure intent words count less, so they widen the net without taking over.
    boostTerm: (term) => weightOf.get(term) ?? 1,
    filter: method === undefined ? undefined : (r) => index.operations[r.id as number]?.method === method
  })
  if (results.length === 0) return { hits: [], analysed, missing: [] }

  // A word no operation knows is either a name ("web01", "the sql box") or something the API lacks.
  const known = new Set(results.flatMap((r) => r.queryTerms))
  const weights = groups.map((g) => {
    if (g.weight === 0) return 0
    // A thing named before another ("vm disk") still matters; an adjective ("old") much less.
    if (g.terms.some((t) => known.has(t))) return g.modifier ? g.weight * (g.terms.some((t) => index.resourceWords.has(t)) ? 0.7 : MODIFIER_WEIGHT) : g.weight
    return g.nameLike || g.modifier ? g.weight * NAME_WEIGHT : g.weight * UNKNOWN_WEIGHT
  })
  const lacking = analysed.unsupported.length * UNSUPPORTED_WEIGHT
  const total = weights.reduce((a, b) => a + b, 0) + lacking
  // The thing asked about is named before any preposition; failing that, as the owner of what is named ("the IP address
  // of a node"). Participles ("connected") describe; they do not name.
  const naming = groups.filter((g) => g.weight > 0 && !/(ed|ing)$/.test(g.word) && g.terms.some((t) => index.resourceWords.has(t)) && !CONTEXT_WORDS.has(g.terms[0] as string))
  const subjectGroups = naming.some((g) => g.beforeBreak) ? naming.filter((g) => g.beforeBreak) : naming.filter((g) => g.after === 'of' && !g.inCompound)

  const scored = results.map((r) => {
    const id = r.id as number
    const op = index.operations[id] as CatalogOperation
    const intent = index.intents[id] as OperationIntent
    const quality = coverageOf(r)
    let covered = 0
    let verbMissing = false
    const missing: string[] = []
    groups.forEach((g, i) => {
      const q = Math.max(0, ...g.terms.map((t, j) => (quality.get(t) ?? 0) * (j === 0 ? 1 : 0.85)))
      covered += (weights[i] as number) * q
      if (q === 0 && (weights[i] as number) >= 0.3) missing.push(g.word)
      if (q === 0 && g.verb && g.beforeBreak) verbMissing = true
    })
    const coverage = total > 0 ? covered / total : 0
    // The question is about this operation's resource, or names a field of it in two words ("user data").
    const subjectOk = subjectGroups.length === 0 || subjectGroups.some((g) => g.terms.some((t) => index.subjects[id]?.has(t) === true ||
      SUBJECT_FIELDS.some((f) => fieldsOf(r, t).includes(f)) || (g.inCompound && fieldsOf(r, t).includes('fieldTerms'))))
    const fit = intentFit(analysed, intent)
    const fits = fit === undefined ? undefined : fit > 0
    let confidence: Confidence = coverage >= 0.7 ? 'high' : coverage >= 0.45 ? 'medium' : 'low'
    // An operation that does not know the verb asked for ("reboot" a node) does something else.
    if (verbMissing) confidence = confidence === 'high' ? 'medium' : 'low'
    // Something the API does not do was asked for: what is found is at best a neighbour.
    if (!subjectOk || fits === false || analysed.unsupported.length > 0) confidence = 'low'
    let score = r.score * (0.25 + coverage) * (fit === undefined ? 1 : fit === 0 ? 0.6 : fit)
    if (intent === 'get' && analysed.wantsOne) score *= 1.3
    if (intent === 'list' && !analysed.wantsOne) score *= 1.1
    // A bare noun ("disks", "remote logging") asks to see them.
    if (fit === undefined && (intent === 'list' || intent === 'get' || intent === 'status')) score *= 1.2
    // PATCH and its POST twin say the same; PATCH is the one to suggest first.
    if (op.method === 'PATCH') score *= 1.02
    // The plain create of a resource is what "make a VM" means, unless the words point at a clone or an import.
    if (intent === 'create' && analysed.intents.has('create') && /^\/[^/]+$/.test(op.path)) score *= 1.15
    // A CORS preflight is never what a person means unless they say so.
    if (op.method === 'OPTIONS' && !queryTerms.some((t) => t === 'option' || t === 'cor' || t === 'preflight')) score *= 0.4
    return { op, score, confidence, missing }
  })
  scored.sort((a, b) => LEVEL[b.confidence] - LEVEL[a.confidence] || b.score - a.score)
  return { hits: scored.map(({ op, confidence }) => hit(op, confidence)), analysed, missing: scored[0]?.missing ?? [] }
}

/** How well an operation's intent fits what is wanted: 1.5 best, 1.1 acceptable, 0 not at all; undefined when nothing is said. */
function intentFit (analysed: Analysed, intent: OperationIntent): number | undefined {
  if (analysed.intents.size === 0) return undefined
  let best = 0
  for (const wanted of analysed.intents) {
    const [first, second] = COMPATIBLE[wanted]
    // A question ("what is...", "is it...") asks to read, whatever verbs follow in it.
    const secondary = analysed.question && wanted !== 'read'
    if (first?.includes(intent) === true) best = Math.max(best, secondary ? 1.1 : 1.5)
    else if (second?.includes(intent) === true) best = Math.max(best, 1.1)
  }
  return best
}

/** The fields a document term was found in; a word like "constructor" is a term, never an inherited property. */
function fieldsOf (r: MiniResult, term: string): string[] {
  return Object.hasOwn(r.match, term) ? r.match[term] ?? [] : []
}

/** How well each query term is covered by one result: the best field it was found in (typos and prefixes count less). */
function coverageOf (r: MiniResult): Map<string, number> {
  const out = new Map<string, number>()
  for (const qt of r.queryTerms) {
    const exact = Object.hasOwn(r.match, qt) ? fieldsOf(r, qt) : undefined
    const fields = exact ?? r.terms.filter((t) => t.startsWith(qt) || qt.startsWith(t) || Math.abs(t.length - qt.length) <= 2).flatMap((t) => fieldsOf(r, t))
    const best = Math.max(0, ...fields.map((f) => QUALITY[f as Field] ?? 0.5))
    out.set(qt, exact !== undefined ? best : best * 0.85)
  }
  return out
}

function weakHint (missing: string[]): string {
  const words = missing.length > 0 ? ` (not covered: ${missing.slice(0, 6).join(', ')})` : ''
  return `Only a partial match${words}: check each result's summary, or describe_endpoint, before calling one.`
}

function noMatchHint (catalog: Catalog, index: Index, query: string, method: string | undefined, hits: SearchHit[], analysed?: Analysed): string {
  const shown = query.length > 60 ? `${query.slice(0, 57)}...` : query
  if (method !== undefined) {
    const unfiltered = rank(index, query, undefined).hits
    if (unfiltered.length > 0 && unfiltered[0]?.method !== method) {
      const methods = [...new Set(unfiltered.slice(0, 5).map((h) => h.method))].join(', ')
      return `No ${method} operation matches "${shown}"; without the method filter ${unfiltered.length} do (best: ${unfiltered[0]?.method} ${unfiltered[0]?.path}, methods ${methods}).`
    }
  }
  const gap = analysed?.unsupported[0]
  const tags = [...new Set([...(gap?.areas ?? []), ...hits.slice(0, 5).map((h) => h.tag), ...(hits.length === 0 ? closestTags(index, query) : [])])].slice(0, 3)
  const areas = tags.length > 0 ? `Closest areas: ${tags.join(', ')}.` : `Nothing is close; the areas are ${catalog.tags.join(', ')}.`
  const what = gap !== undefined ? ` ${gap.note}` : ''
  const results = hits.length > 0 ? ' The results are only the nearest operations, not answers.' : ''
  return `No operation does "${shown}".${what} ${areas}${results} Rephrase in plain words ("list VMs", "add a disk to a VM") or give a path such as /VirDomain.`
}

function closestTags (index: Index, query: string): string[] {
  const words = query.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 3 && w.length <= 40 && !STOPWORDS.has(w)).slice(0, MAX_TERMS)
  const counts = new Map<string, number>()
  if (words.length > 0) {
    const loose = index.search.search(words.join(' '), { prefix: true, fuzzy: 0.34 })
    for (const r of loose) {
      const tag = index.operations[r.id as number]?.tag
      if (tag !== undefined) counts.set(tag, (counts.get(tag) ?? 0) + r.score)
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([tag]) => tag).slice(0, 3)
}
