/**
 * Runs our tools through @samchon/openapi's LLM function-calling composers, the converters agent frameworks use to
 * turn an OpenAPI document or MCP tools into function schemas for a given model, and collects what each refuses.
 * What every composer refuses is listed at the top of tool-contract.test.ts.
 */
import { HttpLlm as HttpLlm6, McpLlm } from '@samchon/openapi'
import { HttpLlm as HttpLlm4, OpenApi as OpenApi4 } from 'samchon-openapi-v4'

/** The models @samchon/openapi 4.x has its own schema composer for. */
export const LLM_MODELS = ['chatgpt', 'claude', 'gemini', 'llama', 'deepseek', '3.0', '3.1'] as const

/** What one converter said about one tool: nothing when the tool converted. */
export interface ConversionProblem {
  converter: string
  tool: string
  messages: string[]
}

/** A tool as MCP's `tools/list` gives it. */
export interface McpToolShape {
  name: string
  description: string
  inputSchema: unknown
}

type Json = Record<string, unknown>
type Document4 = Parameters<typeof OpenApi4.convert>[0]
type Document6 = Parameters<typeof HttpLlm6.application>[0]['document']
type PathItem = Record<string, Json>

function isRecord (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A model of what OpenAI's Responses API does before strict mode ("normalize your schema into strict mode when
 * possible"): every property becomes required, the optional ones accept null (which is why hosts then send `null`
 * for arguments they leave out), and objects without `additionalProperties` are closed. Maps and untyped nodes are
 * left as they are: those are what make the normalisation fail, and the call then falls back to non-strict.
 */
export function strictNormalised (schema: unknown, nullable: (s: unknown) => unknown): unknown {
  if (!isRecord(schema)) return schema
  const out: Json = { ...schema }
  if (isRecord(out.properties)) {
    const required = new Set(Array.isArray(out.required) ? out.required : [])
    const properties = Object.fromEntries(Object.entries(out.properties).map(([name, sub]) => {
      const strict = strictNormalised(sub, nullable)
      return [name, required.has(name) ? strict : nullable(strict)]
    }))
    out.properties = properties
    out.required = Object.keys(properties)
    if (!('additionalProperties' in out)) out.additionalProperties = false
  }
  if (out.items !== undefined) out.items = strictNormalised(out.items, nullable)
  if (isRecord(out.additionalProperties)) out.additionalProperties = strictNormalised(out.additionalProperties, nullable)
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = out[key]
    if (Array.isArray(list)) out[key] = list.map((s) => strictNormalised(s, nullable))
  }
  return out
}

// OpenAPI 3.0 says "may be null" with nullable; JSON Schema (MCP) with a union that includes null.
const nullableOpenApi30 = (s: unknown): unknown => isRecord(s) ? { ...s, nullable: true } : s
const nullableJsonSchema = (s: unknown): unknown => isRecord(s) && typeof s.type === 'string'
  ? { ...s, type: [s.type, 'null'] }
  : { anyOf: [s, { type: 'null' }], ...(isRecord(s) && typeof s.description === 'string' ? { description: s.description } : {}) }

/**
 * The document as a strict host would send it: request bodies and query parameters normalised for strict mode, and no answer schemas,
 * because strict mode constrains the arguments a model writes, never what a tool answers.
 */
function strictDocument (document: Json): Json {
  const doc = structuredClone(document)
  for (const item of Object.values(isRecord(doc.paths) ? doc.paths as Record<string, PathItem> : {})) {
    for (const op of Object.values(item)) {
      if (!isRecord(op)) continue
      const media = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content?.['application/json']
      if (media?.schema !== undefined) media.schema = strictNormalised(media.schema, nullableOpenApi30)
      // Query parameters are properties of the function's arguments too: every one required, the optional ones
      // nullable (hosts then put `null` in the query string, which the route reads as not given).
      if (Array.isArray(op.parameters)) {
        op.parameters = op.parameters.map((p: Json) => p.in !== 'query' || p.required === true
          ? p
          : { ...p, required: true, schema: nullableOpenApi30(strictNormalised(p.schema, nullableOpenApi30)) })
      }
      op.responses = { 200: { description: 'Not sent to the model in strict mode.' } }
    }
  }
  return doc
}

interface Converted {
  functions: Array<{ path: string }>
  errors: Array<{ path: string, messages: string[] }>
}

function problemsOf (converter: string, converted: Converted, tools: readonly string[]): ConversionProblem[] {
  const out: ConversionProblem[] = []
  for (const tool of tools) {
    const path = `/${tool}`
    const messages = converted.errors.filter((e) => e.path === path).flatMap((e) => e.messages)
    if (messages.length === 0 && !converted.functions.some((f) => f.path === path)) messages.push('the tool is missing from the converted functions')
    if (messages.length > 0) out.push({ converter, tool, messages })
  }
  return out
}

/**
 * Converts one OpenAPI document (as /openapi.json serves it) with every composer: @samchon/openapi 4.x per model,
 * its ChatGPT composer in strict mode, and @samchon/openapi 6.x (one schema for every model) loose and strict.
 * Answers what each refused about each of the named tools (their operations are `POST /<tool>`).
 */
export function convertDocument (document: Json, tools: readonly string[]): ConversionProblem[] {
  const emended = OpenApi4.convert(structuredClone(document) as unknown as Document4)
  const strict = strictDocument(document)
  const strictEmended = OpenApi4.convert(strict as unknown as Document4)
  const runs: Array<[string, () => Converted]> = [
    ...LLM_MODELS.map((model): [string, () => Converted] => [`@samchon/openapi@4 HttpLlm model=${model}`, () => HttpLlm4.application({ model, document: emended })]),
    ['@samchon/openapi@4 HttpLlm model=chatgpt strict', () => HttpLlm4.application({ model: 'chatgpt', document: strictEmended, options: { strict: true, reference: true } })],
    ['@samchon/openapi@6 HttpLlm', () => HttpLlm6.application({ document: structuredClone(document) as unknown as Document6 })],
    ['@samchon/openapi@6 HttpLlm strict', () => HttpLlm6.application({ document: strict as unknown as Document6, config: { strict: true } })]
  ]
  return runs.flatMap(([name, run]) => problemsOf(name, run(), tools))
}

/** Converts the tools as MCP publishes them with @samchon/openapi 6.x's McpLlm, loose and after strict normalisation. */
export function convertMcpTools (tools: readonly McpToolShape[]): ConversionProblem[] {
  const out: ConversionProblem[] = []
  const runs: Array<[string, boolean]> = [['@samchon/openapi@6 McpLlm', false], ['@samchon/openapi@6 McpLlm strict', true]]
  for (const [converter, strict] of runs) {
    const given = tools.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: (strict ? strictNormalised(structuredClone(t.inputSchema), nullableJsonSchema) : structuredClone(t.inputSchema)) as Parameters<typeof McpLlm.application>[0]['tools'][number]['inputSchema']
    }))
    const app = McpLlm.application({ tools: given, config: { strict } })
    for (const t of tools) {
      const messages = app.errors.filter((e) => e.name === t.name).flatMap((e) => e.messages)
      if (messages.length === 0 && !app.functions.some((f) => f.name === t.name)) messages.push('the tool is missing from the converted functions')
      if (messages.length > 0) out.push({ converter, tool: t.name, messages })
    }
  }
  return out
}
