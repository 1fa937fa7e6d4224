import type { FastifyPluginAsync } from 'fastify'
import { Type } from '@sinclair/typebox'
import { invokeTool } from '../src/tools/invoke.js'
import type { ToolContext, ToolDefinition } from '../src/tools/registry.js'

/** Options of the tool routes. */
export interface ToolRoutesOptions {
  tools: ToolDefinition[]
  /** Everything but the per-request logger. */
  context: Omit<ToolContext, 'log'>
}

const ErrorRef = Type.Ref('ErrorResponse')

/** Publishes each registry entry as `POST /<name>` with `operationId = name`. */
const toolRoutes: FastifyPluginAsync<ToolRoutesOptions> = async function toolRoutes (app, opts) {
  // Hosts and cURL users often send no body at all for a tool without inputs.
  app.addHook('preValidation', async function emptyBodyIsEmptyObject (request) {
    if (request.body === undefined || request.body === null) request.body = {}
  })

  for (const tool of opts.tools) {
    app.post(`/${tool.name}`, {
      schema: {
        operationId: tool.name,
        summary: tool.summary,
        description: tool.description,
        tags: tool.tags,
        security: [{ bearerAuth: [] }],
        body: tool.input,
        response: {
          200: tool.output,
          '4xx': ErrorRef,
          '5xx': ErrorRef
        }
      }
    }, async function callTool (request) {
      return await invokeTool(tool, request.body as never, { ...opts.context, log: request.log })
    })
  }
}

export default toolRoutes
