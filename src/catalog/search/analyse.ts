import type { UnsupportedTopic } from '../catalog.js'
import type { Index } from './build-index.js'
import { isKnown, knownAs, oneEditApart, splitCase, typoOf, verbWord } from './known-words.js'
import { stem } from './stem.js'
import { MAX_TERMS, type QueryIntent } from './types.js'
import { BACKGROUND, PURE_WEIGHT, RELATIVE } from './weights.js'
import { ADJECTIVAL, AUX, CLAUSES, CONTEXT_WORDS, DEFINITE, DETERMINERS, EMAIL, FIRST_WORD_INTENTS, INDEFINITE, INTENT_OF, INTENT_OF_STEM, INTENT_WORD_OF_STEM, KEPT_AS_IS, LEAD, LOCATIVE, NAMING, NEGATED_THING, NEGATED_VERB, ONE_RECORD, PARTICLES, PHRASES, PRONOUNS, PURE_INTENT, PURPOSE, QUESTION_START, RECURRENCE, SCHEDULE, STOPWORDS, SIZE_UNITS, SYNONYMS, TIME_UNITS, TOOL_WORDS, WH, intentsOf, processTerm } from './words.js'

/** One meaningful word of the question: the terms it searches with and how much of the meaning it carries. */
export interface Group {
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
  /** The word said what is wanted ("update it on the registration"): it is the request's verb, not the thing asked about. */
  said: boolean
  /** In a clause that only sets the scene ("the disk is full, make it bigger"). */
  scene: boolean
  /** How many of its terms are the word itself (as typed, an idiom's spellings, the word a slip meant); the rest are synonyms. */
  exact: number
}

/** What a question is read as: its meaningful words, the kinds of thing it asks for and the topics the API lacks. */
export interface Analysed {
  groups: Group[]
  intents: Set<QueryIntent>
  /** The question starts like a question ("is", "what", "which"): it asks to read. */
  question: boolean
  wantsOne: boolean
  unsupported: UnsupportedTopic[]
}

// What may stand before a refusal in its clause: nothing, a polite opener, or the person speaking ("I am", "we will").
const REFUSING = /^(?:\s*\b(?:please|pls|and|also|just|ok|okay|i|we|am|are|will|would|really|honestly|still|definitely|absolutely|then|now|yet)\b)*\s*$/

// Values (addresses, paths, sizes) name a thing, not a task: drop them before reading words (e-mail addresses, read
// as mailboxes, are replaced first).
const VALUES = /\b\d{1,3}(\.\d{1,3}){3}(\/\d+)?\b|\bhttps?:\/\/\S+|\b[a-z]+\/[a-z_]+\b|\b[\w-]+(\.[\w-]+){2,}\b/gi

// An e-mail address is a mailbox: "add ops@example.com" adds one.
const EMAILS = new RegExp(EMAIL, 'g')

type Place = 'object' | 'locative' | 'purpose'
type ClauseKind = 'question' | 'imperative' | 'want' | 'statement' | 'phrase'
interface Token { word: string, alts: string[], clause: number, place: Place, after: string, relative: boolean, prev: string, next: string, at: number }

/** Reads a question: its clauses, which one asks, its verb, the thing it is about, and each word's weight. */
export function analyse (index: Index, query: string): Analysed {
  // A command's options ("-StartupBytes 8GB", "--memory 4096") name fields, not the thing to act on.
  // "add corp.example.com to the DNS search domains": a host name or address added to something is a value of a field
  // of that thing, which is what changes (a mailbox added "to the people who get alerts" is a new recipient).
  // A value in single quotes ("from 'auto' to 'before-upgrade'") says what to set, not what to act on, as one in double
  // quotes does; after "called" it is the name.
  const unquoted = query.replace(/(^|[\s(])(\w+\s+)?['‘]([^'‘’\n]{1,80})['’](?=[\s.,;:!?)]|$)/g, (_all, start: string, before: string | undefined, inner: string) =>
    before !== undefined && NAMING.has(before.trim().toLowerCase()) ? `${start}${before}${inner}` : `${start}${before ?? ''} `)
  let text = splitCase(index, unquoted.replace(/\b(?:add|append|include)\s+(?=(?:[\w-]+\.)+[\w-]+\s+(?:to|into|onto)\s)/gi, 'change ').replace(EMAILS, ' email ').replace(VALUES, ' ').replace(/(^|\s)--?(?=[A-Za-z])/g, '$1 with ')).toLowerCase()
    .replace(/\bi[’']d\b/g, 'i would').replace(/\bi[’']m\b/g, 'i am').replace(/\b(i|we|you|they|he|she|it)[’']ll\b/g, '$1 will')
    .replace(/\b(i|we|you|they)[’']ve\b/g, '$1 have').replace(/\b(we|you|they)[’']re\b/g, '$1 are').replace(/[’']s\b/g, '').replace(/[’']/g, '')
    .replace(/%/g, ' percent ').replace(/"[^"]*"/g, ' ')
  // A name after "called"/"named" (or a tag's value) is one name, hyphens and dots included ("jenkins-agent-3" is no agent).
  text = text.replace(/\b(called|named|titled|labell?ed|tag|tagged|name is|(?:call|calling|name|naming) (?:it|them))\s+([a-z0-9][\w]*(?:[-.][\w]+)+)/g, (_all, by: string, name: string) => `${by} ${name.replace(/[-.]/g, '')}`)
  // So is a hyphenated word with a digit ("temp-build-4471", "k8s-worker-1") or one right after the kind of thing it
  // names ("the vm crm-db"): nobody asks for a build, a worker or a db by naming a machine.
  text = text.replace(/(^|[^\w-])((?:(vms?|machines?|servers?|hosts?|guests?|boxe?s?|nodes?|users?|accounts?|templates?|schedules?|snapshots?|disks?|isos?|images?)\s+)?)([a-z][a-z0-9]*(?:[-.][a-z0-9]+)+)(?![\w-])/g,
    (all, before: string, noun: string, kind: string | undefined, name: string, at: number, whole: string) => {
      const preceding = whole.slice(0, at + before.length)
      // "the swap disk on legacy-app": a hyphenated word of unknown parts straight after a preposition names a machine.
      const placed = /\b(?:on|from|of|to|for|at|onto|into)\s+$/.test(preceding) && name.includes('-') && !name.split(/[-.]/).every((w) => isKnown(index, stem(w)))
      // On another tool's command line ("virsh undefine old-jenkins") a hyphenated word is an argument: a name.
      const argument = name.includes('-') && COMMAND_LINE.test(preceding.split(/[,;.!?]/).pop() ?? '')
      if (!/\d/.test(name) && !(kind !== undefined && name.includes('-')) && !placed && !argument) return all
      // At the start of a clause the name is its subject ("mail-01 is on what node"), not a request to name something.
      const opens = /(?:^|[,;.:!?])\s*$/.test(preceding)
      // "get rid of scratch-vm-88": a machine whose name says it is a VM is one.
      const said = noun === '' && /(?:^|[-.])(?:vm|guest)(?:[-.]|$)/.test(name) ? 'vm ' : ''
      return `${before}${noun}${said}${opens && said === '' ? '' : 'named '}${name.replace(/[-.]/g, '')}`
    })
  // "ops@example.com should not get alert emails any more": a mailbox that is to stop receiving them is a recipient to remove.
  text = text.replace(/(?:\bemail\s+)?(?:\b(?:should|must|will|does|do|is to)\s+(?:not|no longer|nt)\s+(?:get|receive)\s+(?:any\s+)?(?:more\s+)?(?:the\s+)?(?:cluster\s+)?(?:alerts?|alert\s+e?mails?|notifications?|e?mails?)\b(?:\s+any\s*more|\s+anymore)?|\bno longer (?:gets|receives|needs) (?:the )?(?:alerts?|alert e?mails?)\b)/g, ' , remove the alert email recipient ')
  // What the question says not to do, or sets aside, does not vote: "instead of deleting it, shut it down" is a stop.
  text = text.replace(KEPT_AS_IS, ' , ').replace(NEGATED_THING, ' , ').replace(NEGATED_VERB, (all, verb: string, rest: string, at: number, whole: string) => {
    // Told not to do something ("don't touch the syslog target", "I'm not cloning it"), the thing it would be done to
    // does not vote either. A wished-for state ("the user should not have admin") or a question keeps its words.
    // "Not just X" still asks for X, and "instead of deleting the vm, shut it down" still acts on that VM.
    // "don't include the scratch disk in snapshots anymore": not doing it from now on is to stop doing it, a change.
    // Only as an order: "we don't need it anymore" says why, not what to stop.
    const ordered = /^(?:(?:please|pls|just|and|so|then)\s*)*$/.test((whole.slice(0, at).split(CLAUSES).pop() ?? '').trim())
    const from = ordered && /^(?:do not|dont|never)\b/.test(all) && /\s(?:anymore|any more|any longer|from now on)\s*$/.exec(rest)
    if (from) return ` stop ${verb.endsWith('e') && !verb.endsWith('ee') ? verb.slice(0, -1) : verb}ing ${rest.slice(0, from.index).trim().replace(/\s+/g, ' ')} `
    if (!/^(?:not|never) just|^(?:instead|rather)/.test(all) && REFUSING.test(whole.slice(0, at).split(CLAUSES).pop() ?? '')) return ' , '
    return intentsOf(verb) !== undefined ? ` ${rest}` : all
  })
  for (const [re, words] of PHRASES) text = text.replace(re, (...m: string[]) => ` ${words.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? '')} `)
  // "make sure the old password stops working by setting a new one": the means is what is to be done.
  text = text.replace(/\bby ([a-z]{4,}ing)\b/g, (all, gerund: string) => { const verb = gerundOf(gerund); return verb === undefined ? all : `, ${verb}` })
  // "do a hard reset on it", "do a reboot": the deed done is the verb; the clause is an order, not a question.
  text = text.replace(/(^|[,;.!?:]\s*)(?:please\s+|just\s+|now\s+)?do\s+(?:a|an)\s+([a-z]+)(\s+[a-z]+)?/g, (all, start: string, one: string, two: string | undefined) => {
    const second = two?.trim() ?? ''
    if (intentsOf(one) !== undefined) return `${start}${one}${two ?? ''}`
    if (intentsOf(second) !== undefined) return `${start}${second} ${one}`
    return all
  })

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
  const commandAt = new Set<number>()
  for (const clause of text.split(CLAUSES)) {
    const all = (clause ?? '').split(/[^a-z0-9|]+/).filter((w) => w.replace(/\|/g, '') !== '')
    if (all.length === 0) continue
    const joined = all.join(' ')
    const lead = LEAD.exec(joined)?.[0] ?? ''
    const wish = /\b(?:need|want|like)\s+$/.test(lead)
    const words = joined.slice(lead.length).split(' ').filter(Boolean)
    // "my manager asked me, and honestly I'm not sure, to make a copy of it": an infinitive opening a clause is what is asked.
    if (words.length > 2 && words[0] === 'to' && intentsOf(words[1] as string) !== undefined) words.shift()
    // "please to make stop the vm": to make something do is to do it.
    if (words.length > 2 && words[0] === 'make' && INTENT_OF.has(words[1] as string) && !ADJECTIVAL.has(words[1] as string)) words.shift()
    // Other tools' names ("qm destroy 105", "pvesh get /nodes") only say where the words come from; the words of
    // their command line that no document knows are its arguments, names ("acli vm.clone newvm").
    if (TOOL_WORDS.has(words[0] as string) || COMMANDS.has(words[0] as string)) commandAt.add(kinds.length)
    while (words.length > 1 && TOOL_WORDS.has(words[0] as string)) words.shift()
    // "qm snapshot 101", "qm resize the disk": its subcommand is the verb and says what it acts on ("virsh list" still lists VMs).
    if (words.length > 1 && COMMANDS.has(words[0] as string) && !PURE_INTENT.has(words[1] as string) && (FIRST_WORD_INTENTS.has(words[1] as string) || INTENT_OF.has(words[1] as string))) words.shift()
    // "permanently delete", "gracefully shut down": an adverb before the verb says how; the verb still leads.
    while (words.length > 1 && /^[a-z]{3,}ly$/.test(words[0] as string) && !isKnown(index, stem(words[0] as string))) words.shift()
    if (words.length === 0) continue
    // "snapshot list all vms", "vm delete old": a small model's noun first, then the verb that says what to do with it.
    if (words.length > 1 && FIRST_WORD_INTENTS.has(words[0] as string) && PURE_INTENT.has(words[1] as string)) words.unshift(words.splice(1, 1)[0] as string)
    const ci = kinds.length
    // ", named weekly-old": a clause that only gives a name describes what came before; it asks nothing.
    if (NAMING.has(words[0] as string) && words.length > 1) {
      for (const w of words) tokens.push({ word: w, alts: [], clause: kinds.length, place: 'object', after: '', relative: false, prev: tokens.at(-1)?.word ?? '', next: '', at: tokens.length })
      kinds.push('phrase')
      continue
    }
    let first = (words[0] as string).split('|')[0] as string
    const second = words[1] ?? ''
    // "taking a checkpoint", "deleting old snapshots": a clause that opens with a gerund asks what its verb asks.
    // "..., starts Monday": a verb with a third person's -s goes on telling; an order takes the plain verb.
    // So does a past tense ("the relay has since | moved to ..."): an order takes no -ed.
    const telling = tokens.length > 0 && lead === '' && !INTENT_OF.has(first) &&
      ((/[^s]s$/.test(first) && INTENT_OF.has(first.slice(0, -1))) || (/ed$/.test(first) && (INTENT_OF_STEM.has(stem(first)) || INTENT_OF.has(first.slice(0, -1)) || INTENT_OF.has(first.slice(0, -2)))))
    const meant = telling ? undefined : verbWord(index, first) ?? gerundOf(first)
    // A slip of an intent word is that word ("chnage the description").
    if (meant !== undefined && meant !== first && !(words[0] as string).includes('|')) words[0] = first = meant
    const firstIntents = meant === undefined ? undefined : intentsOf(meant)
    const opener = words.length > 1 && index.aliasPairs.has(`${stem(first)} ${stem(second.split('|')[0] as string)}`)
      ? undefined
      : FIRST_WORD_INTENTS.get(first) ?? (first.length >= 5 && !index.vocabulary.has(stem(first)) ? [...FIRST_WORD_INTENTS].find(([w]) => oneEditApart(w, first, true))?.[1] : undefined)
    // "ship the vm off", "throw away the old one": a verb with a particle is an everyday phrasal verb, not a new concept.
    const phrasal = words.slice(1).some((w) => PARTICLES.has(w) && w !== 'on' && w !== 'in')
    const unknownVerb = !telling && !isKnown(index, stem(first)) && !/\d/.test(first) && !/ly$/.test(first) && !STOPWORDS.has(first) &&
      (DETERMINERS.has(second) || LOCATIVE.has(second) || PARTICLES.has(second) || ['it', 'them', 'me', 'us'].includes(second))
    if (unknownVerb && phrasal) phrasalAt.add(tokens.length)
    let kind: ClauseKind
    // "I need delete the old schedule": a verb straight after the wish is an order, whatever grammar led to it.
    if (wish && !(firstIntents !== undefined && !ADJECTIVAL.has(first))) kind = 'want'
    // ", is still valid for now": an auxiliary followed by how things are continues a statement; it asks nothing.
    else if (lead === '' && ((QUESTION_START.has(first) && !(AUX.has(first) && STATE_ADVERBS.has(second))) || /^how (far|much|long|often|big|large|fast)\b/.test(words.join(' ')))) kind = 'question'
    else if (firstIntents !== undefined || opener !== undefined || unknownVerb) kind = 'imperative'
    else if (['it', 'they', 'he', 'she', 'we', 'i', 'nobody', 'someone', 'somebody', 'everyone', 'nothing', 'there'].includes(first) || words.slice(1, 5).some((w) => AUX.has(w))) kind = lead === '' || (CONNECTIVE.test(lead) && DETERMINERS.has(first)) ? 'statement' : 'imperative'
    else kind = lead === '' ? 'phrase' : 'imperative'
    if (kind === 'statement' || kind === 'phrase') {
      const said = words.join(' ')
      // "fw-edge-2 needs a second network adapter": a thing that needs one more of something is to get it.
      if (NEEDS_ONE_MORE.test(said)) {
        kind = 'want'
        intents.add('create')
      }
      // "the disk named crm-old should be removed", "it must be renamed": what should be done to a thing is asked for;
      // "the whole system should shut down in one step": what a thing should do is asked of it too.
      const done = SHOULD_BE.exec(said)?.[1]
      const doing = done === undefined ? SHOULD_DO.exec(said)?.[1] : undefined
      const verb = done ?? doing
      const wished = verb === undefined ? undefined : NAMING.has(verb) ? ['change' as const] : done !== undefined ? INTENT_OF_STEM.get(stem(done)) : INTENT_OF.get(verb)
      if (verb !== undefined && wished !== undefined) {
        kind = 'want'
        for (const intent of wished) intents.add(intent)
        // The participle counts as its verb ("removed": remove), which names what to do, not a word to find.
        const at = words.indexOf(verb)
        const base = INTENT_WORD_OF_STEM.get(stem(verb))
        if (base !== undefined && at >= 0) words[at] = base
        saidAt.add(tokens.length + at)
      }
    }
    kinds.push(kind)
    if (kind === 'question') {
      question = true
      intents.add('read')
    }
    if (kind === 'imperative') {
      if (firstIntents !== undefined) saidAt.add(tokens.length)
      // "give it an extra 100 GB drive", "plug a second adapter into it": a thing that is one more of its kind is made,
      // whatever the verb; "an extra 4 GB of memory" is no thing, so it stays a change.
      // "give bob an account": what is given whole is made too.
      const oneMore = words.some((w, i) => (w === 'another' || (INDEFINITE.has(words[i - 1] ?? '') && ONE_MORE.has(w))) &&
        words.slice(i + 1, i + 5).some((x, j, rest) => !rest.slice(0, j).some((y) => LOCATIVE.has(y) || PURPOSE.has(y)) && !LOCATIVE.has(x) && index.resourceWords.has(stem(x)))) ||
        (first === 'give' && words.some((w, i) => i > 2 && INDEFINITE.has(words[i - 1] ?? '') && index.resourceWords.has(stem(w))))
      for (const intent of firstIntents ?? []) intents.add(oneMore && intent === 'change' ? 'create' : intent)
      if (opener !== undefined) intents.add(opener)
      // A content verb, or a noun used as one ("snapshot the db box"), must be the operation's own word.
      // Made anew, the thing needs no operation that knows the verb ("plug" a new adapter in is adding one).
      if ((firstIntents !== undefined && !oneMore && !PURE_INTENT.has(first) && !PURE_INTENT.has(stem(first))) || (firstIntents === undefined && opener !== undefined)) verbAt.add(tokens.length)
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
      // "we want that the cluster is called branch-01": a thing wished to be called something is renamed.
      if (words.some((w, i) => NAMING.has(w) && ['is', 'be', 'are', 'gets', 'get'].includes(words[i - 1] ?? ''))) intents.add('change')
      // "I want the config to publish to the new collector": an adjective after a preposition makes nothing new.
      const placed = words.findIndex((w) => LOCATIVE.has(w) || PURPOSE.has(w))
      words.forEach((w, i) => {
        if (!ADJECTIVAL.has(w) || (placed >= 0 && i > placed)) return
        saidAt.add(tokens.length + i)
        for (const intent of INTENT_OF.get(w) ?? []) intents.add(intent)
      })
      if (INDEFINITE.has(first)) intents.add('create')
      // "I want the monitoring config to publish to the new collector": a thing wished to do something is to be changed.
      const to = words.indexOf('to')
      if ((DEFINITE.has(first) || first === 'it' || first === 'them') && to > 0 && intents.size === 0) {
        // "I want it to boot from the cd": how it boots is its boot order, a setting.
        const verb = words[to + 2] === 'order' ? undefined : words[to + 1] === 'be' ? words[to + 2] : words[to + 1]
        // The thing is there already: "the config to send to the collector" changes it; nothing new is made.
        for (const intent of (verb === undefined ? undefined : intentsOf(verb)) ?? ['change' as const]) intents.add(intent === 'create' ? 'change' : intent)
      }
    }
    // "which vnc port is it on", "what roles can a user have": the words after what/which are the thing asked for.
    if (kind === 'question' && WH.has(first)) {
      let seenContent = false
      for (let i = 1; i < words.length; i++) {
        const w = words[i] as string
        // "which email addresses get the alert emails": the verb after the thing asked for ends it, and names no operation.
        if (seenContent && PURE_INTENT.has(w)) saidAt.add(tokens.length + i)
        if (LOCATIVE.has(w) || PURPOSE.has(w) || PRONOUNS.has(w) || (seenContent && (AUX.has(w) || DETERMINERS.has(w) || PURE_INTENT.has(w)))) break
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
      } else if ((PRONOUNS.has(head) || ((head === 'that' || head === 'which') && !INTENT_OF.has(words[i - 1] ?? '')) ||
        // "the schedule what nobody uses": after a thing, "what" opens a relative clause.
        (head === 'what' && index.resourceWords.has(stem(words[i - 1] ?? ''))) ||
        // "the addresses the guests are reporting": a second noun phrase with its own verb, straight after a noun, is a relative clause.
        (DEFINITE.has(head) && i > 1 && !LOCATIVE.has(words[i - 1] ?? '') && !PURPOSE.has(words[i - 1] ?? '') && !INTENT_OF.has(words[i - 1] ?? '') &&
          !STOPWORDS.has(words[i - 1] ?? '') && !DETERMINERS.has(words[i - 1] ?? '') && words.slice(i + 2, i + 4).some((w) => AUX.has(w)))) && content) {
        relative = true
      }
      if (!STOPWORDS.has(head)) content = true
      tokens.push({ word: head, alts, clause: ci, place, after, relative, prev: (words[i - 1] ?? '').split('|')[0] ?? '', next, at: tokens.length })
    })
  }
  const asks = (t: Token): boolean => ['question', 'imperative', 'want'].includes(kinds[t.clause] as string)
  // "the timezone is wrong, please change it": when what asks names nothing but "it", the scene says what it is.
  const asking = tokens.some((t) => asks(t) && !saidAt.has(t.at) && !verbAt.has(t.at) && !STOPWORDS.has(t.word) && !DETERMINERS.has(t.word) && !PARTICLES.has(t.word) && !LOCATIVE.has(t.word) && !PURPOSE.has(t.word) && !INTENT_OF.has(t.word))
  // "how I close my session so it does not stay open": a verb that is itself a thing (log out) needs nothing from the scene.
  const selfContained = tokens.some((t) => asks(t) && verbAt.has(t.at) && index.resourceWords.has(stem(t.word)))
  // When it does, the scene's things count in full but its other words only set the scene ("payroll-01 did not come back").
  const thing = (t: Token): boolean => index.resourceWords.has(stem(t.word)) || /\d/.test(t.word) || NAMING.has(t.prev)
  const somethingAsks = asking || selfContained
  const anyAsks = kinds.some((k) => k !== 'statement' && k !== 'phrase')
  const background = (t: Token): boolean => !asks(t) && (somethingAsks || (anyAsks && !thing(t)))
  // Without a verb in a verb's place ("dns settings", "cpu load of all my vms"), any intent word says what is wanted.
  if (intents.size === 0) {
    for (const t of tokens) {
      // "publish to the new collector": an intent word after a preposition says where, not what is wanted.
      if (background(t) || t.relative || (t.place !== 'object' && ADJECTIVAL.has(t.word))) continue
      const participle = /(ing|ed)$/.test(t.word) && !INTENT_OF.has(t.word)
      if (participle || (DETERMINERS.has(t.prev) && !ADJECTIVAL.has(t.word))) continue
      const meant = INTENT_OF.has(t.word) || index.vocabulary.has(stem(t.word)) ? t.word : typoOf(t.word)
      if (INTENT_OF.has(meant ?? '')) saidAt.add(t.at)
      for (const intent of INTENT_OF.get(meant ?? '') ?? []) intents.add(intent)
    }
  }
  // "proxmox backup job every night at 2am": with no verb, a recurrence given asks for that job to be set up.
  if (intents.size === 0 && !question && RECURRENCE.test(query.toLowerCase())) intents.add('create')
  // "task tag 8812": a task is asked for by its number.
  if (/\btask(?:\s*tag)?\s*(?:#|no\.?|number)?\s*\d+/i.test(query)) wantsOne = true
  // "is each one running": one of each is all of them.
  for (const t of tokens) if (ONE_RECORD.has(t.word) && !background(t) && !(t.word === 'one' && ['each', 'every', 'any', 'no', 'which'].includes(t.prev))) wantsOne = true

  // Phrases are looked for among the meaningful words of the request, so "encrypt the VM's disks" holds "encrypt disk";
  // a phrase with a filler word in it ("two factor") is looked for among all of them. Purposes and the scene do not
  // count: "before the maintenance window" asks for no maintenance mode.
  // "the billing machine": a word naming one thing before its noun is a name, not a topic.
  const isName = (t: Token): boolean => DEFINITE.has(t.prev) && index.resourceWords.has(stem(t.next))
  // "schedule a vm to power on": the verb after "to" is part of what is asked.
  // In a question, a verb after "is"/"are" describes ("which cards are installed inside"); it asks for nothing.
  const describing = (t: Token): boolean => kinds[t.clause] === 'question' && ['is', 'are', 'was', 'were'].includes(t.prev) && INTENT_OF.has(t.word)
  const eligible = tokens.filter((t) => (t.place !== 'purpose' || (t.prev === 'to' && INTENT_OF.has(t.word))) && !background(t) && !describing(t))
  const allStems = eligible.map((t) => stem(t.word))
  const stems = eligible.filter((t) => !STOPWORDS.has(t.word)).map((t) => stem(t.word))
  const unnamed = eligible.filter((t) => !STOPWORDS.has(t.word) && !isName(t)).map((t) => stem(t.word))
  const found = (p: string[]): boolean => containsNear(p.length === 1 ? unnamed : p.some((w) => STOPWORDS.has(w)) ? allStems : stems, p)
  const gaps = index.unsupported.filter(({ phrases }) => phrases.some(found))
  const unsupported = gaps.map(({ topic }) => topic)
  // Words naming something the API lacks are that topic's; they do not count as found elsewhere ("CPU shares" are no SMB share).
  const gapWords = new Set(gaps.flatMap(({ phrases }) => phrases.filter(found).flat()))

  // A word said twice counts where it says most: "for the new VM I want..., please make vm web-01" asks for the VM last.
  const standing = (t: Token): number => (background(t) ? 0 : 2) + (t.place === 'object' && !t.relative ? 1 : 0)
  const termOf = tokens.map((t) => processTerm(t.word))
  const bestAt = new Map<string, Token>()
  tokens.forEach((t, i) => {
    const term = termOf[i]
    const best = term === null || term === undefined ? undefined : bestAt.get(term)
    if (term !== null && term !== undefined && (best === undefined || standing(t) > standing(best))) bestAt.set(term, t)
  })
  const groups: Group[] = []
  const seen = new Set<string>()
  for (const t of tokens) {
    const { word } = t
    if (LOCATIVE.has(word) || PURPOSE.has(word)) continue
    const term = termOf[t.at] ?? null
    if (term !== null && bestAt.get(term) !== t) continue
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
    // A unit after a number ("50 GB") is part of a value.
    const unit = SIZE_UNITS.has(word) && /^\d/.test(t.prev) ? 0.2 : 1
    // "hypercore version installed": with no verb said, a participle after the noun tells its state; nothing is to be done.
    const state = intents.size === 0 && kinds[t.clause] === 'phrase' && /[^e]ed$/.test(word) && t.at > 0 && !DETERMINERS.has(t.prev) ? 0.3 : 1
    const weight = (pure ? (index.resourceWords.has(term) ? 0.5 * place : 0) : PARTICLES.has(word) ? 0.3 * place : place) * factor * unit * state
    const nextKnown = t.next !== '' && !STOPWORDS.has(t.next) && !DETERMINERS.has(t.next) && !LOCATIVE.has(t.next) && !PURPOSE.has(t.next) &&
      !INTENT_OF.has(t.next) && isKnown(index, stem(t.next))
    // "give bob an account": a word before the thing given is who gets it.
    // "restart printserver": an unknown word straight after a verb acting on something that exists is its name.
    const actedOn = !known && (verbAt.has(t.at - 1) || saidAt.has(t.at - 1)) && !intents.has('create') && !INDEFINITE.has(t.prev) &&
      (t.next === '' || LOCATIVE.has(t.next) || PURPOSE.has(t.next) || STOPWORDS.has(t.next))
    const named = NAMING.has(t.prev) || /\d/.test(term) || actedOn || (!known && commandAt.has(t.clause)) || (!known && ((nextKnown && !INDEFINITE.has(t.prev)) || (t.at > 0 && DETERMINERS.has(t.next))))
    const isVerb = verbAt.has(t.at)
    const focus = focusAt.has(t.at)
    // A word nobody documents, as the verb, the thing asked for or the first word of the object ("a dhcp server",
    // "scan the vms", "what is the weather"), is something the API does not know of; after a known word it only
    // narrows that ("a TPM chip").
    const opensPhrase = !AUX.has(t.prev) && (t.prev === '' || DETERMINERS.has(t.prev) || STOPWORDS.has(t.prev) || verbAt.has(t.at - 1) || INTENT_OF.has(t.prev))
    // "an identical copy": a word shaped like an English adjective before a known noun only describes it; so does a
    // state after "is" ("whatever iso is still sitting in the drive").
    const describes = ((/(?:al|ous|ful|ive|ic|ent|ant|able|ible|ish|less)$/.test(word) || PLAIN_ADJECTIVES.has(word)) && t.next !== '' && isKnown(index, stem(t.next))) || (/ing$/.test(word) && (AUX.has(t.prev) || STATE_ADVERBS.has(t.prev)))
    const concept = !known && !pure && !named && !describes && !TIME_UNITS.has(word) && !back && !t.relative && !phrasalAt.has(t.at) && (isVerb || focus || (beforeBreak && opensPhrase) || (kinds[t.clause] === 'imperative' && tokens[t.at - 1]?.clause !== t.clause))
    // "list", "show": the intent is read elsewhere; as search words they would favour summaries that say "Get one".
    // A name ("a vm called temp-01") only narrows the search; it must not pull in what shares its word ("temp disk").
    const rankWeight = (pure ? (INTENT_OF.get(word)?.includes('read') === true ? 0.05 : PURE_WEIGHT) : named && NAMING.has(t.prev) ? 0.3 * place : place) * factor * state
    // A time or recurrence asked for must be something the operation can schedule; in a question it only describes.
    const required = term === SCHEDULE && !intents.has('read') && !back
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
      said: saidAt.has(t.at) && pure,
      scene: back,
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

// After "is"/"are", words saying how things stand ("is still valid", "are already running"): a statement, not a question.
const STATE_ADVERBS = new Set(['still', 'already', 'currently', 'now', 'also', 'not', 'being', 'been', 'very', 'quite', 'really', 'always', 'never', 'fine', 'ok', 'okay'])

// Command-line tools whose names are also words of the catalogue (VirDomain answers to "qm" and "virsh").
const COMMANDS = new Set(['qm', 'virsh', 'pct', 'govc', 'esxcli'])
// A tool's command line up to the word at hand: the tool, its subcommand and at most two arguments.
const COMMAND_LINE = new RegExp(`\\b(?:${[...COMMANDS, ...TOOL_WORDS].join('|')})\\s+(?!(?:i|we|you|to|it|and|or|the|a|an|would|d|is|are)\\s)[a-z][\\w-]*\\s+(?:[\\w-]+\\s+){0,2}$`)

// A clause led only by a connective and opening with its subject ("and no VM has it mounted") goes on telling;
// "please" or "I need" would ask.
const CONNECTIVE = /^(?:(?:and|so|also|then|now|just|ok|okay)\s+)+$/

// Everyday adjectives with no telling ending ("an exact copy", "the same name").
const PLAIN_ADJECTIVES = new Set(['exact', 'same', 'full', 'quick', 'simple', 'plain', 'brand', 'whole', 'entire', 'big', 'small', 'huge', 'tiny'])

// A wish said of the thing ("should be removed", "needs to be resized", "must be called web-02").
const SHOULD_BE = /\b(?:should|must|shall|needs? to|has to|have to|ought to|is to|are to|wants to) be ([a-z]+(?:ed|en))\b/
// A thing said to need one more of something ("needs a second adapter") is to get it.
const NEEDS_ONE_MORE = /\b(?:needs|need|requires|should get|must get|should have) (?:a second|a third|another|an extra|an additional|one more|a new)\b/
// What a thing should do ("the cluster should shut down"); being, having or staying asks nothing.
const SHOULD_DO = /\b(?:should|must|shall|needs? to|has to|have to|ought to) ((?!be\b|have\b|stay\b|keep\b|remain\b|not\b)[a-z]+)\b/

// Words saying the thing is one more of its kind ("an extra drive", "a second nic").
const ONE_MORE = new Set(['new', 'extra', 'second', 'third', 'additional', 'fresh', 'spare'])

// The verb of a gerund, when it is an intent word ("taking": take, "stopping": stop).
function gerundOf (word: string): string | undefined {
  if (!/^[a-z]{3,}ing$/.test(word)) return undefined
  const base = word.slice(0, -3)
  return [base, `${base}e`, base.slice(0, -1)].find((w) => w.length >= 2 && INTENT_OF.has(w))
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
