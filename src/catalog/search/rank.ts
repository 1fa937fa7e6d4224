import type { SearchResult as MiniResult } from 'minisearch'
import { editDistance } from '../../text/edit-distance.js'
import type { CatalogOperation, OperationIntent } from '../catalog.js'
import { analyse, type Analysed, type Group } from './analyse.js'
import type { Field, Index } from './build-index.js'
import { stem } from './stem.js'
import type { Confidence, QueryIntent, SearchHit } from './types.js'
import { BOOST, MODIFIER_WEIGHT, NAME_WEIGHT, NOT_NAMED, OFF_VM, QUALITY, SCENE_SHARE, UNKNOWN_WEIGHT, UNSUPPORTED_WEIGHT } from './weights.js'
import { CONTEXT_WORDS, EMAIL, PARTICLES, terms } from './words.js'

// Verbs that, with "to" and a value of a field, set that field rather than move anything.
const MOVE_LIKE = new Set(['move', 'put', 'switch', 'shift', 'transfer'])

function movedTo (groups: Group[], verb: Group, strong: Set<string>): boolean {
  return groups.some((h) => h.at > verb.at && (h.after === 'to' || h.after === 'onto' || h.after === 'into') && h.terms.some((t) => strong.has(t)))
}

// Where a word says what an operation is about, or what it does.
const SUBJECT_FIELDS: Field[] = ['names', 'aliases', 'path', 'summary']
// Which operation intents each wanted intent accepts, best first: adding to a setting is often an edit of it, and
// removing something from a VM (an ISO from its CD drive) too.
const COMPATIBLE: Record<QueryIntent, OperationIntent[][]> = {
  read: [['list', 'get', 'status']],
  create: [['create'], ['change', 'action']],
  change: [['change'], ['create', 'action']],
  delete: [['delete'], ['change']],
  action: [['action'], ['change', 'create']]
}

/** The answer shown for one operation. */
export function hit (op: CatalogOperation, confidence: Confidence): SearchHit {
  return { method: op.method, path: op.path, operationId: op.operationId, summary: op.summary, tag: op.tag, confidence, mutating: op.mutating }
}

const LEVEL: Record<Confidence, number> = { high: 2, medium: 1, low: 0 }

/** One operation as ranked for a question, with what the explainer shows of it. */
interface Scored {
  /** The operation's place in the index. */
  id: number
  op: CatalogOperation
  intent: OperationIntent
  score: number
  confidence: Confidence
  coverage: number
  fit: number | undefined
  subjectOk: boolean
  missing: string[]
  match: Record<string, string[]>
}

/** A change asked of a resource that has no operation to make it (a read-only resource, a create-only record). */
export interface Lacking {
  /** The resources the question is about, by their path (e.g. /Drive). */
  resources: string[]
  /** What was asked of them. */
  intents: QueryIntent[]
  /** What they do have, e.g. ["GET"]. */
  methods: string[]
}

/** The operations ranked for a question, with how it was read. */
interface Ranked {
  hits: SearchHit[]
  scored: Scored[]
  analysed: Analysed
  /** Words of the question the best operation does not cover. */
  missing: string[]
  /** Set when what is asked is a change no operation of the resource asked about makes. */
  lacking?: Lacking
}

// What a resource must have for a wanted change: an edit needs an edit (a create-only record cannot be edited); the
// others may be done by a neighbouring kind (adding to a setting edits it, removing from a VM may edit it).
const CAN_DO: Record<Exclude<QueryIntent, 'read'>, OperationIntent[]> = {
  change: ['change'],
  delete: ['delete', 'change'],
  create: ['create', 'change', 'action'],
  action: ['action', 'change', 'create']
}

// Where a thing named besides the subject may be what changes: a destination or place ("forward alerts to a syslog server"),
// or a word describing the subject in the request's object ("delete a syslog target"). A relative clause ("a role that can open consoles") or a purpose ("so we can replicate") names no such thing.
const ELSEWHERE = new Set(['to', 'into', 'onto', 'on', 'in', 'from', 'at', 'via', 'through'])

// A delete of the record itself ("delete the sso settings entirely", "remove the smtp config"), not of something in it
// ("remove a server from the dns config"): an edit does not do it.
const WHOLE_RECORD = /\b(?:entirely|permanently|completely|altogether|whole|entire|record|itself)\b|\b(?:delete|remove|drop|wipe|erase|destroy|purge)\s+(?:the\s+|our\s+|my\s+|this\s+|its\s+)?(?:(?!from\b|of\b|in\b|on\b)[\w-]+\s+){0,3}?(?:configuration|config|setup|settings)\b/i

// Where a machine is named as the owner of a thing ("the disk on web-01", "the nic of the vm").
const ON_MACHINE = new Set(['on', 'of', 'from', 'in'])

// Prepositions of a purpose or a time: the words after them describe no resource ("to after-patch", "before the upgrade").
const PURPOSE_AFTER = new Set(['after', 'before', 'for', 'since', 'until', 'during', 'while', 'when', 'because'])

// Words for a whole configuration record: what is removed "from the dns config" is a value in it.
const WHOLE_WORDS = new Set(['config', 'configuration', 'setting', 'settings', 'setup'])

const summaries = new WeakMap<Index, Map<string, Set<string>>>()

// The words of a resource's operation summaries, stemmed as the index stems them.
function summaryWords (index: Index, root: string): Set<string> {
  let byRoot = summaries.get(index)
  if (byRoot === undefined) {
    byRoot = new Map()
    for (const op of index.operations) {
      const key = rootOf(op.path)
      const words = byRoot.get(key) ?? new Set<string>()
      for (const t of terms(op.summary)) words.add(t)
      byRoot.set(key, words)
    }
    summaries.set(index, byRoot)
  }
  return byRoot.get(root) ?? new Set()
}

function rootOf (path: string): string {
  return `/${path.split('/')[1] ?? ''}`
}

/**
 * The resources a question's subject names (its head noun, narrowed by the words describing it) and, when every one
 * of them lacks an operation for each change asked, what they have instead.
 */
function lackingFor (index: Index, whole: boolean, analysed: Analysed, heads: Group[], modifiers: Group[], named: Group[], alsoNamed: string[]): Lacking | undefined {
  const wanted = [...analysed.intents].filter((i): i is Exclude<QueryIntent, 'read'> => i !== 'read')
  if (wanted.length === 0 || heads.length === 0) return undefined
  const byRoot = new Map<string, number>()
  index.operations.forEach((op, i) => {
    const root = rootOf(op.path)
    const subjects = index.subjects[i]
    if (subjects === undefined || byRoot.has(root)) return
    const head = heads.filter((g) => g.terms.slice(0, Math.max(1, g.exact)).some((t) => subjects.has(t))).length
    if (head === 0) return
    // A describing word narrows by what the resource is called or summed up as ("a physical drive": Drive).
    const said = summaryWords(index, root)
    byRoot.set(root, head * 2 + modifiers.filter((g) => g.terms.some((t) => subjects.has(t) || said.has(t))).length)
  })
  if (byRoot.size === 0) return undefined
  const best = Math.max(...byRoot.values())
  const tied = [...byRoot].filter(([, n]) => n === best).map(([root]) => root)
  // "the snapshot" names VirDomainSnapshot, not VirDomainSnapshotSchedule, in whose name it only says what kind.
  const words = (root: string): string[] => (root.slice(1).match(/[A-Z][a-z]+/g) ?? []).map((w) => stem(w.toLowerCase()))
  const isHead = (w: string | undefined): boolean => heads.some((g) => g.terms[0] === w)
  const owned = tied.some((root) => isHead(words(root).at(-1)))
  const roots = owned ? tied.filter((root) => isHead(words(root).at(-1)) || !words(root).slice(0, -1).some(isHead)) : tied
  const ops = index.operations.map((op, i) => ({ op, intent: index.intents[i] as OperationIntent })).filter(({ op }) => roots.includes(rootOf(op.path)))
  const can = (intent: OperationIntent): boolean => wanted.some((w) => (w === 'delete' && whole ? ['delete'] : CAN_DO[w]).includes(intent))
  if (ops.some(({ intent }) => can(intent))) return undefined
  // Another thing the question names may be what changes ("forward alerts to a syslog server": the syslog target).
  const elsewhere = index.operations.some((_op, i) => can(index.intents[i] as OperationIntent) && (named.some((g) => !heads.includes(g) && (ELSEWHERE.has(g.after) || (g.modifier && g.beforeBreak)) && g.terms.slice(0, Math.max(1, g.exact)).some((t) => index.subjects[i]?.has(t) === true)) || alsoNamed.some((t) => index.subjects[i]?.has(t) === true)))
  if (elsewhere) return undefined
  return { resources: roots, intents: wanted, methods: [...new Set(ops.map(({ op }) => op.method))] }
}

/** Ranks the operations for a plain-language question: most confident first, then by score. */
export function rank (index: Index, query: string, method: string | undefined): Ranked {
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
  // However long the story around it, the scene weighs at most half of what the request itself says.
  let asked = 0
  let scene = 0
  groups.forEach((g, i) => { if (g.scene) scene += weights[i] as number; else asked += weights[i] as number })
  const sceneFactor = asked > 0 && scene > SCENE_SHARE * asked ? SCENE_SHARE * asked / scene : 1
  groups.forEach((g, i) => { if (g.scene) weights[i] = (weights[i] as number) * sceneFactor })
  const concepts = groups.filter((g) => g.concept).map((g) => g.word)
  const lacking = analysed.unsupported.length * UNSUPPORTED_WEIGHT
  const total = weights.reduce((a, b) => a + b, 0) + lacking
  // The thing asked about is what a what/which question asks for, else named before any preposition; failing that,
  // as the owner of what is named ("the IP address of a node"). Participles ("connected") describe; they do not name.
  // The scene names the thing only when the request names nothing itself ("the timezone is wrong, please change it").
  const asksOwn = groups.some((g) => !g.scene && !g.verb && g.weight >= 0.3)
  const naming = groups.filter((g) => g.weight > 0 && !(asksOwn && g.scene) && !/(ed|ing)$/.test(g.word) && !PARTICLES.has(g.word) && g.terms.some((t) => index.resourceWords.has(t)) && !CONTEXT_WORDS.has(g.terms[0] as string))
  // The request's own verb ("update it on the registration") names what to do, not the thing it is done to.
  const things = naming.filter((g) => !g.said)
  // "nodes", "vms": the thing named in the plural asks for all of them.
  const plural = subjectPlural(things.some((g) => !g.modifier) ? things.filter((g) => !g.modifier) : things)
  const focusGroups = groups.filter((g) => g.focus)
  const bareName = groups.some((g) => g.nameLike && !g.known && !g.focus && g.weight > 0)
  // In "vm host" or "the old data disk" the last noun is the thing; the ones before it describe it.
  const heads = things.some((g) => !g.modifier) ? things.filter((g) => !g.modifier) : things
  const subjectGroups = heads.some((g) => g.focus)
    ? heads.filter((g) => g.focus)
    : heads.some((g) => g.beforeBreak) ? heads.filter((g) => g.beforeBreak) : heads.filter((g) => g.after === 'of' && !g.inCompound)

  // Removing something from a thing may be an edit of that thing ("remove the iso from the cd drive"); otherwise a delete is one.
  // "Delete the scratch disk from render-node-4" still deletes: only a removal ("remove", "take off") edits.
  const removesFrom = /\bfrom\b/i.test(query) && !/\b(?:delete|destroy|wipe|erase|purge)\b/i.test(query)
  const onMachine = groups.some((g) => g.weight > 0 && ON_MACHINE.has(g.after) && (g.nameLike || g.terms[0] === 'vm'))
  const valueRemoved = subjectGroups.length > 0 && subjectGroups.every((g) => !g.terms.some((t) => index.resourceWords.has(t)))
  const fromConfig = removesFrom && groups.some((g) => g.after === 'from' && WHOLE_WORDS.has(g.word))
  // Whether operation `id`'s resource answers to a word of the group ("disk": VirDomainBlockDevice).
  const namedBy = (id: number, g: Group): boolean => g.terms.some((t) => index.subjects[id]?.has(t) === true)
  const deletesWhole = analysed.intents.size === 1 && analysed.intents.has('delete') && !removesFrom
  const scored = results.map((r) => {
    const id = r.id as number
    const op = index.operations[id] as CatalogOperation
    const intent = index.intents[id] as OperationIntent
    const { quality, strong } = coverageOf(r)
    let covered = 0
    let verbMissing = false
    const missing: string[] = []
    groups.forEach((g, i) => {
      const found = Math.max(0, ...g.terms.map((t, j) => (quality.get(t) ?? 0) * (j < g.exact ? 1 : 0.85)))
      // A delete takes no fields, so it cannot say "old" or "swap": a word describing the thing half counts as said.
      const q = found === 0 && intent === 'delete' && g.modifier && g.known && !g.terms.some((t) => index.resourceWords.has(t)) ? 0.5 : found
      covered += (weights[i] as number) * q
      if (q === 0 && (weights[i] as number) >= 0.3) missing.push(g.word)
      // A verb is the operation's own when its names, aliases, path or summary say it, or, for an edit, when a field it
      // writes answers to it ("rename" a user: username); a state a field reports ("starting") is no action.
      const own = g.terms.some((t) => SUBJECT_FIELDS.some((f) => fieldsOf(r, t).includes(f))) ||
        (!g.nounVerb && intent === 'change' && g.terms.some((t) => strong.has(t))) ||
        // "move the nic to vlan 100": moving a thing to a value one of its fields holds is setting that field.
        (intent === 'change' && MOVE_LIKE.has(g.word) && movedTo(groups, g, strong))
      if ((q === 0 && g.required) || (g.verb && g.beforeBreak && !own)) verbMissing = true
    })
    missing.push(...concepts.filter((w) => !missing.includes(w)))
    const coverage = total > 0 ? covered / total : 0
    // The question is about this operation's resource, or names a field of it in two words ("user data").
    const ownSubject = (g: Group): boolean => g.terms.some((t) => index.subjects[id]?.has(t) === true ||
      SUBJECT_FIELDS.some((f) => fieldsOf(r, t).includes(f)) || (g.inCompound && fieldsOf(r, t).includes('fieldTerms')))
    // "which node is my vm on": what is asked for is a field of the thing named ("my vm"), so that thing answers it.
    // "which node is exchange-dag2 running on": a thing named only by its own name is whatever has the field asked for.
    const ownField = focusGroups.some((g) => g.terms.some((t) => fieldsOf(r, t).some((f) => f === 'fieldTerms' || f === 'fields'))) &&
      // "what roles can I assign to users": who something goes to is no owner of what is asked for.
      (naming.some((g) => !g.focus && g.after !== 'to' && g.after !== 'for' && ownSubject(g)) || (bareName && naming.every((g) => g.focus)))
    // "the name of the vm": the thing named first is a field of what follows "of", which then answers it.
    const ofOwner = subjectGroups.some((g) => g.terms.some((t) => fieldsOf(r, t).some((f) => f === 'fieldTerms' || f === 'fields'))) &&
      naming.some((g) => g.after === 'of' && !subjectGroups.includes(g) && ownSubject(g))
    const subjectOk = subjectGroups.length === 0 || subjectGroups.some(ownSubject) || ownField || ofOwner
    let fit = intentFit(analysed, intent)
    // "remove the second server from the dns config": what something is removed from stays; only its edit does that.
    // "remove the tag 'legacy' from the crm vm": a value taken off a thing leaves the thing; only its edit does that.
    const fromHere = removesFrom && analysed.intents.has('delete') && (fromConfig || groups.some((g) => g.after === 'from' && namedBy(id, g)))
    if (fromHere && intent === 'delete' && !subjectGroups.some((g) => namedBy(id, g))) fit = 1.1
    if (fromHere && intent === 'change' && (valueRemoved || fromConfig)) fit = 1.5
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
    // An explicit delete outranks the edit of the same thing; an edit deletes only what is removed from something.
    if (intent === 'change' && deletesWhole) score *= 0.6
    // "the old scratch disk of build-4": a thing on a machine is the VM's own (its disk), not a library record.
    if (onMachine && !index.ofVm[id]) score *= OFF_VM
    // PATCH and its POST twin say the same; PATCH is the one to suggest first.
    if (op.method === 'PATCH') score *= 1.02
    // The plain create of a resource is what "make a VM" means, unless the words point at a clone or an import.
    if (intent === 'create' && analysed.intents.has('create') && /^\/[^/]+$/.test(op.path)) score *= 1.15
    // A CORS preflight is never what a person means unless they say so.
    if (op.method === 'OPTIONS' && !queryTerms.some((t) => t === 'option' || t === 'cor' || t === 'preflight')) score *= 0.4
    return { id, op, intent, score, confidence, coverage, fit, subjectOk, missing, match: r.match }
  })
  // "attach an extra 200 GB disk": a resource that answers to the thing named (a VM's disk) beats one that only holds
  // the word in its name or fields (an uploaded disk image), when both do what was asked.
  const answersTo = (s: Scored): boolean => subjectGroups.some((g) => namedBy(s.id, g))
  const owningIntents = new Set(scored.filter(answersTo).map((s) => s.intent))
  for (const s of scored) if (subjectGroups.length > 0 && owningIntents.has(s.intent) && !answersTo(s)) s.score *= NOT_NAMED
  // "power on web-01" is no edit of web-01, however many of its words the edit's fields hold: beside a sibling of the
  // same resource that does just what was asked, an operation that does something else is not sure.
  const doers = new Set(scored.filter((s) => s.fit === 1.5 && s.confidence !== 'low' && s.subjectOk).map((s) => rootOf(s.op.path)))
  for (const s of scored) if (s.confidence === 'high' && s.fit !== undefined && s.fit < 1.5 && doers.has(rootOf(s.op.path))) s.confidence = 'medium'
  // Asked to change what the API lets no one change: the results are neighbours, never the answer. An operation that
  // does just what is asked and covers every word ("the cluster's time server") is no neighbour, whatever the last
  // noun alone ("server") would name.
  const doer = scored.reduce<Scored | undefined>((b, s) => (b === undefined || s.score > b.score ? s : b), undefined)
  const answered = doer !== undefined && doer.fit === 1.5 && doer.coverage >= 0.9 && doer.subjectOk &&
    scored.every((s) => LEVEL[s.confidence] <= LEVEL[doer.confidence])
  // "change the label on yesterday's snapshot": with no thing named before a preposition, the one whose field it is.
  const owners = subjectGroups.length > 0 ? subjectGroups : heads.filter((g) => g.after === 'on' && !g.inCompound && groups.some((f) => f.at < g.at && f.after === '' && f.weight > 0 && f.known && !f.scene && !f.verb))
  // An e-mail address in the question (dropped before reading words) names a mailbox: something alerts can go to.
  const cannot = answered ? undefined : lackingFor(index, !removesFrom && WHOLE_RECORD.test(query), analysed, owners, groups.filter((g) => g.weight > 0 && !owners.includes(g) && (g.modifier || !PURPOSE_AFTER.has(g.after))), naming, EMAIL.test(query) ? ['email'] : [])
  if (cannot !== undefined) for (const s of scored) s.confidence = 'low'
  // Asked only to delete, an edit that covers more words is still no answer: it ranks below the deletes.
  if (deletesWhole) for (const s of scored) if (s.confidence === 'high' && s.intent === 'change') s.confidence = 'medium'
  scored.sort((a, b) => LEVEL[b.confidence] - LEVEL[a.confidence] || b.score - a.score)
  // The PATCH edit and its POST twin do the same; the one the question names goes first, else PATCH.
  const [top, next] = scored
  if (top !== undefined && next !== undefined && isTwin(top, next) && LEVEL[top.confidence] === LEVEL[next.confidence]) {
    const wantsPost = /\bpost\b/i.test(query)
    if ((top.op.method === 'POST') !== wantsPost) [scored[0], scored[1]] = [next, top]
  }
  if (!sure(scored, analysed)) for (const s of scored) if (s.confidence === 'high') s.confidence = 'medium'
  return { hits: scored.map(({ op, confidence }) => hit(op, confidence)), scored, analysed, missing: scored[0]?.missing ?? [], ...(cannot === undefined ? {} : { lacking: cannot }) }
}

// `strong` must be right nearly always (a model calls it): the first operation covers nearly every word of the question
// and nothing else comes close, unless what comes close is its own POST twin of the PATCH edit. Measured on the
// tuned sets (npm run bench -- search), this keeps `strong` right 97% of the time; the rest become `weak`.
const SURE_COVERAGE = 0.95
const SURE_MARGIN = 0.8

function isTwin (a: Scored, b: Scored): boolean {
  return a.op.path === b.op.path && a.op.method !== b.op.method && [a.op.method, b.op.method].every((m) => m === 'PATCH' || m === 'POST')
}

function sure (scored: Scored[], analysed: Analysed): boolean {
  const [first, second] = scored
  if (first === undefined || first.confidence !== 'high') return true
  if (first.coverage < SURE_COVERAGE) return false
  // Only an operation that does the kind of thing asked (an edit is no delete) can be the sure answer.
  if (first.fit !== undefined && first.fit < 1.5) return false
  // One record by its id when no one record was asked for: the list may be what is meant.
  if (!analysed.wantsOne && first.intent === 'get' && scored.slice(1, 4).some((s) => s.op.path === `/${first.op.path.split('/')[1] ?? ''}` && s.op.method === 'GET')) return false
  if (second === undefined) return true
  return isTwin(first, second) || second.score / first.score < SURE_MARGIN
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
    // A swap of two letters counts as two edits here (Levenshtein), as the ranking was tuned with.
    const fields = exact ?? r.terms.filter((t) => t.startsWith(qt) || qt.startsWith(t) || (t[0] === qt[0] && editDistance(t, qt, 2, { transpositions: false }) <= 2)).flatMap((t) => fieldsOf(r, t))
    const best = Math.max(0, ...fields.map((f) => QUALITY[f as Field] ?? 0.5))
    quality.set(qt, exact !== undefined ? best : best * 0.85)
    if (fields.some((f) => OWN_WORDS.has(f))) strong.add(qt)
  }
  return { quality, strong }
}
