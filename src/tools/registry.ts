import type { Static, TObject, TSchema } from '@sinclair/typebox'
import { AppError } from '../errors.js'
import type { Catalog } from '../catalog/catalog.js'
import type { Log } from '../logger.js'
import type { HyperCoreClient } from '../scale/client.js'

/** What a tool handler may use; it knows nothing of HTTP or MCP. */
export interface ToolContext {
  log: Log
  catalog: Catalog
  /** The live HyperCore client; absent when no cluster (real or simulated) is available. */
  cluster?: HyperCoreClient
}

// Method-style signatures are bivariant in their parameters, so tools with different inputs share one array type.
type Bivariant<A, R> = { bivarianceHack (input: A): R }['bivarianceHack']

/** A tool is data: published as `POST /<name>` over HTTP and, later, as an MCP tool. */
export interface ToolDefinition<I extends TObject = TObject, O extends TSchema = TSchema> {
  /** snake_case; the route path and the OpenAPI operationId. */
  name: string
  summary: string
  /** Written for an LLM: when to use it, what it returns, what to call before and after. */
  description: string
  tags: string[]
  /** TypeBox object; every property has a description and nothing is a `$ref`. */
  input: I
  output: O
  /** Whether a call can change the cluster; a function when it depends on the input (e.g. the HTTP method). */
  mutating: boolean | Bivariant<Static<I>, boolean>
  /** True when the tool needs a cluster to talk to. */
  requiresCluster: boolean
  handler (input: Static<I>, ctx: ToolContext): Promise<Static<O>>
}

/** Identity helper that keeps a tool's input and output types tied to its schemas. */
export function defineTool<I extends TObject, O extends TSchema> (def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def
}

/** The cluster client of a call, or the NO_CLUSTER error every transport answers when there is none. */
export function requireCluster (ctx: ToolContext): HyperCoreClient {
  if (ctx.cluster === undefined) {
    throw new AppError('NO_CLUSTER', 'No HyperCore cluster is configured: set SCALE_HOST, SCALE_USERNAME and SCALE_PASSWORD, or start without SCALE_HOST to use the embedded simulator.', 503)
  }
  return ctx.cluster
}
