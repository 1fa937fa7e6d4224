import MiniSearch from 'minisearch'
import { AppError } from '../errors.js'
import { normalisePath, type Catalog, type CatalogOperation } from './catalog.js'
import { isRecord, type JsonSchema } from './schema.js'

/** One ranked answer of `searchOperations`. */
export interface SearchHit {
  method: string
  path: string
  operationId: string
  summary: string
  tag: string
  /** Relevance relative to the best hit of the same search (1 = best). */
  score: number
  mutating: boolean
}

/** Ranked operations for a question, with the number that matched and a hint when nothing (or little) did. */
export interface SearchResult {
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
const MAX_TERMS = 48

type Kind = 'list' | 'get' | 'create' | 'update' | 'patch' | 'delete' | 'action' | 'read'

interface Doc {
  id: number
  path: string
  summary: string
  description: string
  tag: string
  fields: string
  aliases: string
}

interface Index {
  search: MiniSearch<Doc>
  operations: CatalogOperation[]
  kinds: Kind[]
  /** Lower-cased first path segments, e.g. 'virdomain', to recognise a resource name typed as a query. */
  resources: Set<string>
}

const indexes = new WeakMap<Catalog, Index>()

// Words that carry no meaning for finding an endpoint. Intent words (list, add, delete...) are not here: they also
// appear in summaries and aliases, so they help ranking as well as choosing the method.
const STOPWORDS = new Set(('a an the to of for in on at by with from into onto via using use about as and or but so then than ' +
  'i me my mine we us our you your it its this that these those there here he she they them their ' +
  'is are was were be been being am do does did doing done can could would should will shall may might must ' +
  'how what which where when who whom why please want wanted need needs like let lets just also any some ' +
  'hypercore scale computing api rest endpoint call request way possible able thing things using get got')
  .split(' '))

// Keep these whole: stripping their final "s" changes the word.
const KEEP = new Set(['dns', 'os', 'has', 'was', 'is', 'its', 'this', 'bus', 'yes', 'ssl', 'tls', 'iops', 'gpus', 'vms', 'status', 'stats'])

/** Reduces a lower-case word to a crude stem so "snapshots", "booting", "configured" meet "snapshot", "boot", "configure". */
export function stem (word: string): string {
  let w = word
  if (KEEP.has(w)) return w === 'gpus' ? 'gpu' : w === 'vms' ? 'vm' : w
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

// How people talk, mapped to the words the index uses. Phrases are rewritten before single words are looked up.
const PHRASES: Array<[RegExp, string]> = [
  [/\bvirtual machines?\b/g, 'vm'],
  [/\b(power|turn|switch|boot|start) (it |them |the vm |vm )?(up|on)\b/g, 'poweron start'],
  [/\b(power|turn|switch) (it |them |the vm |vm )?(off|down)\b/g, 'poweroff stop shutdown'],
  [/\bshut ?(it |them )?down\b/g, 'shutdown'],
  [/\bhard (power off|reset|stop|poweroff)\b/g, 'stop reset'],
  [/\blive ?migrat(e|ion|ing)\b/g, 'livemigrate migrate'],
  [/\b(network|ethernet) (card|interface|adapter|device)s?\b/g, 'nic'],
  [/\b(hard|virtual) (disk|drive)s?\b/g, 'disk'],
  [/\bcd ?-?roms?\b|\bdvd drives?\b|\bcd drives?\b/g, 'cdrom'],
  [/\bsingle sign ?-?on\b/g, 'sso'],
  [/\bopen ?id( connect)?\b/g, 'oidc'],
  [/\btime ?zones?\b/g, 'timezone'],
  [/\btime (servers?|sources?|sync\w*)\b/g, 'ntp timesource'],
  [/\binstall(ation)? (media|disc|disk|cd|image)s?\b/g, 'iso'],
  [/\bdisaster recovery\b/g, 'dr replication'],
  [/\b(log|sign) ?in(to)?\b/g, 'login'],
  [/\b(log|sign) ?(out|off)\b/g, 'logout'],
  [/\be-?mail\b/g, 'email'],
  [/\bmail server\b/g, 'smtp'],
  [/\btask ?tags?\b/g, 'tasktag'],
  [/\bhow many\b/g, 'list'],
  [/\bis there\b|\bare there\b/g, 'list'],
  [/\bback ?up\b/g, 'backup'],
  [/\bspin up\b|\bset ?up\b/g, 'create'],
  [/\bget rid of\b/g, 'remove'],
  [/\bup to date\b/g, 'update'],
  [/\bip address(es)?\b/g, 'ip'],
  [/\bsearch domains?\b/g, 'searchdomain dns'],
  [/\bname ?servers?\b/g, 'dns'],
  [/\bssl\b|\bhttps\b|\btls\b/g, 'certificate ssl'],
  [/\bwhole cluster\b|\bentire cluster\b|\ball nodes\b/g, 'cluster shutdown'],
  [/\bphysical (drive|disk|hdd|ssd)s?\b/g, 'physicaldrive'],
  [/\bstop sending\b/g, 'remove'],
  // "stop replicating", "pause monitoring": switching an activity off is an edit, not a power action.
  [/\b(stop|pause|halt|disable) (\w+ing)\b/g, '$2 disable']
]

// Single words -> extra words in the index's vocabulary, added beside the original at a lower weight;
// a word marked '!' is a translation into HyperCore's vocabulary and weighs as much as the word typed.
const SYNONYMS: Record<string, string> = {
  vm: '!virdomain',
  guest: '!vm virdomain',
  machine: 'vm',
  instance: 'vm',
  server: 'vm node',
  disk: 'block device',
  drive: '!disk block device',
  volume: '!disk block device',
  storage: 'disk',
  nic: 'net device',
  vlan: 'nic vlan',
  mac: 'nic',
  network: 'nic',
  ip: 'nic ipv4',
  poweron: 'action start',
  poweroff: 'action stop shutdown',
  start: 'action',
  boot: 'action start',
  resume: 'action start',
  shutdown: 'action',
  stop: 'action',
  reboot: 'action',
  restart: 'action reboot',
  reset: 'action',
  pause: 'action',
  suspend: 'action pause',
  migrate: 'action livemigrate',
  move: 'action livemigrate',
  backup: '!snapshot',
  restore: 'snapshot',
  dr: 'replication snapshot',
  replicate: 'replication',
  alert: '!condition',
  warning: '!alert condition',
  error: 'alert condition',
  problem: 'alert condition',
  issue: 'alert condition',
  health: 'condition alert ping',
  firmware: '!update',
  upgrade: '!update',
  ntp: '!timesource',
  sso: '!oidc',
  azure: 'oidc sso',
  okta: 'oidc sso',
  smtp: 'smtp email',
  syslog: 'syslog',
  iso: 'iso',
  cd: 'iso cdrom',
  dvd: 'iso cdrom',
  media: 'iso',
  template: 'clone',
  copy: 'clone',
  duplicate: 'clone',
  task: '!tasktag',
  job: '!tasktag',
  progress: 'tasktag',
  finished: 'tasktag',
  done: 'tasktag',
  account: '!user',
  people: 'user',
  password: 'user password',
  permission: '!role',
  ram: 'mem memory',
  memory: 'mem',
  cpu: 'vcpu cpu',
  cpus: 'vcpu cpu',
  performance: 'stats',
  usage: 'stats',
  metrics: 'stats monitoring',
  host: 'node',
  physicaldrive: '!drive hardware',
  up: 'ping'
}

// Intent words -> the kinds of operation they point at.
const INTENTS: Array<[Set<string>, Kind[]]> = [
  [new Set(['list', 'show', 'what', 'which', 'view', 'see', 'display', 'find', 'read', 'fetch', 'lookup', 'look', 'tell', 'current', 'exist', 'available', 'all', 'every', 'inventory', 'detail', 'details', 'info', 'information', 'check']), ['list', 'get', 'read']],
  [new Set(['create', 'add', 'new', 'make', 'provision', 'deploy', 'build', 'register', 'take', 'attach', 'upload', 'send', 'forward']), ['create', 'action']],
  [new Set(['change', 'rename', 'resize', 'edit', 'update', 'set', 'modify', 'increase', 'decrease', 'grow', 'expand', 'extend', 'shrink', 'raise', 'lower', 'adjust', 'configure', 'enable', 'disable', 'give', 'insert', 'eject', 'disconnect', 'connect', 'retain', 'retention']), ['patch', 'update', 'create']],
  [new Set(['remove', 'delete', 'destroy', 'drop', 'erase', 'purge', 'uninstall', 'detach', 'unregister']), ['delete']]
]
const ONE_RECORD = new Set(['one', 'single', 'specific', 'particular', 'uuid', 'id', 'detail', 'details', 'given'])
// A yes/no or what-question ("is replication running", "are there alerts") asks to read something.
const QUESTION_START = new Set(['is', 'are', 'was', 'were', 'does', 'has', 'have', 'what', 'which', 'who', 'when', 'where', 'whats'])
// Words after these describe where or what for ("add a disk to a VM"): the thing wanted usually comes before them.
const PREPOSITIONS = new Set(['to', 'from', 'of', 'for', 'on', 'in', 'into', 'onto', 'inside', 'within', 'attached', 'with', 'under', 'behind'])

// Plain words for each resource (first path segment) and for special operations; indexed beside the documents.
const RESOURCE_ALIASES: Record<string, string> = {
  VirDomain: 'vm vms virtual machine guest server instance workload',
  VirDomainBlockDevice: 'disk disks drive volume hard disk storage cdrom cd dvd',
  VirDomainNetDevice: 'nic network card interface adapter vlan mac ethernet ip',
  VirDomainSnapshot: 'snapshot backup restore point checkpoint',
  VirDomainSnapshotSchedule: 'snapshot schedule backup automatic recurring daily weekly retention retain policy',
  VirDomainReplication: 'replication replicate dr disaster recovery remote offsite',
  RemoteClusterConnection: 'remote cluster connection replication target dr peer site connected',
  VirDomainStats: 'stats statistics usage performance metrics cpu memory disk network utilisation',
  AlertSMTPConfig: 'email smtp mail server alert notification relay',
  AlertEmailTarget: 'email recipient alert notification address notify send',
  AlertSyslogTarget: 'syslog logging log server remote alert forward',
  Condition: 'alert warning error health problem issue condition status',
  Cluster: 'cluster system name version firmware info',
  NucleusKey: 'nucleus key cloud registration',
  DNSConfig: 'dns nameserver resolver searchdomain domain',
  Drive: 'physicaldrive physical drive disk hdd ssd hardware',
  GPU: 'gpu graphics card hardware installed',
  GPUProfile: 'gpu profile vgpu graphics',
  Update: 'update firmware upgrade patch version release latest',
  ISO: 'iso image install media cd dvd installer',
  MonitoringConfig: 'monitoring metrics telemetry publish export',
  Node: 'node host server hardware physical member',
  OIDCConfig: 'sso single sign-on oidc openid identity provider azure okta',
  ClusterRegistrationData: 'registration register support data',
  Registration: 'registration register support contact company',
  TaskTag: 'tasktag task job progress status finished complete running',
  TimeSource: 'ntp timesource time server clock sync',
  TimeZone: 'timezone time zone clock',
  User: 'user account password username administrator people',
  Role: 'role permission access rights',
  VirtualDisk: 'virtualdisk disk image upload qcow2 vmdk vhd cloud image',
  Certificate: 'certificate ssl tls https cert pem',
  ping: 'ping health alive up status check reachable',
  login: 'login authenticate session credentials username password',
  logout: 'logout session end close'
}

const OPERATION_ALIASES: Record<string, string> = {
  virDomainAction: 'action poweron poweroff power start boot resume shutdown stop reboot restart reset pause suspend livemigrate migrate move nmi state hung',
  cloneVirDomain: 'clone copy duplicate template',
  exportVirDomain: 'export backup smb share',
  importVirDomain: 'import smb share',
  cloneVirDomainBlockDevice: 'restore recover single disk snapshot',
  applyUpdate: 'apply install upgrade',
  shutdownCluster: 'shutdown poweroff whole entire',
  testAlertEmailTarget: 'test send verify',
  updateCertificate: 'replace install',
  uploadISOData: 'upload',
  createISO: 'upload',
  uploadVirtualDisk: 'upload qcow2 vmdk',
  attachVirtualDisk: 'attach',
  filterConditions: 'active current set filter',
  patchVirDomainBlockDevice: 'resize grow expand extend insert eject mount',
  patchVirDomain: 'rename resize memory ram cpu vcpu boot order tags',
  patchVirDomainNetDevice: 'vlan connect disconnect unplug',
  createVirDomainSnapshot: 'take now',
  createVirDomain: 'ram cpu memory',
  getTaskTag: 'finished done wait poll',
  listConditions: 'current active',
  listVirDomainStats: 'cpu'
}

const KIND_ALIASES: Record<Kind, string> = {
  list: 'list all show',
  get: 'get one detail show',
  read: 'show',
  create: 'create add new make',
  update: 'change edit update modify set',
  patch: 'change edit update modify set',
  delete: 'delete remove destroy',
  action: ''
}

function kindOf (op: CatalogOperation): Kind {
  const parts = op.path.split('/').filter(Boolean)
  const lastIsParam = (parts[parts.length - 1] ?? '').startsWith('{')
  if (parts.length === 1 && op.method === 'GET') return 'list'
  if (parts.length === 1 && op.method === 'POST' && !['login', 'logout'].includes(parts[0] ?? '')) return 'create'
  if (parts.length === 2 && lastIsParam) {
    if (op.method === 'GET') return 'get'
    if (op.method === 'POST') return 'update'
    if (op.method === 'PATCH') return 'patch'
    if (op.method === 'DELETE') return 'delete'
  }
  return op.method === 'GET' ? 'read' : 'action'
}

function fieldNames (schema: JsonSchema | undefined, depth = 0): string[] {
  if (schema === undefined || depth > 2) return []
  const names: string[] = []
  const props = isRecord(schema.properties) ? schema.properties : isRecord(schema.items) && isRecord(schema.items.properties) ? schema.items.properties : undefined
  if (props === undefined) return names
  for (const [name, sub] of Object.entries(props)) {
    names.push(name)
    if (isRecord(sub)) names.push(...fieldNames(sub, depth + 1))
  }
  return names
}

/** Builds (once per catalogue, then cached) the search index; call it at start to keep the first query fast. */
export function buildSearchIndex (catalog: Catalog): void {
  getIndex(catalog)
}

function getIndex (catalog: Catalog): Index {
  let index = indexes.get(catalog)
  if (index !== undefined) return index
  const search = new MiniSearch<Doc>({
    fields: ['path', 'summary', 'description', 'tag', 'fields', 'aliases'],
    storeFields: [],
    tokenize,
    processTerm,
    searchOptions: { tokenize: (s) => s.split(' '), processTerm: (t) => t }
  })
  const kinds = catalog.operations.map(kindOf)
  search.addAll(catalog.operations.map((op, id) => {
    const resource = op.path.split('/').filter(Boolean)[0] ?? ''
    return {
      id,
      path: op.path.replace(/\{[^}]+\}/g, ' '),
      summary: op.summary,
      description: op.description,
      tag: op.tag,
      fields: [...new Set(fieldNames(op.requestSchema))].join(' '),
      aliases: [RESOURCE_ALIASES[resource] ?? '', OPERATION_ALIASES[op.operationId] ?? '', KIND_ALIASES[kinds[id] as Kind]].join(' ')
    }
  }))
  const resources = new Set(catalog.operations.map((op) => (op.path.split('/').filter(Boolean)[0] ?? '').toLowerCase()))
  index = { search, operations: catalog.operations, kinds, resources }
  indexes.set(catalog, index)
  return index
}

interface Analysed {
  /** Stemmed query terms: first what the person typed, then synonyms. */
  terms: string[]
  /** Weight of each term: typed words before a preposition count most, synonyms least. */
  weights: number[]
  kinds: Set<Kind>
  wantsOne: boolean
}

function analyse (query: string): Analysed {
  const text = query.toLowerCase().replace(/[’']s\b/g, '').replace(/[^a-z0-9@.\-/ ]+/g, ' ')
  // Phrases become their canonical words in place, so the preposition rule below still applies to them.
  let marked = text
  for (const [re, words] of PHRASES) marked = marked.replace(re, (...m: string[]) => ` ${words.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? '')} `)
  const raw = marked.split(/[^a-z0-9]+/).filter(Boolean)
  const kinds = new Set<Kind>()
  let wantsOne = false
  for (const word of raw) {
    for (const [words, intentKinds] of INTENTS) if (words.has(word)) for (const k of intentKinds) kinds.add(k)
    if (ONE_RECORD.has(word)) wantsOne = true
  }
  if (QUESTION_START.has(raw[0] ?? '') || (raw[0] === 'how' && raw[1] === 'many')) kinds.add('list').add('get').add('read')

  const weightOf = new Map<string, number>()
  const add = (term: string | null, weight: number): void => {
    // No word of the API is longer than 40 letters; longer strings are noise and slow fuzzy matching down.
    if (term === null || term.length < 2 || term.length > 40) return
    if ((weightOf.get(term) ?? 0) < weight) weightOf.set(term, weight)
  }
  let afterPreposition = false
  for (const word of raw) {
    if (PREPOSITIONS.has(word)) {
      afterPreposition = true
      continue
    }
    const typedWeight = afterPreposition ? 0.6 : 1
    add(processTerm(word), typedWeight)
    const extra = SYNONYMS[word] ?? SYNONYMS[stem(word)]
    if (extra === undefined) continue
    for (const e of extra.split(' ')) {
      // '!word' is a translation (backup means snapshot here), so it weighs as much as the word typed.
      if (e.startsWith('!')) add(processTerm(e.slice(1)), typedWeight)
      else add(processTerm(e), typedWeight * 0.6)
    }
  }
  const entries = [...weightOf.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_TERMS)
  return { terms: entries.map(([t]) => t), weights: entries.map(([, w]) => w), kinds, wantsOne }
}

const PATH_LIKE = /^\/?(rest\/v1\/?)?[A-Za-z][\w{}.-]*(\/[\w{}.-]*)*\/?$/

function pathQuery (catalog: Catalog, index: Index, query: string): CatalogOperation[] | undefined {
  const q = query.trim()
  if (!PATH_LIKE.test(q)) return undefined
  const normal = normalisePath(q).toLowerCase()
  const first = normal.split('/').filter(Boolean)[0] ?? ''
  // A bare word is a path only when it names a resource ("VirDomain", "user"), so "snapshot" stays a question.
  if (!q.startsWith('/') && !/^rest\/v1/i.test(q) && !index.resources.has(first)) return undefined
  // The best template first (literal segments beat {params}), then other templates the path fits, then sub-paths,
  // then any path containing it, as the original helper's LIKE did.
  const ordered: CatalogOperation[] = [...catalog.operationsForPath(q, { ignoreCase: true })]
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
  const all = [...ordered, ...fits, ...under, ...contains]
  return all.length > 0 ? all : undefined
}

function matchesConcrete (template: string, concrete: string): boolean {
  const t = template.split('/').filter(Boolean)
  const c = concrete.split('/').filter(Boolean)
  return t.length === c.length && t.every((seg, i) => seg.startsWith('{') || seg.toLowerCase() === c[i])
}

function hit (op: CatalogOperation, score: number): SearchHit {
  return { method: op.method, path: op.path, operationId: op.operationId, summary: op.summary, tag: op.tag, score: Math.round(score * 1000) / 1000, mutating: op.mutating }
}

/**
 * Finds the operations that answer a plain-language question ("how do I power on a VM") or a path ("/User",
 * "VirDomain"), best first. Nothing found is not an error: `results` is empty and `hint` names the closest areas.
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
    const ordered = byPath.filter(keep)
    const seen = new Set(ordered.map((op) => op.operationId))
    const n = ordered.length
    const hits = ordered.map((op, i) => hit(op, 1 - (0.5 * i) / Math.max(1, n)))
    // Fill up with what the words of the path find, so "/User" also shows roles and SSO after the /User calls.
    if (hits.length < limit) {
      const more = rank(index, q, method).filter((h) => !seen.has(h.operationId))
      hits.push(...more.map((h) => ({ ...h, score: Math.round(h.score * 0.45 * 1000) / 1000 })))
    }
    if (hits.length === 0) return { results: [], total: 0, hint: noMatchHint(catalog, index, q, method) }
    return { results: hits.slice(0, limit), total: hits.length }
  }

  const hits = rank(index, q, method)
  if (hits.length === 0) return { results: [], total: 0, hint: noMatchHint(catalog, index, q, method) }
  return { results: hits.slice(0, limit), total: hits.length }
}

function rank (index: Index, query: string, method: string | undefined): SearchHit[] {
  const analysed = analyse(query)
  if (analysed.terms.length === 0) return []
  const results = index.search.search(analysed.terms.join(' '), {
    boost: { aliases: 3, path: 2.5, summary: 2, tag: 1, description: 0.7, fields: 0.5 },
    prefix: (term) => term.length >= 4,
    fuzzy: (term) => (term.length >= 6 ? 0.2 : false),
    // Words the person typed count fully; synonyms we added count less, so they widen the net without taking over.
    boostTerm: (_term, i) => analysed.weights[i] ?? 1,
    filter: method === undefined ? undefined : (r) => index.operations[r.id as number]?.method === method
  })
  if (results.length === 0) return []
  const scored = results.map((r) => {
    const id = r.id as number
    const op = index.operations[id] as CatalogOperation
    const kind = index.kinds[id] as Kind
    let score = r.score
    if (analysed.kinds.size > 0) score *= analysed.kinds.has(kind) ? 1.5 : 0.8
    if (kind === 'get' && analysed.wantsOne) score *= 1.3
    if (kind === 'list' && !analysed.wantsOne) score *= 1.1
    // PATCH and its POST twin say the same; PATCH is the one to suggest first.
    if (kind === 'patch') score *= 1.02
    // A CORS preflight is never what a person means unless they say so.
    if (op.method === 'OPTIONS' && !analysed.terms.some((t) => t === 'option' || t === 'cor' || t === 'preflight')) score *= 0.4
    return { op, score }
  })
  scored.sort((a, b) => b.score - a.score)
  const top = scored[0]?.score ?? 1
  return scored.map(({ op, score }) => hit(op, score / top))
}

function noMatchHint (catalog: Catalog, index: Index, query: string, method: string | undefined): string {
  const shown = query.length > 60 ? `${query.slice(0, 57)}...` : query
  if (method !== undefined) {
    const unfiltered = rank(index, query, undefined)
    if (unfiltered.length > 0) {
      const methods = [...new Set(unfiltered.slice(0, 5).map((h) => h.method))].join(', ')
      return `No ${method} operation matches "${shown}"; without the method filter ${unfiltered.length} do (best: ${unfiltered[0]?.method} ${unfiltered[0]?.path}, methods ${methods}).`
    }
  }
  const tags = closestTags(index, query)
  const areas = tags.length > 0 ? `Closest areas: ${tags.join(', ')}.` : `Nothing is close; the areas are ${catalog.tags.join(', ')}.`
  return `No operation matches "${shown}". ${areas} Try plain words such as "list VMs", "add a disk to a VM", "take a snapshot", or a path such as /VirDomain.`
}

function closestTags (index: Index, query: string): string[] {
  const words = query.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 3 && w.length <= 40 && !STOPWORDS.has(w)).slice(0, MAX_TERMS)
  const counts = new Map<string, number>()
  if (words.length > 0) {
    const loose = index.search.search(words.join(' '), {
      tokenize: (s) => s.split(' '),
      processTerm: (t) => t,
      prefix: true,
      fuzzy: 0.34
    })
    for (const r of loose) {
      const tag = index.operations[r.id as number]?.tag
      if (tag !== undefined) counts.set(tag, (counts.get(tag) ?? 0) + r.score)
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([tag]) => tag).slice(0, 3)
}
