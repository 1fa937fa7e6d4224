import { Type } from '@sinclair/typebox'
import { describeEndpoint } from '../catalog/describe.js'
import { httpMethodSchema } from '../schemas.js'
import { defineTool } from '../gate/tool.js'

const MethodSchema = httpMethodSchema({
  description: 'HTTP method of the operation, as query_api returned it.'
})

const FieldSchema = Type.Object({
  path: Type.String({ description: 'Where the field sits in the body: "dom.name", "dom.blockDevs[].type", "[].actionType" for an array body.' }),
  type: Type.String({ description: 'JSON type: string, integer, number, boolean, object, "array of ...".' }),
  required: Type.Boolean({ description: 'Must be present whenever its parent object is sent.' }),
  enum: Type.Optional(Type.Array(Type.Unknown(), { description: 'The only values allowed.' })),
  readOnly: Type.Optional(Type.Boolean({ description: 'Set by the cluster; sending it has no effect.' })),
  createOnly: Type.Optional(Type.Boolean({ description: 'Only taken into account when the record is created, ignored on edits.' })),
  writeOnly: Type.Optional(Type.Boolean({ description: 'Can be sent but is never returned (e.g. passwords).' })),
  internal: Type.Optional(Type.Boolean({ description: 'Used by the cluster itself; leave it unset.' })),
  deprecated: Type.Optional(Type.Boolean({ description: 'No longer used.' })),
  uncertain: Type.Optional(Type.Boolean({ description: 'This part of the schema is a best guess; the cluster may differ.' })),
  default: Type.Optional(Type.Unknown({ description: 'Value used when the field is left out.' })),
  description: Type.Optional(Type.String({ description: 'What the field means.' }))
})

/** `describe_endpoint`: the full contract of one HyperCore operation, between query_api and run_api. */
export default defineTool({
  name: 'describe_endpoint',
  summary: 'Describe one HyperCore API endpoint: payload schema, required fields and an example',
  description: 'Returns everything needed to call one HyperCore REST operation: its summary, path parameters, the request body schema fully resolved, ' +
    'a flat list of fields (type, required, allowed values, read-only / create-only / uncertain flags, defaults), the response codes and a minimal example body that passes validation. ' +
    'Call it after query_api has found the endpoint and before run_api: fill the example\'s <placeholders> with real values (UUIDs come from GET calls). ' +
    'Accepts the path template ("/VirDomain/{virDomainUUID}") or a concrete path ("/VirDomain/7f3e..."). An unknown endpoint answers 404 ENDPOINT_NOT_FOUND with the nearest operations in details.suggestions.',
  tags: ['Catalog'],
  input: Type.Object({
    method: MethodSchema,
    path: Type.String({ minLength: 1, maxLength: 2048, description: 'Path under /rest/v1 (the prefix is optional), template or concrete, e.g. "/VirDomain/action".' })
  }, { additionalProperties: false }),
  output: Type.Object({
    operationId: Type.String({ description: 'Stable name of the operation.' }),
    method: Type.String({ description: 'HTTP method.' }),
    path: Type.String({ description: 'Path template under /rest/v1.' }),
    summary: Type.String({ description: 'What it does, in one line.' }),
    description: Type.String({ description: 'What it does, its conditions and what it answers.' }),
    tag: Type.String({ description: 'Area of the API.' }),
    mutating: Type.Boolean({ description: 'True when calling it changes the cluster.' }),
    uncertain: Type.Boolean({ description: 'True when the request or answer shape is a best guess.' }),
    pathParams: Type.Array(Type.String(), { description: 'Names of the {parameters} in the path, in order.' }),
    requestContentType: Type.Optional(Type.String({ description: 'Content type of the body: application/json, or application/octet-stream for uploads. Absent when there is no body.' })),
    requestSchema: Type.Optional(Type.Unknown({ description: 'JSON Schema of the request body, with nothing left to resolve.' })),
    required: Type.Array(Type.String(), { description: 'Paths of the fields that must be sent.' }),
    fields: Type.Array(FieldSchema, { description: 'Every field of the body, flattened.' }),
    responses: Type.Record(Type.String(), Type.String(), { description: 'Status code -> meaning.' }),
    example: Type.Optional(Type.Unknown({ description: 'A minimal body that validates; values in <angle brackets> are placeholders.' }))
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  requiresCluster: false,
  async handler (input, ctx) {
    return describeEndpoint(ctx.catalog, input.method, input.path)
  }
})
