/**
 * Search quality and speed of query_api over test/fixtures/search-eval.json: recall@1, recall@5, median and p95
 * latency per query (in-process), beside the original helper's baseline (SQL `LIKE '%query%'` on the path alone).
 * Run: `npx tsx bench/search.ts` (add `--verbose` to list the questions that miss the top 5).
 */
import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { Catalog, type CatalogOperation } from '../src/catalog/catalog.js'
import { buildSearchIndex, searchOperations } from '../src/catalog/search.js'

/** One question of the evaluation set and the `METHOD /path` answers that count as right. */
export interface EvalCase {
  q: string
  answers: string[]
}

/** Figures for one search method over the evaluation set. */
export interface SearchFigures {
  name: string
  questions: number
  recallAt1: number
  recallAt5: number
  medianMs: number
  p95Ms: number
  misses: Array<{ q: string, answers: string[], got: string[] }>
}

/** Loads the evaluation set. */
export async function loadEvalSet (): Promise<EvalCase[]> {
  const url = new URL('../test/fixtures/search-eval.json', import.meta.url)
  return JSON.parse(await readFile(url, 'utf8')) as EvalCase[]
}

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] as number
}

/** Scores a search function (question -> ranked `METHOD /path` list) over the evaluation set. */
export function measure (name: string, cases: EvalCase[], search: (q: string) => string[], rounds = 5): SearchFigures {
  let at1 = 0
  let at5 = 0
  const misses: SearchFigures['misses'] = []
  const times: number[] = []
  for (const c of cases) {
    let got: string[] = []
    for (let r = 0; r < rounds; r++) {
      const start = process.hrtime.bigint()
      got = search(c.q)
      times.push(Number(process.hrtime.bigint() - start) / 1e6)
    }
    if (c.answers.includes(got[0] ?? '')) at1++
    if (got.slice(0, 5).some((g) => c.answers.includes(g))) at5++
    else misses.push({ q: c.q, answers: c.answers, got: got.slice(0, 5) })
  }
  times.sort((a, b) => a - b)
  return {
    name,
    questions: cases.length,
    recallAt1: at1 / cases.length,
    recallAt5: at5 / cases.length,
    medianMs: percentile(times, 50),
    p95Ms: percentile(times, 95),
    misses
  }
}

/** The original helper's search: `SELECT ... WHERE path LIKE '%query%'` (case-insensitive, as SQLite does), in catalogue order. */
export function likeBaseline (operations: CatalogOperation[], query: string): string[] {
  const needle = query.toLowerCase()
  return operations.filter((op) => op.path.toLowerCase().includes(needle)).map((op) => `${op.method} ${op.path}`)
}

function format (f: SearchFigures): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  return `${f.name.padEnd(22)} recall@1 ${pct(f.recallAt1).padStart(6)}  recall@5 ${pct(f.recallAt5).padStart(6)}  median ${f.medianMs.toFixed(3)} ms  p95 ${f.p95Ms.toFixed(3)} ms`
}

/** Runs the benchmark and prints the figures; returns them for a bench runner. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<SearchFigures[]> {
  const verbose = argv.includes('--verbose')
  const cases = await loadEvalSet()
  const loadStart = process.hrtime.bigint()
  const catalog = await Catalog.load()
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6
  const indexStart = process.hrtime.bigint()
  buildSearchIndex(catalog)
  const indexMs = Number(process.hrtime.bigint() - indexStart) / 1e6

  const firstStart = process.hrtime.bigint()
  searchOperations(catalog, cases[0]?.q ?? 'list VMs')
  const firstMs = Number(process.hrtime.bigint() - firstStart) / 1e6
  // One untimed pass so the figures are steady-state, not JIT warm-up; the first query is reported on its own.
  for (const c of cases) searchOperations(catalog, c.q)

  const ours = measure('query_api (MiniSearch)', cases, (q) => searchOperations(catalog, q, { limit: 10 }).results.map((h) => `${h.method} ${h.path}`))
  const baseline = measure('baseline LIKE on path', cases, (q) => likeBaseline(catalog.operations, q))

  console.log(`search eval: ${cases.length} questions, ${catalog.operations.length} operations (catalogue load ${loadMs.toFixed(1)} ms, index build ${indexMs.toFixed(1)} ms, first query ${firstMs.toFixed(2)} ms)`)
  console.log(format(ours))
  console.log(format(baseline))
  const targetsMet = ours.recallAt5 >= 0.95 && ours.medianMs < 2
  console.log(`targets (recall@5 >= 95%, median < 2 ms): ${targetsMet ? 'met' : 'NOT met'}`)
  if (verbose || ours.misses.length > 0) {
    for (const m of ours.misses) console.log(`  miss: "${m.q}" wants ${m.answers.join(' | ')}; got ${m.got.join(', ') || 'nothing'}`)
  }
  return [ours, baseline]
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
