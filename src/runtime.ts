import type { Logger } from 'pino'
import type { Config, StoreConfig } from './config/config.js'
import type { GateStore } from './gate/store.js'
import type { ClusterConfig } from './scale/cluster-config.js'
import { Catalog } from './catalog/catalog.js'
import { Metrics } from './observe/metrics.js'
import { HyperCoreClient } from './scale/client.js'
import { Fleet } from './fleet/fleet.js'
import { ClusterCatalogs } from './fleet/cluster-catalogs.js'
import { FleetManagerClient } from './fleet/fleet-manager.js'
import { discoveredEntries } from './fleet/discovery.js'
import type { FleetClusterConfig } from './config/clusters-file.js'
import type { ClusterInfo } from './scale/cluster-info.js'
import { catalogView, LIVE_SPEC_WAIT_MS, loadCatalog } from './scale/live-catalog.js'

/** The long-lived pieces every face is built around (the catalog, the cluster connection, metrics), and how to release them. */
export interface Runtime {
  catalog: Catalog
  /** The clusters tools call, each with its own connection. */
  fleet: Fleet
  /** Each cluster's own catalogue (several clusters with SCALE_SCHEMA=auto); `catalog` serves every call when absent. */
  catalogs?: ClusterCatalogs
  /** The first cluster's connection: its spec is the catalogue, and /health reads its readiness view. */
  cluster?: HyperCoreClient
  metrics?: Metrics
  /** How /health describes the cluster side. */
  clusterInfo: ClusterInfo
  /** The shared store of several replicas (STORE_URL); the gate keeps its state in memory when absent. */
  store?: GateStore
  /** Lines for the start banner (e.g. the simulator's credentials). */
  banner: string[]
  close: () => Promise<void>
}

/**
 * Connects the cluster side (the configured cluster, or else the embedded simulator) and loads the catalog. With
 * SCALE_SCHEMA=auto the cluster's own spec is asked for before the server starts, for at most the smaller of
 * SCALE_TIMEOUT_MS and 10 s; past that, or on any failure, the bundled catalog is used and the reason logged.
 */
export async function createRuntime (config: Config, log: Logger): Promise<Runtime> {
  const runtime = await buildRuntime(config, log)
  if (config.store !== undefined) {
    try {
      await withSharedStore(runtime, config.store, log)
    } catch (err) {
      await runtime.close()
      throw err
    }
  }
  const { fleet } = runtime
  runtime.metrics?.watchFleet(() => ({ configured: fleet.size, connected: fleet.open, withoutCredentials: fleet.members().filter((m) => !m.credentials).length }))
  return runtime
}

async function buildRuntime (config: Config, log: Logger): Promise<Runtime> {
  const metrics = new Metrics()
  const observer = metrics.clusterObserver()
  const clientLog = log.child({ component: 'hypercore' })
  const catalogLog = log.child({ component: 'catalog' })

  if (config.clusters !== undefined) return await fleetRuntime(config, config.clusters, log, metrics)

  if (config.cluster !== undefined) {
    const cluster = new HyperCoreClient(config.cluster, { log: clientLog, observer, discoverNodes: true })
    let catalog: Catalog
    try {
      catalog = await loadCatalog(config.schema, { client: cluster, log: catalogLog, waitMs: Math.min(config.cluster.timeoutMs, LIVE_SPEC_WAIT_MS) })
    } catch (err) {
      await cluster.close()
      throw err
    }
    const tls = transportLine(config.cluster)
    const nodes = [`  ${cluster.failover.summary}`]
    return {
      catalog,
      fleet: new Fleet([{ name: cluster.name, client: cluster }]),
      cluster,
      metrics,
      clusterInfo: { mode: 'cluster', cluster: cluster.host, catalog: catalogView(catalog) },
      banner: [`HyperCore cluster: ${config.cluster.url}/rest/v1 as ${config.cluster.username} (${tls}).`, ...nodes, catalogLine(catalog)],
      async close () { await cluster.close() }
    }
  }

  // Loaded here, not above: the simulator is a Fastify server, which a configured cluster (and so the stdio face) does without.
  const { clusterConfigFor, startSimulator } = await import('./simulator/index.js')
  // The simulator routes and validates with the bundled catalog (or the SCALE_SCHEMA file) and serves it as its spec.
  const simulatorCatalog = await Catalog.load(config.schema.kind === 'file' ? config.schema.file : undefined)
  const { timeoutMs, maxConnections, bufferedBytes } = config.simulator
  const count = config.simulator.clusters
  const simLog = log.child({ component: 'simulator' })
  // One simulator, or (SIMULATOR_CLUSTERS > 1) a simulated fleet with a simulated Fleet Manager over it.
  const simulated = count === 1
    ? { clusters: [{ name: undefined, tags: [] as string[], sim: await startSimulator({ catalog: simulatorCatalog, vms: config.simulator.vms, logger: simLog }), degraded: '' }], fleetManager: undefined, close: undefined }
    : await (await import('./simulator/fleet.js')).startSimulatedFleet({ count, vms: config.simulator.vms, catalog: simulatorCatalog, logger: simLog })
  const closeSimulators = async (): Promise<void> => {
    if (simulated.close !== undefined) await simulated.close()
    else await Promise.all(simulated.clusters.map(async (c) => { await c.sim.close() }))
  }
  // The simulator's certificate is self-signed; pinning its fingerprint exercises the same TLS path as a real cluster.
  const clients = simulated.clusters.map((c) => new HyperCoreClient(clusterConfigFor(c.sim, { timeoutMs, maxConnections, bufferedBytes, ...(c.name === undefined ? {} : { name: c.name }) }), { log: c.name === undefined ? clientLog : clientLog.child({ cluster: c.name }), observer }))
  const cluster = clients[0] as HyperCoreClient
  const simulator = (simulated.clusters[0] as { sim: Awaited<ReturnType<typeof startSimulator>> }).sim
  let catalog: Catalog
  try {
    catalog = config.schema.kind === 'file'
      ? simulatorCatalog
      : await loadCatalog(config.schema, { client: cluster, log: catalogLog, waitMs: Math.min(timeoutMs, LIVE_SPEC_WAIT_MS) })
  } catch (err) {
    await Promise.all(clients.map(async (c) => { await c.close() }))
    await closeSimulators()
    throw err
  }
  const fleetManager = simulated.fleetManager
  const fleet = new Fleet(clients.map((client, i) => ({ name: client.name, tags: simulated.clusters[i]?.tags ?? [], client })), {
    ...(config.fleet.defaultCluster === undefined ? {} : { defaultCluster: config.fleet.defaultCluster }),
    ...(fleetManager === undefined ? {} : { manager: new FleetManagerClient({ url: fleetManager.url, apiKey: fleetManager.apiKey, refreshMs: 0, timeoutMs }) })
  })
  const degraded = simulated.clusters.filter((c) => c.degraded !== '').map((c) => `${c.name ?? ''} (${c.degraded})`)
  const catalogs = count > 1 ? perClusterCatalogs(config, catalog, cluster.name, catalogLog, Math.min(timeoutMs, LIVE_SPEC_WAIT_MS)) : undefined
  return {
    catalog,
    fleet,
    ...(catalogs === undefined ? {} : { catalogs }),
    cluster,
    metrics,
    clusterInfo: { mode: 'simulator', cluster: cluster.host, catalog: catalogView(catalog) },
    banner: [
      count === 1
        ? 'SIMULATED CLUSTER: no SCALE_HOST is set, so the tools talk to the embedded HyperCore simulator, not real hardware.'
        : `SIMULATED FLEET: no SCALE_HOST is set, so the tools talk to ${count} embedded HyperCore simulators (${clients.map((c) => c.name).slice(0, 5).join(', ')}${count > 5 ? ', ...' : ''}), not real hardware.`,
      `  simulator: ${simulator.url}/rest/v1${count > 1 ? ` and ${count - 1} more` : ''} (user "${simulator.username}", password "${simulator.password}", ${config.simulator.vms} VMs${count > 1 ? ' each' : ''})`,
      ...(fleetManager === undefined ? [] : [`  simulated Fleet Manager: ${fleetManager.url}/api/v2 (api-key "${fleetManager.apiKey}")`]),
      ...(degraded.length === 0 ? [] : [`  degraded on purpose, for fleet_health to find: ${degraded.join(', ')}`]),
      '  Set SCALE_HOST, SCALE_USERNAME and SCALE_PASSWORD to use a real cluster.',
      catalogLine(catalog)
    ],
    async close () {
      await Promise.all(clients.map(async (c) => { await c.close() }))
      await closeSimulators()
    }
  }
}

// A fleet of SCALE_CLUSTERS_FILE and/or SC//Fleet Manager: connections open when first used; Fleet Manager's list is
// read at start (a failure leaves the configured clusters) and again every FLEET_MANAGER_REFRESH_SECONDS.
async function fleetRuntime (config: Config, clusters: FleetClusterConfig[], log: Logger, metrics: Metrics): Promise<Runtime> {
  const clientLog = log.child({ component: 'hypercore' })
  const catalogLog = log.child({ component: 'catalog' })
  const fleetLog = log.child({ component: 'fleet' })
  const managerConfig = config.fleet.manager
  const manager = managerConfig === undefined ? undefined : new FleetManagerClient(managerConfig)
  const fleet = new Fleet(clusters.map((c) => ({ name: c.name, tags: c.tags, ...(c.site === undefined ? {} : { site: c.site }), connection: c.connection })), {
    log: clientLog,
    clientLog: (name) => clientLog.child({ cluster: name }),
    client: { observer: metrics.clusterObserver() },
    maxOpen: config.fleet.maxOpen,
    ...(config.fleet.defaultCluster === undefined ? {} : { defaultCluster: config.fleet.defaultCluster }),
    ...(manager === undefined ? {} : { manager })
  })
  let timer: NodeJS.Timeout | undefined
  if (manager !== undefined && managerConfig !== undefined) {
    const refresh = async (): Promise<void> => {
      try {
        const found = await manager.clusters()
        const change = fleet.sync(discoveredEntries(found, config.credentials ?? []))
        const without = fleet.members().filter((m) => !m.credentials).length
        fleetLog.info({ listed: found.length, ...change, withoutCredentials: without }, 'read the cluster list of Fleet Manager')
      } catch (err) {
        fleetLog.warn({ code: (err as { code?: string }).code, message: (err as Error).message }, 'Fleet Manager could not be read; the clusters already known stay')
      }
    }
    await refresh()
    timer = setInterval(() => { refresh().catch(() => {}) }, managerConfig.refreshMs)
    timer.unref()
  }
  const stop = async (): Promise<void> => {
    clearInterval(timer)
    await fleet.close()
  }
  // The catalogue comes from one cluster (DEFAULT_CLUSTER, else the first with credentials): one login at start.
  const wanted = config.fleet.defaultCluster?.toLowerCase()
  const first = fleet.members().find((m) => m.credentials && (wanted === undefined || m.name.toLowerCase() === wanted)) ?? fleet.members().find((m) => m.credentials)
  let catalog: Catalog
  let client: HyperCoreClient | undefined
  try {
    if (first === undefined) {
      catalog = await loadCatalog({ kind: 'bundled' }, { log: catalogLog, waitMs: 0 })
    } else {
      const lease = fleet.lease(first)
      client = lease.client
      try {
        catalog = await loadCatalog(config.schema, { client: lease.client, log: catalogLog, waitMs: Math.min(clusters.find((c) => c.name === first.name)?.connection.timeoutMs ?? LIVE_SPEC_WAIT_MS, LIVE_SPEC_WAIT_MS) })
      } finally {
        lease.release()
      }
    }
  } catch (err) {
    await stop()
    throw err
  }
  const from = [clusters.length > 0 ? 'SCALE_CLUSTERS_FILE' : '', manager === undefined ? '' : 'Fleet Manager'].filter(Boolean).join(' and ')
  const catalogs = perClusterCatalogs(config, catalog, first?.name, catalogLog, LIVE_SPEC_WAIT_MS)
  return {
    catalog,
    fleet,
    ...(catalogs === undefined ? {} : { catalogs }),
    ...(client === undefined ? {} : { cluster: client }),
    metrics,
    clusterInfo: { mode: 'cluster', cluster: client?.host ?? null, catalog: catalogView(catalog) },
    banner: [`HyperCore fleet: ${fleet.size} cluster${fleet.size === 1 ? '' : 's'} from ${from} (connections opened when first used, at most ${config.fleet.maxOpen} at once).`, catalogLine(catalog)],
    close: stop
  }
}

// Several replicas share confirm tokens, approvals and rate-limit counters in Valkey/Redis. A store that is not
// reachable at start does not stop it: confirmations fail closed until the store answers, and reads go on.
async function withSharedStore (runtime: Runtime, store: StoreConfig, log: Logger): Promise<void> {
  const { RedisGateStore } = await import('./gate/redis-store.js')
  const shared = new RedisGateStore({ url: store.url, prefix: store.prefix, commandTimeoutMs: store.timeoutMs, log: log.child({ component: 'store' }) })
  runtime.store = shared
  const where = new URL(store.url)
  const named = `${where.protocol}//${where.host}${where.pathname === '/' ? '' : where.pathname} (keys ${store.prefix}*)`
  if (await shared.ready(Math.max(store.timeoutMs, 2000))) runtime.banner.push(`Shared store: ${named}; confirm tokens, approvals and rate limits are shared with the other replicas.`)
  else runtime.banner.push(`Shared store: ${named} does not answer yet; confirmations and approvals fail (STORE_UNAVAILABLE) until it does.`)
  const close = runtime.close
  runtime.close = async () => {
    await close()
    await shared.close()
  }
}

// With SCALE_SCHEMA=auto, each cluster of a fleet is called with its own spec and version, read when first called;
// the catalogue read at start is its cluster's. A bundled or file catalogue is the same for every cluster.
function perClusterCatalogs (config: Config, startCatalog: Catalog, startCluster: string | undefined, log: Logger, waitMs: number): ClusterCatalogs | undefined {
  if (config.schema.kind !== 'auto') return undefined
  const catalogs = new ClusterCatalogs({ log, waitMs })
  if (startCluster !== undefined) catalogs.seed(startCluster, startCatalog)
  return catalogs
}

// How the connection to the cluster is protected. An http:// cluster has no certificate to check, whatever the TLS
// settings say, so the line says what plain HTTP means instead.
function transportLine (cluster: ClusterConfig): string {
  if (new URL(cluster.url).protocol === 'http:') return 'plain HTTP: not encrypted, the password and session cross the network in clear'
  if (cluster.tlsFingerprint !== undefined) return `certificate pinned by SHA-256 fingerprint${cluster.tlsFingerprint.includes(',') ? ` (${cluster.tlsFingerprint.split(',').length} pins)` : ''}`
  if (cluster.caFile !== undefined) return `certificate checked against ${cluster.caFile}`
  return cluster.insecureTls ? 'certificate NOT verified' : 'certificate verified against the system CAs'
}

function catalogLine (catalog: Catalog): string {
  const version = catalog.apiVersion === undefined ? '' : ` (HyperCore ${catalog.apiVersion})`
  if (catalog.origin === 'cluster') return `API catalog: the cluster's own spec${version}, merged with the bundled descriptions: ${catalog.operations.length} operations.`
  if (catalog.origin === 'file') return `API catalog: ${catalog.source} (${catalog.operations.length} operations).`
  return `API catalog: the bundled HyperCore 9.4 one${version} (${catalog.operations.length} operations)${catalog.note === undefined ? '' : `. ${catalog.note}`}`
}
