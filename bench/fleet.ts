/**
 * `npm run bench -- fleet [--clusters N] [--vms N]`: the fleet tools against a simulated fleet (default 200 clusters of
 * 20 VMs; some degraded, one in ten... see src/simulator/fleet.ts) and its simulated Fleet Manager, the simulator and
 * the server each in their own process on these cores. Prints how long fleet_health takes the first time (logging in
 * to every cluster) and the second (0 new logins wanted), whether every degraded cluster is named or counted, the
 * server's RSS, and list_clusters and find_vms through Fleet Manager (goal < 1 s) and without it.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'
import { ROOT, rssBytes, startProcess, stopProcess } from './lib.js'

const TOKEN = 'fleet-bench-token-0123456789abcdef'
const MB = 1024 * 1024

/** Runs the bench. */
export async function main (argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: false, options: { clusters: { type: 'string', default: '200' }, vms: { type: 'string', default: '20' } } })
  const clusters = Number(values.clusters)
  const vms = Number(values.vms)
  const dir = mkdtempSync(join(tmpdir(), 'sah-fleet-bench-'))
  const file = join(dir, 'clusters.yaml')
  const runner = ['--import', 'tsx', 'src/cli.ts']
  const t0 = performance.now()
  const sim = await startProcess(process.execPath, [...runner, 'simulate', '--clusters', String(clusters), '--vms', String(vms), '--fleet-manager', '--clusters-file', file], { cwd: ROOT, ready: /Fleet Manager API v2: (http:\/\/127\.0\.0\.1:\d+)\/api\/v2 \(header api-key: (\S+)\)/, timeoutMs: 600_000 })
  process.stdout.write(`simulated fleet of ${clusters} clusters x ${vms} VMs up in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
  const [, fmUrl = '', fmKey = ''] = sim.match
  const env = { ...process.env, SCALE_CLUSTERS_FILE: file, SIM_PASSWORD: 'admin', MCP_BEARER_TOKEN: TOKEN, PORT: '0', RATE_LIMIT_PER_MINUTE: '100000', XDG_STATE_HOME: dir, HOME: dir, SCALE_AUDIT_FILE: join(dir, 'audit.jsonl'), LOG_LEVEL: 'warn' }
  const servers: Array<Awaited<ReturnType<typeof startProcess>>> = []
  try {
    const server = await startProcess(process.execPath, ['dist/src/cli.js', 'start'], { cwd: ROOT, env, ready: /listening on (http:\/\/\S+)/, timeoutMs: 120_000 })
    servers.push(server)
    const withFm = await startProcess(process.execPath, ['dist/src/cli.js', 'start'], { cwd: ROOT, env: { ...env, FLEET_MANAGER_API_KEY: fmKey, FLEET_MANAGER_URL: fmUrl, SCALE_AUDIT_FILE: join(dir, 'audit-fm.jsonl') }, ready: /listening on (http:\/\/\S+)/, timeoutMs: 120_000 })
    servers.push(withFm)
    const pool = new Pool(server.match[1] ?? '', { connections: 4 })
    const fmPool = new Pool(withFm.match[1] ?? '', { connections: 4 })
    const call = async (p: Pool, tool: string, body: unknown): Promise<{ ms: number, json: any }> => {
      const start = performance.now()
      const res = await p.request({ method: 'POST', path: `/${tool}`, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body), headersTimeout: 120_000, bodyTimeout: 120_000 })
      const json = await res.body.json()
      return { ms: performance.now() - start, json }
    }
    const logins = async (p: Pool): Promise<number> => {
      const res = await p.request({ method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
      const text = await res.body.text()
      return Number(/sah_cluster_logins_total\{result="ok"\} (\d+)/.exec(text)?.[1] ?? 0)
    }
    let peak = 0
    const sampler = setInterval(() => { peak = Math.max(peak, rssBytes(server.child.pid ?? 0)) }, 100)
    const first = await call(pool, 'fleet_health', {})
    const before = await logins(pool)
    const second = await call(pool, 'fleet_health', {})
    const after = await logins(pool)
    clearInterval(sampler)
    const h = second.json
    const slow = Math.floor((clusters + 49) / 100)
    const expected = { unreachable: Math.floor((clusters + 1) / 10) + slow, updating: Math.floor((clusters + 3) / 10) }
    const lines = [
      `fleet_health over ${clusters} clusters, first call: ${(first.ms / 1000).toFixed(2)} s (logging in to each); second: ${(second.ms / 1000).toFixed(2)} s (goal < 10 s at 1,000)`,
      `  logins on the second call: ${after - before} (goal 0); total ${after}`,
      `  answer: ${h.summary}`,
      `  unread ${h.unreadCount} (expected ${expected.unreachable}: off the network, or ${slow} answering after 60 s), updating ${h.updating} (expected ${expected.updating}), with problems ${h.withProblems}, healthy ${h.healthy}: ${h.healthy + h.withProblems + h.unreadCount === clusters ? 'every cluster counted' : 'MISCOUNTED'}`,
      `  server RSS peak during fleet_health: ${(peak / MB).toFixed(0)} MB (goal < 500 MB)`
    ]
    for (const [label, p] of [['through Fleet Manager', fmPool], ['from each cluster', pool]] as const) {
      const list = await call(p, 'list_clusters', {})
      const find = await call(p, 'find_vms', { vm: 'web', running: true })
      lines.push(`list_clusters ${label}: ${list.ms.toFixed(0)} ms (${String(list.json.total)} clusters, source ${String(list.json.source)}); find_vms: ${find.ms.toFixed(0)} ms (${String(find.json.total)} VMs)${label === 'through Fleet Manager' ? ' (goal < 1 s)' : ''}`)
    }
    process.stdout.write(lines.join('\n') + '\n')
    await pool.close()
    await fmPool.close()
  } finally {
    for (const s of servers) await stopProcess(s.child)
    await stopProcess(sim.child)
  }
}
