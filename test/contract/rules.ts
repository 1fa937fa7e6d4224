/**
 * The rules of the tool contract as plain functions over one published tool (name, description, input JSON Schema).
 * Where each rule comes from is written at the top of tool-contract.test.ts; each rule here carries a short `why`
 * that goes into every violation, so a failure says what to change without reading this file.
 */

/** A tool as hosts see it: its input is plain JSON Schema (a TypeBox schema after a JSON round trip). */
export interface ToolUnderTest {
  name: string
  description: string
  input: unknown
}

/** One broken rule: which rule, which tool, where in the input schema (`input.properties.payload`) and what is wrong. */
export interface Violation {
  rule: RuleId
  tool: string
  path: string
  message: string
}

/** Names of the rules, as they appear in test names and messages. */
export type RuleId = 'description-length' | 'name' | 'input-object' | 'typed' | 'no-composition' | 'enum' |
  'no-maps' | 'no-ref' | 'described' | 'gemini-keywords' | 'llama-grammar'

/** One rule of the contract. */
export interface Rule {
  id: RuleId
  /** What the rule holds a tool to, in one line. */
  title: string
  check: (tool: ToolUnderTest) => Violation[]
}

type Json = Record<string, unknown>

/** One schema node met while walking an input schema. */
interface SchemaNode {
  schema: unknown
  path: string
  /** True for a node that is a property of an object (what a model fills in by name). */
  property: boolean
  /** True for a member of anyOf/oneOf/allOf (judged as part of its union, not on its own). */
  member: boolean
  /** The nearest description: the node's own, else that of the property whose `items` it is. */
  described: string | undefined
}

/** The longest description OpenAI accepts (`Invalid 'tools[N].function.description': string too long`). */
export const MAX_DESCRIPTION = 1024

/** llama.cpp's grammar parser refuses a repetition of this many or more (`MAX_REPETITION_THRESHOLD`). */
export const LLAMA_MAX_REPETITION = 2000

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object'])
const COMPOSITION = ['anyOf', 'oneOf', 'allOf', 'not'] as const
const REF_KEYWORDS = ['$ref', '$defs', 'definitions', '$id', '$anchor', '$dynamicRef', '$dynamicAnchor']

// Gemini's Schema object ("a select subset of an OpenAPI 3.0 schema object"); anything else is `Unknown name`.
const GEMINI_KEYWORDS = new Set(['type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems',
  'properties', 'required', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf',
  'propertyOrdering', 'default', 'items', 'minimum', 'maximum'])
const GEMINI_FORMATS: Record<string, readonly string[]> = { string: ['enum', 'date-time'], number: ['float', 'double'], integer: ['int32', 'int64'] }

// llama.cpp's converter: keywords it skips silently (grammars/README.md, "known limitations" and "unsupported").
const LLAMA_SKIPPED = ['patternProperties', 'prefixItems', 'uniqueItems', 'contains', 'minContains', 'maxContains', 'not',
  'if', 'then', 'else', 'dependentSchemas', 'dependentRequired', '$anchor', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems']
const LLAMA_FORMATS = /^(date|time|date-time|uuid[1-5]?)$/
const LLAMA_REPEATED = ['minLength', 'maxLength', 'minItems', 'maxItems'] as const

function isRecord (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function show (value: unknown): string {
  return JSON.stringify(value)
}

/** Every schema node of an input schema, depth first, with its path; follows every keyword that holds a subschema. */
export function * schemaNodes (schema: unknown, path = 'input', property = false, inherited?: string, member = false): Generator<SchemaNode> {
  const own = isRecord(schema) && typeof schema.description === 'string' ? schema.description : undefined
  yield { schema, path, property, member, described: own ?? inherited }
  if (!isRecord(schema)) return
  for (const key of ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'] as const) {
    const map = schema[key]
    if (!isRecord(map)) continue
    for (const [name, sub] of Object.entries(map)) yield * schemaNodes(sub, `${path}.${key}.${name}`, key === 'properties')
  }
  if (Array.isArray(schema.items)) {
    for (const [i, sub] of schema.items.entries()) yield * schemaNodes(sub, `${path}.items[${i}]`)
  } else if (schema.items !== undefined) {
    yield * schemaNodes(schema.items, `${path}.items`, false, own ?? inherited)
  }
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
    const list = schema[key]
    if (Array.isArray(list)) for (const [i, sub] of list.entries()) yield * schemaNodes(sub, `${path}.${key}[${i}]`, false, undefined, key !== 'prefixItems')
  }
  for (const key of ['additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'] as const) {
    if (isRecord(schema[key])) yield * schemaNodes(schema[key], `${path}.${key}`)
  }
}

/** Builds a rule that looks at every node of the input schema. */
function perNode (id: RuleId, title: string, check: (node: SchemaNode, schema: Json) => string[]): Rule {
  return {
    id,
    title,
    check (tool) {
      const out: Violation[] = []
      for (const node of schemaNodes(tool.input)) {
        const messages = isRecord(node.schema) ? check(node, node.schema) : check(node, {})
        for (const message of messages) out.push({ rule: id, tool: tool.name, path: node.path, message })
      }
      return out
    }
  }
}

function isConstant (member: unknown): boolean {
  return isRecord(member) && ('const' in member || (Array.isArray(member.enum) && member.enum.length === 1))
}

function ofType (value: unknown, type: unknown): boolean {
  switch (type) {
    case 'string': return typeof value === 'string'
    case 'integer': return Number.isInteger(value)
    case 'number': return typeof value === 'number' && Number.isFinite(value)
    case 'boolean': return typeof value === 'boolean'
    default: return false
  }
}

function namesValue (description: string, value: unknown): boolean {
  const text = String(value)
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(^|[^A-Za-z0-9_])${escaped}($|[^A-Za-z0-9_])`).test(description)
}

/** Every rule of the contract, in the order the test reports them. */
export const RULES: readonly Rule[] = [
  {
    id: 'description-length',
    title: `the description is 1 to ${MAX_DESCRIPTION.toLocaleString('en')} characters`,
    check (tool) {
      const n = tool.description.length
      if (n === 0) return [{ rule: 'description-length', tool: tool.name, path: 'description', message: 'is empty: hosts show the model nothing about when to use the tool' }]
      if (n <= MAX_DESCRIPTION) return []
      return [{
        rule: 'description-length',
        tool: tool.name,
        path: 'description',
        message: `is ${n.toLocaleString('en')} characters; OpenAI refuses the whole tool list above ${MAX_DESCRIPTION.toLocaleString('en')} ("Invalid 'tools[N].function.description': string too long"): move details into parameter descriptions or describe_endpoint`
      }]
    }
  },
  {
    id: 'name',
    title: 'the name is 1-64 letters, digits, _ or -, starting with a letter or _',
    check (tool) {
      const out: Violation[] = []
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) out.push({ rule: 'name', tool: tool.name, path: 'name', message: `${show(tool.name)} does not match ^[a-zA-Z0-9_-]{1,64}$ (OpenAI and Anthropic refuse it)` })
      else if (!/^[a-zA-Z_]/.test(tool.name)) out.push({ rule: 'name', tool: tool.name, path: 'name', message: `${show(tool.name)} does not start with a letter or an underscore (Gemini refuses it)` })
      return out
    }
  },
  {
    id: 'input-object',
    title: 'the input is an object with `properties`, and `required` names only those properties',
    check (tool) {
      const v = (path: string, message: string): Violation => ({ rule: 'input-object', tool: tool.name, path, message })
      const root = tool.input
      if (!isRecord(root)) return [v('input', 'is not a schema object')]
      const out: Violation[] = []
      if (root.type !== 'object') out.push(v('input.type', `is ${show(root.type)}, not "object": OpenAI answers 'schema must be a JSON Schema of type: "object"' and Anthropic needs an object input_schema`))
      for (const key of ['anyOf', 'oneOf', 'allOf', 'enum', 'not'] as const) {
        if (key in root) out.push(v(`input.${key}`, `${key} at the top level: OpenAI refuses function parameters that are not one plain object`))
      }
      const properties = root.properties
      if (!isRecord(properties)) out.push(v('input.properties', 'is missing: hosts build the argument form from it (an empty object is fine for a tool without arguments)'))
      if (!Array.isArray(root.required)) {
        out.push(v('input.required', 'is missing: give it as an array (empty when nothing is required); strict hosts answer "\'required\' is required to be supplied"'))
      } else {
        const seen = new Set<unknown>()
        for (const name of root.required) {
          if (typeof name !== 'string') out.push(v('input.required', `holds ${show(name)}, not a property name`))
          else if (!isRecord(properties) || !(name in properties)) out.push(v('input.required', `names ${show(name)}, which is not a property: Gemini refuses the declaration`))
          if (seen.has(name)) out.push(v('input.required', `names ${show(name)} twice`))
          seen.add(name)
        }
      }
      return out
    }
  },
  perNode('typed', 'every schema node has one JSON type (and an array its `items`)', (node, s) => {
    if (node.member) return []
    if (!isRecord(node.schema)) return [`is ${show(node.schema)}, not a schema object with a type`]
    if (!('type' in s)) return ['has no "type": OpenAI strict refuses it ("schema must have a \'type\' key"), Gemini has nothing to show, Open WebUI presents it as a string and older llama.cpp converters fail with "Unrecognized schema"']
    if (Array.isArray(s.type)) return [`has the type list ${show(s.type)}: give one type (Gemini and Open WebUI read a single type; leave a property out of required instead of adding "null")`]
    if (typeof s.type !== 'string' || !JSON_TYPES.has(s.type)) return [`has the type ${show(s.type)}, not one of ${[...JSON_TYPES].join(', ')}`]
    if (s.type === 'array' && !isRecord(s.items)) return ['is an array without an "items" schema: OpenAI answers "array schema missing items"']
    return []
  }),
  perNode('no-composition', 'no anyOf, oneOf, allOf or not (an enum is one `enum` on a typed node)', (_node, s) => {
    const out: string[] = []
    for (const key of COMPOSITION) {
      const members = s[key]
      if (members === undefined) continue
      if (Array.isArray(members) && members.length > 0 && members.every(isConstant)) {
        out.push(`is an ${key} of constants: publish one "enum" on a typed node instead (Open WebUI's browser side keeps anyOf but loses the values' meaning, older Gemini refuses unions)`)
      } else {
        out.push(`uses ${key}: older Gemini refuses unions ("Gemini does not allow union type"), OpenAI strict refuses oneOf/allOf/not and llama.cpp cannot mix anyOf/oneOf with properties`)
      }
    }
    return out
  }),
  perNode('enum', 'an enum is one `enum` of strings on a string node, and the description names every value', (node, s) => {
    if (node.member) return []
    const out: string[] = []
    if ('const' in s) out.push(`uses "const" ${show(s.const)}: publish "enum": [${show(s.const)}] on a typed node (Gemini and Ollama have no const)`)
    if (!('enum' in s)) return out
    const values = s.enum
    if (!Array.isArray(values) || values.length === 0) return [...out, `has "enum" ${show(values)}, not a non-empty list`]
    if (new Set(values.map((x) => show(x))).size !== values.length) out.push('lists a value twice in "enum"')
    const wrong = values.filter((x) => !ofType(x, s.type))
    if (wrong.length > 0) out.push(`has enum values ${show(wrong)} that are not of the node's type ${show(s.type)}`)
    if (s.type !== 'string') out.push(`is an enum of type ${show(s.type)}: Gemini's enum holds strings only`)
    const missing = node.described === undefined ? values : values.filter((x) => !namesValue(node.described as string, x))
    if (missing.length > 0) out.push(`its description does not name ${show(missing)}: Open WebUI's browser side drops "enum", so the description is all the model sees`)
    return out
  }),
  perNode('no-maps', 'no free-form maps: no patternProperties, additionalProperties only `false`, objects list their properties', (node, s) => {
    const out: string[] = []
    if ('patternProperties' in s) out.push('uses patternProperties (a map): OpenAI strict, Gemini and Anthropic strict refuse it, Ollama drops it and llama.cpp skips it; take a list or a string the tool parses')
    if ('additionalProperties' in s && s.additionalProperties !== false) {
      out.push(`has "additionalProperties": ${isRecord(s.additionalProperties) ? 'a schema (a map of values)' : show(s.additionalProperties)}: OpenAI strict needs false, Gemini has no such field and Ollama drops the values' schema`)
    }
    if (s.type === 'object' && !isRecord(s.properties) && node.path !== 'input') out.push('is an object without "properties": a free-form object no converter can describe to the model')
    return out
  }),
  perNode('no-ref', 'no $ref, $defs or $id: every schema is inline', (_node, s) => {
    return REF_KEYWORDS.filter((k) => k in s).map((k) => `uses ${k}: older Gemini has no references, llama.cpp breaks on nested ones and Open WebUI's browser side does not resolve them`)
  }),
  perNode('described', 'every property has a description', (node, s) => {
    if (!node.property) return []
    return typeof s.description === 'string' && s.description.trim() !== '' ? [] : ['has no description: hosts show the model only name, type and description']
  }),
  perNode('gemini-keywords', 'after dropping additionalProperties, only keywords of Gemini\'s Schema object (and its formats)', (_node, s) => {
    const out: string[] = []
    const unknown = Object.keys(s).filter((k) => k !== 'additionalProperties' && !GEMINI_KEYWORDS.has(k))
    if (unknown.length > 0) out.push(`uses ${unknown.map((k) => show(k)).join(', ')}, not in Gemini's Schema object: Gemini answers 'Invalid JSON payload received. Unknown name'`)
    if (typeof s.format === 'string') {
      const allowed = GEMINI_FORMATS[String(s.type)] ?? []
      if (!allowed.includes(s.format)) out.push(`has the format ${show(s.format)}, which Gemini does not support for ${show(s.type)} (it does: ${allowed.join(', ') || 'none'})`)
    }
    return out
  }),
  perNode('llama-grammar', 'llama.cpp\'s JSON-schema-to-grammar converter turns it into a grammar that enforces it', (_node, s) => {
    const out: string[] = []
    const skipped = LLAMA_SKIPPED.filter((k) => k in s)
    if (skipped.length > 0) out.push(`uses ${skipped.join(', ')}, which llama.cpp's converter skips silently`)
    if (isRecord(s.properties) && ('anyOf' in s || 'oneOf' in s)) out.push('mixes properties with anyOf/oneOf, which llama.cpp\'s converter cannot do (ggml-org/llama.cpp#7703)')
    if (typeof s.pattern === 'string' && !(s.pattern.startsWith('^') && s.pattern.endsWith('$'))) out.push(`has the pattern ${show(s.pattern)}: llama.cpp needs patterns that start with ^ and end with $`)
    if (typeof s.format === 'string' && (s.type === 'string' || s.type === undefined) && !LLAMA_FORMATS.test(s.format)) out.push(`has the format ${show(s.format)}, which llama.cpp ignores (it knows date, time, date-time and uuid)`)
    if (s.type === 'number' && ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].some((k) => k in s)) out.push('bounds a "number", which llama.cpp enforces only for "integer"')
    for (const key of LLAMA_REPEATED) {
      const n = s[key]
      if (typeof n === 'number' && n >= LLAMA_MAX_REPETITION) {
        out.push(`has ${key} ${n}: llama.cpp's grammar parser refuses repetitions of ${LLAMA_MAX_REPETITION} or more ("number of repetitions exceeds sane defaults"), and because every tool shares one grammar, every tool call fails on llama.cpp hosts; check the size in the tool and say it in the description`)
      }
    }
    return out
  })
]

/** Every violation of every rule by one tool. */
export function checkTool (tool: ToolUnderTest): Violation[] {
  return RULES.flatMap((rule) => rule.check(tool))
}
