import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { AppError } from '../src/errors/app-error.js'
import type { Gate } from '../src/gate/gate.js'
import type { CallerDirectory, Role } from '../src/gate/identity.js'
import type { OAuthVerifier } from '../src/oauth/verifier.js'
import { queryParameters, takesQueryArguments } from './query-arguments.js'

/** Options of the OpenAPI route. */
export interface OpenApiRoutesOptions {
  gate: Gate
  callers: CallerDirectory
  /** Access tokens of the identity provider, when OAuth sign-in is on. */
  oauth?: OAuthVerifier
}

type Document = Record<string, unknown> & { paths?: Record<string, Record<string, Record<string, unknown>>> }

/**
 * Our OpenAPI document as one role sees it: only the tools the role may use, each with the input schema and
 * description the gate publishes for it (a reader's run_api offers only GET). Operators' view is the public one.
 */
export function documentFor (app: FastifyInstance, gate: Gate, role: Role): Document {
  const doc = structuredClone(app.swagger()) as unknown as Document
  const tools = new Map(gate.published(role).map((t) => [t.name, t]))
  // The routes carry the admin view (every tool); only where this role's view differs is a schema replaced.
  const routed = new Map(gate.published('admin').map((t) => [t.name, JSON.stringify(t.input)]))
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const op = item.post as { operationId?: string, description?: string, parameters?: unknown[], requestBody?: { content?: Record<string, { schema?: unknown }> } } | undefined
    if (op?.operationId === undefined) continue
    const tool = tools.get(op.operationId)
    if (tool === undefined) {
      delete doc.paths?.[path]
      continue
    }
    op.description = tool.description
    const media = op.requestBody?.content?.['application/json']
    const input = JSON.stringify(tool.input)
    if (media !== undefined && input !== routed.get(tool.name)) media.schema = JSON.parse(input)
    // A tool routed with query parameters (no body) gets this role's parameters instead.
    if (op.requestBody === undefined && input !== routed.get(tool.name) && takesQueryArguments(tool.input)) {
      op.parameters = queryParameters(tool.input)
      if (op.parameters.length === 0) delete op.parameters
    }
    // OpenAPI 3.0 forbids an empty `required` list (hosts read a missing one as "nothing required").
    const schema = media?.schema as { required?: unknown[] } | undefined
    if (schema !== undefined && Array.isArray(schema.required) && schema.required.length === 0) delete schema.required
  }
  return doc
}

/** Public route serving our OpenAPI document: `GET /openapi.json`, shaped by the caller's role when a token is sent. */
const openapiRoutes: FastifyPluginAsync<OpenApiRoutesOptions> = async function openapiRoutes (app, opts) {
  app.get('/openapi.json', {
    schema: { hide: true }
  }, async function openapiDocument (request) {
    const header = request.headers.authorization
    let role: Role = 'operator'
    if (header !== undefined) {
      // A host checking its connection sends its key here: a wrong one must fail now, not at the first tool call.
      const match = /^bearer\s+(.+)$/i.exec(header.trim())
      const token = match?.[1]
      let caller = token === undefined ? undefined : opts.callers.identify(token)
      // A signed-in person's access token shapes the document by their role too.
      if (caller === undefined && token !== undefined && opts.oauth !== undefined) caller = await opts.oauth.verify(token)
      if (caller === undefined) throw new AppError('UNAUTHORIZED', 'Invalid bearer token: check the token in the "Authorization: Bearer <token>" header.', 401)
      role = caller.role
    }
    return documentFor(app, opts.gate, role)
  })
}

export default openapiRoutes
