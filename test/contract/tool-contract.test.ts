/*
 * The tool contract: every tool the gate publishes, for every role in every mode, through both faces (the MCP tool
 * list and the OpenAPI document at /openapi.json), is held to the subset of JSON Schema that OpenAI function calling
 * (including strict mode and the Responses API), Anthropic, Gemini function declarations, Ollama, llama.cpp's
 * JSON-schema-to-grammar converter and Open WebUI all accept. New tools, roles and modes are covered without a change
 * here; a new configuration axis that changes the tool list (TOOLSETS, issue 13) is one line in AXES below.
 *
 * Rules (test/contract/rules.ts), each with where it comes from:
 * - description-length: at most 1,024 characters. OpenAI refuses the whole request above that: `Invalid
 *   'tools[N].function.description': string too long. Expected a string with maximum length 1024`; @samchon/openapi's
 *   composers refuse it too ("The description of the function is too long"), counting the summary as well.
 * - name: ^[a-zA-Z0-9_-]{1,64}$ (OpenAI's `tools[N].function.name` pattern; Anthropic's tool name pattern), starting
 *   with a letter or underscore (Gemini's FunctionDeclaration.name; @samchon/openapi refuses a leading digit).
 * - input-object: the input is `type: "object"` with `properties` and a `required` array naming only those properties.
 *   OpenAI: 'schema must be a JSON Schema of type: "object"' and no anyOf/oneOf/allOf/enum/not at the top level;
 *   Anthropic: input_schema must be an object; strict mode: "'required' is required to be supplied"; Gemini refuses a
 *   `required` entry that is not a property.
 * - typed: every node has one `type` from string, number, integer, boolean, array, object, and an array has `items`.
 *   OpenAI strict / Responses API: "schema must have a 'type' key"; OpenAI: "array schema missing items"; Gemini's
 *   Schema.type is a single enum value (no type lists); Open WebUI's backend (tools.py) presents an untyped parameter
 *   as a string; llama.cpp's converter ends in "Unrecognized schema" for a node it cannot type (newer builds read it
 *   as "any JSON value", which constrains nothing).
 * - no-composition: no anyOf/oneOf/allOf/not, and in particular no anyOf of constants for an enum. Gemini function
 *   declarations before Nov 2025 had no unions (@samchon/openapi's Gemini composer: "Gemini does not allow union
 *   type"); OpenAI strict supports anyOf only; llama.cpp cannot mix anyOf/oneOf with properties (#7703).
 * - enum: one `enum` keyword on a `type: "string"` node, values unique and of that type, no `const`; Gemini's
 *   Schema.enum is a list of strings and it has no `const`. Open WebUI's browser-side connection code keeps only
 *   type, description, properties, required, items and anyOf of a parameter and drops `enum`, so the description
 *   (the node's, or its property's for array items) must name every value.
 * - no-maps: no patternProperties, `additionalProperties` only false, and every nested object lists its properties.
 *   OpenAI strict needs `additionalProperties: false` everywhere; Gemini has no additionalProperties (hosts drop it,
 *   the values' schema is lost) and @samchon/openapi's Gemini and strict composers refuse it; Anthropic strict
 *   refuses maps; Ollama's tool schema (api.ToolProperty) has no place for them and drops them; llama.cpp skips
 *   patternProperties.
 * - no-ref: no $ref/$defs/$id. Older Gemini has no references; llama.cpp breaks on nested $refs (#8073); Open WebUI's
 *   browser side does not resolve them; our ToolDefinition says nothing is a $ref.
 * - described: every property has a description; it is all most hosts show besides name and type.
 * - gemini-keywords: after dropping additionalProperties (as Gemini hosts do), only keywords of Gemini's Schema object
 *   (type, format, title, description, nullable, enum, maxItems, minItems, properties, required, minProperties,
 *   maxProperties, minLength, maxLength, pattern, example, anyOf, propertyOrdering, default, items, minimum, maximum;
 *   ai.google.dev/api/caching#Schema), and only its formats (string: enum, date-time; number: float, double; integer:
 *   int32, int64). Anything else is `Invalid JSON payload received. Unknown name "..."`.
 * - llama-grammar: what llama.cpp's converter (common/json-schema-to-grammar.cpp, examples/json_schema_to_grammar.py;
 *   limits in grammars/README.md) turns into a grammar that enforces the schema: none of the keywords it skips
 *   silently (patternProperties, prefixItems, uniqueItems, contains, not, if/then/else, dependentSchemas, ...),
 *   patterns anchored with ^...$, string formats it knows (date, time, date-time, uuid; not uri or email), bounds only
 *   on integers (not numbers), no properties mixed with anyOf/oneOf, and no minLength/maxLength/minItems/maxItems of
 *   2,000 or more: src/llama-grammar.cpp refuses repetitions at MAX_REPETITION_THRESHOLD (2000) with "number of
 *   repetitions exceeds sane defaults" (ggml-org/llama.cpp#25746, #27859), and since every tool of a request is
 *   compiled into one grammar, one such field fails every tool call on llama-server, LM Studio and Jan.
 * Untyped nodes are judged by `typed` (the same for llama.cpp) and $refs by `no-ref`.
 *
 * Converters (test/contract/converters.ts): @samchon/openapi, the schema composers of the typia/nestia/Agentica
 * agent stack. 6.x folded its per-model composers into one ILlmSchema, so 4.7 (the last line with a composer per
 * model, the dev dependency `samchon-openapi-v4`) runs alongside it. None of them sees patternProperties (they drop
 * it without a word, as Ollama does), which is one reason for the hand-written rules:
 * - 4.x `HttpLlm.application({ model, document })` over each role's /openapi.json, for every model it knows:
 *   chatgpt, claude, llama, deepseek and 3.1 (the JSON Schema 3.1 composer) refuse parameters that are not an
 *   object, additionalProperties on the parameters object, tuples and unresolvable $refs; 3.0 (OpenAPI 3.0 schema)
 *   also bounds recursion; gemini also refuses additionalProperties anywhere and unions of different types, in
 *   request and answer schemas. All refuse a summary plus description over 1,024 characters and names outside
 *   [a-zA-Z0-9_-] or starting with a digit.
 * - 4.x chatgpt with `strict: true` and 6.x `HttpLlm.application({ config: { strict: true } })`: refuse maps
 *   (additionalProperties) and optional properties. OpenAI's Responses API normalises a schema into strict mode
 *   when it can (every property required, optional ones nullable), so these run on that normalisation
 *   (strictNormalised); what still fails is what makes OpenAI fall back to non-strict. Answer schemas are left out:
 *   strict mode constrains arguments only.
 * - 6.x `HttpLlm.application` (one schema for OpenAI, Claude, Qwen, Llama...): the common refusals above.
 * - 6.x `McpLlm.application` over the tools as MCP lists them, loose and strict-normalised: non-object input,
 *   root additionalProperties, tuples, unresolved $refs (and maps/optional properties when strict).
 * - Open WebUI's backend (backend/open_webui/utils/tools.py, ported in test/contract/open-webui.ts): what
 *   `convert_openapi_to_tool_payload` shows the model is held to the rules, and `execute_tool_server` must send a
 *   call with `{}` to every tool that needs no argument (it refuses an operation with a request body and no
 *   arguments: "Request body expected for operation '...' but none found."). open-webui.test.ts sends such calls.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { buildApp } from '../../src/app.js'
import { buildGate } from '../../src/faces/gate.js'
import type { Gate } from '../../src/gate/gate.js'
import { ROLES, type Role } from '../../src/gate/identity.js'
import { CONFIRM_VIA, SCALE_MODES } from '../../src/gate/policy.js'
import { TOOLSETS } from '../../src/tools/support/toolsets.js'
import { scratchFile, testCatalog, testConfig } from '../helper.js'
import { convertDocument, convertMcpTools, LLM_MODELS, type ConversionProblem, type McpToolShape } from './converters.js'
import { openWebUiRequest, openWebUiSpecs } from './open-webui.js'
import { Fleet } from '../../src/fleet/fleet.js'
import { operationInput, type ToolOperation } from './openapi-input.js'
import { checkTool, MAX_DESCRIPTION, RULES, type RuleId, type ToolUnderTest, type Violation } from './rules.js'

/** Every configuration variable that changes which tools are published or how; every combination of values is checked. */
const AXES: Record<string, readonly string[]> = {
  SCALE_MODE: SCALE_MODES,
  // Decides whether destructive tools grow a `confirm` argument.
  CONFIRM_VIA,
  // Picks which tools are published at all.
  TOOLSETS: [...TOOLSETS, 'all'],
  // Not a variable: a server in front of several clusters publishes the fleet tools and `cluster` on every tool.
  FLEET: ['one', 'several']
}

/** One bearer token per role, so /openapi.json can be fetched as each role sees it. */
const TOKENS: Record<Role, string> = {
  reader: 'contract-reader-token-0123456789',
  operator: 'contract-operator-token-0123456789',
  admin: 'contract-admin-token-0123456789',
  approver: 'contract-approver-token-0123456789'
}

/** What one caller is shown in one configuration, through both faces. */
interface View {
  label: string
  role: Role
  /** The MCP face: the gate's published tools, input as plain JSON Schema. */
  mcp: ToolUnderTest[]
  /** The HTTP face: one tool per POST operation of /openapi.json, input from its request body or query parameters. */
  openapi: ToolUnderTest[]
  document: Record<string, unknown>
}

/** Every combination of the values of AXES. */
function configurations (): Array<Record<string, string>> {
  let out: Array<Record<string, string>> = [{}]
  for (const [name, values] of Object.entries(AXES)) out = out.flatMap((env) => values.map((value) => ({ ...env, [name]: value })))
  return out
}

function authFile (): string {
  const file = scratchFile('contract-auth.yaml')
  writeFileSync(file, ['callers:', ...ROLES.map((role) => `  - { name: contract-${role}, role: ${role}, token: ${TOKENS[role]} }`), ''].join('\n'))
  return file
}

function plain (schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema))
}

function openapiTools (document: Record<string, unknown>): ToolUnderTest[] {
  const out: ToolUnderTest[] = []
  const paths = (document.paths ?? {}) as Record<string, Record<string, ToolOperation & { operationId?: string, description?: string }>>
  for (const item of Object.values(paths)) {
    const op = item.post
    if (op?.operationId === undefined) continue
    out.push({ name: op.operationId, description: op.description ?? '', input: operationInput(op) })
  }
  return out
}

const views: View[] = []
const closers: Array<() => Promise<unknown>> = []

before(async () => {
  const catalog = await testCatalog()
  const deps = { catalog, clusterInfo: { mode: 'none' as const, cluster: null } }
  const auth = authFile()
  for (const env of configurations()) {
    const { FLEET: clusters, ...vars } = env
    // Known, never connected to: what is published depends on how many clusters there are, not on reaching them.
    const fleet = clusters === 'several' ? { fleet: new Fleet([{ name: 'store-01', host: '127.0.0.1:1' }, { name: 'store-02', host: '127.0.0.1:2' }]) } : {}
    // An LLM configured (never called) so `ask` is published and checked too.
    const config = testConfig({ AUTH_FILE: auth, LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'contract-model', ...vars })
    const gate: Gate = buildGate(config, { ...deps, ...fleet }, undefined)
    const app: FastifyInstance = await buildApp(config, { ...deps, ...fleet }, { swaggerUi: false })
    closers.push(async () => await gate.close(), async () => await app.close())
    await app.ready()
    const label = Object.values(env).join(',')
    for (const role of ROLES) {
      const res = await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Bearer ${TOKENS[role]}` } })
      assert.equal(res.statusCode, 200, `GET /openapi.json as ${role} in ${label}: ${res.body}`)
      const document = res.json() as Record<string, unknown>
      views.push({
        label: `${label}/${role}`,
        role,
        mcp: gate.published(role).map((t) => ({ name: t.name, description: t.description, input: plain(t.input) })),
        openapi: openapiTools(document),
        document
      })
    }
  }
})

after(async () => {
  for (const close of closers) await close()
})

/** Groups identical findings and says in which views they occur (all of a tool's views, or the list). */
function report<T> (findings: Array<{ view: string, tool: string, key: string, item: T }>, line: (item: T) => string, faces: ReadonlyArray<'mcp' | 'openapi'> = ['mcp', 'openapi']): string {
  const seen = new Map<string, { tool: string, item: T, views: Set<string> }>()
  const toolViews = new Map<string, Set<string>>()
  for (const view of views) {
    for (const face of faces) {
      for (const t of view[face]) toolViews.set(t.name, (toolViews.get(t.name) ?? new Set()).add(`${view.label} ${face}`))
    }
  }
  for (const f of findings) {
    const entry = seen.get(f.key) ?? { tool: f.tool, item: f.item, views: new Set<string>() }
    entry.views.add(f.view)
    seen.set(f.key, entry)
  }
  const lines = [...seen.values()].map(({ tool, item, views: where }) => {
    const all = toolViews.get(tool)?.size ?? 0
    const place = where.size >= all && all > 0 ? `every view of ${tool} (${all})` : [...where].sort().join('; ')
    return `- ${line(item)}\n    in: ${place}`
  })
  return `${seen.size} problem(s):\n${lines.join('\n')}`
}

function violationsOf (rule: RuleId): Array<{ view: string, tool: string, key: string, item: Violation }> {
  const out: Array<{ view: string, tool: string, key: string, item: Violation }> = []
  const check = RULES.find((r) => r.id === rule)?.check
  assert.ok(check !== undefined, `no rule ${rule}`)
  for (const view of views) {
    for (const face of ['mcp', 'openapi'] as const) {
      for (const tool of view[face]) {
        for (const v of check(tool)) out.push({ view: `${view.label} ${face}`, tool: v.tool, key: `${v.tool} ${v.path} ${v.message}`, item: v })
      }
    }
  }
  return out
}

const showViolation = (v: Violation): string => `${v.tool} ${v.path} [${v.rule}]: ${v.message}`

test('in front of several clusters the fleet tools are among those checked, and the cluster tools take `cluster`', () => {
  const fleetViews = views.filter((v) => v.label.endsWith(`,several/${v.role}`) && v.label.includes(',all,'))
  assert.ok(fleetViews.length > 0)
  for (const view of fleetViews) {
    const names = view.mcp.map((t) => t.name)
    for (const tool of ['list_clusters', 'fleet_health', 'find_vms']) assert.ok(names.includes(tool), `${view.label}: ${tool} is checked`)
    const listVms = view.mcp.find((t) => t.name === 'list_vms')?.input as { properties?: Record<string, unknown> } | undefined
    assert.ok(listVms?.properties?.cluster !== undefined, `${view.label}: list_vms takes cluster`)
  }
})

test('every role in every mode is shown tools, and /openapi.json has one operation per tool the gate publishes', () => {
  assert.equal(views.length, configurations().length * ROLES.length)
  for (const view of views) {
    assert.ok(view.mcp.length > 0, `${view.label}: the gate publishes no tool, so nothing would be checked`)
    assert.deepEqual(view.openapi.map((t) => t.name).sort(), view.mcp.map((t) => t.name).sort(), `${view.label}: /openapi.json and the gate disagree on the tools`)
  }
  const everyTool = new Set(views.flatMap((v) => v.mcp.map((t) => t.name)))
  assert.ok(everyTool.has('ask'), 'ask is published when an LLM is configured, so it is checked as well')
})

for (const rule of RULES) {
  test(`rule ${rule.id}: ${rule.title}`, () => {
    const found = violationsOf(rule.id)
    assert.equal(found.length, 0, report(found, showViolation))
  })
}

let documentProblems: Array<{ view: string, problem: ConversionProblem }> | undefined
let mcpProblems: Array<{ view: string, problem: ConversionProblem }> | undefined

function converterFindings (name: string, mcp: boolean): Array<{ view: string, tool: string, key: string, item: ConversionProblem }> {
  if (documentProblems === undefined || mcpProblems === undefined) {
    documentProblems = views.flatMap((view) => convertDocument(view.document, view.openapi.map((t) => t.name)).map((problem) => ({ view: `${view.label} openapi`, problem })))
    mcpProblems = views.flatMap((view) => convertMcpTools(view.mcp.map(mcpShape)).map((problem) => ({ view: `${view.label} mcp`, problem })))
  }
  return (mcp ? mcpProblems : documentProblems)
    .filter((p) => p.problem.converter === name)
    .map(({ view, problem }) => ({ view, tool: problem.tool, key: `${problem.tool} ${problem.messages.join('|')}`, item: problem }))
}

const showProblem = (p: ConversionProblem): string => `${p.tool} (${p.converter}): ${p.messages.join('; ')}`

function mcpShape (t: ToolUnderTest): McpToolShape {
  return { name: t.name, description: t.description, inputSchema: t.input }
}

const DOCUMENT_CONVERTERS = [
  ...LLM_MODELS.map((m) => `@samchon/openapi@4 HttpLlm model=${m}`),
  '@samchon/openapi@4 HttpLlm model=chatgpt strict',
  '@samchon/openapi@6 HttpLlm',
  '@samchon/openapi@6 HttpLlm strict'
]
const MCP_CONVERTERS = ['@samchon/openapi@6 McpLlm', '@samchon/openapi@6 McpLlm strict']

for (const name of DOCUMENT_CONVERTERS) {
  test(`converter ${name} turns every tool of /openapi.json into a function, in every configuration and role`, () => {
    const found = converterFindings(name, false)
    assert.equal(found.length, 0, report(found, showProblem, ['openapi']))
  })
}

for (const name of MCP_CONVERTERS) {
  test(`converter ${name} turns every tool as MCP lists it into a function, in every configuration and role`, () => {
    const found = converterFindings(name, true)
    assert.equal(found.length, 0, report(found, showProblem, ['mcp']))
  })
}

/** What Open WebUI's backend (open-webui.ts) shows the model and sends, for every view's /openapi.json. */
function openWebUiFindings (): Array<{ view: string, tool: string, key: string, item: string }> {
  const out: Array<{ view: string, tool: string, key: string, item: string }> = []
  for (const view of views) {
    for (const spec of openWebUiSpecs(view.document)) {
      for (const v of checkTool({ name: spec.name, description: spec.description, input: spec.parameters })) {
        out.push({ view: `${view.label} openapi`, tool: spec.name, key: `${spec.name} ${v.path} ${v.message}`, item: `shown to the model: ${showViolation(v)}` })
      }
      if (spec.parameters.required.length > 0) continue
      // A model calls a tool that needs nothing with no arguments: Open WebUI must then send the call.
      try {
        openWebUiRequest(view.document, 'http://127.0.0.1:5075', spec.name, {}, 'token')
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        out.push({ view: `${view.label} openapi`, tool: spec.name, key: `${spec.name} ${message}`, item: `${spec.name} called with {}: ${message}` })
      }
    }
  }
  return out
}

test('Open WebUI\'s backend shows every tool within the rules and sends a call with no arguments to every tool that needs none, in every configuration and role', () => {
  const found = openWebUiFindings()
  assert.equal(found.length, 0, report(found, (line) => line, ['openapi']))
  // Not vacuous: the tools that need nothing are among those called with {}.
  const none = views.flatMap((v) => openWebUiSpecs(v.document).filter((s) => s.parameters.required.length === 0).map((s) => s.name))
  for (const tool of ['list_vms', 'cluster_health', 'get_session', 'audit_log']) assert.ok(none.includes(tool), `${tool} needs no argument in Open WebUI's view`)
})

/** A minimal OpenAPI document with one tool as routes/tools.ts publishes it: `POST /<name>` with a JSON body. */
function documentWith (tool: ToolUnderTest): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'contract', version: '1' },
    paths: {
      [`/${tool.name}`]: {
        post: {
          operationId: tool.name,
          summary: 'A tool',
          description: tool.description,
          requestBody: { required: true, content: { 'application/json': { schema: tool.input } } },
          responses: { 200: { description: 'The answer', content: { 'application/json': { schema: { type: 'object', properties: { ok: { type: 'boolean' } } } } } } }
        }
      }
    }
  }
}

const CLEAN: ToolUnderTest = {
  name: 'clean_tool',
  description: 'Lists things. Call it first.',
  input: {
    required: [],
    ...plain(Type.Object({
      method: Type.Optional(Type.String({ enum: ['GET', 'POST'], description: 'HTTP method, GET or POST.' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'Most results (1-50).' })),
      fields: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20, description: 'Fields to keep.' })),
      since: Type.Optional(Type.String({ format: 'date-time', description: 'Only entries after this time.' }))
    }, { additionalProperties: false })) as object
  }
}

test('a tool within the common subset passes every rule and every converter (the rules do not flag everything)', () => {
  assert.deepEqual(checkTool(CLEAN).map(showViolation), [])
  assert.deepEqual(convertDocument(documentWith(CLEAN), [CLEAN.name]).map(showProblem), [])
  assert.deepEqual(convertMcpTools([mcpShape(CLEAN)]).map(showProblem), [])
})

test('the suite bites: a tool with an 1,100-character description, an anyOf of constants, an untyped payload and maps is reported by each rule and by the converters', () => {
  const bad: ToolUnderTest = {
    name: 'bad_tool',
    description: 'Calls the API. '.padEnd(1100, 'x'),
    input: plain(Type.Object({
      method: Type.Union([Type.Literal('GET'), Type.Literal('POST')], { description: 'HTTP method.' }),
      payload: Type.Unknown({ description: 'The body.' }),
      params: Type.Record(Type.String(), Type.String(), { description: 'Query parameters.' }),
      labels: Type.Object({}, { additionalProperties: Type.String(), description: 'Labels by name.' }),
      note: Type.Optional(Type.String({ maxLength: 10_000 }))
    }, { additionalProperties: false }))
  }
  const found = checkTool(bad)
  const has = (rule: RuleId, path: string, pattern: RegExp): void => {
    assert.ok(found.some((v) => v.rule === rule && v.path === path && pattern.test(v.message)),
      `expected ${rule} at ${path} matching ${String(pattern)}; found:\n${found.map(showViolation).join('\n')}`)
  }
  has('description-length', 'description', /1,100 characters/)
  has('no-composition', 'input.properties.method', /anyOf of constants/)
  has('typed', 'input.properties.payload', /no "type"/)
  has('no-maps', 'input.properties.params', /patternProperties/)
  has('gemini-keywords', 'input.properties.params', /patternProperties/)
  has('llama-grammar', 'input.properties.params', /patternProperties/)
  has('no-maps', 'input.properties.labels', /additionalProperties/)
  has('described', 'input.properties.note', /no description/)
  has('llama-grammar', 'input.properties.note', /maxLength 10000/)
  assert.ok(found.every((v) => v.tool === 'bad_tool'))

  // Each rule is checked on its own, as the suite runs it: the description rule alone catches the description.
  const only = (id: RuleId): Violation[] => (RULES.find((r) => r.id === id)?.check(bad) ?? [])
  assert.deepEqual(only('description-length').map((v) => v.path), ['description'])
  assert.ok(only('typed').some((v) => v.path === 'input.properties.payload'))

  const converted = convertDocument(documentWith(bad), [bad.name])
  for (const name of DOCUMENT_CONVERTERS) {
    const problem = converted.find((p) => p.converter === name)
    assert.ok(problem !== undefined && problem.messages.some((m) => /too long/.test(m)), `${name} should refuse the 1,100-character description: ${JSON.stringify(problem)}`)
  }
  // The composers drop patternProperties without a word (hence the no-maps rule), but refuse additionalProperties maps.
  const gemini = converted.find((p) => p.converter === '@samchon/openapi@4 HttpLlm model=gemini')
  assert.ok(gemini?.messages.some((m) => /union type/.test(m)), `the Gemini composer should refuse the anyOf of constants: ${JSON.stringify(gemini)}`)
  assert.ok(gemini?.messages.some((m) => /additionalProperties/.test(m)), `the Gemini composer should refuse the map: ${JSON.stringify(gemini)}`)
  const strict = convertMcpTools([mcpShape(bad)]).find((p) => p.converter === '@samchon/openapi@6 McpLlm strict')
  assert.ok(strict?.messages.some((m) => /additionalProperties/.test(m)), `strict mode should refuse the map: ${JSON.stringify(strict)}`)
})

test('a published tool whose description grows to 1,100 characters fails the description rule and every OpenAPI converter', () => {
  const view = views.find((v) => v.role === 'operator') ?? views[0]
  assert.ok(view !== undefined)
  const real = view.mcp[0]
  assert.ok(real !== undefined)
  const longer: ToolUnderTest = { ...real, description: real.description.padEnd(1100, '.') }
  assert.ok(longer.description.length > MAX_DESCRIPTION)
  assert.deepEqual(RULES.find((r) => r.id === 'description-length')?.check(longer).map((v) => v.path), ['description'])
  const converted = convertDocument(documentWith(longer), [longer.name])
  assert.deepEqual(converted.filter((p) => p.messages.some((m) => /too long/.test(m))).map((p) => p.converter).sort(), [...DOCUMENT_CONVERTERS].sort())
})
