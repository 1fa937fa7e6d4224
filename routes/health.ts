import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError, errorBody } from '../src/errors/app-error.js'
import type { ScaleMode } from '../src/gate/policy.js'
import { version } from '../src/lib/paths.js'
import type { HyperCoreClient } from '../src/scale/client.js'
import type { Fleet } from '../src/fleet/fleet.js'
import type { GateStore } from '../src/gate/store.js'
import type { ClusterInfo } from '../src/scale/cluster-info.js'
import type { UpdateStatus } from '../src/scale/update-status.js'
import { StringEnum } from '../src/schemas.js'

/** What /health reports about the cluster side, as the runtime describes it. */
export type HealthOptions = ClusterInfo

const CatalogSchema = Type.Object({
  source: StringEnum(['bundled', 'file', 'cluster'], { description: 'bundled: HyperCore 9.4 shipped with this server; file: SCALE_SCHEMA; cluster: the cluster\'s own spec merged with ours.' }),
  apiVersion: Type.Optional(Type.String({ description: 'The cluster\'s HyperCore version (GET /Cluster icosVersion), when it was asked.' })),
  specVersion: Type.String({ description: 'The document\'s info.version; not a HyperCore version.' }),
  operations: Type.Integer(),
  note: Type.Optional(Type.String({ description: 'Why this catalog, e.g. why SCALE_SCHEMA=auto fell back to the bundled one.' }))
})

const HealthSchema = Type.Object({
  status: StringEnum(['ok'], { description: 'Always ok while the server answers.' }),
  version: Type.String({ description: 'Our version.' }),
  mode: StringEnum(['simulator', 'cluster', 'none'], { description: 'simulator: the embedded fake cluster; cluster: a real one; none: no cluster.' }),
  cluster: Type.Union([Type.String(), Type.Null()], { description: 'Host of the cluster, without credentials.' }),
  node: Type.Optional(Type.String({ description: 'The node calls go to now: the configured one, or another after a failover.' })),
  nodes: Type.Optional(Type.Array(Type.String(), { description: 'Every node address known: the configured one, SCALE_NODES, and those learned from GET /Node.' })),
  safety: StringEnum(['read-only', 'confirm', 'full'], { description: 'SCALE_MODE: what reaches the cluster (read-only, confirm, full).' }),
  catalog: Type.Optional(CatalogSchema),
  fleet: Type.Optional(Type.Object({
    clusters: Type.Integer({ description: 'Clusters configured (SCALE_CLUSTERS_FILE, SIMULATOR_CLUSTERS).' }),
    connected: Type.Integer({ description: 'Of them, those with a connection open now (opened when first used).' })
  }, { description: 'Present with more than one cluster; counts only: this route is public, so names stay behind the token (list_clusters).' })),
  store: Type.Optional(Type.Object({
    shared: Type.Literal(true),
    reachable: Type.Boolean({ description: 'Whether the shared store answers now; while it does not, calls that need a confirmation or approval fail with STORE_UNAVAILABLE.' })
  }, { description: 'Present with STORE_URL (several replicas sharing confirm tokens, approvals and rate limits).' })),
  update: Type.Optional(Type.Object({
    state: StringEnum(['idle', 'updating', 'unknown'], { description: 'From the cluster\'s update status file as last read: updating while an update runs.' }),
    percent: Type.Optional(Type.Integer()),
    toVersion: Type.Optional(Type.String()),
    phase: Type.Optional(Type.String()),
    detail: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    checkedAt: Type.String()
  }, { description: 'Present once the update status was read (after a call hung or answered 502, or /health/ready found the cluster silent). Never read for /health itself.' }))
})

/** An update status as health answers show it (dates as ISO strings, no node). */
function updateView (status: UpdateStatus): Omit<UpdateStatus, 'checkedAt' | 'node'> & { checkedAt: string } {
  const { checkedAt, node: _node, ...rest } = status
  return { ...rest, checkedAt: checkedAt.toISOString() }
}

/**
 * Public health routes, served but not listed in the OpenAPI document: `GET /health` is liveness (the process
 * answers); `GET /health/ready` is readiness: 200 when the cluster answered recently (or answers a `/ping` now,
 * without logging in), 503 NOT_READY otherwise.
 *
 * `client` is the cluster connection the gate calls tools through (the same instance), read through its
 * `readiness` view. Readiness is not a tool call: load balancers and orchestrators probe it every few seconds
 * without a token, so it must stay public, unauthenticated and cheap, and must not be planned, audited,
 * rate-limited or counted as a tool. It never logs in; it reads what the connection already knows, at most one
 * unauthenticated `/ping` per period, and the public update status file. Going through the same connection means
 * it sees the same nodes, session and update mode the tools see.
 */
const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions & { safety: ScaleMode, client?: Pick<HyperCoreClient, 'readiness'>, fleet?: Pick<Fleet, 'size' | 'open'>, store?: Pick<GateStore, 'reachable'> }> = async function healthRoutes (app, opts) {
  const readiness = opts.client?.readiness

  app.get('/health', {
    schema: { hide: true, response: { 200: HealthSchema } }
  }, async function health () {
    // Liveness must never wait on the cluster: only what is already known about an update is shown.
    const update = readiness?.lastUpdateStatus()
    const nodes = readiness === undefined ? {} : { node: readiness.node, nodes: readiness.knownNodes() }
    return {
      status: 'ok' as const,
      version,
      mode: opts.mode,
      cluster: opts.cluster,
      ...nodes,
      safety: opts.safety,
      ...(opts.catalog === undefined ? {} : { catalog: opts.catalog }),
      ...(opts.fleet === undefined || opts.fleet.size < 2 ? {} : { fleet: { clusters: opts.fleet.size, connected: opts.fleet.open } }),
      ...(opts.store?.reachable === undefined ? {} : { store: { shared: true as const, reachable: opts.store.reachable } }),
      ...(update === undefined ? {} : { update: updateView(update) })
    }
  })

  app.get('/health/ready', { schema: { hide: true } }, async function ready (_request, reply) {
    if (readiness === undefined) {
      const err = new AppError('NOT_READY', 'No cluster is configured.')
      return await reply.code(err.statusCode).send(errorBody(err))
    }
    const state = await readiness.reachable()
    const cluster = {
      host: opts.cluster,
      node: readiness.node,
      ...(state.lastAnswerAt === undefined ? {} : { lastAnswerAt: state.lastAnswerAt.toISOString() }),
      ...(state.lastFailure === undefined ? {} : { lastFailure: { code: state.lastFailure.code, at: state.lastFailure.at.toISOString() } })
    }
    if (!state.ok) {
      // A silent cluster may be updating itself: its update status file says so without a login.
      const update = await readiness.updateStatus()
      const why = update.state === 'updating'
        ? `is applying an update${update.toVersion === undefined ? '' : ` to HyperCore ${update.toVersion}`}${update.percent === undefined ? '' : ` (${update.percent}% done)`}`
        : `is not answering${state.lastFailure === undefined ? '' : ` (last failure: ${state.lastFailure.code})`}`
      const err = new AppError('NOT_READY', `The cluster at ${opts.cluster ?? '?'} ${why}.`, { details: { ...cluster, update: updateView(update) } })
      return await reply.code(err.statusCode).send(errorBody(err))
    }
    return { status: 'ready', mode: opts.mode, cluster }
  })
}

export default healthRoutes
