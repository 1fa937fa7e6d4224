import type { TObject } from '@sinclair/typebox'
import { AppError } from '../src/errors/app-error.js'
import { validationError, type InputIssue } from '../src/gate/normalise.js'

type Property = Record<string, unknown>

const SCALARS = new Set(['string', 'integer', 'number', 'boolean'])

const INTEGER = /^[-+]?\d{1,16}$/
const NUMBER = /^[-+]?(?:\d{1,32}(?:\.\d{0,32})?|\.\d{1,32})(?:[eE][-+]?\d{1,3})?$/

/**
 * Whether a tool is published with its arguments as `in: query` parameters and no request body: nothing is
 * required and every argument is one string, number or boolean.
 */
export function takesQueryArguments (input: TObject): boolean {
  // Open WebUI refuses to call an operation with a request body and no arguments ("Request body expected"), so a
  // tool that can be called with none has no body. Arrays and objects stay in a body: Open WebUI writes a query
  // value with Python's str() and no encoding, so `['a', 'b']` is what such an argument would arrive as.
  const properties = Object.values(input.properties ?? {}) as Property[]
  return (input.required ?? []).length === 0 && properties.every((p) => typeof p.type === 'string' && SCALARS.has(p.type))
}

/** The `in: query` parameters of such a tool, shaped as @fastify/swagger shapes them from a route's querystring schema. */
export function queryParameters (input: TObject): Array<Record<string, unknown>> {
  const required = new Set(input.required ?? [])
  return Object.entries(input.properties as Record<string, Property>).map(([name, prop]) => {
    const { description, ...schema } = JSON.parse(JSON.stringify(prop)) as Property
    return { schema, in: 'query', name, required: required.has(name), ...(description === undefined ? {} : { description }) }
  })
}

function shortName (name: string): string {
  return name.length > 64 ? `${name.slice(0, 63)}…` : name
}

function got (value: string): string {
  return ` (got ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`
}

// A query value read as its argument's type; a string left as it is (the gate checks it), or the issue.
function coerce (prop: Property, value: string): { value?: unknown, issue?: string } {
  // Strict-mode hosts send null for every argument the model leaves out, and a query string can only spell it.
  if (value === 'null' || value === 'None') return {}
  if (prop.type === 'string') return { value }
  if (value === '') return {}
  switch (prop.type) {
    case 'boolean': {
      const lower = value.toLowerCase()
      if (lower === 'true' || lower === 'false') return { value: lower === 'true' }
      return { issue: `must be true or false${got(value)}` }
    }
    case 'integer': {
      const n = Number(value)
      if (INTEGER.test(value) && Number.isSafeInteger(n)) return { value: n }
      return { issue: `must be a whole number, e.g. 20${got(value)}` }
    }
    default: {
      const n = Number(value)
      if (NUMBER.test(value) && Number.isFinite(n)) return { value: n }
      return { issue: `must be a number${got(value)}` }
    }
  }
}

/**
 * A tool's raw input from its query string: each value read as its argument's type ("true"/"false" in any case,
 * whole numbers, numbers), strings as sent. "null" and "None" (JSON's and Python's null: Open WebUI writes values
 * with str()) mean not given, and so does an empty number or boolean; a string "null" can be sent in a body. A value
 * of the wrong form or given twice is a 400 naming the field; anything else (bounds, enums, unknown names) is left
 * for the gate to judge, as it judges a body.
 */
export function queryInput (tool: string, input: TObject, query: Record<string, unknown>): Record<string, unknown> {
  const properties = input.properties as Record<string, Property>
  const out: Record<string, unknown> = {}
  const issues: InputIssue[] = []
  for (const [name, value] of Object.entries(query)) {
    const prop = Object.hasOwn(properties, name) ? properties[name] : undefined
    if (prop !== undefined && typeof value !== 'string') {
      issues.push({ field: name, message: 'must be given once in the query string' })
      continue
    }
    const read = prop === undefined ? { value } : coerce(prop, value as string)
    if (read.issue !== undefined) issues.push({ field: name, message: `${read.issue} in the query string` })
    // defineProperty: a name such as __proto__ stays an argument the gate sees (and refuses), not a prototype.
    else if ('value' in read) Object.defineProperty(out, name, { value: read.value, enumerable: true, writable: true, configurable: true })
  }
  if (issues.length > 0) throw validationError(tool, issues)
  return out
}

function isEmptyBody (body: unknown): boolean {
  if (body === undefined || body === null) return true
  return typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0
}

/**
 * What the gate gets for an HTTP call: the JSON body, or for a tool published with query parameters its query
 * string (Open WebUI sends those with the body `{}`). Arguments in both places, or a query string for a tool whose
 * arguments are a body, are a 400: nothing sent is silently left out.
 */
export function httpInput (tool: string, queryForm: TObject | undefined, query: unknown, body: unknown): unknown {
  const names = query !== null && typeof query === 'object' ? Object.keys(query) : []
  if (names.length === 0) return body
  if (queryForm === undefined) {
    throw validationError(tool, names.map((name) => ({ field: shortName(name), message: 'belongs in the JSON body, not in the query string' })))
  }
  if (!isEmptyBody(body)) {
    throw new AppError('VALIDATION_ERROR', `Invalid input for ${tool}: send its arguments in the query string or in the JSON body, not both.`, 400,
      { details: { fields: [{ field: '(input)', message: 'arguments were given in both the query string and the body' }] } })
  }
  return queryInput(tool, queryForm, query as Record<string, unknown>)
}
