/**
 * What the typed tools (issue 13) save a model, and what each toolset costs it:
 * - on a simulated cluster of 2,000 VMs, the size of the raw `GET /VirDomain` answer (as the cluster sends it) against
 *   `list_vms`' default answer (as our server sends it), bytes and o200k_base tokens; target: list_vms under 5% of raw;
 * - the tool list of each TOOLSETS value, per role, in tokens (OpenAI function definitions as compact JSON, the form
 *   bench/tokens.ts counts), in confirm mode (the default, where destructive tools carry a `confirm` argument);
 *   target: the default list about 3,400 tokens at most for an operator (what a bare MCP_BEARER_TOKEN is).
 * Nothing fails; it prints whether each target is met. Loopback only: an in-process simulator and `app.inject`.
 * Run: `npm run bench -- typed-tools`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base'
import { buildApp, type AppDeps } from '../src/app.js'
import { buildGate } from '../src/faces/gate.js'
import { Catalog } from '../src/catalog/catalog.js'
import { loadConfig } from '../src/config/config.js'
import { ROLES, type Role } from '../src/gate/identity.js'
import { HyperCoreClient } from '../src/scale/client.js'
import { clusterConfigFor, startSimulator } from '../src/simulator/index.js'
import { DEFAULT_TOOLSETS } from '../src/tools/support/toolsets.js'

const TOKEN = 'bench-token-0123456789abcdef'
const VMS = 2000
/** list_vms' default answer as a share of the raw list (issue 13). */
const LIST_SHARE_TARGET = 0.05
/** The default tool list's budget (issue 13, after what Kubernetes' leading MCP server spends on its core set). */
const TOOL_LIST_TARGET = 3400
const SETS = ['core', 'vm', 'cluster', 'core,vm', 'vm,cluster', 'all']

/** Sizes of one answer. */
export interface AnswerSize {
  bytes: number
  tokens: number
}

/** Everything this benchmark measured. */
export interface TypedToolFigures {
  raw: AnswerSize
  listVms: AnswerSize & { returned: number, total: number }
  share: number
  toolLists: Array<{ toolsets: string, perRole: Record<Role, { tools: number, tokens: number }> }>
  defaultToolsets: string
}

const n = (x: number): string => x.toLocaleString('en')
const met = (ok: boolean): string => ok ? 'met' : 'NOT met'
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x))

async function answers (catalog: Catalog, env: Record<string, string>): Promise<Pick<TypedToolFigures, 'raw' | 'listVms' | 'share'>> {
  const sim = await startSimulator({ vms: VMS, catalog })
  const cluster = new HyperCoreClient(clusterConfigFor(sim))
  const app = await buildApp(loadConfig(env), { catalog, cluster, clusterInfo: { mode: 'simulator', cluster: cluster.host } }, { swaggerUi: false })
  try {
    const raw = await cluster.call('GET', '/VirDomain')
    const rawText = JSON.stringify(raw.data)
    const res = await app.inject({ method: 'POST', url: '/list_vms', headers: { authorization: `Bearer ${TOKEN}` }, payload: {} })
    if (res.statusCode !== 200) throw new Error(`list_vms answered ${res.statusCode}: ${res.body}`)
    const body = res.json() as { returned: number, total: number }
    const listVms = { bytes: Buffer.byteLength(res.body), tokens: countTokens(res.body), returned: body.returned, total: body.total }
    return { raw: { bytes: raw.bytes, tokens: countTokens(rawText) }, listVms, share: listVms.bytes / raw.bytes }
  } finally {
    await app.close()
    await cluster.close()
    await sim.close()
  }
}

/** Measures and prints every figure; answers them too. */
export async function main (_argv: string[] = process.argv.slice(2)): Promise<TypedToolFigures> {
  const scratch = mkdtempSync(join(tmpdir(), 'sah-bench-typed-'))
  try {
    const env = { MCP_BEARER_TOKEN: TOKEN, LOG_LEVEL: 'silent', SCALE_AUDIT_FILE: join(scratch, 'audit.jsonl'), RATE_LIMIT_PER_MINUTE: '100000' }
    const catalog = await Catalog.load()
    const out: string[] = ['Tokens are o200k_base (gpt-tokenizer); bytes are UTF-8.', '']

    const a = await answers(catalog, env)
    out.push(`A simulated cluster of ${n(VMS)} VMs:`,
      `  raw GET /VirDomain (the cluster's answer):  ${n(a.raw.bytes).padStart(11)} bytes  ${n(a.raw.tokens).padStart(10)} tokens`,
      `  list_vms {} (our answer, ${a.listVms.returned} of ${n(a.listVms.total)} rows): ${n(a.listVms.bytes).padStart(10)} bytes  ${n(a.listVms.tokens).padStart(10)} tokens`,
      `  target: list_vms' default answer under ${LIST_SHARE_TARGET * 100}% of raw: ${met(a.share < LIST_SHARE_TARGET)} (${(a.share * 100).toFixed(2)}%)`, '')

    const deps: AppDeps = { catalog, clusterInfo: { mode: 'none', cluster: null } }
    const toolLists: TypedToolFigures['toolLists'] = []
    out.push('Tool list per TOOLSETS value (SCALE_MODE=confirm; OpenAI function definitions, compact JSON): tools/tokens per role',
      `  TOOLSETS     ${ROLES.map((r) => r.padStart(12)).join('')}`)
    for (const value of SETS) {
      const gate = buildGate(loadConfig({ ...env, TOOLSETS: value }), deps, undefined)
      try {
        const perRole = Object.fromEntries(ROLES.map((role) => {
          const published = gate.published(role)
          const text = JSON.stringify(published.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: plain(t.input) } })))
          return [role, { tools: published.length, tokens: countTokens(text) }]
        })) as Record<Role, { tools: number, tokens: number }>
        toolLists.push({ toolsets: value, perRole })
        out.push(`  ${value.padEnd(12)} ${ROLES.map((r) => `${perRole[r].tools}/${n(perRole[r].tokens)}`.padStart(12)).join('')}`)
      } finally {
        await gate.close()
      }
    }
    const defaultToolsets = DEFAULT_TOOLSETS.join(',')
    const defaultGate = buildGate(loadConfig(env), deps, undefined)
    const operator = countTokens(JSON.stringify(defaultGate.published('operator').map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: plain(t.input) } }))))
    const admin = countTokens(JSON.stringify(defaultGate.published('admin').map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: plain(t.input) } }))))
    await defaultGate.close()
    out.push(`  default (TOOLSETS unset = ${defaultToolsets}): operator ${n(operator)} tokens, admin ${n(admin)} (admins also get audit_log)`,
      `  target: the default list about ${n(TOOL_LIST_TARGET)} tokens at most for an operator: ${met(operator <= TOOL_LIST_TARGET)} (${n(operator)})`)
    process.stdout.write(out.join('\n') + '\n')
    return { ...a, toolLists, defaultToolsets }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
