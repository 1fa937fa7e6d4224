import AjvModule, { type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { TSchema } from '@sinclair/typebox'

/** A tool's answer as every face sends it: only the fields its output schema declares, and whether it matched. */
export interface ShapedOutput {
  value: unknown
  /** The first way the answer differs from the schema (a bug in the tool), or undefined when it matches. */
  problem?: string
}

const Ajv = AjvModule.default
const addFormats = addFormatsModule.default
// Checks only: nothing is coerced, filled in or removed by Ajv (shapeTo below drops undeclared keys without mutating).
const ajv = new Ajv({ strict: false, allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, logger: false })
addFormats(ajv)
const validators = new WeakMap<object, ValidateFunction>()

/**
 * Shapes an answer the way the HTTP face's serializer would (undeclared object keys dropped, as fast-json-stringify
 * does) so that HTTP and MCP send the same data, then checks it against the schema. Copy-on-write: objects without
 * undeclared keys are passed through untouched, so shared data (catalog schemas) is never changed.
 */
export function shapeOutput (schema: TSchema, value: unknown): ShapedOutput {
  const shaped = shapeTo(schema, value)
  let validate = validators.get(schema)
  if (validate === undefined) {
    validate = ajv.compile(schema)
    validators.set(schema, validate)
  }
  if (validate(shaped)) return { value: shaped }
  const first = validate.errors?.[0]
  return { value: shaped, problem: first === undefined ? 'does not match' : `${first.instancePath === '' ? '(answer)' : first.instancePath} ${first.message ?? first.keyword}` }
}

function shapeTo (schema: TSchema, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    const items = (schema as { items?: TSchema }).items
    if (items === undefined || typeof items !== 'object') return value
    let out: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      const next = shapeTo(items, item)
      if (next !== item) {
        out ??= value.slice(0, i)
        out.push(next)
      } else if (out !== undefined) {
        out.push(item)
      }
    }
    return out ?? value
  }
  const properties = (schema as { properties?: Record<string, TSchema> }).properties
  // A schema that names no properties (unknown, a record of anything) keeps the value as it is.
  const additional = (schema as { additionalProperties?: unknown }).additionalProperties
  if (properties === undefined || (additional !== undefined && additional !== false)) return value
  const record = value as Record<string, unknown>
  let out: Record<string, unknown> | undefined
  const keys = Object.keys(record)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const sub = properties[key]
    const item = record[key]
    const next = sub === undefined ? DROP : shapeTo(sub, item)
    if (next !== item) {
      if (out === undefined) {
        out = {}
        for (let j = 0; j < i; j++) out[keys[j] as string] = record[keys[j] as string]
      }
      if (next !== DROP) out[key] = next
    } else if (out !== undefined) {
      out[key] = item
    }
  }
  return out ?? value
}

const DROP = Symbol('drop')
