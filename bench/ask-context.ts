/**
 * What `ask` shows a model, over the questions of the search evaluation sets in test/fixtures: context size in characters and in
 * tokens (cl100k_base and o200k_base, as stand-ins for a local model's tokenizer), the whole prompt's tokens (system
 * prompt, context and question), how often the right endpoint is among the operations given, how many operations had
 * to be shortened or dropped to fit the budget, how many unanswerable questions `ask` answers "none" itself (no
 * model asked), and the time to build a context.
 * Run: `npm run bench -- ask-context` (add `--budget N` or `--limit N` to try other settings).
 */
import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base'
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base'
import { Catalog } from '../src/catalog/catalog.js'
import { buildSearchIndex } from '../src/catalog/search.js'
import { chatMessages } from '../src/llm/ask.js'
import { buildAskContext, DEFAULT_ASK_LIMIT, DEFAULT_CONTEXT_BUDGET } from '../src/llm/context.js'
import { projectFile } from '../src/lib/paths.js'

interface EvalCase {
  q: string
  answers: string[]
}

function quantile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

function option (argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`)
  const value = i === -1 ? undefined : Number(argv[i + 1])
  return value !== undefined && Number.isFinite(value) ? value : fallback
}

/** Figures for one evaluation set. */
export interface AskContextFigures {
  set: string
  questions: number
  /** Questions given to a model with a context. */
  withContext: number
  /** Questions answered "none" by ask itself (no model asked). */
  answeredNone: number
  unanswerable: number
  /** Unanswerable questions ask answered "none" itself, over all unanswerable ones. */
  unanswerableFlagged: number
  charsMedian: number
  charsMax: number
  tokensCl100kMedian: number
  tokensCl100kMax: number
  tokensO200kMedian: number
  tokensO200kMax: number
  promptTokensMax: number
  /** Answerable questions whose right endpoint is among the operations given, over all answerable ones. */
  rightEndpointGiven: number
  shortened: number
  dropped: number
  buildMsMedian: number
  buildMsP95: number
}

async function measure (catalog: Catalog, set: string, budget: number, limit: number): Promise<AskContextFigures> {
  const cases = JSON.parse(await readFile(projectFile(`test/fixtures/${set}`), 'utf8')) as EvalCase[]
  const chars: number[] = []
  const tokensCl: number[] = []
  const tokensO: number[] = []
  const prompt: number[] = []
  const ms: number[] = []
  let answerable = 0
  let covered = 0
  let unanswerable = 0
  let flagged = 0
  let none = 0
  let brief = 0
  let dropped = 0
  for (const c of cases) {
    const started = performance.now()
    const ctx = buildAskContext(catalog, c.q, { budget, limit })
    ms.push(performance.now() - started)
    if (c.answers.length === 0) unanswerable++
    else answerable++
    if (ctx.match === 'none') {
      none++
      if (c.answers.length === 0) flagged++
      continue
    }
    chars.push(ctx.text.length)
    tokensCl.push(cl100k(ctx.text))
    tokensO.push(o200k(ctx.text))
    prompt.push(chatMessages(c.q, ctx).reduce((n, m) => n + cl100k(m.content), 0))
    brief += ctx.brief.length
    dropped += ctx.dropped.length
    const given = new Set(ctx.operations.map((o) => `${o.method} ${o.path}`))
    if (c.answers.some((a) => given.has(a))) covered++
  }
  for (const list of [chars, tokensCl, tokensO, prompt, ms]) list.sort((a, b) => a - b)
  return {
    set,
    questions: cases.length,
    withContext: chars.length,
    answeredNone: none,
    unanswerable,
    unanswerableFlagged: unanswerable === 0 ? 0 : flagged / unanswerable,
    charsMedian: quantile(chars, 0.5),
    charsMax: chars.at(-1) ?? 0,
    tokensCl100kMedian: quantile(tokensCl, 0.5),
    tokensCl100kMax: tokensCl.at(-1) ?? 0,
    tokensO200kMedian: quantile(tokensO, 0.5),
    tokensO200kMax: tokensO.at(-1) ?? 0,
    promptTokensMax: prompt.at(-1) ?? 0,
    rightEndpointGiven: answerable === 0 ? 0 : covered / answerable,
    shortened: brief,
    dropped,
    buildMsMedian: quantile(ms, 0.5),
    buildMsP95: quantile(ms, 0.95)
  }
}

const SETS = ['search-eval.json', 'search-eval-operators.json']

/** Prints the figures of every evaluation set; answers them too, for a caller that wants to check them. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<AskContextFigures[]> {
  const budget = option(argv, 'budget', DEFAULT_CONTEXT_BUDGET)
  const limit = option(argv, 'limit', DEFAULT_ASK_LIMIT)
  const catalog = await Catalog.load()
  buildSearchIndex(catalog)
  const all: AskContextFigures[] = []
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  for (const set of SETS) {
    const f = await measure(catalog, set, budget, limit)
    all.push(f)
    process.stdout.write([
      `${set}: ${f.questions} questions (budget ${budget} characters, limit ${limit})`,
      `  context given for ${f.withContext}; answered "none" without a model for ${f.answeredNone}` +
        (f.unanswerable > 0 ? ` (unanswerable flagged: ${pct(f.unanswerableFlagged)} of ${f.unanswerable})` : ''),
      `  characters: median ${f.charsMedian}, max ${f.charsMax}`,
      `  tokens cl100k_base: median ${f.tokensCl100kMedian}, max ${f.tokensCl100kMax}; o200k_base: median ${f.tokensO200kMedian}, max ${f.tokensO200kMax}`,
      `  whole prompt (system + context + question), cl100k_base: max ${f.promptTokensMax} tokens`,
      `  right endpoint among those given: ${pct(f.rightEndpointGiven)} of ${f.questions - f.unanswerable} answerable questions`,
      `  operations shortened to fit: ${f.shortened}; dropped: ${f.dropped}`,
      `  build time per question: median ${f.buildMsMedian.toFixed(2)} ms, p95 ${f.buildMsP95.toFixed(2)} ms`,
      ''
    ].join('\n'))
  }
  return all
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
