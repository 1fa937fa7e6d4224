import type { FastifyPluginAsync } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { Gate } from '../src/gate/gate.js'
import { exchangeOf } from './exchange.js'
import { httpInput, takesQueryArguments } from './query-arguments.js'

/** Options of the tool routes. */
export interface ToolRoutesOptions {
  gate: Gate
}

const ErrorRef = Type.Ref('ErrorResponse')

// The answers every tool can give besides its own, each in our error shape.
const DOCUMENTED_ERRORS = Object.fromEntries(([
  [400, 'VALIDATION_ERROR (or INVALID_JSON): the input is wrong; details.fields names each field.'],
  [401, 'UNAUTHORIZED: missing or wrong bearer token.'],
  [403, 'FORBIDDEN, READ_ONLY or POLICY_DENIED: the caller\'s role, the mode or the policy refuses the call.'],
  [404, 'NOT_FOUND: no such tool.'],
  [405, 'METHOD_NOT_ALLOWED: tools are POST.'],
  [409, 'CONFIRMATION_REQUIRED: a destructive call; repeat it with confirm (details.confirmToken).'],
  [413, 'PAYLOAD_TOO_LARGE: the body is over 10 MiB.'],
  [415, 'UNSUPPORTED_MEDIA_TYPE: send Content-Type: application/json.'],
  [429, 'RATE_LIMITED: too many calls this minute; Retry-After says when to try again.']
] as const).map(([status, description]) => [status, Type.Ref('ErrorResponse', { description })]))

/**
 * Publishes each tool as `POST /<name>` with `operationId = name` and the schemas the gate publishes for the
 * configured mode, and hands every call to the gate. A tool with nothing required and only single-value arguments
 * is published with them as query parameters and no request body (see query-arguments.ts) and takes them from
 * either place. Fastify does not validate the input itself: the gate does, the same way for every face.
 */
const toolRoutes: FastifyPluginAsync<ToolRoutesOptions> = async function toolRoutes (app, opts) {
  app.setValidatorCompiler(() => () => true)

  // Every tool gets a route (the admin view holds them all); the gate refuses a caller whose role may not use one.
  for (const tool of opts.gate.published('admin')) {
    const queryForm = takesQueryArguments(tool.input) ? tool.input : undefined
    app.post(`/${tool.name}`, {
      schema: {
        operationId: tool.name,
        summary: tool.summary,
        description: tool.description,
        tags: tool.tags,
        security: [{ bearerAuth: [] }],
        ...(queryForm === undefined ? { body: tool.input } : { querystring: queryForm }),
        'x-tool-annotations': tool.annotations,
        response: {
          200: tool.output,
          ...DOCUMENTED_ERRORS,
          '4xx': ErrorRef,
          '5xx': ErrorRef
        }
      }
    }, async function callTool (request, reply) {
      const { caller, signal, baseUrl } = exchangeOf(request, reply)
      return await opts.gate.call(tool.name, httpInput(tool.name, queryForm, request.query, request.body), { caller, transport: 'http', log: request.log, signal, baseUrl })
    })
  }
}

export default toolRoutes
