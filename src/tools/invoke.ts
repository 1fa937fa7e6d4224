import type { Static, TObject } from '@sinclair/typebox'
import { AppError } from '../errors.js'
import type { ToolContext, ToolDefinition } from './registry.js'

/** Runs one tool call; the single place every transport (HTTP, MCP) goes through, so guard rails and audit wrap it here. */
export async function invokeTool<I extends TObject> (tool: ToolDefinition<I>, input: Static<I>, ctx: ToolContext): Promise<unknown> {
  if (tool.requiresCluster && ctx.cluster === undefined) {
    throw new AppError('NO_CLUSTER', 'No HyperCore cluster is configured: set SCALE_HOST, SCALE_USERNAME and SCALE_PASSWORD, or start without SCALE_HOST to use the embedded simulator.', 503)
  }
  return await tool.handler(input, ctx)
}
