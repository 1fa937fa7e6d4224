import { AppError } from '../errors/app-error.js'
import type { Catalog, CatalogOperation } from './catalog.js'
import { isRecord, schemaType, type JsonSchema } from './schema.js'
import { searchOperations } from './search.js'
import { validatePayload } from './validate.js'

/** One field of a request body, flattened: `dom.name`, `dom.blockDevs[].type`, `[].actionType`. */
export interface FieldInfo {
  path: string
  type: string
  /** Required within its parent object. */
  required: boolean
  enum?: unknown[]
  readOnly?: boolean
  /** Only honoured when the record is created (HyperCore's CREATE-ONLY). */
  createOnly?: boolean
  writeOnly?: boolean
  /** Managed by the cluster; clients leave it unset. */
  internal?: boolean
  deprecated?: boolean
  /** The schema here (or around it) is a best guess. */
  uncertain?: boolean
  default?: unknown
  description?: string
}

/** Everything a caller needs between finding an endpoint and calling it. */
export interface EndpointDescription extends Pick<CatalogOperation,
'operationId' | 'method' | 'path' | 'summary' | 'description' | 'tag' | 'mutating' | 'uncertain' | 'pathParams' | 'requestContentType' | 'requestSchema'> {
  /** Paths of the fields that must be sent (a field inside an optional object is not listed). */
  required: string[]
  fields: FieldInfo[]
  /** Status code -> meaning. */
  responses: Record<string, string>
  /** A small body that passes validation: required fields only (plus one field for edits), placeholders in <angle brackets>. */
  example?: unknown
}

const MAX_FIELDS = 400
const MAX_DEPTH = 6

/**
 * Describes one operation for a caller about to build a request: resolved schema, flattened fields with their flags,
 * required paths, answers and a valid example. Unknown method/path throws AppError ENDPOINT_NOT_FOUND (404) with the
 * nearest operations in `details.suggestions`.
 */
export function describeEndpoint (catalog: Catalog, method: string, path: string): EndpointDescription {
  const match = catalog.find(method, path, { ignoreCase: true })
  if (match === undefined) throw notFound(catalog, method, path)
  const op = match.operation
  const out: EndpointDescription = {
    operationId: op.operationId,
    method: op.method,
    path: op.path,
    summary: op.summary,
    description: op.description,
    tag: op.tag,
    mutating: op.mutating,
    uncertain: op.uncertain,
    pathParams: op.pathParams,
    required: [],
    fields: [],
    responses: op.responses
  }
  if (op.requestContentType !== undefined) out.requestContentType = op.requestContentType
  const schema = op.requestSchema
  if (schema !== undefined) {
    out.requestSchema = schema
    out.fields = flattenFields(schema)
    out.required = requiredPaths(schema)
  }
  if (op.requestContentType !== undefined && /json/i.test(op.requestContentType) && schema !== undefined) {
    out.example = exampleFor(op)
  }
  return out
}

/** The short form models read first: what to send and an example, without the resolved schema or prose. */
export interface CompactDescription {
  operationId: string
  method: string
  path: string
  summary: string
  tag: string
  mutating: boolean
  pathParams: string[]
  requestContentType?: string
  required: string[]
  /** Required fields and fields with allowed values: path, type, required, enum. */
  fields: Array<Pick<FieldInfo, 'path' | 'type' | 'required' | 'enum'>>
  /** The other fields, by path only (at most 60). */
  optional: string[]
  responses: Array<{ status: string, meaning: string }>
  example?: unknown
}

const MAX_OPTIONAL_LISTED = 60

/** Cuts a description to its compact form (median under 2 KB over the catalogue; `npm run bench -- tokens`). */
export function compactDescription (d: EndpointDescription): CompactDescription {
  const fields = d.fields
    .filter((f) => f.required || f.enum !== undefined)
    .filter((f) => f.readOnly !== true && f.internal !== true)
    .map((f) => ({ path: f.path, type: f.type, required: f.required, ...(f.enum === undefined ? {} : { enum: f.enum }) }))
  const shown = new Set(fields.map((f) => f.path))
  const optional = d.fields.filter((f) => !shown.has(f.path) && f.readOnly !== true && f.internal !== true && f.deprecated !== true).map((f) => f.path)
  return {
    operationId: d.operationId,
    method: d.method,
    path: d.path,
    summary: d.summary,
    tag: d.tag,
    mutating: d.mutating,
    pathParams: d.pathParams,
    ...(d.requestContentType === undefined ? {} : { requestContentType: d.requestContentType }),
    required: d.required,
    fields,
    optional: optional.slice(0, MAX_OPTIONAL_LISTED),
    responses: responseList(d.responses),
    ...(d.example === undefined ? {} : { example: d.example })
  }
}

/** `{"200": "OK"}` as a list, which every tool host's schema rules accept (free-form maps are refused by some). */
export function responseList (responses: Record<string, string>): Array<{ status: string, meaning: string }> {
  return Object.entries(responses).map(([status, meaning]) => ({ status, meaning }))
}

function notFound (catalog: Catalog, method: string, path: string): AppError {
  const wanted = method.toUpperCase()
  const suggestions: Array<{ method: string, path: string, summary: string }> = []
  const push = (op: { method: string, path: string, summary: string }): void => {
    if (suggestions.length < 5 && !suggestions.some((s) => s.method === op.method && s.path === op.path)) {
      suggestions.push({ method: op.method, path: op.path, summary: op.summary })
    }
  }
  // Same path, other methods first: the likeliest mistake is the method.
  for (const op of catalog.operationsForPath(path, { ignoreCase: true })) push(op)
  const words = path.replace(/\{[^}]+\}/g, ' ').replace(/[/_-]+/g, ' ').trim()
  if (words !== '') {
    const found = searchOperations(catalog, words, { limit: 10 })
    // When the words match nothing the path already suggested is all there is; otherwise the same method goes first.
    const hits = found.match === 'none' && suggestions.length > 0 ? [] : found.results
    for (const h of hits) if (h.method === wanted && h.confidence !== 'low') push(h)
    for (const h of hits) push(h)
  }
  const list = suggestions.map((s) => `${s.method} ${s.path}`).join(', ')
  return new AppError(
    'ENDPOINT_NOT_FOUND',
    `${wanted} ${path} is not an operation of the ${catalog.title} ${catalog.version} catalogue.${list !== '' ? ` Nearest: ${list}.` : ' Use query_api to find one.'}`,
    { details: { method: wanted, path, suggestions } }
  )
}

function flattenFields (schema: JsonSchema): FieldInfo[] {
  const fields: FieldInfo[] = []
  const walk = (node: JsonSchema, prefix: string, depth: number, uncertain: boolean): void => {
    if (depth > MAX_DEPTH || fields.length >= MAX_FIELDS) return
    const nodeUncertain = uncertain || node['x-uncertain'] === true
    if (isRecord(node.items) && schemaType(node) === 'array') {
      walk(node.items, `${prefix}[]`, depth + 1, nodeUncertain)
      return
    }
    if (!isRecord(node.properties)) return
    const required = Array.isArray(node.required) ? node.required : []
    for (const [name, raw] of Object.entries(node.properties)) {
      if (!isRecord(raw) || fields.length >= MAX_FIELDS) continue
      const path = prefix === '' ? name : `${prefix}.${name}`
      const fieldUncertain = nodeUncertain || raw['x-uncertain'] === true
      fields.push(fieldInfo(path, raw, required.includes(name), fieldUncertain))
      walk(raw, path, depth + 1, fieldUncertain)
    }
  }
  walk(schema, '', 0, false)
  return fields
}

function fieldInfo (path: string, schema: JsonSchema, required: boolean, uncertain: boolean): FieldInfo {
  let type = schemaType(schema)
  if (type === 'array' && isRecord(schema.items)) type = `array of ${schemaType(schema.items)}`
  const info: FieldInfo = { path, type, required }
  if (Array.isArray(schema.enum)) info.enum = schema.enum
  if (schema.readOnly === true) info.readOnly = true
  if (schema['x-create-only'] === true) info.createOnly = true
  if (schema.writeOnly === true) info.writeOnly = true
  if (schema['x-internal'] === true) info.internal = true
  if (schema.deprecated === true) info.deprecated = true
  if (uncertain) info.uncertain = true
  if ('default' in schema) info.default = schema.default
  if (typeof schema.description === 'string') info.description = schema.description
  return info
}

function requiredPaths (schema: JsonSchema): string[] {
  const paths: string[] = []
  const walk = (node: JsonSchema, prefix: string, depth: number): void => {
    if (depth > MAX_DEPTH) return
    if (isRecord(node.items) && schemaType(node) === 'array') {
      walk(node.items, `${prefix}[]`, depth + 1)
      return
    }
    if (!isRecord(node.properties) || !Array.isArray(node.required)) return
    for (const name of node.required) {
      if (typeof name !== 'string') continue
      const path = prefix === '' ? name : `${prefix}.${name}`
      paths.push(path)
      const sub = node.properties[name]
      if (isRecord(sub)) walk(sub, path, depth + 1)
    }
  }
  walk(schema, '', 0)
  return paths
}

/** The example body of an operation: the document's own when it has a valid one, else one generated from the schema. */
export function exampleFor (op: CatalogOperation): unknown {
  if (op.requestExample !== undefined && validatePayload(op, op.requestExample).errors.length === 0) return op.requestExample
  const schema = op.requestSchema
  if (schema === undefined) return undefined
  const example = generate(schema, '', 0)
  // An edit with nothing required would show `{}`; one real field makes the shape clear.
  if (isRecord(example) && Object.keys(example).length === 0 && isRecord(schema.properties)) {
    const first = Object.entries(schema.properties).find(([, s]) => isRecord(s) && usable(s) && ['string', 'integer', 'boolean', 'number'].includes(schemaType(s)))
    if (first !== undefined) example[first[0]] = generate(first[1] as JsonSchema, first[0], 1)
  }
  return example
}

function usable (schema: JsonSchema): boolean {
  return schema.readOnly !== true && schema['x-internal'] !== true && schema.deprecated !== true && schema['x-create-only'] !== true
}

const NUMBER_HINTS: Array<[RegExp, number]> = [
  [/^mem(ory)?$/i, 4294967296],
  [/capacity|size|bytes/i, 10737418240],
  [/vcpu|cpus?$/i, 2],
  [/^vlan$/i, 0],
  [/^port$/i, 443],
  [/seconds|delay|period|interval/i, 3600],
  [/timestamp/i, 0]
]

function generate (schema: JsonSchema, name: string, depth: number): unknown {
  if ('default' in schema && schema.default !== undefined) return schema.default
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  if (Array.isArray(schema.oneOf) && isRecord(schema.oneOf[0])) return generate(schema.oneOf[0], name, depth)
  if (Array.isArray(schema.anyOf) && isRecord(schema.anyOf[0])) return generate(schema.anyOf[0], name, depth)
  const type = schemaType(schema)
  switch (type) {
    case 'object': {
      const obj: Record<string, unknown> = {}
      if (depth > MAX_DEPTH || !isRecord(schema.properties)) return obj
      const required = Array.isArray(schema.required) ? schema.required : []
      for (const [key, sub] of Object.entries(schema.properties)) {
        if (required.includes(key) && isRecord(sub) && sub.readOnly !== true) obj[key] = generate(sub, key, depth + 1)
      }
      return obj
    }
    case 'array': {
      const item = isRecord(schema.items) ? generate(schema.items, singular(name), depth + 1) : `<${singular(name) || 'item'}>`
      const count = typeof schema.minItems === 'number' ? Math.max(1, schema.minItems) : 1
      return Array.from({ length: count }, () => item)
    }
    case 'integer':
    case 'number':
      return numberFor(schema, name)
    case 'boolean':
      return false
    case 'string':
      return stringFor(schema, name)
    default:
      return `<${name || 'value'}>`
  }
}

function singular (name: string): string {
  return name.endsWith('s') ? name.slice(0, -1) : name
}

function numberFor (schema: JsonSchema, name: string): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined
  let value = NUMBER_HINTS.find(([re]) => re.test(name))?.[1] ?? 1
  if (min !== undefined && value < min) value = min
  if (max !== undefined && value > max) value = max
  return schemaType(schema) === 'integer' ? Math.round(value) : value
}

function stringFor (schema: JsonSchema, name: string): string {
  switch (schema.format) {
    case 'date-time': return '2026-01-01T00:00:00Z'
    case 'date': return '2026-01-01'
    case 'email': return 'ops@example.com'
    case 'uri':
    case 'url': return 'https://example.com/'
    case 'ipv4': return '192.0.2.10'
    case 'uuid': return '00000000-0000-4000-8000-000000000000'
    default: break
  }
  let value = `<${name || 'value'}>`
  if (/email/i.test(name)) value = 'ops@example.com'
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) value = value.padEnd(schema.minLength, 'x')
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) value = value.slice(0, schema.maxLength)
  return value
}
