import { Type } from '@sinclair/typebox'
import { compactDescription, describeEndpoint, responseList } from '../catalog/describe.js'
import { httpMethodSchema, StringEnum } from '../schemas.js'
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

const PATH = 'Path under /rest/v1 (the prefix is optional), template or concrete, e.g. "/VirDomain/action" or "/VirDomain/7f3e...".'
const DETAIL = StringEnum(['compact', 'full'], { description: 'compact (default): required fields, fields with allowed values, the other field names and an example. full: also the resolved request schema, every field with its flags and description, and the long description.' })

/** `describe_endpoint`: the contract of one HyperCore operation, between query_api and run_api. */
export default defineTool({
  name: 'describe_endpoint',
  summary: 'Describe one HyperCore API endpoint: required fields, allowed values and an example',
  description: 'What is needed to call one HyperCore REST operation: the required fields, the fields with their allowed values, the other field names, ' +
    'the response codes and a minimal example body that validates; detail="full" adds the resolved schema and every field\'s flags and description. ' +
    'Use it between query_api and run_api; fill the example\'s <placeholders> (UUIDs come from GET calls). Takes a path template or a concrete path. ' +
    'An unknown endpoint or method answers 404 ENDPOINT_NOT_FOUND with the nearest operations in details.suggestions.',
  tags: ['Catalog'],
  input: Type.Object({
    method: MethodSchema,
    path: Type.String({ minLength: 1, maxLength: 2048, description: PATH }),
    detail: Type.Optional(DETAIL)
  }, { additionalProperties: false }),
  hostInput: Type.Object({
    method: MethodSchema,
    path: Type.String({ minLength: 1, description: `${PATH} At most 2,048 characters.` }),
    detail: Type.Optional(DETAIL)
  }, { additionalProperties: false }),
  example: { method: 'POST', path: '/VirDomain/action' },
  output: Type.Object({
    operationId: Type.String({ description: 'Stable name of the operation.' }),
    method: Type.String({ description: 'HTTP method.' }),
    path: Type.String({ description: 'Path template under /rest/v1.' }),
    summary: Type.String({ description: 'What it does, in one line.' }),
    description: Type.Optional(Type.String({ description: 'What it does, its conditions and what it answers (detail=full).' })),
    tag: Type.String({ description: 'Area of the API.' }),
    mutating: Type.Boolean({ description: 'True when calling it changes the cluster.' }),
    uncertain: Type.Optional(Type.Boolean({ description: 'True when the request or answer shape is a best guess (detail=full).' })),
    pathParams: Type.Array(Type.String({ description: 'A parameter name.' }), { description: 'Names of the {parameters} in the path, in order.' }),
    requestContentType: Type.Optional(Type.String({ description: 'Content type of the body: application/json, or application/octet-stream for uploads. Absent when there is no body.' })),
    requestSchema: Type.Optional(Type.Unknown({ description: 'JSON Schema of the request body, with nothing left to resolve (detail=full).' })),
    required: Type.Array(Type.String({ description: 'A field path.' }), { description: 'Paths of the fields that must be sent.' }),
    fields: Type.Array(FieldSchema, { description: 'compact: the required fields and those with allowed values; full: every field of the body, flattened.' }),
    optional: Type.Optional(Type.Array(Type.String({ description: 'A field path.' }), { description: 'compact: the other fields that may be sent, by path (detail=full describes them).' })),
    responses: Type.Array(Type.Object({
      status: Type.String({ description: 'HTTP status code.' }),
      meaning: Type.String({ description: 'What it means.' })
    }), { description: 'What the operation answers.' }),
    example: Type.Optional(Type.Unknown({ description: 'A minimal body that validates; values in <angle brackets> are placeholders.' })),
    notes: Type.Optional(Type.Array(Type.String({ description: 'A note.' }), { description: 'What was left out to keep the answer small.' })),
    catalog: Type.Object({
      source: StringEnum(['bundled', 'file', 'cluster'], { description: 'Where this description comes from: bundled (HyperCore 9.4, shipped with this server), file (SCALE_SCHEMA), or cluster (the cluster\'s own spec merged with the bundled descriptions).' }),
      apiVersion: Type.Optional(Type.String({ description: 'The cluster\'s HyperCore version (GET /Cluster icosVersion), when it was asked.' })),
      operation: Type.Optional(StringEnum(['merged', 'cluster'], { description: 'merged: our description with the cluster\'s schemas; cluster: only the cluster\'s spec knows this operation.' }))
    }, { description: 'Which catalog answered.' })
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  requiresCluster: false,
  async handler (input, ctx) {
    const full = describeEndpoint(ctx.catalog, input.method, input.path)
    const origin = ctx.catalog.byId(full.operationId)?.source
    const catalog = {
      source: ctx.catalog.origin,
      ...(ctx.catalog.apiVersion === undefined ? {} : { apiVersion: ctx.catalog.apiVersion }),
      ...(origin === undefined ? {} : { operation: origin })
    }
    if (input.detail !== 'full') return { ...compactDescription(full), catalog }
    const answer = { ...full, responses: responseList(full.responses), catalog }
    // The largest operations (VM export) have schemas of 20 KB and more: the flat field list says the same.
    if (Buffer.byteLength(JSON.stringify(answer)) > ctx.answerMaxBytes) {
      const { requestSchema: _schema, ...rest } = answer
      return { ...rest, notes: ['requestSchema was left out to fit the answer size limit; fields lists every field with its type, flags and description.'] }
    }
    return answer
  }
})
