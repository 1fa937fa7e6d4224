import { Type } from '@sinclair/typebox'
import { MAX_QUERY_LENGTH, searchOperations } from '../catalog/search.js'
import { httpMethodSchema } from '../schemas.js'
import { defineTool } from './registry.js'

const MethodSchema = httpMethodSchema({
  description: 'Keep only operations with this HTTP method: GET reads, POST creates or acts, PATCH changes, DELETE removes, PUT uploads.'
})

const HitSchema = Type.Object({
  method: Type.String({ description: 'HTTP method of the operation.' }),
  path: Type.String({ description: 'Path template under /rest/v1, e.g. /VirDomain/{virDomainUUID}.' }),
  operationId: Type.String({ description: 'Stable name of the operation.' }),
  summary: Type.String({ description: 'What the operation does, in plain words.' }),
  tag: Type.String({ description: 'Area of the API: VMs, Snapshots, Storage, Network, Cluster, Alerts, Users, Time and DNS, Updates or Session.' }),
  score: Type.Number({ description: 'Relevance relative to the best result (1 = best).' }),
  mutating: Type.Boolean({ description: 'True when calling it changes the cluster.' })
})

/** `query_api`: finds HyperCore REST operations from a plain-language question or a path. */
export default defineTool({
  name: 'query_api',
  summary: 'Find the HyperCore API endpoint for a task',
  description: 'Searches the HyperCore REST API catalogue (150 operations) and returns the best matching endpoints, best first. ' +
    'Ask in plain words ("how do I power on a VM", "add a disk to a VM", "list alerts") or give a path ("/VirDomain", "User"). ' +
    'It knows everyday names: a VM is a VirDomain, a disk is a VirDomainBlockDevice, a NIC is a VirDomainNetDevice, alerts are Conditions, tasks are TaskTags. ' +
    'Each result has the method, path, summary and whether it changes the cluster. When nothing matches, results is empty and hint names the closest areas; ' +
    'a blank query is refused with QUERY_EMPTY. ' +
    'Next: call describe_endpoint with the chosen method and path to get its payload schema and an example, then run_api to call it.',
  tags: ['Catalog'],
  input: Type.Object({
    query: Type.String({ minLength: 1, maxLength: MAX_QUERY_LENGTH, description: 'A question in plain words or an API path, e.g. "shut down a VM" or "/VirDomainSnapshot".' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10, description: 'Most results to return (1-50, default 10).' })),
    method: Type.Optional(MethodSchema)
  }, { additionalProperties: false }),
  output: Type.Object({
    results: Type.Array(HitSchema, { description: 'Matching operations, best first.' }),
    total: Type.Integer({ description: 'How many operations matched before the limit was applied.' }),
    hint: Type.Optional(Type.String({ description: 'Advice when nothing matched: the closest areas and how to rephrase.' }))
  }),
  mutating: false,
  requiresCluster: false,
  async handler (input, ctx) {
    return searchOperations(ctx.catalog, input.query, { limit: input.limit, method: input.method })
  }
})
