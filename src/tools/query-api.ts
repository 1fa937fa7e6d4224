import { Type } from '@sinclair/typebox'
import { MAX_QUERY_LENGTH, searchOperations } from '../catalog/search.js'
import { StringEnum, httpMethodSchema } from '../schemas.js'
import { defineTool } from '../gate/tool.js'

const MethodSchema = httpMethodSchema({
  description: 'Keep only operations with this HTTP method: GET reads, POST creates or acts, PATCH changes, DELETE removes, PUT uploads.'
})

const HitSchema = Type.Object({
  method: Type.String({ description: 'HTTP method of the operation.' }),
  path: Type.String({ description: 'Path template under /rest/v1, e.g. /VirDomain/{virDomainUUID}.' }),
  operationId: Type.String({ description: 'Stable name of the operation.' }),
  summary: Type.String({ description: 'What the operation does, in plain words.' }),
  tag: Type.String({ description: 'Area of the API: VMs, Snapshots, Storage, Network, Cluster, Alerts, Users, Time and DNS, Updates or Session.' }),
  confidence: StringEnum(['high', 'medium', 'low'], { description: 'How much of the question this operation covers: high (all that matters), medium (part of it) or low (little, or not the kind of action asked for).' }),
  mutating: Type.Boolean({ description: 'True when calling it changes the cluster.' })
})

/** `query_api`: finds HyperCore REST operations from a plain-language question or a path. */
export default defineTool({
  name: 'query_api',
  summary: 'Find the HyperCore API endpoint for a task',
  description: 'Finds the HyperCore REST endpoint for a task among the 150 operations, best first. ' +
    'Ask in plain words ("power on a VM", "give it 16 GB of RAM", "is it on?") or give a path ("/VirDomain"); other hypervisors\' words work too (datastore, vMotion, checkpoint). ' +
    'match: strong, weak (part of the question is covered) or none (no operation does it; hint names the closest areas). ' +
    'Next: describe_endpoint with the chosen method and path, then run_api.',
  tags: ['Catalog'],
  example: { query: 'how do I power on a VM', limit: 5 },
  input: Type.Object({
    query: Type.String({ minLength: 1, maxLength: MAX_QUERY_LENGTH, description: 'A question in plain words or an API path, e.g. "shut down a VM" or "/VirDomainSnapshot".' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10, description: 'Most results to return (1-50, default 10).' })),
    method: Type.Optional(MethodSchema)
  }, { additionalProperties: false }),
  output: Type.Object({
    match: StringEnum(['strong', 'weak', 'none'], { description: 'How well the best result answers the question: strong, weak (partly) or none (no operation does it; the results are only the nearest).' }),
    results: Type.Array(HitSchema, { description: 'Matching operations, best first.' }),
    total: Type.Integer({ description: 'How many operations matched before the limit was applied.' }),
    hint: Type.Optional(Type.String({ description: 'When match is weak or none: what is not covered or not offered, the closest areas and how to rephrase.' }))
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  requiresCluster: false,
  async handler (input, ctx) {
    return searchOperations(ctx.catalog, input.query, { limit: input.limit, method: input.method })
  }
})
