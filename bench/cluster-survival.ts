/**
 * What real clusters do and how fast the client gets through it, with the server's default timings
 * (SCALE_TIMEOUT_MS 30 s; the update watch looks at the status file after 5 s of silence, reads in update mode get
 * 5 s, the status reading lasts 5 s): a read and a change during an update's apply phase, a node going down, and
 * loading the cluster's own spec at start. Simulated clusters on loopback, phases stepped by hand.
 * Run: `npx tsx bench/cluster-survival.ts`.
 */
import { pathToFileURL } from 'node:url'
import { pino } from 'pino'
import { Catalog } from '../src/catalog/catalog.js'
import { buildSearchIndex } from '../src/catalog/search.js'
import { isAppError } from '../src/errors/app-error.js'
import { HyperCoreClient } from '../src/scale/client.js'
import { loadCatalog } from '../src/scale/live-catalog.js'
import { clusterConfigFor, startSimulator } from '../src/simulator/index.js'

/** One measured step. */
export interface SurvivalFigure {
  step: string
  ms: number
  outcome: string
}

const HOURS = 3600_000
const TIMEOUT_MS = 30_000

async function timed (step: string, work: () => Promise<unknown>): Promise<SurvivalFigure> {
  const started = performance.now()
  let outcome: string
  try {
    const result = await work()
    outcome = typeof result === 'string' ? result : 'ok'
  } catch (err) {
    outcome = isAppError(err) ? err.code : String(err)
  }
  return { step, ms: Math.round(performance.now() - started), outcome }
}

/** Runs the three scenarios and prints one line per step; returns the figures. */
export async function main (): Promise<SurvivalFigure[]> {
  const figures: SurvivalFigure[] = []
  const silent = pino({ level: 'silent' })

  // An update: phases only move when stepped.
  const sim = await startSimulator({ taskDurationMs: 50, updatePhasesMs: { prepare: HOURS, apply: HOURS, rebootTls: HOURS, rebootDown: HOURS, starting: HOURS } })
  const client = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: TIMEOUT_MS }), { log: silent })
  try {
    const vm = ((await client.call('GET', '/VirDomain')).data as Array<{ uuid: string }>)[0]?.uuid ?? ''
    sim.startUpdate()
    sim.update.step()
    figures.push(await timed('update/apply: first read (hangs on the cluster)', async () => await client.call('GET', '/VirDomain')))
    figures.push(await timed('update/apply: a change', async () => await client.call('POST', '/VirDomain/action', { body: [{ virDomainUUID: vm, actionType: 'START' }] })))
    figures.push(await timed('update/apply: the next read', async () => await client.call('GET', '/Node')))
    figures.push(await timed('update/apply: 20 reads at once', async () => {
      const all = await Promise.allSettled(Array.from({ length: 20 }, async () => await client.call('GET', '/VirDomain')))
      return all.map((r) => r.status === 'rejected' && isAppError(r.reason) ? r.reason.code : 'ok').filter((c, i, a) => a.indexOf(c) === i).join(',')
    }))
    for (let i = 0; i < 4; i++) sim.update.step()
    await sim.whenStable()
    // Reads keep answering CLUSTER_UPDATING from the last reading until a read is let through to find the API back.
    figures.push(await timed('update done: until a read works (tried every 100 ms)', async () => {
      for (let tries = 1; ; tries++) {
        try {
          await client.call('GET', '/Cluster')
          return `after ${tries} tries`
        } catch (err) {
          if (!isAppError(err) || err.code !== 'CLUSTER_UPDATING') throw err
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
    }))
    figures.push(await timed('update done: a change', async () => await client.call('POST', '/VirDomain/action', { body: [{ virDomainUUID: vm, actionType: 'START' }] })))
  } finally {
    await client.close()
    await sim.close()
  }

  // A node going down.
  const nodes = await startSimulator({ taskDurationMs: 50, nodeAddresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3'] })
  const multi = new HyperCoreClient(clusterConfigFor(nodes, { timeoutMs: TIMEOUT_MS }), { log: silent, discoverNodes: true })
  try {
    await multi.call('GET', '/Cluster')
    await multi.discoverNodes()
    figures.push(await timed('3 nodes: a read on the configured node', async () => (await multi.call('GET', '/VirDomain')).node))
    await nodes.nodes.down('127.0.0.1')
    figures.push(await timed('3 nodes, the configured one down: first read', async () => (await multi.call('GET', '/VirDomain')).node))
    figures.push(await timed('3 nodes, the configured one down: next read', async () => (await multi.call('GET', '/VirDomain')).node))
  } finally {
    await multi.close()
    await nodes.close()
  }

  // The cluster's own spec at start, against the bundled catalog.
  const specSim = await startSimulator({ taskDurationMs: 50 })
  const specClient = new HyperCoreClient(clusterConfigFor(specSim, { timeoutMs: TIMEOUT_MS }), { log: silent })
  try {
    await Catalog.load()
    figures.push(await timed('catalog: bundled, with its search index', async () => {
      const catalog = (await Catalog.load()).withInfo({})
      buildSearchIndex(catalog)
      return `${catalog.operations.length} operations`
    }))
    figures.push(await timed('catalog: auto (GET /Cluster + openapi.json, merge, search index)', async () => {
      const catalog = await loadCatalog({ kind: 'auto' }, { client: specClient, log: silent })
      buildSearchIndex(catalog)
      return `${catalog.origin}, ${catalog.operations.length} operations, HyperCore ${catalog.apiVersion ?? '?'}`
    }))
  } finally {
    await specClient.close()
    await specSim.close()
  }

  const width = Math.max(...figures.map((f) => f.step.length))
  for (const f of figures) process.stdout.write(`${f.step.padEnd(width)}  ${String(f.ms).padStart(6)} ms  ${f.outcome}\n`)
  process.stdout.write(`(Without the update watch every read during an update would wait the whole ${TIMEOUT_MS / 1000} s deadline.)\n`)
  return figures
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
