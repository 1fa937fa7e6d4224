import type { Static, TObject, TSchema } from '@sinclair/typebox'
import type { Catalog } from '../catalog/catalog.js'
import { AppError } from '../errors/app-error.js'
import type { Log } from '../observe/logger.js'
import type { AuditEntry, AuditQuery } from './audit.js'
import type { ClusterAccess } from './cluster-access.js'
import type { FleetMember } from '../fleet/fleet.js'
import type { FleetManagerCluster, FleetManagerVm } from '../fleet/fleet-manager.js'
import type { Plan } from './plan.js'
import type { Caller, Role } from './identity.js'
import type { ScaleMode } from './policy.js'

/** Hints hosts show about a tool (the MCP tool annotations); published in OpenAPI as `x-tool-annotations`. */
export interface ToolAnnotations {
  /** Never changes anything. */
  readOnlyHint: boolean
  /** May delete or interrupt something (only meaningful when not read-only). */
  destructiveHint: boolean
  /** Calling it twice with the same input does no more than once. */
  idempotentHint: boolean
  /** Talks to something outside this server (the cluster, an LLM). */
  openWorldHint: boolean
}

/** Who is looking at the tool list: published schemas and descriptions can depend on it. */
export interface ToolView {
  mode: ScaleMode
  role: Role
}

/** What planning may use: the catalog and, for lookups, reads of the cluster (checked by the policy like any read). */
export interface PlanContext {
  catalog: Catalog
  caller: Caller
  log: Log
  /** Reads only; absent when no cluster is available. */
  cluster?: ClusterAccess
  signal?: AbortSignal
}

/** How far a long call has come, for hosts that show progress. */
export interface Progress {
  progress: number
  total?: number
  message?: string
}

/** The caller's clusters, for tools that read across the fleet (list_clusters, fleet_health). */
export interface FleetAccess {
  /** The clusters in the caller's scope, in configured order. */
  clusters: () => FleetMember[]
  /** Reads on one of them, checked by the policy like any read; call `release` when done. Throws NO_CREDENTIALS. */
  reads: (member: FleetMember, signal?: AbortSignal) => { cluster: ClusterAccess, release: () => void }
  /** SC//Fleet Manager's inventory, when configured, limited to the caller's clusters (one paged read, no cluster touched). */
  inventory?: {
    clusters: (signal?: AbortSignal) => Promise<Array<{ member: FleetMember, cluster: FleetManagerCluster }>>
    /** VMs matching Fleet Manager's free-text query on the caller's clusters, of the first `limit` it lists. */
    vms: (query: string, limit: number, signal?: AbortSignal) => Promise<Array<{ member: FleetMember, vm: FleetManagerVm }>>
  }
}

/** What a tool handler may use; it knows nothing of HTTP or MCP. */
export interface ToolContext<P = unknown> {
  log: Log
  catalog: Catalog
  caller: Caller
  /** The cluster, limited to the approved plan; absent when no cluster (real or simulated) is available. */
  cluster?: ClusterAccess
  plan: Plan<P>
  /** Aborted when the caller goes away or the server shuts down. */
  signal?: AbortSignal
  /** Reports progress of a long wait (MCP progress notifications). */
  progress?: (p: Progress) => void
  /** The size an answer should stay within, as compact JSON with its envelope (ANSWER_MAX_BYTES). */
  answerMaxBytes: number
  /** The caller's clusters, when the server has a fleet (one cluster counts). */
  fleet?: FleetAccess
  /** Reads the audit log back (for audit_log; the role check is the tool's `roles`). */
  audit?: { read: (query: AuditQuery) => Promise<AuditEntry[]> }
}

/** A tool is data: published as `POST /<name>` over HTTP and as an MCP tool, and always run through the gate. */
export interface ToolDefinition<I extends TObject = TObject, O extends TSchema = TSchema, P = unknown> {
  /** snake_case; the route path, the OpenAPI operationId and the MCP tool name. */
  name: string
  summary: string
  /** Written for an LLM: when to use it, what it returns, what to call before and after. At most 1,024 characters. */
  description: string
  tags: string[]
  /** What the gate accepts (validated against, after normalising); every property has a description, no `$ref`. */
  input: I
  /**
   * What hosts are shown, when it differs from `input`: the subset every host and model accepts (every node typed,
   * one `enum` per enum, no free-form maps). `input` may accept more (e.g. a payload as an object or as JSON text).
   */
  hostInput?: TObject
  /** A realistic call, shown as the example in the OpenAPI document (Swagger's "Try it out" runs it untouched). */
  example?: Record<string, unknown>
  output: O
  annotations: ToolAnnotations
  /** True when the tool needs a cluster to talk to. */
  requiresCluster: boolean
  /** Reads across clusters: published only when the server has more than one. */
  fleetOnly?: boolean
  /** Roles that may see and call the tool; every role when absent. */
  roles?: readonly Role[]
  /** The cluster calls the tool is about to make; a tool that plans nothing may only read. */
  plan? (input: Static<I>, ctx: PlanContext): Promise<Plan<P>>
  handler (input: Static<I>, ctx: ToolContext<P>): Promise<Static<O>>
  /** What to publish for a view, when it differs (e.g. run_api offers only GET to a reader). */
  view?: (view: ToolView) => { input?: TObject, description?: string } | undefined
}

/** Identity helper that keeps a tool's input and output types tied to its schemas. */
export function defineTool<I extends TObject, O extends TSchema, P = undefined> (def: ToolDefinition<I, O, P>): ToolDefinition<I, O, P> {
  return def
}

/** The cluster of a call, or the NO_CLUSTER error every face answers when there is none. */
/** The caller's clusters, or NO_CLUSTER when the server has none. */
export function requireFleet (ctx: { fleet?: FleetAccess }): FleetAccess {
  if (ctx.fleet === undefined) throw new AppError('NO_CLUSTER', 'No HyperCore cluster is configured: set SCALE_CLUSTERS_FILE or SCALE_HOST, or start without them to use the embedded simulator.')
  return ctx.fleet
}

/** The cluster of the call, or NO_CLUSTER when there is none. */
export function requireCluster (ctx: { cluster?: ClusterAccess }): ClusterAccess {
  if (ctx.cluster === undefined) {
    throw new AppError('NO_CLUSTER', 'No HyperCore cluster is configured: set SCALE_HOST, SCALE_USERNAME and SCALE_PASSWORD, or start without SCALE_HOST to use the embedded simulator.')
  }
  return ctx.cluster
}

/** Whether a role may see and call a tool. */
export function toolVisibleTo (tool: Pick<ToolDefinition, 'roles'>, role: Role): boolean {
  return tool.roles === undefined || tool.roles.includes(role)
}
