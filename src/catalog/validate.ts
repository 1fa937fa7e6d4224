import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { CatalogOperation } from './catalog.js'
import { isRecord, type JsonSchema } from './schema.js'

/** One problem found in a request body: where (`dom.name`, `[0].actionType`, '' for the root), what, and what was expected. */
export interface PayloadIssue {
  path: string
  message: string
  /** The expected type, or the allowed values as a comma-separated list. */
  expected?: string
}

/** The outcome of checking a request body: errors make the cluster refuse it, warnings are advice. */
export interface PayloadCheck {
  errors: PayloadIssue[]
  warnings: PayloadIssue[]
  /** True when only the first problem of a large payload was looked for (listing them all costs time per node). */
  firstOnly?: boolean
}

/** Most issues of each kind a check reports. */
export const MAX_ISSUES = 20
// Payloads with more JSON nodes than this only get their first problem reported.
const FULL_CHECK_NODES = 5000

// ajv and ajv-formats are CommonJS; under NodeNext their class and plugin sit on `.default`.
const Ajv = AjvModule.default
const addFormats = addFormatsModule.default

// Strict off because OpenAPI schemas carry keywords JSON Schema does not know (x-uncertain, example,
// discriminator...); useDefaults off so validation never changes the caller's payload. The quick instance stops at
// the first error; the full one lists them all, and is only used on payloads small enough for that to be cheap.
const quickAjv = new Ajv({ strict: false, allErrors: false, verbose: true, useDefaults: false, coerceTypes: false, logger: false })
const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, useDefaults: false, coerceTypes: false, logger: false })
addFormats(quickAjv)
addFormats(ajv)

type Compiled = { validate: ValidateFunction, quick: ValidateFunction } | { failure: string }
const compiled = new WeakMap<CatalogOperation, Compiled>()

function compile (operation: CatalogOperation, schema: JsonSchema): Compiled {
  let entry = compiled.get(operation)
  if (entry === undefined) {
    try {
      entry = { validate: ajv.compile(schema), quick: quickAjv.compile(schema) }
    } catch (err) {
      entry = { failure: err instanceof Error ? err.message : String(err) }
    }
    compiled.set(operation, entry)
  }
  return entry
}

/**
 * Checks a request body against an operation's schema, the way a cluster would before accepting it.
 * Problems inside parts marked `x-uncertain` are only warnings, and so are read-only, internal, deprecated and
 * (on edits) create-only fields that were sent. Pure and fast: the compiled validator is cached per operation.
 */
export function validatePayload (operation: CatalogOperation, payload: unknown): PayloadCheck {
  const errors: PayloadIssue[] = []
  const warnings: PayloadIssue[] = []
  const schema = operation.requestSchema
  const contentType = operation.requestContentType

  if (contentType === undefined) {
    if (payload !== undefined && payload !== null && !(isRecord(payload) && Object.keys(payload).length === 0)) {
      warnings.push({ path: '', message: `${operation.method} ${operation.path} takes no request body; it will be ignored` })
    }
    return { errors, warnings }
  }
  if (!/json/i.test(contentType)) {
    if (payload !== undefined && typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
      warnings.push({ path: '', message: `the body is sent as raw bytes (${contentType}), not as JSON`, expected: contentType })
    }
    return { errors, warnings }
  }
  if (payload === undefined) {
    errors.push({ path: '', message: 'a JSON request body is required', expected: schema === undefined ? 'JSON' : describeType(schema) })
    return { errors, warnings }
  }
  if (schema === undefined) return { errors, warnings }

  const entry = compile(operation, schema)
  if ('failure' in entry) {
    warnings.push({ path: '', message: `the request schema could not be compiled, so the body was not checked: ${entry.failure}` })
    return { errors, warnings }
  }
  let firstOnly = false
  if (!entry.quick(payload)) {
    firstOnly = countNodes(payload, FULL_CHECK_NODES + 1) > FULL_CHECK_NODES
    const found = firstOnly ? entry.quick.errors : (entry.validate(payload) ? [] : entry.validate.errors)
    const seen = new Set<string>()
    for (const err of found ?? []) {
      const issue = toIssue(err)
      if (issue === undefined) continue
      const key = `${issue.path}\u0000${issue.message}`
      if (seen.has(key)) continue
      seen.add(key)
      if (isUncertain(schema, err.schemaPath)) warnings.push({ ...issue, message: `${issue.message} (this part of the schema is uncertain, so the cluster may accept it)` })
      else errors.push(issue)
      if (errors.length >= MAX_ISSUES) break
    }
  }
  if (!firstOnly) flagFields(schema, payload, '', isEdit(operation), warnings)
  return { errors, warnings: warnings.slice(0, MAX_ISSUES), ...(firstOnly ? { firstOnly } : {}) }
}

// Counts JSON nodes up to `limit`, without recursion.
function countNodes (value: unknown, limit: number): number {
  let count = 0
  const stack: unknown[] = [value]
  while (stack.length > 0 && count < limit) {
    const node = stack.pop()
    count++
    if (node !== null && typeof node === 'object') for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push(child)
  }
  return count
}

// An edit is a write to one existing record: PATCH/PUT/POST on a path ending in {param}.
function isEdit (operation: CatalogOperation): boolean {
  return ['POST', 'PATCH', 'PUT'].includes(operation.method) && /\/\{[^}]+\}$/.test(operation.path)
}

function joinPath (base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`
  const safe = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key)
  if (safe.startsWith('"')) return `${base}[${safe}]`
  return base === '' ? safe : `${base}.${safe}`
}

function pointerToPath (pointer: string): string {
  let path = ''
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    path = joinPath(path, /^\d+$/.test(seg) ? Number(seg) : seg)
  }
  return path
}

function describeValue (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (Number.isInteger(value)) return 'an integer'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function describeType (schema: JsonSchema): string {
  if (typeof schema.type === 'string') return schema.type
  if (Array.isArray(schema.type)) return schema.type.join(' | ')
  return 'JSON'
}

function toIssue (err: ErrorObject): PayloadIssue | undefined {
  const at = pointerToPath(err.instancePath)
  const params = err.params as Record<string, unknown>
  switch (err.keyword) {
    case 'type': {
      const expected = Array.isArray(params.type) ? params.type.join(' | ') : String(params.type)
      return { path: at, message: `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}, got ${describeValue(err.data)}`, expected }
    }
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map(String) : []
      return { path: at, message: `must be one of ${allowed.join(', ')}, got ${JSON.stringify(err.data)}`, expected: allowed.join(', ') }
    }
    case 'required':
      return { path: joinPath(at, String(params.missingProperty)), message: 'is required but missing' }
    case 'additionalProperties':
      return { path: joinPath(at, String(params.additionalProperty)), message: 'is not a field of this request (unknown field)' }
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(params.allowedValue)}`, expected: JSON.stringify(params.allowedValue) }
    case 'if':
      // The failing then/else branch reports its own error.
      return undefined
    default:
      return { path: at, message: err.message ?? `fails ${err.keyword}` }
  }
}

// Follows Ajv's schemaPath (`#/properties/dom/properties/console/type`) and reports whether any schema on the way is uncertain.
function isUncertain (schema: JsonSchema, schemaPath: string): boolean {
  let node: unknown = schema
  if (isRecord(node) && node['x-uncertain'] === true) return true
  for (const raw of schemaPath.replace(/^#/, '').split('/').slice(1)) {
    const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(node)) node = node[Number(seg)]
    else if (isRecord(node)) node = node[seg]
    else return false
    if (isRecord(node) && node['x-uncertain'] === true) return true
  }
  return false
}

// Walks the payload beside its schema to flag fields a client should not send: they do not make the call fail.
function flagFields (schema: unknown, value: unknown, at: string, edit: boolean, warnings: PayloadIssue[]): void {
  if (!isRecord(schema)) return
  if (Array.isArray(value)) {
    if (isRecord(schema.items)) value.forEach((item, i) => flagFields(schema.items, item, joinPath(at, i), edit, warnings))
    return
  }
  if (!isRecord(value) || !isRecord(schema.properties)) return
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = schema.properties[key]
    if (!isRecord(field)) continue
    const path = joinPath(at, key)
    if (field.readOnly === true) warnings.push({ path, message: 'is read-only: ignored by the cluster' })
    else if (field['x-internal'] === true) warnings.push({ path, message: 'is internal to the cluster: leave it unset' })
    else if (edit && field['x-create-only'] === true) warnings.push({ path, message: 'can only be set when the record is created: ignored on an edit' })
    if (field.deprecated === true) warnings.push({ path, message: 'is deprecated' })
    flagFields(field, fieldValue, path, edit, warnings)
  }
}
