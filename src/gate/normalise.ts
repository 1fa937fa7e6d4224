import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { TObject } from '@sinclair/typebox'
import { AppError } from '../errors/app-error.js'
import { MAX_JSON_DEPTH, measureJson } from '../lib/json-limits.js'

/** Limits on a tool's input as received, before anything else looks at it. */
export const INPUT_LIMITS = {
  /** Nesting depth of the whole input (payloads included). */
  depth: MAX_JSON_DEPTH,
  /** Validation issues listed in one error. */
  issues: 20,
  /** Characters of a validation error's message. */
  message: 2000,
  /** Inputs with more JSON nodes than this get only their first issue reported (full reporting costs time per node). */
  fullReportNodes: 5000
} as const

/** One problem with a tool's input. */
export interface InputIssue {
  /** Where, e.g. `method`, `fields[2]`, `payload`. */
  field: string
  message: string
}

const Ajv = AjvModule.default
const addFormats = addFormatsModule.default
// No coercion ("fields": true must not become ["true"]), no defaults, nothing removed: the input is checked as sent.
const quickAjv = new Ajv({ strict: false, allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, logger: false })
const fullAjv = new Ajv({ strict: false, allErrors: true, verbose: true, coerceTypes: false, useDefaults: false, removeAdditional: false, logger: false })
addFormats(quickAjv)
addFormats(fullAjv)
const compiled = new WeakMap<object, { quick: ValidateFunction, full: ValidateFunction }>()

function validators (schema: TObject): { quick: ValidateFunction, full: ValidateFunction } {
  let entry = compiled.get(schema)
  if (entry === undefined) {
    entry = { quick: quickAjv.compile(schema), full: fullAjv.compile(schema) }
    compiled.set(schema, entry)
  }
  return entry
}

/**
 * The gate's first step: makes a tool's raw input what the tool's schema describes, or refuses it with one clear
 * 400. `null` in an optional field, and `""` where a non-empty string is required, mean "not given" (what models
 * send for arguments they leave out); an enum value matching one allowed value but for case is taken as that value.
 * Nothing is coerced and defaults are not filled in. Validation work is bounded: a deep input is refused before it
 * is walked, and a huge one only reports its first issue.
 */
export function normaliseInput (tool: string, schema: TObject, raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) raw = {}
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AppError('VALIDATION_ERROR', `Invalid input for ${tool}: send a JSON object with the tool's arguments, not ${Array.isArray(raw) ? 'an array' : `a ${typeof raw}`}.`,
      { details: { fields: [{ field: '(input)', message: 'must be an object' }] } })
  }
  const { depth, nodes } = measureJson(raw, INPUT_LIMITS.depth)
  if (depth > INPUT_LIMITS.depth) {
    throw new AppError('PAYLOAD_TOO_DEEP', `Invalid input for ${tool}: it is nested more than ${INPUT_LIMITS.depth} levels deep. No HyperCore request needs that; send a flatter value.`)
  }
  const input: Record<string, unknown> = { ...(raw as Record<string, unknown>) }
  const required = new Set(schema.required ?? [])
  for (const [key, prop] of Object.entries(schema.properties as Record<string, Record<string, unknown>>)) {
    if (!Object.hasOwn(input, key)) continue
    const value = input[key]
    if (!required.has(key) && (value === null || (value === '' && typeof prop.minLength === 'number' && prop.minLength > 0))) {
      delete input[key]
      continue
    }
    // A string far past its bound is refused before Ajv counts its characters (twice, for a 5 MB string). Ajv counts
    // code points, which are at most two UTF-16 units each: past twice the bound it is too long however it is counted.
    if (typeof value === 'string' && typeof prop.maxLength === 'number' && value.length > 2 * prop.maxLength) {
      throw validationError(tool, [{ field: key, message: `must be at most ${prop.maxLength} characters long` }])
    }
    if (typeof value === 'string' && Array.isArray(prop.enum)) {
      // Lengths first: a 5 MB value is never lower-cased only to differ from every allowed one.
      const matches = prop.enum.filter((v): v is string => typeof v === 'string' && v.length === value.length && v.toLowerCase() === value.toLowerCase())
      if (matches.length === 1 && matches[0] !== value) input[key] = matches[0]
    }
  }

  const { quick, full } = validators(schema)
  if (quick(input)) return input
  let errors: ErrorObject[] = quick.errors ?? []
  if (nodes <= INPUT_LIMITS.fullReportNodes) {
    full(input)
    errors = full.errors ?? errors
  }
  const issues = describeIssues(errors)
  throw validationError(tool, issues)
}

/** The 400 VALIDATION_ERROR for a list of issues, its message bounded. */
export function validationError (tool: string, issues: InputIssue[]): AppError {
  const shown = issues.slice(0, INPUT_LIMITS.issues)
  let message = `Invalid input for ${tool}: ${shown.map((i) => `${i.field} ${i.message}`).join('; ')}`
  if (issues.length > shown.length) message += `; and ${issues.length - shown.length} more`
  if (message.length > INPUT_LIMITS.message) message = message.slice(0, INPUT_LIMITS.message - 1) + '…'
  return new AppError('VALIDATION_ERROR', `${message}.`, { details: { fields: shown } })
}

/** Turns Ajv errors into one sentence per field, naming the field and what it accepts (allowed values listed once). */
export function describeIssues (errors: readonly ErrorObject[]): InputIssue[] {
  // A union's own error says everything; its branches' errors at the same place would only repeat it.
  const unionAt = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath))
  const seen = new Set<string>()
  const issues: InputIssue[] = []
  for (const err of errors) {
    if (unionAt.has(err.instancePath) && err.keyword !== 'anyOf' && err.keyword !== 'oneOf') continue
    const issue = describeIssue(err)
    const key = `${issue.field}\u0000${issue.message}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push(issue)
  }
  return issues
}

function describeIssue (err: ErrorObject): InputIssue {
  const at = fieldName(err.instancePath)
  const params = err.params as Record<string, unknown>
  const got = err.data === undefined ? '' : ` (got ${shortJson(err.data)})`
  switch (err.keyword) {
    case 'required':
      return { field: join(at, String(params.missingProperty)), message: 'is required' }
    case 'additionalProperties': {
      const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {})
      return { field: join(at, String(params.additionalProperty)), message: `is not a known field${known.length > 0 ? ` (the fields are ${known.join(', ')})` : ''}` }
    }
    case 'enum':
      return { field: at || '(input)', message: `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}${got}` }
    case 'const':
      return { field: at || '(input)', message: `must be ${shortJson(params.allowedValue)}${got}` }
    case 'type':
      return { field: at || '(input)', message: `must be ${article(String(params.type))}${got === '' ? '' : `, got ${describeValue(err.data)}`}` }
    case 'anyOf':
    case 'oneOf': {
      const branches = ((err.parentSchema as { anyOf?: unknown[], oneOf?: unknown[] } | undefined)?.[err.keyword] ?? []) as Array<Record<string, unknown>>
      return { field: at || '(input)', message: `must be ${branches.map(describeSchema).join(' or ')}${got}` }
    }
    case 'minLength':
      return { field: at, message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long` }
    case 'maxLength':
      return { field: at, message: `must be at most ${String(params.limit)} characters long` }
    case 'maxItems':
      return { field: at, message: `must have at most ${String(params.limit)} items` }
    case 'minimum':
    case 'maximum':
      return { field: at, message: `${err.message ?? 'is out of range'}${got}` }
    default:
      return { field: at || '(input)', message: err.message ?? `fails ${err.keyword}` }
  }
}

function describeSchema (schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(String).join(', ')}`
  if (schema.const !== undefined) return shortJson(schema.const)
  const type = typeof schema.type === 'string' ? schema.type : 'a value'
  if (type === 'integer' || type === 'number') {
    const range = typeof schema.minimum === 'number' && typeof schema.maximum === 'number' ? ` from ${schema.minimum} to ${schema.maximum}` : ''
    return `${article(type)}${range}`
  }
  return article(type)
}

function article (type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function describeValue (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (Number.isInteger(value)) return 'an integer'
  return article(typeof value)
}

function shortJson (value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

function fieldName (pointer: string): string {
  let out = ''
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    out = /^\d+$/.test(seg) ? `${out}[${seg}]` : join(out, seg)
  }
  return out
}

function join (base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`
}
