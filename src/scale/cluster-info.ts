import type { CatalogView } from './live-catalog.js'

/** What the runtime says about the cluster side, for /health: which kind of cluster, its host, and the catalog in use. */
export interface ClusterInfo {
  mode: 'simulator' | 'cluster' | 'none'
  /** Host (and port) of the cluster; never credentials. */
  cluster: string | null
  /** Where the API catalog came from, when the runtime says. */
  catalog?: CatalogView
}
