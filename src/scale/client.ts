/** The HyperCore REST client; its implementation arrives with the live-calls issue. */
export interface HyperCoreClient {
  /** Host (and port) of the cluster, for display; never credentials. */
  readonly host: string
}
