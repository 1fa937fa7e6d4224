/**
 * What our tools cost a model in tokens, counted with o200k_base (gpt-tokenizer; the tokenizer of GPT-4o and later
 * OpenAI models, a stand-in for other models' tokenizers, which land within some tens of percent of it):
 * - the whole tool list as a host sends it to the model, per role: OpenAI-style function definitions (name,
 *   description, parameters) as compact JSON, in the default configuration (SCALE_MODE=confirm, no LLM) and with
 *   `ask` (an LLM configured), plus the MCP `tools/list` form (with output schemas and annotations);
 * - `run_api GET /VirDomain` answers on a simulated cluster of 12 and of 2,000 VMs: bytes as sent, tokens of the
 *   compact JSON and of the same JSON pretty-printed (as Open WebUI shows it to the model);
 * - `describe_endpoint` over every catalog operation: median and max, bytes and tokens.
 * It prints whether each target of issue 10 is met (tool list about 3,400 tokens at most, answers within
 * ANSWER_MAX_BYTES, describe median under 2 KB); nothing fails. Loopback only: an in-process simulator and
 * `app.inject`. Run: `npm run bench -- tokens`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base'
import { buildApp, type AppDeps } from '../src/app.js'
import { buildGate } from '../src/faces/gate.js'
import { Catalog } from '../src/catalog/catalog.js'
import { loadConfig, type Config } from '../src/config/config.js'
import { ROLES, type Role } from '../src/gate/identity.js'
import { HyperCoreClient } from '../src/scale/client.js'
import { clusterConfigFor, startSimulator } from '../src/simulator/index.js'

const TOKEN = 'bench-token-0123456789abcdef'
/** The tool-list size issue 10 aims at for the default set. */
const TOOL_LIST_TARGET = 3400
/** The answer size issue 10 sizes the default cap by (small models; Cloudflare caps tool results at 6,000 tokens). */
const ANSWER_TOKENS_TARGET = 6000
/** The median describe_endpoint answer issue 10 aims at. */
const DESCRIBE_MEDIAN_TARGET = 2048
const DESCRIBABLE = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

/** The size of one text. */
export interface Size {
  bytes: number
  tokens: number
}

/** Tool-list sizes of one role. */
export interface ToolListFigures {
  role: Role
  tools: number
  openai: Size
  openaiWithAsk: Size
  mcp: Size
}

/** One run_api answer. */
export interface AnswerFigures {
  vms: number
  status: number
  compact: Size
  prettyTokens: number
  truncated?: unknown
}

/** Everything the benchmark measured. */
export interface TokenFigures {
  toolLists: ToolListFigures[]
  answers: AnswerFigures[]
  answerMaxBytes: number | undefined
  describe: { operations: number, skipped: number, bytesMedian: number, bytesMax: number, tokensMedian: number, tokensMax: number, largest: string, failed: string[] }
}

function size (text: string): Size {
  return { bytes: Buffer.byteLength(text), tokens: countTokens(text) }
}

function median (sorted: number[]): number {
  if (sorted.length === 0) return 0
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] as number : Math.round(((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2)
}

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x))
const n = (x: number): string => x.toLocaleString('en')
const met = (ok: boolean): string => ok ? 'met' : 'NOT met'

/** The tool lists one configuration publishes to each role, as OpenAI function definitions and as MCP lists them. */
async function toolLists (config: Config, withAsk: Config, deps: AppDeps): Promise<ToolListFigures[]> {
  const gate = buildGate(config, deps, undefined)
  const askGate = buildGate(withAsk, deps, undefined)
  try {
    return ROLES.map((role) => {
      const openai = (g: typeof gate): string => JSON.stringify(g.published(role).map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: plain(t.input) } })))
      const published = gate.published(role)
      const mcp = JSON.stringify({ tools: published.map((t) => ({ name: t.name, title: t.summary, description: t.description, inputSchema: plain(t.input), outputSchema: plain(t.output), annotations: t.annotations })) })
      return { role, tools: published.length, openai: size(openai(gate)), openaiWithAsk: size(openai(askGate)), mcp: size(mcp) }
    })
  } finally {
    await gate.close()
    await askGate.close()
  }
}

async function runApiAnswer (config: Config, catalog: Catalog, vms: number): Promise<AnswerFigures> {
  const sim = await startSimulator({ vms, catalog })
  const cluster = new HyperCoreClient(clusterConfigFor(sim))
  let app: FastifyInstance | undefined
  try {
    app = await buildApp(config, { catalog, cluster, clusterInfo: { mode: 'simulator', cluster: cluster.host } }, { swaggerUi: false })
    const res = await app.inject({ method: 'POST', url: '/run_api', headers: { authorization: `Bearer ${TOKEN}` }, payload: { query: '/VirDomain' } })
    let pretty = res.body
    let truncated: unknown
    try {
      const parsed = JSON.parse(res.body) as { truncated?: unknown }
      pretty = JSON.stringify(parsed, null, 2)
      truncated = parsed.truncated
    } catch {}
    return { vms, status: res.statusCode, compact: size(res.body), prettyTokens: countTokens(pretty), ...(truncated === undefined ? {} : { truncated }) }
  } finally {
    await app?.close()
    await cluster.close()
    await sim.close()
  }
}

async function describeAll (config: Config, catalog: Catalog): Promise<TokenFigures['describe']> {
  const app = await buildApp(config, { catalog, clusterInfo: { mode: 'none', cluster: null } }, { swaggerUi: false })
  try {
    const bytes: number[] = []
    const tokens: number[] = []
    const failed: string[] = []
    let skipped = 0
    let largest = { bytes: 0, name: '' }
    for (const op of catalog.operations) {
      if (!DESCRIBABLE.has(op.method)) {
        skipped++
        continue
      }
      const res = await app.inject({ method: 'POST', url: '/describe_endpoint', headers: { authorization: `Bearer ${TOKEN}` }, payload: { method: op.method, path: op.path } })
      if (res.statusCode !== 200) failed.push(`${op.method} ${op.path}: ${res.statusCode}`)
      const s = size(res.body)
      bytes.push(s.bytes)
      tokens.push(s.tokens)
      if (s.bytes > largest.bytes) largest = { bytes: s.bytes, name: `${op.method} ${op.path}` }
    }
    bytes.sort((a, b) => a - b)
    tokens.sort((a, b) => a - b)
    return { operations: bytes.length, skipped, bytesMedian: median(bytes), bytesMax: bytes.at(-1) ?? 0, tokensMedian: median(tokens), tokensMax: tokens.at(-1) ?? 0, largest: largest.name, failed }
  } finally {
    await app.close()
  }
}

/** Measures and prints every figure; answers them too, for a caller that wants to check them. */
export async function main (_argv: string[] = process.argv.slice(2)): Promise<TokenFigures> {
  const scratch = mkdtempSync(join(tmpdir(), 'sah-bench-tokens-'))
  try {
    const env = { MCP_BEARER_TOKEN: TOKEN, LOG_LEVEL: 'silent', SCALE_AUDIT_FILE: join(scratch, 'audit.jsonl'), RATE_LIMIT_PER_MINUTE: '100000' }
    const config = loadConfig(env)
    // An LLM that is never called: configuring one is what publishes `ask`.
    const withAsk = loadConfig({ ...env, LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'bench-model' })
    const catalog = await Catalog.load()
    const deps: AppDeps = { catalog, clusterInfo: { mode: 'none', cluster: null } }
    // Read defensively: the variable is new (issue 10) and may be renamed.
    const answerMaxBytes = (config as Config & { answerMaxBytes?: number }).answerMaxBytes

    const lists = await toolLists(config, withAsk, deps)
    const out: string[] = ['Tokens are o200k_base (gpt-tokenizer); bytes are UTF-8.', '',
      `Tool list as a host sends it (SCALE_MODE=${config.safety.mode}; OpenAI function definitions, compact JSON):`,
      '  role        tools     bytes  tokens   tokens with ask   MCP tools/list tokens (with output schemas)']
    for (const l of lists) {
      out.push(`  ${l.role.padEnd(10)} ${String(l.tools).padStart(6)} ${n(l.openai.bytes).padStart(9)} ${n(l.openai.tokens).padStart(7)} ${n(l.openaiWithAsk.tokens).padStart(17)} ${n(l.mcp.tokens).padStart(23)}`)
    }
    const worst = Math.max(...lists.map((l) => l.openai.tokens))
    out.push(`  target: the default tool list at most ~${n(TOOL_LIST_TARGET)} tokens for every role: ${met(worst <= TOOL_LIST_TARGET)} (largest ${n(worst)})`, '')

    const answers: AnswerFigures[] = []
    out.push('run_api {"query": "/VirDomain"} (as an operator, default arguments):')
    for (const vms of [12, 2000]) {
      const a = await runApiAnswer(config, catalog, vms)
      answers.push(a)
      const cut = a.truncated === undefined ? 'not truncated' : `truncated ${JSON.stringify(a.truncated)}`
      out.push(`  ${String(vms).padStart(5)} VMs: HTTP ${a.status}, ${n(a.compact.bytes)} bytes, ${n(a.compact.tokens)} tokens compact, ${n(a.prettyTokens)} pretty-printed; ${cut}`)
    }
    if (answerMaxBytes === undefined) {
      out.push('  target: answers within ANSWER_MAX_BYTES: no such setting yet')
    } else {
      const largest = Math.max(...answers.map((a) => a.compact.bytes))
      out.push(`  target: answers within ANSWER_MAX_BYTES (${n(answerMaxBytes)} bytes): ${met(largest <= answerMaxBytes)} (largest ${n(largest)})`)
    }
    const most = Math.max(...answers.map((a) => a.compact.tokens))
    out.push(`  target: answers about ${n(ANSWER_TOKENS_TARGET)} tokens at most (compact): ${met(most <= ANSWER_TOKENS_TARGET)} (largest ${n(most)})`, '')

    const d = await describeAll(config, catalog)
    out.push(`describe_endpoint over every catalog operation (${d.operations}; ${d.skipped} with other methods left out):`,
      `  bytes:  median ${n(d.bytesMedian)}, max ${n(d.bytesMax)} (${d.largest})`,
      `  tokens: median ${n(d.tokensMedian)}, max ${n(d.tokensMax)}`,
      `  target: median under ${n(DESCRIBE_MEDIAN_TARGET)} bytes: ${met(d.bytesMedian < DESCRIBE_MEDIAN_TARGET)}`,
      ...(answerMaxBytes === undefined ? [] : [`  target: every answer within ANSWER_MAX_BYTES (${n(answerMaxBytes)} bytes): ${met(d.bytesMax <= answerMaxBytes)} (largest ${n(d.bytesMax)})`]))
    if (d.failed.length > 0) out.push(`  not answered with 200: ${d.failed.length} (${d.failed.slice(0, 5).join('; ')}${d.failed.length > 5 ? '; ...' : ''})`)
    process.stdout.write(out.join('\n') + '\n')
    return { toolLists: lists, answers, answerMaxBytes, describe: d }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
