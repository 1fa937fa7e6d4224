import type { Catalog } from '../catalog/catalog.js'
import type { Config } from '../config/config.js'
import { AuditLog } from '../gate/audit.js'
import { ConfirmTokens } from '../gate/confirm-token.js'
import { Gate } from '../gate/gate.js'
import { Policy } from '../gate/policy.js'
import { MemoryGateStore, type GateStore } from '../gate/store.js'
import type { ToolDefinition } from '../gate/tool.js'
import type { Log } from '../observe/logger.js'
import type { Metrics } from '../observe/metrics.js'
import type { HyperCoreClient } from '../scale/client.js'
import type { Fleet } from '../fleet/fleet.js'
import type { ClusterCatalogs } from '../fleet/cluster-catalogs.js'
import { askTools } from '../tools/ask.js'
import { tools as defaultTools, publishedBy } from '../tools/registry.js'

/** What the gate is built around: the catalog and the cluster client, and what tests or a face may put in place. */
export interface GateDeps {
  catalog: Catalog
  /** The clusters; without one, `cluster` is a fleet of one. */
  fleet?: Fleet
  /** Each cluster's own catalogue (a fleet with SCALE_SCHEMA=auto). */
  catalogs?: ClusterCatalogs
  cluster?: HyperCoreClient
  /** The tools to publish; the full registry unless a test narrows it. */
  tools?: readonly ToolDefinition[]
  /** Shared gate state; in memory unless given (a shared store serves several replicas). */
  store?: GateStore
  /** The audit log; opened from SCALE_AUDIT_FILE unless given (the stdio face writes `-` to stderr). */
  audit?: AuditLog
  /** The clock of confirm tokens, approvals and rate limits (tests move it by hand). */
  now?: () => number
  /** The server's metrics (the runtime shares its set with the cluster client). */
  metrics?: Metrics
  /** Fail a call whose answer does not match its tool's output schema, instead of logging it (tests). */
  strictOutput?: boolean
}

const SILENT: Log = { debug () {}, info () {}, warn () {}, error () {} }

/**
 * Builds the gate every face calls tools through (HTTP, MCP over HTTP, MCP over stdio), from the configuration and
 * the runtime's pieces. Framework-free: the stdio face builds it without loading Fastify.
 */
export function buildGate (config: Config, deps: GateDeps, log?: Log): Gate {
  const now = deps.now ?? Date.now
  const { catalog } = deps
  const operationIds = new Set(catalog.operations.map((op) => op.operationId.toLowerCase()))
  config.safety.rules.checkOperations?.((id) => operationIds.has(id.toLowerCase()))
  if (config.safety.allowSelfApproval) log?.warn({}, 'APPROVAL_ALLOW_SELF=true: whoever asks for a destructive call may also approve it (no second person)')
  return new Gate({
    tools: deps.tools ?? [...defaultTools, ...askTools(config.llm)],
    catalog,
    ...(deps.fleet === undefined ? { cluster: deps.cluster } : { fleet: deps.fleet }),
    ...(deps.catalogs === undefined ? {} : { catalogs: deps.catalogs }),
    ...(config.fleet.defaultCluster === undefined ? {} : { defaultCluster: config.fleet.defaultCluster }),
    policy: new Policy(config.safety.mode, config.safety.confirmVia, config.safety.rules, (method, path) => catalog.find(method, path)?.operation.operationId),
    tokens: new ConfirmTokens(config.safety.confirmKey, config.safety.confirmTtlMs, now),
    store: deps.store ?? new MemoryGateStore(now),
    audit: deps.audit ?? AuditLog.open(config.safety.auditFile, log ?? SILENT),
    publicUrl: config.publicUrl,
    secrets: [...config.tokens, ...(config.fleet.manager === undefined ? [] : [config.fleet.manager.apiKey]), ...(config.store?.password === undefined ? [] : [config.store.password]), ...(config.oauth?.approvalClient?.secret === undefined ? [] : [config.oauth.approvalClient.secret])],
    answerMaxBytes: config.answerMaxBytes,
    metrics: deps.metrics,
    now,
    publishes: publishedBy(config.toolsets),
    allowSelfApproval: config.safety.allowSelfApproval,
    strictOutput: deps.strictOutput
  })
}
