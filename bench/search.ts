/**
 * Search quality and speed of query_api over the evaluation sets in test/fixtures: recall@1 and recall@5 over the
 * answerable questions, the share of unanswerable questions answered `match: "none"` (flagged), the share of
 * answerable ones wrongly answered "none" (false none), per set and per kind, and median/p95 latency per query
 * (in process), beside the original helper's baseline (SQL `LIKE '%query%'` on the path alone).
 * Run: `npm run bench -- search` (add `--verbose` to list every miss, wrong first answer and false none, `--set NAME` to run
 * one set, `--explain "question"` to see how one question is read and ranked).
 */
import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { Catalog, type CatalogOperation } from '../src/catalog/catalog.js'
import { buildSearchIndex, explainSearch, searchOperations } from '../src/catalog/search.js'

/** One question of an evaluation set, the `METHOD /path` answers that count as right (none: unanswerable) and its kind. */
export interface EvalCase {
  q: string
  answers: string[]
  kind?: string
}

/** What a search function answers for one question: ranked `METHOD /path` and whether it said nothing fits. */
export interface Answer {
  got: string[]
  none: boolean
  /** The engine says the first result is the answer (`match: "strong"`). */
  strong?: boolean
}

/** Figures for one search method over a list of questions. */
export interface SearchFigures {
  name: string
  questions: number
  answerable: number
  unanswerable: number
  recallAt1: number
  recallAt5: number
  /** Unanswerable questions answered "none", over all unanswerable ones. */
  flagged: number
  /** Answerable questions answered "none", over all answerable ones. */
  falseNone: number
  /** Of the questions answered "strong", the share whose first result is right (unanswerable ones count as wrong). */
  strongRight: number
  strongCount: number
  /** Unanswerable questions answered "strong" (the goal is none). */
  unanswerableStrong: number
  medianMs: number
  p95Ms: number
  misses: Array<{ q: string, answers: string[], got: string[], none: boolean }>
  /** Answerable questions found in the top 5 but not first, or answered "none". */
  near: Array<{ q: string, answers: string[], got: string[], none: boolean }>
}

/** The evaluation sets: the one the engine grew up with, the independent operator set, the held-out checks of each round, and a sealed set. */
export const EVAL_SETS: Array<{ name: string, file: string, sealed?: boolean }> = [
  { name: 'tuned', file: 'search-eval.json' },
  { name: 'operators', file: 'search-eval-operators.json' },
  { name: 'held-out', file: 'search-eval-heldout.json' },
  { name: 'fresh', file: 'search-eval-fresh.json' },
  { name: 'held-out-2', file: 'search-eval-heldout2.json' },
  // Round three, written before the engine changed for issue 23 (committed first, then run untuned).
  { name: 'held-out-3', file: 'search-eval-heldout3.json' },
  // Round four, written for issue 23 by two writers who never saw the engine, committed before it changed again.
  // held-out-4 is the one whose misses are read to find what to fix; the sealed set's questions are never printed, so
  // its figures stay a held-out measure however many rounds follow.
  { name: 'held-out-4', file: 'search-eval-heldout4.json' },
  { name: 'sealed', file: 'search-eval-sealed.json', sealed: true },
  // Round five, written by a writer who saw only the operation list and the reference API, committed before its first run.
  { name: 'held-out-5', file: 'search-eval-heldout5.json' },
  // Round six, written the same way for this session's work, committed before its first run.
  { name: 'held-out-6', file: 'search-eval-heldout6.json' }
]

/** Loads one evaluation set from test/fixtures; undefined when the file does not exist. */
export async function loadEvalSet (file = 'search-eval.json'): Promise<EvalCase[] | undefined> {
  const url = new URL(`../test/fixtures/${file}`, import.meta.url)
  try {
    return JSON.parse(await readFile(url, 'utf8')) as EvalCase[]
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] as number
}

/** Scores a search function over a list of questions. */
export function measure (name: string, cases: EvalCase[], search: (q: string) => Answer, rounds = 5): SearchFigures {
  let at1 = 0
  let at5 = 0
  let flagged = 0
  let falseNone = 0
  let answerable = 0
  let strongCount = 0
  let strongRight = 0
  let unanswerableStrong = 0
  const misses: SearchFigures['misses'] = []
  const near: SearchFigures['near'] = []
  const times: number[] = []
  for (const c of cases) {
    let answer: Answer = { got: [], none: true }
    for (let r = 0; r < rounds; r++) {
      const start = process.hrtime.bigint()
      answer = search(c.q)
      times.push(Number(process.hrtime.bigint() - start) / 1e6)
    }
    const { got, none } = answer
    if (answer.strong === true) {
      strongCount++
      if (c.answers.includes(got[0] ?? '')) strongRight++
      if (c.answers.length === 0) unanswerableStrong++
    }
    if (c.answers.length === 0) {
      if (none) flagged++
      else misses.push({ q: c.q, answers: [], got: got.slice(0, 3), none })
      continue
    }
    answerable++
    if (none) falseNone++
    if (c.answers.includes(got[0] ?? '')) at1++
    if (got.slice(0, 5).some((g) => c.answers.includes(g))) {
      at5++
      if (none || !c.answers.includes(got[0] ?? '')) near.push({ q: c.q, answers: c.answers, got: got.slice(0, 3), none })
    } else misses.push({ q: c.q, answers: c.answers, got: got.slice(0, 5), none })
  }
  times.sort((a, b) => a - b)
  const unanswerable = cases.length - answerable
  return {
    name,
    questions: cases.length,
    answerable,
    unanswerable,
    recallAt1: answerable === 0 ? 0 : at1 / answerable,
    recallAt5: answerable === 0 ? 0 : at5 / answerable,
    flagged: unanswerable === 0 ? 0 : flagged / unanswerable,
    falseNone: answerable === 0 ? 0 : falseNone / answerable,
    strongRight: strongCount === 0 ? 1 : strongRight / strongCount,
    strongCount,
    unanswerableStrong,
    medianMs: percentile(times, 50),
    p95Ms: percentile(times, 95),
    misses,
    near
  }
}

/** The original helper's search: `SELECT ... WHERE path LIKE '%query%'` (case-insensitive, as SQLite does), in catalogue order. */
export function likeBaseline (operations: CatalogOperation[], query: string): string[] {
  const needle = query.toLowerCase()
  return operations.filter((op) => op.path.toLowerCase().includes(needle)).map((op) => `${op.method} ${op.path}`)
}

function format (f: SearchFigures): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(6)
  const size = `${f.answerable}+${f.unanswerable}`.padStart(7)
  const recall = f.answerable > 0 ? `recall@1 ${pct(f.recallAt1)}  recall@5 ${pct(f.recallAt5)}  false none ${pct(f.falseNone)}` : ' '.repeat(53)
  const flagged = f.unanswerable > 0 ? `  unanswerable flagged ${pct(f.flagged)} (strong: ${f.unanswerableStrong})` : ''
  const strong = f.strongCount > 0 ? `  strong right ${pct(f.strongRight)} of ${f.strongCount}` : ''
  return `${f.name.padEnd(28)} ${size}  ${recall}${strong}${flagged}`
}

/** Runs the benchmark and prints the figures; returns them for a bench runner. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<SearchFigures[]> {
  const verbose = argv.includes('--verbose')
  const only = argv.includes('--set') ? argv[argv.indexOf('--set') + 1] : undefined
  if (argv.includes('--explain')) {
    const catalog = await Catalog.load()
    const q = argv[argv.indexOf('--explain') + 1] ?? ''
    const r = searchOperations(catalog, q)
    console.log(JSON.stringify({ match: r.match, hint: r.hint, ...explainSearch(catalog, q, 8, verbose) }, null, 1).replace(/\n\s+(?=[^\s{[])/g, ' ').replace(/\n\s+}/g, ' }').replace(/\n\s+]/g, ' ]'))
    return []
  }
  const sets: Array<{ name: string, cases: EvalCase[], sealed: boolean }> = []
  for (const s of EVAL_SETS) {
    if (only !== undefined && s.name !== only) continue
    const cases = await loadEvalSet(s.file)
    if (cases !== undefined) sets.push({ name: s.name, cases, sealed: s.sealed === true })
  }
  const loadStart = process.hrtime.bigint()
  const catalog = await Catalog.load()
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6
  const indexStart = process.hrtime.bigint()
  buildSearchIndex(catalog)
  const indexMs = Number(process.hrtime.bigint() - indexStart) / 1e6
  const all = sets.flatMap((s) => s.cases)

  const firstStart = process.hrtime.bigint()
  searchOperations(catalog, all[0]?.q ?? 'list VMs')
  const firstMs = Number(process.hrtime.bigint() - firstStart) / 1e6
  // One untimed pass so the figures are steady-state, not JIT warm-up; the first query is reported on its own.
  for (const c of all) searchOperations(catalog, c.q)

  const ours = (q: string): Answer => {
    const r = searchOperations(catalog, q, { limit: 10 }) as { results: Array<{ method: string, path: string }>, match?: string }
    // An engine without `match` says "nothing fits" only by answering no results.
    return { got: r.results.map((h) => `${h.method} ${h.path}`), none: r.match !== undefined ? r.match === 'none' : r.results.length === 0, strong: r.match === 'strong' }
  }
  const baseline = (q: string): Answer => {
    const got = likeBaseline(catalog.operations, q)
    return { got, none: got.length === 0 }
  }

  console.log(`search eval: ${all.length} questions in ${sets.length} sets, ${catalog.operations.length} operations (catalogue load ${loadMs.toFixed(1)} ms, index build ${indexMs.toFixed(1)} ms, first query ${firstMs.toFixed(2)} ms)`)
  console.log(`${'set / kind'.padEnd(28)} ans+un`)
  const figures: SearchFigures[] = []
  for (const set of sets) {
    const f = measure(`${set.name} (query_api)`, set.cases, ours)
    figures.push(f)
    console.log(format(f))
    const kinds = [...new Set(set.cases.map((c) => c.kind).filter((k): k is string => k !== undefined))]
    for (const kind of kinds) console.log(format(measure(`  ${kind}`, set.cases.filter((c) => c.kind === kind), ours, 1)))
    const b = measure(`${set.name} (baseline LIKE)`, set.cases, baseline, 1)
    console.log(format(b))
    if (set.sealed) console.log('    (sealed: its questions are not printed)')
    else if (verbose || set.name !== 'tuned') {
      for (const m of f.misses) {
        const wanted = m.answers.length > 0 ? m.answers.join(' | ') : 'none'
        console.log(`    miss: "${m.q}" wants ${wanted}; got ${m.none ? '[none] ' : ''}${m.got.join(', ') || 'nothing'}`)
      }
      if (verbose) {
        for (const m of f.near) console.log(`    ${m.none ? 'false none' : 'not first'}: "${m.q}" wants ${m.answers.join(' | ')}; got ${m.got.join(', ')}`)
      }
    }
  }
  const times = measure('all sets', all, ours)
  console.log(`latency over all ${all.length} questions: median ${times.medianMs.toFixed(3)} ms  p95 ${times.p95Ms.toFixed(3)} ms`)
  const bySet = new Map(figures.map((f) => [f.name.replace(/ \(query_api\)$/, ''), f]))
  const tuned = bySet.get('tuned')
  if (tuned !== undefined) console.log(`targets on the tuned set (recall@5 >= 95%): ${tuned.recallAt5 >= 0.95 ? 'met' : 'NOT met'}`)
  // The operator set and the round-two sets are held to the issue's targets; a held-out set's first run is its honest figure.
  for (const name of ['operators', 'fresh', 'held-out-2']) {
    const f = bySet.get(name)
    if (f === undefined) continue
    const unmet = [
      f.recallAt5 < 0.95 ? 'recall@5 >= 95%' : '',
      f.recallAt1 < 0.8 ? 'recall@1 >= 80%' : '',
      f.flagged < 0.8 ? 'unanswerable flagged >= 80%' : '',
      f.falseNone > 0.05 ? 'false none <= 5%' : '',
      times.medianMs >= 2 ? 'median < 2 ms' : ''
    ].filter(Boolean)
    console.log(`targets on the ${name} set (recall@5 >= 95%, recall@1 >= 80%, flagged >= 80%, false none <= 5%, median < 2 ms): ${unmet.length === 0 ? 'met' : `NOT met (${unmet.join(', ')})`}`)
  }
  // Issue 23's goals, on the sets the engine was not tuned on: what a model host may rely on.
  for (const name of ['held-out', 'held-out-2', 'held-out-3', 'held-out-4', 'sealed', 'held-out-5', 'held-out-6']) {
    const f = bySet.get(name)
    if (f === undefined) continue
    const unmet = [
      f.recallAt1 < 0.9 ? 'recall@1 >= 90%' : '',
      f.recallAt5 < 0.98 ? 'recall@5 >= 98%' : '',
      f.falseNone > 0.03 ? 'false none <= 3%' : '',
      f.flagged < 0.9 ? 'unanswerable flagged >= 90%' : '',
      f.unanswerableStrong > 0 ? 'no unanswerable strong' : '',
      f.strongRight < 0.97 ? 'strong right >= 97%' : '',
      times.medianMs >= 1 ? 'median < 1 ms' : ''
    ].filter(Boolean)
    console.log(`issue 23 goals on ${name} (recall@1 >= 90%, recall@5 >= 98%, false none <= 3%, flagged >= 90% and none strong, strong right >= 97%, median < 1 ms): ${unmet.length === 0 ? 'met' : `NOT met (${unmet.join(', ')})`}`)
  }
  return [...figures, times]
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
