import type { Static, TObject } from '@sinclair/typebox'
import { requireCluster, type ToolContext, type ToolDefinition } from './registry.js'

/** Runs one tool call; the single place every transport (HTTP, MCP) goes through, so guard rails and audit wrap it here. */
export async function invokeTool<I extends TObject> (tool: ToolDefinition<I>, input: Static<I>, ctx: ToolContext): Promise<unknown> {
  if (tool.requiresCluster) requireCluster(ctx)
  return await tool.handler(input, ctx)
}
