import { Type } from '@sinclair/typebox'
import { AppError } from '../errors.js'
import { defineTool } from './registry.js'

const MethodSchema = Type.Union(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => Type.Literal(m)), {
  description: 'HTTP method. GET reads; POST, PUT, PATCH and DELETE change the cluster.',
  default: 'GET'
})

/** `run_api`: a live, confined call to the cluster's REST API with the session handled for the caller. */
export default defineTool({
  name: 'run_api',
  summary: 'Call the HyperCore REST API',
  description: 'Makes a live call to the HyperCore cluster\'s REST API under /rest/v1 and returns the JSON answer. ' +
    'Use query_api to find the endpoint and describe_endpoint to learn its payload first. ' +
    'Logging in is automatic. Calls that start work on the cluster return a taskTag; pass wait=true to follow the task to its end.',
  tags: ['HyperCore'],
  input: Type.Object({
    query: Type.String({ minLength: 1, maxLength: 2048, description: 'API path under /rest/v1, e.g. /VirDomain or /VirDomain/{uuid}; the /rest/v1 prefix and a query string are optional.' }),
    method: Type.Optional(MethodSchema),
    payload: Type.Optional(Type.Unknown({ description: 'JSON body: an object, an array (VirDomain/action takes an array), or the same as a JSON string.' })),
    params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { description: 'Query-string parameters, e.g. {"includeSet": true}.' })),
    wait: Type.Optional(Type.Union([Type.Boolean(), Type.Integer({ minimum: 1, maximum: 600 })], { description: 'Follow a returned taskTag until it is COMPLETE or ERROR: true waits up to 60 s, a number sets the seconds.' })),
    maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'Keep at most this many items of an array answer.' })),
    fields: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100, description: 'Keep only these fields of each record, e.g. ["uuid", "name", "state"].' }))
  }, { additionalProperties: false }),
  output: Type.Object({
    ok: Type.Boolean({ description: 'True when the cluster answered with a 2xx status.' }),
    status: Type.Integer({ description: 'HTTP status the cluster answered with.' }),
    data: Type.Unknown({ description: 'The answer body: JSON when the cluster sent JSON, otherwise text.' })
  }),
  mutating: (input) => (input.method ?? 'GET') !== 'GET',
  requiresCluster: true,
  async handler () {
    throw new AppError('NOT_IMPLEMENTED', 'run_api is not implemented yet.', 501)
  }
})
