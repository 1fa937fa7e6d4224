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

type Field = 'path' | 'summary' | 'names' | 'aliases' | 'tag' | 'description' | 'fields' | 'fieldTerms' | 'fieldText' | 'related'
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
  /** The same, by length, to find a word one slip away. */
  byLength: Map<number, string[]>
  /** Lower-cased first path segments, e.g. 'virdomain', to recognise a resource name typed as a query. */
  resources: Set<string>
  unsupported: Array<{ topic: UnsupportedTopic, phrases: string[][] }>
}

const indexes = new WeakMap<Catalog, Index>()

// One-word aliases name the thing outright; a word inside a longer alias ("mail server") says less on its own.
// The names of another resource its summary speaks of ("a snapshot of a VM") are the words that resource answers to.
const BOOST: Record<Field, number> = { names: 3, aliases: 2, path: 2.5, summary: 2, fieldTerms: 1.5, tag: 1, fields: 0.8, description: 0.7, fieldText: 0.3, related: 0.4 }
// How surely a word found in a field means the operation covers it: its names and vocabulary fully, its prose less.
const QUALITY: Record<Field, number> = { names: 1, aliases: 1, path: 1, summary: 1, fieldTerms: 1, tag: 0.8, fields: 0.9, description: 0.7, fieldText: 0.5, related: 0.85 }
const SUBJECT_FIELDS: Field[] = ['names', 'aliases', 'path', 'summary']
const FIELDS: Field[] = ['path', 'summary', 'names', 'aliases', 'tag', 'description', 'fields', 'fieldTerms', 'fieldText', 'related']

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
  'hypercore scale computing api rest endpoint call request way possible able using got all every whats whos wheres hows')
  .split(' '))
// Other hypervisors' and tools' own names: they say where a word comes from, not what is wanted.
const TOOL_WORDS = new Set('vmware vsphere vcenter esxi esx hyper hyperv proxmox pve pvesh powercli govc nutanix prism xen xcp kvm qemu libvirt scvmm ovirt'.split(' '))
for (const w of TOOL_WORDS) STOPWORDS.add(w)

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
const OBJECT = '(?:(?:it|them|(?:the|my|our|your|their|this|that|these|those|all|his|her) [\\w-]+(?: [\\w-]+)?) )?'
// A time of day or a recurrence ("every night at 2am", "each friday", "nightly") asks for something done on a schedule.
const TIME = /\b(?:(?:every|each|once a|twice a|on) (?:other )?(?:day|night|morning|evening|afternoon|week|weekday|weekend|hour|minute|month|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?|nightly|daily|hourly|weekly|monthly|yearly|(?:at|around) (?:[01]?\d|2[0-4])(?::\d\d)?(?: ?(?:am|pm|h|o ?clock)\b|(?![\d.]| ?(?:%|percent|[kmgt]i?b?|gigs?|cores?|v?cpus?|disks?|nodes?|vms?|days?)\b))|by (?:[01]?\d|2[0-4])(?::\d\d)? ?(?:am|pm|o ?clock)\b|\d{1,2}(?::\d\d)? ?(?:am|pm)\b|midnight|cron)/g
const SCHEDULE = stem('schedule')
const PHRASES: Array<[RegExp, string]> = [
  [/\bvirtual machines?\b/g, 'vm'],
  [/\bsingle sign ?-?on\b/g, 'sso'],
  [/\bis there (?:a|any) way to\b|\bis it possible to\b|\bwhat is the way to\b/g, 'how to'],
  // "who has a login", "a read-only login": a login one has is an account; logging in is the session.
  [/\b(has|have|had|with|without|got|get|gets|need|needs|a|an|new|another|own|their|his|her) ((?:[\w-]+ ){0,2}?)logins?\b/g, '$1 $2account'],
  [/(?:^|[,;.?!] *)(is|are) (it|they|this|that|(?:my|the|this|that|our) (?:[\w-]+ )?(?:vm|vms|machine|server|box|guest))( still)? (on|off|running|up|down|powered on|powered off)\b/g, 'is power state'],
  // "make bob an admin": making someone something is an edit.
  [/\bmake (\w+) (a|an)\b/g, 'change $1 $2'],
  // "bring the web server back up", "get it back online": power it on again, not a backup.
  [/\b(?:bring|brought|get|got) ((?:[\w-]+ ){0,4}?)back (?:up|online|on)\b/g, 'poweron|start $1'],
  [/\bbring ((?:[\w-]+ ){0,3}?)in\b/g, 'import $1'],
  [new RegExp(`\\b(?:power|turn|switch|boot|start) ${OBJECT}(?:up|on)\\b`, 'g'), 'poweron|start $1'],
  [new RegExp(`\\b(?:power|turn|switch) ${OBJECT}(?:off|down)\\b`, 'g'), 'poweroff|stop|shutdown $1'],
  [new RegExp(`\\bshut ?${OBJECT}down\\b`, 'g'), 'shutdown $1'],
  [/\bget rid of\b/g, 'remove'],
  [/\bget (\w+ )?(\w+ )?back\b/g, 'restore $1$2'],
  [/\bmake (?=(?:it|them|the|this|that|my|its|our|more|less|bigger|larger|smaller)\b)/g, 'change '],
  [/\bmore big\b/g, 'bigger'],
  [/\bmore large\b/g, 'larger'],
  [/\bhow many\b/g, 'list'],
  [/\bis there\b|\bare there\b/g, 'list'],
  [/\bright now\b/g, 'current'],
  [/\bback ?up\b/g, 'backup'],
  [/\bspin up\b|\bset ?up\b|\bstand up\b/g, 'create'],
  [/\bhook (\w+ )?up\b/g, 'configure $1'],
  [/\b(clean|clear|wipe|tidy) (?:out|up|away|off)\b/g, '$1'],
  [/\bup to date\b/g, 'update'],
  [/\b(?:log|sign) (?:me |us |them |him |her )?in(?:to)?\b|\b(?:log|sign)in(?:to)?\b/g, 'login'],
  [/\b(?:log|sign) (?:me |us |them |him |her )?(?:out|off)\b|\blogout\b/g, 'logout'],
  [/\be-?mail\b/g, 'email'],
  [/\bip address(es)?\b/g, 'ip'],
  [/\bout of\b/g, 'out from'],
  // "stop replicating", "pause monitoring": switching an activity off is an edit, not a power action.
  [/\b(stop|pause|halt|disable) (\w+ing)\b/g, '$2 disable'],
  [TIME, ' schedule ']
]

// Everyday words for a unit or a thing, beside the word typed (at a lower weight). Nothing specific to one operation.
const SYNONYMS = new Map<string, string[]>([
  ['gigabyte', ['gb']], ['gigabytes', ['gb']], ['terabyte', ['tb']], ['terabytes', ['tb']], ['megabytes', ['mb']],
  ['bigger', ['grow', 'larger']], ['larger', ['grow', 'bigger']], ['enlarge', ['grow']], ['increase', ['more']],
  ['remove', ['delete']], ['erase', ['delete']], ['destroy', ['delete']], ['wipe', ['delete']],
  ['restart', ['reboot']], ['reboot', ['restart']], ['alarm', ['alert']], ['percentage', ['percent']],
  ['configuration', ['settings']], ['config', ['settings']], ['setting', ['settings']], ['mail', ['email']],
  ['relocate', ['move']], ['transfer', ['move']], ['shift', ['move']]
])

// Verbs (and a few adjectives) that say what kind of thing is wanted: PowerShell's approved verbs and everyday admin
// English. 'pure' ones say only that; the others also name what to do, so an operation that does not know them does
// something else.
const INTENT_WORDS: Array<[QueryIntent, string, string]> = [
  ['read', 'list show view see display find fetch read lookup look tell get check inventory detail details info information exist current available ' +
    'search select inspect query count print dump browse review pull grab enumerate measure compare', 'status monitor watch wait'],
  ['create', 'create add new make build provision deploy another send forward generate open establish define fresh additional bring spin',
    'take save copy clone duplicate upload import attach register checkpoint'],
  ['change', 'change edit modify set configure adjust update more give put increase decrease raise lower bump extra enable disable assign switch turn ' +
    'mark limit cap restrict cut reduce trim double halve tweak alter amend correct swap flip toggle point pass provide supply allow permit grant revoke convert',
  'rename resize grow expand extend shrink bigger larger insert eject mount unmount dismount connect disconnect plug unplug pin retain keep replace reset leave'],
  ['delete', 'delete remove destroy drop erase purge wipe uninstall unregister detach clear clean prune nuke trash scrap ditch discard decommission retire', ''],
  ['action', '', 'start stop boot reboot restart shutdown poweron poweroff power migrate move vmotion pause resume suspend test apply install upgrade relocate bounce']
]
const INTENT_OF = new Map<string, QueryIntent[]>()
const PURE_INTENT = new Set<string>()
for (const [intent, pure, content] of INTENT_WORDS) {
  for (const w of `${pure} ${content}`.split(' ').filter(Boolean)) INTENT_OF.set(w, [...(INTENT_OF.get(w) ?? []), intent])
  for (const w of pure.split(' ').filter(Boolean)) PURE_INTENT.add(w)
}
// The same by stem, for the word in a verb's place ("deleting", "delet").
const INTENT_OF_STEM = new Map([...INTENT_OF].map(([w, intents]) => [stem(w), intents]))
// Intent words that also say it inside a noun phrase ("a new disk", "more memory", "the current alerts").
const ADJECTIVAL = new Set(['new', 'another', 'fresh', 'additional', 'second', 'more', 'extra', 'bigger', 'larger', 'current', 'available', 'detail', 'details', 'info', 'information', 'inventory', 'status'])
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
// Particles of phrasal verbs ("are the services up"): they say little and never name the thing.
const PARTICLES = new Set(['up', 'down', 'on', 'off', 'out', 'over', 'back', 'in', 'away'])
// The word after these is a name ("a VM called web01").
const NAMING = new Set(['called', 'named', 'name', 'titled', 'labelled', 'labeled'])
const ONE_RECORD = new Set(['one', 'single', 'specific', 'particular', 'uuid', 'id', 'detail', 'details', 'given'])
// A yes/no or what-question ("is replication running", "are there alerts") asks to read something.
const QUESTION_START = new Set(['is', 'are', 'was', 'were', 'do', 'does', 'did', 'has', 'have', 'any', 'what', 'which', 'who', 'when', 'where', 'whats', 'whos', 'wheres'])
const WH = new Set(['what', 'which', 'whats'])
// Auxiliaries: after a noun they make a statement ("the disk is full") or end a question's subject ("which port is it on").
const AUX = new Set(['is', 'are', 'was', 'were', 'do', 'does', 'did', 'has', 'have', 'had', 'can', 'could', 'will', 'would', 'should', 'may', 'might', 'must',
  'cant', 'cannot', 'wont', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'hasnt', 'havent', 'keeps', 'seems', 'got', 'gets', 'uses', 'needs'])
// Words that open a noun phrase: what follows is a thing, not something to do ("wipe the old test machines").
const DETERMINERS = new Set(['the', 'a', 'an', 'my', 'our', 'your', 'their', 'its', 'his', 'her', 'this', 'that', 'these', 'those', 'all', 'every', 'each',
  'some', 'any', 'no', 'another', 'other', 'both', 'several', 'many', 'more', 'most', 'less', 'fewer', 'one'])
const INDEFINITE = new Set(['a', 'an', 'some', 'any', 'another'])
const DEFINITE = new Set(['the', 'my', 'our', 'your', 'their', 'its', 'his', 'her', 'this', 'that', 'these', 'those'])
// A personal pronoun inside a clause starts a relative clause ("the vm i created", "the clusters we replicate to").
const PRONOUNS = new Set(['i', 'we', 'you', 'they', 'he', 'she', 'who', 'whom', 'whose', 'u'])
// Words after these describe where, what for or why ("add a disk to a VM"): the thing wanted usually comes before them.
// Places and owners may still name what is meant; purposes, times and reasons hardly do.
const LOCATIVE = new Set(['to', 'from', 'of', 'on', 'in', 'into', 'onto', 'inside', 'within', 'attached', 'with', 'under', 'behind', 'at', 'via', 'over', 'through', 'across', 'between'])
const PURPOSE = new Set(['for', 'so', 'because', 'since', 'before', 'after', 'until', 'till', 'while', 'when', 'if', 'without', 'by', 'during', 'as', 'like',
  'but', 'except', 'unless', 'though', 'although', 'whether', 'per', 'then'])
// A clause opens with these before its verb ("please can you", "how do I", "I need to").
const LEAD = /^(?:(?:please|pls|plz|kindly|ok|okay|so|hey|hi|hello|also|then|now|and|just|quickly|again|urgently|urgent)\s+)*(?:(?:can|could|would|will|should|may|might)\s+(?:you|u|i|we|someone|somebody)\s+(?:please\s+|pls\s+)?|(?:i|we|u)\s+(?:need|want|wanna|would like|d like|have|must|should|gotta|am trying|m trying|try)\s+to\s+|(?:i|we)\s+(?:need|want|would like|d like)\s+(?=a\b|an\b|another\b|new\b|more\b|some\b|the\b)|how\s+(?:do|can|should|would|could|to)\s+(?:i|we|you|one|u)?\s*|how\s+(?:i|we)\s+(?:can|could|should|do)\s+|how\s+to\s+|help\s+me\s+(?:to\s+)?|let\s+(?:me|us)\s+|lets\s+|trying\s+to\s+|let\s+\w+\s+(?=(?:login|logout|see|use|access|change|add|create|manage)\b))?/
const CLAUSES = /[,;!?]+|:\s|\.(?:\s|$)|\s[-–]\s|\b(?:because|since|although|though|but|so that|so|cause|coz)\b/
// How much a word weighs. A pure intent word only helps rank (PURE_WEIGHT in the search), it is not part of what must
// be covered; a name ("web01", "the sql box") hardly counts, a word no document knows half, an adjective before a noun
// less than the noun, and a topic the API does not offer as much as two words.
const PURE_WEIGHT = 0.3
const NAME_WEIGHT = 0.15
const UNKNOWN_WEIGHT = 0.5
const MODIFIER_WEIGHT = 0.4
const UNSUPPORTED_WEIGHT = 2
// A clause that only sets the scene ("the disk is full, make it bigger") and a relative clause ("the vm I created") say
// less about what is wanted than the request itself.
const BACKGROUND = 0.2
const RELATIVE = 0.4

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
  const docs = operations.map((op, id): Doc => {
    const f = fieldDoc(op)
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
  index = { search, operations, intents: operations.map(intentOf), subjects, resourceWords, compounds, aliasPairs, vocabulary, byLength, resources, unsupported }
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
  /** In the request's object: before any preposition of the clause that asks, not in a relative clause. */
  beforeBreak: boolean
  /** The preposition (or conjunction) it follows, if any. */
  after: string
  nameLike: boolean
  /** The request's own verb, naming what to do ("reboot", "resize", "insert"): an operation that does not know it does something else. */
  verb: boolean
  /** Position among the words of the question, to tell which words stand side by side. */
  at: number
  /** Describes the noun after it ("old data disk", "vm disk"): it narrows the thing, it is not the thing. */
  modifier: boolean
  /** Part of a field's name in two words ("user data"): not the resource the question is about. */
  inCompound: boolean
  /** Some document knows the word (or a one-letter slip of it). */
  known: boolean
  /** A word no document knows, in the request's verb, object or asked-for thing: a concept the catalogue has no record of. */
  concept: boolean
  /** What a what/which question asks for ("which vnc port", "what roles"). */
  focus: boolean
  /** An operation that does not cover it does not do what is asked (a schedule, "every night at 2am"). */
  required: boolean
  /** A resource's name in a verb's place ("snapshot the vm"): only an operation of that resource does it. */
  nounVerb: boolean
  /** How many of its terms are the word itself (as typed, an idiom's spellings, the word a slip meant); the rest are synonyms. */
  exact: number
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
const VALUES = /\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b|\b\d{1,3}(\.\d{1,3}){3}(\/\d+)?\b|\bhttps?:\/\/\S+|\b[a-z]+\/[a-z_]+\b|\b[\w-]+(\.[\w-]+){2,}\b/gi

/** "Add-VMHardDiskDrive", "MemoryStartupBytes": words run together in another tool's names, split where the case changes. */
function splitCase (index: Index, text: string): string {
  return text.replace(/[A-Za-z][A-Za-z0-9]*/g, (w) => {
    if (!/[a-z]/.test(w) || !/[A-Z]/.test(w.slice(1))) return w
    const lower = w.toLowerCase()
    if (STOPWORDS.has(lower) || index.vocabulary.has(stem(lower))) return w
    return w.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z]{2,})/g, '$1 $2')
  })
}

/** The word as the documents hold it: itself, or the word it is one slip away from ("virtaul", "snapshoot"); undefined when none. */
function knownAs (index: Index, term: string): string | undefined {
  if (index.vocabulary.has(term) || INTENT_OF.has(term) || INTENT_OF_STEM.has(term)) return term
  // "newer", "biggest": a comparative of a documented word.
  const base = /^(\w{3,}?)(\w)?\2?(?:er|est)$/.exec(term)
  if (base !== null) for (const b of [base[1] as string, `${base[1] as string}${base[2] ?? ''}`]) if (index.vocabulary.has(b)) return b
  if (term.length < 5) return undefined
  for (let n = term.length - 1; n <= term.length + 1; n++) {
    for (const w of index.byLength.get(n) ?? []) if (w[0] === term[0] && oneEditApart(w, term, true)) return w
  }
  return undefined
}

function isKnown (index: Index, term: string): boolean {
  return knownAs(index, term) !== undefined
}

type Place = 'object' | 'locative' | 'purpose'
type ClauseKind = 'question' | 'imperative' | 'want' | 'statement' | 'phrase'
interface Token { word: string, alts: string[], clause: number, place: Place, after: string, relative: boolean, prev: string, next: string, at: number }

/** The intent word meant in a verb's place: as typed, by stem, or a one-letter slip of it ("delet", "chnage"). */
function verbWord (index: Index, word: string): string | undefined {
  if (INTENT_OF.has(word) || INTENT_OF_STEM.has(stem(word))) return word
  return index.vocabulary.has(stem(word)) ? undefined : typoOf(word)
}

function analyse (index: Index, query: string): Analysed {
  // A command's options ("-StartupBytes 8GB", "--memory 4096") name fields, not the thing to act on.
  let text = splitCase(index, query.replace(VALUES, ' ').replace(/(^|\s)--?(?=[A-Za-z])/g, '$1 with ')).toLowerCase()
    .replace(/\bi[’']d\b/g, 'i would').replace(/\bi[’']m\b/g, 'i am').replace(/[’']s\b/g, '').replace(/[’']/g, '')
    .replace(/%/g, ' percent ').replace(/"[^"]*"/g, ' ')
  for (const [re, words] of PHRASES) text = text.replace(re, (...m: string[]) => ` ${words.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? '')} `)

  // Clauses: the one that asks (an order, a question, a wish) says what is wanted; the others set the scene.
  const tokens: Token[] = []
  const kinds: ClauseKind[] = []
  const intents = new Set<QueryIntent>()
  const focusAt = new Set<number>()
  const verbAt = new Set<number>()
  const nounVerbAt = new Set<number>()
  const phrasalAt = new Set<number>()
  // Where the words that said what is wanted stand: elsewhere an intent word is a plain word ("the swap disk").
  const saidAt = new Set<number>()
  let question = false
  let wantsOne = false
  for (const clause of text.split(CLAUSES)) {
    const all = (clause ?? '').split(/[^a-z0-9|]+/).filter((w) => w.replace(/\|/g, '') !== '')
    if (all.length === 0) continue
    const joined = all.join(' ')
    const lead = LEAD.exec(joined)?.[0] ?? ''
    const wish = /\b(?:need|want|like)\s+$/.test(lead)
    const words = joined.slice(lead.length).split(' ').filter(Boolean)
    // Other tools' names ("qm destroy 105", "pvesh get /nodes") only say where the words come from.
    while (words.length > 1 && TOOL_WORDS.has(words[0] as string)) words.shift()
    if (words.length === 0) continue
    const ci = kinds.length
    let first = (words[0] as string).split('|')[0] as string
    const second = words[1] ?? ''
    const meant = verbWord(index, first)
    // A slip of an intent word is that word ("chnage the description").
    if (meant !== undefined && meant !== first && !(words[0] as string).includes('|')) words[0] = first = meant
    const firstIntents = meant === undefined ? undefined : INTENT_OF.get(meant) ?? INTENT_OF_STEM.get(stem(meant))
    const opener = words.length > 1 && index.aliasPairs.has(`${stem(first)} ${stem(second.split('|')[0] as string)}`)
      ? undefined
      : FIRST_WORD_INTENTS.get(first) ?? (first.length >= 5 && !index.vocabulary.has(stem(first)) ? [...FIRST_WORD_INTENTS].find(([w]) => oneEditApart(w, first, true))?.[1] : undefined)
    // "ship the vm off", "throw away the old one": a verb with a particle is an everyday phrasal verb, not a new concept.
    const phrasal = words.slice(1).some((w) => PARTICLES.has(w) && w !== 'on' && w !== 'in')
    const unknownVerb = !isKnown(index, stem(first)) && !/\d/.test(first) && !/ly$/.test(first) && !STOPWORDS.has(first) &&
      (DETERMINERS.has(second) || LOCATIVE.has(second) || PARTICLES.has(second) || ['it', 'them', 'me', 'us'].includes(second))
    if (unknownVerb && phrasal) phrasalAt.add(tokens.length)
    let kind: ClauseKind
    if (wish) kind = 'want'
    else if (lead === '' && (QUESTION_START.has(first) || /^how (far|much|long|often|big|large|fast)\b/.test(words.join(' ')))) kind = 'question'
    else if (firstIntents !== undefined || opener !== undefined || unknownVerb) kind = 'imperative'
    else if (['it', 'they', 'he', 'she', 'we', 'i', 'nobody', 'someone', 'somebody', 'everyone', 'nothing', 'there'].includes(first) || words.slice(1, 5).some((w) => AUX.has(w))) kind = lead === '' ? 'statement' : 'imperative'
    else kind = lead === '' ? 'phrase' : 'imperative'
    kinds.push(kind)
    if (kind === 'question') {
      question = true
      intents.add('read')
    }
    if (kind === 'imperative') {
      if (firstIntents !== undefined) saidAt.add(tokens.length)
      for (const intent of firstIntents ?? []) intents.add(intent)
      if (opener !== undefined) intents.add(opener)
      // A content verb, or a noun used as one ("snapshot the db box"), must be the operation's own word.
      if ((firstIntents !== undefined && !PURE_INTENT.has(first) && !PURE_INTENT.has(stem(first))) || (firstIntents === undefined && opener !== undefined)) verbAt.add(tokens.length)
      // A resource's name used as the verb ("snapshot the db box") asks that resource to act, not one that merely has such a field.
      if (firstIntents === undefined && opener === 'create') nounVerbAt.add(tokens.length)
    }
    // "shut it down and delete it": a verb after "and" is asked for too.
    if (kind === 'imperative' || kind === 'want') {
      words.forEach((w, i) => {
        const prev = words[i - 1] ?? ''
        if (i === 0 || !['and', 'then', 'also', 'or'].includes(prev)) return
        const more = INTENT_OF.get(w)
        if (more === undefined) return
        for (const intent of more) intents.add(intent)
        saidAt.add(tokens.length + i)
        if (!PURE_INTENT.has(w)) verbAt.add(tokens.length + i)
      })
    }
    if (kind === 'want') {
      words.forEach((w, i) => {
        if (!ADJECTIVAL.has(w)) return
        saidAt.add(tokens.length + i)
        for (const intent of INTENT_OF.get(w) ?? []) intents.add(intent)
      })
      if (INDEFINITE.has(first)) intents.add('create')
    }
    // "which vnc port is it on", "what roles can a user have": the words after what/which are the thing asked for.
    if (kind === 'question' && WH.has(first)) {
      let seenContent = false
      for (let i = 1; i < words.length; i++) {
        const w = words[i] as string
        if (LOCATIVE.has(w) || PURPOSE.has(w) || PRONOUNS.has(w) || (seenContent && (AUX.has(w) || DETERMINERS.has(w)))) break
        if (AUX.has(w) || DETERMINERS.has(w) || STOPWORDS.has(w)) continue
        seenContent = true
        focusAt.add(tokens.length + i)
      }
    }
    let place: Place = 'object'
    let after = ''
    let relative = false
    let content = false
    words.forEach((w, i) => {
      const [head, ...alts] = w.split('|').filter(Boolean) as [string, ...string[]]
      const next = (words[i + 1] ?? '').split('|')[0] ?? ''
      if (LOCATIVE.has(head)) {
        // "to check it works": an infinitive says what for.
        place = place === 'purpose' || (head === 'to' && INTENT_OF.has(next) && !LOCATIVE.has(next)) ? 'purpose' : 'locative'
        after = head
      } else if (PURPOSE.has(head)) {
        place = 'purpose'
        after = head
      } else if ((PRONOUNS.has(head) || ((head === 'that' || head === 'which') && !INTENT_OF.has(words[i - 1] ?? ''))) && content) {
        relative = true
      }
      if (!STOPWORDS.has(head)) content = true
      tokens.push({ word: head, alts, clause: ci, place, after, relative, prev: (words[i - 1] ?? '').split('|')[0] ?? '', next, at: tokens.length })
    })
  }
  const asking = kinds.some((k) => k === 'question' || k === 'imperative' || k === 'want')
  const background = (t: Token): boolean => asking && !['question', 'imperative', 'want'].includes(kinds[t.clause] as string)
  // Without a verb in a verb's place ("dns settings", "cpu load of all my vms"), any intent word says what is wanted.
  if (intents.size === 0) {
    for (const t of tokens) {
      if (background(t) || t.relative) continue
      const participle = /(ing|ed)$/.test(t.word) && !INTENT_OF.has(t.word)
      if (participle || (DETERMINERS.has(t.prev) && !ADJECTIVAL.has(t.word))) continue
      const meant = INTENT_OF.has(t.word) || index.vocabulary.has(stem(t.word)) ? t.word : typoOf(t.word)
      if (INTENT_OF.has(meant ?? '')) saidAt.add(t.at)
      for (const intent of INTENT_OF.get(meant ?? '') ?? []) intents.add(intent)
    }
  }
  for (const t of tokens) if (ONE_RECORD.has(t.word) && !background(t)) wantsOne = true

  // Phrases are looked for among the meaningful words of the request, so "encrypt the VM's disks" holds "encrypt disk";
  // a phrase with a filler word in it ("two factor") is looked for among all of them. Purposes and the scene do not
  // count: "before the maintenance window" asks for no maintenance mode.
  // "the billing machine": a word naming one thing before its noun is a name, not a topic.
  const isName = (t: Token): boolean => DEFINITE.has(t.prev) && index.resourceWords.has(stem(t.next))
  // "schedule a vm to power on": the verb after "to" is part of what is asked.
  const eligible = tokens.filter((t) => (t.place !== 'purpose' || (t.prev === 'to' && INTENT_OF.has(t.word))) && !background(t))
  const allStems = eligible.map((t) => stem(t.word))
  const stems = eligible.filter((t) => !STOPWORDS.has(t.word)).map((t) => stem(t.word))
  const unnamed = eligible.filter((t) => !STOPWORDS.has(t.word) && !isName(t)).map((t) => stem(t.word))
  const found = (p: string[]): boolean => containsNear(p.length === 1 ? unnamed : p.some((w) => STOPWORDS.has(w)) ? allStems : stems, p)
  const gaps = index.unsupported.filter(({ phrases }) => phrases.some(found))
  const unsupported = gaps.map(({ topic }) => topic)
  // Words naming something the API lacks are that topic's; they do not count as found elsewhere ("CPU shares" are no SMB share).
  const gapWords = new Set(gaps.flatMap(({ phrases }) => phrases.filter(found).flat()))

  const groups: Group[] = []
  const seen = new Set<string>()
  for (const t of tokens) {
    const { word } = t
    if (LOCATIVE.has(word) || PURPOSE.has(word)) continue
    const term = processTerm(word)
    // No word of the API is longer than 40 letters; longer strings are noise and slow fuzzy matching down.
    if (term === null || term.length < 2 || term.length > 40 || /^\d+$/.test(term) || seen.has(term) || gapWords.has(term)) continue
    const alts = t.alts.map(stem).filter((x) => x !== term)
    const synonyms = (SYNONYMS.get(word) ?? SYNONYMS.get(term) ?? []).map(stem).filter((x) => x !== term && !alts.includes(x))
    const meant = knownAs(index, term)
    // A slip of a documented word searches as that word ("snapshoot" is a snapshot).
    if (meant !== undefined && meant !== term && !alts.includes(meant)) alts.unshift(meant)
    const extra = [...alts, ...synonyms]
    const known = meant !== undefined || extra.some((x) => isKnown(index, x))
    // An adverb ("gracefully", "automatically") says how, not what.
    if (!known && /ly$/.test(word)) continue
    seen.add(term)
    const back = background(t)
    const beforeBreak = t.place === 'object' && !t.relative && !back
    // What comes after a preposition says where or what for; "to the cluster" says hardly anything.
    const place = t.place === 'object' ? 1 : t.place === 'purpose' ? 0.3 : CONTEXT_WORDS.has(term) ? 0.2 : 0.6
    const factor = (back ? BACKGROUND : 1) * (t.relative ? RELATIVE : 1)
    const pure = ((PURE_INTENT.has(word) || PURE_INTENT.has(term)) && (saidAt.has(t.at) || ADJECTIVAL.has(word))) || ONE_RECORD.has(word) || ONE_RECORD.has(term)
    // A pure intent word still counts for meaning when it also names a resource ("updates" are firmware updates).
    const weight = (pure ? (index.resourceWords.has(term) ? 0.5 * place : 0) : PARTICLES.has(word) ? 0.3 * place : place) * factor
    const nextKnown = t.next !== '' && !STOPWORDS.has(t.next) && !DETERMINERS.has(t.next) && !LOCATIVE.has(t.next) && !PURPOSE.has(t.next) &&
      !INTENT_OF.has(t.next) && isKnown(index, stem(t.next))
    // "give bob an account": a word before the thing given is who gets it.
    const named = NAMING.has(t.prev) || /\d/.test(term) || (!known && ((nextKnown && !INDEFINITE.has(t.prev)) || (t.at > 0 && DETERMINERS.has(t.next))))
    const isVerb = verbAt.has(t.at)
    const focus = focusAt.has(t.at)
    // A word nobody documents, as the verb, the thing asked for or the first word of the object ("a dhcp server",
    // "scan the vms", "what is the weather"), is something the API does not know of; after a known word it only
    // narrows that ("a TPM chip").
    const opensPhrase = !AUX.has(t.prev) && (t.prev === '' || DETERMINERS.has(t.prev) || STOPWORDS.has(t.prev) || verbAt.has(t.at - 1) || INTENT_OF.has(t.prev))
    const concept = !known && !pure && !named && !back && !t.relative && !phrasalAt.has(t.at) && (isVerb || focus || (beforeBreak && opensPhrase) || (kinds[t.clause] === 'imperative' && tokens[t.at - 1]?.clause !== t.clause))
    // "list", "show": the intent is read elsewhere; as search words they would favour summaries that say "Get one".
    // A name ("a vm called temp-01") only narrows the search; it must not pull in what shares its word ("temp disk").
    const rankWeight = (pure ? (INTENT_OF.get(word)?.includes('read') === true ? 0.05 : PURE_WEIGHT) : named && NAMING.has(t.prev) ? 0.3 * place : place) * factor
    // A time or recurrence asked for must be something the operation can schedule; in a question it only describes.
    const required = term === SCHEDULE && !intents.has('read')
    groups.push({
      word,
      terms: [term, ...extra],
      weight,
      rankWeight,
      beforeBreak,
      after: t.after,
      nameLike: named,
      verb: isVerb && !pure,
      inCompound: false,
      at: t.at,
      modifier: false,
      known,
      concept,
      focus,
      required,
      nounVerb: nounVerbAt.has(t.at),
      exact: 1 + alts.length
    })
    if (groups.length >= MAX_TERMS) break
  }
  for (let i = groups.length - 1; i >= 1; i--) {
    const a = groups[i - 1] as Group
    const b = groups[i] as Group
    // Side by side, numbers aside ("the windows 2012 iso").
    if (a.weight === 0 || b.at <= a.at || tokens.slice(a.at + 1, b.at).some((t) => !/^\d+$/.test(t.word))) continue
    const pair = `${a.terms[0] as string} ${b.terms[0] as string}`
    if (index.compounds.has(pair)) a.inCompound = b.inCompound = true
    // Words right before the noun they describe narrow it down ("the old data disk"), unless the two are one name.
    else if (!index.aliasPairs.has(pair) && !PARTICLES.has(b.word) && (b.modifier || b.terms.some((t) => index.resourceWords.has(t)))) a.modifier = true
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
function typoOf (word: string): string | undefined {
  if (word.length < 4) return undefined
  for (const w of INTENT_OF.keys()) if (w.length >= 4 && Math.abs(w.length - word.length) <= 1 && oneEditApart(w, word, word.length >= 5)) return w
  return undefined
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

interface Scored {
  op: CatalogOperation
  score: number
  confidence: Confidence
  coverage: number
  fit: number | undefined
  subjectOk: boolean
  missing: string[]
  match: Record<string, string[]>
}

interface Ranked {
  hits: SearchHit[]
  scored: Scored[]
  analysed: Analysed
  /** Words of the question the best operation does not cover. */
  missing: string[]
}

function rank (index: Index, query: string, method: string | undefined): Ranked {
  const analysed = analyse(index, query)
  const { groups } = analysed
  if (groups.length === 0) return { hits: [], scored: [], analysed, missing: [] }
  // A what/which question ranks by the thing it asks for ("what ip did the web vm get"); its owner only narrows it.
  const focused = groups.some((g) => g.focus)
  const weightOf = new Map<string, number>()
  for (const g of groups) {
    // An adjective or a noun describing another ("the old test machines") ranks below the thing itself.
    const rw = (focused ? g.rankWeight * (g.focus ? 1.3 : 0.6) : g.rankWeight) * (g.modifier ? 0.6 : 1)
    for (const [i, t] of g.terms.entries()) {
      const w = i < g.exact ? rw : rw * 0.6
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
  if (results.length === 0) return { hits: [], scored: [], analysed, missing: [] }

  // A word no document knows is a name ("web01", "the sql box"), a word that only sets the scene, or something the
  // API has no record of (a concept): that one weighs fully against every operation.
  const weights = groups.map((g) => {
    if (g.weight === 0) return 0
    // A thing named before another ("vm disk") still matters; an adjective ("old") much less.
    if (g.known) return g.nameLike && !g.modifier ? g.weight * NAME_WEIGHT * 2 : g.modifier ? g.weight * (g.terms.some((t) => index.resourceWords.has(t)) ? 0.7 : MODIFIER_WEIGHT) : g.weight
    if (g.concept) return g.weight
    return g.nameLike || g.modifier ? g.weight * NAME_WEIGHT : g.weight * UNKNOWN_WEIGHT
  })
  const concepts = groups.filter((g) => g.concept).map((g) => g.word)
  const lacking = analysed.unsupported.length * UNSUPPORTED_WEIGHT
  const total = weights.reduce((a, b) => a + b, 0) + lacking
  // The thing asked about is what a what/which question asks for, else named before any preposition; failing that,
  // as the owner of what is named ("the IP address of a node"). Participles ("connected") describe; they do not name.
  const naming = groups.filter((g) => g.weight > 0 && !/(ed|ing)$/.test(g.word) && !PARTICLES.has(g.word) && g.terms.some((t) => index.resourceWords.has(t)) && !CONTEXT_WORDS.has(g.terms[0] as string))
  // "nodes", "vms": the thing named in the plural asks for all of them.
  const plural = subjectPlural(naming.some((g) => !g.modifier) ? naming.filter((g) => !g.modifier) : naming)
  const focusGroups = groups.filter((g) => g.focus)
  // In "vm host" or "the old data disk" the last noun is the thing; the ones before it describe it.
  const heads = naming.some((g) => !g.modifier) ? naming.filter((g) => !g.modifier) : naming
  const subjectGroups = heads.some((g) => g.focus)
    ? heads.filter((g) => g.focus)
    : heads.some((g) => g.beforeBreak) ? heads.filter((g) => g.beforeBreak) : heads.filter((g) => g.after === 'of' && !g.inCompound)

  const scored = results.map((r) => {
    const id = r.id as number
    const op = index.operations[id] as CatalogOperation
    const intent = index.intents[id] as OperationIntent
    const { quality, strong } = coverageOf(r)
    let covered = 0
    let verbMissing = false
    const missing: string[] = []
    groups.forEach((g, i) => {
      const q = Math.max(0, ...g.terms.map((t, j) => (quality.get(t) ?? 0) * (j < g.exact ? 1 : 0.85)))
      covered += (weights[i] as number) * q
      if (q === 0 && (weights[i] as number) >= 0.3) missing.push(g.word)
      // A verb is the operation's own when its names, aliases, path or summary say it, or, for an edit, when a field it
      // writes answers to it ("rename" a user: username); a state a field reports ("starting") is no action.
      const own = g.terms.some((t) => SUBJECT_FIELDS.some((f) => fieldsOf(r, t).includes(f))) ||
        (!g.nounVerb && intent === 'change' && g.terms.some((t) => strong.has(t)))
      if ((q === 0 && g.required) || (g.verb && g.beforeBreak && !own)) verbMissing = true
    })
    missing.push(...concepts.filter((w) => !missing.includes(w)))
    const coverage = total > 0 ? covered / total : 0
    // The question is about this operation's resource, or names a field of it in two words ("user data").
    const ownSubject = (g: Group): boolean => g.terms.some((t) => index.subjects[id]?.has(t) === true ||
      SUBJECT_FIELDS.some((f) => fieldsOf(r, t).includes(f)) || (g.inCompound && fieldsOf(r, t).includes('fieldTerms')))
    // "which node is my vm on": what is asked for is a field of the thing named ("my vm"), so that thing answers it.
    const ownField = focusGroups.some((g) => g.terms.some((t) => fieldsOf(r, t).some((f) => f === 'fieldTerms' || f === 'fields'))) &&
      naming.some((g) => !g.focus && ownSubject(g))
    const subjectOk = subjectGroups.length === 0 || subjectGroups.some(ownSubject) || ownField
    const fit = intentFit(analysed, intent)
    const fits = fit === undefined ? undefined : fit > 0
    let confidence: Confidence = coverage >= 0.7 ? 'high' : coverage >= 0.45 ? 'medium' : 'low'
    // An operation that does not know the verb asked for ("reboot" a node) does something else.
    if (verbMissing) confidence = confidence === 'high' ? 'medium' : 'low'
    // Something the API does not do was asked for: what is found is at best a neighbour.
    if (!subjectOk || fits === false || analysed.unsupported.length > 0 || concepts.length > 0) confidence = 'low'
    let score = r.score * (0.25 + coverage) * (fit === undefined ? 1 : fit === 0 ? 0.6 : fit)
    // One record by its id only when one is asked for; otherwise the list, above all for a plural ("nodes").
    if (intent === 'get') score *= analysed.wantsOne ? 1.3 : 0.85
    if (intent === 'list' && !analysed.wantsOne) score *= plural ? 1.3 : 1.1
    // A bare noun ("disks", "remote logging") asks to see them.
    if (fit === undefined && (intent === 'list' || intent === 'get' || intent === 'status')) score *= 1.2
    // PATCH and its POST twin say the same; PATCH is the one to suggest first.
    if (op.method === 'PATCH') score *= 1.02
    // The plain create of a resource is what "make a VM" means, unless the words point at a clone or an import.
    if (intent === 'create' && analysed.intents.has('create') && /^\/[^/]+$/.test(op.path)) score *= 1.15
    // A CORS preflight is never what a person means unless they say so.
    if (op.method === 'OPTIONS' && !queryTerms.some((t) => t === 'option' || t === 'cor' || t === 'preflight')) score *= 0.4
    return { op, score, confidence, coverage, fit, subjectOk, missing, match: r.match }
  })
  scored.sort((a, b) => LEVEL[b.confidence] - LEVEL[a.confidence] || b.score - a.score)
  return { hits: scored.map(({ op, confidence }) => hit(op, confidence)), scored, analysed, missing: scored[0]?.missing ?? [] }
}

function subjectPlural (naming: Group[]): boolean {
  const g = naming.find((x) => x.beforeBreak || x.focus) ?? naming[0]
  return g !== undefined && g.word.endsWith('s') && !g.word.endsWith('ss') && g.word !== g.terms[0]
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

// Where an operation's own words live: its names, aliases, path, summary and field vocabulary (not prose or field names).
const OWN_WORDS = new Set<string>(['names', 'aliases', 'path', 'summary', 'fieldTerms'])

/**
 * How well each query term is covered by one result: the best field it was found in (typos and prefixes count less),
 * and which terms are among the operation's own words.
 */
function coverageOf (r: MiniResult): { quality: Map<string, number>, strong: Set<string> } {
  const quality = new Map<string, number>()
  const strong = new Set<string>()
  for (const qt of r.queryTerms) {
    const exact = Object.hasOwn(r.match, qt) ? fieldsOf(r, qt) : undefined
    // Matched by prefix or as a slip: the document terms that are that close, not every other term of the match.
    const fields = exact ?? r.terms.filter((t) => t.startsWith(qt) || qt.startsWith(t) || (t[0] === qt[0] && withinEdits(t, qt, 2))).flatMap((t) => fieldsOf(r, t))
    const best = Math.max(0, ...fields.map((f) => QUALITY[f as Field] ?? 0.5))
    quality.set(qt, exact !== undefined ? best : best * 0.85)
    if (fields.some((f) => OWN_WORDS.has(f))) strong.add(qt)
  }
  return { quality, strong }
}

/** Whether two words are at most `max` insertions, deletions or substitutions apart. */
function withinEdits (a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1))
    if (Math.min(...row) > max) return false
    prev = row
  }
  return (prev[b.length] as number) <= max
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

/** Why a question ranks as it does: the words read from it and the best operations with their coverage; for `npm run bench -- search --explain "..."`. */
export function explainSearch (catalog: Catalog, query: string, limit = 8, verbose = false): Record<string, unknown> {
  const ranked = rank(getIndex(catalog), query.slice(0, MAX_QUERY_LENGTH), undefined)
  const { groups, intents, question, wantsOne, unsupported } = ranked.analysed
  return {
    words: groups.map((g) => ({ word: g.word, terms: g.terms, weight: Number(g.weight.toFixed(2)), ...(g.modifier ? { modifier: true } : {}), ...(g.nameLike ? { name: true } : {}), ...(g.verb ? { verb: true } : {}), ...(g.concept ? { concept: true } : {}), ...(g.focus ? { focus: true } : {}), ...(g.required ? { required: true } : {}), ...(g.beforeBreak ? {} : { after: g.after }) })),
    intents: [...intents],
    question,
    wantsOne,
    unsupported: unsupported.map((t) => t.terms[0]),
    best: ranked.scored.slice(0, limit).map((s) => ({ op: `${s.op.method} ${s.op.path}`, confidence: s.confidence, coverage: Number(s.coverage.toFixed(2)), score: Number(s.score.toFixed(2)), fit: s.fit, subjectOk: s.subjectOk, missing: s.missing, ...(verbose ? { match: s.match } : {}) }))
  }
}
