/**
 * Large answers cost what they return (issue 20): on simulated clusters of 2,000 and 10,000 VMs, the p50 of the read
 * tools that keep a few records of a large cluster answer, against a direct keep-alive GET /VirDomain (undici Pool,
 * logged-in session cookie; the body read as text, and read and parsed) to the same simulator.
 * Cases run interleaved, one of each per round, so both sides see the same machine; ratios are inside one run.
 * Target: list_vms within 1.5x the direct GET's p50 at both sizes. Nothing fails; it prints whether the target is met.
 * Loopback only: an in-process HTTPS simulator (it shares the CPU with the server, as the issue measured) and `app.inject`.
 * Run: `npm run bench -- large-answers [--rounds=N] [--vms=2000,10000]`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Pool } from 'undici'
import { buildApp } from '../src/app.js'
import { Catalog } from '../src/catalog/catalog.js'
import { loadConfig } from '../src/config/config.js'
import { HyperCoreClient } from '../src/scale/client.js'
import { clusterConfigFor, startSimulator } from '../src/simulator/index.js'

const TOKEN = 'bench-token-0123456789abcdef'
/** list_vms' p50 as a multiple of the direct GET's (issue 20). */
const TARGET = 1.5

/** One measured case: its p50 and p90 in milliseconds. */
export interface CaseFigures { name: string, p50: number, p90: number }

/** The figures of one cluster size. */
export interface SizeFigures { vms: number, rawBytes: number, cases: CaseFigures[], ratio: number }

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0
}

async function measure (vms: number, rounds: number, catalog: Catalog, env: Record<string, string>): Promise<SizeFigures> {
  const sim = await startSimulator({ vms, catalog })
  const cluster = new HyperCoreClient(clusterConfigFor(sim))
  const app = await buildApp(loadConfig(env), { catalog, cluster, clusterInfo: { mode: 'simulator', cluster: cluster.host } }, { swaggerUi: false })
  const pool = new Pool(sim.url, { connections: 1, connect: { ca: sim.certificate?.pem, rejectUnauthorized: true } })
  try {
    const login = await pool.request({ method: 'POST', path: '/rest/v1/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: sim.username, password: sim.password }) })
    const { sessionID } = await login.body.json() as { sessionID: string }
    const direct = async (parse: boolean): Promise<number> => {
      const res = await pool.request({ method: 'GET', path: '/rest/v1/VirDomain', headers: { cookie: `sessionID=${sessionID}`, accept: 'application/json' } })
      const text = await res.body.text()
      if (parse) JSON.parse(text)
      return Buffer.byteLength(text)
    }
    const firstName = [...sim.state.vms.values()][Math.floor(vms / 2)]?.name ?? ''
    const tool = (name: string, body: Record<string, unknown>) => async (): Promise<number> => {
      const res = await app.inject({ method: 'POST', url: `/${name}`, headers: { authorization: `Bearer ${TOKEN}` }, payload: body })
      if (res.statusCode !== 200) throw new Error(`${name} answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
      return res.rawPayload.length
    }
    const cases: Array<[string, () => Promise<number>]> = [
      ['direct GET /VirDomain (text)', async () => await direct(false)],
      ['direct GET /VirDomain + JSON.parse', async () => await direct(true)],
      ['list_vms {}', tool('list_vms', {})],
      ['list_vms {name: "web"}', tool('list_vms', { name: 'web' })],
      ['run_api /VirDomain (10 records)', tool('run_api', { query: '/VirDomain' })],
      ['run_api /VirDomain fields (cut by bytes)', tool('run_api', { query: '/VirDomain', fields: ['uuid', 'name', 'state', 'tags'] })],
      ['get_vm by name', tool('get_vm', { vm: firstName })],
      ['list_snapshots {}', tool('list_snapshots', {})],
      ['cluster_health', tool('cluster_health', {})]
    ]
    const times = new Map<string, number[]>(cases.map(([name]) => [name, []]))
    let rawBytes = 0
    for (const [, run] of cases) rawBytes = Math.max(rawBytes, await run()) // warm-up; the largest body is the raw list
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no case always runs right after another one's garbage.
      for (let i = 0; i < cases.length; i++) {
        const [name, run] = cases[(i + round) % cases.length] as [string, () => Promise<number>]
        const started = performance.now()
        await run()
        times.get(name)?.push(performance.now() - started)
      }
    }
    const figures = cases.map(([name]) => ({ name, p50: quantile(times.get(name) ?? [], 0.5), p90: quantile(times.get(name) ?? [], 0.9) }))
    const p50 = (name: string): number => figures.find((f) => f.name === name)?.p50 ?? Number.NaN
    return { vms, rawBytes, cases: figures, ratio: p50('list_vms {}') / p50('direct GET /VirDomain (text)') }
  } finally {
    await pool.close()
    await app.close()
    await cluster.close()
    await sim.close()
  }
}

/** Measures and prints every figure; answers them too. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<SizeFigures[]> {
  const arg = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  const sizes = (arg('vms') ?? '2000,10000').split(',').map(Number).filter((x) => Number.isInteger(x) && x > 0)
  const scratch = mkdtempSync(join(tmpdir(), 'sah-bench-large-'))
  try {
    const env = { MCP_BEARER_TOKEN: TOKEN, LOG_LEVEL: 'silent', SCALE_AUDIT_FILE: join(scratch, 'audit.jsonl'), RATE_LIMIT_PER_MINUTE: '1000000' }
    const catalog = await Catalog.load()
    const all: SizeFigures[] = []
    for (const vms of sizes) {
      const rounds = Number(arg('rounds') ?? (vms > 5000 ? 8 : 20))
      const f = await measure(vms, rounds, catalog, env)
      all.push(f)
      const out = [`${vms.toLocaleString('en')} VMs (raw answer ${(f.rawBytes / 1e6).toFixed(1)} MB), ${rounds} interleaved rounds, c1:`,
        ...f.cases.map((c) => `  ${c.name.padEnd(42)} p50 ${c.p50.toFixed(1).padStart(8)} ms   p90 ${c.p90.toFixed(1).padStart(8)} ms`),
        `  target: list_vms within ${TARGET}x the direct GET's p50: ${f.ratio <= TARGET ? 'met' : 'NOT met'} (${f.ratio.toFixed(2)}x)`, '']
      process.stdout.write(out.join('\n') + '\n')
    }
    return all
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
