import type { Logger } from 'pino'
import type { Config } from './config.js'
import { Catalog } from './catalog/catalog.js'
import { buildSearchIndex } from './catalog/search.js'
import type { AppDeps } from './app.js'
import { Metrics } from './metrics.js'
import { HyperCoreClient } from './scale/client.js'
import { clusterConfigFor, startSimulator } from './simulator/index.js'

/** The long-lived pieces the app is built around, and how to release them. */
export interface Runtime extends AppDeps {
  /** Lines for the start banner (e.g. the simulator's credentials). */
  banner: string[]
  close: () => Promise<void>
}

/** Loads the catalog and connects the cluster side: the configured cluster, or else the embedded simulator. */
export async function createRuntime (config: Config, log: Logger): Promise<Runtime> {
  const catalog = await Catalog.load(config.schemaFile)
  // Built now rather than on the first query_api call, which would otherwise pay ~100 ms.
  buildSearchIndex(catalog)
  const metrics = new Metrics()
  const observer = metrics.clusterObserver()

  if (config.cluster !== undefined) {
    const cluster = new HyperCoreClient(config.cluster, { log: log.child({ component: 'hypercore' }), observer })
    const tls = config.cluster.tlsFingerprint !== undefined
      ? 'certificate pinned by SHA-256 fingerprint'
      : config.cluster.caFile !== undefined ? `certificate checked against ${config.cluster.caFile}` : config.cluster.insecureTls ? 'certificate NOT verified' : 'certificate verified against the system CAs'
    return {
      catalog,
      cluster,
      metrics,
      clusterInfo: { mode: 'cluster', cluster: cluster.host },
      banner: [`HyperCore cluster: ${config.cluster.url}/rest/v1 as ${config.cluster.username} (${tls}).`],
      async close () { await cluster.close() }
    }
  }

  const simulator = await startSimulator({ catalog, vms: config.simulator.vms, logger: log.child({ component: 'simulator' }) })
  // The simulator's certificate is self-signed; pinning its fingerprint exercises the same TLS path as a real cluster.
  const { timeoutMs, maxConnections, bufferedBytes } = config.simulator
  const cluster = new HyperCoreClient(clusterConfigFor(simulator, { timeoutMs, maxConnections, bufferedBytes }), { log: log.child({ component: 'hypercore' }), observer })
  return {
    catalog,
    cluster,
    metrics,
    clusterInfo: { mode: 'simulator', cluster: cluster.host },
    banner: [
      'SIMULATED CLUSTER: no SCALE_HOST is set, so the tools talk to the embedded HyperCore simulator, not real hardware.',
      `  simulator: ${simulator.url}/rest/v1 (user "${simulator.username}", password "${simulator.password}", ${config.simulator.vms} VMs)`,
      '  Set SCALE_HOST, SCALE_USERNAME and SCALE_PASSWORD to use a real cluster.'
    ],
    async close () {
      await cluster.close()
      await simulator.close()
    }
  }
}
