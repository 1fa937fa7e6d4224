/** A JSON Schema (OpenAPI flavour) as plain data. */
export type JsonSchema = Record<string, unknown>

/** True for a plain JSON object (not an array, not null). */
export function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads a local JSON pointer (`#/components/schemas/X`) out of a document; undefined when it leads nowhere. */
export function readPointer (document: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#')) return undefined
  const parts = pointer.slice(1).split('/').slice(1).map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'))
  let node: unknown = document
  for (const part of parts) {
    if (Array.isArray(node)) node = node[Number(part)]
    else if (isRecord(node)) node = node[part]
    else return undefined
  }
  return node
}

// Keywords whose value is a map of name -> subschema, or a subschema, or a list of subschemas.
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'])
const SCHEMA_VALUES = new Set(['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems'])
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems'])

/**
 * Copies a schema with every local `$ref` inlined and single-purpose `allOf`s merged, so nothing refers anywhere.
 * A reference back into itself is replaced by an open schema marked `x-recursive-ref`.
 */
export function resolveSchema (schema: unknown, document: unknown, stack: string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((s) => resolveSchema(s, document, stack))
  if (!isRecord(schema)) return schema
  let node: Record<string, unknown> = schema
  let nextStack = stack
  if (typeof node.$ref === 'string') {
    const ref = node.$ref
    if (stack.includes(ref)) return { 'x-recursive-ref': ref, description: `Same shape as ${ref.split('/').pop() ?? ref} (recursive, not expanded).` }
    const target = readPointer(document, ref)
    if (!isRecord(target)) throw new Error(`$ref ${ref} does not resolve`)
    // OpenAPI 3.0 ignores siblings of $ref, but 3.1 and real-world files use them for descriptions: keep them.
    const { $ref: _ignored, ...siblings } = node
    node = { ...target, ...siblings }
    nextStack = [...stack, ref]
    if (typeof node.$ref === 'string') return resolveSchema(node, document, nextStack)
  }
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (SCHEMA_MAPS.has(key) && isRecord(value)) {
      const map: Record<string, unknown> = {}
      for (const [name, sub] of Object.entries(value)) map[name] = resolveSchema(sub, document, nextStack)
      out[key] = map
    } else if (SCHEMA_VALUES.has(key) && (isRecord(value) || Array.isArray(value))) {
      out[key] = resolveSchema(value, document, nextStack)
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((s) => resolveSchema(s, document, nextStack))
    } else {
      out[key] = value
    }
  }
  return mergeAllOf(out)
}

// Merges `allOf` parts into their parent when that loses nothing a client needs: properties, required and flags.
function mergeAllOf (schema: Record<string, unknown>): Record<string, unknown> {
  const parts = schema.allOf
  if (!Array.isArray(parts) || !parts.every(isRecord)) return schema
  const { allOf: _parts, ...rest } = schema
  let merged: Record<string, unknown> = {}
  for (const part of parts) merged = mergeTwo(merged, part)
  return mergeTwo(merged, rest)
}

function mergeTwo (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a }
  for (const [key, value] of Object.entries(b)) {
    if (key === 'properties' && isRecord(value) && isRecord(out.properties)) {
      out.properties = { ...out.properties, ...value }
    } else if (key === 'required' && Array.isArray(value) && Array.isArray(out.required)) {
      out.required = [...new Set([...out.required, ...value])]
    } else {
      out[key] = value
    }
  }
  return out
}

/** True when the value holds a `$ref` anywhere. */
export function hasRef (value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasRef)
  if (!isRecord(value)) return false
  return Object.entries(value).some(([key, v]) => key === '$ref' || hasRef(v))
}

/** Every `$ref` string in a document, with where it sits (a JSON pointer). */
export function collectRefs (value: unknown, at = '#'): Array<{ at: string, ref: string }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => collectRefs(v, `${at}/${i}`))
  if (!isRecord(value)) return []
  const found: Array<{ at: string, ref: string }> = []
  for (const [key, v] of Object.entries(value)) {
    if (key === '$ref' && typeof v === 'string') found.push({ at, ref: v })
    else found.push(...collectRefs(v, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`))
  }
  return found
}

/** The schema's type as a word: its `type` (first non-null of a list), or what its shape implies. */
export function schemaType (schema: JsonSchema): string {
  const t = schema.type
  if (typeof t === 'string') return t
  if (Array.isArray(t)) return t.filter((x) => x !== 'null').join(' | ') || 'null'
  if (isRecord(schema.properties)) return 'object'
  if (schema.items !== undefined) return 'array'
  if (Array.isArray(schema.enum)) return typeof schema.enum[0]
  if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) return 'oneOf'
  return 'any'
}
